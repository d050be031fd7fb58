"""The two orders rendered to .docx and read back with python-docx, as Word would show them."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest

from nastavnik.domain.documents.docx import MAX_TEMPLATE_BYTES, TemplateBroken, date_long, date_ru, render
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.names import GrammaticalCase, PersonName
from nastavnik.domain.documents.orders import (
    ORDER_TITLES,
    GroupLine,
    OrderData,
    default_template,
    render_order,
)
from nastavnik_dev.documents import build_templates
from tests.support.office import docx_paragraphs, docx_text, docx_with

SEPT_1 = date(2026, 9, 1)
MAY_31 = date(2027, 5, 31)


def _groups() -> list[GroupLine]:
    return [
        GroupLine(
            mentor=PersonName("Сидорова", "Галина", "Петровна"),
            mentor_position="учителя математики",
            mentees=[PersonName("Петров", "Иван", "Сергеевич")],
            mentee_note="",
            form_title="Учитель — учитель",
            kind_title="Индивидуальная",
            starts_on=SEPT_1,
            ends_on=MAY_31,
        ),
        GroupLine(
            mentor=PersonName("Салтыков-Щедрин", "Михаил", "Евграфович"),
            mentor_position="учителя истории",
            mentees=[PersonName("Ковальчук", "Мария", "Ивановна"), PersonName("Черных", "Олег", "Ильич")],
            mentee_note="молодые специалисты",
            form_title="Учитель — учитель",
            kind_title="Групповая",
            starts_on=SEPT_1,
            ends_on=date(2026, 12, 25),
        ),
        GroupLine(
            mentor=PersonName("Королёв", "Фёдор", None),
            mentor_position="учителя физики",
            mentees=[PersonName("Ёлкина", "Алёна", "Игоревна")],
            mentee_note="",
            form_title="Ученик — ученик",
            kind_title="Индивидуальная",
            starts_on=date(2026, 10, 1),
            ends_on=MAY_31,
        ),
    ]


def _order(kind: OrderKind, **changes: object) -> OrderData:
    data = OrderData(
        kind=kind,
        number="45-о",
        issued_on=SEPT_1,
        organisation_full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
        organisation_short_name="МБОУ «СШ № 1»",
        academic_year_title="2026/2027",
        director=PersonName("Иванов", "Пётр", "Ильич"),
        curator=PersonName("Кузнецова", "Анна", "Викторовна"),
        curator_position="заместителя директора по учебно-воспитательной работе",
        groups=_groups(),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


# --- the mentor assignment order ------------------------------------------------------------


def test_mentor_assignment_reads_as_an_order() -> None:
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.MENTOR_ASSIGNMENT)))
    assert paragraphs[0] == "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»"
    assert "ПРИКАЗ" in paragraphs
    assert "01.09.2026\t№ 45-о" in paragraphs
    assert "О назначении наставников" in paragraphs
    assert "ПРИКАЗЫВАЮ:" in paragraphs
    preamble = next(p for p in paragraphs if p.startswith("В соответствии с"))
    assert "от 25.12.2019 № Р-145" in preamble
    assert "от 21.12.2021 № АЗ-1128/08" in preamble
    assert preamble.endswith("и Положением о наставничестве МБОУ «СШ № 1»,")
    assert (
        "1. Назначить наставником Сидорову Галину Петровну, учителя математики, для Петрова Ивана"
        " Сергеевича на срок с 01.09.2026 по 31.05.2027." in paragraphs
    )
    assert (
        "2. Назначить наставником Салтыкова-Щедрина Михаила Евграфовича, учителя истории,"
        " для Ковальчук Марии Ивановны, Черных Олега Ильича (молодые специалисты)"
        " на срок с 01.09.2026 по 25.12.2026." in paragraphs
    )
    assert (
        "3. Назначить наставником Королёва Фёдора, учителя физики, для Ёлкиной Алёны Игоревны"
        " на срок с 01.10.2026 по 31.05.2027." in paragraphs
    )
    assert any(p.startswith("4. Наставникам совместно с наставляемыми") for p in paragraphs)
    assert (
        "5. Контроль за исполнением приказа возложить на заместителя директора по учебно-воспитательной"
        " работе Кузнецову Анну Викторовну." in paragraphs
    )
    assert "Директор ____________ П. И. Иванов" in paragraphs
    signing = paragraphs[paragraphs.index("С приказом ознакомлены:") + 1 :]
    assert [p.split(" ____________")[0] for p in signing] == [
        "Сидорова Г. П.",
        "Салтыков-Щедрин М. Е.",
        "Королёв Ф.",
        "Кузнецова А. В.",
    ]
    # docxtpl's control paragraphs leave nothing behind
    assert not any("{%" in p or "{{" in p for p in paragraphs)


def test_without_a_curator_the_director_keeps_control() -> None:
    paragraphs = docx_paragraphs(
        render_order(_order(OrderKind.MENTOR_ASSIGNMENT, curator=None, director=None))
    )
    assert "5. Контроль за исполнением приказа оставляю за собой." in paragraphs
    assert not any("возложить" in p for p in paragraphs)
    assert "Директор ____________ " in paragraphs


def test_an_unknown_position_is_left_out() -> None:
    groups = [replace(group, mentor_position="") for group in _groups()]
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.MENTOR_ASSIGNMENT, groups=groups)))
    assert (
        "1. Назначить наставником Сидорову Галину Петровну для Петрова Ивана Сергеевича"
        " на срок с 01.09.2026 по 31.05.2027." in paragraphs
    )


def test_a_mentor_of_two_groups_signs_once() -> None:
    groups = _groups()
    groups[2] = replace(groups[2], mentor=PersonName("Сидорова", "Галина", "Петровна"))
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.MENTOR_ASSIGNMENT, groups=groups)))
    assert sum(p.startswith("Сидорова Г. П. ____") for p in paragraphs) == 1
    assert sum(p.startswith("Кузнецова А. В. ____") for p in paragraphs) == 1


# --- the pairs formation order ----------------------------------------------------------------


def test_pairs_formation_lists_the_groups_in_a_table() -> None:
    data = render_order(_order(OrderKind.PAIRS_FORMATION))
    paragraphs = docx_paragraphs(data)
    assert "01.09.2026\t№ 45-о" in paragraphs
    assert "О формировании наставнических пар (групп)" in paragraphs
    assert (
        "1. Утвердить состав наставнических пар (групп) на 2026/2027 учебный год (приложение)." in paragraphs
    )
    assert (
        "3. Контроль за исполнением приказа возложить на заместителя директора по учебно-воспитательной"
        " работе Кузнецову Анну Викторовну." in paragraphs
    )
    assert "Директор ____________ П. И. Иванов" in paragraphs
    assert "Приложение к приказу от 01.09.2026 № 45-о" in paragraphs
    assert "Состав наставнических пар (групп) на 2026/2027 учебный год" in paragraphs

    (table,) = docx.Document(io.BytesIO(data)).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert len(rows) == 3 + 1
    assert rows[0] == ["№", "Наставник", "Наставляемые", "Форма наставничества", "Вид", "Срок"]
    assert rows[1] == [
        "1",
        "Сидорова Галина Петровна",
        "Петров Иван Сергеевич",
        "Учитель — учитель",
        "Индивидуальная",
        "01.09.2026 – 31.05.2027",
    ]
    assert rows[2] == [
        "2",
        "Салтыков-Щедрин Михаил Евграфович",
        "Ковальчук Мария Ивановна, Черных Олег Ильич (молодые специалисты)",
        "Учитель — учитель",
        "Групповая",
        "01.09.2026 – 25.12.2026",
    ]
    assert rows[3] == [
        "3",
        "Королёв Фёдор",
        "Ёлкина Алёна Игоревна",
        "Ученик — ученик",
        "Индивидуальная",
        "01.10.2026 – 31.05.2027",
    ]


def test_pairs_formation_without_groups_has_only_the_header_row() -> None:
    data = render_order(_order(OrderKind.PAIRS_FORMATION, groups=[], curator=None))
    (table,) = docx.Document(io.BytesIO(data)).tables
    assert len(table.rows) == 1
    assert "3. Контроль за исполнением приказа оставляю за собой." in docx_paragraphs(data)


# --- safety of user text ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(OrderKind))
def test_markup_characters_in_user_text_are_shown_literally(kind: OrderKind) -> None:
    mentee = PersonName("Ли<b>", "Анна & Ко", "</w:t>")
    groups = _groups()
    groups[0] = replace(groups[0], mentees=[mentee], form_title="Учитель — учитель <i>&amp;")
    order = _order(
        kind,
        organisation_full_name="Школа «Знание & <Сила>»",
        number="5 & <6>",
        groups=groups,
    )
    text = docx_text(render_order(order))  # python-docx opens it: the XML is intact
    assert "Школа «Знание & <Сила>»" in text
    assert "№ 5 & <6>" in text
    case = GrammaticalCase.GENITIVE if kind is OrderKind.MENTOR_ASSIGNMENT else GrammaticalCase.NOMINATIVE
    assert mentee.full(case).startswith("Ли<b>")
    assert mentee.full(case).endswith("</w:t>")
    assert mentee.full(case) in text
    if kind is OrderKind.PAIRS_FORMATION:
        assert "Учитель — учитель <i>&amp;" in text


def test_forbidden_control_characters_are_dropped() -> None:
    order = _order(OrderKind.MENTOR_ASSIGNMENT, number="45\x00-\x0cо\x07")
    assert "01.09.2026\t№ 45-о" in docx_paragraphs(render_order(order))


# --- templates ------------------------------------------------------------------------------------


def test_a_custom_template_replaces_the_default() -> None:
    template = docx_with(
        "Распоряжение № {{ number }} от {{ issued_on|date_long }}",
        "Вручить {{ groups[0].mentor|dat }}; {{ groups[0].mentor|case('instrumental') }};"
        " {{ director|initials }}; {{ groups[1].mentees|names('dative') }}; {{ title }}",
    )
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.MENTOR_ASSIGNMENT), template))
    assert paragraphs == [
        "Распоряжение № 45-о от 1 сентября 2026 г.",
        "Вручить Сидоровой Галине Петровне; Сидоровой Галиной Петровной; П. И. Иванов;"
        " Ковальчук Марии Ивановне, Черных Олегу Ильичу; Приказ о назначении наставника",
    ]


def test_a_template_can_be_given_as_a_path(tmp_path: Path) -> None:
    path = tmp_path / "order.docx"
    path.write_bytes(docx_with("{{ groups[0].mentor|gen }} {{ groups[0].mentor|pre }}"))
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.PAIRS_FORMATION), path))
    assert paragraphs == ["Сидоровой Галины Петровны Сидоровой Галине Петровне"]


def _broken(template: bytes | Path) -> TemplateBroken:
    with pytest.raises(TemplateBroken) as caught:
        render_order(_order(OrderKind.MENTOR_ASSIGNMENT), template)
    message = caught.value.message
    assert message == str(caught.value)
    assert any("а" <= ch <= "я" for ch in message.lower()), message  # told in Russian
    return caught.value


def test_random_bytes_are_not_a_template() -> None:
    assert "не является документом Word" in _broken(bytes(range(256)) * 10).message


def test_another_zip_is_not_a_template() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "не является документом Word" in _broken(buffer.getvalue()).message


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    assert "не удалось прочитать" in _broken(tmp_path / "absent.docx").message


def test_unclosed_field_is_a_syntax_error() -> None:
    error = _broken(docx_with("Приказ № {{ number }}", "Наставник {{ unclosed"))
    assert "ошибка разметки" in error.message
    assert "unclosed" in error.message  # the fragment shows the author where to look
    assert error.detail is not None


def test_an_unknown_field_is_named() -> None:
    error = _broken(docx_with("{{ groups[0].teacher }}"))
    assert "«teacher»" in error.message
    assert "нет в данных" in error.message


def test_an_unknown_case_is_reported() -> None:
    assert "неизвестный падеж «vocative»" in _broken(docx_with("{{ director|case('vocative') }}")).message


def test_the_sandbox_keeps_python_internals_out() -> None:
    error = _broken(docx_with("{{ number.__class__.__mro__ }}"))
    assert error.message == "Шаблон обращается к недоступным данным."


def test_a_huge_template_is_refused(tmp_path: Path) -> None:
    big = b"PK" + b"\0" * MAX_TEMPLATE_BYTES
    assert "слишком большой" in _broken(big).message
    path = tmp_path / "big.docx"
    path.write_bytes(big)
    assert "слишком большой" in _broken(path).message


def test_a_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (80 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_TEMPLATE_BYTES
    assert "после распаковки" in _broken(buffer.getvalue()).message


def test_the_filters_for_dates() -> None:
    assert date_ru(date(2026, 9, 1)) == "01.09.2026"
    assert date_long(date(2026, 9, 1)) == "1 сентября 2026 г."
    assert date_long(date(2027, 5, 31)) == "31 мая 2027 г."
    assert date_ru(None) == ""


def test_render_takes_any_context() -> None:
    data = render(
        docx_with("{{ who|acc }} {{ when|date_ru }}"), {"who": PersonName("Ильин", "Никита"), "when": MAY_31}
    )
    assert docx_paragraphs(data) == ["Ильина Никиту 31.05.2027"]


# --- the committed default templates --------------------------------------------------------------


@pytest.mark.parametrize("kind", list(OrderKind))
def test_default_templates_are_the_build_scripts_output(kind: OrderKind) -> None:
    committed = default_template(kind)
    assert len(committed) < 100 * 1024
    assert committed == build_templates.build(kind.value), (
        "run python -m nastavnik_dev.documents.build_templates"
    )
    assert docx.Document(io.BytesIO(committed)).core_properties.title.startswith("Приказ")


def test_every_kind_has_a_title() -> None:
    assert ORDER_TITLES == {
        OrderKind.MENTOR_ASSIGNMENT: "Приказ о назначении наставника",
        OrderKind.PAIRS_FORMATION: "Приказ о формировании наставнических пар (групп)",
    }


# --- names as official documents must spell them ---------------------------------------------------


def test_turkic_patronymics_double_surnames_and_yo_in_the_order() -> None:
    groups = [
        replace(
            _groups()[0],
            mentor=PersonName("Алиев", "Руслан", "Эльчин оглы"),
            mentees=[
                PersonName("Гасанова", "Лейла", "Эльчин кызы"),
                PersonName("Иванова-Ковальчук", "Алёна", "Семёновна"),
            ],
        )
    ]
    paragraphs = docx_paragraphs(render_order(_order(OrderKind.MENTOR_ASSIGNMENT, groups=groups)))
    assert (
        "1. Назначить наставником Алиева Руслана Эльчина оглы, учителя математики, для Гасановой Лейлы"
        " Эльчина кызы, Ивановой-Ковальчук Алёны Семёновны на срок с 01.09.2026 по 31.05.2027." in paragraphs
    )
    signing = paragraphs[paragraphs.index("С приказом ознакомлены:") + 1 :]
    assert signing[0].startswith("Алиев Р. Э. ____")

    (table,) = docx.Document(
        io.BytesIO(render_order(_order(OrderKind.PAIRS_FORMATION, groups=groups)))
    ).tables
    assert [cell.text for cell in table.rows[1].cells][1:3] == [
        "Алиев Руслан Эльчин оглы",
        "Гасанова Лейла Эльчин кызы, Иванова-Ковальчук Алёна Семёновна",
    ]


@pytest.mark.parametrize(
    ("short_name", "reads"),
    [
        # an abbreviation leads: the quoted name is an apposition and keeps the nominative
        ("МБОУ «Гимназия № 2»", "Положением о наставничестве МБОУ «Гимназия № 2»,"),
        (
            "МАОУ «Средняя школа № 7 имени А. С. Пушкина»",
            "Положением о наставничестве МАОУ «Средняя школа № 7 имени А. С. Пушкина»,",
        ),
        # a common noun leads: it declines, with its adjectives
        ("Гимназия № 2", "Положением о наставничестве Гимназии № 2,"),
        (
            "Средняя общеобразовательная школа № 1",
            "Положением о наставничестве Средней общеобразовательной школы № 1,",
        ),
        ("Детский сад № 5 «Солнышко»", "Положением о наставничестве Детского сада № 5 «Солнышко»,"),
        ("Кадетская школа-интернат", "Положением о наставничестве Кадетской школы-интерната,"),
        # nothing the rules know: left as the organisation wrote it
        ("«Радуга»", "Положением о наставничестве «Радуга»,"),
        ("Ломоносовская", "Положением о наставничестве Ломоносовская,"),
    ],
)
def test_the_organisation_is_named_in_the_right_case(short_name: str, reads: str) -> None:
    paragraphs = docx_paragraphs(
        render_order(_order(OrderKind.MENTOR_ASSIGNMENT, organisation_short_name=short_name))
    )
    preamble = next(p for p in paragraphs if p.startswith("В соответствии с"))
    assert preamble.endswith(reads), preamble
