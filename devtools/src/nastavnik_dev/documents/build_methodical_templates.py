"""Writes the methodical work's default templates.

Run ``python -m nastavnik_dev.documents.build_methodical_templates [DIR]`` (by default into the
product's package). The young teachers' club's plan and report, the subject decades' plan, closing
note and order, the methodical council's plan and the order creating the creative groups (the data:
``nastavnik.domain.documents.methodical``). Like the orders' templates (``build_templates``, whose
page setup and helpers this reuses), the .docx files under the product's
``nastavnik/domain/documents/templates/`` are this script's committed, byte-for-byte reproducible
output: run it again after changing the wording here.

The plans carry the approval block schools put on them (accepted by the pedagogical council, approved
by an order); every date is written out («1 сентября 2026 г.»). A club may be called «Клуб молодых
учителей» or «Школа молодого преподавателя», so the texts name it by its title and never say «клуб»
themselves; likewise a decade may be a college's week of a subject commission.
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length

from nastavnik_dev.documents.build_completion_templates import _section
from nastavnik_dev.documents.build_templates import (
    _appendix,
    _control,
    _heading,
    _item,
    _loop_table,
    _new_document,
    _paragraph,
    _signatures,
    main,
)

CENTER = WD_ALIGN_PARAGRAPH.CENTER
ISSUED = "{{ issued_on|date_long }}"
BLANK_DATE = "«___» ____________ 20___ г."
BLANK_NUMBER = "______"
CLUB = "{{ kind_title }}{% if club_name %} «{{ club_name }}»{% endif %}"
YEAR_PREAMBLE = "В соответствии с планом методической работы {{ organisation_short_name }}"
WITH_MENTOR = "{% if m.mentor %}{{ m.mentor|nom }}{% else %}—{% endif %}"


def _known(value: str, blank: str) -> str:
    """``value`` (a field that may be None) or the ``blank`` to write it in by hand."""
    return f"{{% if {value} %}}{{{{ {value} }}}}{{% else %}}{blank}{{% endif %}}"


def _known_date(value: str) -> str:
    return f"{{% if {value} %}}{{{{ {value}|date_long }}}}{{% else %}}{BLANK_DATE}{{% endif %}}"


def _right(document: Document, text: str, *, space_before: int = 0) -> None:
    _paragraph(document, text, space_before=space_before).paragraph_format.left_indent = Cm(9.5)


def _approval(document: Document) -> None:
    """Top right: «ПРИНЯТ» by the pedagogical council, «УТВЕРЖДЁН» by an order (plans are masculine)."""
    _right(document, "ПРИНЯТ", space_before=12)
    _right(document, "на заседании педагогического совета")
    _right(
        document,
        "протокол от "
        + _known_date("approval.council_on")
        + " № "
        + _known("approval.council_protocol", BLANK_NUMBER),
    )
    _right(document, "УТВЕРЖДЁН", space_before=12)
    _right(
        document,
        "приказом от "
        + _known_date("approval.order_on")
        + " № "
        + _known("approval.order_number", BLANK_NUMBER),
    )


def _title(document: Document, title: str, *, approved: bool = True) -> None:
    """The organisation's name, the approval block (a plan's: with ``approved``) and the ``title``."""
    _paragraph(document, "{{ organisation_full_name }}", align=CENTER, bold=True)
    if approved:
        _approval(document)
    _paragraph(document, title, align=CENTER, bold=True, space_before=24, space_after=12)


def _leader(document: Document) -> None:
    _paragraph(document, "{%p if leader %}")
    _item(document, "Руководитель: {{ leader|nom }}.")
    _paragraph(document, "{%p endif %}")


Column = tuple[str, float, str]
"""A table's column: its header, its width in cm and its cell in the repeated row."""
NUMBER_WIDTH = 0.8
WIDTH = 16.5  # the page's width between its margins, in cm
DATE: Column = ("Дата", 2.6, "{{ e.held_on|date_long }}")
RESPONSIBLE: Column = ("Ответственный", 3, "{{ e.responsible|short }}")


def _table(document: Document, loop: str, *columns: Column) -> None:
    """A table in 11 points: a bold header row, then a numbered row per element of ``loop``."""
    headers, widths, cells = zip(("№", NUMBER_WIDTH, "{{ loop.index }}"), *columns, strict=True)
    assert round(sum(widths), 2) == WIDTH, (loop, sum(widths))
    sizes: list[Length] = [Cm(width) for width in widths]
    _loop_table(document, headers, sizes, cells, loop, size=11, bold_header=True)


