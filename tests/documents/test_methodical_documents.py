"""The methodical work's seven documents rendered to .docx and read back with python-docx, as Word shows them."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import docx
import pytest

from nastavnik.domain.documents.docx import TemplateBroken
from nastavnik.domain.documents.heading import DocumentHeading, OrderHeading
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.documents.methodical import (
    METHODICAL_DOCUMENTS,
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
    unquoted,
)
from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.samples import render_sample
from nastavnik_dev.documents import build_methodical_templates, build_templates
from tests.support.office import docx_paragraphs, docx_with

FULL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 2»"
HEADING = DocumentHeading(
    organisation_full_name=FULL_NAME, organisation_short_name="Гимназия № 2", academic_year_title="2026/2027"
)
ORDER = OrderHeading(
    **vars(HEADING),
    number="112-о",
    issued_on=date(2026, 12, 15),
    director=PersonName("Петров", "Алексей", "Николаевич"),
    curator=PersonName("Кузнецова", "Анна", "Викторовна"),
    curator_position="заместителя директора по учебно-методической работе",
)
SIDOROVA = PersonName("Сидорова", "Галина", "Петровна")
KOROLEV = PersonName("Королёв", "Фёдор", None)
SALTYKOV = PersonName("Салтыков-Щедрин", "Михаил", "Евграфович")
PETROV = PersonName("Петров", "Иван", "Сергеевич")
YOLKINA = PersonName("Ёлкина", "Алёна", "Игоревна")
ORLOVA = PersonName("Орлова", "Мария", "Ильинична")
BELYKH = PersonName("Белых", "Саша")
UNSAFE = "Дроби <и> проценты & задачи"
DEC_1, DEC_10 = date(2026, 12, 1), date(2026, 12, 10)


def tables(content: bytes) -> list[list[list[str]]]:
    """Every table of the document: its rows, each a list of its cells' texts."""
    document = docx.Document(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def no_fields_left(paragraphs: list[str]) -> bool:
    return not any("{{" in p or "{%" in p for p in paragraphs)


# --- the committed templates ----------------------------------------------------------------------


@pytest.mark.parametrize("code", METHODICAL_DOCUMENTS)
def test_default_templates_are_the_build_scripts_output(code: str) -> None:
    committed = default_template(code)
    assert len(committed) < 100 * 1024
    assert committed == build_templates.build(code, build_methodical_templates.BUILDERS), (
        "run python -m nastavnik_dev.documents.build_methodical_templates"
    )
    assert docx.Document(io.BytesIO(committed)).core_properties.title == DOCUMENT_TITLES[code]


def test_every_methodical_document_is_replaceable() -> None:
    assert set(METHODICAL_DOCUMENTS) <= set(DOCUMENT_TITLES)
    assert set(build_methodical_templates.BUILDERS) == set(METHODICAL_DOCUMENTS)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Звёзды будущего", "Звёзды будущего"),
        ("  «Звёзды будущего» ", "Звёзды будущего"),
        ('"Звёзды будущего"', "Звёзды будущего"),
        ("“Звёзды будущего”", "Звёзды будущего"),
        ("«Звёзды «будущего»»", "Звёзды «будущего»"),
        ("«Звёзды» и «Луна»", "«Звёзды» и «Луна»"),  # two names in quotes, not one pair around it all
        ('"Звёзды" и "Луна"', '"Звёзды" и "Луна"'),
        ("„Звёзды“", "Звёзды"),
        ("«Звёзды будущего", "«Звёзды будущего"),
        ("", ""),
    ],
)
def test_a_typed_pair_of_quotes_around_a_name_goes(typed: str, name: str) -> None:
    assert unquoted(typed) == name


def test_the_samples_refuse_a_template_that_reads_into_a_mentor_who_may_be_missing() -> None:
    guarded = docx_with(
        "{% for m in members %}{% if m.mentor %}{{ m.mentor.last_name }}{% endif %}{% endfor %}"
    )
    assert docx_paragraphs(render_sample("club_plan", guarded)) == ["Сидорова"]
    with pytest.raises(TemplateBroken) as refused:
        render_sample("club_plan", docx_with("{% for m in members %}{{ m.mentor.last_name }}{% endfor %}"))
    assert "«last_name»" in refused.value.message


