"""Writes the kindergartens plugin's document templates.

Run ``uv run python plugins/kindergartens/scripts/build_templates.py [DIR]`` from the repository.

«Приказ о формировании наставнических пар (групп)» worded for a preschool organisation (ДОО): it
forms pairs of pedagogical workers only (a kindergarten runs only the teachers' regime, so the
learners' order Р-145 is not cited), follows the 2021 recommendations for teachers and the Labour
Code's article on mentoring, and is signed by the head of a kindergarten («Заведующий»).

Like the core's templates' builder (``nastavnik_dev.documents.build_templates`` in the development
distribution nastavnik-dev), whose page setup and helpers it reuses, the .docx under
``src/nastavnik_kindergartens/documents/`` is this script's committed, byte-for-byte reproducible
output: run it again after changing the wording here. The script is a build tool and lives outside
the plugin's package: the plugin itself only reads the committed file and imports nothing but the
public ``nastavnik`` API.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.shared import Cm

from nastavnik_dev.documents.build_templates import (
    MENTEES_NOTE,
    TERM,
    _control,
    _item,
    _loop_table,
    _new_document,
    _paragraph,
    _reproducible,
)

OUTPUT_DIR = Path(__file__).resolve().parents[1] / "src" / "nastavnik_kindergartens" / "documents"

PREAMBLE = (
    "В соответствии со статьёй 351.8 Трудового кодекса Российской Федерации, методическими"
    " рекомендациями по разработке и внедрению системы (целевой модели) наставничества педагогических"
    " работников в образовательных организациях (письмо Министерства просвещения Российской Федерации"
    " от 21.12.2021 № АЗ-1128/08), Положением о наставничестве педагогических работников"
    " {{ organisation_short_name }}, в целях профессиональной адаптации молодых воспитателей"
    " и педагогических работников, впервые приступивших к работе в дошкольной образовательной организации,"
)
SUBJECT = "О формировании наставнических пар (групп) педагогических работников"
COMPOSITION = (
    "Состав наставнических пар (групп) педагогических работников на {{ academic_year_title }} учебный год"
)


def _heading(document: Document) -> None:
    _paragraph(document, "{{ organisation_full_name }}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, "ПРИКАЗ", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18)
    dated = _paragraph(document, "{{ issued_on|date_ru }}\t№ {{ number }}", space_before=12)
    dated.paragraph_format.tab_stops.add_tab_stop(Cm(16.5), WD_TAB_ALIGNMENT.RIGHT)
    _paragraph(document, SUBJECT, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18)
    _paragraph(document, PREAMBLE, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, space_before=18)
    _paragraph(document, "ПРИКАЗЫВАЮ:", bold=True, space_before=6, space_after=6)


def _signatures(document: Document) -> None:
    # The head of a kindergarten signs as «Заведующий», not as a school's «Директор».
    _paragraph(document, "Заведующий ____________ {{ director|initials }}", space_before=36)
    _paragraph(document, "С приказом ознакомлены:", space_before=24, space_after=6)
    _paragraph(document, "{%p for person in acquainted %}")
    _paragraph(document, "{{ person|short }} ____________ «___» ____________ 20___ г.", space_after=6)
    _paragraph(document, "{%p endfor %}")


def build_pairs_formation() -> Document:
    document = _new_document("Приказ о формировании наставнических пар (групп) педагогических работников")
    _heading(document)
    _item(
        document,
        "1. Утвердить состав наставнических пар (групп) педагогических работников"
        " на {{ academic_year_title }} учебный год (приложение).",
    )
    _item(
        document,
        "2. Наставникам совместно с наставляемыми педагогами разработать индивидуальные планы развития"
        " и приступить к их реализации в сроки, указанные в приложении.",
    )
    _item(
        document,
        "3. Наставникам вести журнал наставника и по окончании срока наставничества представить куратору"
        " отчёт о работе пары (группы).",
    )
    _control(document, "4")
    _signatures(document)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    appendix = _paragraph(document, "Приложение к приказу от {{ issued_on|date_ru }} № {{ number }}")
    appendix.paragraph_format.left_indent = Cm(9.5)
    _paragraph(
        document, COMPOSITION, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, space_before=18, space_after=12
    )
    _loop_table(
        document,
        ("№", "Наставник", "Наставляемые педагоги", "Форма наставничества", "Вид", "Срок"),
        (Cm(1), Cm(3.5), Cm(4), Cm(3), Cm(2.3), Cm(2.7)),
        (
            "{{ loop.index }}",
            "{{ g.mentor|nom }}",
            "{{ g.mentees|names }}" + MENTEES_NOTE,
            "{{ g.form_title }}",
            "{{ g.kind_title }}",
            TERM,
        ),
        "g in groups",
    )
    return document


BUILDERS: dict[str, Callable[[], Document]] = {"pairs_formation": build_pairs_formation}


def build(code: str) -> bytes:
    buffer = io.BytesIO()
    BUILDERS[code]().save(buffer)
    return _reproducible(buffer.getvalue())


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    for code in BUILDERS:
        path = target / f"{code}.docx"
        path.write_bytes(build(code))
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
