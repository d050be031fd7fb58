"""The audit log (152-FZ): reads and changes of personal data are recorded; only auditors read it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import func, insert, select

from nastavnik import audit
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.runtime import Runtime
from nastavnik.spreadsheets import safe_cell
from tests.support.http import Client, client_for
from tests.support.office import first_sheet
from tests.support.world import World


async def events_about(runtime: Runtime, person_id: object) -> list[AuditEvent]:
    async with runtime.owner_sessions() as db:
        return list(await db.scalars(select(AuditEvent).where(AuditEvent.subject_person_id == person_id)))


async def test_reading_a_person_is_logged_with_who_and_whose(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    target = org.persons["mentor"]
    async with client_for(app, org.identities["curator"]) as client:
        assert (await client.get(f"/api/o/{org.slug}/people/{target}")).status_code == 200
    events = [e for e in await events_about(runtime, target) if e.action == "read"]
    assert events
    event = events[-1]
    assert event.actor_identity_id == org.identities["curator"]
    assert event.org_id == org.id
    assert event.outcome == "success"
    assert str(event.client_ip) == "127.0.0.1"


async def test_changes_are_logged(runtime: Runtime, app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as client:
        created = (
            await client.post(
                f"/api/o/{org.slug}/people",
                json={"last_name": "Аудитов", "first_name": "Пётр", "category": "staff"},
            )
        ).json()
        await client.patch(
            f"/api/o/{org.slug}/people/{created['id']}",
            json={"last_name": "Аудитов", "first_name": "Павел", "category": "staff", "version": 1},
        )
        await client.delete(f"/api/o/{org.slug}/people/{created['id']}")
    actions = sorted(e.action for e in await events_about(runtime, __import__("uuid").UUID(created["id"])))
    assert actions == ["create", "delete", "update"]


async def test_only_auditors_read_the_log_and_export_it(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as client:
        assert (await client.get("/api/audit")).status_code == 403
        assert (await client.get("/api/audit/export.xlsx")).status_code == 403
    async with client_for(app, world.staff["auditor"]) as client:
        listing = await client.get("/api/audit")
        export = await client.get("/api/audit/export.xlsx")
        page = await client.get("/audit")
    assert listing.status_code == 200
    assert listing.json()
    assert page.status_code == 200
    assert "Журнал аудита" in page.text
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = first_sheet(export.content)
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Дата и время", "Кто", "Организация", "Действие"]
    assert sheet.max_row > 1
    # The export itself is logged.
    async with runtime.owner_sessions() as db:
        exports = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "export", AuditEvent.actor_identity_id == world.staff["auditor"]
                )
            )
        )
    assert exports


async def test_export_cells_cannot_start_a_formula(runtime: Runtime, app: Litestar, world: World) -> None:
    async with runtime.owner_sessions() as db:
        identity = await db.get(Identity, world.staff["outsider"])
        assert identity is not None
        # A control character (as hostile request paths leave in the log) cannot break the export either.
        identity.display_name = '=HYPERLINK("http://evil.example","x")\x01'
        await db.commit()
    async with client_for(app, world.staff["outsider"]) as client:
        refused = await client.get("/api/organisations")  # a refusal is audited, with this actor
    assert refused.status_code == 403
    async with client_for(app, world.staff["auditor"]) as client:
        export = await client.get("/api/audit/export.xlsx")
    sheet = first_sheet(export.content)
    actors = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example","x")' in actors
    assert not any(str(a).startswith(("=", "+", "-", "@")) for a in actors)


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Иванова") == "Иванова"
    assert safe_cell("DELETE /api/x/\x00\x1b[0m") == "DELETE /api/x/[0m"


async def test_a_refused_role_is_logged_as_denied(runtime: Runtime, app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["mentee"]) as client:
        refused = await client.get(f"/api/o/{org.slug}/people")
    assert refused.status_code == 403
    async with runtime.owner_sessions() as db:
        denied = list(
            await db.scalars(
                select(AuditEvent).where(
                    AuditEvent.outcome == "denied", AuditEvent.actor_identity_id == org.identities["mentee"]
                )
            )
        )
    assert [e.object_id for e in denied] == [f"GET /api/o/{org.slug}/people"]


def test_times_show_in_the_regions_time_zone() -> None:
    from datetime import UTC, datetime

    from nastavnik.web.filters import ru_date

    moment = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)
    assert ru_date(moment, "Asia/Yekaterinburg") == "23.11.2026 01:30"
    assert ru_date(moment.date()) == "22.11.2026"


# --- The log per region: filters, pages, a whole export -------------------------------------------------


async def _auditor_of(runtime: Runtime, region_id: uuid.UUID) -> uuid.UUID:
    async with runtime.owner_sessions() as db:
        identity = Identity(
            issuer="test-issuer", subject=f"auditor-{uuid.uuid4()}", display_name="Аудиторова"
        )
        db.add(identity)
        await db.flush()
        db.add(StaffAssignment(identity_id=identity.id, role="auditor", region_id=region_id))
        await db.commit()
        return identity.id


async def _actor(runtime: Runtime, name: str) -> uuid.UUID:
    async with runtime.owner_sessions() as db:
        identity = Identity(issuer="test-issuer", subject=f"actor-{uuid.uuid4()}", display_name=name)
        db.add(identity)
        await db.commit()
        return identity.id


async def _all_pages(client: Client, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in range(1, 1000):
        response = await client.get("/api/audit", params={**params, "page": str(page), "per_page": "500"})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["has_next"]:
            return items
    raise AssertionError("too many pages")


async def test_an_auditor_reads_only_their_regions_rows(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    """Rows of R2's organisations and of R2's staff never reach R1's auditor: not through the API, the
    export, nor the auditor role's own connection (its policy); the deployment's rows reach both."""
    token = uuid.uuid4().hex[:8]
    r1_school, r2_school = world.orgs["school_a"], world.orgs["school_x"]
    written = {
        f"{token}-r1-org": (r1_school.id, None),
        f"{token}-r2-org": (r2_school.id, None),
        f"{token}-r1-staff": (None, world.staff["region"]),
        f"{token}-r2-staff": (None, world.staff["region2"]),
        f"{token}-r2-member": (None, r2_school.identities["curator"]),
        f"{token}-nobody": (None, None),
    }
    async with runtime.app_sessions() as db:  # as the application writes them: it cannot say the region
        for object_id, (org_id, actor_id) in written.items():
            await audit.record(
                db,
                actor_identity_id=actor_id,
                org_id=org_id,
                action="read",
                object_type=audit.ObjectKind.ROUTE,
                object_id=object_id,
            )
        await db.commit()
    r1_auditor = world.staff["auditor"]
    r2_auditor = await _auditor_of(runtime, world.regions["R2"])
    expected = {
        r1_auditor: {f"{token}-r1-org", f"{token}-r1-staff", f"{token}-nobody"},
        r2_auditor: {f"{token}-r2-org", f"{token}-r2-staff", f"{token}-r2-member", f"{token}-nobody"},
    }
    for auditor, seen in expected.items():
        async with client_for(app, auditor) as client:
            listed = {i["object_id"] for i in await _all_pages(client, action="read")} & written.keys()
            export = await client.get("/api/audit/export.xlsx", params={"action": "read"})
        assert listed == seen
        sheet = first_sheet(export.content)
        exported = {row[5].value for row in sheet.iter_rows(min_row=2)} & written.keys()
        assert exported == seen
        # The database's own line, whatever the service asks for.
        async with scoped_session(runtime.auditor_sessions, DbScope(identity_id=auditor)) as db:
            raw = set(
                await db.scalars(select(AuditEvent.object_id).where(AuditEvent.object_id.like(f"{token}-%")))
            )
        assert raw == seen
    async with runtime.auditor_sessions() as db:  # no identity: nothing at all
        assert await db.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def _events(runtime: Runtime, actor_id: uuid.UUID, rows: list[tuple[datetime, str]]) -> None:
    async with runtime.owner_sessions() as db:
        await db.execute(
            insert(AuditEvent),
            [
                {
                    "at": at,
                    "actor_identity_id": actor_id,
                    "org_id": None,
                    "action": action,
                    "object_type": "route",
                    "object_id": f"n{n}",
                    "outcome": "success",
                    "details": {},
                }
                for n, (at, action) in enumerate(rows)
            ],
        )
        await db.commit()


async def test_filters_by_period_person_and_action(runtime: Runtime, app: Litestar, world: World) -> None:
    """The period is of the region's local dates (Yekaterinburg, UTC+5): 20:30 UTC on 1 March is 2 March."""
    name = f"Фильтрова-{uuid.uuid4().hex[:6]}"
    actor = await _actor(runtime, name)
    async with runtime.owner_sessions() as db:  # the actor works in R1, so R1's auditor reads their rows
        db.add(StaffAssignment(identity_id=actor, role="region", region_id=world.regions["R1"]))
        await db.commit()
    await _events(
        runtime,
        actor,
        [
            (datetime(2026, 3, 1, 18, 59, tzinfo=UTC), "read"),  # 1 March, 23:59 local
            (datetime(2026, 3, 1, 20, 30, tzinfo=UTC), "read"),  # 2 March, 01:30 local
            (datetime(2026, 3, 2, 12, 0, tzinfo=UTC), "export"),  # 2 March, 17:00 local
            (datetime(2026, 3, 2, 19, 0, tzinfo=UTC), "read"),  # 3 March, 00:00 local
        ],
    )
    async with client_for(app, world.staff["auditor"]) as client:
        person = name.lower()[:-2]  # a part of the name, in any case
        everything = await _all_pages(client, person=person)
        day = await _all_pages(client, person=person, date_from="2026-03-02", date_to="2026-03-02")
        exports = await _all_pages(client, person=person, action="export")
        since = await _all_pages(client, person=person, date_from="2026-03-03")
        nobody = await _all_pages(client, person=person + "-нет")
        by_id = await _all_pages(client, person=str(actor))
        bad_action = await client.get("/api/audit", params={"action": "steal"})
        backwards = await client.get(
            "/api/audit", params={"date_from": "2026-03-03", "date_to": "2026-03-01"}
        )
        page = await client.get(
            "/audit", params={"person": person, "date_from": "02.03.2026", "date_to": "2026-03-02"}
        )
        bad_page = await client.get("/audit", params={"date_from": "32.13.2026"})
    assert [i["object_id"] for i in everything] == ["n3", "n2", "n1", "n0"]  # newest first
    assert {i["actor"] for i in everything} == {name}
    assert [i["object_id"] for i in day] == ["n2", "n1"]
    assert [i["object_id"] for i in exports] == ["n2"]
    assert [i["object_id"] for i in since] == ["n3"]
    assert nobody == []
    assert [i["object_id"] for i in by_id] == ["n3", "n2", "n1", "n0"]
    assert bad_action.status_code == 422
    assert "неизвестное действие" in bad_action.text
    assert backwards.status_code == 422
    assert "конец периода раньше его начала" in backwards.text
    assert page.status_code == 200
    assert page.text.count(name) == 2
    assert "02.03.2026 17:00" in page.text
    assert "02.03.2026 01:30" in page.text
    assert "date_from=2026-03-02" in page.text  # the export link repeats the filter
    assert bad_page.status_code == 200
    assert "дата в виде ДД.ММ.ГГГГ" in bad_page.text


