"""The partners' and internships' JSON API and pages: thin handlers over the services, the pages reading their
forms into the API's own bodies, so both refuse alike."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from nastavnik import MentoringPair, PluginCtx, confirmed, decode_form
from nastavnik_colleges import internships as practice, partners, representatives
from nastavnik_colleges.internships import InternshipIn, InternshipView
from nastavnik_colleges.models import Partner
from nastavnik_colleges.partners import PartnerChange, PartnerIn, PartnerOut, partner_out
from nastavnik_colleges.representatives import RepresentativeIn, RepresentativeView

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Id = FromPath[uuid.UUID]
TAGS = ["Колледжи: предприятия-партнёры"]


class PairOut(msgspec.Struct):
    id: uuid.UUID
    programme_id: uuid.UUID
    academic_year: int
    form_title: str
    status_title: str
    starts_on: date
    ends_on: date
    mentors: list[str]
    mentees: list[str]


class InternshipOut(msgspec.Struct):
    id: uuid.UUID
    group_id: uuid.UUID
    partner_id: uuid.UUID
    partner_name: str
    place: str
    starts_on: date
    ends_on: date


class RepresentativeOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str
    email: str | None
    position: str
    active: bool
    has_login: bool
    pairs: list[PairOut]


class PartnerCardOut(msgspec.Struct):
    partner: PartnerOut
    representatives: list[RepresentativeOut]
    internships: list[InternshipOut]


class PairInternshipsOut(msgspec.Struct):
    pair: PairOut
    internships: list[InternshipOut]


class InvitedOut(msgspec.Struct):
    person_id: uuid.UUID
    account_batch_id: uuid.UUID


def pair_out(p: MentoringPair) -> PairOut:
    return PairOut(
        p.id,
        p.programme_id,
        p.academic_year,
        p.form_title,
        p.status_title,
        p.starts_on,
        p.ends_on,
        [m.full_name for m in p.mentors],
        [m.full_name for m in p.mentees],
    )


def internship_out(v: InternshipView) -> InternshipOut:
    i = v.internship
    return InternshipOut(i.id, i.group_id, i.partner_id, v.partner_name, i.place, i.starts_on, i.ends_on)


def representative_out(v: RepresentativeView) -> RepresentativeOut:
    p = v.person
    return RepresentativeOut(
        p.id, p.full_name, p.email, v.position, p.active, p.has_login, [pair_out(x) for x in v.pairs]
    )


@dataclass(frozen=True, slots=True)
class PartnerCard:
    """What the partner's card shows: the record, its representatives with their pairs, its internships."""

    partner: Partner
    representatives: list[RepresentativeView]
    internships: list[InternshipView]


async def partner_card(ctx: PluginCtx, partner_id: uuid.UUID) -> PartnerCard:
    partner = await partners.get_partner(ctx, partner_id)
    return PartnerCard(
        partner,
        await representatives.representatives_of(ctx, partner.id),
        await practice.internships_of_partner(ctx, partner.id),
    )


