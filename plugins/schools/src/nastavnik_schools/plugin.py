"""Hook implementations of the schools plugin."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nastavnik import (
    AssociationKind,
    AuditTitles,
    DictionaryEntry,
    MigrationBranch,
    NavigationContext,
    NavItem,
    OrganisationType,
    PluginInfo,
    PluginRoutes,
    QuestionnaireDefault,
    Regime,
    StatisticContributor,
    TemplateDir,
    hookimpl,
    load_associations,
)
from nastavnik_schools import decades
from nastavnik_schools.dictionaries import ENTRIES

HERE = Path(__file__).resolve().parent

PLUGIN = PluginInfo(
    name="schools",
    verbose_name="Общеобразовательные организации: формы наставничества, предметные декады",
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
def register_routes() -> PluginRoutes:
    return PluginRoutes(pages=[decades.DecadesPages], api=[decades.DecadesApi])


@hookimpl
def register_template_dirs() -> Iterable[TemplateDir]:
    return [TemplateDir(namespace="schools", path=HERE / "templates")]


@hookimpl
def register_navigation(context: NavigationContext) -> Iterable[NavItem]:
    return [NavItem(title="Предметные декады", href=f"/o/{context.org_slug}/p/schools/decades", order=50)]


# The decades starting within the academic year: the indicator's one definition, for the school's home
# page (this academic year) and the regional statistics (the year recomputed) alike. The aggregator reads
# the decades' dates, never their titles (migration schools_0002).
DECADES_OF_THE_YEAR = """
SELECT d.org_id, count(*), NULL, NULL
  FROM schools_subject_decade d
 WHERE d.starts_on BETWEEN make_date(CAST(:academic_year AS integer), 9, 1)
                       AND make_date(CAST(:academic_year AS integer) + 1, 8, 31)
   AND d.org_id IN (SELECT org_id FROM scope_org)
 GROUP BY d.org_id"""


@hookimpl
def register_statistics() -> Iterable[StatisticContributor]:
    return [
        StatisticContributor(
            key="schools.subject_decades",
            title="Предметных декад в плане",
            description="Запланированные и проведённые предметные декады учебного года.",
            sql=DECADES_OF_THE_YEAR,
            organisation_types=("school",),
        )
    ]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    return [MigrationBranch(label="schools", versions_dir=HERE / "migrations" / "versions")]


@hookimpl
def register_audit_titles() -> AuditTitles:
    return decades.AUDIT_TITLES


@hookimpl
def register_associations() -> Iterable[AssociationKind]:
    return load_associations(HERE / "methodical.toml")


@hookimpl
def register_questionnaire_templates() -> Iterable[QuestionnaireDefault]:
    # The diagnostics of young teachers' difficulties worded for a school (учитель), kept as data.
    return [QuestionnaireDefault.from_toml(HERE / "diagnostics.toml")]
