"""People of an organisation: the curator's base of staff and learners.

Every read of a person's record and every change is written to the audit log.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db import driver
from nastavnik.db.collation import name_order
from nastavnik.db.references import clear_references
from nastavnik.domain.bases.models import MentorProfile
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import (
    Person,
    PersonCategory,
    PersonRole,
    PersonStatus,
    ProgrammeRole,
    clean_email,
)
from nastavnik.plugin_services import PersonSummary
from nastavnik.tenancy import OrgContext

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
NAME_MAX = 100
EMAIL_TAKEN = "Этот адрес электронной почты уже указан у другого человека организации."


@dataclass(frozen=True, slots=True)
class PersonDraft:
    last_name: str
    first_name: str
    middle_name: str | None
    category: str
    status: str | None = None
    """``left`` ends the person's access to the organisation; ``active`` restores it."""
    email: str | None = None
    """Where an account invitation goes. On a change, None keeps the address and "" removes it."""


def validate_person(draft: PersonDraft) -> PersonDraft:
    """The draft cleaned (spaces, the address in lower case), or InvalidInput naming every wrong field."""
    errors = []
    cleaned = {}
    for field, label in (("last_name", "фамилию"), ("first_name", "имя")):
        value = " ".join(str(getattr(draft, field) or "").split())
        if not value:
            errors.append(FieldError(field, f"укажите {label}"))
        elif len(value) > NAME_MAX:
            errors.append(FieldError(field, f"не длиннее {NAME_MAX} знаков"))
        cleaned[field] = value
    middle = " ".join((draft.middle_name or "").split()) or None
    if middle and len(middle) > NAME_MAX:
        errors.append(FieldError("middle_name", f"не длиннее {NAME_MAX} знаков"))
    if draft.category not in set(PersonCategory):
        errors.append(FieldError("category", "категория: педагог, обучающийся или сотрудник"))
    if draft.status is not None and draft.status not in set(PersonStatus):
        errors.append(FieldError("status", "статус: active (работает, учится) или left (выбыл)"))
    email = None
    if draft.email is not None:
        email, mistake = clean_email(draft.email)
        if mistake:
            errors.append(FieldError("email", mistake))
    if errors:
        raise InvalidInput("Данные человека содержат ошибки.", errors)
    kept = None if draft.email is None else (email or "")
    return PersonDraft(
        cleaned["last_name"], cleaned["first_name"], middle, draft.category, draft.status, kept
    )


async def check_email_free(
    db: AsyncSession, ctx: OrgContext, email: str | None, person_id: uuid.UUID | None
) -> None:
    if not email:
        return
    query = select(Person.id).where(Person.email == email, ctx.owns(Person))
    if person_id is not None:
        query = query.where(Person.id != person_id)
    if (await db.scalars(query)).first() is not None:
        raise Conflict(EMAIL_TAKEN, "email")


async def _flushed(db: AsyncSession) -> None:
    """Write the person's record; the per-organisation e-mail index is the last word on duplicates."""
    try:
        await db.flush()
    except IntegrityError as exc:
        await db.rollback()
        if "uq_person_org_email" in str(exc.orig):
            raise Conflict(EMAIL_TAKEN, "email") from None
        raise


async def _saved(db: AsyncSession, ctx: OrgContext, action: str, person: Person) -> Person:
    """The person's record created or changed (``action``), audited and committed."""
    await _flushed(db)
    await audit.commit_in(db, ctx, action, audit.ObjectKind.PERSON, person.id, subject_person_id=person.id)
    return person


async def add_person(db: AsyncSession, ctx: OrgContext, clean: PersonDraft) -> Person:
    """A person from a validated draft (:func:`validate_person`), written but neither audited nor committed:
    for a change that adds more in the same transaction (an invitation)."""
    await check_email_free(db, ctx, clean.email, None)
    person = Person(
        org_id=ctx.org.id,
        last_name=clean.last_name,
        first_name=clean.first_name,
        middle_name=clean.middle_name,
        category=clean.category,
        email=clean.email or None,
    )
    db.add(person)
    await _flushed(db)
    return person


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A person as the organisation's list shows them: read without the ORM (no identity map for a list)."""

    id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    email: str | None
    category: str
    status: str
    version: int
    identity_id: uuid.UUID | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


def _list_statement(*, service_filter: bool) -> Select[Any]:
    """The organisation's people in name order, and the audit event of reading them, in one statement built
    once (the hot path: constructing it per request costs more than running it)."""
    person = Person.__table__
    people = select(*(person.c[f.name] for f in dataclasses.fields(PersonRow)))
    if service_filter:
        people = people.where(person.c.org_id == bindparam("org_id", type_=Uuid))
    rows = people.cte("people")
    return (
        select(rows)
        .add_cte(audit.read_riding_along(rows, audit.ObjectKind.PERSON_LIST))
        .order_by(*name_order(rows.c.last_name, rows.c.first_name), rows.c.id)
    )


_LIST = {
    True: driver.DriverStatement(_list_statement(service_filter=True)),
    False: driver.DriverStatement(_list_statement(service_filter=False)),
}


