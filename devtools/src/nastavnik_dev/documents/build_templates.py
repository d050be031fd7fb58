"""Writes the default document templates: ``python -m nastavnik_dev.documents.build_templates [DIR]``.

The orders of stage 5, and the development plan and the mentor's journal of stage 6.

The .docx files under the product's ``nastavnik/domain/documents/templates/`` are this script's output,
committed there so that the platform does not build them at run time (it reads them as package data)
and so that a region can open one in Word, adapt it and upload it as its own. Run it again after
changing the wording here; the output is byte-for-byte reproducible (fixed archive timestamps and
document properties), so an unchanged script gives no diff.

Fields use the filters of ``nastavnik.domain.documents.docx``: ``acc``/``gen``/… for full names in a case,
``names("genitive")`` for a comma-joined list, ``initials``, ``short``, ``date_ru``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

# The product's package data, where the product reads them (an editable install: the source tree).
TEMPLATES_DIR = Path(str(files("nastavnik.domain.documents") / "templates"))
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

PREAMBLE = (
    "В соответствии с распоряжением Министерства просвещения Российской Федерации"
    " от 25.12.2019 № Р-145 «Об утверждении методологии (целевой модели) наставничества"
    " обучающихся для организаций, осуществляющих образовательную деятельность"
    " по общеобразовательным, дополнительным общеобразовательным и программам среднего"
    " профессионального образования, в том числе с применением лучших практик обмена опытом"
    " между обучающимися», методическими рекомендациями по разработке и внедрению системы"
    " (целевой модели) наставничества педагогических работников в образовательных организациях"
    " (письмо Министерства просвещения Российской Федерации от 21.12.2021 № АЗ-1128/08)"
    " и Положением о наставничестве {{ organisation_short_name }}"
)
CONTROL_BY_CURATOR = (
    "Контроль за исполнением приказа возложить на"
    " {% if curator_position %}{{ curator_position }} {% endif %}{{ curator|acc }}."
)
CONTROL_BY_DIRECTOR = "Контроль за исполнением приказа оставляю за собой."
TERM = "{{ g.starts_on|date_ru }} – {{ g.ends_on|date_ru }}"
ISSUED = "{{ issued_on|date_ru }}"
MENTEES_NOTE = "{% if g.mentee_note %} ({{ g.mentee_note }}){% endif %}"


def _new_document(title: str) -> Document:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    # GOST R 7.0.97-2016 margins: a wide left one for binding the orders book.
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)

    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    run_properties = normal.element.get_or_add_rPr()
    fonts = run_properties.find(qn("w:rFonts"))
    if fonts is not None:  # Cyrillic may be set in the complex-script slot by some editors
        fonts.set(qn("w:cs"), "Times New Roman")
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")  # Word's spelling check in Russian
    run_properties.append(language)

    properties = document.core_properties
    properties.title = title
    properties.author = "Наставник"
    properties.last_modified_by = "Наставник"
    properties.language = "ru-RU"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    return document


def _paragraph(
    document: Document,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    indent: bool = False,
    space_before: int = 0,
    space_after: int = 0,
) -> Paragraph:
    # Each paragraph is a single run, so no {{ field }} is ever split across runs.
    paragraph = document.add_paragraph()
    if text:
        paragraph.add_run(text).bold = bold
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.25)
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _item(document: Document, text: str) -> Paragraph:
    return _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)


def _heading(document: Document, subject: str, preamble: str = PREAMBLE + ",", issued: str = ISSUED) -> None:
    """The order's head; ``issued``: how its date is written."""
    _paragraph(document, "{{ organisation_full_name }}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, "ПРИКАЗ", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18)
    dated = _paragraph(document, f"{issued}\t№ {{{{ number }}}}", space_before=12)
    dated.paragraph_format.tab_stops.add_tab_stop(Cm(16.5), WD_TAB_ALIGNMENT.RIGHT)
    _paragraph(document, subject, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18)
    _paragraph(document, preamble, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, space_before=18)
    _paragraph(document, "ПРИКАЗЫВАЮ:", bold=True, space_before=6, space_after=6)


def _control(document: Document, number: str) -> None:
    # A curator named in the data carries the control; otherwise the director keeps it.
    _paragraph(document, "{%p if curator %}")
    _item(document, f"{number}. {CONTROL_BY_CURATOR}")
    _paragraph(document, "{%p else %}")
    _item(document, f"{number}. {CONTROL_BY_DIRECTOR}")
    _paragraph(document, "{%p endif %}")


def _signatures(document: Document, head: str = "Директор") -> None:
    """The head's signature (``head``: how the organisation's head signs) and the acquaintance list."""
    _paragraph(document, f"{head} ____________ {{{{ director|initials }}}}", space_before=36)
    _paragraph(document, "С приказом ознакомлены:", space_before=24, space_after=6)
    _paragraph(document, "{%p for person in acquainted %}")
    _paragraph(document, "{{ person|short }} ____________ «___» ____________ 20___ г.", space_after=6)
    _paragraph(document, "{%p endfor %}")


def build_mentor_assignment() -> Document:
    document = _new_document("Приказ о назначении наставников")
    _heading(document, "О назначении наставников")
    _paragraph(document, "{%p for g in groups %}")
    _item(
        document,
        "{{ loop.index }}. Назначить наставником {{ g.mentor|acc }}"
        "{% if g.mentor_position %}, {{ g.mentor_position }},{% endif %}"
        ' для {{ g.mentees|names("genitive") }}' + MENTEES_NOTE + " на срок"
        " с {{ g.starts_on|date_ru }} по {{ g.ends_on|date_ru }}.",
    )
    _paragraph(document, "{%p endfor %}")
    _item(
        document,
        "{{ groups|length + 1 }}. Наставникам совместно с наставляемыми разработать индивидуальные"
        " планы развития и осуществлять наставническую деятельность в соответствии с Положением"
        " о наставничестве.",
    )
    _control(document, "{{ groups|length + 2 }}")
    _signatures(document)
    return document


def _repeat_as_header(table: Table) -> None:
    # The header row repeats on every page of a long list.
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


def _loop_table(
    document: Document,
    headers: Sequence[str],
    widths: Sequence[Length],
    cells: Sequence[str],
    loop: str,
    *,
    footer: Sequence[str] | None = None,
    size: int = 12,
    bold_header: bool = False,
) -> None:
    """A table with a header row, one row per element of ``loop`` («g in groups») and an optional
    closing row, in ``size`` points. With ``bold_header`` the header is bold and centred, and so is the
    closing row; without it (the orders, the plan and the journal as committed) every row is plain."""
    blank = ("",) * (len(headers) - 1)
    # docxtpl's {%tr %} rows vanish on rendering: header, loop start, the repeated row, loop end, footer.
    rows: list[Sequence[str]] = [
        headers,
        (f"{{%tr for {loop} %}}", *blank),
        cells,
        ("{%tr endfor %}", *blank),
    ]
    if footer is not None:
        rows.append(footer)
    table = document.add_table(rows=len(rows), cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for number, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
        emphasised = bold_header and (number == 0 or (footer is not None and number == len(rows) - 1))
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(size)
            run.bold = emphasised
            if bold_header and number == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_as_header(table)


def _appendix(document: Document, title: str, issued: str = ISSUED) -> None:
    """A new page: the appendix's approval block top right, then its centred ``title``."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    appendix = _paragraph(document, f"Приложение к приказу от {issued} № {{{{ number }}}}")
    appendix.paragraph_format.left_indent = Cm(9.5)
    _paragraph(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18, space_after=12)


def _pairs_table(document: Document, mentees: str = "Наставляемые") -> None:
    headers = ("№", "Наставник", mentees, "Форма наставничества", "Вид", "Срок")
    widths = (Cm(1), Cm(3.5), Cm(4), Cm(3), Cm(2.3), Cm(2.7))
    cells = (
        "{{ loop.index }}",
        "{{ g.mentor|nom }}",
        "{{ g.mentees|names }}" + MENTEES_NOTE,
        "{{ g.form_title }}",
        "{{ g.kind_title }}",
        TERM,
    )
    _loop_table(document, headers, widths, cells, "g in groups")


def build_pairs_formation() -> Document:
    document = _new_document("Приказ о формировании наставнических пар (групп)")
    _heading(document, "О формировании наставнических пар (групп)")
    _item(
        document,
        "1. Утвердить состав наставнических пар (групп) на {{ academic_year_title }} учебный год"
        " (приложение).",
    )
    _item(
        document,
        "2. Наставникам совместно с наставляемыми разработать индивидуальные планы развития"
        " и приступить к их реализации в сроки, указанные в приложении.",
    )
    _control(document, "3")
    _signatures(document)
    _appendix(document, "Состав наставнических пар (групп) на {{ academic_year_title }} учебный год")
    _pairs_table(document)
    return document


def _title_block(document: Document, title: str) -> None:
    _paragraph(document, "{{ organisation_full_name }}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18)
    _paragraph(
        document, "на {{ academic_year_title }} учебный год", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12
    )


def _group_lines(document: Document) -> None:
    _paragraph(document, "Форма наставничества: {{ form_title }}")
    _paragraph(document, "Вид наставничества: {{ kind_title }}")
    _paragraph(
        document,
        "Срок наставничества: {{ starts_on|date_ru }} – {{ ends_on|date_ru }}",
        space_after=12,
    )


def _mentor_signatures(document: Document) -> None:
    _paragraph(document, "{%p for m in mentors %}")
    _paragraph(document, "Наставник ____________ {{ m|initials }}", space_before=24)
    _paragraph(document, "{%p endfor %}")


MENTORS_LINE = "{% if mentors|length > 1 %}Наставники{% else %}Наставник{% endif %}: {{ mentors|names }}"
DONE_MARK = "{% if i.done %}выполнено {{ i.done_on|date_ru }}{% else %}не выполнено{% endif %}"


def build_development_plan() -> Document:
    document = _new_document("Индивидуальный план развития")
    _title_block(document, "ИНДИВИДУАЛЬНЫЙ ПЛАН РАЗВИТИЯ НАСТАВЛЯЕМОГО")
    _paragraph(document, "Наставляемый: {{ mentee|nom }}")
    _paragraph(document, MENTORS_LINE)
    _group_lines(document)
    _loop_table(
        document,
        ("№", "Цель", "Задача", "Срок", "Отметка о выполнении", "Результат"),
        (Cm(1), Cm(3.3), Cm(4), Cm(2.4), Cm(2.6), Cm(3.2)),
        (
            "{{ loop.index }}",
            "{{ i.goal }}",
            "{{ i.task }}",
            "{{ i.due_on|date_ru }}",
            DONE_MARK,
            "{{ i.result }}",
        ),
        "i in items",
    )
    # A no-break space keeps «%» with its number, as Russian typography writes it.
    _paragraph(
        document, "Выполнено задач: {{ done }} из {{ total }} ({{ progress }}\u00a0%)", space_before=12
    )
    _mentor_signatures(document)
    _paragraph(document, "Наставляемый ____________ {{ mentee|initials }}", space_before=24)
    return document


def build_mentor_journal() -> Document:
    document = _new_document("Журнал наставника")
    _title_block(document, "ЖУРНАЛ НАСТАВНИКА")
    _paragraph(document, MENTORS_LINE)
    _paragraph(
        document,
        "{% if mentees|length > 1 %}Наставляемые{% else %}Наставляемый{% endif %}: {{ mentees|names }}",
    )
    _group_lines(document)
    _loop_table(
        document,
        ("№", "Дата", "Тема", "Содержание", "Результат", "Задание"),
        (Cm(1), Cm(2.3), Cm(3.2), Cm(4), Cm(3), Cm(3)),
        (
            "{{ loop.index }}",
            "{{ e.met_on|date_ru }}",
            "{{ e.topic }}",
            "{{ e.content }}",
            "{{ e.result }}",
            "{{ e.assignment }}",
        ),
        "e in entries",
    )
    _mentor_signatures(document)
    return document


BUILDERS: dict[str, Callable[[], Document]] = {
    "mentor_assignment": build_mentor_assignment,
    "pairs_formation": build_pairs_formation,
    "development_plan": build_development_plan,
    "mentor_journal": build_mentor_journal,
}


def _reproducible(data: bytes) -> bytes:
    """The same archive with fixed member timestamps, so a rebuild gives identical bytes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return output.getvalue()


Builders = Mapping[str, Callable[[], Document]]


def build(code: str, builders: Builders | None = None) -> bytes:
    """The .docx of the template ``code`` of ``builders`` (by default these), reproducible byte for byte."""
    buffer = io.BytesIO()
    (BUILDERS if builders is None else builders)[code]().save(buffer)
    return _reproducible(buffer.getvalue())


def main(
    argv: list[str] | None = None, builders: Builders | None = None, folder: Path = TEMPLATES_DIR
) -> None:
    """Write each template of ``builders`` (by default these) as ``<code>.docx`` to the folder the command
    line names, or else to ``folder``."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else folder
    target.mkdir(parents=True, exist_ok=True)
    for code in BUILDERS if builders is None else builders:
        path = target / f"{code}.docx"
        path.write_bytes(build(code, builders))
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
