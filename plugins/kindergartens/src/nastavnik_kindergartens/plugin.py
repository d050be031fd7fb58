"""Hook implementations of the kindergartens plugin."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nastavnik import (
    AssociationKind,
    DictionaryEntry,
    DictionaryKind,
    DocumentTemplate,
    OrganisationType,
    PluginInfo,
    QuestionnaireDefault,
    Regime,
    StatisticContributor,
    hookimpl,
    load_associations,
    methodical_statistics,
)

HERE = Path(__file__).resolve().parent

PLUGIN = PluginInfo(
    name="kindergartens",
    verbose_name="Дошкольные образовательные организации: наставничество педагогов",
    version="0.1.0",
    min_core_version="0.1.0",
    max_core_version="0.2.0",
    organisation_types=("kindergarten",),
)

KINDERGARTEN = ("kindergarten",)
# Built by plugins/kindergartens/scripts/build_templates.py and committed.
DOCUMENTS = Path(__file__).parent / "documents"

# (code, title, who may mentor: person categories)
_FORMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("educator_educator", "Воспитатель – воспитатель", ("pedagogue",)),
    ("head_educator", "Руководитель – воспитатель", ("pedagogue", "staff")),
    ("specialist_educator", "Педагог-специалист – молодой воспитатель", ("pedagogue",)),
)
_ROLE_MODELS = (
    ("experienced_young", "Опытный педагог – молодой специалист"),
    ("leader_struggling", "Лидер педагогического сообщества – педагог, испытывающий проблемы"),
)


@hookimpl
def register_organisation_types() -> Iterable[OrganisationType]:
    # Kindergartens run only the teachers' regime: learners are under 10 (the target model).
    return [OrganisationType("kindergarten", "Дошкольная образовательная организация", (Regime.PEDAGOGUES,))]


@hookimpl
def register_dictionaries() -> Iterable[DictionaryEntry]:
    return [
        DictionaryEntry(
            DictionaryKind.FORM, code, title, Regime.PEDAGOGUES, KINDERGARTEN, mentor_categories=mentors
        )
        for code, title, mentors in _FORMS
    ] + [
        DictionaryEntry(DictionaryKind.ROLE_MODEL, code, title, Regime.PEDAGOGUES, KINDERGARTEN)
        for code, title in _ROLE_MODELS
    ]


@hookimpl
def register_document_templates() -> Iterable[DocumentTemplate]:
    # The order forming pairs, worded for a ДОО: pedagogical workers only, signed by the head («Заведующий»).
    return [DocumentTemplate("pairs_formation", DOCUMENTS / "pairs_formation.docx")]


@hookimpl
def register_associations() -> Iterable[AssociationKind]:
    return load_associations(HERE / "methodical.toml")


@hookimpl
def register_questionnaire_templates() -> Iterable[QuestionnaireDefault]:
    # The diagnostics of young teachers' difficulties worded for a kindergarten (воспитатель), kept as data.
    return [QuestionnaireDefault.from_toml(HERE / "diagnostics.toml")]


@hookimpl
def register_statistics() -> Iterable[StatisticContributor]:
    return methodical_statistics(PLUGIN.name, register_associations())
