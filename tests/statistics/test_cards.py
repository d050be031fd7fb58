"""The statistics pages write exactly the HTML they wrote with the macros ``figure_card`` and
``breakdown_tables``.

The cards and breakdown tables are written by Python helpers (``statistics.cards``) instead of those macros
of ``_statistics.html``, kept below as they were (``REFERENCE_MACROS``): here both are rendered for the same
figures (every kind, missing figures, an average over fewer than five respondents, targets met and missed,
names with ``<``, ``&`` and quotes) and compared byte for byte; and every page that shows cards, as its
reader sees it, is rendered with its template as it is and as it was, and compared.
"""

from __future__ import annotations

import itertools
import uuid
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
# The macros as _statistics.html had them: the reference the helpers and the pages are held to.
REFERENCE_MACROS = """\
{% macro figure_card(f, beside=None, beside_label="") -%}
<div class="card stat figure{% if f.meets_target is true %} met{% elif f.meets_target is false %} missed{% endif %}" \
title="{{ f.indicator.description }}">
  <span class="value">{{ f.text }}</span>
  <span>{{ f.indicator.title }}</span>
  {% if f.detail %}<span class="muted">{{ f.detail }}</span>{% endif %}
  {% if f.target is not none %}<span class="muted">цель: {{ f.target | ru_number }}&nbsp;%\
{% if f.meets_target is true %} — достигнута{% elif f.meets_target is false %} — не достигнута{% endif %}</span>\
{% endif %}
  {% if f.reporting is not none and f.indicator.kind.value in ("share", "average") %}<span class="muted">\
организаций в расчёте: {{ f.reporting | ru_number }}</span>{% endif %}
  {% if beside %}<span class="muted">{{ beside_label }}: {{ beside.text }}</span>{% endif %}
  {% if f.indicator.description %}<details class="definition"><summary>Как считается</summary>\
<p>{{ f.indicator.description }}</p></details>{% endif %}
</div>
{%- endmacro %}

{% macro breakdown_tables(breakdowns, by_key) -%}
{% for key, figures in breakdowns | dictsort %}
{% set indicator = by_key.get(key) %}
{% if indicator %}
<div class="table-wrap">
<table class="breakdown">
  <caption>{{ indicator.title }}</caption>
  <thead><tr><th scope="col">Разрез</th><th scope="col">Значение</th></tr></thead>
  <tbody>
  {% for f in figures %}
  <tr><th scope="row">{{ f.breakdown_title }}</th><td>{{ f.text }}{% if f.detail %} <span class="muted">\
({{ f.detail }})</span>{% endif %}</td></tr>
  {% endfor %}
  </tbody>
</table>
</div>
{% endif %}
{% endfor %}
{%- endmacro %}
"""
REFERENCE = "reference/_cards.html"

ENV = Environment(
    loader=ChoiceLoader([DictLoader({REFERENCE: REFERENCE_MACROS}), FileSystemLoader(str(TEMPLATES))]),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
ENV.filters.update(FILTERS)
MACROS = ENV.from_string(
    f'{{% from "{REFERENCE}" import figure_card, breakdown_tables %}}'
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
    f'{{% from "{REFERENCE}" import figure_card %}}<section class="cards">\n'
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
{% from "reference/_cards.html" import figure_card, breakdown_tables with context %}
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


async def as_now_and_as_it_was(
    app: Litestar, identity: uuid.UUID, url: str, templates_as_they_were: dict[str, str]
) -> tuple[str, str]:
    """``url`` as ``identity`` reads it with the templates as they are, then with ``templates_as_they_were``
    (by name, beside the reference macros) in their place."""
    assert app.template_engine is not None
    env: Environment = app.template_engine.engine
    loader = env.loader
    assert loader is not None
    async with client_for(app, identity) as client:
        now = await client.get(url)
        env.loader = ChoiceLoader(
            [DictLoader({**templates_as_they_were, REFERENCE: REFERENCE_MACROS}), loader]
        )
        env.cache.clear()  # type: ignore[union-attr]
        try:
            before = await client.get(url)
        finally:
            env.loader = loader
            env.cache.clear()  # type: ignore[union-attr]
    assert (now.status_code, before.status_code) == (200, 200)
    return now.text, before.text


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
async def test_the_page_is_what_the_macros_wrote(app: Litestar, region: BuiltRegion, year: int) -> None:
    now, before = await as_now_and_as_it_was(
        app,
        region.curators["O1"],
        f"/o/{region.slugs['O1']}/statistics?year={year}",
        {"core/statistics_own.html": OLD_OWN_PAGE},
    )
    assert now == before
    if year == YEAR:  # a page with figures, the region's beside them, charts and breakdowns
        assert "в среднем по региону" in now
        assert now.count('<div class="card stat figure') >= 5
        assert '<table class="breakdown">' in now
        assert '<svg class="trend"' in now
    else:
        assert "ещё не рассчитаны" in now


def as_it_was(template: str) -> str:
    """A page's template with the macros where it now calls the helpers, imported as the page imported
    them: what the page was before the helpers, but for the import of its other macros."""
    source = (TEMPLATES / template).read_text()
    was = source.replace("cards.figure_card(", "figure_card(").replace(
        "cards.breakdown_tables(", "breakdown_tables("
    )
    assert was.count("figure_card(") == source.count("cards.figure_card(") > 0
    assert was.count("breakdown_tables(") == source.count("cards.breakdown_tables(") == 1
    extends, rest = was.split("\n", 1)
    return f'{extends}\n{{% from "{REFERENCE}" import figure_card, breakdown_tables with context %}}\n{rest}'


@pytest.mark.parametrize("page", ["region", "municipality", "organisation"])
async def test_the_region_staffs_pages_are_what_the_macros_wrote(
    app: Litestar, region: BuiltRegion, page: str
) -> None:
    """The region's dashboard, a municipality's, and an organisation's figures as the region sees them."""
    municipality = region.municipalities["M2"]  # O1's
    template, url = {
        "region": ("statistics_region.html", f"/region/statistics?year={YEAR}"),
        "municipality": ("statistics_municipality.html", f"/m/{municipality}/statistics?year={YEAR}"),
        "organisation": (
            "statistics_org.html",
            f"/m/{municipality}/statistics/{region.orgs['O1']}?year={YEAR}",
        ),
    }[page]
    now, before = await as_now_and_as_it_was(
        app, region.region_staff, url, {f"core/{template}": as_it_was(template)}
    )
    assert now == before
    assert now.count('<div class="card stat figure') >= 5
    assert '<table class="breakdown">' in now
    if page == "organisation":
        assert "в среднем по муниципалитету" in now
