"""Region staff keep their region's own default roadmap per regime, in place of the platform's.

Copy-on-write, as the region's dictionaries and templates: until the region saves a list of its own,
its organisations get the platform's (``roadmap_defaults.STANDARD``); once it does, they get the
region's, and a revert (confirmed) deletes it so the platform's applies again. A list is saved as a
whole — checked line by line, nothing kept if one line is wrong — and only by the region's own staff
(PostgreSQL's policies check it too). Every save and revert is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.dictionaries.region import region_of
from nastavnik.domain.programmes.models import STAGES, RegionRoadmapItem
from nastavnik.domain.programmes.roadmap_defaults import STANDARD, DefaultLine, region_lines
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.tenancy import Actor, NotFound
from nastavnik.types import Regime

MAX_LINES = 100
REGIME_TITLES = {
    Regime.LEARNERS: "наставничество обучающихся",
    Regime.PEDAGOGUES: "наставничество педагогических работников",
}


@dataclass(frozen=True, slots=True)
class RegionRoadmap:
    regime: str
    regime_title: str
    regional: bool
    """True: the region's own list; False: the platform's, which the region has not replaced."""
    lines: list[DefaultLine]


def _regime(regime: str) -> str:
    if regime not in set(Regime):
        raise NotFound  # a path naming no regime names nothing
    return regime


async def _roadmap(db: AsyncSession, region_id: uuid.UUID, regime: str) -> RegionRoadmap:
    own = await region_lines(db, region_id, regime)
    lines = own or list(STANDARD[regime])
    return RegionRoadmap(regime, REGIME_TITLES[Regime(regime)], bool(own), lines)


def require_staff(actor: Actor) -> None:
    """Forbidden unless the actor is regional staff: checked before a page's form is read."""
    region_of(actor)


async def region_roadmaps(db: AsyncSession, actor: Actor) -> list[RegionRoadmap]:
    """The default roadmap of each regime as the region's organisations get it now."""
    region_id = region_of(actor)
    return [await _roadmap(db, region_id, regime) for regime in Regime]


async def region_roadmap(db: AsyncSession, actor: Actor, regime: str) -> RegionRoadmap:
    region_id = region_of(actor)
    return await _roadmap(db, region_id, _regime(regime))


def _checked(lines: Sequence[DefaultLine], rows: Sequence[int] | None = None) -> list[DefaultLine]:
    """The lines with their texts trimmed; InvalidInput naming the line and field of each error.

    A line is named by its number from 1 (the API's ``lines.<n>.<field>``), or with ``rows`` by the row
    of the page's table it came from (the page's field ``<field>_<row>``).
    """
    errors: list[FieldError] = []

    def error(n: int, name: str, message: str) -> None:
        row = rows[n - 1] if rows is not None else n
        where = f"{name}_{row}" if rows is not None else f"lines.{n}.{name}"
        errors.append(FieldError(where, f"строка {row}: {message}"))

    if not lines:
        errors.append(FieldError("lines", "добавьте хотя бы одно мероприятие"))
    if len(lines) > MAX_LINES:
        errors.append(FieldError("lines", f"не больше {MAX_LINES} мероприятий"))
    cleaned = []
    for n, line in enumerate(lines, start=1):
        title, responsible, result = line.title.strip(), line.responsible.strip(), line.result.strip()
        if not 1 <= line.stage <= len(STAGES):
            error(n, "stage", "этап от 1 до 7")
        if not 1 <= line.month <= 12:
            error(n, "month", "месяц учебного года от 1 (сентябрь) до 12 (август)")
        if not 1 <= line.day <= 31:
            error(n, "day", "день месяца от 1 до 31")
        if not title:
            error(n, "title", "укажите мероприятие")
        elif len(title) > 500:
            error(n, "title", "мероприятие не длиннее 500 знаков")
        if not responsible:
            error(n, "responsible", "укажите ответственного")
        elif len(responsible) > 200:
            error(n, "responsible", "ответственный не длиннее 200 знаков")
        if len(result) > 500:
            error(n, "result", "результат не длиннее 500 знаков")
        cleaned.append(DefaultLine(line.stage, line.month, line.day, title, responsible, result))
    if errors:
        raise InvalidInput("Типовая дорожная карта не сохранена: исправьте ошибки.", errors)
    return cleaned


async def save_region_roadmap(
    db: AsyncSession,
    actor: Actor,
    regime: str,
    lines: Sequence[DefaultLine],
    *,
    rows: Sequence[int] | None = None,
) -> RegionRoadmap:
    """Replace the region's default roadmap of ``regime`` with ``lines``, as a whole (``rows``: see
    :func:`_checked`)."""
    region_id = region_of(actor)
    _regime(regime)
    cleaned = _checked(lines, rows)
    # Two saves at once take turns (the second replaces the first), never a clash of positions.
    await lock_for_transaction(db, [f"region-roadmap:{region_id}:{regime}"])
    t = RegionRoadmapItem
    await db.execute(delete(t).where(t.region_id == region_id, t.regime == regime))
    db.add_all(
        RegionRoadmapItem(
            region_id=region_id,
            regime=regime,
            position=n,
            stage=line.stage,
            month=line.month,
            day=line.day,
            title=line.title,
            responsible=line.responsible,
            result=line.result,
        )
        for n, line in enumerate(cleaned, start=1)
    )
    await db.flush()
    await audit.record_by(
        db,
        actor,
        "update",
        audit.ObjectKind.REGION_ROADMAP,
        regime,
        org_id=None,
        details={"region_id": str(region_id), "lines": len(cleaned)},
    )
    await db.commit()
    return RegionRoadmap(regime, REGIME_TITLES[Regime(regime)], True, cleaned)


async def revert_region_roadmap(db: AsyncSession, actor: Actor, regime: str, *, confirmed: bool) -> None:
    """Delete the region's own list: its organisations get the platform's default again."""
    region_id = region_of(actor)
    _regime(regime)
    if not confirmed:
        raise InvalidInput(
            "Подтвердите, что нужно удалить типовую дорожную карту региона и вернуть стандартную.",
            [FieldError("confirm", "отметьте подтверждение")],
        )
    t = RegionRoadmapItem
    removed = await db.execute(delete(t).where(t.region_id == region_id, t.regime == regime))
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise NotFound  # the region keeps no list of its own for this regime
    await audit.record_by(
        db,
        actor,
        "delete",
        audit.ObjectKind.REGION_ROADMAP,
        regime,
        org_id=None,
        details={"region_id": str(region_id)},
    )
    await db.commit()
