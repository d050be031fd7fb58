"""The two orders of the target model's stage 5: assigning mentors and forming the pairs (groups).

``render_order`` fills the default template of the order's kind, or a template a plugin or a
region supplies instead (``services.document_templates`` chooses); the fields a template can use
are the ``OrderData`` attributes plus ``title`` (the order's name) and ``acquainted`` (who signs
«С приказом ознакомлены»).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.heading import OrderHeading, order_heading_context
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.names import PersonName

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
class OrderData(OrderHeading):
    kind: OrderKind
    groups: list[GroupLine]


def default_template(kind: OrderKind) -> bytes:
    return (files("nastavnik.domain.documents") / "templates" / f"{OrderKind(kind).value}.docx").read_bytes()


def order_context(data: OrderData) -> dict[str, Any]:
    """What a template of the order sees: the data's fields, ``title`` and ``acquainted`` (the mentors,
    then the curator); ``organisation_short_name`` in the genitive (:mod:`heading`)."""
    kind = OrderKind(data.kind)
    context = order_heading_context(data, ORDER_TITLES[kind], [group.mentor for group in data.groups])
    context["kind"] = kind.value
    return context


def render_order(data: OrderData, template: bytes | Path | None = None) -> bytes:
    """The order as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    source = default_template(OrderKind(data.kind)) if template is None else template
    return render(source, order_context(data))
