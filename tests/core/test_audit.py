"""The audit log (152-FZ): reads and changes of personal data are recorded; only auditors read it."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from nastavnik.models import AuditEvent, Identity
from nastavnik.runtime import Runtime
from nastavnik.services.spreadsheets import safe_cell
from tests.support.http import client_for
from tests.support.world import World


async def events_about(runtime: Runtime, person_id: object) -> list[AuditEvent]:
    async with runtime.owner_sessions() as db:
        return list(await db.scalars(select(AuditEvent).where(AuditEvent.subject_person_id == person_id)))


async def test_reading_a_person_is_logged_with_who_and_whose(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
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


async def test_changes_are_logged(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
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


async def test_only_auditors_read_the_log_and_export_it(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
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
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
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


async def test_export_cells_cannot_start_a_formula(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
    async with runtime.owner_sessions() as db:
        identity = await db.get(Identity, world.staff["outsider"])
        assert identity is not None
        identity.display_name = '=HYPERLINK("http://evil.example","x")'
        await db.commit()
    async with client_for(app, world.staff["outsider"]) as client:
        refused = await client.get("/api/organisations")  # a refusal is audited, with this actor
    assert refused.status_code == 403
    async with client_for(app, world.staff["auditor"]) as client:
        export = await client.get("/api/audit/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    actors = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example","x")' in actors
    assert not any(str(a).startswith(("=", "+", "-", "@")) for a in actors)


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Иванова") == "Иванова"


async def test_a_refused_role_is_logged_as_denied(runtime: Runtime, app, world: World) -> None:  # type: ignore[no-untyped-def]
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
