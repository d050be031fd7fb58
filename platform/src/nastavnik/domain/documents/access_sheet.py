"""The access sheet «Доступ к платформе «Наставник»» a curator prints and hands out, one page a person.

Built with python-docx straight from the data: there is nothing in it a region would reword, and a
template would only be one more place a password could be cached.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from nastavnik import clock

TITLE = "Доступ к платформе «Наставник»"
INSTRUCTIONS = (
    "Откройте адрес для входа в браузере на компьютере или телефоне.",
    "Введите логин и одноразовый пароль — так, как они напечатаны здесь, с учётом больших и малых букв.",
    "При первом входе система попросит придумать новый пароль: одноразовый пароль действует только"
    " один раз, его обязательно нужно сменить.",
    "Новый пароль никому не сообщайте. Если вы его забыли, обратитесь к куратору наставничества.",
)


@dataclass(frozen=True)
class SheetEntry:
    full_name: str
    username: str
    password: str


def _document() -> Document:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    run_properties = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    run_properties.append(language)
    properties = document.core_properties
    properties.title = TITLE
    properties.author = properties.last_modified_by = "Наставник"
    properties.language = "ru-RU"
    properties.created = properties.modified = clock.now()
    return document


def _field(document: Document, label: str, value: str, *, monospace: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.add_run(f"{label}: ")
    run = paragraph.add_run(value)
    run.bold = True
    if monospace:  # logins and passwords: every character distinct, nothing for Word to autocorrect
        run.font.name = "Courier New"
        run.font.size = Pt(16)


def _person(document: Document, organisation: str, sign_in_url: str, entry: SheetEntry) -> None:
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_after = Pt(6)
    title = heading.add_run(TITLE)
    title.bold = True
    title.font.size = Pt(16)
    place = document.add_paragraph(organisation)
    place.alignment = WD_ALIGN_PARAGRAPH.CENTER
    place.paragraph_format.space_after = Pt(18)
    _field(document, "Кому", entry.full_name)
    _field(document, "Адрес для входа", sign_in_url, monospace=True)
    _field(document, "Логин", entry.username, monospace=True)
    _field(document, "Одноразовый пароль", entry.password, monospace=True)
    how = document.add_paragraph()
    how.paragraph_format.space_before = Pt(12)
    how.add_run("Как войти").bold = True
    for number, text in enumerate(INSTRUCTIONS, start=1):
        step = document.add_paragraph(f"{number}. {text}")
        step.paragraph_format.space_after = Pt(4)
        step.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def build_access_sheet(organisation: str, sign_in_url: str, entries: list[SheetEntry]) -> bytes:
    """One block per person, a page break between them."""
    document = _document()
    for index, entry in enumerate(entries):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _person(document, organisation, sign_in_url, entry)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
