"""A smoke test of the colleges plugin's registrations: it loads alone, declares colleges, words their
dictionaries, and offers its routes, templates, indicators and migrations in its own namespace."""

from __future__ import annotations

from litestar import Litestar

from nastavnik import DictionaryKind, Regime
from nastavnik.plugins import load_plugins
from nastavnik.testing import Runtime, app_routes, new_organisation, new_region, plugin_routes
from nastavnik.web.app import template_environment
from nastavnik_colleges import plugin


def test_the_plugin_loads_alone_and_declares_colleges() -> None:
    plugins = load_plugins(["colleges"])
    assert set(plugins.loaded) == {"core", "colleges"}
    college = plugins.organisation_types()["college"]
    assert set(college.regimes) == {Regime.LEARNERS, Regime.PEDAGOGUES}
    assert plugins.active_for("college") == ["core", "colleges"]


def test_its_dictionaries() -> None:
    entries = list(plugin.register_dictionaries())
    assert {e.organisation_types for e in entries} == {("college",)}
    assert {e.kind for e in entries} == {DictionaryKind.FORM, DictionaryKind.ROLE_MODEL}
    keys = [(e.kind, e.regime, e.code) for e in entries]
    assert len(keys) == len(set(keys)), "a code given twice in one dictionary"
    employer = next(e for e in entries if e.code == "employer_student")
    assert employer.mentor_categories == ()  # a partner invited from outside


async def test_a_college_reads_its_forms_and_no_schools(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    college = await new_organisation(runtime, region.municipality_id, org_type="college")
    async with college.signed_in(app, "mentor") as client:
        entries = (await client.get(f"/api/o/{college.slug}/dictionaries")).json()
        routes = await app_routes(client)
    forms = {e["title"] for e in entries if e["kind"] == "form"}
    assert "Работодатель – студент" in forms
    assert "Ученик – ученик" not in forms  # a school's
    assert "Реверсивное" in {e["title"] for e in entries if e["kind"] == "kind"}  # the core's kinds
    assert plugin_routes(routes, "colleges")
    assert all("/p/colleges/" in path for _, path in plugin_routes(routes, "colleges"))


def test_its_other_registrations() -> None:
    (branch,) = plugin.register_migrations()
    assert branch.label == "colleges"
    assert sorted(p.name for p in branch.versions_dir.glob("colleges_*.py")) == [
        "colleges_0001_partners.py",
        "colleges_0002_statistics.py",
    ]
    indicators = list(plugin.register_statistics())
    keys = [i.key for i in indicators]
    # Its own two, then the methodical work's six in a college's words (written once in the core).
    assert keys[:2] == ["colleges.partners_with_agreement", "colleges.students_on_internship"]
    assert set(keys[2:]) == {
        f"colleges.{code}"
        for code in (
            "club_members_share",
            "club_meetings_held",
            "club_attendance",
            "decades_held",
            "decade_open_lessons",
            "decade_learners",
        )
    }
    assert all("scope_org" in i.sql for i in indicators)
    assert all(i.organisation_types == ("college",) for i in indicators[:2])
    plugins = load_plugins(["colleges"])
    assert plugins.audit_titles().objects["colleges.partner"] == "предприятие-партнёр"
    for name in ("partners.html", "partner.html", "internships.html"):
        assert template_environment(plugins).get_template(f"colleges/{name}")
