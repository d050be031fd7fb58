"""Writes the stage 4 template: ``python -m nastavnik_dev.documents.build_training_templates [DIR]``.

«Свидетельство наставника»: the organisation's heading, the mentor's name in the dative, the courses with
their hours and dates, the total, and the signature lines. Like the other templates (``build_templates``,
whose page setup and helpers this reuses), the committed .docx under the product's
``nastavnik/domain/documents/templates/`` is this script's byte-for-byte reproducible output.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from nastavnik_dev.documents.build_templates import _item, _loop_table, _new_document, _paragraph, main

DATES = "{{ t.started_on|date_ru }} – {{ t.finished_on|date_ru }}"


def build_mentor_certificate() -> Document:
    document = _new_document("Свидетельство наставника")
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "{{ organisation_full_name }}", align=center, bold=True)
    title = _paragraph(document, "СВИДЕТЕЛЬСТВО НАСТАВНИКА", align=center, bold=True, space_before=36)
    for run in title.runs:
        run.font.size = Pt(20)
    _item(
        document,
        "Настоящее свидетельство выдано {{ mentor|dat }}, наставнику {{ organisation_short_name }},"
        " в том, что {{ pronoun }} {{ passed }} обучение по программам подготовки наставников.",
    )
    _paragraph(document, "{%p if trainings %}")
    _paragraph(document, "Пройденное обучение:", space_before=6, space_after=6)
    _loop_table(
        document,
        ("№", "Программа (курс)", "Организация", "Часов", "Сроки", "Документ"),
        (Cm(0.8), Cm(4.6), Cm(3.8), Cm(1.5), Cm(3.2), Cm(2.6)),
        (
            "{{ loop.index }}",
            "{{ t.course }}",
            "{{ t.provider }}",
            "{{ t.hours }}",
            DATES,
            "{% if t.certificate_no %}№ {{ t.certificate_no }}{% endif %}",
        ),
        "t in trainings",
        footer=("", "Всего часов", "", "{{ hours }}", "", ""),
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p else %}")
    _item(document, "Сведений о пройденном обучении нет.")
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "Директор ____________ {{ director|initials }}", space_before=48)
    _paragraph(
        document, "Куратор программы наставничества ____________ {{ curator|initials }}", space_before=18
    )
    _paragraph(document, "М. П.", space_before=18)
    _paragraph(document, "{{ issued_on|date_long }}", space_before=12)
    return document


BUILDERS: dict[str, Callable[[], Document]] = {"mentor_certificate": build_mentor_certificate}


if __name__ == "__main__":
    main(builders=BUILDERS)
