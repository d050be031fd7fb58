"""The two orders of the target model's stage 5: assigning mentors and forming the pairs (groups).

``render_order`` fills the default template of the order's kind, or a template a plugin or a
region supplies instead (``services.document_templates`` chooses); the fields a template can use
are the ``OrderData`` attributes plus ``title`` (the order's name) and ``acquainted`` (who signs
«С приказом ознакомлены»).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.organisation_names import organisation_genitive

ORDER_TITLES: dict[OrderKind, str] = {
    OrderKind.MENTOR_ASSIGNMENT: "Приказ о назначении наставника",
    OrderKind.PAIRS_FORMATION: "Приказ о формировании наставнических пар (групп)",
}


@dataclass(frozen=True)
class GroupLine:
    """One mentoring pair or group as the orders list it."""

    mentor: PersonName
    # Read after the mentor's name in the accusative («…Сидорову Галину Петровну, учителя
    # математики, …»), so it is given in that form: the platform does not decline positions.
    mentor_position: str
    mentees: list[PersonName]
    mentee_note: str  # shown in brackets after the mentees («обучающиеся 7 «А» класса»); may be empty
    form_title: str  # «Учитель — учитель», «Ученик — ученик», …
    kind_title: str  # «Индивидуальная», «Групповая», …
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class OrderData:
    kind: OrderKind
    number: str
    issued_on: date
    organisation_full_name: str
    # As the organisation writes it; the order puts it in the genitive where it reads after
    # «Положением о наставничестве» (organisation_names: «Гимназия № 2» → «Гимназии № 2», while
    # «МБОУ «Гимназия № 2»» stays as written).
    organisation_short_name: str
    academic_year_title: str  # «2026/2027»
    director: PersonName | None
    curator: PersonName | None
    # Read after «возложить на», so in the accusative: «заместителя директора по УВР».
    curator_position: str
    groups: list[GroupLine]


def default_template(kind: OrderKind) -> bytes:
    return (files("nastavnik.domain.documents") / "templates" / f"{OrderKind(kind).value}.docx").read_bytes()


def _acquainted(data: OrderData) -> list[PersonName]:
    # Everyone the order charges with something signs once, even a mentor of several groups.
    people: list[PersonName] = []
    for person in [group.mentor for group in data.groups] + [data.curator]:
        if person is not None and person not in people:
            people.append(person)
    return people


def order_context(data: OrderData) -> dict[str, Any]:
    """What a template of the order sees: the data's fields, ``title`` and ``acquainted``.

    ``organisation_short_name`` is given in the genitive, the only way the orders read it.
    """
    context: dict[str, Any] = {field.name: getattr(data, field.name) for field in fields(data)}
    kind = OrderKind(data.kind)
    context["kind"] = kind.value
    context["organisation_short_name"] = organisation_genitive(data.organisation_short_name)
    context["title"] = ORDER_TITLES[kind]
    context["acquainted"] = _acquainted(data)
    return context


def render_order(data: OrderData, template: bytes | Path | None = None) -> bytes:
    """The order as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    source = default_template(OrderKind(data.kind)) if template is None else template
    return render(source, order_context(data))
