"""One definition per indicator: an organisation's own figures equal the regional aggregation's for it.

Every indicator registered (the core's and every plugin's, read from the catalogue, never listed here) is
computed twice from its one query: for each organisation by the service behind its home page, as its
curator under row-level security, and by the regional recompute over the whole region as the aggregator
role. The region is seeded so that every indicator counts something in every organisation it applies to:
an indicator the seed leaves at zero fails here rather than passing on two zeros.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from sqlalchemy import select

from nastavnik import clock
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.domain.questionnaires.models import QuestionnaireAnswer, QuestionnaireAssignment
from nastavnik.domain.statistics.definitions import Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.indicators.base import IndicatorQuery
from nastavnik.domain.statistics.organisation import organisation_figures
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.domain.work.models import PlanItem
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.runtime import Runtime
from nastavnik.tenancy import load_actor, resolve_org_context
from tests.statistics.reference import Key, Value
from tests.statistics.spec import (
    AssociationSpec,
    BuiltRegion,
    DocumentSpec,
    EventSpec,
    GroupSpec,
    MenteeSpec,
    OrgSpec,
    ProgrammeSpec,
    RegionSpec,
    build_region,
    held_decade,
)
from tests.statistics.stored import org_rows
from tests.support.http import client_for
from tests.support.world import default_version

# Noon of 1 December 2026 in the region (UTC+5): the organisations' «today» and the regional snapshot.
INSTANT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
YEAR, AS_OF = 2026, date(2026, 12, 1)
ANSWERED = datetime(YEAR, 11, 20, 12, 0, tzinfo=UTC)
SCHOOLS_OFF = "S2"
TAILS = (
    "club_members_share",
    "club_meetings_held",
    "club_attendance",
    "decades_held",
    "decade_open_lessons",
    "decade_learners",
)


def _organisation(key: str, municipality: str, org_type: str) -> OrgSpec:
    """Learners aged 14 and young teachers in running groups, last year's cohort (one left the
    profession), a learner of 15 who mentors a peer, approved documents and the pairs order, a headcount,
    a partner with an agreement and one without, the learners' group at practice since October, the
    methodical work of this year and last: a club (four members, two meetings held, one planned) and
    decades (two held, one only planned)."""
    learners = [MenteeSpec(f"L{i}", "learner", birth_date=date(2012, 3, 1 + i)) for i in range(6)]
    peer = MenteeSpec("P0", "learner", birth_date=date(2011, 4, 1))
    young = [MenteeSpec(f"Y{i}", "young_pedagogue", profession_since=date(2024, 9, 1)) for i in range(6)]
    young[2].left_on, young[2].left_reason = date(2026, 6, 30), "profession"
    approved = DocumentSpec(on=date(YEAR, 9, 10))
    return OrgSpec(
        key,
        municipality,
        org_type,
        headcounts={YEAR: (20, 10)},
        mentors=5,
        mentees=[*learners, *young, peer],
        groups=[
            GroupSpec(YEAR, "active", [m.key for m in learners], mentors=5),
            GroupSpec(YEAR, "active", ["L5"], mentors=0, mentor_keys=["P0"]),  # «ученик – ученик»
            GroupSpec(YEAR, "active", [m.key for m in young]),
            GroupSpec(YEAR, "completed", ["L0"], kind="flash"),
            GroupSpec(YEAR - 1, "completed", ["Y0", "Y1", "Y2"]),
        ],
        programmes=[
            ProgrammeSpec(YEAR, polozhenie=approved, programma=approved, pairs_orders=[date(YEAR, 9, 14)])
        ],
        agreements=[date(YEAR - 1, 5, 20), None] if org_type == "college" else [],
        internships=[(0, date(YEAR, 10, 1), date(YEAR, 12, 20))] if org_type == "college" else [],
        methodical=[
            AssociationSpec(
                "club",
                YEAR,
                members=["Y0", "Y1", "Y3", "Y4"],
                events=[
                    EventSpec(attendees=["Y0", "Y1", "Y3"]),
                    EventSpec(attendees=["Y0", "Y5"]),  # Y5 is a guest: no member's attendance
                    EventSpec("planned"),
                ],
            ),
            AssociationSpec(
                "club", YEAR - 1, members=["Y0", "Y1", "Y2"], events=[EventSpec(attendees=["Y2"])]
            ),
            held_decade(
                YEAR,
                EventSpec(form="open_lesson", observers=["Y0"]),
                EventSpec(form="olympiad", learners=["L0", "L1", "L2"], winners=["L0"]),
            ),
            held_decade(YEAR, EventSpec(form="contest", learners=["L2", "L3"])),
            AssociationSpec("decade", YEAR, events=[EventSpec("planned", "open_lesson", learners=["L4"])]),
            held_decade(YEAR - 1),
        ],
    )


REGION = RegionSpec(
    ["M1", "M2"],
    [
        _organisation("S1", "M1", "school"),
        _organisation(SCHOOLS_OFF, "M1", "school"),
        _organisation("C1", "M2", "college"),
        _organisation("K1", "M2", "kindergarten"),
    ],
)


async def _plans_and_final_answers(runtime: Runtime, org_id: uuid.UUID) -> None:
    """Every member of the year's groups answers the final questionnaire (five mentors: enough to show
    their average); each group's first mentee has a plan of two tasks, one done."""
    async with runtime.owner_sessions() as db:
        members = (
            await db.execute(
                select(GroupMember.group_id, GroupMember.person_id, GroupMember.role)
                .join(
                    MentoringGroup,
                    (MentoringGroup.org_id == GroupMember.org_id)
                    & (MentoringGroup.id == GroupMember.group_id),
                )
                .join(
                    Programme,
                    (Programme.org_id == MentoringGroup.org_id)
                    & (Programme.id == MentoringGroup.programme_id),
                )
                .where(GroupMember.org_id == org_id, Programme.academic_year == YEAR)
                .order_by(GroupMember.group_id, GroupMember.role, GroupMember.person_id)
            )
        ).all()
        _, mentor_end = await default_version(db, "mentor_end")
        _, mentee_end = await default_version(db, "mentee_end_learners")
        planned: set[uuid.UUID] = set()
        for n, (group_id, person_id, role) in enumerate(members):
            if role == "mentee" and group_id not in planned:
                planned.add(group_id)
                for done_on in (date(YEAR, 10, 1), None):
                    db.add(
                        PlanItem(
                            org_id=org_id,
                            group_id=group_id,
                            mentee_id=person_id,
                            goal="Цель",
                            task="Задача",
                            due_on=date(YEAR + 1, 3, 1),
                            done=done_on is not None,
                            done_on=done_on,
                        )
                    )
            assignment = QuestionnaireAssignment(
                org_id=org_id,
                id=uuid.uuid4(),
                group_id=group_id,
                person_id=person_id,
                role=role,
                moment="end",
                version_id=mentor_end if role == "mentor" else mentee_end,
                completed_at=ANSWERED,
            )
            db.add(assignment)
            await db.flush()
            for item, score in (("usefulness", n % 10 + 1), ("comfort", 10 - n % 3)):
                db.add(
                    QuestionnaireAnswer(
                        org_id=org_id, assignment_id=assignment.id, item_key=item, score=score
                    )
                )
        await db.commit()


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    built = await build_region(runtime, REGION)
    for org_id in built.orgs.values():
        await _plans_and_final_answers(runtime, org_id)
    async with runtime.owner_sessions() as db:
        db.add(OrgPluginSetting(org_id=built.orgs[SCHOOLS_OFF], plugin="schools", enabled=False, settings={}))
        await db.commit()
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    return built


