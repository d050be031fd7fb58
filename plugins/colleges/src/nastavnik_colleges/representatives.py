"""A partner's representatives who mentor students («работодатель – студент»).

A representative is a person of the college like any other mentor: the curator invites them and the core
makes them a person of the organisation, enters them in the base of mentors and sends them the invitation
to sign in (``ctx.invite_mentor``); this plugin keeps only which partner they come from and their post
there. The form «Работодатель – студент» names no category of mentor, so they may mentor in its pairs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import msgspec
from sqlalchemy import select

from nastavnik import (
    FieldError,
    InvitedMentor,
    MentoringPair,
    MentorInvitation,
    NotFound,
    PersonSummary,
    PluginContext,
)
from nastavnik_colleges.models import Representative
from nastavnik_colleges.partners import get_partner, removed

REPRESENTATIVE = "colleges.representative"
Name = Annotated[str, msgspec.Meta(max_length=100)]


class RepresentativeIn(msgspec.Struct, forbid_unknown_fields=True):
    last_name: Name
    first_name: Name
    email: Annotated[str, msgspec.Meta(max_length=254)]
    position: Annotated[str, msgspec.Meta(max_length=200)]
    middle_name: Name = ""
    consent_on: date | None = None
    """The date of their written consent to mentor, if already given: a pair needs it."""
    capacity: Annotated[int, msgspec.Meta(ge=-2_147_483_648, le=2_147_483_647)] = 1
    """Students they take at most; the core checks 1–20."""


@dataclass(frozen=True, slots=True)
class RepresentativeView:
    person: PersonSummary
    position: str
    pairs: list[MentoringPair] = field(default_factory=list)
    """The pairs and groups they mentor, in any form."""


async def invite_representative(
    ctx: PluginContext, partner_id: uuid.UUID, data: RepresentativeIn
) -> InvitedMentor:
    """Invite the partner's specialist to mentor: the core's invitation and the link, in one transaction."""
    partner = await get_partner(ctx, partner_id)
    position = " ".join(data.position.split())
    errors = []
    if not position:
        errors.append(FieldError("position", "укажите должность на предприятии"))
    if not data.email.strip():
        errors.append(FieldError("email", "укажите адрес: на него придёт приглашение войти в «Наставник»"))
    invitation = MentorInvitation(
        last_name=data.last_name,
        first_name=data.first_name,
        middle_name=data.middle_name or None,
        email=data.email,
        consent_on=data.consent_on,
        capacity=data.capacity,
    )

    async def link(person_id: uuid.UUID) -> None:
        ctx.db.add(
            Representative(org_id=ctx.org.id, person_id=person_id, partner_id=partner.id, position=position)
        )
        await ctx.audit(action="create", object_type=REPRESENTATIVE, object_id=str(person_id))

    return await ctx.invite_mentor(invitation, before_commit=link, errors=errors)


async def representatives_of(ctx: PluginContext, partner_id: uuid.UUID) -> list[RepresentativeView]:
    """The partner's representatives, alphabetically, each with the pairs they mentor."""
    links = {
        r.person_id: r
        for r in await ctx.db.scalars(
            select(Representative).where(Representative.partner_id == partner_id, ctx.owns(Representative))
        )
    }
    if not links:
        return []
    views = [RepresentativeView(p, links[p.id].position) for p in await ctx.people(links)]
    by_person = {v.person.id: v for v in views}
    for pair in await ctx.mentoring_pairs(mentor_ids=links):
        for mentor in pair.mentors:
            if mentor.id in by_person:
                by_person[mentor.id].pairs.append(pair)
    return views


async def remove_representative(ctx: PluginContext, partner_id: uuid.UUID, person_id: uuid.UUID) -> None:
    """The person no longer represents the partner; they stay a person of the college (and a mentor of
    their pairs) until the curator changes that on their card."""
    partner = await get_partner(ctx, partner_id)
    link = (
        await ctx.db.scalars(
            select(Representative).where(
                Representative.person_id == person_id,
                Representative.partner_id == partner.id,
                ctx.owns(Representative),
            )
        )
    ).one_or_none()
    if link is None:
        raise NotFound
    await removed(ctx, link, REPRESENTATIVE, person_id)