async def list_people(db: AsyncSession, ctx: OrgContext, *, commit: bool = True) -> list[PersonRow]:
    """The organisation's people, for its managers. The read is audited in the same statement (see
    audit.read_riding_along) and committed here, or, with ``commit=False``, by the caller, who must: the page
    commits once it has read the rest of itself, all in one transaction."""
    ctx.require_role(*MANAGERS)
    # On the driver's connection, in the session's transaction (nastavnik.db.driver).
    rows = await driver.fetch(db, _LIST[ctx.service_filter], {"org_id": ctx.org.id, **audit.read_params(ctx)})
    people = [PersonRow(*row) for row in rows]
    if commit:
        await db.commit()
    return people


async def summaries_of(
    db: AsyncSession, ctx: OrgContext, person_ids: Collection[uuid.UUID]
) -> list[PersonSummary]:
    """The organisation's people among ``person_ids``, alphabetically, for a plugin's list (read audited)."""
    ctx.require_role(*MANAGERS)
    people = await db.scalars(
        select(Person)
        .where(Person.id.in_(list(person_ids)), ctx.owns(Person))
        .order_by(*name_order(Person.last_name, Person.first_name), Person.id)
    )
    found = [
        PersonSummary(p.id, p.full_name, p.email, p.status == PersonStatus.ACTIVE, p.identity_id is not None)
        for p in people
    ]
    await audit.commit_in(db, ctx, "read", audit.ObjectKind.PERSON_LIST, details={"count": len(found)})
    return found


async def get_person(db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID) -> Person:
    """A person of the context's organisation; the person themself and managers may read it."""
    person = await ctx.find(db, Person, person_id)
    if person.id != ctx.person_id:
        ctx.require_role(*MANAGERS)
    await audit.commit_in(db, ctx, "read", audit.ObjectKind.PERSON, person.id, subject_person_id=person.id)
    return person


async def roles_of(db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID) -> list[str]:
    rows = await db.scalars(
        select(PersonRole.role)
        .where(PersonRole.person_id == person_id, ctx.owns(PersonRole))
        .order_by(PersonRole.role)
    )
    return list(rows)


async def create_person(db: AsyncSession, ctx: OrgContext, draft: PersonDraft) -> Person:
    ctx.require_role(*MANAGERS)
    person = await add_person(db, ctx, validate_person(draft))
    await audit.commit_in(db, ctx, "create", audit.ObjectKind.PERSON, person.id, subject_person_id=person.id)
    return person


async def update_person(
    db: AsyncSession,
    ctx: OrgContext,
    person_id: uuid.UUID,
    draft: PersonDraft,
    expected_version: int,
) -> Person:
    """Change a person's record if nobody changed it since ``expected_version`` (else Conflict)."""
    ctx.require_role(*MANAGERS)
    clean = validate_person(draft)
    person = await ctx.find(db, Person, person_id)
    if person.version != expected_version:
        raise Conflict("Запись уже изменил другой пользователь. Обновите страницу и повторите.", "version")
    if person.category == PersonCategory.LEARNER and clean.category != PersonCategory.LEARNER:
        # 152-FZ: the base of mentors keeps a birth date for a learner only (the learners' involvement
        # indicator); once the person is no longer a learner it has no purpose, so it goes.
        await db.execute(
            update(MentorProfile)
            .where(MentorProfile.person_id == person.id, ctx.owns(MentorProfile))
            .values(birth_date=None)
        )
    person.last_name, person.first_name = clean.last_name, clean.first_name
    person.middle_name, person.category = clean.middle_name, clean.category
    if clean.email is not None:
        await check_email_free(db, ctx, clean.email, person.id)
        person.email = clean.email or None
    if clean.status is not None:
        if clean.status == PersonStatus.LEFT and person.id == ctx.person_id:
            raise InvalidInput("Нельзя закрыть доступ самому себе.", [FieldError("status", "это вы")])
        person.status = clean.status
    return await _saved(db, ctx, "update", person)


async def set_roles(
    db: AsyncSession,
    ctx: OrgContext,
    person_id: uuid.UUID,
    roles: Sequence[str],
) -> list[str]:
    ctx.require_role(*MANAGERS)
    unknown = sorted(set(roles) - set(ProgrammeRole))
    if unknown:
        raise InvalidInput("Неизвестные роли.", [FieldError("roles", ", ".join(unknown))])
    person = await ctx.find(db, Person, person_id)
    await db.execute(delete(PersonRole).where(PersonRole.person_id == person.id, ctx.owns(PersonRole)))
    for role in sorted(set(roles)):
        db.add(PersonRole(org_id=ctx.org.id, person_id=person.id, role=role))
    await audit.record_in(
        db,
        ctx,
        "update",
        audit.ObjectKind.PERSON_ROLES,
        person.id,
        subject_person_id=person.id,
        details={"roles": sorted(set(roles))},
    )
    await db.commit()
    return sorted(set(roles))


async def delete_person(db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID) -> None:
    ctx.require_role(*MANAGERS)
    person = await ctx.find(db, Person, person_id)
    if person.id == ctx.person_id:
        raise InvalidInput("Нельзя удалить собственную запись.", [FieldError("person_id", "это вы")])
    # Journal entries, associations and events outlive the person: their references are cleared here,
    # not by ON DELETE SET NULL, which Citus refuses on a key holding org_id (migration 0029).
    await clear_references(db, Person.__tablename__, ctx.org.id, person.id)
    await db.delete(person)
    await audit.commit_in(db, ctx, "delete", audit.ObjectKind.PERSON, person_id, subject_person_id=person_id)
