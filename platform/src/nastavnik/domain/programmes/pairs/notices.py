"""The notifications a pair's life writes, in the transaction of the event (docs/notifications.md).

A pair formed by its «Приказ о формировании пар (групп)» tells its mentors and mentees, with the order's
number and date; a pair completed tells them too, and one ended early also the curators, who must act on
it (art. 351.8 of the Labour Code). The outbox refuses a person who left or has no login; each key names
the event and the person, so a retried request writes nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.collation import name_order
from nastavnik.domain.notifications.outbox import notify
from nastavnik.domain.programmes.pairs.models import GroupMember, MemberRole, MentoringGroup, MentoringOrder
from nastavnik.models.people import Person, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.tenancy import OrgContext


def full_name(person: Person) -> str:
    return " ".join(part for part in (person.last_name, person.first_name, person.middle_name) if part)


async def _members(db: AsyncSession, ctx: OrgContext, group_id: uuid.UUID) -> list[tuple[str, Person]]:
    rows = await db.execute(
        select(GroupMember.role, Person)
        .join(Person, (Person.org_id == GroupMember.org_id) & (Person.id == GroupMember.person_id))
        .where(GroupMember.group_id == group_id, ctx.owns(GroupMember))
        .order_by(*name_order(Person.last_name, Person.first_name))
    )
    return [(role, person) for role, person in rows]


def _names(members: Iterable[tuple[str, Person]], role: MemberRole) -> str:
    return ", ".join(full_name(p) for r, p in members if r == role)


async def _curators(db: AsyncSession, ctx: OrgContext) -> list[uuid.UUID]:
    return list(
        await db.scalars(
            select(Person.id)
            .join(PersonRole, (PersonRole.org_id == Person.org_id) & (PersonRole.person_id == Person.id))
            .where(
                PersonRole.role == ProgrammeRole.CURATOR,
                Person.status == PersonStatus.ACTIVE,
                ctx.owns(Person),
            )
        )
    )


async def pairs_formed(
    db: AsyncSession, ctx: OrgContext, order: MentoringOrder, groups: Iterable[MentoringGroup]
) -> None:
    """«Сформирована пара» to each mentor and mentee of the groups an order formed."""
    for group in groups:
        members = await _members(db, ctx, group.id)
        params = {
            "mentor_name": _names(members, MemberRole.MENTOR),
            "mentee_name": _names(members, MemberRole.MENTEE),
            "order_number": order.number,
            "order_date": f"{order.issued_on:%d.%m.%Y}",
        }
        for _role, person in members:
            await notify(
                db,
                org_id=ctx.org.id,
                person_id=person.id,
                kind="pair_formed",
                params=params,
                key=f"pair_formed:{group.id}:{person.id}",
                link=f"/o/{ctx.org.slug}/my",
            )


async def pair_ended(db: AsyncSession, ctx: OrgContext, group: MentoringGroup, *, early: bool) -> None:
    """«Наставничество завершено» (or «прекращено досрочно», with the reason) to the group's members;
    an early end to the curators as well."""
    members = await _members(db, ctx, group.id)
    kind = "pair_ended_early" if early else "pair_completed"
    params = {
        "mentor_name": _names(members, MemberRole.MENTOR),
        "mentee_name": _names(members, MemberRole.MENTEE),
    }
    if early:
        params["reason"] = (group.end_reason or "").rstrip(".")
    recipients = {person.id: f"/o/{ctx.org.slug}/my" for _role, person in members}
    if early:
        group_page = f"/o/{ctx.org.slug}/programmes/{group.programme_id}/groups"
        for curator in await _curators(db, ctx):
            recipients.setdefault(curator, group_page)
    for person_id, link in recipients.items():
        await notify(
            db,
            org_id=ctx.org.id,
            person_id=person_id,
            kind=kind,
            params=params,
            key=f"{kind}:{group.id}:{person_id}",
            link=link,
        )
