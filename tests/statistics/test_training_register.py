"""The region's register of trained mentors: hand-counted figures per municipality and organisation, the
names of trained mentors only, a coordinator limited to their municipality, another region invisible, the
narrow database door (no read of people, pairs or training rows), and audited reads and exports."""

from __future__ import annotations

import io
import secrets
import uuid
from datetime import timedelta

import pytest
from litestar import Litestar
from openpyxl import load_workbook
from sqlalchemy import select, text

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.reference import Municipality
from nastavnik.runtime import Runtime
from nastavnik.testing import FreshRegion, new_region
from nastavnik.testing.people import ISSUER
from tests.support.dates import RegionDates, region_dates
from tests.support.http import client_for
from tests.support.programme import active_pair, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

STAFF = {"curator": Named("Иванова", "Ирина", "Сергеевна")}


def course(dates: RegionDates) -> dict[str, str]:
    return {
        "course": "Наставничество в образовании",
        "provider": "ИРО",
        "started_on": str(dates.today - timedelta(days=30)),
        "finished_on": str(dates.today - timedelta(days=10)),
    }


async def _trained(app: Litestar, tenant: Tenant, dates: RegionDates, person: uuid.UUID, *hours: int) -> None:
    async with client_for(app, tenant.identities["curator"]) as curator:
        for n, h in enumerate(hours):
            response = await curator.post(
                f"/api/o/{tenant.slug}/people/{person}/trainings",
                json={**course(dates), "course": f"Курс {n}", "hours": h},
            )
            assert response.status_code == 201, response.text


async def _coordinator(runtime: Runtime, region: FreshRegion, municipality_id: uuid.UUID) -> uuid.UUID:
    async with runtime.owner_sessions() as db:
        identity = Identity(
            issuer=ISSUER, subject=f"coordinator-{secrets.token_hex(4)}", display_name="Координатор"
        )
        db.add(identity)
        await db.flush()
        db.add(
            StaffAssignment(
                identity_id=identity.id,
                role=StaffRole.MUNICIPALITY,
                region_id=region.id,
                municipality_id=municipality_id,
            )
        )
        await db.commit()
        return identity.id


@pytest.fixture(scope="module")
async def regional(runtime: Runtime, app: Litestar, world: World) -> dict[str, object]:
    """Region «F»: municipality M1 with a school of two mentors in active pairs (Сидорова trained 72 + 36 h,
    Кузнецов not trained) and M2 with a school whose only trained mentor (Лебедева, 16 h) has no pair;
    region «G» with one trained mentor in a pair, whom F must never see."""
    region = await new_region(runtime)
    async with runtime.owner_sessions() as db:
        m2 = Municipality(region_id=region.id, name=f"Второй муниципалитет {secrets.token_hex(3)}")
        db.add(m2)
        await db.commit()
        m2_id = m2.id
    first = await new_tenant(runtime, world, staff=STAFF, municipality_id=region.municipality_id)
    second = await new_tenant(runtime, world, staff=STAFF, municipality_id=m2_id)
    sidorova = await add_mentor(runtime, first, Named("Сидорова", "Галина", "Петровна"))
    kuznetsov = await add_mentor(runtime, first, Named("Кузнецов", "Олег", "Игоревич"))
    mentees = [await add_mentee(runtime, first, Named(n, "Анна", "Викторовна")) for n in ("Орлова", "Белова")]
    lebedeva = await add_mentor(runtime, second, Named("Лебедева", "Мария", "Ивановна"))
    other = await new_region(runtime)
    foreign = await new_tenant(runtime, world, staff=STAFF, municipality_id=other.municipality_id)
    stranger = await add_mentor(runtime, foreign, Named("Чужакова", "Вера", "Олеговна"))
    stranger_mentee = await add_mentee(runtime, foreign, Named("Дальняя", "Ольга", "Петровна"))
    for tenant, pairs in (
        (first, ((sidorova, mentees[0]), (kuznetsov, mentees[1]))),
        (foreign, ((stranger, stranger_mentee),)),
    ):
        async with client_for(app, tenant.identities["curator"]) as curator:
            programme = await open_programme(curator, tenant)
            for mentor, mentee in pairs:
                await active_pair(curator, tenant, programme, mentor, mentee)
    dates = region_dates()  # a module's fixture: taken as it runs (the dates fixture is a test's)
    await _trained(app, first, dates, sidorova, 72, 36)
    await _trained(app, second, dates, lebedeva, 16)
    await _trained(app, foreign, dates, stranger, 40)
    return {
        "region": region,
        "other": other,
        "m2": m2_id,
        "coordinator": await _coordinator(runtime, region, region.municipality_id),
        "first": first,
        "second": second,
    }


