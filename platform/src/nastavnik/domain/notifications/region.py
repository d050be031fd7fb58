"""A region's notification settings and wording: default quiet hours, the digest's hour, its own subject
and body of a kind. Only the region's own staff read and change them here (PostgreSQL's policies check it
too); every change is audited. A region's wording reaches only its own organisations' people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.audit import ObjectKind
from nastavnik.domain.notifications.kinds import KINDS, placeholders
from nastavnik.domain.notifications.models import RegionNotificationSettings, RegionNotificationTemplate
from nastavnik.domain.notifications.schedule import DEFAULT_DIGEST_HOUR, DEFAULT_QUIET
from nastavnik.domain.notifications.services import check_quiet_hours
from nastavnik.errors import Conflict, FieldError, InvalidInput, trimmed
from nastavnik.models.identity import StaffRole
from nastavnik.tenancy import Actor, Forbidden, NotFound

SUBJECT_MAX = 300
BODY_MAX = 5000


@dataclass(frozen=True, slots=True)
class KindWording:
    kind: str
    title: str
    audience: str
    params: tuple[str, ...]
    default_subject: str
    default_body: str
    subject: str
    body: str
    own: bool
    version: int
    """Of the region's row; 0 while there is none."""


@dataclass(frozen=True, slots=True)
class RegionSettings:
    quiet_starts: time | None
    quiet_ends: time | None
    digest_hour: int
    version: int


def region_of(actor: Actor) -> uuid.UUID:
    grants = actor.grants(StaffRole.REGION)
    if not grants:
        raise Forbidden
    return grants[0].region_id


async def wordings(db: AsyncSession, actor: Actor) -> list[KindWording]:
    region_id = region_of(actor)
    own = {
        t.kind: t
        for t in (
            await db.execute(
                select(RegionNotificationTemplate).where(RegionNotificationTemplate.region_id == region_id)
            )
        ).scalars()
    }
    lines = []
    for kind in KINDS.values():
        mine = own.get(kind.code)
        lines.append(
            KindWording(
                kind=kind.code,
                title=kind.title,
                audience=kind.audience,
                params=kind.params,
                default_subject=kind.subject,
                default_body=kind.body,
                subject=mine.subject if mine else kind.subject,
                body=mine.body if mine else kind.body,
                own=mine is not None,
                version=mine.version if mine else 0,
            )
        )
    return lines


def _check_template(name: str, value: str, allowed: tuple[str, ...], errors: list[FieldError]) -> None:
    try:
        used = placeholders(value)
    except ValueError:
        errors.append(FieldError(name, "фигурные скобки — только вокруг подстановок, например {task_title}"))
        return
    unknown = sorted(used - set(allowed))
    if unknown:
        names = ", ".join("{" + u + "}" for u in unknown)
        offered = ", ".join("{" + a + "}" for a in allowed)
        errors.append(FieldError(name, f"неизвестная подстановка {names}; можно использовать: {offered}"))


async def set_wording(
    db: AsyncSession, actor: Actor, kind: str, subject: str, body: str, version: int
) -> KindWording:
    """The region's own subject and body of ``kind``; ``version`` is the row's as read (0: none yet)."""
    region_id = region_of(actor)
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound
    errors: list[FieldError] = []
    subject = trimmed(errors, "subject", subject, SUBJECT_MAX, "укажите тему письма")
    body = trimmed(errors, "body", body, BODY_MAX, "укажите текст уведомления")
    for name, value in (("subject", subject), ("body", body)):
        if value:
            _check_template(name, value, spec.params, errors)
    if errors:
        raise InvalidInput("Текст уведомления не сохранён: исправьте отмеченные поля.", errors)
    row = (
        await db.execute(
            select(RegionNotificationTemplate).where(
                RegionNotificationTemplate.region_id == region_id, RegionNotificationTemplate.kind == kind
            )
        )
    ).scalar_one_or_none()
    if (row.version if row else 0) != version:
        raise Conflict("Текст уже изменил другой сотрудник: обновите страницу и повторите.", "subject")
    if row is None:
        row = RegionNotificationTemplate(region_id=region_id, kind=kind, version=0)
        db.add(row)
    row.subject, row.body, row.version, row.updated_at = subject, body, row.version + 1, clock.now()
    await audit.record_by(
        db,
        actor,
        "update",
        ObjectKind.REGION_NOTIFICATION_TEMPLATE,
        kind,
        org_id=None,
        details={"region_id": str(region_id), "subject": subject},
    )
    await db.commit()
    return next(w for w in await wordings(db, actor) if w.kind == kind)


async def reset_wording(db: AsyncSession, actor: Actor, kind: str) -> KindWording:
    """Back to the platform's wording of ``kind``."""
    region_id = region_of(actor)
    if kind not in KINDS:
        raise NotFound
    await db.execute(
        delete(RegionNotificationTemplate).where(
            RegionNotificationTemplate.region_id == region_id, RegionNotificationTemplate.kind == kind
        )
    )
    await audit.record_by(
        db,
        actor,
        "delete",
        ObjectKind.REGION_NOTIFICATION_TEMPLATE,
        kind,
        org_id=None,
        details={"region_id": str(region_id)},
    )
    await db.commit()
    return next(w for w in await wordings(db, actor) if w.kind == kind)


async def region_settings(db: AsyncSession, actor: Actor) -> RegionSettings:
    row = await db.get(RegionNotificationSettings, region_of(actor))
    if row is None:
        return RegionSettings(*DEFAULT_QUIET, DEFAULT_DIGEST_HOUR, 0)
    return RegionSettings(row.quiet_starts, row.quiet_ends, row.digest_hour, row.version)


async def set_region_settings(
    db: AsyncSession,
    actor: Actor,
    quiet_starts: time | None,
    quiet_ends: time | None,
    digest_hour: int,
    version: int,
) -> RegionSettings:
    region_id = region_of(actor)
    errors: list[FieldError] = []
    check_quiet_hours(quiet_starts, quiet_ends, errors, prefix="quiet_")
    if not 0 <= digest_hour <= 23:
        errors.append(FieldError("digest_hour", "час сводки — от 0 до 23"))
    if errors:
        raise InvalidInput("Настройки уведомлений не сохранены: исправьте отмеченные поля.", errors)
    row = await db.get(RegionNotificationSettings, region_id)
    if (row.version if row else 0) != version:
        raise Conflict(
            "Настройки уже изменил другой сотрудник: обновите страницу и повторите.", "digest_hour"
        )
    if row is None:
        row = RegionNotificationSettings(region_id=region_id, version=0)
        db.add(row)
    row.quiet_starts, row.quiet_ends, row.digest_hour = quiet_starts, quiet_ends, digest_hour
    row.version, row.updated_at = row.version + 1, clock.now()
    await audit.record_by(
        db,
        actor,
        "update",
        ObjectKind.REGION_NOTIFICATION_SETTINGS,
        region_id,
        org_id=None,
        details={
            "quiet_starts": quiet_starts.isoformat() if quiet_starts else None,
            "quiet_ends": quiet_ends.isoformat() if quiet_ends else None,
            "digest_hour": digest_hour,
        },
    )
    await db.commit()
    return await region_settings(db, actor)
