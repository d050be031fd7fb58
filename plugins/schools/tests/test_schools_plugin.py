"""The schools plugin: it loads alone, words the forms of mentoring and the methodical work for a school,
and contributes the methodical work's indicators in a school's words, computed only where it is active."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from litestar import Litestar

from nastavnik import AssociationShape, DictionaryKind, Regime, clock
from nastavnik.domain.methodical.models import Association, AssociationEvent, AssociationMember
from nastavnik.plugins import load_plugins
from nastavnik.testing import Runtime, Tenant, new_organisation, new_region
from nastavnik_schools import plugin

# Noon of 1 December 2026 in the kit's region (UTC+5): the school's «today», in the academic year 2026.
INSTANT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_the_plugin_loads_alone_and_declares_schools() -> None:
    plugins = load_plugins(["schools"])
    assert set(plugins.loaded) == {"core", "schools"}
    school = plugins.organisation_types()["school"]
    assert set(school.regimes) == {Regime.LEARNERS, Regime.PEDAGOGUES}
    assert plugins.active_for("school") == ["core", "schools"]
    assert plugins.active_for("kindergarten") == ["core"]


def test_its_dictionaries_and_migrations() -> None:
    entries = list(plugin.register_dictionaries())
    assert {e.organisation_types for e in entries} == {("school",)}
    assert {e.kind for e in entries} == {DictionaryKind.FORM, DictionaryKind.ROLE_MODEL}
    keys = [(e.kind, e.regime, e.code) for e in entries]
    assert len(keys) == len(set(keys)), "a code given twice in one dictionary"
    # The branch keeps the history of its old table of decades, whose rows schools_0003 moved into the
    # core's methodical work.
    (branch,) = plugin.register_migrations()
    assert branch.label == "schools"
    assert (branch.versions_dir / "schools_0003_decades_to_methodical_work.py").is_file()


def test_it_offers_the_methodical_work_in_a_schools_words() -> None:
    kinds = {k.shape: k for k in plugin.register_associations()}
    assert set(kinds) == set(AssociationShape)
    assert kinds[AssociationShape.CLUB].title == "Клуб молодых учителей"
    assert kinds[AssociationShape.DECADE].plural == "Предметные декады"
    assert list(kinds[AssociationShape.DECADE].event_forms) == [
        "open_lesson",
        "extracurricular",
        "olympiad",
        "contest",
    ]
    assert kinds[AssociationShape.DECADE].event_forms["open_lesson"] == "Открытый урок"
    assert "Педагогический дебют" in kinds[AssociationShape.CLUB].event_forms["contest_preparation"]
    offered = load_plugins(["schools"]).associations()
    assert {shape for shape, org_type in offered if org_type == "school"} == {
        s.value for s in AssociationShape
    }
    assert {org_type for _, org_type in offered} == {"school"}


def test_its_indicators_are_the_methodical_works_in_a_schools_words() -> None:
    indicators = {c.key: c for c in plugin.register_statistics()}
    assert list(indicators) == [
        "schools.club_members_share",
        "schools.club_meetings_held",
        "schools.club_attendance",
        "schools.decades_held",
        "schools.decade_open_lessons",
        "schools.decade_learners",
    ]
    assert indicators["schools.club_members_share"].title == "Доля молодых учителей — членов клуба"
    assert indicators["schools.decades_held"].title == "Проведено предметных декад"
    assert "«Открытый урок»" in indicators["schools.decade_open_lessons"].description
    assert {c.kind for c in indicators.values()} == {"share", "count"}
    # One query each, run for one organisation and for the region alike.
    assert all("scope_org" in c.sql for c in indicators.values())


async def _a_decade_held(runtime: Runtime, school: Tenant) -> None:
    """A decade of 2026/2027 whose open lesson was held, and a club with the mentee as its member."""
    async with runtime.owner_sessions() as db:
        decade = Association(
            org_id=school.id,
            id=uuid.uuid4(),
            shape="decade",
            academic_year=2026,
            name="Декада математики",
            subject_area="Математика",
            starts_on=date(2026, 11, 10),
            ends_on=date(2026, 11, 19),
        )
        club = Association(org_id=school.id, id=uuid.uuid4(), shape="club", academic_year=2026, name="Звёзды")
        db.add_all([decade, club])
        await db.flush()
        db.add_all(
            [
                AssociationEvent(
                    org_id=school.id,
                    association_id=decade.id,
                    held_on=date(2026, 11, 12),
                    topic="Открытый урок",
                    form="open_lesson",
                    status="held",
                ),
                AssociationMember(
                    org_id=school.id, association_id=club.id, person_id=school.persons["mentee"]
                ),
            ]
        )
        await db.commit()


async def test_a_school_reads_its_figures_where_the_plugin_is_active(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    school = await new_organisation(runtime, region.municipality_id)
    kindergarten = await new_organisation(runtime, region.municipality_id, org_type="kindergarten")
    await _a_decade_held(runtime, school)
    indicators = f"/api/o/{school.slug}/indicators"
    with clock.pinned(INSTANT):
        async with school.signed_in(app, "mentee") as client:
            entries = (await client.get(f"/api/o/{school.slug}/dictionaries")).json()
            shown = {i["key"]: i for i in (await client.get(indicators)).json()}
        async with school.signed_in(app) as client:
            off = await client.put(
                f"/api/o/{school.slug}/plugins/schools", json={"enabled": False, "settings": {}}
            )
            hidden = {i["key"] for i in (await client.get(indicators)).json()}
            await client.put(f"/api/o/{school.slug}/plugins/schools", json={"enabled": True, "settings": {}})
        async with kindergarten.signed_in(app) as client:
            kinder = {i["key"] for i in (await client.get(f"/api/o/{kindergarten.slug}/indicators")).json()}
    forms = {e["title"] for e in entries if e["kind"] == "form"}
    assert {"Ученик – ученик", "Учитель – учитель"} <= forms
    assert shown["schools.decades_held"]["value"] == 1
    assert shown["schools.decades_held"]["title"] == "Проведено предметных декад"
    # One member, but no headcount of young teachers given: «нет данных», not a share of nothing.
    assert shown["schools.club_members_share"]["value"] is None
    assert off.status_code == 200
    assert not {k for k in hidden if k.startswith("schools.")}  # switched off: not computed
    assert "core.people" in hidden
    assert not {k for k in kinder if k.startswith("schools.")}  # not a type the plugin serves
