"""Writes the roadmap's default template: ``python -m nastavnik_dev.documents.build_roadmap_template [DIR]``.

«Дорожная карта внедрения целевой модели наставничества» (the data: ``nastavnik.domain.documents.roadmap``).
Like the other templates (``build_templates``, whose page setup and helpers this reuses), the .docx under
the product's ``nastavnik/domain/documents/templates/`` is this script's committed, byte-for-byte
reproducible output: run it again after changing the wording here.

The roadmap is an appendix to the organisation's Программа наставничества, so its block top right names
the order approving that programme (blank lines to write in by hand where it is not recorded). A table
per stage of the target model: the stage's lines numbered «1.1», «1.2», dates as 01.09.2026.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from nastavnik_dev.documents.build_templates import _loop_table, _new_document, _paragraph, main

CENTER = WD_ALIGN_PARAGRAPH.CENTER
ORDER_ON = "{% if order_on %}{{ order_on|date_ru }}{% else %}«___» ____________ 20___ г.{% endif %}"
ORDER_NUMBER = "{% if order_number %}{{ order_number }}{% else %}______{% endif %}"
DONE = "{% if i.done %}выполнено{% else %}—{% endif %}"


def build_roadmap() -> Document:
    document = _new_document("Дорожная карта внедрения целевой модели наставничества")
    _paragraph(document, "{{ organisation_full_name }}", align=CENTER, bold=True)
    for text in (
        "Приложение к Программе наставничества,",
        f"утверждённой приказом от {ORDER_ON} № {ORDER_NUMBER}",
    ):
        _paragraph(document, text, space_before=6).paragraph_format.left_indent = Cm(9.5)
    _paragraph(document, "ДОРОЖНАЯ КАРТА", align=CENTER, bold=True, space_before=24)
    _paragraph(document, "внедрения целевой модели наставничества", align=CENTER, bold=True)
    _paragraph(document, "на {{ academic_year_title }} учебный год", align=CENTER)
    _paragraph(document, "({{ regime_title }})", align=CENTER, space_after=6)
    _paragraph(document, "{%p for s in stages %}")
    _paragraph(document, "Этап {{ s.number }}. {{ s.title }}", bold=True, space_before=12, space_after=6)
    _loop_table(
        document,
        ("№", "Мероприятие", "Срок", "Ответственный", "Результат / вид документа", "Отметка о выполнении"),
        (Cm(1.1), Cm(5), Cm(2.4), Cm(2.8), Cm(3.2), Cm(2)),
        (
            "{{ s.number }}.{{ loop.index }}",
            "{{ i.title }}",
            "{{ i.due_on|date_ru }}",
            "{{ i.responsible }}",
            "{{ i.result }}",
            DONE,
        ),
        "i in s.lines",
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "Куратор ____________ / ____________________ /", space_before=36)
    return document


BUILDERS: dict[str, Callable[[], Document]] = {"roadmap": build_roadmap}


if __name__ == "__main__":
    main(builders=BUILDERS)
