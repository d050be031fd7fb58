"""Start-up validation of plugins (NetBox-style): bad declarations are refused with a clear reason."""

from __future__ import annotations

import types
from collections.abc import Iterable
from pathlib import Path

import pytest

from nastavnik import AuditTitles, DocumentTemplate, OrganisationType, PluginInfo, Regime, hookimpl
from nastavnik.plugins import PluginError, load_plugins
from tests.support.office import docx_with


def make_plugin(name: str, info: PluginInfo | None, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(f"fake_{name}")
    if info is not None:
        module.PLUGIN = info  # type: ignore[attr-defined]
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, fn)
    return module


def org_type(code: str) -> object:
    @hookimpl
    def register_organisation_types() -> Iterable[OrganisationType]:
        return [OrganisationType(code, "Тест", (Regime.PEDAGOGUES,))]

    return register_organisation_types


def info(name: str = "extra", **kw: object) -> PluginInfo:
    values: dict[str, object] = {
        "name": name,
        "verbose_name": "Тест",
        "version": "1.0",
        "min_core_version": "0.1.0",
        "organisation_types": ("additional",),
    }
    values.update(kw)
    return PluginInfo(**values)  # type: ignore[arg-type]


def test_a_valid_extra_plugin_loads() -> None:
    plugins = load_plugins(
        extra_modules=[make_plugin("extra", info(), register_organisation_types=org_type("additional"))]
    )
    assert "additional" in plugins.organisation_types()
    assert plugins.active_for("additional") == ["core", "extra"]


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (make_plugin("nodecl", None), "must define PLUGIN"),
        (
            make_plugin(
                "old", info(min_core_version="9.0"), register_organisation_types=org_type("additional")
            ),
            "needs nastavnik >= 9.0",
        ),
        (
            make_plugin(
                "new", info(max_core_version="0.1.0"), register_organisation_types=org_type("additional")
            ),
            "needs nastavnik",
        ),
        (make_plugin("typeless", info(organisation_types=())), "declares no organisation types"),
        (make_plugin("ghost", info(organisation_types=("nowhere",))), "unknown organisation types"),
        (
            make_plugin(
                "clash",
                info(name="clash", organisation_types=("school",)),
                register_organisation_types=org_type("school"),
            ),
            "is declared by",
        ),
        (
            make_plugin("dup", info(name="schools"), register_organisation_types=org_type("additional")),
            "two plugins are named",
        ),
    ],
)
def test_bad_plugins_are_refused(module: types.ModuleType, message: str) -> None:
    with pytest.raises(PluginError, match=message):
        load_plugins(extra_modules=[module])


def test_an_unknown_hook_is_refused() -> None:
    @hookimpl
    def register_everything() -> list[object]:
        return []

    module = make_plugin(
        "typo",
        info(),
        register_organisation_types=org_type("additional"),
        register_everything=register_everything,
    )
    with pytest.raises(Exception, match="unknown hook"):
        load_plugins(extra_modules=[module])


def test_naming_a_plugin_that_is_not_installed_fails() -> None:
    with pytest.raises(PluginError, match="not installed"):
        load_plugins(["schools", "nonexistent"])


def test_loading_only_named_plugins() -> None:
    plugins = load_plugins(["schools"])
    assert set(plugins.loaded) == {"core", "schools"}


def template_plugin(name: str, *templates: DocumentTemplate, serves: str | None = None) -> types.ModuleType:
    """A plugin of the type «additional» (its own), or serving another plugin's type ``serves``."""

    @hookimpl
    def register_document_templates() -> Iterable[DocumentTemplate]:
        return list(templates)

    if serves is not None:
        return make_plugin(
            name,
            info(name=name, organisation_types=(serves,)),
            register_document_templates=register_document_templates,
        )
    return make_plugin(
        name,
        info(name=name),
        register_organisation_types=org_type("additional"),
        register_document_templates=register_document_templates,
    )


