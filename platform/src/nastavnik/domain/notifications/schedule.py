"""When an e-mail may go: quiet hours and the digest's hour, on the region's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from nastavnik import clock

DEFAULT_QUIET = (time(21, 0), time(8, 0))
DEFAULT_DIGEST_HOUR = 17


@dataclass(frozen=True, slots=True)
class Schedule:
    timezone: str
    quiet_starts: time | None
    quiet_ends: time | None
    digest_hour: int

    def _quiet(self) -> bool:
        return (
            self.quiet_starts is not None
            and self.quiet_ends is not None
            and self.quiet_starts != self.quiet_ends
        )

    def quiet_until(self, instant: datetime) -> datetime | None:
        """The end of the quiet hours ``instant`` falls in (an aware instant), or None outside them."""
        if not self._quiet():
            return None
        assert self.quiet_starts is not None
        assert self.quiet_ends is not None
        local = instant.astimezone(clock.zone(self.timezone))
        now, starts, ends = local.time(), self.quiet_starts, self.quiet_ends
        inside = starts <= now < ends if starts < ends else (now >= starts or now < ends)
        if not inside:
            return None
        day = local.date() if now < ends else local.date() + timedelta(days=1)
        return datetime.combine(day, ends, tzinfo=clock.zone(self.timezone))

    def next_digest(self, after: datetime) -> datetime:
        """The first digest hour (region-local) at or after ``after``."""
        zone = clock.zone(self.timezone)
        local = after.astimezone(zone)
        slot = datetime.combine(local.date(), time(self.digest_hour), tzinfo=zone)
        return (
            slot
            if slot >= local
            else datetime.combine(local.date() + timedelta(days=1), time(self.digest_hour), tzinfo=zone)
        )