async def test_the_region_reads_hand_counted_figures_and_the_trained_mentors_names(
    app: Litestar, regional: dict[str, object]
) -> None:
    region = regional["region"]
    assert isinstance(region, FreshRegion)
    async with region.signed_in(app) as staff:
        response = await staff.get("/api/region/training")
        page = await staff.get("/region/training")
    assert response.status_code == 200, response.text
    body = response.json()
    # In pairs: Сидорова and Кузнецов; trained: Сидорова (108 h) and Лебедева (16 h, no pair).
    assert body["total"] == {"in_pairs": 2, "trained_in_pairs": 1, "share": 50, "trained": 2, "hours": 124}
    by_org = {o["org_id"]: o["figures"] for o in body["organisations"]}
    first, second = regional["first"], regional["second"]
    assert isinstance(first, Tenant)
    assert isinstance(second, Tenant)
    assert by_org[str(first.id)] == {
        "in_pairs": 2,
        "trained_in_pairs": 1,
        "share": 50,
        "trained": 1,
        "hours": 108,
    }
    assert by_org[str(second.id)] == {
        "in_pairs": 0,
        "trained_in_pairs": 0,
        "share": None,
        "trained": 1,
        "hours": 16,
    }
    by_municipality = {m["municipality_id"]: m["figures"] for m in body["municipalities"]}
    assert by_municipality[str(region.municipality_id)]["hours"] == 108
    assert by_municipality[str(regional["m2"])]["hours"] == 16
    # By municipality: «Второй муниципалитет …» before «Муниципалитет …».
    assert [(m["full_name"], m["hours"], m["in_pair"]) for m in body["mentors"]] == [
        ("Лебедева Мария Ивановна", 16, False),
        ("Сидорова Галина Петровна", 108, True),
    ]
    everything = response.text + page.text
    # No untrained mentor, no mentee, nothing of another region.
    for absent in ("Кузнецов", "Орлова", "Белова", "Чужакова", "Дальняя"):
        assert absent not in everything, absent
    assert page.status_code == 200
    assert "Сидорова Галина Петровна" in page.text
    assert "50 %" in page.text


async def test_a_coordinator_sees_only_their_municipality_and_others_are_refused(
    app: Litestar, world: World, regional: dict[str, object]
) -> None:
    coordinator = regional["coordinator"]
    assert isinstance(coordinator, uuid.UUID)
    async with client_for(app, coordinator) as client:
        body = (await client.get("/api/region/training")).json()
    assert body["total"] == {"in_pairs": 2, "trained_in_pairs": 1, "share": 50, "trained": 1, "hours": 108}
    assert [m["full_name"] for m in body["mentors"]] == ["Сидорова Галина Петровна"]
    other = regional["other"]
    assert isinstance(other, FreshRegion)
    async with other.signed_in(app) as foreign:
        theirs = (await foreign.get("/api/region/training")).json()
    assert [m["full_name"] for m in theirs["mentors"]] == ["Чужакова Вера Олеговна"]
    org = world.orgs["school_a"]
    for identity in (org.identities["curator"], org.identities["mentor"], world.staff["auditor"]):
        async with client_for(app, identity) as member:
            assert (await member.get("/api/region/training")).status_code == 403
            assert (await member.get("/api/region/training/export.xlsx")).status_code == 403
    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/region/training")).status_code == 401


async def test_the_export_is_a_workbook_and_audited(
    runtime: Runtime, app: Litestar, regional: dict[str, object]
) -> None:
    region = regional["region"]
    assert isinstance(region, FreshRegion)
    async with region.signed_in(app) as staff:
        response = await staff.get("/api/region/training/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book["Организации"].iter_rows(values_only=True)]
    assert rows[-1] == ["Итого", None, 2, 1, "50 %", 2, 124]
    names = sorted(str(r[2]) for r in list(book["Обученные наставники"].iter_rows(values_only=True))[1:])
    assert names == ["Лебедева Мария Ивановна", "Сидорова Галина Петровна"]
    async with runtime.owner_sessions() as db:
        actions = list(
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.actor_identity_id == region.staff,
                    AuditEvent.object_type == "training_register",
                )
            )
        )
    assert "export" in actions


async def test_region_staff_read_nothing_of_people_pairs_or_trainings_but_the_register(
    runtime: Runtime, regional: dict[str, object]
) -> None:
    """The register's function is the only door: under the oversight scope the tables themselves show
    the region nothing, and the function gives no column beyond the register's."""
    region = regional["region"]
    assert isinstance(region, FreshRegion)
    scope = DbScope(identity_id=region.staff, oversight=True)
    async with scoped_session(runtime.app_sessions, scope) as db:
        for table in ("person", "group_member", "mentor_training", "mentor_profile"):
            assert await db.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        columns = (await db.execute(text("SELECT * FROM nastavnik_training_register()"))).keys()
        rows = (await db.execute(text("SELECT count(*) FROM nastavnik_training_register()"))).scalar()
    assert list(columns) == ["org_id", "full_name", "in_pair", "trained", "hours"]
    assert rows == 3  # Сидорова, Кузнецов (nameless) and Лебедева
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=region.staff)) as db:
        # Without the oversight scope the door is shut too.
        assert (await db.execute(text("SELECT count(*) FROM nastavnik_training_register()"))).scalar() == 0
