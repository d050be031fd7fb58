"""A person's own notifications and choices: the in-app list, marking read, preferences, quiet hours.

Every function takes the acting organisation context first and works on the acting person's rows only
(the database's policies say the same: a member reads and changes only their own).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.notifications.kinds import KINDS
from nastavnik.domain.notifications.models import (
    DeliveryMode,
    Notification,
    NotificationPreference,
    NotificationQuietHours,
    RegionNotificationSettings,
)
from nastavnik.domain.notifications.schedule import DEFAULT_QUIET
from nastavnik.domain.notifications.wording import region_wordings
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person
from nastavnik.tenancy import NotFound, OrgContext

PAGE_SIZE = 50
MODE_TITLES = {DeliveryMode.IMMEDIATE: "сразу", DeliveryMode.DIGEST: "в ежедневной сводке"}


@dataclass(frozen=True, slots=True)
class NotificationView:
    id: uuid.UUID
    kind: str
    kind_title: str
    subject: str
    body: str
    link: str | None
    created_at: datetime
    read: bool


@dataclass(frozen=True, slots=True)
class PreferenceView:
    kind: str
    title: str
    audience: str
    enabled: bool
    mode: str


@dataclass(frozen=True, slots=True)
class PreferenceChange:
    kind: str
    enabled: bool
    mode: str


@dataclass(frozen=True, slots=True)
class QuietHours:
    starts: time | None
    ends: time | None
    own: bool
    """The person's own setting; False: the region's default."""


def _mine(ctx: OrgContext) -> tuple[object, ...]:
    return (ctx.owns(Notification), Notification.person_id == ctx.person_id)


async def my_notifications(
    db: AsyncSession, ctx: OrgContext, *, before: datetime | None = None, unread_only: bool = False
) -> list[NotificationView]:
    """The person's newest notifications (a page of them; ``before`` pages on), in the region's wording."""
    query = select(Notification).where(*_mine(ctx))  # type: ignore[arg-type]
    if before is not None:
        query = query.where(Notification.created_at < before)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = (
        (await db.execute(query.order_by(Notification.created_at.desc(), Notification.id).limit(PAGE_SIZE)))
        .scalars()
        .all()
    )
    wordings = await region_wordings(db, ctx.org.region_id, {r.kind for r in rows})
    views = []
    for row in rows:
        words = wordings.get(row.kind)
        filled = words.fill(row.params) if words else None
        views.append(
            NotificationView(
                id=row.id,
                kind=row.kind,
                kind_title=KINDS[row.kind].title if row.kind in KINDS else row.kind,
                subject=filled.subject if filled else row.kind,
                body=filled.body if filled else "",
                link=row.link,
                created_at=row.created_at,
                read=row.read_at is not None,
            )
        )
    return views


async def unread_count(db: AsyncSession, ctx: OrgContext) -> int:
    return int(
        await db.scalar(
            select(func.count()).where(*_mine(ctx), Notification.read_at.is_(None))  # type: ignore[arg-type]
        )
        or 0
    )


async def mark_read(db: AsyncSession, ctx: OrgContext, notification_id: uuid.UUID) -> None:
    """Mark one of the person's notifications read; another person's, or a missing one, is a 404."""
    found = await db.scalar(
        select(Notification.id).where(*_mine(ctx), Notification.id == notification_id)  # type: ignore[arg-type]
    )
    if found is None:
        raise NotFound
    await db.execute(
        update(Notification)
        .where(*_mine(ctx), Notification.id == notification_id, Notification.read_at.is_(None))  # type: ignore[arg-type]
        .values(read_at=clock.now())
    )
    await db.commit()


async def mark_all_read(db: AsyncSession, ctx: OrgContext) -> int:
    """Mark every notification of the person read; how many were unread."""
    # The person as this organisation knows them: an UPDATE that reaches no row would otherwise be
    # «accepted» in an organisation the person is not a member of (nothing changes, but nothing says so).
    if await db.scalar(select(Person.id).where(ctx.owns(Person), Person.id == ctx.person_id)) is None:
        raise NotFound
    result = await db.execute(
        update(Notification)
        .where(*_mine(ctx), Notification.read_at.is_(None))  # type: ignore[arg-type]
        .values(read_at=clock.now())
    )
    await db.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


async def preferences(db: AsyncSession, ctx: OrgContext) -> list[PreferenceView]:
    """Every kind with the person's choice (on and immediately unless they said otherwise)."""
    own = {
        p.kind: p
        for p in (
            await db.execute(
                select(NotificationPreference).where(
                    ctx.owns(NotificationPreference), NotificationPreference.person_id == ctx.person_id
                )
            )
        ).scalars()
    }
    return [
        PreferenceView(
            kind=k.code,
            title=k.title,
            audience=k.audience,
            enabled=own[k.code].enabled if k.code in own else True,
            mode=own[k.code].mode if k.code in own else DeliveryMode.IMMEDIATE.value,
        )
        for k in KINDS.values()
    ]


