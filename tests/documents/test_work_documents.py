"""The development plan and the mentor's journal rendered to .docx and read back with python-docx."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.work import (
    JOURNAL_TEMPLATE,
    PLAN_TEMPLATE,
    JournalData,
    JournalLine,
    PlanData,
    PlanLine,
    Progress,
    default_template,
    render_journal,
    render_plan,
)
from nastavnik_dev.documents import build_templates

MENTORS = [PersonName("Сидорова", "Галина", "Петровна"), PersonName("Королёв", "Фёдор", None)]


@pytest.mark.parametrize("name", [PLAN_TEMPLATE, JOURNAL_TEMPLATE])
def test_committed_templates_are_the_scripts_output(name: str) -> None:
    assert default_template(name) == build_templates.build(name), (
        "run python -m nastavnik_dev.documents.build_templates"
    )


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 0, 0), (0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (1, 200, 1), (4, 4, 100)],
)
def test_progress_rounds_half_up(done: int, total: int, percent: int) -> None:
    assert Progress(done, total).percent == percent


def test_a_plan_with_several_mentors_and_unsafe_text() -> None:
    data = PlanData(
        organisation_full_name="МБОУ «СШ № 1»",
        academic_year_title="2026/2027",
        mentee=PersonName("Ёлкина", "Алёна", "Игоревна"),
        mentors=MENTORS,
        form_title="Учитель – учитель",
        kind_title="Групповое",
        starts_on=date(2026, 9, 15),
        ends_on=date(2027, 5, 31),
        items=[
            PlanLine(
                "Цель <1> & «2»", "Задача\x0cс разрывом", date(2026, 12, 1), True, date(2026, 11, 20), ""
            ),
            PlanLine("Вторая", "Ещё", date(2027, 3, 1), False, None, "—"),
            PlanLine("Третья", "Ещё", date(2027, 4, 1), False, None, ""),
        ],
    )
    document = docx.Document(io.BytesIO(render_plan(data)))
    text = [p.text for p in document.paragraphs]
    assert "Наставники: Сидорова Галина Петровна, Королёв Фёдор" in text
    assert "Выполнено задач: 1 из 3 (33\u00a0%)" in text
    assert "Наставник ____________ Г. П. Сидорова" in text
    assert "Наставник ____________ Ф. Королёв" in text
    (table,) = document.tables
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "Цель <1> & «2»",
        "Задачас разрывом",  # a form feed would be a page break: user text cannot insert one
        "01.12.2026",
        "выполнено 20.11.2026",
        "",
    ]
    assert len(table.rows) == 4


def test_an_empty_journal_keeps_its_header() -> None:
    data = JournalData(
        organisation_full_name="МБОУ «СШ № 1»",
        academic_year_title="2026/2027",
        mentors=MENTORS[:1],
        mentees=[PersonName("Петров", "Иван", "Сергеевич"), PersonName("Черных", "Олег", "Ильич")],
        form_title="Учитель – учитель",
        kind_title="Групповое",
        starts_on=date(2026, 9, 15),
        ends_on=date(2027, 5, 31),
        entries=[],
    )
    document = docx.Document(io.BytesIO(render_journal(data)))
    text = [p.text for p in document.paragraphs]
    assert "Наставляемые: Петров Иван Сергеевич, Черных Олег Ильич" in text
    assert "Наставник: Сидорова Галина Петровна" in text
    (table,) = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["№", "Дата", "Тема", "Содержание", "Результат", "Задание"]
    ]
    data = JournalData(**{**data.__dict__, "entries": [JournalLine(date(2026, 10, 1), "Тема", "", "", "")]})
    (table,) = docx.Document(io.BytesIO(render_journal(data))).tables
    assert [c.text for c in table.rows[1].cells] == ["1", "01.10.2026", "Тема", "", "", ""]
