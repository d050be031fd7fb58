"""Hook implementations of the colleges plugin."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from nastavnik import (
    AssociationKind,
    DictionaryEntry,
    DictionaryKind,
    OrganisationType,
    PluginInfo,
    Regime,
    StatisticContributor,
    hookimpl,
    load_associations,
    methodical_statistics,
)

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
def register_statistics() -> Iterable[StatisticContributor]:
    return methodical_statistics(PLUGIN.name, register_associations())
