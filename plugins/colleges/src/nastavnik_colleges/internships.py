"""Internships (практика) of the pairs whose form needs them: a student of a pair «работодатель – студент»
practises at a partner enterprise, in a place and a term the curator records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import msgspec
from sqlalchemy import ColumnElement, select

from nastavnik import MANAGERS, FieldError, InvalidInput, MentoringPair, PluginContext
from nastavnik_colleges.models import Internship, Partner
from nastavnik_colleges.partners import removed

INTERNSHIP = "colleges.internship"
INTERNSHIP_FORMS = frozenset({"employer_student"})
"""The forms of mentoring whose pairs practise at an enterprise."""
EMPLOYER_FORM_TITLE = "Работодатель – студент"
MAX_INTERNSHIP_DAYS = 366
"""Longer is a slip of the keyboard (a wrong year), not a practice."""


class InternshipIn(msgspec.Struct, forbid_unknown_fields=True):
    group_id: uuid.UUID
    partner_id: uuid.UUID
    place: Annotated[str, msgspec.Meta(max_length=300)]
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class InternshipView:
    internship: Internship
    partner_name: str
    pair: MentoringPair | None = None
    """The pair, where the page shows it (the partner's page); None where it goes without saying."""


@dataclass(frozen=True, slots=True)
class PairInternships:
    pair: MentoringPair
    internships: list[InternshipView] = field(default_factory=list)


def _term_errors(data: InternshipIn) -> list[FieldError]:
    if data.ends_on <= data.starts_on:
        return [FieldError("ends_on", "окончание практики должно быть позже начала")]
    if (data.ends_on - data.starts_on).days > MAX_INTERNSHIP_DAYS:
        return [FieldError("ends_on", "практика длится не больше года")]
    return []


async def record_internship(ctx: PluginContext, data: InternshipIn) -> Internship:
    """Record a pair's internship: a pair of a form that needs one, a partner of the same college, a term in
    order; every wrong field refused at once, nothing written."""
    ctx.require_role(*MANAGERS)
    errors = _term_errors(data)
    pairs = await ctx.mentoring_pairs(group_ids=[data.group_id])  # before any write: the read is committed
    if not pairs:
        errors.append(FieldError("group_id", "такой пары нет в организации"))
    elif pairs[0].form_code not in INTERNSHIP_FORMS:
        errors.append(
            FieldError(
                "group_id",
                f"практика записывается только для пар формы «{EMPLOYER_FORM_TITLE}», "
                f"а эта пара — формы «{pairs[0].form_title}»",
            )
        )
    partner = await ctx.db.scalar(select(Partner.id).where(Partner.id == data.partner_id, ctx.owns(Partner)))
    if partner is None:
        errors.append(FieldError("partner_id", "такого предприятия нет в реестре партнёров"))
    place = " ".join(data.place.split())
    if not place:
        errors.append(FieldError("place", "укажите место практики: подразделение, должность"))
    if errors:
        raise InvalidInput("Практика не записана: исправьте ошибки.", errors)
    internship = Internship(
        org_id=ctx.org.id,
        group_id=data.group_id,
        partner_id=data.partner_id,
        place=place,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    ctx.db.add(internship)
    await ctx.db.flush()
    await ctx.audit(action="create", object_type=INTERNSHIP, object_id=str(internship.id))
    await ctx.db.commit()
    return internship


async def delete_internship(ctx: PluginContext, internship_id: uuid.UUID) -> None:
    ctx.require_role(*MANAGERS)
    await removed(ctx, await ctx.find(Internship, internship_id), INTERNSHIP, internship_id)


async def _views(ctx: PluginContext, *where: ColumnElement[bool]) -> list[InternshipView]:
    rows = await ctx.db.execute(
        select(Internship, Partner.name)
        .join(Partner, (Partner.org_id == Internship.org_id) & (Partner.id == Internship.partner_id))
        .where(ctx.owns(Internship), *where)
        .order_by(Internship.starts_on, Internship.id)
    )
    return [InternshipView(i, name) for i, name in rows]


async def internships_by_pair(ctx: PluginContext) -> list[PairInternships]:
    """Every pair of a form that needs internships, newest year first, each with its internships."""
    ctx.require_role(*MANAGERS)
    shown = [PairInternships(pair) for pair in await ctx.mentoring_pairs(form_codes=INTERNSHIP_FORMS)]
    by_group = {p.pair.id: p for p in shown}
    for view in await _views(ctx, Internship.group_id.in_(list(by_group))):
        by_group[view.internship.group_id].internships.append(view)
    return shown


async def internships_of_partner(ctx: PluginContext, partner_id: uuid.UUID) -> list[InternshipView]:
    """The partner's internships, each with its pair."""
    views = await _views(ctx, Internship.partner_id == partner_id)
    if not views:
        return []
    pairs = {p.id: p for p in await ctx.mentoring_pairs(group_ids={v.internship.group_id for v in views})}
    return [InternshipView(v.internship, v.partner_name, pairs.get(v.internship.group_id)) for v in views]
