"""The organisation's pairs and groups as a plugin reads them (``ctx.mentoring_pairs``): who may see which is
decided as for the core's own pages (the managers every one, a member their own), the form worded by the
organisation's region, the read audited."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.dictionaries.catalogue import OrgDictionaries
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MemberRole, MentoringGroup
from nastavnik.domain.programmes.pairs.services import MANAGERS, Dictionaries, GroupView, views
from nastavnik.models.people import Person
from nastavnik.plugin_services import MentoringPair, PairPerson
from nastavnik.tenancy import OrgContext


def _people(found: list[Person]) -> tuple[PairPerson, ...]:
    return tuple(PairPerson(p.id, p.full_name) for p in found)


def _pair(view: GroupView, academic_year: int) -> MentoringPair:
    g = view.group
    return MentoringPair(
        id=g.id,
        programme_id=g.programme_id,
        academic_year=academic_year,
        form_code=g.form_code,
        form_title=view.form_title,
        status=g.status,
        status_title=view.status_title,
        starts_on=g.starts_on,
        ends_on=g.ends_on,
        mentors=_people(view.mentors),
        mentees=_people(view.mentees),
    )


async def mentoring_pairs(
    db: AsyncSession,
    ctx: OrgContext,
    dictionaries_of: OrgDictionaries,
    *,
    group_ids: Collection[uuid.UUID] | None = None,
    mentor_ids: Collection[uuid.UUID] | None = None,
    form_codes: Collection[str] | None = None,
) -> list[MentoringPair]:
    """The pairs the person may see that meet every filter given; newest academic year first."""
    query = (
        select(MentoringGroup, Programme.academic_year, Programme.regime)
        .join(
            Programme,
            (Programme.org_id == MentoringGroup.org_id) & (Programme.id == MentoringGroup.programme_id),
        )
        .where(ctx.owns(MentoringGroup))
    )
    if group_ids is not None:
        query = query.where(MentoringGroup.id.in_(list(group_ids)))
    if form_codes is not None:
        query = query.where(MentoringGroup.form_code.in_(list(form_codes)))
    if mentor_ids is not None:
        mentored = select(GroupMember.group_id).where(
            GroupMember.person_id.in_(list(mentor_ids)), GroupMember.role == MemberRole.MENTOR
        )
        query = query.where(MentoringGroup.id.in_(mentored.where(ctx.owns(GroupMember))))
    if not ctx.has_role(*MANAGERS):
        own = select(GroupMember.group_id).where(
            GroupMember.person_id == ctx.person_id, ctx.owns(GroupMember)
        )
        query = query.where(MentoringGroup.id.in_(own))
    rows = (
        await db.execute(
            query.order_by(Programme.academic_year.desc(), MentoringGroup.starts_on, MentoringGroup.id)
        )
    ).all()
    found: dict[uuid.UUID, MentoringPair] = {}
    for regime in {regime for _, _, regime in rows}:
        of_regime = [(g, year) for g, year, r in rows if r == regime]
        years = {g.id: year for g, year in of_regime}
        shown = await views(db, ctx, Dictionaries.of(dictionaries_of, regime), [g for g, _ in of_regime])
        found.update((v.group.id, _pair(v, years[v.group.id])) for v in shown)
    pairs = [found[g.id] for g, _, _ in rows]
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.MENTORING_GROUP_LIST, details={"count": len(pairs)}
    )
    return pairs