def _summary(document: Document) -> None:
    """The free text of ``summary``, a paragraph per line; a dash if there is none."""
    _paragraph(document, "{%p for part in summary.splitlines() if part.strip() %}")
    _item(document, "{{ part.strip() }}")
    _paragraph(document, "{%p else %}")
    _item(document, "—")
    _paragraph(document, "{%p endfor %}")


def _members_table(document: Document) -> None:
    _table(document, "m in members", ("Участник", 8, "{{ m.name|nom }}"), ("Наставник", 7.7, WITH_MENTOR))


def _signature(document: Document, role: str, person: str) -> None:
    _paragraph(document, f"{role} ____________ {{{{ {person}|initials }}}}", space_before=36)


# --- the young teachers' club -------------------------------------------------------------------


def build_club_plan() -> Document:
    document = _new_document("План работы клуба молодого педагога")
    _title(document, f"План работы: {CLUB} на {{{{ academic_year_title }}}} учебный год")
    _leader(document)
    _item(
        document,
        "Цель: профессиональная адаптация молодых педагогов, поддержка их профессионального роста"
        " и закрепление в профессии.",
    )
    _item(document, "Задачи:")
    for task in (
        "помогать в планировании учебной работы, подготовке и проведении уроков (занятий);",
        "развивать профессиональные компетенции на семинарах, мастер-классах, при взаимопосещении"
        " уроков (занятий);",
        "выявлять профессиональные затруднения молодых педагогов и помогать их преодолеть.",
    ):
        _item(document, f"— {task}")
    _paragraph(document, "{%p if difficulties %}")
    _item(document, "Наиболее частые затруднения молодых педагогов по результатам диагностики:")
    _paragraph(document, "{%p for d in difficulties %}")
    _item(document, "— {{ d }}{{ ';' if not loop.last else '.' }}")
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{%p endif %}")

    _section(document, "1. Участники")
    _members_table(document)
    _section(document, "2. План заседаний")
    _table(
        document,
        "e in meetings",
        DATE,
        ("Тема", 6.8, "{{ e.topic }}"),
        ("Форма проведения", 3.3, "{{ e.form_title }}"),
        RESPONSIBLE,
    )
    _signature(document, "Руководитель", "leader")
    return document


def build_club_report() -> Document:
    document = _new_document("Отчёт о работе клуба молодого педагога")
    _title(document, f"Отчёт о работе: {CLUB} за {{{{ academic_year_title }}}} учебный год", approved=False)
    _leader(document)

    _section(document, "1. Участники")
    _members_table(document)
    _section(document, "2. Заседания")
    _item(document, "Запланировано заседаний: {{ planned_count }}, проведено: {{ held_count }}.")
    _item(
        document,
        "Средняя посещаемость проведённых заседаний: {% if attendance_percent is not none %}"
        "{{ attendance_percent }}\u00a0%{% else %}— (заседания не проводились){% endif %}.",
    )
    _paragraph(document, "", space_after=6)
    _table(
        document,
        "e in meetings",
        DATE,
        ("Тема", 3.6, "{{ e.topic }}"),
        ("Форма проведения", 2.4, "{{ e.form_title }}"),
        ("Отметка о проведении", 2.3, "{{ e.status_title }}"),
        ("Явка, чел.", 1.6, "{{ e.attended if e.attended else '—' }}"),
        ("Итоги", 3.2, "{{ e.outcome }}"),
    )
    _section(document, "3. Выводы")
    _summary(document)
    _signature(document, "Руководитель", "leader")
    _paragraph(document, "{{ drawn_up_on|date_long }}", space_before=12)
    return document


# --- subject decades --------------------------------------------------------------------------


def _decade_lines(document: Document, d: str) -> None:
    """The decade ``d``'s subjects, dates and the teachers responsible (if any are named)."""
    _item(document, f"Предметная область: {{{{ {d}.subject_area }}}}.")
    _item(
        document,
        # No full stop: the date ends with «г.» already.
        f"Сроки проведения: с {{{{ {d}.starts_on|date_long }}}} по {{{{ {d}.ends_on|date_long }}}}",
    )
    _paragraph(document, f"{{%p if {d}.responsible %}}")
    _item(
        document,
        f"{{% if {d}.responsible|length > 1 %}}Ответственные{{% else %}}Ответственный{{% endif %}}:"
        f" {{{{ {d}.responsible|names }}}}.",
    )
    _paragraph(document, "{%p endif %}")


