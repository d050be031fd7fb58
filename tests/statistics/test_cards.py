"""The organisation's own figures page writes exactly the HTML it wrote with the macros of _statistics.html.

The page's cards and breakdown tables are written by Python helpers (``statistics.cards``) instead of the
macros ``figure_card`` and ``breakdown_tables``: here both are rendered for the same figures (every kind,
missing figures, an average over fewer than five respondents, targets met and missed, names with ``<``,
``&`` and quotes) and compared byte for byte; and the whole page, as a curator sees it, is rendered with
the page's template as it was (kept below) and as it is, and compared.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader, select_autoescape
from litestar import Litestar

import nastavnik.domain.statistics
from nastavnik.domain.statistics.cards import CARDS
from nastavnik.domain.statistics.definitions import Indicator, Kind
from nastavnik.domain.statistics.figures import Figure
from nastavnik.runtime import Runtime
from nastavnik.web.filters import FILTERS
from tests.statistics.small import small_region
from tests.statistics.spec import BuiltRegion, build_region
from tests.support.http import client_for

TEMPLATES = Path(nastavnik.domain.statistics.__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
ENV.filters.update(FILTERS)
MACROS = ENV.from_string(
    '{% from "_statistics.html" import figure_card, breakdown_tables %}'
    "[{{ figure_card(f, beside, label) }}|{{ figure_card(f) }}|{{ breakdown_tables(breakdowns, by_key) }}]"
)
HELPERS = ENV.from_string(
    "[{{ cards.figure_card(f, beside, label) }}|{{ cards.figure_card(f) }}"
    "|{{ cards.breakdown_tables(breakdowns, by_key) }}]"
)

HOSTILE = "<script>\"x\"&'y'</script>"
INDICATORS = [
    Indicator("share", "Доля <b>&</b>", Kind.SHARE, 'Описание "в кавычках" & <теги>', default_target=70.0),
    Indicator("count", HOSTILE, Kind.COUNT, ""),
    Indicator("average", "Средний балл", Kind.AVERAGE, HOSTILE),
    Indicator("Breakdown", "Формы & виды", Kind.BREAKDOWN, "Разрезы"),
]
BY_KEY = {i.key: i for i in INDICATORS}


def figures_of(indicator: Indicator) -> list[Figure]:
    """Every shape of a figure of ``indicator``: missing, zero, small, large, with and without a target,
    reporting organisations, per organisation, breakdowns named and not."""
    found = []
    for numerator, denominator, respondents in [
        (0, None, None),
        (0, 0, None),
        (412, 600, None),
        (1234567, 1234567, 3),  # an average over fewer than five respondents: «нет данных (…)»
        (37, 10, 4),
        (37, 10, 5),
        (9, 7, 1200),
    ]:
        for target, reporting, per_organisation in [
            (None, None, False),
            (70.0, 6, False),
            (0.5, 1234, True),
            (100.0, 0, True),
        ]:
            found.append(
                Figure(
                    indicator,
                    numerator,
                    denominator,
                    respondents,
                    reporting=reporting,
                    target=target,
                    per_organisation=per_organisation,
                )
            )
    return found


def breakdowns_of(indicator: Indicator) -> list[Figure]:
    return [
        Figure(indicator, 3, None, breakdown="form:student", title=HOSTILE),
        Figure(indicator, 2, 5, breakdown="shape:pair"),
        Figure(indicator, 1, None, breakdown=f"kind:{HOSTILE}"),
        Figure(indicator, 1, 4, 2, breakdown=HOSTILE),
        Figure(indicator, 0, 0, breakdown=""),
    ]


BREAKDOWNS: list[dict[str, list[Figure]]] = [
    {},
    {"share": breakdowns_of(INDICATORS[0])},
    # Out of order, one indicator no longer known, keys differing only in case (dictsort ignores case).
    {
        "unknown": breakdowns_of(INDICATORS[1]),
        "count": breakdowns_of(INDICATORS[1]),
        "Breakdown": breakdowns_of(INDICATORS[3]),
        "average": [],
        "share": breakdowns_of(INDICATORS[0])[:1],
    },
]


def test_the_helpers_write_what_the_macros_write() -> None:
    compared = 0
    for indicator in INDICATORS:
        figures = figures_of(indicator)
        besides: list[Figure | None] = [None, figures[0], figures[2]]
        for f, beside, label, breakdowns in itertools.product(
            figures, besides, ["в среднем по региону", HOSTILE], BREAKDOWNS
        ):
            context: dict[str, Any] = {
                "f": f,
                "beside": beside,
                "label": label,
                "breakdowns": breakdowns,
                "by_key": BY_KEY,
            }
            assert HELPERS.render(cards=CARDS, **context) == MACROS.render(**context), context
            compared += 1
    assert compared == len(INDICATORS) * 28 * 3 * 2 * len(BREAKDOWNS)


LOOP_MACROS = ENV.from_string(
    '{% from "_statistics.html" import figure_card %}<section class="cards">\n'
    "  {% for f in figures %}\n"
    "  {% set beside = beside_of(scope, f.indicator.key) %}\n"
    "  {{ figure_card(f, beside, label) }}\n"
    "  {% endfor %}\n</section>"
)
LOOP_HELPER = ENV.from_string(
    '<section class="cards">\n  {{ cards.figure_cards(figures, scope, label) }}\n</section>'
)


def beside_of(scope: list[Figure] | None, key: str) -> Figure | None:
    """``OrgFigures.beside``, as the page's loop called it."""
    return next((f for f in scope or [] if f.indicator.key == key), None)


