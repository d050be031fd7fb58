"""The organisation's people as the methodical work names them: leaders, members, observers, learners.

Everyone named is a person of the same organisation who has not left it. Teachers' roles (a leader, a
member, a responsible teacher, an observer) are never given to a learner; a learner takes part in a
decade's events, and only a learner.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.programmes.pairs.services import alphabetical
from nastavnik.errors import FieldError
from nastavnik.models.people import Person, PersonCategory, PersonStatus
from nastavnik.tenancy import OrgContext

TEACHERS = (PersonCategory.PEDAGOGUE.value, PersonCategory.STAFF.value)
LEARNERS = (PersonCategory.LEARNER.value,)


async def people_by_id(
    db: AsyncSession, ctx: OrgContext, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Person]:
    """The organisation's people among ``ids`` (others are simply absent)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {p.id: p for p in await db.scalars(select(Person).where(Person.id.in_(wanted), ctx.owns(Person)))}


def check_person(
    errors: list[FieldError],
    field: str,
    person: Person | None,
    categories: tuple[str, ...],
    refused: str,
) -> Person | None:
    """``person`` if it may be named in ``field``: of the organisation, working or studying there, of one of
    ``categories`` (else ``refused``, in Russian, says who may not be). Each problem goes to ``errors``."""
    if person is None:
        errors.append(FieldError(field, "нет такого человека в организации"))
    elif person.status != PersonStatus.ACTIVE:
        errors.append(FieldError(field, f"{person.full_name} выбыл(а) из организации"))
    elif person.category not in categories:
        errors.append(FieldError(field, f"{person.full_name}: {refused}"))
    else:
        return person
    return None


async def choosable(db: AsyncSession, ctx: OrgContext, categories: tuple[str, ...]) -> list[Person]:
    """The organisation's working people of ``categories``, by name, for a form's choices.

    A list of learners is a read of children's personal data: it is recorded in the audit log."""
    people = list(
        await db.scalars(
            select(Person).where(
                Person.category.in_(categories), Person.status == PersonStatus.ACTIVE, ctx.owns(Person)
            )
        )
    )
    if PersonCategory.LEARNER.value in categories:
        await audit.commit_in(
            db,
            ctx,
            "read",
            audit.ObjectKind.PERSON_LIST,
            details={"category": "learner", "count": len(people)},
        )
    return sorted(people, key=alphabetical)
