"""One clock for the whole platform: the current instant, and a region's local date.

Every date a rule checks or a person sees is the region's local date, reached from the acting
context (``ctx.today()``) or from a region's time zone (``today_in``) — never ``date.today()``
on the server, which is UTC on most hosts and a day behind the eastern regions every evening.

Tests pin the clock with :func:`pinned`; the whole suite can run at a chosen instant
(``uv run pytest --clock 2026-12-04T23:30:00Z``), and the clock keeps ticking from there.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Moscow"

# (the pinned instant, time.monotonic() when it was pinned, whether it ticks); None: the real clock.
_pin: tuple[datetime, float, bool] | None = None


def now() -> datetime:
    """The current instant, aware, in UTC."""
    if _pin is None:
        return datetime.now(UTC)
    instant, since, ticks = _pin
    return instant + timedelta(seconds=time.monotonic() - since) if ticks else instant


@lru_cache(maxsize=64)
def zone(name: str | None) -> ZoneInfo:
    """A region's time zone; an unknown or empty name falls back to Moscow time."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def now_in(timezone: str | None) -> datetime:
    """The current instant as the region's wall clock shows it."""
    return now().astimezone(zone(timezone))


def today_in(timezone: str | None) -> date:
    """The region's local date."""
    return now_in(timezone).date()


@contextmanager
def pinned(instant: datetime, *, tick: bool = False) -> Iterator[None]:
    """Set the clock to ``instant`` (aware) for the duration; with ``tick`` it runs on from there."""
    global _pin
    if instant.tzinfo is None:
        raise ValueError("pin the clock to an aware instant")
    previous = _pin
    _pin = (instant.astimezone(UTC), time.monotonic(), tick)
    try:
        yield
    finally:
        _pin = previous
