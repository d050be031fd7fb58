"""From numerator and denominator to what a person reads: a percentage, a count, «нет данных».

Nothing here divides by zero: a share without a denominator (no headcount) or with a zero one has no
value and reads «нет данных»; an average over fewer than five respondents has no value either and says
why, so that nobody's answers can be read off a small group.
"""

from __future__ import annotations

from dataclasses import dataclass

from nastavnik.domain.statistics.definitions import BREAKDOWN_TITLES, MIN_RESPONDENTS, Indicator, Kind

NO_DATA = "нет данных"
TOO_FEW = f"нет данных (ответивших меньше {MIN_RESPONDENTS})"


def share(numerator: int, denominator: int | None) -> float | None:
    if denominator is None or denominator <= 0:
        return None
    return 100.0 * numerator / denominator


def average(numerator: int, denominator: int | None, respondents: int | None) -> float | None:
    if respondents is None or respondents < MIN_RESPONDENTS or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def ru_decimal(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def ru_int(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@dataclass(slots=True)
class Figure:
    """One indicator's figure in one scope; the value is derived, never stored."""

    indicator: Indicator
    numerator: int
    denominator: int | None
    respondents: int | None = None
    reporting: int | None = None
    target: float | None = None
    breakdown: str = ""
    title: str = ""
    """The breakdown's Russian title where a dictionary names it (``form:…``, ``kind:…``)."""
    per_organisation: bool = False
    """A region's or municipality's count shown as the mean per organisation in the count."""

    @property
    def value(self) -> float | None:
        kind = self.indicator.kind
        if kind is Kind.SHARE:
            return share(self.numerator, self.denominator)
        if kind is Kind.AVERAGE:
            return average(self.numerator, self.denominator, self.respondents)
        if self.per_organisation:
            return self.numerator / self.reporting if self.reporting else None
        return float(self.numerator)

    @property
    def hidden_for_privacy(self) -> bool:
        return (
            self.indicator.kind is Kind.AVERAGE
            and self.denominator is not None
            and self.denominator > 0
            and (self.respondents or 0) < MIN_RESPONDENTS
        )

    @property
    def text(self) -> str:
        value = self.value
        if value is None:
            return TOO_FEW if self.hidden_for_privacy else NO_DATA
        kind = self.indicator.kind
        if kind is Kind.SHARE:
            return f"{ru_decimal(value)}\u00a0%"
        if kind is Kind.AVERAGE:
            return ru_decimal(value, 2)
        if self.per_organisation:
            return ru_decimal(value)
        return ru_int(self.numerator)

    @property
    def detail(self) -> str:
        """«412 из 600» for a share, the number of respondents for an average."""
        kind = self.indicator.kind
        if kind is Kind.SHARE and self.denominator is not None:
            return f"{ru_int(self.numerator)} из {ru_int(self.denominator)}"
        if kind is Kind.AVERAGE and self.respondents is not None:
            return f"ответивших: {ru_int(self.respondents)}"
        if self.per_organisation and self.reporting:
            return f"всего {ru_int(self.numerator)}, организаций: {ru_int(self.reporting)}"
        return ""

    @property
    def meets_target(self) -> bool | None:
        value = self.value
        if self.target is None or value is None:
            return None
        return value >= self.target

    @property
    def breakdown_title(self) -> str:
        return self.title or BREAKDOWN_TITLES.get(
            self.breakdown, self.breakdown.partition(":")[2] or self.breakdown
        )
