"""Hook implementations of the colleges plugin: the student and employer forms of mentoring, the registry
of partner enterprises with their representatives who mentor, the internships of the employer form's pairs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nastavnik import (
    MANAGERS,
    AssociationKind,
    AuditTitles,
    DictionaryEntry,
    DictionaryKind,
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
    methodical_statistics,
)
from nastavnik_colleges import routes
from nastavnik_colleges.indicators import STATISTICS
from nastavnik_colleges.internships import INTERNSHIP
from nastavnik_colleges.partners import PARTNER
from nastavnik_colleges.representatives import REPRESENTATIVE

HERE = Path(__file__).resolve().parent

PLUGIN = PluginInfo(
    name="colleges",
    verbose_name="Профессиональные образовательные организации: формы наставничества с работодателями",
    version="0.1.0",
    min_core_version="0.1.0",
    max_core_version="0.2.0",
    organisation_types=("college",),
)

COLLEGE = ("college",)

# Colleges use the student and employer forms; «студент – студент» and
# «преподаватель – студент» are unconfirmed wording, so regions may rename or hide them.
# (regime, code, title, who may mentor: person categories, empty for partners invited from outside)
_FORMS: tuple[tuple[Regime, str, str, tuple[str, ...]], ...] = (
    (Regime.LEARNERS, "student_student", "Студент – студент", ("learner",)),
    (Regime.LEARNERS, "lecturer_student", "Преподаватель – студент", ("pedagogue",)),
    (Regime.LEARNERS, "employer_student", "Работодатель – студент", ()),
    (Regime.LEARNERS, "student_pupil", "Студент – ученик", ("learner",)),
    (Regime.PEDAGOGUES, "teacher_teacher", "Преподаватель – преподаватель", ("pedagogue",)),
    (Regime.PEDAGOGUES, "head_teacher", "Руководитель – преподаватель", ("pedagogue", "staff")),
)
_ROLE_MODELS = (
    (Regime.LEARNERS, "achiever_underachiever", "Успевающий – неуспевающий"),
    (Regime.LEARNERS, "peer_to_peer", "Равный – равному"),
    (Regime.LEARNERS, "specialist_future_specialist", "Специалист предприятия – будущий специалист"),
    (Regime.PEDAGOGUES, "experienced_young", "Опытный педагог – молодой специалист"),
)


@hookimpl
def register_organisation_types() -> Iterable[OrganisationType]:
    return [
        OrganisationType(
            "college",
            "Профессиональная образовательная организация (СПО)",
            (Regime.LEARNERS, Regime.PEDAGOGUES),
        )
    ]


@hookimpl
def register_dictionaries() -> Iterable[DictionaryEntry]:
    return [
        DictionaryEntry(DictionaryKind.FORM, code, title, regime, COLLEGE, mentor_categories=mentors)
        for regime, code, title, mentors in _FORMS
    ] + [
        DictionaryEntry(DictionaryKind.ROLE_MODEL, code, title, regime, COLLEGE)
        for regime, code, title in _ROLE_MODELS
    ]


@hookimpl
def register_associations() -> Iterable[AssociationKind]:
    return load_associations(HERE / "methodical.toml")


@hookimpl
def register_questionnaire_templates() -> Iterable[QuestionnaireDefault]:
    # The diagnostics of young teachers' difficulties worded for a college (преподаватель), kept as data.
    return [QuestionnaireDefault.from_toml(HERE / "diagnostics.toml")]


@hookimpl
def register_routes() -> PluginRoutes:
    return PluginRoutes(
        pages=[routes.PartnersPages, routes.InternshipsPages], api=[routes.PartnersApi, routes.InternshipsApi]
    )


@hookimpl
def register_template_dirs() -> Iterable[TemplateDir]:
    return [TemplateDir(namespace="colleges", path=HERE / "templates")]


@hookimpl
def register_navigation(context: NavigationContext) -> Iterable[NavItem]:
    return [
        NavItem(
            title="Предприятия-партнёры",
            href=f"/o/{context.org_slug}/p/colleges/partners",
            order=50,
            roles=frozenset(MANAGERS),
        )
    ]


@hookimpl
def register_statistics() -> Iterable[StatisticContributor]:
    return [*STATISTICS, *methodical_statistics(PLUGIN.name, register_associations())]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    return [MigrationBranch(label="colleges", versions_dir=HERE / "migrations" / "versions")]


@hookimpl
def register_audit_titles() -> AuditTitles:
    return AuditTitles(
        objects={
            PARTNER: "предприятие-партнёр",
            REPRESENTATIVE: "представитель предприятия-партнёра",
            INTERNSHIP: "практика студента",
        },
        fields={
            "activity": "Сфера деятельности",
            "agreement_number": "Номер договора о сотрудничестве",
            "agreement_date": "Дата договора о сотрудничестве",
            "contact": "Контакт на предприятии",
            "partner_id": "Предприятие",
            "group_id": "Пара",
            "place": "Место практики",
        },
    )
