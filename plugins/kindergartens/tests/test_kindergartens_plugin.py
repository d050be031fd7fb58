"""A smoke test of the kindergartens plugin's registrations: it loads alone, declares kindergartens with the
teachers' regime only, words their dictionaries and offers its own order forming pairs; it has no routes."""

from __future__ import annotations

import docx
from litestar import Litestar

from nastavnik import Regime
from nastavnik.plugins import load_plugins
from nastavnik.testing import Runtime, app_routes, new_organisation, new_region, plugin_routes
from nastavnik_kindergartens import plugin


def test_the_plugin_loads_alone_and_declares_kindergartens() -> None:
    plugins = load_plugins(["kindergartens"])
    assert set(plugins.loaded) == {"core", "kindergartens"}
    assert plugins.organisation_types()["kindergarten"].regimes == (Regime.PEDAGOGUES,)
    offered = plugins.document_templates()
    assert {key: t.plugin for key, t in offered.items()} == {
        ("pairs_formation", "kindergarten"): "kindergartens"
    }


def test_its_dictionaries_are_the_teachers_only() -> None:
    entries = list(plugin.register_dictionaries())
    assert {e.organisation_types for e in entries} == {("kindergarten",)}
    assert {e.regime for e in entries} == {Regime.PEDAGOGUES}
    keys = [(e.kind, e.code) for e in entries]
    assert len(keys) == len(set(keys)), "a code given twice in one dictionary"


def test_its_order_is_worded_for_a_kindergarten() -> None:
    (template,) = plugin.register_document_templates()
    document = docx.Document(str(template.path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Заведующий ____________" in text
    assert "педагогических работников" in text
    assert "Р-145" not in text  # the learners' target model does not apply


async def test_a_kindergarten_reads_its_forms(runtime: Runtime, app: Litestar) -> None:
    region = await new_region(runtime)
    kindergarten = await new_organisation(runtime, region.municipality_id, org_type="kindergarten")
    async with kindergarten.signed_in(app, "mentee") as client:
        entries = (await client.get(f"/api/o/{kindergarten.slug}/dictionaries")).json()
        routes = await app_routes(client)
    assert "Воспитатель – воспитатель" in {e["title"] for e in entries if e["kind"] == "form"}
    assert {e["regime"] for e in entries} == {"pedagogues"}
    assert plugin_routes(routes, "kindergartens") == []
