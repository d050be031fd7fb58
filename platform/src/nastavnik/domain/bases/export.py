"""Exporting both bases to Excel, one sheet each, as curators keep them; no cell can start a formula."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.models.people import Person
from nastavnik.spreadsheets import safe_cell


def export_bases(
    mentees: list[tuple[Person, MenteeProfile, str | None]],
    mentors: list[tuple[Person, MentorProfile, str | None]],
) -> bytes:
    """Both bases in one workbook, one sheet each; no cell can start a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Наставляемые"
    sheet.append(
        [
            "Фамилия",
            "Имя",
            "Отчество",
            "Кто",
            "Дата рождения",
            "Класс",
            "Начало педагогической работы",
            "Запросы",
            "Трудности",
            "Согласие законного представителя",
            "Участие",
        ]
    )
    for person, p, reason in mentees:
        sheet.append(
            [
                safe_cell(person.last_name),
                safe_cell(person.first_name),
                safe_cell(person.middle_name or ""),
                "обучающийся" if p.kind == "learner" else "молодой педагог",
                p.birth_date,
                safe_cell(p.class_name or ""),
                p.profession_since,
                safe_cell(p.requests),
                safe_cell(p.difficulties),
                p.guardian_consent_on,
                reason or "может участвовать",
            ]
        )
    mentor_sheet = book.create_sheet("Наставники")
    mentor_sheet.append(
        [
            "Фамилия",
            "Имя",
            "Отчество",
            "Компетенции",
            "Предметы",
            "Стаж",
            "Наставляемых не больше",
            "Статус",
            "Обучение",
            "Письменное согласие",
            "Участие",
        ]
    )
    for person, m, reason in mentors:
        mentor_sheet.append(
            [
                safe_cell(person.last_name),
                safe_cell(person.first_name),
                safe_cell(person.middle_name or ""),
                safe_cell(m.competencies),
                safe_cell(m.subjects),
                m.experience_years,
                m.capacity,
                "действующий" if m.status == "current" else "резерв",
                safe_cell(m.training),
                m.consent_on,
                reason or "может быть наставником",
            ]
        )
    for ws in (sheet, mentor_sheet):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
