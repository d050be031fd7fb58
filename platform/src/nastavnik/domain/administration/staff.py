"""A region's staff: its administrator appoints region staff, municipality coordinators, auditors and other
administrators, and removes them.

An appointment is recorded at once and worked off by the worker (``administration.provisioning``): the
Keycloak account, its realm role, the invitation and the grant. A removal deletes the grant, so the person's
next request has no grant (the actor is read from the database on every request); a region always keeps
one administrator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.administration.access import administered_region_id
from nastavnik.domain.administration.models import AppointmentStatus, StaffAppointment
from nastavnik.domain.administration.people import StaffPerson, checked_person
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.reference import Municipality
from nastavnik.tenancy import Actor, NotFound

ROLE_TITLES = {
    StaffRole.ADMIN: "администратор региона",
    StaffRole.REGION: "сотрудник региона",
    StaffRole.MUNICIPALITY: "координатор муниципалитета",
    StaffRole.AUDITOR: "аудитор",
}
"""Each staff role as the pages name it, in the order the form offers them."""


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: uuid.UUID
    role: str
    name: str
    email: str | None
    municipality_id: uuid.UUID | None
    municipality_name: str | None
    status: str
    """``done`` for a grant in force; else the appointment's (``pending``, ``retrying``, ``failed``)."""
    error: str | None
    identity_id: uuid.UUID | None


async def list_staff(db: AsyncSession, actor: Actor) -> list[StaffRow]:
    """The grants in force in the administered region and the appointments not yet done, by name."""
    region_id = administered_region_id(actor)
    granted = await db.execute(
        select(StaffAssignment, Identity.display_name, StaffAppointment.email, Municipality.name)
        .join(Identity, Identity.id == StaffAssignment.identity_id)
        .outerjoin(StaffAppointment, StaffAppointment.id == StaffAssignment.id)
        .outerjoin(Municipality, Municipality.id == StaffAssignment.municipality_id)
        .where(StaffAssignment.region_id == region_id)
    )
    rows = [
        StaffRow(
            a.id, a.role, name, email, a.municipality_id, mname, AppointmentStatus.DONE, None, a.identity_id
        )
        for a, name, email, mname in granted
    ]
    waiting = await db.execute(
        select(StaffAppointment, Municipality.name)
        .outerjoin(Municipality, Municipality.id == StaffAppointment.municipality_id)
        .where(StaffAppointment.region_id == region_id, StaffAppointment.status != AppointmentStatus.DONE)
    )
    person = StaffPerson
    rows += [
        StaffRow(
            a.id,
            a.role,
            person(a.last_name, a.first_name, a.middle_name, a.email).display_name,
            a.email,
            a.municipality_id,
            mname,
            a.status,
            a.last_error,
            None,
        )
        for a, mname in waiting
    ]
    return sorted(rows, key=lambda r: (r.name.casefold().replace("ё", "е"), r.role))


def checked_appointment(
    role: str,
    municipality_id: uuid.UUID | None,
    last_name: str,
    first_name: str,
    middle_name: str | None,
    email: str,
) -> tuple[StaffRole, StaffPerson]:
    errors: list[FieldError] = []
    known = {r.value for r in ROLE_TITLES}
    if role not in known:
        errors.append(FieldError("role", "выберите роль: " + ", ".join(ROLE_TITLES.values())))
    elif role == StaffRole.MUNICIPALITY and municipality_id is None:
        errors.append(FieldError("municipality_id", "выберите муниципалитет координатора"))
    person = checked_person(errors, last_name, first_name, middle_name, email)
    if errors:
        raise InvalidInput("Сотрудник не назначен: исправьте ошибки.", errors)
    return StaffRole(role), person


async def appoint(
    db: AsyncSession,
    actor: Actor,
    role: str,
    municipality_id: uuid.UUID | None,
    last_name: str,
    first_name: str,
    middle_name: str | None,
    email: str,
) -> StaffAppointment:
    """Record the appointment (committed); the caller schedules the worker's job."""
    region_id = administered_region_id(actor)
    staff_role, person = checked_appointment(role, municipality_id, last_name, first_name, middle_name, email)
    if staff_role is not StaffRole.MUNICIPALITY:
        municipality_id = None
    else:
        municipality = await db.get(Municipality, municipality_id)
        # Another region's municipality is refused as a missing one: nothing tells it exists.
        if municipality is None or municipality.region_id != region_id or municipality.retired_at is not None:
            raise InvalidInput(
                "Сотрудник не назначен: исправьте ошибки.",
                [FieldError("municipality_id", "нет такого муниципалитета в вашем регионе")],
            )
    await lock_for_transaction(db, [f"staff:{region_id}"])
    twice = await db.scalar(
        select(func.count()).where(
            StaffAppointment.region_id == region_id,
            StaffAppointment.role == staff_role,
            StaffAppointment.municipality_id.is_not_distinct_from(municipality_id),
            StaffAppointment.email == person.email,
        )
    )
    if twice:
        raise Conflict("Этот человек уже назначен на эту роль.", "email")
    appointment = StaffAppointment(
        id=uuid.uuid4(),
        region_id=region_id,
        role=staff_role,
        municipality_id=municipality_id,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        email=person.email,
        requested_by=actor.identity_id,
    )
    db.add(appointment)
    await db.flush()
    await audit.record_by(
        db,
        actor,
        "create",
        audit.ObjectKind.STAFF_APPOINTMENT,
        appointment.id,
        org_id=None,
        details={
            "role": staff_role.value,
            "municipality_id": str(municipality_id) if municipality_id else None,
        },
    )
    await db.commit()
    return appointment


async def remove(db: AsyncSession, actor: Actor, staff_id: uuid.UUID, *, confirmed: bool = True) -> None:
    """Remove a grant in force, or withdraw an appointment not yet done; the region keeps an administrator.
    ``confirmed``: the page's confirmation (asked after the lookup, so a stranger's id is a 404 first)."""
    region_id = administered_region_id(actor)
    await lock_for_transaction(db, [f"staff:{region_id}"])
    grant = (
        await db.scalars(
            select(StaffAssignment).where(
                StaffAssignment.id == staff_id, StaffAssignment.region_id == region_id
            )
        )
    ).one_or_none()
    appointment = (
        await db.scalars(
            select(StaffAppointment).where(
                StaffAppointment.id == staff_id, StaffAppointment.region_id == region_id
            )
        )
    ).one_or_none()
    if grant is None and appointment is None:
        raise NotFound
    if not confirmed:
        raise InvalidInput(
            "Подтвердите, что сотрудника нужно снять.", [FieldError("confirm", "отметьте подтверждение")]
        )
    if grant is not None and grant.role == StaffRole.ADMIN:
        administrators = await db.scalar(
            select(func.count()).where(
                StaffAssignment.region_id == region_id, StaffAssignment.role == StaffRole.ADMIN
            )
        )
        if (administrators or 0) <= 1:
            raise InvalidInput(
                "Нельзя снять последнего администратора региона: сначала назначьте другого администратора.",
                [FieldError("id", "последний администратор региона")],
            )
    role = grant.role if grant is not None else appointment.role if appointment is not None else ""
    if grant is not None:
        await db.execute(delete(StaffAssignment).where(StaffAssignment.id == staff_id))
    if appointment is not None:
        await db.execute(delete(StaffAppointment).where(StaffAppointment.id == staff_id))
    await audit.record_by(
        db, actor, "delete", audit.ObjectKind.STAFF_APPOINTMENT, staff_id, org_id=None, details={"role": role}
    )
    await db.commit()
