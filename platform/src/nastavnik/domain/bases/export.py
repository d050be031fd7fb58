"""Exporting both bases to Excel, one sheet each, as curators keep them; no cell can start a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from nastavnik.domain.bases.mentor_import import CATEGORY_TITLES
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.models.people import Person, PersonCategory
from nastavnik.spreadsheets import safe_cell


def _fill(sheet: Worksheet, headers: list[str], rows: Iterable[tuple[Person, list[object]]]) -> None:
    """A header row, then each person's full name followed by their cells; dates shown as 01.09.2026."""
    sheet.append(["Фамилия", "Имя", "Отчество", *headers])
    for person, cells in rows:
        names = (person.last_name, person.first_name, person.middle_name or "")
        sheet.append([*(safe_cell(n) for n in names), *cells])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"


def export_bases(
    mentees: list[tuple[Person, MenteeProfile, str | None]],
    mentors: list[tuple[Person, MentorProfile, str | None]],
) -> bytes:
    """Both bases in one workbook, one sheet each; no cell can start a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Наставляемые"
    _fill(
        sheet,
        [
            "Кто",
            "Дата рождения",
            "Класс",
            "Начало педагогической работы",
            "Запросы",
            "Трудности",
            "Согласие законного представителя",
            "Участие",
        ],
        (
            (
                person,
                [
                    "обучающийся" if p.kind == "learner" else "молодой педагог",
                    p.birth_date,
                    safe_cell(p.class_name or ""),
                    p.profession_since,
                    safe_cell(p.requests),
                    safe_cell(p.difficulties),
                    p.guardian_consent_on,
                    reason or "может участвовать",
                ],
            )
            for person, p, reason in mentees
        ),
    )
    _fill(
        book.create_sheet("Наставники"),
        [
            "Категория",
            "Компетенции",
            "Предметы",
            "Стаж",
            "Наставляемых не больше",
            "Статус",
            "Обучение",
            "Письменное согласие",
            "Дата рождения (обучающегося)",
            "Участие",
        ],
        (
            (
                person,
                [
                    # The category beside the birth date, so that the file imports back as it is: the
                    # import keeps a birth date only on a row that says «обучающийся».
                    CATEGORY_TITLES[PersonCategory(person.category)],
                    safe_cell(m.competencies),
                    safe_cell(m.subjects),
                    m.experience_years,
                    m.capacity,
                    "действующий" if m.status == "current" else "резерв",
                    safe_cell(m.training),
                    m.consent_on,
                    m.birth_date,
                    reason or "может быть наставником",
                ],
            )
            for person, m, reason in mentors
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
