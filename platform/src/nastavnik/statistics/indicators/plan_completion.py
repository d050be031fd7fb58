"""Completion of the individual development plans. NOT YET AVAILABLE.

The individual plans are being built in another branch; until their tables exist this indicator
reports «нет данных». The contract the query must keep when it is written (``SQL``): one row per
organisation, ``numerator`` = plan items done on or before the snapshot date, ``denominator`` = plan
items of the pairs and groups of the academic year (NULL when there are none), ``breakdown`` ''.
"""

from __future__ import annotations

from nastavnik.statistics.definitions import PLAN_COMPLETION, Indicator, Kind
from nastavnik.statistics.indicators.base import IndicatorQuery

SOURCE_TABLES = ("plan_item",)

INDICATOR = Indicator(
    key=PLAN_COMPLETION,
    title="Выполнение индивидуальных планов",
    kind=Kind.SHARE,
    description="Доля выполненных пунктов индивидуальных планов развития наставляемых.",
)

SQL: str | None = None

QUERY = IndicatorQuery(INDICATOR, SQL, SOURCE_TABLES)
