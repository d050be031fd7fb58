"""The statistics pages' figure cards and breakdown tables, written in Python.

They were the macros ``figure_card`` and ``breakdown_tables`` of ``core/_statistics.html``, and write exactly
the HTML the macros wrote. A page called the card macro once per indicator and imported the macros ``with
context``, which has Jinja build the macros' module anew on every render; a macro call costs a new context,
its arguments' checks and a join of its output (the organisation's own figures page, viewed most of the
statistics pages, spent a good part of its time there). These write the same text with string formatting
and markupsafe's ``escape`` (what autoescaping applies to ``{{ … }}``). ``tests/statistics/test_cards.py``
keeps the macros as they were, renders both for the same figures, hostile and missing ones among them, and
compares the bytes, and every page that shows cards with its template as it was. In a template (the routes
pass ``cards``): ``{{ cards.figure_card(f, beside, label) }}``, ``{{ cards.figure_cards(figures, beside,
label) }}`` for a row of them, ``{{ cards.breakdown_tables(breakdowns, by_key) }}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from nastavnik.domain.statistics.figures import Figure
from nastavnik.web.filters import ru_number

_CLASSES: dict[bool | None, str] = {True: " met", False: " missed", None: ""}
_REACHED: dict[bool | None, str] = {True: " — достигнута", False: " — не достигнута", None: ""}
_REPORTED_KINDS = ("share", "average")
_TABLE_HEAD = (
    '\n<div class="table-wrap">\n<table class="breakdown">\n  <caption>%s</caption>\n'
    '  <thead><tr><th scope="col">Разрез</th><th scope="col">Значение</th></tr></thead>\n  <tbody>\n  '
)
_TABLE_FOOT = "\n  </tbody>\n</table>\n</div>\n"


def figure_card(f: Figure, beside: Figure | None = None, beside_label: str = "") -> Markup:
    """One figure's card: its value, what it is, its detail, its target and whether it is met, how many
    organisations it is over, the figure beside it (the region's), and how it is computed."""
    indicator = f.indicator
    description = escape(indicator.description)
    meets = f.meets_target
    # ``is true`` / ``is false`` in the macro: only the booleans themselves.
    met = meets if meets is True or meets is False else None
    detail = f.detail
    target = f.target
    reporting = f.reporting
    muted = '<span class="muted">'
    detail_html = f"{muted}{escape(detail)}</span>" if detail else ""
    target_html = (
        f"{muted}цель: {escape(ru_number(target))}&nbsp;%{_REACHED[met]}</span>" if target is not None else ""
    )
    reporting_html = (
        f"{muted}организаций в расчёте: {escape(ru_number(reporting))}</span>"
        if reporting is not None and indicator.kind.value in _REPORTED_KINDS
        else ""
    )
    beside_html = f"{muted}{escape(beside_label)}: {escape(beside.text)}</span>" if beside else ""
    definition_html = (
        f'<details class="definition"><summary>Как считается</summary><p>{description}</p></details>'
        if indicator.description
        else ""
    )
    met_class = _CLASSES[met]
    return Markup(  # noqa: S704 - every value in it is escaped
        f'<div class="card stat figure{met_class}" title="{description}">\n'
        f'  <span class="value">{escape(f.text)}</span>\n  <span>{escape(indicator.title)}</span>\n'
        f"  {detail_html}\n  {target_html}\n  {reporting_html}\n  {beside_html}\n  {definition_html}\n</div>"
    )


def figure_cards(figures: Sequence[Figure], beside: Sequence[Figure] | None, beside_label: str) -> Markup:
    """The cards of ``figures``, each with the figure of the same indicator in ``beside`` (the region's,
    where shown): what the page's loop over ``figure_card`` wrote, its line breaks and indents included.
    The first figure of an indicator in ``beside`` is the one shown (``OrgFigures.beside``), looked up
    in a dictionary rather than by a scan per card."""
    besides: dict[str, Figure] = {}
    for b in beside or ():
        besides.setdefault(b.indicator.key, b)
    return Markup(  # noqa: S704 - made of figure_card's escaped HTML and fixed text
        "".join(f"\n  \n  {figure_card(f, besides.get(f.indicator.key), beside_label)}\n  " for f in figures)
    )


def _sort_key(item: tuple[Any, Any]) -> Any:
    """Jinja's ``dictsort``: by key, case-insensitively."""
    key = item[0]
    return key.lower() if isinstance(key, str) else key


def breakdown_tables(breakdowns: Mapping[str, Sequence[Figure]], by_key: Mapping[str, Any]) -> Markup:
    """A table per indicator with breakdowns (those of an indicator no longer known are left out)."""
    parts: list[str] = []
    for key, figures in sorted(breakdowns.items(), key=_sort_key):
        parts.append("\n\n")
        indicator = by_key.get(key)
        if indicator:
            parts.append(_TABLE_HEAD % escape(indicator.title))
            for f in figures:
                detail = f.detail
                detail_html = f' <span class="muted">({escape(detail)})</span>' if detail else ""
                parts.append(
                    f'\n  <tr><th scope="row">{escape(f.breakdown_title)}</th>'
                    f"<td>{escape(f.text)}{detail_html}</td></tr>\n  "
                )
            parts.append(_TABLE_FOOT)
        parts.append("\n")
    return Markup("".join(parts))  # noqa: S704 - every value in it is escaped


class _Cards:
    """``cards`` in a template: the two helpers as attributes, as the macros' module has them."""

    __slots__ = ()
    figure_card = staticmethod(figure_card)
    figure_cards = staticmethod(figure_cards)
    breakdown_tables = staticmethod(breakdown_tables)


CARDS = _Cards()
