"""What the generated documents state at their head, and how a template sees it.

``DocumentHeading``: whose document it is and for which academic year. ``OrderHeading`` adds what
every order states besides its subject: its number and date, who signs it and who controls it.
The documents' data classes extend them, so that a template of any of them reads the same field
names (``organisation_full_name``, ``number``, ``director``, …) and the organisation's short name
in the same (genitive) form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.organisation_names import organisation_genitive


@dataclass(frozen=True)
class DocumentHeading:
    organisation_full_name: str
    # As the organisation writes it; a template gets it in the genitive, the only way the documents
    # read it («Положением о наставничестве …», «методического совета …»; organisation_names:
    # «Гимназия № 2» → «Гимназии № 2», while «МБОУ «Гимназия № 2»» stays as written).
    organisation_short_name: str
    academic_year_title: str  # «2026/2027»


@dataclass(frozen=True)
class OrderHeading(DocumentHeading):
    number: str
    issued_on: date
    director: PersonName | None
    # Controls the order's execution; None: the director keeps control.
    curator: PersonName | None
    # Read after «возложить на», so in the accusative: «заместителя директора по УВР».
    curator_position: str


def heading_context(data: DocumentHeading) -> dict[str, Any]:
    """What a template sees of ``data``: its fields as they are, the short name in the genitive."""
    context: dict[str, Any] = {item.name: getattr(data, item.name) for item in fields(data)}
    context["organisation_short_name"] = organisation_genitive(data.organisation_short_name)
    return context


def acquainted(people: Iterable[PersonName | None]) -> list[PersonName]:
    """Who signs «С приказом ознакомлены»: everyone the order names, once each, in order of mention."""
    signing: list[PersonName] = []
    for person in people:
        if person is not None and person not in signing:
            signing.append(person)
    return signing


def order_heading_context(
    data: OrderHeading, title: str, named: Iterable[PersonName | None]
) -> dict[str, Any]:
    """An order's fields (:func:`heading_context`), its ``title`` and ``acquainted``: the people ``named``
    in it, then the curator it charges with control."""
    return {
        **heading_context(data),
        "title": title,
        "acquainted": acquainted([*named, data.curator]),
    }