# --- the young teachers' club -------------------------------------------------------------------

MEMBERS = [ClubMember(PETROV, SIDOROVA), ClubMember(YOLKINA, None)]


def _club_plan(**changes: object) -> ClubPlanData:
    data = ClubPlanData(
        **vars(HEADING),
        kind_title="Клуб молодых учителей",
        club_name="«Звёзды будущего»",
        leader=ORLOVA,
        members=MEMBERS,
        meetings=[
            ClubMeeting(date(2026, 9, 24), UNSAFE, "Семинар", SIDOROVA),
            ClubMeeting(date(2026, 10, 22), "Работа с родителями", "Тренинг", None),
        ],
        difficulties=["дисциплина на уроке", "работа с родителями"],
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind_title", "club_name", "heading"),
    [
        (
            "Клуб молодых учителей",
            "«Звёзды будущего»",
            "План работы: Клуб молодых учителей «Звёзды будущего» на 2026/2027 учебный год",
        ),
        (
            "Школа молодого преподавателя",
            "Профи",
            "План работы: Школа молодого преподавателя «Профи» на 2026/2027 учебный год",
        ),
        ("Клуб молодого педагога", "", "План работы: Клуб молодого педагога на 2026/2027 учебный год"),
    ],
)
def test_the_club_plans_heading_names_the_club_as_it_is_called(
    kind_title: str, club_name: str, heading: str
) -> None:
    paragraphs = docx_paragraphs(render_club_plan(_club_plan(kind_title=kind_title, club_name=club_name)))
    assert heading in paragraphs
    assert not any("клуб" in p for p in paragraphs if p != heading)  # a «Школа …» is no club


def test_the_club_plan_lists_members_meetings_and_difficulties() -> None:
    content = render_club_plan(_club_plan())
    paragraphs = docx_paragraphs(content)
    assert paragraphs[0] == FULL_NAME
    assert "Руководитель: Орлова Мария Ильинична." in paragraphs
    # No approval known yet: the blanks to write it in by hand.
    assert [p for p in paragraphs if p.startswith(("протокол", "приказом"))] == [
        "протокол от «___» ____________ 20___ г. № ______",
        "приказом от «___» ____________ 20___ г. № ______",
    ]
    difficulties = paragraphs.index(
        "Наиболее частые затруднения молодых педагогов по результатам диагностики:"
    )
    assert paragraphs[difficulties + 1 : difficulties + 3] == [
        "— дисциплина на уроке;",
        "— работа с родителями.",
    ]
    assert "Руководитель ____________ М. И. Орлова" in paragraphs
    assert no_fields_left(paragraphs)
    members, meetings = tables(content)
    assert members == [
        ["№", "Участник", "Наставник"],
        ["1", "Петров Иван Сергеевич", "Сидорова Галина Петровна"],
        ["2", "Ёлкина Алёна Игоревна", "—"],
    ]
    assert meetings == [
        ["№", "Дата", "Тема", "Форма проведения", "Ответственный"],
        ["1", "24 сентября 2026 г.", UNSAFE, "Семинар", "Сидорова Г. П."],
        ["2", "22 октября 2026 г.", "Работа с родителями", "Тренинг", ""],
    ]


def test_the_club_plan_leaves_out_what_it_does_not_know() -> None:
    approval = Approval(date(2026, 8, 28), "1", date(2026, 8, 31), "44-о")
    content = render_club_plan(_club_plan(difficulties=[], leader=None, meetings=[], approval=approval))
    paragraphs = docx_paragraphs(content)
    assert not any("затруднения молодых педагогов по результатам" in p for p in paragraphs)
    assert not any(p.startswith("Руководитель:") for p in paragraphs)
    assert "Руководитель ____________ " in paragraphs
    assert "протокол от 28 августа 2026 г. № 1" in paragraphs
    assert "приказом от 31 августа 2026 г. № 44-о" in paragraphs
    assert tables(content)[1] == [["№", "Дата", "Тема", "Форма проведения", "Ответственный"]]


