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

from collections.abc import Callable
from pathlib import Path

from docx.document import Document

from nastavnik_dev.documents.build_templates import (
    _appendix,
    _control,
    _heading,
    _item,
    _new_document,
    _pairs_table,
    _signatures,
    main,
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


def build_pairs_formation() -> Document:
    document = _new_document("Приказ о формировании наставнических пар (групп) педагогических работников")
    _heading(document, SUBJECT, PREAMBLE)
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
    # The head of a kindergarten signs as «Заведующий», not as a school's «Директор».
    _signatures(document, "Заведующий")
    _appendix(document, COMPOSITION)
    _pairs_table(document, "Наставляемые педагоги")
    return document


BUILDERS: dict[str, Callable[[], Document]] = {"pairs_formation": build_pairs_formation}


if __name__ == "__main__":
    main(builders=BUILDERS, folder=OUTPUT_DIR)