def test_a_plugins_document_template_is_offered_for_its_types(tmp_path: Path) -> None:
    path = tmp_path / "order.docx"
    path.write_bytes(docx_with("Приказ № {{ number }} для {{ organisation_short_name }}"))
    plugins = load_plugins(
        extra_modules=[template_plugin("extra", DocumentTemplate("mentor_assignment", path))]
    )
    offered = plugins.document_templates()[("mentor_assignment", "additional")]
    assert (offered.plugin, offered.path) == ("extra", path)
    assert ("mentor_assignment", "school") not in plugins.document_templates()


def test_bad_document_templates_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    good.write_bytes(docx_with("Приказ № {{ number }}"))
    unfillable = tmp_path / "unfillable.docx"
    unfillable.write_bytes(docx_with("Приказ № {{ no_such_field }}"))
    cases = [
        (template_plugin("unknown", DocumentTemplate("decree", good)), "unknown document 'decree'"),
        (
            template_plugin("missing", DocumentTemplate("pairs_formation", tmp_path / "absent.docx")),
            "template of 'pairs_formation' is missing",
        ),
        (
            template_plugin("foreign", DocumentTemplate("pairs_formation", good, ("school",))),
            "types it does not serve: \\['school'\\]",
        ),
        (
            template_plugin("broken", DocumentTemplate("mentor_journal", unfillable)),
            "cannot be filled: В шаблоне используется поле «no_such_field»",
        ),
        (
            # The kindergartens plugin already offers its own order forming pairs for a kindergarten.
            template_plugin("twice", DocumentTemplate("pairs_formation", good), serves="kindergarten"),
            "offered by 'kindergartens' and 'twice'",
        ),
    ]
    for module, message in cases:
        with pytest.raises(PluginError, match=message):
            load_plugins(extra_modules=[module])


def titles_plugin(name: str, titles: AuditTitles) -> types.ModuleType:
    @hookimpl
    def register_audit_titles() -> AuditTitles:
        return titles

    return make_plugin(
        name,
        info(name=name, organisation_types=(f"type_of_{name}",)),
        register_organisation_types=org_type(f"type_of_{name}"),
        register_audit_titles=register_audit_titles,
    )


def test_a_plugins_audit_titles_are_combined_with_the_others() -> None:
    plugins = load_plugins(
        extra_modules=[
            titles_plugin("extra", AuditTitles(objects={"extra.thing": "вещь"}, fields={"colour": "Цвет"}))
        ]
    )
    titles = plugins.audit_titles()
    assert titles.objects["extra.thing"] == "вещь"
    assert titles.fields["colour"] == "Цвет"
    assert titles.objects["schools.subject_decade"] == "предметная декада"
    assert titles.objects["person"] == "карточка человека"


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            [titles_plugin("extra", AuditTitles(objects={"thing": "вещь"}))],
            "plugin 'extra': audited object types \\['thing'\\] must start with 'extra.'",
        ),
        (
            [titles_plugin("extra", AuditTitles(objects={"schools.subject_decade": "декада"}))],
            "must start with 'extra.'",
        ),
        (
            [titles_plugin("extra", AuditTitles(fields={"last_name": "Фамилия"}))],
            "the field 'last_name' is titled by both 'core' and 'extra'",
        ),
        (
            [titles_plugin("extra", AuditTitles(fields={"subject_area": "Область"}))],
            "the field 'subject_area' is titled by both 'schools' and 'extra'",
        ),
        (
            [
                titles_plugin("one", AuditTitles(fields={"colour": "Цвет"})),
                titles_plugin("two", AuditTitles(fields={"colour": "Окраска"})),
            ],
            "the field 'colour' is titled by both 'one' and 'two'",
        ),
    ],
)
def test_audit_titles_given_twice_or_outside_the_namespace_are_refused(
    modules: list[types.ModuleType], message: str
) -> None:
    with pytest.raises(PluginError, match=message):
        load_plugins(extra_modules=modules)


def test_audit_titles_must_be_audit_titles() -> None:
    @hookimpl
    def register_audit_titles() -> object:
        return {"extra.thing": "вещь"}

    module = make_plugin(
        "extra",
        info(),
        register_organisation_types=org_type("additional"),
        register_audit_titles=register_audit_titles,
    )
    with pytest.raises(PluginError, match="must return AuditTitles"):
        load_plugins(extra_modules=[module])
