"""Regions: the platform administrator creates one with its first administrator; the command line bootstraps
the first region of an installation the same way.

A region's first administrator is asked for as an appointment (``staff_appointment``), which the worker turns
into a Keycloak account with the administrator's realm role and a grant in the platform. The administrator
appointed this way is also the region's staff (``region``), so they can connect organisations at once.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.administration.models import StaffAppointment
from nastavnik.domain.administration.people import StaffPerson, checked_person
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.identity import StaffAssignment, StaffRole
from nastavnik.models.reference import Region
from nastavnik.tenancy import Actor, Forbidden

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,15}$")
NAME_MAX = 200
FIRST_ADMIN_ROLES = (StaffRole.ADMIN, StaffRole.REGION)


@dataclass(frozen=True, slots=True)
class RegionDraft:
    code: str
    name: str
    timezone: str
    admin: StaffPerson


@dataclass(frozen=True, slots=True)
class RegionRow:
    region: Region
    administrators: int
    """Administrators whose accounts are made (grants in the platform)."""
    pending: int
    """Appointments of administrators the worker has not finished (or could not)."""


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_timezone(name: str) -> bool:
    """An IANA time zone the server knows (``Asia/Yekaterinburg``), not an offset or a file path."""
    return name in _known_timezones()


def checked_region(
    code: str,
    name: str,
    timezone: str,
    admin_last_name: str,
    admin_first_name: str,
    admin_middle_name: str | None,
    admin_email: str,
) -> RegionDraft:
    """The region as typed, or InvalidInput naming every wrong field."""
    errors: list[FieldError] = []
    code, name, timezone = code.strip(), " ".join(name.split()), timezone.strip()
    if not CODE.match(code):
        errors.append(FieldError("code", "код — латинские буквы, цифры и дефис, до 16 знаков (например, 86)"))
    if not name:
        errors.append(FieldError("name", "укажите название региона"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("name", f"не длиннее {NAME_MAX} знаков"))
    if not valid_timezone(timezone):
        errors.append(
            FieldError(
                "timezone", "укажите часовой пояс из базы IANA, например Asia/Yekaterinburg или Europe/Moscow"
            )
        )
    admin = checked_person(
        errors, admin_last_name, admin_first_name, admin_middle_name, admin_email, prefix="admin_"
    )
    if errors:
        raise InvalidInput("Регион не создан: исправьте ошибки.", errors)
    return RegionDraft(code, name, timezone, admin)


def require_platform_admin(actor: Actor) -> None:
    if not actor.platform_admin:
        raise Forbidden


async def list_regions(db: AsyncSession, actor: Actor) -> list[RegionRow]:
    """Every region with how many administrators it has (the platform administrator's list)."""
    require_platform_admin(actor)
    admins = (
        select(func.count())
        .where(StaffAssignment.region_id == Region.id, StaffAssignment.role == StaffRole.ADMIN)
        .scalar_subquery()
    )
    pending = (
        select(func.count())
        .where(
            StaffAppointment.region_id == Region.id,
            StaffAppointment.role == StaffRole.ADMIN,
            StaffAppointment.status != "done",
        )
        .scalar_subquery()
    )
    rows = await db.execute(select(Region, admins, pending).order_by(Region.code))
    return [RegionRow(region, int(a), int(p)) for region, a, p in rows]


async def create_region(
    db: AsyncSession, actor: Actor | None, draft: RegionDraft
) -> tuple[Region, list[uuid.UUID]]:
    """The region and its first administrator's appointments (administrator and region staff); flushed, not
    committed. ``actor``: the platform administrator (None: the command line, as the owner role)."""
    if actor is not None:
        require_platform_admin(actor)
    await lock_for_transaction(db, [f"region-code:{draft.code.casefold()}"])
    taken = await db.scalar(select(func.count()).where(func.lower(Region.code) == draft.code.casefold()))
    if taken:
        raise Conflict("Регион с таким кодом уже есть.", "code")
    region = Region(id=uuid.uuid4(), code=draft.code, name=draft.name, timezone=draft.timezone)
    db.add(region)
    await db.flush()
    appointments = [
        StaffAppointment(
            id=uuid.uuid4(),
            region_id=region.id,
            role=role,
            last_name=draft.admin.last_name,
            first_name=draft.admin.first_name,
            middle_name=draft.admin.middle_name,
            email=draft.admin.email,
            requested_by=actor.identity_id if actor else None,
        )
        for role in FIRST_ADMIN_ROLES
    ]
    # The administrator's first: the bootstrap policy admits the first administrator of a region without one.
    for appointment in appointments:
        db.add(appointment)
        await db.flush()
    if actor is not None:
        await audit.record_by(
            db,
            actor,
            "create",
            audit.ObjectKind.REGION,
            region.id,
            org_id=None,
            details={"code": region.code},
        )
        for appointment in appointments:
            await audit.record_by(
                db,
                actor,
                "create",
                audit.ObjectKind.STAFF_APPOINTMENT,
                appointment.id,
                org_id=None,
                details={"region": region.code, "role": appointment.role},
            )
    return region, [a.id for a in appointments]