def _club_report(**changes: object) -> ClubReportData:
    data = ClubReportData(
        **vars(HEADING),
        kind_title="Школа молодого преподавателя",
        club_name="Профи",
        leader=ORLOVA,
        members=MEMBERS,
        meetings=[
            ClubMeetingResult(
                date(2026, 9, 24), UNSAFE, "Семинар", "проведено", 2, "Составлены <планы> & карты"
            ),
            ClubMeetingResult(date(2027, 4, 22), "Портфолио", "Мастер-класс", "запланировано", 0, ""),
        ],
        planned_count=2,
        held_count=1,
        attendance_percent=100,
        summary="Заседания проходили по плану.\n\n  Молодые педагоги освоили формы работы.  \n",
        drawn_up_on=date(2027, 5, 28),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_the_club_report_counts_the_meetings_and_gives_the_conclusions_as_paragraphs() -> None:
    content = render_club_report(_club_report())
    paragraphs = docx_paragraphs(content)
    assert "Отчёт о работе: Школа молодого преподавателя «Профи» за 2026/2027 учебный год" in paragraphs
    assert "Запланировано заседаний: 2, проведено: 1." in paragraphs
    assert "Средняя посещаемость проведённых заседаний: 100\u00a0%." in paragraphs
    conclusions = paragraphs.index("3. Выводы")
    assert paragraphs[conclusions + 1 : conclusions + 3] == [
        "Заседания проходили по плану.",
        "Молодые педагоги освоили формы работы.",
    ]
    assert paragraphs[-2:] == ["Руководитель ____________ М. И. Орлова", "28 мая 2027 г."]
    assert no_fields_left(paragraphs)
    _, meetings = tables(content)
    assert meetings[1:] == [
        ["1", "24 сентября 2026 г.", UNSAFE, "Семинар", "проведено", "2", "Составлены <планы> & карты"],
        ["2", "22 апреля 2027 г.", "Портфолио", "Мастер-класс", "запланировано", "—", ""],
    ]


def test_a_club_report_before_any_meeting_says_so() -> None:
    paragraphs = docx_paragraphs(
        render_club_report(_club_report(meetings=[], held_count=0, attendance_percent=None, summary=" \n"))
    )
    assert "Средняя посещаемость проведённых заседаний: — (заседания не проводились)." in paragraphs
    assert paragraphs[paragraphs.index("3. Выводы") + 1] == "—"


# --- subject decades --------------------------------------------------------------------------

MATHS = Decade(
    "Математика и информатика", "Декада математики & информатики", DEC_1, DEC_10, [SIDOROVA, KOROLEV]
)
EVENTS = [
    DecadeEvent(DEC_1, UNSAFE, "Открытый урок", "5 «А»", SIDOROVA),
    DecadeEvent(date(2026, 12, 4), "Олимпиада «Кенгуру»", "Олимпиада", "5–7", None),
]


def test_the_decades_plan_has_an_overview_and_a_table_of_events_for_each() -> None:
    history = PlannedDecade(
        "История и обществознание",
        "Неделя истории",
        date(2027, 2, 8),
        date(2027, 2, 13),
        [SALTYKOV],
        [DecadeEvent(date(2027, 2, 9), "Викторина «Знатоки»", "Викторина", "8–9", SALTYKOV)],
    )
    content = render_decade_plan(
        DecadePlanData(
            **vars(HEADING),
            kind_title="Недели предметно-цикловых комиссий",
            decades=[PlannedDecade(**vars(MATHS), events=EVENTS), history],
        )
    )
    paragraphs = docx_paragraphs(content)
    assert "План проведения: Недели предметно-цикловых комиссий на 2026/2027 учебный год" in paragraphs
    maths = paragraphs.index("1. Декада математики & информатики")
    assert paragraphs[maths + 1 : maths + 4] == [
        "Предметная область: Математика и информатика.",
        "Сроки проведения: с 1 декабря 2026 г. по 10 декабря 2026 г.",
        "Ответственные: Сидорова Галина Петровна, Королёв Фёдор.",
    ]
    assert "Ответственный: Салтыков-Щедрин Михаил Евграфович." in paragraphs
    assert no_fields_left(paragraphs)
    overview, maths_events, history_events = tables(content)
    assert overview == [
        ["№", "Название", "Предметная область", "Сроки проведения", "Ответственные"],
        [
            "1",
            "Декада математики & информатики",
            "Математика и информатика",
            "1 декабря 2026 г. – 10 декабря 2026 г.",
            "Сидорова Галина Петровна, Королёв Фёдор",
        ],
        [
            "2",
            "Неделя истории",
            "История и обществознание",
            "8 февраля 2027 г. – 13 февраля 2027 г.",
            "Салтыков-Щедрин Михаил Евграфович",
        ],
    ]
    assert maths_events == [
        ["№", "Дата", "Мероприятие", "Форма проведения", "Классы", "Ответственный"],
        ["1", "1 декабря 2026 г.", UNSAFE, "Открытый урок", "5 «А»", "Сидорова Г. П."],
        ["2", "4 декабря 2026 г.", "Олимпиада «Кенгуру»", "Олимпиада", "5–7", ""],
    ]
    assert history_events[1] == [
        "1",
        "9 февраля 2027 г.",
        "Викторина «Знатоки»",
        "Викторина",
        "8–9",
        "Салтыков-Щедрин М. Е.",
    ]


def _note(**changes: object) -> DecadeNoteData:
    data = DecadeNoteData(
        **vars(HEADING),
        kind_title="Предметные декады",
        decade=MATHS,
        events=[
            HeldDecadeEvent(**vars(EVENTS[0]), participants=26, observers=[KOROLEV, SALTYKOV]),
            HeldDecadeEvent(**vars(EVENTS[1]), participants=41, observers=[]),
        ],
        winners=[
            DecadeWinner(PETROV, "7 «А»", "победитель", "Олимпиада «Кенгуру»"),
            DecadeWinner(YOLKINA, None, "призёр", UNSAFE),
        ],
        participants_total=67,
        summary="Все мероприятия проведены.\nРекомендовано обобщить опыт.",
        author=ORLOVA,
        drawn_up_on=date(2026, 12, 11),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_the_decades_note_reports_events_participants_and_winners() -> None:
    content = render_decade_note(_note())
    paragraphs = docx_paragraphs(content)
    assert paragraphs[:4] == [
        FULL_NAME,
        "СПРАВКА",
        "по итогам мероприятий «Декада математики & информатики»",
        "(Предметные декады, 2026/2027 учебный год)",
    ]
    assert "Всего участников: 67." in paragraphs
    assert paragraphs[paragraphs.index("3. Выводы и рекомендации") + 1 :] == [
        "Все мероприятия проведены.",
        "Рекомендовано обобщить опыт.",
        "Справку составила ____________ М. И. Орлова",
        "11 декабря 2026 г.",
    ]
    assert no_fields_left(paragraphs)
    events, winners = tables(content)
    assert events[1:] == [
        [
            "1",
            "1 декабря 2026 г.",
            f"{UNSAFE} (Открытый урок)",
            "5 «А»",
            "Сидорова Г. П.",
            "26",
            "Королёв Ф., Салтыков-Щедрин М. Е.",
        ],
        ["2", "4 декабря 2026 г.", "Олимпиада «Кенгуру» (Олимпиада)", "5–7", "", "41", ""],
    ]
    assert winners == [
        ["№", "Обучающийся", "Класс (группа)", "Результат", "Мероприятие"],
        ["1", "Петров Иван Сергеевич", "7 «А»", "победитель", "Олимпиада «Кенгуру»"],
        ["2", "Ёлкина Алёна Игоревна", "", "призёр", UNSAFE],
    ]


@pytest.mark.parametrize(
    ("author", "signed"),
    [
        (KOROLEV, "Справку составил ____________ Ф. Королёв"),
        (BELYKH, "Справку составил(а) ____________ С. Белых"),  # the rules cannot tell: both ways
        (None, "Справку составил(а) ____________ "),
    ],
)
def test_the_note_is_signed_in_its_authors_gender(author: PersonName | None, signed: str) -> None:
    assert signed in docx_paragraphs(render_decade_note(_note(author=author)))


def test_a_note_without_winners_says_so_instead_of_a_table() -> None:
    content = render_decade_note(_note(winners=[], summary=""))
    paragraphs = docx_paragraphs(content)
    assert "Победителей и призёров нет." in paragraphs
    assert paragraphs[paragraphs.index("3. Выводы и рекомендации") + 1] == "—"
    assert len(tables(content)) == 1


def _decade_order(**changes: object) -> DecadeOrderData:
    data = DecadeOrderData(
        **vars(ORDER),
        decade=MATHS,
        awards=[
            DecadeWinner(PETROV, "7 «А»", "победитель", "Олимпиада «Кенгуру»"),
            DecadeWinner(YOLKINA, None, "призёр", UNSAFE),
        ],
        thanked=[SIDOROVA, KOROLEV, SALTYKOV],
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_the_decades_order_awards_the_winners_and_thanks_the_teachers_in_their_cases() -> None:
    paragraphs = docx_paragraphs(render_decade_order(_decade_order()))
    assert paragraphs[:4] == [
        FULL_NAME,
        "ПРИКАЗ",
        "15 декабря 2026 г.\t№ 112-о",
        "Об итогах мероприятий «Декада математики & информатики»",
    ]
    assert paragraphs[4] == (
        "В соответствии с планом методической работы Гимназии № 2 на 2026/2027 учебный год, по итогам"
        " мероприятий «Декада математики & информатики», проведённых с 1 декабря 2026 г. по 10 декабря 2026 г.,"
    )
    orders = paragraphs[
        paragraphs.index("ПРИКАЗЫВАЮ:") + 1 : paragraphs.index("Директор ____________ А. Н. Петров")
    ]
    assert orders == [
        "1. Принять к сведению справку по итогам мероприятий «Декада математики & информатики».",
        "2. Наградить грамотами победителей и призёров:",
        "2.1. Петрова Ивана Сергеевича (7 «А») — победитель, мероприятие «Олимпиада «Кенгуру»»;",
        f"2.2. Ёлкину Алёну Игоревну — призёр, мероприятие «{UNSAFE}».",
        "3. Объявить благодарность Сидоровой Галине Петровне, Королёву Фёдору, Салтыкову-Щедрину Михаилу"
        " Евграфовичу за подготовку и проведение мероприятий.",
        "4. Рассмотреть итоги мероприятий на заседании методического совета.",
        "5. Контроль за исполнением приказа возложить на заместителя директора по учебно-методической"
        " работе Кузнецову Анну Викторовну.",
    ]
    signing = paragraphs[paragraphs.index("С приказом ознакомлены:") + 1 :]
    assert [p.split(" ____________")[0] for p in signing] == [
        "Сидорова Г. П.",
        "Королёв Ф.",
        "Салтыков-Щедрин М. Е.",
        "Кузнецова А. В.",
    ]
    assert no_fields_left(paragraphs)


def test_the_decades_order_numbers_only_the_points_it_makes() -> None:
    paragraphs = docx_paragraphs(render_decade_order(_decade_order(awards=[], thanked=[], curator=None)))
    orders = paragraphs[
        paragraphs.index("ПРИКАЗЫВАЮ:") + 1 : paragraphs.index("Директор ____________ А. Н. Петров")
    ]
    assert orders == [
        "1. Принять к сведению справку по итогам мероприятий «Декада математики & информатики».",
        "2. Рассмотреть итоги мероприятий на заседании методического совета.",
        "3. Контроль за исполнением приказа оставляю за собой.",
    ]
    assert paragraphs[-1] == "С приказом ознакомлены:"


# --- the methodical council and the creative groups ---------------------------------------------


def test_the_councils_plan_lists_its_members_and_meetings() -> None:
    content = render_council_plan(
        CouncilPlanData(
            **vars(HEADING),
            chair=ORLOVA,
            members=[
                CouncilMember(ORLOVA, "заместитель директора по УМР"),
                CouncilMember(SIDOROVA, "руководитель МО учителей математики"),
                CouncilMember(KOROLEV, None),
            ],
            meetings=[
                CouncilMeeting(
                    date(2026, 8, 28), "Утверждение плана методической работы", ORLOVA, "План утверждён"
                ),
                CouncilMeeting(date(2026, 11, 6), UNSAFE, None, ""),
            ],
            approval=Approval(council_on=date(2026, 8, 28), council_protocol="1"),
        )
    )
    paragraphs = docx_paragraphs(content)
    assert "План работы методического совета на 2026/2027 учебный год" in paragraphs
    assert "протокол от 28 августа 2026 г. № 1" in paragraphs
    assert "приказом от «___» ____________ 20___ г. № ______" in paragraphs
    assert "Председатель: Орлова Мария Ильинична." in paragraphs
    assert paragraphs[-1] == "Председатель методического совета ____________ М. И. Орлова"
    assert no_fields_left(paragraphs)
    members, meetings = tables(content)
    assert members == [
        ["№", "Фамилия, имя, отчество", "Должность"],
        ["1", "Орлова Мария Ильинична", "заместитель директора по УМР"],
        ["2", "Сидорова Галина Петровна", "руководитель МО учителей математики"],
        ["3", "Королёв Фёдор", ""],
    ]
    assert meetings == [
        ["№", "Дата", "Повестка заседания", "Ответственный", "Решения"],
        [
            "1",
            "28 августа 2026 г.",
            "Утверждение плана методической работы",
            "Орлова М. И.",
            "План утверждён",
        ],
        ["2", "6 ноября 2026 г.", UNSAFE, "", ""],
    ]


def test_a_council_without_a_chair_leaves_the_signature_to_write_in() -> None:
    paragraphs = docx_paragraphs(
        render_council_plan(CouncilPlanData(**vars(HEADING), chair=None, members=[], meetings=[]))
    )
    assert not any(p.startswith("Председатель:") for p in paragraphs)
    assert paragraphs[-1] == "Председатель методического совета ____________ "


def test_the_creative_groups_order_names_the_leaders_and_lists_the_groups() -> None:
    content = render_creative_groups_order(
        CreativeGroupsOrderData(
            **vars(ORDER),
            groups=[
                CreativeGroup("«Цифровая школа»", UNSAFE, SIDOROVA, [PETROV, YOLKINA], "Банк заданий"),
                CreativeGroup(
                    "Функциональная грамотность", "Читательская грамотность", SALTYKOV, [SIDOROVA], "Сборник"
                ),
            ],
        )
    )
    paragraphs = docx_paragraphs(content)
    assert "15 декабря 2026 г.\t№ 112-о" in paragraphs
    assert "О создании творческих групп педагогов" in paragraphs
    preamble = next(p for p in paragraphs if p.startswith("В соответствии с"))
    assert preamble.startswith(
        "В соответствии с планом методической работы Гимназии № 2 на 2026/2027 учебный год,"
    )
    orders = paragraphs[
        paragraphs.index("ПРИКАЗЫВАЮ:") + 1 : paragraphs.index("Директор ____________ А. Н. Петров")
    ]
    assert orders[1:4] == [
        "2. Назначить руководителями творческих групп:",
        "2.1. Сидорову Галину Петровну — творческой группы «Цифровая школа»;",
        "2.2. Салтыкова-Щедрина Михаила Евграфовича — творческой группы «Функциональная грамотность».",
    ]
    assert orders[-1].startswith("4. Контроль за исполнением приказа возложить на заместителя директора")
    signing = paragraphs[
        paragraphs.index("С приказом ознакомлены:") + 1 : paragraphs.index(
            "Приложение к приказу от 15 декабря 2026 г. № 112-о"
        )
        - 1
    ]
    # A leader of one group and a member of another signs once.
    assert [p.split(" ____________")[0] for p in signing] == [
        "Сидорова Г. П.",
        "Петров И. С.",
        "Ёлкина А. И.",
        "Салтыков-Щедрин М. Е.",
        "Кузнецова А. В.",
    ]
    assert "Состав творческих групп педагогов на 2026/2027 учебный год" in paragraphs
    assert no_fields_left(paragraphs)
    (groups,) = tables(content)
    assert groups == [
        ["№", "Группа", "Тема", "Руководитель", "Участники", "Планируемый результат"],
        [
            "1",
            "«Цифровая школа»",
            UNSAFE,
            "Сидорова Галина Петровна",
            "Петров Иван Сергеевич, Ёлкина Алёна Игоревна",
            "Банк заданий",
        ],
        [
            "2",
            "«Функциональная грамотность»",
            "Читательская грамотность",
            "Салтыков-Щедрин Михаил Евграфович",
            "Сидорова Галина Петровна",
            "Сборник",
        ],
    ]
