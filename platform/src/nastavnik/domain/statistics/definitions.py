"""What an indicator is: its key, its title, how its numerator and denominator are read.

The written definitions (numerator, denominator, as-of date, what «нет данных» means) are in
docs/statistics.md. Every indicator comes through ``register_statistics``: the core's own are its
default plugin's, each with its SQL in its own module under :mod:`nastavnik.domain.statistics.indicators`;
an :class:`Indicator` is what the catalogue makes of a plugin's ``StatisticContributor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SHARE = "share"
    """Numerator over denominator, shown as a percentage; sums run over organisations with a denominator."""
    COUNT = "count"
    """A number of things; sums run over every organisation."""
    AVERAGE = "average"
    """Sum of scores over number of answers; not shown over fewer than :data:`MIN_RESPONDENTS` people."""
    BREAKDOWN = "breakdown"
    """Counts by a breakdown key (``form:…``, ``kind:…``, ``status:…``, ``shape:…``)."""


MIN_RESPONDENTS = 5
"""An average over fewer people than this would reveal a person's answers: it is not shown."""


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    title: str
    kind: Kind
    description: str
    default_target: float | None = None
    """Percent; a region may set its own (``stat_target``)."""
    source: str = "core"
    """The plugin that contributes it (``core``: the core's default plugin)."""
    organisation_types: tuple[str, ...] | None = None
    """Where it applies (None: every type)."""

    @property
    def has_target(self) -> bool:
        return self.kind is Kind.SHARE


# Keys of the core's indicators, in the order its default plugin returns them (the dashboards').
LEARNERS_COVERED = "learners_covered"
LEARNERS_INVOLVED = "learners_involved"
YOUNG_TEACHERS_MENTORED = "young_teachers_mentored"
TEACHERS_INVOLVED = "teachers_involved"
MODEL_INTRODUCED = "model_introduced"
YOUNG_TEACHERS_RETAINED = "young_teachers_retained"
PLAN_COMPLETION = "plan_completion"
SATISFACTION_MENTORS = "satisfaction_mentors"
SATISFACTION_MENTEES = "satisfaction_mentees"
GROUPS = "groups"

BREAKDOWN_TITLES = {
    "shape:pair": "пары",
    "shape:group": "группы",
    "status:draft": "сформированы (ждут приказа)",
    "status:active": "действуют",
    "status:completed": "завершены",
    "status:ended_early": "завершены досрочно",
    "curator": "куратор назначен",
    "polozhenie": "Положение утверждено",
    "programma": "Программа утверждена",
    "pairs_order": "приказ о парах издан",
    "role:mentor": "в роли наставника",
    "role:mentee": "в роли наставляемого",
}