async def set_preferences(
    db: AsyncSession, ctx: OrgContext, changes: Sequence[PreferenceChange]
) -> list[PreferenceView]:
    """Save the person's choices for the kinds named; all or nothing."""
    errors = []
    for change in changes:
        if change.kind not in KINDS:
            errors.append(FieldError(f"{change.kind}.enabled", "нет такого вида уведомлений"))
        elif change.mode not in DeliveryMode.__members__.values():
            errors.append(FieldError(f"{change.kind}.mode", "выберите «сразу» или «в ежедневной сводке»"))
    if errors:
        raise InvalidInput("Настройки не сохранены: исправьте отмеченные поля.", errors)
    for change in changes:
        row = await db.get(NotificationPreference, (ctx.org.id, ctx.person_id, change.kind))
        if row is None:
            row = NotificationPreference(org_id=ctx.org.id, person_id=ctx.person_id, kind=change.kind)
            db.add(row)
        row.enabled, row.mode = change.enabled, change.mode
    await db.commit()
    return await preferences(db, ctx)


async def region_quiet_hours(db: AsyncSession, region_id: uuid.UUID) -> tuple[time | None, time | None]:
    region = await db.get(RegionNotificationSettings, region_id)
    return (region.quiet_starts, region.quiet_ends) if region else DEFAULT_QUIET


async def quiet_hours(db: AsyncSession, ctx: OrgContext) -> QuietHours:
    own = await db.get(NotificationQuietHours, (ctx.org.id, ctx.person_id))
    if own is not None:
        return QuietHours(own.starts, own.ends, own=True)
    starts, ends = await region_quiet_hours(db, ctx.org.region_id)
    return QuietHours(starts, ends, own=False)


def check_quiet_hours(
    starts: time | None, ends: time | None, errors: list[FieldError], prefix: str = ""
) -> None:
    """Both ends or neither (no quiet hours); not the same time."""
    if (starts is None) != (ends is None):
        errors.append(
            FieldError(
                f"{prefix}starts" if starts is None else f"{prefix}ends",
                "укажите и начало, и конец тихих часов",
            )
        )
    elif starts is not None and starts == ends:
        errors.append(FieldError(f"{prefix}ends", "конец тихих часов должен отличаться от начала"))


async def set_quiet_hours(
    db: AsyncSession, ctx: OrgContext, starts: time | None, ends: time | None, *, region_default: bool = False
) -> QuietHours:
    """The person's own quiet hours (both None: none at all), or back to the region's (``region_default``)."""
    own = await db.get(NotificationQuietHours, (ctx.org.id, ctx.person_id))
    if region_default:
        if own is not None:
            await db.delete(own)
            await db.commit()
        return await quiet_hours(db, ctx)
    errors: list[FieldError] = []
    check_quiet_hours(starts, ends, errors)
    if errors:
        raise InvalidInput("Тихие часы не сохранены.", errors)
    if own is None:
        own = NotificationQuietHours(org_id=ctx.org.id, person_id=ctx.person_id)
        db.add(own)
    own.starts, own.ends = starts, ends
    await db.commit()
    return await quiet_hours(db, ctx)


def read_times(values: dict[str, str | None]) -> dict[str, time | None]:
    """Times typed as «21:00» (empty: none), by field; a mistake is refused in Russian beside its field."""
    errors, times = [], {}
    for name, raw in values.items():
        text = (raw or "").strip()
        try:
            times[name] = time.fromisoformat(text).replace(second=0, microsecond=0) if text else None
        except ValueError:
            errors.append(FieldError(name, "укажите время в виде ЧЧ:ММ, например 21:00"))
    if errors:
        raise InvalidInput("Время указано с ошибкой.", errors)
    return times
