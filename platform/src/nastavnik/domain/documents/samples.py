"""Sample data for every replaceable document, to try a template before anyone relies on it.

A region's upload is rendered with these data before it is stored: a template that names a field
the document does not have, or that Word's XML cannot hold, is refused there and then, not when a
curator needs the order. Every list has an element and every optional place a value, so that the
fields inside loops and conditions are reached too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.orders import GroupLine, OrderData, render_order
from nastavnik.domain.documents.programme_report import (
    OrderLine,
    PairLine,
    ReportData,
    SatisfactionLine,
    StageLine,
    StatusCounts,
    founding_document,
    render_report,
)
from nastavnik.domain.documents.thank_you_letters import Letter, LettersData, render_letters
from nastavnik.domain.documents.work import (
    JournalData,
    JournalLine,
    PlanData,
    PlanLine,
    render_journal,
    render_plan,
)

START = date(2026, 9, 1)
END = date(2027, 5, 31)
ORGANISATION = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»"
SHORT_NAME = "МБОУ «СШ № 1»"
YEAR = "2026/2027"
DIRECTOR = PersonName("Иванов", "Пётр", "Ильич")
CURATOR = PersonName("Кузнецова", "Анна", "Викторовна")
MENTOR = PersonName("Сидорова", "Галина", "Петровна")
MENTEES = [PersonName("Петров", "Иван", "Сергеевич"), PersonName("Ёлкина", "Алёна", "Игоревна")]
FORM = "Учитель – учитель"
KIND = "Групповое"


def _order(kind: OrderKind) -> OrderData:
    return OrderData(
        kind=kind,
        number="45-о",
        issued_on=START,
        organisation_full_name=ORGANISATION,
        organisation_short_name=SHORT_NAME,
        academic_year_title=YEAR,
        director=DIRECTOR,
        curator=CURATOR,
        curator_position="заместителя директора по учебно-воспитательной работе",
        groups=[
            GroupLine(
                mentor=MENTOR,
                mentor_position="учителя математики",
                mentees=MENTEES,
                mentee_note="молодые специалисты",
                form_title=FORM,
                kind_title=KIND,
                starts_on=START,
                ends_on=END,
            )
        ],
    )


def _report() -> ReportData:
    totals = StatusCounts("Итого", 1, 1, 0, 2)
    return ReportData(
        organisation_full_name=ORGANISATION,
        organisation_short_name=SHORT_NAME,
        academic_year_title=YEAR,
        regime_title="наставничество педагогических работников",
        closed=False,
        drawn_up_on=END,
        documents=[
            founding_document("Положение о наставничестве", "approved", "15-од", START, feminine=False),
            founding_document("Программа наставничества", "draft", None, None, feminine=True),
        ],
        stages=[StageLine(1, "Подготовка условий для запуска программы", True, "завершён")],
        mentors_taking_part=1,
        mentees_taking_part=2,
        mentees_covered=2,
        groups_total=2,
        by_form=[StatusCounts(FORM, 1, 1, 0, 2)],
        totals=totals,
        awaiting_order=1,
        completed_share=50,
        pairs=[
            PairLine(
                mentors=[MENTOR],
                mentees=MENTEES,
                form_title=FORM,
                kind_title=KIND,
                starts_on=START,
                ends_on=END,
                ended_on=END,
                status_title="завершена",
                outcome="Проведены открытые уроки",
            )
        ],
        orders=[OrderLine("Приказ о формировании наставнических пар (групп)", "45-о", START)],
        curator=CURATOR,
        director=DIRECTOR,
        plan_completion=75,
        satisfaction=[SatisfactionLine("Полезность встреч", 8.5, 6)],
    )


def _letters() -> LettersData:
    return LettersData(
        organisation_full_name=ORGANISATION,
        organisation_short_name=SHORT_NAME,
        academic_year_title=YEAR,
        issued_on=END,
        director=DIRECTOR,
        letters=[Letter(MENTOR, MENTEES)],
    )


def _plan() -> PlanData:
    return PlanData(
        organisation_full_name=ORGANISATION,
        academic_year_title=YEAR,
        mentee=MENTEES[0],
        mentors=[MENTOR],
        form_title=FORM,
        kind_title=KIND,
        starts_on=START,
        ends_on=END,
        items=[PlanLine("Освоить методику", "Посетить пять уроков наставника", END, True, END, "Посещены")],
    )


def _journal() -> JournalData:
    return JournalData(
        organisation_full_name=ORGANISATION,
        academic_year_title=YEAR,
        mentors=[MENTOR],
        mentees=MENTEES,
        form_title=FORM,
        kind_title=KIND,
        starts_on=START,
        ends_on=END,
        entries=[JournalLine(START, "Знакомство", "Обсудили запросы", "Составлен план", "Прочитать статью")],
    )


SAMPLES: dict[str, Callable[[bytes], bytes]] = {
    "mentor_assignment": lambda t: render_order(_order(OrderKind.MENTOR_ASSIGNMENT), t),
    "pairs_formation": lambda t: render_order(_order(OrderKind.PAIRS_FORMATION), t),
    "programme_report": lambda t: render_report(_report(), t),
    "thank_you_letters": lambda t: render_letters(_letters(), t),
    "development_plan": lambda t: render_plan(_plan(), t),
    "mentor_journal": lambda t: render_journal(_journal(), t),
}


def render_sample(code: str, template: bytes) -> bytes:
    """The document ``code`` filled from the sample data with ``template``; ``TemplateBroken`` if it fails."""
    return SAMPLES[code](template)