def build_decade_plan() -> Document:
    document = _new_document("План проведения предметных декад")
    _title(document, "План проведения: {{ kind_title }} на {{ academic_year_title }} учебный год")
    _table(
        document,
        "d in decades",
        ("Название", 4.2, "{{ d.title }}"),
        ("Предметная область", 3.5, "{{ d.subject_area }}"),
        ("Сроки проведения", 3.5, "{{ d.starts_on|date_long }} – {{ d.ends_on|date_long }}"),
        ("Ответственные", 4.5, "{{ d.responsible|names }}"),
    )
    _paragraph(document, "{%p for d in decades %}")
    _section(document, "{{ loop.index }}. {{ d.title }}")
    _decade_lines(document, "d")
    _paragraph(document, "", space_after=6)
    _table(
        document,
        "e in d.events",
        DATE,
        ("Мероприятие", 5, "{{ e.topic }}"),
        ("Форма проведения", 3, "{{ e.form_title }}"),
        ("Классы", 2.1, "{{ e.classes }}"),
        RESPONSIBLE,
    )
    _paragraph(document, "{%p endfor %}")
    return document


OBSERVERS = "{% for o in e.observers %}{{ o|short }}{% if not loop.last %}, {% endif %}{% endfor %}"
AUTHOR = (
    "Справку {% if author and author.gender == 'female' %}составила"
    "{% elif author and author.gender == 'male' %}составил{% else %}составил(а){% endif %}"
    " ____________ {{ author|initials }}"
)


def build_decade_note() -> Document:
    document = _new_document("Справка по итогам предметной декады")
    _paragraph(document, "{{ organisation_full_name }}", align=CENTER, bold=True)
    _paragraph(document, "СПРАВКА", align=CENTER, bold=True, space_before=24)
    _paragraph(document, "по итогам мероприятий «{{ decade.title }}»", align=CENTER, bold=True)
    _paragraph(
        document, "({{ kind_title }}, {{ academic_year_title }} учебный год)", align=CENTER, space_after=12
    )
    _decade_lines(document, "decade")

    _section(document, "1. Проведённые мероприятия")
    _table(
        document,
        "e in events",
        DATE,
        ("Мероприятие (форма)", 3.6, "{{ e.topic }} ({{ e.form_title }})"),
        ("Классы", 1.6, "{{ e.classes }}"),
        RESPONSIBLE,
        ("Участников", 2, "{{ e.participants }}"),
        ("Посетили", 2.9, OBSERVERS),
    )
    _item(document, "Всего участников: {{ participants_total }}.")

    _section(document, "2. Победители и призёры")
    _paragraph(document, "{%p if winners %}")
    _table(
        document,
        "w in winners",
        ("Обучающийся", 4.7, "{{ w.learner|nom }}"),
        ("Класс (группа)", 2.5, "{{ w.class_name }}"),
        ("Результат", 2.5, "{{ w.place_title }}"),
        ("Мероприятие", 6, "{{ w.event_topic }}"),
    )
    _paragraph(document, "{%p else %}")
    _item(document, "Победителей и призёров нет.")
    _paragraph(document, "{%p endif %}")

    _section(document, "3. Выводы и рекомендации")
    _summary(document)
    _paragraph(document, AUTHOR, space_before=36)
    _paragraph(document, "{{ drawn_up_on|date_long }}", space_before=12)
    return document


# Each point's number follows from the points before it that the data leaves in.
AWARDS = "(1 if awards else 0)"
THANKS = "(1 if thanked else 0)"


