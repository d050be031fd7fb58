"""Who a document names: a person's name as the declension takes it, and who signs for a programme role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.collation import name_order
from nastavnik.domain.documents.names import PersonName
from nastavnik.models.people import Person, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.tenancy import OrgContext


def person_name(person: Person) -> PersonName:
    return PersonName(person.last_name, person.first_name, person.middle_name)


async def role_holder(db: AsyncSession, ctx: OrgContext, role: ProgrammeRole) -> PersonName | None:
    """Who signs for ``role`` in the organisation: the first by name of its active holders, or None (the
    document then leaves a blank line to write the name in)."""
    person = (
        await db.scalars(
            select(Person)
            .join(PersonRole, (PersonRole.org_id == Person.org_id) & (PersonRole.person_id == Person.id))
            .where(PersonRole.role == role, Person.status == PersonStatus.ACTIVE, ctx.owns(Person))
            .order_by(*name_order(Person.last_name, Person.first_name))
            .limit(1)
        )
    ).first()
    return None if person is None else person_name(person)
