"""The colleges plugin's indicators, each one query: a college's own figure (its home page's, as its curator
reads it) equals the regional aggregation's for it, and both equal what is counted here by hand.

Snapshot: academic year 2026/2027, as of 1 December 2026 (noon in the region, UTC+5).

C1: partners with an agreement signed 10.05.2025 and 20.11.2026 (counted), one without an agreement, one
    whose agreement is dated 15.12.2026 (after the date computed): 2. Internships: pair P1 (students S1,
    S2) practises 10.11–20.12.2026 and again 15.09–01.10.2026 (S1 and S2 counted once); P2 (S3) 01–30.06.2026
    (last year); P3 (S4) from 01.02.2027 (not begun); P4 (S5) 20.08–10.09.2026 (runs into the year): 3.
C2: one partner with an agreement of 2024: 1; one pair (S6) practising 01–20.10.2026: 1.
C3: the same as C2, but the college switched the plugin off: no figure at all.
Region: 3 partners and 4 students over the two colleges that report.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.domain.statistics.models import StatAreaValue, StatOrgValue
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.people import Person
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.testing import Runtime, Tenant, new_organisation, new_region
from nastavnik_colleges.models import Internship, Partner

INSTANT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
YEAR, AS_OF = 2026, date(2026, 12, 1)
PARTNERS, STUDENTS = "colleges.partners_with_agreement", "colleges.students_on_internship"
Term = tuple[date, date]


async def _partner(db: AsyncSession, org: Tenant, agreement_on: date | None) -> uuid.UUID:
    partner = Partner(
        org_id=org.id,
        name=f"Завод {secrets.token_hex(2)}",
        inn=with_inn_check_digit(f"5{secrets.randbelow(10**8):08d}"),
        activity="Машиностроение",
        agreement_number="1" if agreement_on else None,
        agreement_date=agreement_on,
    )
    db.add(partner)
    await db.flush()
    return partner.id


async def _pair(
    db: AsyncSession, org: Tenant, programme_id: uuid.UUID, partner_id: uuid.UUID, students: int, *terms: Term
) -> None:
    """A pair (a group with ``students``) of the employer form, with an internship at the partner per term."""
    group = MentoringGroup(
        org_id=org.id,
        id=uuid.uuid4(),
        programme_id=programme_id,
        form_code="employer_student",
        kind_code="traditional",
        starts_on=date(YEAR, 9, 15),
        ends_on=date(YEAR + 1, 5, 31),
        status="active",
        reasons=[],
    )
    mentor = Person(org_id=org.id, last_name="Мастер", first_name="Илья", category="staff")
    people = [
        Person(org_id=org.id, last_name="Студент", first_name=str(n), category="learner")
        for n in range(students)
    ]
    db.add_all([group, mentor, *people])
    await db.flush()
    db.add(GroupMember(org_id=org.id, group_id=group.id, person_id=mentor.id, role="mentor"))
    db.add_all(GroupMember(org_id=org.id, group_id=group.id, person_id=p.id, role="mentee") for p in people)
    db.add_all(
        Internship(
            org_id=org.id, group_id=group.id, partner_id=partner_id, place="Цех", starts_on=s, ends_on=e
        )
        for s, e in terms
    )


async def _seed(
    runtime: Runtime, org: Tenant, agreements: list[date | None], pairs: list[tuple[int, list[Term]]]
) -> None:
    async with runtime.owner_sessions() as db:
        programme = Programme(org_id=org.id, academic_year=YEAR, regime="learners")
        db.add(programme)
        partners = [await _partner(db, org, on) for on in agreements]
        await db.flush()
        for students, terms in pairs:
            await _pair(db, org, programme.id, partners[0], students, *terms)
        await db.commit()


async def test_a_colleges_figures_are_the_regions_and_the_hand_counted_ones(
    runtime: Runtime, app: Litestar
) -> None:
    region = await new_region(runtime)
    c1, c2, c3 = [
        await new_organisation(runtime, region.municipality_id, org_type="college") for _ in range(3)
    ]
    await _seed(
        runtime,
        c1,
        [date(2025, 5, 10), date(2026, 11, 20), None, date(2026, 12, 15)],
        [
            (2, [(date(2026, 11, 10), date(2026, 12, 20)), (date(2026, 9, 15), date(2026, 10, 1))]),
            (1, [(date(2026, 6, 1), date(2026, 6, 30))]),
            (1, [(date(2027, 2, 1), date(2027, 3, 1))]),
            (1, [(date(2026, 8, 20), date(2026, 9, 10))]),
        ],
    )
    for college in (c2, c3):
        await _seed(runtime, college, [date(2024, 1, 1)], [(1, [(date(2026, 10, 1), date(2026, 10, 20))])])
    async with runtime.owner_sessions() as db:
        db.add(OrgPluginSetting(org_id=c3.id, plugin="colleges", enabled=False, settings={}))
        await db.commit()

    own = {}
    for college in (c1, c2, c3):
        with clock.pinned(INSTANT):
            async with college.signed_in(app) as curator:
                shown = (await curator.get(f"/api/o/{college.slug}/indicators")).json()
        own[college.id] = {i["key"]: i["value"] for i in shown if i["key"] in (PARTNERS, STUDENTS)}

    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, region.id, YEAR, AS_OF)
    )
    async with runtime.owner_sessions() as db:
        regional = {
            (org_id, key): numerator
            for org_id, key, numerator in await db.execute(
                select(StatOrgValue.org_id, StatOrgValue.indicator, StatOrgValue.numerator).where(
                    StatOrgValue.org_id.in_([c1.id, c2.id, c3.id]),
                    StatOrgValue.academic_year == YEAR,
                    StatOrgValue.as_of == AS_OF,
                    StatOrgValue.indicator.in_([PARTNERS, STUDENTS]),
                )
            )
        }
        area = {
            key: (numerator, reporting)
            for key, numerator, reporting in await db.execute(
                select(StatAreaValue.indicator, StatAreaValue.numerator, StatAreaValue.reporting).where(
                    StatAreaValue.region_id == region.id,
                    StatAreaValue.scope == "region",
                    StatAreaValue.org_type == "college",
                    StatAreaValue.academic_year == YEAR,
                    StatAreaValue.as_of == AS_OF,
                    StatAreaValue.indicator.in_([PARTNERS, STUDENTS]),
                )
            )
        }
    assert own == {c1.id: {PARTNERS: 2, STUDENTS: 3}, c2.id: {PARTNERS: 1, STUDENTS: 1}, c3.id: {}}
    assert regional == {
        (c1.id, PARTNERS): 2,
        (c1.id, STUDENTS): 3,
        (c2.id, PARTNERS): 1,
        (c2.id, STUDENTS): 1,
    }
    assert area == {PARTNERS: (3, 2), STUDENTS: (4, 2)}
