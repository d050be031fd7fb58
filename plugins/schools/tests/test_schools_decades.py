"""Subject decades: the plugin's routes, its role check, its words in the audit log and on refused forms."""

from __future__ import annotations

import io
import re

from litestar import Litestar
from openpyxl import load_workbook

from nastavnik.testing import Runtime, new_organisation, new_region

DECADE = {
    "subject_area": "Русский язык",
    "title": "Декада словесности",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-10",
}


async def test_hook_register_routes(runtime: Runtime, app: Litestar) -> None:
    plugin_paths = [route.path for route in app.routes if "/p/" in route.path]
    assert plugin_paths
    assert all(p.startswith(("/o/{slug:str}/p/schools", "/api/o/{slug:str}/p/schools")) for p in plugin_paths)
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    kindergarten = await new_organisation(runtime, region.municipality_id, org_type="kindergarten")
    decades = f"/api/o/{school.slug}/p/schools/decades"
    async with school.signed_in(app) as client:
        created = await client.post(decades, json=DECADE)
        assert created.status_code == 201
        listed = await client.get(decades)
        assert "Декада словесности" in listed.text
        shown = await client.get(f"{decades}/{created.json()['id']}")
        assert shown.json()["subject_area"] == "Русский язык"
        bad = await client.post(decades, json={**DECADE, "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "ends_on"
        malformed = await client.get(f"{decades}/123")
        assert malformed.status_code == 404
    async with kindergarten.signed_in(app) as client:
        # Not a type the plugin serves: its routes do not exist there.
        assert (await client.get(f"/api/o/{kindergarten.slug}/p/schools/decades")).status_code == 404


async def test_only_the_managers_plan_decades(runtime: Runtime, app: Litestar) -> None:
    """The plugin's role check (``require_role(org, *MANAGERS)``): every member reads, the managers write."""
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    decades = f"/api/o/{school.slug}/p/schools/decades"
    answers = {}
    for role in ("curator", "director", "mentor", "mentee"):
        async with school.signed_in(app, role) as client:
            created = await client.post(decades, json={**DECADE, "title": f"Декада ({role})"})
            listed = await client.get(decades)
            page = await client.get(f"/o/{school.slug}/p/schools/decades")
            answers[role] = (created.status_code, listed.status_code, "Запланировать декаду" in page.text)
    assert answers == {
        "curator": (201, 200, True),
        "director": (201, 200, True),
        "mentor": (403, 200, False),
        "mentee": (403, 200, False),
    }
    async with school.signed_in(app, "mentor") as client:
        some = (await client.get(decades)).json()[0]["id"]
        assert (await client.delete(f"{decades}/{some}")).status_code == 403
    async with school.signed_in(app, "director") as client:
        assert (await client.delete(f"{decades}/{some}")).status_code == 204
    async with region.signed_in(app) as client:  # the region's staff is no member of the school
        assert (await client.get(decades)).status_code == 404


async def test_plugin_switched_off_hides_its_routes(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    org = await new_organisation(runtime, region.municipality_id)
    async with org.signed_in(app) as client:
        off = await client.put(f"/api/o/{org.slug}/plugins/schools", json={"enabled": False, "settings": {}})
        assert off.status_code == 200
        hidden = await client.get(f"/api/o/{org.slug}/p/schools/decades")
        home = await client.get(f"/o/{org.slug}/")
        on = await client.put(f"/api/o/{org.slug}/plugins/schools", json={"enabled": True, "settings": {}})
        shown = await client.get(f"/api/o/{org.slug}/p/schools/decades")
        shown_home = await client.get(f"/o/{org.slug}/")
        core = await client.put(f"/api/o/{org.slug}/plugins/core", json={"enabled": False, "settings": {}})
        unknown_setting = await client.put(
            f"/api/o/{org.slug}/plugins/schools", json={"enabled": True, "settings": {"colour": "red"}}
        )
    assert hidden.status_code == 404
    assert "Предметные декады" not in home.text
    assert on.status_code == 200
    assert shown.status_code == 200
    assert f'href="/o/{org.slug}/p/schools/decades"' in shown_home.text
    assert core.status_code == 422  # the core cannot be switched off
    assert unknown_setting.status_code == 422


async def test_the_auditor_reads_a_decade_by_its_title(runtime: Runtime, app: Litestar) -> None:
    """The plugin titles its audited object (register_audit_titles): the log and its export say «предметная
    декада», not the code."""
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    async with school.signed_in(app) as client:
        created = await client.post(f"/api/o/{school.slug}/p/schools/decades", json=DECADE)
    decade_id = created.json()["id"]
    async with region.signed_in(app, "auditor") as client:
        page = await client.get("/audit")
        export = await client.get("/api/audit/export.xlsx")
    assert page.status_code == 200
    row = re.search(rf"<tr>(?:(?!</tr>).)*{decade_id}(?:(?!</tr>).)*</tr>", page.text, flags=re.DOTALL)
    assert row is not None
    assert "предметная декада" in row.group(0)
    assert "schools.subject_decade" not in row.group(0)
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    objects = {row[5].value: row[4].value for row in sheet.iter_rows(min_row=2)}
    assert objects[decade_id] == "предметная декада"


async def test_a_refused_form_names_the_plugins_field(runtime: Runtime, app: Litestar) -> None:
    """The plugin labels its own field (register_audit_titles): the refused page form says «Предметная
    область», the core's label says «Окончание»."""
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    page = f"/o/{school.slug}/p/schools/decades"
    async with school.signed_in(app) as client:
        refused = await client.post(
            page,
            data={**DECADE, "subject_area": " ", "ends_on": "2026-11-01"},
            headers={"referer": f"http://testserver{page}"},
            follow_redirects=True,
        )
    assert refused.status_code == 200
    assert '<a href="#f-subject_area">Предметная область</a>: укажите предметную область' in refused.text
    assert '<a href="#f-ends_on">Окончание</a>: окончание раньше начала' in refused.text
