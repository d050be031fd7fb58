"""The documents the platform generates from a template, by code: their Russian titles and defaults.

The codes name the committed default templates (``templates/<code>.docx``) and are how a plugin
(``register_document_templates``) or a region (``/region/templates``) says which document its own
template replaces. Importing this module needs neither docxtpl nor a database.
"""

from __future__ import annotations

from enum import StrEnum
from importlib.resources import files

DOCUMENT_TITLES: dict[str, str] = {
    "mentor_assignment": "Приказ о назначении наставника",
    "pairs_formation": "Приказ о формировании наставнических пар (групп)",
    "development_plan": "Индивидуальный план развития",
    "mentor_journal": "Журнал наставника",
    "programme_report": "Отчёт о реализации программы наставничества",
    "thank_you_letters": "Благодарственные письма наставникам",
    "mentor_certificate": "Свидетельство наставника",
    "club_plan": "План работы клуба молодого педагога",
    "club_report": "Отчёт о работе клуба молодого педагога",
    "decade_plan": "План проведения предметных декад",
    "decade_note": "Справка по итогам предметной декады",
    "decade_order": "Приказ об итогах предметной декады",
    "council_plan": "План работы методического совета",
    "creative_groups_order": "Приказ о создании творческих групп педагогов",
    "roadmap": "Дорожная карта внедрения целевой модели наставничества",
}
"""Every replaceable document, in the order the region's page lists them."""


class OrderKind(StrEnum):
    MENTOR_ASSIGNMENT = "mentor_assignment"
    """«Приказ о назначении наставника»."""
    PAIRS_FORMATION = "pairs_formation"
    """«Приказ о формировании наставнических пар (групп)»: the groups it lists become active."""


def default_template(code: str) -> bytes:
    """The platform's own template of a document (``KeyError`` for an unknown code)."""
    if code not in DOCUMENT_TITLES:
        raise KeyError(code)
    return (files("nastavnik.domain.documents") / "templates" / f"{code}.docx").read_bytes()
