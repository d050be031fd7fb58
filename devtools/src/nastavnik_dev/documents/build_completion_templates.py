"""Writes the stage 7 templates: ``python -m nastavnik_dev.documents.build_completion_templates [DIR]``.

«Отчёт о реализации программы наставничества» and «Благодарственное письмо» (a page per mentor).
Like the orders' templates (``build_templates``, whose page setup and helpers this reuses), the
.docx files under the product's ``nastavnik/domain/documents/templates/`` are this script's committed,
byte-for-byte reproducible output: run it again after changing the wording here.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from nastavnik_dev.documents.build_templates import (
    TERM,
    _item,
    _loop_table,
    _new_document,
    _paragraph,
    main,
)

# The optional places other modules fill: absent, None or empty, they leave no trace.
HAS_PLANS = "plan_completion is defined and plan_completion is not none"
HAS_SATISFACTION = "satisfaction is defined and satisfaction"


def _sized(paragraph: Paragraph, size: int) -> Paragraph:
    for run in paragraph.runs:
        run.font.size = Pt(size)
    return paragraph


def _section(document: Document, title: str) -> None:
    _paragraph(document, title, bold=True, space_before=12, space_after=6)


def build_programme_report() -> Document:
    document = _new_document("Отчёт о реализации программы наставничества")
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "{{ organisation_full_name }}", align=center, bold=True)
    _paragraph(document, "ОТЧЁТ", align=center, bold=True, space_before=18)
    _paragraph(
        document,
        "о реализации программы наставничества на {{ academic_year_title }} учебный год",
        align=center,
        bold=True,
    )
    _paragraph(document, "({{ regime_title }})", align=center)
    _paragraph(
        document,
        "Сведения по состоянию на {{ drawn_up_on|date_ru }}"
        "{% if closed %}; учебный год закрыт, программа завершена{% endif %}.",
        align=center,
        space_before=6,
        space_after=6,
    )

    _section(document, "1. Нормативные основания")
    _paragraph(document, "{%p for d in documents %}")
    _item(document, "{{ d.title }}: {{ d.state }}.")
    _paragraph(document, "{%p endfor %}")

    _section(document, "2. Этапы реализации программы")
    _loop_table(
        document,
        ("№", "Этап", "Состояние"),
        (Cm(1), Cm(11.5), Cm(4)),
        ("{{ s.number }}", "{{ s.title }}", "{{ s.state }}"),
        "s in stages",
        size=11,
        bold_header=True,
    )

    _section(document, "3. Участники, наставнические пары и группы")
    _item(document, "Наставников, участвующих в программе: {{ mentors_taking_part }}.")
    _item(document, "Наставляемых, участвующих в программе: {{ mentees_taking_part }}.")
    _item(
        document,
        "Наставляемых, охваченных наставничеством (пара действует или завершена): {{ mentees_covered }}.",
    )
    _item(document, "Пар и групп: {{ groups_total }}.")
    _item(
        document,
        "Доля завершённых пар и групп: "
        "{% if completed_share is not none %}{{ completed_share }} %{% else %}—{% endif %}.",
    )
    _paragraph(document, "{%p if awaiting_order %}")
    _item(document, "Кроме того, сформированы и ждут приказа о формировании: {{ awaiting_order }}.")
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "{%p if by_form %}")
    _paragraph(document, "Пары и группы по формам наставничества и состоянию:", space_before=6, space_after=6)
    _loop_table(
        document,
        ("Форма наставничества", "Действует", "Завершена", "Завершена досрочно", "Всего"),
        (Cm(6.5), Cm(2.5), Cm(2.5), Cm(2.5), Cm(2.5)),
        ("{{ f.form_title }}", "{{ f.active }}", "{{ f.completed }}", "{{ f.ended_early }}", "{{ f.total }}"),
        "f in by_form",
        footer=(
            "Итого",
            "{{ totals.active }}",
            "{{ totals.completed }}",
            "{{ totals.ended_early }}",
            "{{ totals.total }}",
        ),
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p endif %}")

    _section(document, "4. Состав наставнических пар и групп")
    _paragraph(document, "{%p if pairs %}")
    _loop_table(
        document,
        ("№", "Наставник", "Наставляемые", "Форма", "Срок", "Состояние", "Итоги / причина завершения"),
        (Cm(0.8), Cm(2.8), Cm(2.8), Cm(2.4), Cm(2.3), Cm(2.1), Cm(3.3)),
        (
            "{{ loop.index }}",
            "{{ g.mentors|names }}",
            "{{ g.mentees|names }}",
            "{{ g.form_title }}",
            TERM,
            "{{ g.status_title }}{% if g.ended_on %} {{ g.ended_on|date_ru }}{% endif %}",
            "{{ g.outcome }}",
        ),
        "g in pairs",
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p else %}")
    _item(document, "Наставнических пар и групп по приказу пока нет.")
    _paragraph(document, "{%p endif %}")

    _section(document, "5. Приказы по программе")
    _paragraph(document, "{%p if orders %}")
    _loop_table(
        document,
        ("№", "Приказ", "Номер", "Дата"),
        (Cm(1), Cm(10), Cm(2.5), Cm(3)),
        ("{{ loop.index }}", "{{ o.title }}", "{{ o.number }}", "{{ o.issued_on|date_ru }}"),
        "o in orders",
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p else %}")
    _item(document, "Приказов по программе не издано.")
    _paragraph(document, "{%p endif %}")

    # Places kept for the individual plans and the questionnaires (filled when those exist).
    _paragraph(document, f"{{%p if ({HAS_PLANS}) or ({HAS_SATISFACTION}) %}}")
    _section(document, "6. Результаты мониторинга")
    _paragraph(document, f"{{%p if {HAS_PLANS} %}}")
    _item(document, "Выполнение индивидуальных планов развития: {{ plan_completion }} %.")
    _paragraph(document, "{%p endif %}")
    _paragraph(document, f"{{%p if {HAS_SATISFACTION} %}}")
    _paragraph(
        document,
        "Удовлетворённость участников (анкетирование, средний балл по шкале от 1 до 10):",
        space_before=6,
        space_after=6,
    )
    _loop_table(
        document,
        ("Показатель", "Средний балл", "Ответили"),
        (Cm(10.5), Cm(3), Cm(3)),
        ("{{ s.item }}", "{{ '%.1f'|format(s.average)|replace('.', ',') }}", "{{ s.respondents }}"),
        "s in satisfaction",
        size=11,
        bold_header=True,
    )
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "{%p endif %}")

    _paragraph(
        document, "Куратор программы наставничества ____________ {{ curator|initials }}", space_before=36
    )
    _paragraph(document, "Директор ____________ {{ director|initials }}", space_before=18)
    return document


MENTEES_INSTRUMENTAL = (
    "{% for m in l.mentees %}{{ m|ins }}"
    "{% if not loop.last %}{{ ' и ' if loop.revindex == 2 else ', ' }}{% endif %}{% endfor %}"
)
GREETING = (
    "Уважаем{% if l.gender == 'female' %}ая{% elif l.gender == 'male' %}ый{% else %}ый(ая){% endif %}"
    " {{ l.address }}!"
)


def build_thank_you_letters() -> Document:
    document = _new_document("Благодарственное письмо")
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "{%p for l in letters %}")
    _sized(_paragraph(document, "{{ organisation_full_name }}", align=center, bold=True), 12)
    _sized(_paragraph(document, "БЛАГОДАРСТВЕННОЕ ПИСЬМО", align=center, bold=True, space_before=72), 24)
    _sized(_paragraph(document, GREETING, align=center, bold=True, space_before=36, space_after=18), 16)
    _item(
        document,
        "Администрация {{ organisation_short_name }} выражает благодарность {{ l.mentor|dat }}"
        " за добросовестную и плодотворную наставническую деятельность"
        " в {{ academic_year_title }} учебном году, за работу с " + MENTEES_INSTRUMENTAL + ","
        " за терпение, внимание и готовность делиться профессиональным опытом.",
    )
    _item(
        document,
        "Желаем Вам крепкого здоровья, творческих успехов и новых профессиональных достижений!",
    )
    _paragraph(document, "Директор ____________ {{ director|initials }}", space_before=72)
    _paragraph(document, "{{ issued_on|date_long }}", space_before=12)
    # Every letter on a page of its own; the last leaves no blank page behind it.
    _paragraph(document, "{%p if not loop.last %}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "{%p endfor %}")
    return document


BUILDERS: dict[str, Callable[[], Document]] = {
    "programme_report": build_programme_report,
    "thank_you_letters": build_thank_you_letters,
}


if __name__ == "__main__":
    main(builders=BUILDERS)