async def own_figures(runtime: Runtime, built: BuiltRegion, key: str) -> dict[str, list[Figure]]:
    """What the organisation's own page computes, as its curator would: the application role, scoped to
    the organisation, every registered indicator."""
    identity = built.curators[key]
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity)) as db:
        actor = await load_actor(db, identity)
        assert actor is not None
        ctx = await resolve_org_context(db, actor, built.slugs[key], runtime.plugins)
        with clock.pinned(INSTANT):
            return await organisation_figures(db, catalogue(runtime.plugins), ctx)


def _rows(figures: list[Figure]) -> dict[Key, Value]:
    return {(f.indicator.key, f.breakdown): (f.numerator, f.denominator, f.respondents) for f in figures}


def _of(rows: dict[Key, Value], query: IndicatorQuery) -> dict[Key, Value]:
    return {k: v for k, v in rows.items() if k[0] == query.indicator.key}


async def test_every_indicator_is_the_same_on_the_organisations_page_and_in_the_region(
    runtime: Runtime, region: BuiltRegion
) -> None:
    queries = catalogue(runtime.plugins)
    assert {q.indicator.source for q in queries} >= {"core", "schools"}  # the core's and a plugin's
    counted: set[str] = set()
    methodical: dict[str, dict[str, Value]] = {}
    partners: dict[str, tuple[Value | None, Value | None]] = {}
    for key, org_id in region.orgs.items():
        regional = await org_rows(runtime, org_id, YEAR, AS_OF)
        methodical[key] = {i.partition(".")[2]: v for (i, _), v in regional.items() if i.endswith(TAILS)}
        partners[key] = (
            regional.get(("colleges.partners_with_agreement", "")),
            regional.get(("colleges.students_on_internship", "")),
        )
        own = await own_figures(runtime, region, key)
        for query in queries:
            name = query.indicator.key
            mine = _rows(own.get(name, []))
            assert mine == _of(regional, query), f"{name} in {key}: the page and the region disagree"
            if name not in own:  # not for this organisation: neither side has a figure
                continue
            headline = next(f for f in own[name] if f.breakdown == "")
            assert headline.numerator > 0, f"{name} in {key} counts nothing: seed what it counts"
            assert headline.value is not None, f"{name} in {key} reads «нет данных»"
            counted.add(name)
        # The involvement indicators count a learner who mentors and a teacher who mentors, both ways alike.
        assert regional[("learners_involved", "role:mentor")][0] == 1, key
        assert regional[("teachers_involved", "role:mentor")][0] == 5, key
    assert counted == {q.indicator.key for q in queries}
    # The colleges plugin's: in its college alone, one partner with an agreement, the group's six learners.
    assert partners == {
        "S1": (None, None),
        SCHOOLS_OFF: (None, None),
        "C1": ((1, None, None), (6, None, None)),
        "K1": (None, None),
    }
    # The methodical work, of this academic year, by the plugin serving each type (a kindergarten has no
    # decades), and nothing where a school switched its plugin off: 4 members of the headcount's 10 young
    # teachers; 2 meetings held of 3; 3 + 1 members' attendances of 4 members × 2 meetings; 2 decades with
    # a held event, 1 open lesson held (the planned one is not), learners L0–L3 (L2 twice, L4 only
    # registered for the planned lesson).
    club = {
        "club_members_share": (4, 10, None),
        "club_meetings_held": (2, 3, None),
        "club_attendance": (4, 8, None),
    }
    decades = {
        "decades_held": (2, None, None),
        "decade_open_lessons": (1, None, None),
        "decade_learners": (4, None, None),
    }
    assert methodical == {"S1": club | decades, SCHOOLS_OFF: {}, "C1": club | decades, "K1": club}


async def test_the_home_page_shows_the_regional_figure(
    runtime: Runtime, app: Litestar, region: BuiltRegion
) -> None:
    """The home page's indicators (what register_statistics contributes) read as the region counts them."""
    home = [q for q in catalogue(runtime.plugins) if q.on_home_page]
    assert home
    for key, org_id in region.orgs.items():
        regional = await org_rows(runtime, org_id, YEAR, AS_OF)
        expected: dict[str, int | float | None] = {}
        for query in home:
            row = regional.get((query.indicator.key, ""))
            if row is None:
                continue
            figure = Figure(query.indicator, *row)
            expected[query.indicator.key] = (
                figure.numerator if query.indicator.kind is Kind.COUNT else figure.value
            )
        with clock.pinned(INSTANT):
            async with client_for(app, region.curators[key]) as client:
                response = await client.get(f"/api/o/{region.slugs[key]}/indicators")
        assert response.status_code == 200
        shown = {i["key"]: i["value"] for i in response.json()}
        assert shown == expected, key