def test_the_cards_are_what_the_loop_over_the_macro_wrote() -> None:
    headline = [fs[i] for fs in map(figures_of, INDICATORS) for i in (0, 3, 9, 27)]
    scopes: list[list[Figure] | None] = [
        None,
        [],
        [figures_of(INDICATORS[0])[5], figures_of(INDICATORS[2])[13]],
        # Two figures of one indicator: the first is the one beside (as OrgFigures.beside takes it).
        [*figures_of(INDICATORS[1])[20:22], *figures_of(INDICATORS[0])[2:4], *figures_of(INDICATORS[3])[7:9]],
    ]
    for figures, scope, label in itertools.product(
        [[], headline[:1], headline], scopes, ["в среднем по региону", HOSTILE]
    ):
        context = {"figures": figures, "scope": scope, "label": label}
        expected = LOOP_MACROS.render(beside_of=beside_of, **context)
        assert LOOP_HELPER.render(cards=CARDS, **context) == expected, context


def test_hostile_text_is_escaped_and_the_odd_figures_read_as_before() -> None:
    f = Figure(INDICATORS[2], 37, 10, 3, reporting=6)
    html = CARDS.figure_card(f, Figure(INDICATORS[2], 1, None), HOSTILE)
    assert "<script>" not in html
    assert "&lt;script&gt;&#34;x&#34;&amp;&#39;y&#39;&lt;/script&gt;" in html
    assert "нет данных (ответивших меньше 5)" in html
    assert ": нет данных</span>" in html
    tables = CARDS.breakdown_tables({"count": breakdowns_of(INDICATORS[1])}, BY_KEY)
    assert "<script>" not in tables
    assert tables.count("<tr>") == 5 + 1


# The page's template as it was, with the macros: the reference the page is compared with.
OLD_OWN_PAGE = """{% extends "core/base.html" %}
{% from "core/_statistics.html" import figure_card, breakdown_tables with context %}
{% block title %}Показатели организации{% endblock %}
{% block content %}
<h1>Показатели организации</h1>
<p class="note">Показатели {{ figures.year }}/{{ figures.year + 1 }} учебного года рядом со средними по региону: \
доля или средний балл — по всем организациям региона вместе, количество — в среднем на одну организацию. \
Только числа, без персональных данных.</p>
{% if figures.as_of %}
<p>На <strong>{{ figures.as_of | ru_date }}</strong>, рассчитаны {{ figures.computed_at | ru_date(timezone) }}. \
Показатели пересчитываются каждую ночь.</p>
{% else %}
<p>Показатели за этот учебный год ещё не рассчитаны: регион пересчитывает их каждую ночь.</p>
{% endif %}
{% if figures.as_of and not figures.region %}<p class="muted">Среднее по региону не показывается: \
в расчёте меньше пяти организаций.</p>{% endif %}
<section class="cards">
  {% for f in figures.headline %}
  {% set beside = figures.beside(figures.region, f.indicator.key) %}
  {{ figure_card(f, beside, "в среднем по региону") }}
  {% endfor %}
</section>
{% if charts %}
<h2>Динамика</h2>
<section class="charts">{% for chart in charts %}<figure class="chart">{{ chart.svg }}\
<figcaption>{{ chart.caption }}</figcaption></figure>{% endfor %}</section>
{% endif %}
{% if figures.breakdowns %}
<h2>Разрезы</h2>
{{ breakdown_tables(figures.breakdowns, figures.by_key) }}
{% endif %}
{% endblock %}
"""

YEAR = 2026


@pytest.fixture(scope="module")
async def region(runtime: Runtime) -> BuiltRegion:
    from datetime import date

    from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute

    built = await build_region(runtime, small_region(6))
    for as_of in (date(2026, 10, 1), date(2026, 11, 20)):
        await recompute(
            runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, as_of)
        )
    return built


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
async def test_the_page_is_what_the_macros_wrote(app: Litestar, region: BuiltRegion, year: int) -> None:
    assert app.template_engine is not None
    env: Environment = app.template_engine.engine
    url = f"/o/{region.slugs['O1']}/statistics?year={year}"
    loader = env.loader
    assert loader is not None
    async with client_for(app, region.curators["O1"]) as client:
        now = await client.get(url)
        env.loader = ChoiceLoader([DictLoader({"core/statistics_own.html": OLD_OWN_PAGE}), loader])
        env.cache.clear()  # type: ignore[union-attr]
        try:
            before = await client.get(url)
        finally:
            env.loader = loader
            env.cache.clear()  # type: ignore[union-attr]
    assert (now.status_code, before.status_code) == (200, 200)
    assert now.text == before.text
    if year == YEAR:  # a page with figures, the region's beside them, charts and breakdowns
        assert "в среднем по региону" in now.text
        assert now.text.count('<div class="card stat figure') >= 5
        assert '<table class="breakdown">' in now.text
        assert '<svg class="trend"' in now.text
    else:
        assert "ещё не рассчитаны" in now.text