def build_decade_order() -> Document:
    document = _new_document("Приказ об итогах предметной декады")
    _heading(
        document,
        "Об итогах мероприятий «{{ decade.title }}»",
        YEAR_PREAMBLE + " на {{ academic_year_title }} учебный год, по итогам мероприятий"
        " «{{ decade.title }}», проведённых с {{ decade.starts_on|date_long }}"
        " по {{ decade.ends_on|date_long }},",
        ISSUED,
    )
    _item(document, "1. Принять к сведению справку по итогам мероприятий «{{ decade.title }}».")
    _paragraph(document, "{%p if awards %}")
    _item(document, "2. Наградить грамотами победителей и призёров:")
    _paragraph(document, "{%p for w in awards %}")
    _item(
        document,
        "2.{{ loop.index }}. {{ w.learner|acc }}{% if w.class_name %} ({{ w.class_name }}){% endif %}"
        " — {{ w.place_title }}, мероприятие «{{ w.event_topic }}»{{ ';' if not loop.last else '.' }}",
    )
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{%p endif %}")
    _paragraph(document, "{%p if thanked %}")
    _item(
        document,
        f"{{{{ 2 + {AWARDS} }}}}. Объявить благодарность {{{{ thanked|names('dative') }}}}"
        " за подготовку и проведение мероприятий.",
    )
    _paragraph(document, "{%p endif %}")
    _item(
        document,
        f"{{{{ 2 + {AWARDS} + {THANKS} }}}}. Рассмотреть итоги мероприятий на заседании"
        " методического совета.",
    )
    _control(document, f"{{{{ 3 + {AWARDS} + {THANKS} }}}}")
    _signatures(document)
    return document


# --- the methodical council and the creative groups ---------------------------------------------


def build_council_plan() -> Document:
    document = _new_document("План работы методического совета")
    _title(document, "План работы методического совета на {{ academic_year_title }} учебный год")
    _paragraph(document, "{%p if chair %}")
    _item(document, "Председатель: {{ chair|nom }}.")
    _paragraph(document, "{%p endif %}")
    _item(
        document,
        "Цель: организация и координация методической работы, направленной на рост профессионального"
        " мастерства педагогов и качества образования.",
    )
    _section(document, "1. Состав методического совета")
    _table(
        document,
        "m in members",
        ("Фамилия, имя, отчество", 7.7, "{{ m.name|nom }}"),
        ("Должность", 8, "{{ m.position }}"),
    )
    _section(document, "2. План заседаний")
    _table(
        document,
        "e in meetings",
        DATE,
        ("Повестка заседания", 6.6, "{{ e.topic }}"),
        RESPONSIBLE,
        ("Решения", 3.5, "{{ e.decisions }}"),
    )
    _signature(document, "Председатель методического совета", "chair")
    return document


def build_creative_groups_order() -> Document:
    document = _new_document("Приказ о создании творческих групп педагогов")
    _heading(
        document,
        "О создании творческих групп педагогов",
        YEAR_PREAMBLE + " на {{ academic_year_title }} учебный год, в целях развития профессиональных"
        " компетенций педагогов, обобщения и распространения эффективного педагогического опыта,",
        ISSUED,
    )
    _item(
        document,
        "1. Создать творческие группы педагогов на {{ academic_year_title }} учебный год и утвердить"
        " их состав, темы и планируемые результаты работы (приложение).",
    )
    _item(document, "2. Назначить руководителями творческих групп:")
    _paragraph(document, "{%p for g in groups %}")
    _item(
        document,
        "2.{{ loop.index }}. {{ g.leader|acc }} — творческой группы «{{ g.name }}»"
        "{{ ';' if not loop.last else '.' }}",
    )
    _paragraph(document, "{%p endfor %}")
    _item(
        document,
        "3. Руководителям творческих групп составить планы работы групп и представить их на заседании"
        " методического совета, по итогам учебного года представить результаты работы групп.",
    )
    _control(document, "4")
    _signatures(document)
    _appendix(document, "Состав творческих групп педагогов на {{ academic_year_title }} учебный год", ISSUED)
    _table(
        document,
        "g in groups",
        ("Группа", 2.6, "«{{ g.name }}»"),
        ("Тема", 3.6, "{{ g.topic }}"),
        ("Руководитель", 2.8, "{{ g.leader|nom }}"),
        ("Участники", 3.5, "{{ g.members|names }}"),
        ("Планируемый результат", 3.2, "{{ g.products }}"),
    )
    return document


BUILDERS: dict[str, Callable[[], Document]] = {
    "club_plan": build_club_plan,
    "club_report": build_club_report,
    "decade_plan": build_decade_plan,
    "decade_note": build_decade_note,
    "decade_order": build_decade_order,
    "council_plan": build_council_plan,
    "creative_groups_order": build_creative_groups_order,
}


if __name__ == "__main__":
    main(builders=BUILDERS)
