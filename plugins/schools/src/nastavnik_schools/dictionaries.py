"""Mentoring dictionaries offered to schools (unconfirmed entries stay data a region can reword)."""

from __future__ import annotations

from nastavnik import DictionaryEntry, DictionaryKind, Regime

SCHOOL = ("school",)

# (regime, code, title, who may mentor: person categories, empty for partners invited from outside)
_FORMS: tuple[tuple[Regime, str, str, tuple[str, ...]], ...] = (
    (Regime.LEARNERS, "student_student", "Ученик – ученик", ("learner",)),
    (Regime.LEARNERS, "teacher_student", "Учитель – ученик", ("pedagogue",)),
    (Regime.LEARNERS, "undergraduate_student", "Студент – ученик", ()),
    (Regime.LEARNERS, "employer_student", "Работодатель – ученик", ()),
    (Regime.PEDAGOGUES, "teacher_teacher", "Учитель – учитель", ("pedagogue",)),
    (Regime.PEDAGOGUES, "head_teacher", "Руководитель – учитель", ("pedagogue", "staff")),
    (Regime.PEDAGOGUES, "university_young_teacher", "Педагог вуза/колледжа – молодой педагог", ()),
)
_ROLE_MODELS = (
    (Regime.LEARNERS, "achiever_underachiever", "Успевающий – неуспевающий"),
    (Regime.LEARNERS, "leader_passive", "Лидер – пассивный"),
    (Regime.LEARNERS, "peer_to_peer", "Равный – равному"),
    (Regime.LEARNERS, "adapted_unadapted", "Адаптированный – неадаптированный"),
    (Regime.PEDAGOGUES, "experienced_young", "Опытный педагог – молодой специалист"),
    (Regime.PEDAGOGUES, "class_teacher_young", "Опытный классный руководитель – молодой специалист"),
    (
        Regime.PEDAGOGUES,
        "leader_struggling",
        "Лидер педагогического сообщества – педагог, испытывающий проблемы",
    ),
    (Regime.PEDAGOGUES, "innovator_conservative", "Педагог-новатор – консервативный педагог"),
)

ENTRIES = tuple(
    [
        DictionaryEntry(DictionaryKind.FORM, code, title, regime, SCHOOL, mentor_categories=mentors)
        for regime, code, title, mentors in _FORMS
    ]
    + [
        DictionaryEntry(DictionaryKind.ROLE_MODEL, code, title, regime, SCHOOL)
        for regime, code, title in _ROLE_MODELS
    ]
)