async def test_pages_of_the_log(runtime: Runtime, app: Litestar, world: World) -> None:
    name = f"Страничная-{uuid.uuid4().hex[:6]}"
    actor = await _actor(runtime, name)
    async with runtime.owner_sessions() as db:
        db.add(StaffAssignment(identity_id=actor, role="region", region_id=world.regions["R1"]))
        await db.commit()
    start = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    await _events(runtime, actor, [(start + timedelta(minutes=n), "read") for n in range(7)])
    async with client_for(app, world.staff["auditor"]) as client:
        pages = [
            (await client.get("/api/audit", params={"person": name, "per_page": "3", "page": str(n)})).json()
            for n in (1, 2, 3, 4)
        ]
        html = await client.get("/audit", params={"person": name, "page": "1"})
    assert [[i["object_id"] for i in p["items"]] for p in pages] == [
        ["n6", "n5", "n4"],
        ["n3", "n2", "n1"],
        ["n0"],
        [],
    ]
    assert [p["has_next"] for p in pages] == [True, True, False, False]
    assert html.status_code == 200
    assert name in html.text


async def test_the_export_holds_every_row_not_the_newest_500(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    name = f"Выгрузкина-{uuid.uuid4().hex[:6]}"
    actor = await _actor(runtime, name)
    async with runtime.owner_sessions() as db:
        db.add(StaffAssignment(identity_id=actor, role="region", region_id=world.regions["R1"]))
        await db.commit()
    start = datetime(2026, 1, 10, 19, 30, tzinfo=UTC)  # 11 January, 00:30 in Yekaterinburg
    await _events(runtime, actor, [(start + timedelta(seconds=n), "update") for n in range(1234)])
    async with client_for(app, world.staff["auditor"]) as client:
        export = await client.get("/api/audit/export.xlsx", params={"person": name})
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="audit-log.xlsx"'
    sheet = first_sheet(export.content)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1234
    assert {r[1] for r in rows} == {name}
    assert {r[5] for r in rows} == {f"n{n}" for n in range(1234)}
    assert rows[-1][0] == "11.01.2026 00:30:00"  # the oldest, in the region's time
    async with runtime.owner_sessions() as db:
        logged = await db.scalar(
            select(AuditEvent.details)
            .where(AuditEvent.action == "export", AuditEvent.actor_identity_id == world.staff["auditor"])
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(1)
        )
    assert logged == {"rows": 1234, "person": name}


async def test_who_asks_is_checked_before_the_filter(app: Litestar, world: World) -> None:
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as client:
        assert (await client.get("/api/audit", params={"action": "steal"})).status_code == 403
        assert (await client.get("/api/audit/export.xlsx", params={"action": "steal"})).status_code == 403
    async with client_for(app) as anonymous:
        assert (await anonymous.get("/api/audit", params={"action": "steal"})).status_code == 401
