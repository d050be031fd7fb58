"""Hook implementations of the schools plugin."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nastavnik import (
    AssociationKind,
    DictionaryEntry,
    MigrationBranch,
    OrganisationType,
    PluginInfo,
    QuestionnaireDefault,
    Regime,
    StatisticContributor,
    hookimpl,
    load_associations,
    methodical_statistics,
)
from nastavnik_schools.dictionaries import ENTRIES

HERE = Path(__file__).resolve().parent

PLUGIN = PluginInfo(
    name="schools",
    verbose_name="Общеобразовательные организации: формы наставничества, методическая работа",
    version="0.1.0",
    min_core_version="0.1.0",
    max_core_version="0.2.0",
    organisation_types=("school",),
)


@hookimpl
def register_organisation_types() -> Iterable[OrganisationType]:
    return [
        OrganisationType("school", "Общеобразовательная организация", (Regime.LEARNERS, Regime.PEDAGOGUES))
    ]


@hookimpl
def register_dictionaries() -> Iterable[DictionaryEntry]:
    return ENTRIES


@hookimpl
def register_associations() -> Iterable[AssociationKind]:
    return load_associations(HERE / "methodical.toml")


@hookimpl
def register_statistics() -> Iterable[StatisticContributor]:
    return methodical_statistics(PLUGIN.name, register_associations())


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    # The plugin's own table of subject decades moved into the methodical work (schools_0003); the
    # branch stays, so that a database that has it upgrades, and downgrades, through it.
    return [MigrationBranch(label="schools", versions_dir=HERE / "migrations" / "versions")]


@hookimpl
def register_questionnaire_templates() -> Iterable[QuestionnaireDefault]:
    # The diagnostics of young teachers' difficulties worded for a school (учитель), kept as data.
    return [QuestionnaireDefault.from_toml(HERE / "diagnostics.toml")]
