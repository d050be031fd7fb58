"""Sample data for every replaceable document, to try a template before anyone relies on it.

A region's upload is rendered with these data before it is stored: a template that names a field
the document does not have, or that Word's XML cannot hold, is refused there and then, not when a
curator needs the order. Every list has an element and every optional place a value, so that the
fields inside loops and conditions are reached too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from nastavnik.domain.documents.heading import DocumentHeading, OrderHeading
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.mentor_certificate import (
    MentorCertificateData,
    TrainingLine,
    render_mentor_certificate,
)
from nastavnik.domain.documents.methodical import (
    Approval,
    ClubMeeting,
    ClubMeetingResult,
    ClubMember,
    ClubPlanData,
    ClubReportData,
    CouncilMeeting,
    CouncilMember,
    CouncilPlanData,
    CreativeGroup,
    CreativeGroupsOrderData,
    Decade,
    DecadeEvent,
    DecadeNoteData,
    DecadeOrderData,
    DecadePlanData,
    DecadeWinner,
    HeldDecadeEvent,
    PlannedDecade,
    render_club_plan,
    render_club_report,
    render_council_plan,
    render_creative_groups_order,
    render_decade_note,
    render_decade_order,
    render_decade_plan,
)
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
from nastavnik.domain.documents.roadmap import RoadmapData, RoadmapLine, RoadmapStage, render_roadmap
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
CURATOR_POSITION = "заместителя директора по учебно-воспитательной работе"
HEADING = DocumentHeading(ORGANISATION, SHORT_NAME, YEAR)
ORDER_HEADING = OrderHeading(
    **vars(HEADING),
    number="45-о",
    issued_on=START,
    director=DIRECTOR,
    curator=CURATOR,
    curator_position=CURATOR_POSITION,
)


def _order(kind: OrderKind) -> OrderData:
    return OrderData(
        **vars(ORDER_HEADING),
        kind=kind,
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


def _mentor_certificate() -> MentorCertificateData:
    return MentorCertificateData(
        organisation_full_name=ORGANISATION,
        organisation_short_name=SHORT_NAME,
        issued_on=END,
        mentor=MENTOR,
        trainings=[
            TrainingLine(
                "Наставничество в образовании", "ИРО", 72, date(2026, 3, 2), date(2026, 3, 20), "861"
            )
        ],
        director=DIRECTOR,
        curator=CURATOR,
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


# The methodical work: a club of the two young teachers, a decade, the council, a creative group.
APPROVAL = Approval(date(2026, 8, 28), "1", date(2026, 8, 31), "44-о")
CLUB_KIND = "Клуб молодых учителей"
CLUB_NAME = "Звёзды будущего"
# One member with a mentor, one without: a template's both branches are reached, and one that reads
# into a mentor without asking whether there is one is refused, as real data would break it.
CLUB_MEMBERS = [ClubMember(MENTEES[0], MENTOR), ClubMember(MENTEES[1], None)]
LEARNER = PersonName("Орлов", "Максим", "Андреевич")
DECADE = Decade("Математика и информатика", "Декада математики и информатики", START, END, [MENTOR])
DECADE_EVENT = DecadeEvent(START, "Открытый урок «Дроби»", "Открытый урок", "5 «А»", MENTOR)


def _club_plan() -> ClubPlanData:
    return ClubPlanData(
        **vars(HEADING),
        kind_title=CLUB_KIND,
        club_name=CLUB_NAME,
        leader=CURATOR,
        members=CLUB_MEMBERS,
        meetings=[ClubMeeting(START, "Планирование урока", "Семинар", MENTOR)],
        difficulties=["Дисциплина на уроке"],
        approval=APPROVAL,
    )


def _club_report() -> ClubReportData:
    return ClubReportData(
        **vars(HEADING),
        kind_title=CLUB_KIND,
        club_name=CLUB_NAME,
        leader=CURATOR,
        members=CLUB_MEMBERS,
        meetings=[
            ClubMeetingResult(START, "Планирование урока", "Семинар", "проведено", 2, "Составлены планы")
        ],
        planned_count=1,
        held_count=1,
        attendance_percent=100,
        summary="Заседания проведены по плану.",
        drawn_up_on=END,
    )


def _decade_plan() -> DecadePlanData:
    return DecadePlanData(
        **vars(HEADING),
        kind_title="Предметные декады",
        decades=[PlannedDecade(**vars(DECADE), events=[DECADE_EVENT])],
        approval=APPROVAL,
    )


def _decade_note() -> DecadeNoteData:
    return DecadeNoteData(
        **vars(HEADING),
        kind_title="Предметные декады",
        decade=DECADE,
        events=[HeldDecadeEvent(**vars(DECADE_EVENT), participants=25, observers=[CURATOR])],
        winners=[DecadeWinner(LEARNER, "5 «А»", "победитель", "Олимпиада по математике")],
        participants_total=25,
        summary="Мероприятия проведены по плану.",
        author=CURATOR,
        drawn_up_on=END,
    )


def _decade_order() -> DecadeOrderData:
    return DecadeOrderData(
        **vars(ORDER_HEADING),
        decade=DECADE,
        awards=[DecadeWinner(LEARNER, "5 «А»", "победитель", "Олимпиада по математике")],
        thanked=[MENTOR],
    )


def _council_plan() -> CouncilPlanData:
    return CouncilPlanData(
        **vars(HEADING),
        chair=CURATOR,
        members=[
            CouncilMember(CURATOR, "заместитель директора"),
            CouncilMember(MENTOR, "учитель математики"),
        ],
        meetings=[CouncilMeeting(START, "Утверждение плана работы", CURATOR, "План утверждён")],
        approval=APPROVAL,
    )


def _creative_groups_order() -> CreativeGroupsOrderData:
    return CreativeGroupsOrderData(
        **vars(ORDER_HEADING),
        groups=[
            CreativeGroup("Цифровая школа", "Цифровые ресурсы на уроке", MENTOR, MENTEES, "Банк заданий")
        ],
    )


def _roadmap() -> RoadmapData:
    return RoadmapData(
        **vars(HEADING),
        regime_title="наставничество обучающихся",
        order_number="44-о",
        order_on=START,
        stages=[
            RoadmapStage(
                1,
                "Подготовка условий для запуска программы",
                [RoadmapLine("Назначение куратора", START, "руководитель ОО", "приказ", True)],
            )
        ],
    )


SAMPLES: dict[str, Callable[[bytes], bytes]] = {
    "mentor_assignment": lambda t: render_order(_order(OrderKind.MENTOR_ASSIGNMENT), t),
    "pairs_formation": lambda t: render_order(_order(OrderKind.PAIRS_FORMATION), t),
    "programme_report": lambda t: render_report(_report(), t),
    "thank_you_letters": lambda t: render_letters(_letters(), t),
    "mentor_certificate": lambda t: render_mentor_certificate(_mentor_certificate(), t),
    "development_plan": lambda t: render_plan(_plan(), t),
    "mentor_journal": lambda t: render_journal(_journal(), t),
    "club_plan": lambda t: render_club_plan(_club_plan(), t),
    "club_report": lambda t: render_club_report(_club_report(), t),
    "decade_plan": lambda t: render_decade_plan(_decade_plan(), t),
    "decade_note": lambda t: render_decade_note(_decade_note(), t),
    "decade_order": lambda t: render_decade_order(_decade_order(), t),
    "council_plan": lambda t: render_council_plan(_council_plan(), t),
    "creative_groups_order": lambda t: render_creative_groups_order(_creative_groups_order(), t),
    "roadmap": lambda t: render_roadmap(_roadmap(), t),
}


def render_sample(code: str, template: bytes) -> bytes:
    """The document ``code`` filled from the sample data with ``template``; ``TemplateBroken`` if it fails."""
    return SAMPLES[code](template)
