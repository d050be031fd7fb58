"""Bodies of the statistics API: figures with their numerator and denominator, never a person; the
headcounts that are their denominators; an organisation's indicators."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from nastavnik.domain.statistics.figures import Figure
from nastavnik.types import AcademicYearStart, Headcount


class FigureOut(msgspec.Struct):
    indicator: str
    title: str
    kind: str
    breakdown: str
    numerator: int
    denominator: int | None
    respondents: int | None
    reporting: int | None
    value: float | None
    """Percent for a share, the average for an average, the number for a count; null: «нет данных»."""
    text: str
    target: float | None
    meets_target: bool | None


def figure_out(f: Figure) -> FigureOut:
    return FigureOut(
        indicator=f.indicator.key,
        title=f.breakdown_title if f.breakdown else f.indicator.title,
        kind=f.indicator.kind.value,
        breakdown=f.breakdown,
        numerator=f.numerator,
        denominator=f.denominator,
        respondents=f.respondents,
        reporting=f.reporting,
        value=None if f.value is None else round(f.value, 2),
        text=f.text,
        target=f.target,
        meets_target=f.meets_target,
    )


class RecomputeOut(msgspec.Struct):
    job_id: str
    state: str
    """queued or in_progress."""
    joined: bool
    """A recompute of the same snapshot was already queued or running: this request joined it."""
    academic_year: int
    as_of: date


class AreaOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    indicators: list[FigureOut]


class DashboardOut(msgspec.Struct):
    scope: str
    scope_id: uuid.UUID
    name: str
    academic_year: int
    years: list[int]
    org_type: str
    as_of: date | None
    computed_at: datetime | None
    organisations: int | None
    organisations_computed: int | None
    recompute: str | None
    indicators: list[FigureOut]
    breakdowns: dict[str, list[FigureOut]]
    municipalities: list[AreaOut]


class OrgRowOut(msgspec.Struct):
    org_id: uuid.UUID
    short_name: str
    type: str
    municipality_id: uuid.UUID
    municipality_name: str
    indicators: list[FigureOut]


class OrgPageOut(msgspec.Struct):
    academic_year: int
    as_of: date | None
    sort: str
    dir: str
    page: int
    pages: int
    total: int
    rows: list[OrgRowOut]


class TrendPointOut(msgspec.Struct):
    as_of: date
    value: float | None


class TrendOut(msgspec.Struct):
    indicator: str
    title: str
    target: float | None
    points: list[TrendPointOut]


class OrgFiguresOut(msgspec.Struct):
    org_id: uuid.UUID
    short_name: str
    type: str
    academic_year: int
    as_of: date | None
    computed_at: datetime | None
    indicators: list[FigureOut]
    breakdowns: dict[str, list[FigureOut]]
    municipality: list[FigureOut] | None
    region: list[FigureOut] | None
    """The regional average: shown where at least five organisations entered it."""
    trend: list[TrendOut]


class TargetIn(msgspec.Struct, forbid_unknown_fields=True):
    target: float | None
    """Percent, 0 to 100 (checked with a Russian message); null returns to the default."""


class TargetOut(msgspec.Struct):
    indicator: str
    target: float | None


class ReportIn(msgspec.Struct, forbid_unknown_fields=True):
    academic_year: AcademicYearStart | None = None
    org_type: str | None = None


class ReportOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    """queued, running, done or failed."""
    progress: int
    """Percent done."""
    message: str
    academic_year: int
    org_type: str
    as_of: date | None
    created_at: datetime
    finished_at: datetime | None
    downloads: list[str]


class HeadcountIn(msgspec.Struct, forbid_unknown_fields=True):
    learners_total: Headcount
    learners_10_18: Headcount
    pedagogues: Headcount
    young_pedagogues: Headcount


class HeadcountForm(HeadcountIn, forbid_unknown_fields=True):
    """The page's form: the API's body and the year that the API's path names."""

    academic_year: AcademicYearStart


class HeadcountOut(msgspec.Struct):
    academic_year: int
    title: str
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int
    warnings: list[dict[str, str]] = []
    """Saved all the same: e.g. fewer learners than are already in the year's pairs and groups."""


class HeadcountSummaryOut(msgspec.Struct):
    municipality_id: uuid.UUID | None
    municipality_name: str
    organisations: int
    reporting: int
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int


class IndicatorOut(msgspec.Struct):
    key: str
    title: str
    description: str
    value: float | None
    """A count or a share; one JSON number type, so a value matches exactly one schema branch."""
