"""Start-up validation of plugins (NetBox-style): bad declarations are refused with a clear reason."""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pytest

from nastavnik import (
    AssociationKind,
    AssociationShape,
    AuditTitles,
    DictionaryEntry,
    DictionaryKind,
    DocumentTemplate,
    JobSpec,
    MigrationBranch,
    OrganisationType,
    PluginInfo,
    PluginRoutes,
    Regime,
    StatisticContributor,
    TemplateDir,
    hookimpl,
    methodical_statistics,
)
from nastavnik.plugin_data import PluginDataError, load_associations
from nastavnik.plugin_info import check_core_version
from nastavnik.plugins import PluginError, Plugins, load_plugins
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
    assert titles.objects["person"] == "карточка человека"


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            [titles_plugin("extra", AuditTitles(objects={"thing": "вещь"}))],
            "plugin 'extra': audited object types \\['thing'\\] must start with 'extra.'",
        ),
        (
            [titles_plugin("extra", AuditTitles(objects={"schools.thing": "вещь"}))],
            "must start with 'extra.'",
        ),
        (
            [titles_plugin("extra", AuditTitles(fields={"last_name": "Фамилия"}))],
            "the field 'last_name' is titled by both 'core' and 'extra'",
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


@pytest.mark.parametrize(
    ("minimum", "maximum", "current", "loads"),
    [
        ("0.1.0", "0.2.0", "0.1.0", True),
        ("0.1.0", "0.2.0", "0.1.9.post1", True),
        ("0.1.0", "0.2.0", "0.1.5.dev1", True),
        ("0.1.0", "0.2.0", "0.1.0+region", True),  # a local version is the release it was built from
        ("0.1.0", "0.2.0", "0.1.10", True),  # numbers, not strings: 10 > 9
        ("0.1.0", "0.2.0", "0.1.0rc1", False),  # a pre-release comes before its release
        ("0.1.0", "0.2.0", "0.2.0rc1", False),  # a pre-release of the upper bound already is that version
        ("0.1.0", "0.2.0", "0.2.0.dev0", False),
        ("0.1.0", "0.2.0", "0.2.0", False),
        ("0.1.0", "0.2.0", "0.2.0+region", False),
        ("0.2.0rc1", None, "0.2.0rc2", True),  # a plugin may accept a named pre-release
        ("0.2.0rc1", None, "0.2.0rc1", True),
        ("0.2.0rc1", None, "0.2.0b3", False),
        ("0.1", None, "0.1.0", True),  # 0.1 == 0.1.0
        ("1.0.0", None, "0.9.9", False),
    ],
)
def test_core_version_ranges_follow_pep_440(
    minimum: str, maximum: str | None, current: str, loads: bool
) -> None:
    declared = info(min_core_version=minimum, max_core_version=maximum)
    if loads:
        check_core_version(declared, current)
    else:
        with pytest.raises(PluginError, match=f"needs nastavnik >= {re.escape(minimum)}"):
            check_core_version(declared, current)


@pytest.mark.parametrize(
    ("field", "value"),
    [("version", "one"), ("min_core_version", "0.1-beta-x"), ("max_core_version", "latest")],
)
def test_a_version_that_is_not_pep_440_is_refused(field: str, value: str) -> None:
    declared = info(**{field: value})
    with pytest.raises(PluginError, match=f"plugin 'extra': {field} '{value}' is not a version"):
        check_core_version(declared, "0.1.0")
    module = make_plugin("extra", declared, register_organisation_types=org_type("additional"))
    with pytest.raises(PluginError, match="is not a version"):
        load_plugins(extra_modules=[module])


def returning(hook: str, value: object) -> object:
    """A hook implementation named ``hook`` that returns ``value``."""

    def implementation() -> object:
        return value

    implementation.__name__ = hook
    return hookimpl(implementation)


def statistic(**fields: Any) -> list[StatisticContributor]:
    """The plugin ``extra``'s one indicator, with ``fields`` over a count per organisation."""
    return [
        StatisticContributor(
            "extra.x", "Икс", "Икс.", "SELECT org_id, 1, NULL, NULL FROM scope_org", **fields
        )
    ]


class NoDefault(msgspec.Struct):
    limit: int


class Listy(msgspec.Struct):
    codes: list[str] = []


class OutOfBounds(msgspec.Struct):
    limit: Annotated[int, msgspec.Meta(ge=1)] = 0


@hookimpl
async def _job() -> None:
    return None


def _sync_job() -> None:
    return None


@pytest.mark.parametrize(
    ("hooks", "declared", "message"),
    [
        (
            {"register_dictionaries": returning("register_dictionaries", "form")},
            {},
            "register_dictionaries must return an iterable of DictionaryEntry, not str",
        ),
        (
            {"register_dictionaries": returning("register_dictionaries", [1])},
            {},
            "register_dictionaries returned a int .*; it must return DictionaryEntry items",
        ),
        (
            {"register_statistics": returning("register_statistics", ["core.people"])},
            {},
            "it must return StatisticContributor items",
        ),
        (
            {"register_statistics": returning("register_statistics", statistic(kind="ratio"))},
            {},
            "plugin 'extra': the statistic 'extra.x' has an unknown kind 'ratio'",
        ),
        (
            {"register_statistics": returning("register_statistics", statistic(kind="breakdown"))},
            {},
            "the statistic 'extra.x' is a breakdown: its sql must return the breakdown column",
        ),
        (
            {"register_statistics": returning("register_statistics", statistic(default_target=50.0))},
            {},
            "the statistic 'extra.x' is a count: only a share has a target",
        ),
        (
            {
                "register_statistics": returning(
                    "register_statistics", statistic(kind="share", default_target=120.0)
                )
            },
            {},
            "its default target must be a percentage from 0 to 100, not 120.0",
        ),
        (
            {
                "register_statistics": returning(
                    "register_statistics",
                    statistic(kind="breakdown", breakdowns=True, on_home_page=False, nested_loops=False),
                )
            },
            {},
            None,  # what the core's own indicators declare, a plugin may too
        ),
        (
            {"register_routes": returning("register_routes", [])},
            {},
            "register_routes must return PluginRoutes, not list",
        ),
        (
            {"register_routes": returning("register_routes", PluginRoutes(root_api=[]))},
            {},
            None,  # an empty root list is nothing outside the namespace
        ),
        (
            {"register_template_dirs": returning("register_template_dirs", [TemplateDir("core", Path("."))])},
            {},
            "its template namespace must be its name, not 'core'",
        ),
        (
            {"register_migrations": returning("register_migrations", [MigrationBranch("other", Path("."))])},
            {},
            "its migration branch must be labelled 'extra', not 'other'",
        ),
        (
            {
                "register_migrations": returning(
                    "register_migrations", [MigrationBranch("extra", Path("/nonexistent/versions"))]
                )
            },
            {},
            "the migrations folder is missing",
        ),
        (
            {"register_jobs": returning("register_jobs", [JobSpec("core.heartbeat", _job)])},
            {},
            "the job 'core.heartbeat' is registered by 'core' and 'extra'",
        ),
        (
            {"register_jobs": returning("register_jobs", [JobSpec("extra.sync", _sync_job)])},  # type: ignore[arg-type]
            {},
            "the job 'extra.sync' must be an async function",
        ),
        ({}, {"org_settings": NoDefault}, "the setting 'limit' of org_settings needs a default"),
        (
            {},
            {"org_settings": Listy},
            "the setting 'codes' of org_settings must be a bool, int, float or str",
        ),
        ({}, {"org_settings": OutOfBounds}, "a default of org_settings breaks its own bounds"),
        ({}, {"org_settings": dict}, "org_settings must be a msgspec.Struct class"),
        ({}, {"name": "Extra-Plugin"}, "must be lower-case letters, digits and _"),
    ],
)
def test_what_a_plugin_declares_or_returns_is_checked_at_start_up(
    hooks: dict[str, object], declared: dict[str, Any], message: str | None
) -> None:
    module = make_plugin(
        "extra",
        dataclasses.replace(info(), **declared),
        register_organisation_types=org_type("additional"),
        **hooks,
    )
    if message is None:
        assert load_plugins(extra_modules=[module]).routes()
        return
    with pytest.raises(PluginError, match=message):
        load_plugins(extra_modules=[module])


def test_root_routes_are_the_core_s_alone() -> None:
    from litestar import get

    @get("/everywhere", sync_to_thread=False)
    def everywhere() -> str:
        return "x"

    module = make_plugin(
        "extra",
        info(),
        register_organisation_types=org_type("additional"),
        register_routes=returning("register_routes", PluginRoutes(root_pages=[everywhere])),
    )
    with pytest.raises(PluginError, match="root_pages and root_api are for the core's default plugins"):
        load_plugins(extra_modules=[module])
    core = load_plugins(entry_point_plugins=False).routes()
    assert [(p.name, bool(r.root_api), bool(r.root_pages)) for p, r in core] == [("core", True, True)]


MARKERS = {
    "tryfirst": hookimpl(tryfirst=True),
    "trylast": hookimpl(trylast=True),
    "hookwrapper": hookimpl(hookwrapper=True),
    "wrapper": hookimpl(wrapper=True),
}


@pytest.mark.parametrize("option", sorted(MARKERS))
def test_implementation_options_are_refused(option: str) -> None:
    def register_dictionaries() -> Iterable[DictionaryEntry]:
        return []

    def wrapping() -> Iterator[None]:  # pluggy accepts only a generator as a wrapper
        yield

    implementation = wrapping if "wrapper" in option else register_dictionaries
    implementation.__name__ = "register_dictionaries"
    module = make_plugin(
        "extra",
        info(),
        register_organisation_types=org_type("additional"),
        register_dictionaries=MARKERS[option](implementation),
    )
    with pytest.raises(PluginError, match=f"register_dictionaries is marked {option}"):
        load_plugins(extra_modules=[module])


def test_results_are_combined_in_plugin_order() -> None:
    """The default plugins first, then the installed ones by entry-point name, then the extra modules."""
    plugins = load_plugins(
        extra_modules=[make_plugin("extra", info(), register_organisation_types=org_type("additional"))]
    )
    assert list(plugins.loaded) == ["core", "colleges", "kindergartens", "schools", "extra"]
    # Types are shown by their titles («Дошкольная…», «Общеобразовательная…», «Профессиональная…», «Тест»).
    assert list(plugins.organisation_types()) == ["kindergarten", "school", "college", "additional"]
    forms = [e.code for e in plugins.dictionaries() if e.kind == DictionaryKind.FORM]
    assert (
        forms.index("lecturer_student")
        < forms.index("educator_educator")
        < forms.index("undergraduate_student")
    )


def test_an_organisation_type_declared_twice_is_refused() -> None:
    module = make_plugin(
        "extra", info(organisation_types=("additional",)), register_organisation_types=org_type("college")
    )
    with pytest.raises(
        PluginError, match="organisation type 'college' is declared by 'colleges' and 'extra'"
    ):
        load_plugins(extra_modules=[module])


def test_hook_plugins_loaded() -> None:
    """Called once, after the start-up hooks, with everything they returned; a refusal stops the start."""
    seen: list[list[str]] = []

    @hookimpl
    def plugins_loaded(plugins: Plugins) -> None:
        seen.append(sorted(plugins.organisation_types()))

    @hookimpl
    def refusing(plugins: Plugins) -> None:
        if "additional" in plugins.organisation_types():
            raise PluginError("plugin 'picky': the type 'additional' is not welcome")

    watcher = make_plugin(
        "extra", info(), register_organisation_types=org_type("additional"), plugins_loaded=plugins_loaded
    )
    load_plugins(entry_point_plugins=False, extra_modules=[watcher])
    assert seen == [["additional"]]
    picky = make_plugin(
        "picky",
        info(name="picky", organisation_types=("picky_type",)),
        register_organisation_types=org_type("picky_type"),
        plugins_loaded=refusing,
    )
    other = make_plugin("extra", info(), register_organisation_types=org_type("additional"))
    with pytest.raises(PluginError, match="the type 'additional' is not welcome"):
        load_plugins(entry_point_plugins=False, extra_modules=[picky, other])


def associations_plugin(name: str, *kinds: AssociationKind, serves: str = "kindergarten") -> types.ModuleType:
    @hookimpl
    def register_associations() -> Iterable[AssociationKind]:
        return list(kinds)

    return make_plugin(
        name, info(name=name, organisation_types=(serves,)), register_associations=register_associations
    )


def test_bad_associations_are_refused() -> None:
    forms = {"seminar": "Семинар"}
    cases = [
        (
            # The kindergartens plugin already offers the club of a kindergarten.
            associations_plugin("twice", AssociationKind(AssociationShape.CLUB, "Клуб", "Клуб", forms)),
            "'club' for 'kindergarten' is offered by 'kindergartens' and 'twice'",
        ),
        (
            associations_plugin(
                "foreign", AssociationKind(AssociationShape.COUNCIL, "Совет", "Совет", forms, ("school",))
            ),
            "offers 'council' for organisation types it does not serve: \\['school'\\]",
        ),
        (
            associations_plugin("formless", AssociationKind(AssociationShape.COUNCIL, "Совет", "Совет", {})),
            "offers 'council' without event forms",
        ),
    ]
    for module, message in cases:
        with pytest.raises(PluginError, match=message):
            load_plugins(extra_modules=[module])


def test_associations_read_from_a_data_file_refuse_what_they_cannot_mean(tmp_path: Path) -> None:
    path = tmp_path / "methodical.toml"
    path.write_text('[[association]]\nshape = "choir"\ntitle = "Хор"\nplural = "Хоры"\n', encoding="utf-8")
    with pytest.raises(PluginDataError, match="association 1: unknown shape 'choir'"):
        load_associations(path)
    path.write_text('[[association]]\nshape = "club"\ntitle = ""\nplural = "Клуб"\n', encoding="utf-8")
    with pytest.raises(PluginDataError, match="'title' must be a non-empty string"):
        load_associations(path)
    path.write_text(
        '[[association]]\nshape = "club"\ntitle = "Клуб"\nplural = "Клуб"\n[association.event_forms]\n'
        'seminar = "Семинар"\n[association.indicator_titles]\nclub_attendance = " "\n',
        encoding="utf-8",
    )
    with pytest.raises(PluginDataError, match="'indicator_titles' must map codes to titles"):
        load_associations(path)


def test_the_methodical_works_indicators_speak_the_kinds_words() -> None:
    """Without titles of its own a plugin's indicators are titled from its kind's words; a title for an
    indicator the shape has not, or one shape offered twice, is refused."""
    forms = {"seminar": "Семинар", "open_lesson": "Открытое занятие"}
    club = AssociationKind(AssociationShape.CLUB, "Школа молодого мастера", "Школа молодого мастера", forms)
    weeks = AssociationKind(AssociationShape.DECADE, "Неделя цикла", "Недели цикла", forms, ("additional",))
    council = AssociationKind(AssociationShape.COUNCIL, "Совет", "Совет", forms)
    made = {c.key: c for c in methodical_statistics("extra", [club, weeks, council])}
    assert list(made) == [
        "extra.club_members_share",
        "extra.club_meetings_held",
        "extra.club_attendance",
        "extra.decades_held",
        "extra.decade_open_lessons",
        "extra.decade_learners",
    ]  # a council has no indicators yet
    assert made["extra.club_members_share"].title == "Школа молодого мастера: охват молодых педагогов"
    assert made["extra.club_members_share"].kind == "share"
    assert made["extra.decades_held"].title == "Недели цикла, проведённые в учебном году"
    assert made["extra.decade_open_lessons"].title == "Недели цикла: проведено мероприятий «Открытое занятие»"
    assert made["extra.club_attendance"].organisation_types is None  # every type the plugin serves
    assert made["extra.decade_learners"].organisation_types == ("additional",)
    assert [c.key for c in made.values() if c.on_home_page] == [
        "extra.club_members_share",
        "extra.decades_held",
    ]
    worded = dataclasses.replace(club, indicator_titles={"club_attendance": "Посещаемость занятий"})
    assert methodical_statistics("extra", [worded])[2].title == "Посещаемость занятий"
    wrong = dataclasses.replace(club, indicator_titles={"decades_held": "Проведено декад"})
    with pytest.raises(PluginDataError, match="'club' has no indicators \\['decades_held'\\]"):
        methodical_statistics("extra", [wrong])
    with pytest.raises(PluginDataError, match="offers 'club' twice"):
        methodical_statistics("extra", [club, worded])