class PartnersApi(Controller):
    path = "/partners"
    tags = TAGS

    @get("/", summary="Предприятия-партнёры")
    async def index(self, ctx: PluginCtx) -> list[PartnerOut]:
        return await partners.list_partners(ctx)

    @post("/", summary="Добавить предприятие-партнёр", status_code=HTTP_201_CREATED)
    async def create(self, ctx: PluginCtx, data: JSONBody[PartnerIn]) -> PartnerOut:
        return partner_out(await partners.create_partner(ctx, data))

    @get("/{partner_id:uuid}", summary="Карточка предприятия-партнёра")
    async def show(self, ctx: PluginCtx, partner_id: Id) -> PartnerCardOut:
        card = await partner_card(ctx, partner_id)
        return PartnerCardOut(
            partner_out(card.partner),
            [representative_out(v) for v in card.representatives],
            [internship_out(v) for v in card.internships],
        )

    @put("/{partner_id:uuid}", summary="Изменить предприятие-партнёр")
    async def update(self, ctx: PluginCtx, partner_id: Id, data: JSONBody[PartnerChange]) -> PartnerOut:
        return partner_out(await partners.update_partner(ctx, partner_id, data))

    @delete("/{partner_id:uuid}", summary="Удалить предприятие-партнёр", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, ctx: PluginCtx, partner_id: Id) -> None:
        await partners.delete_partner(ctx, partner_id)

    @post(
        "/{partner_id:uuid}/representatives",
        summary="Пригласить представителя предприятия наставником",
        status_code=HTTP_201_CREATED,
    )
    async def invite(self, ctx: PluginCtx, partner_id: Id, data: JSONBody[RepresentativeIn]) -> InvitedOut:
        invited = await representatives.invite_representative(ctx, partner_id, data)
        return InvitedOut(invited.person_id, invited.account_batch_id)

    @delete(
        "/{partner_id:uuid}/representatives/{person_id:uuid}",
        summary="Больше не представитель предприятия",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def unlink(self, ctx: PluginCtx, partner_id: Id, person_id: Id) -> None:
        await representatives.remove_representative(ctx, partner_id, person_id)


class InternshipsApi(Controller):
    path = "/internships"
    tags = TAGS

    @get("/", summary="Практика пар формы «Работодатель – студент»")
    async def index(self, ctx: PluginCtx) -> list[PairInternshipsOut]:
        return [
            PairInternshipsOut(pair_out(p.pair), [internship_out(v) for v in p.internships])
            for p in await practice.internships_by_pair(ctx)
        ]

    @post("/", summary="Записать практику пары", status_code=HTTP_201_CREATED)
    async def create(self, ctx: PluginCtx, data: JSONBody[InternshipIn]) -> InternshipOut:
        internship = await practice.record_internship(ctx, data)
        partner = await partners.get_partner(ctx, internship.partner_id)
        return internship_out(InternshipView(internship, partner.name))

    @delete("/{internship_id:uuid}", summary="Удалить запись о практике", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, ctx: PluginCtx, internship_id: Id) -> None:
        await practice.delete_internship(ctx, internship_id)


class PartnersPages(Controller):
    path = "/partners"
    tags = TAGS

    @get("/", summary="Предприятия-партнёры")
    async def index(self, ctx: PluginCtx) -> Template:
        return await ctx.page("colleges/partners.html", partners=await partners.list_partners(ctx))

    @post("/", summary="Добавить предприятие-партнёр (форма)")
    async def create(self, ctx: PluginCtx, data: Form) -> Redirect:
        partner = await partners.create_partner(ctx, decode_form(data, PartnerIn))
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/partners/{partner.id}")

    @get("/{partner_id:uuid}", summary="Карточка предприятия-партнёра")
    async def show(self, ctx: PluginCtx, partner_id: Id) -> Template:
        return await ctx.page("colleges/partner.html", card=await partner_card(ctx, partner_id))

    @post("/{partner_id:uuid}", summary="Изменить предприятие-партнёр (форма)")
    async def update(self, ctx: PluginCtx, partner_id: Id, data: Form) -> Redirect:
        await partners.update_partner(ctx, partner_id, decode_form(data, PartnerChange))
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/partners/{partner_id}")

    @post("/{partner_id:uuid}/delete", summary="Удалить предприятие-партнёр (после подтверждения)")
    async def remove(self, ctx: PluginCtx, partner_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что предприятие нужно удалить из реестра.")
        await partners.delete_partner(ctx, partner_id)
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/partners")

    @post("/{partner_id:uuid}/representatives", summary="Пригласить представителя (форма)")
    async def invite(self, ctx: PluginCtx, partner_id: Id, data: Form) -> Redirect:
        await representatives.invite_representative(ctx, partner_id, decode_form(data, RepresentativeIn))
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/partners/{partner_id}")

    @post(
        "/{partner_id:uuid}/representatives/{person_id:uuid}/delete",
        summary="Больше не представитель (после подтверждения)",
    )
    async def unlink(self, ctx: PluginCtx, partner_id: Id, person_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что человек больше не представляет предприятие.")
        await representatives.remove_representative(ctx, partner_id, person_id)
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/partners/{partner_id}")


class InternshipsPages(Controller):
    path = "/internships"
    tags = TAGS

    @get("/", summary="Практика пар формы «Работодатель – студент»")
    async def index(self, ctx: PluginCtx) -> Template:
        return await ctx.page(
            "colleges/internships.html",
            pairs=await practice.internships_by_pair(ctx),
            partners=await partners.list_partners(ctx),
        )

    @post("/", summary="Записать практику пары (форма)")
    async def create(self, ctx: PluginCtx, data: Form) -> Redirect:
        await practice.record_internship(ctx, decode_form(data, InternshipIn))
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/internships")

    @post("/{internship_id:uuid}/delete", summary="Удалить запись о практике (после подтверждения)")
    async def remove(self, ctx: PluginCtx, internship_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что запись о практике нужно удалить.")
        await practice.delete_internship(ctx, internship_id)
        return Redirect(path=f"/o/{ctx.org.slug}/p/colleges/internships")
