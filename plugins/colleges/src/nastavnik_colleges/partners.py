"""The registry of partner enterprises (предприятия-партнёры): the curator's list, a partner's record and its
changes. Only the curator and the director work with it: it names the people the college works with."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nastavnik import MANAGERS, Conflict, FieldError, InvalidInput, PluginContext, valid_inn
from nastavnik_colleges.models import Internship, Partner, Representative

PARTNER = "colleges.partner"
"""The partner as an audited object (titled through ``register_audit_titles``)."""
Text300 = Annotated[str, msgspec.Meta(max_length=300)]


class PartnerIn(msgspec.Struct, forbid_unknown_fields=True):
    # Empty required fields are refused by the service, in Russian, with every other wrong field.
    name: Text300
    inn: Annotated[str, msgspec.Meta(max_length=12)]
    activity: Text300
    agreement_number: Annotated[str, msgspec.Meta(max_length=50)] = ""
    agreement_date: date | None = None
    contact: Text300 = ""


class PartnerChange(PartnerIn, forbid_unknown_fields=True):
    version: Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)] = 0
    """The version the change was made from: a stale one is refused (409), not merged."""


class PartnerOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    inn: str
    activity: str
    agreement_number: str | None
    agreement_date: date | None
    contact: str
    version: int
    representatives: int = 0
    internships: int = 0


def partner_out(p: Partner, representatives: int = 0, internships: int = 0) -> PartnerOut:
    return PartnerOut(
        p.id,
        p.name,
        p.inn,
        p.activity,
        p.agreement_number,
        p.agreement_date,
        p.contact,
        p.version,
        representatives,
        internships,
    )


def _cleaned(ctx: PluginContext, data: PartnerIn) -> dict[str, object]:
    """The record's values, trimmed; or every wrong field at once, each in Russian."""
    errors = []
    values: dict[str, object] = {
        "name": " ".join(data.name.split()),
        "inn": data.inn.strip(),
        "activity": " ".join(data.activity.split()),
        "agreement_number": data.agreement_number.strip() or None,
        "agreement_date": data.agreement_date,
        "contact": data.contact.strip(),
    }
    if not values["name"]:
        errors.append(FieldError("name", "укажите наименование предприятия"))
    if not valid_inn(str(values["inn"])):
        errors.append(
            FieldError(
                "inn", "ИНН — 10 цифр (организация) или 12 (предприниматель) с верными контрольными цифрами"
            )
        )
    if not values["activity"]:
        errors.append(FieldError("activity", "укажите сферу деятельности"))
    if values["agreement_number"] and data.agreement_date is None:
        errors.append(FieldError("agreement_date", "укажите дату договора"))
    elif data.agreement_date is not None and not values["agreement_number"]:
        errors.append(FieldError("agreement_number", "укажите номер договора"))
    if data.agreement_date is not None and data.agreement_date > ctx.today():
        errors.append(FieldError("agreement_date", "дата договора не может быть в будущем"))
    if errors:
        raise InvalidInput("Предприятие не сохранено: исправьте ошибки.", errors)
    return values


def _inn_taken() -> InvalidInput:
    return InvalidInput(
        "Предприятие не сохранено: оно уже есть в реестре.",
        [FieldError("inn", "предприятие с таким ИНН уже есть в реестре")],
    )


async def _check_inn_free(ctx: PluginContext, inn: object, besides: uuid.UUID | None = None) -> None:
    query = select(Partner.id).where(Partner.inn == inn, ctx.owns(Partner))
    if besides is not None:
        query = query.where(Partner.id != besides)
    if (await ctx.db.scalars(query)).first() is not None:
        raise _inn_taken()


async def _saved(ctx: PluginContext, action: str, partner: Partner) -> Partner:
    """Write, audit and commit; the unique index has the last word on a partner added twice at once."""
    try:
        await ctx.db.flush()
    except IntegrityError as exc:
        await ctx.db.rollback()
        if "uq_colleges_partner_inn" in str(exc.orig):
            raise _inn_taken() from None
        raise
    await ctx.audit(action=action, object_type=PARTNER, object_id=str(partner.id))
    await ctx.db.commit()
    return partner


async def list_partners(ctx: PluginContext) -> list[PartnerOut]:
    """Every partner with its counts of representatives and internships, by name."""
    ctx.require_role(*MANAGERS)
    representatives = (
        select(func.count())
        .where(Representative.partner_id == Partner.id, Representative.org_id == Partner.org_id)
        .scalar_subquery()
    )
    internships = (
        select(func.count())
        .where(Internship.partner_id == Partner.id, Internship.org_id == Partner.org_id)
        .scalar_subquery()
    )
    rows = await ctx.db.execute(
        select(Partner, representatives, internships)
        .where(ctx.owns(Partner))
        .order_by(func.lower(Partner.name), Partner.id)
    )
    return [partner_out(p, int(r), int(i)) for p, r, i in rows]


async def get_partner(ctx: PluginContext, partner_id: uuid.UUID) -> Partner:
    ctx.require_role(*MANAGERS)
    return await ctx.find(Partner, partner_id)


async def removed(ctx: PluginContext, row: object, object_type: str, object_id: uuid.UUID) -> None:
    """Delete a row of the plugin's, audited, and commit."""
    await ctx.db.delete(row)
    await ctx.audit(action="delete", object_type=object_type, object_id=str(object_id))
    await ctx.db.commit()


async def create_partner(ctx: PluginContext, data: PartnerIn) -> Partner:
    ctx.require_role(*MANAGERS)
    values = _cleaned(ctx, data)
    await _check_inn_free(ctx, values["inn"])
    partner = Partner(org_id=ctx.org.id, **values)
    ctx.db.add(partner)
    return await _saved(ctx, "create", partner)


async def update_partner(ctx: PluginContext, partner_id: uuid.UUID, data: PartnerChange) -> Partner:
    partner = await get_partner(ctx, partner_id)
    if partner.version != data.version:
        raise Conflict("Запись уже изменил другой пользователь. Обновите страницу и повторите.", "version")
    values = _cleaned(ctx, data)
    await _check_inn_free(ctx, values["inn"], besides=partner.id)
    for name, value in values.items():
        setattr(partner, name, value)
    return await _saved(ctx, "update", partner)


async def delete_partner(ctx: PluginContext, partner_id: uuid.UUID) -> None:
    """Remove a partner that nothing refers to. One with representatives or internships is refused rather
    than removed with them: they are people of the college and the record of students' practice, which
    the curator should end one by one, knowingly (the database refuses too: ``RESTRICT``)."""
    partner = await get_partner(ctx, partner_id)
    representatives = await ctx.db.scalar(
        select(func.count()).where(Representative.partner_id == partner.id, ctx.owns(Representative))
    )
    internships = await ctx.db.scalar(
        select(func.count()).where(Internship.partner_id == partner.id, ctx.owns(Internship))
    )
    if representatives or internships:
        raise InvalidInput(
            "Предприятие не удалено: с ним связаны представители-наставники или практики студентов.",
            [
                FieldError(
                    "partner_id",
                    f"представителей: {representatives}, практик: {internships}; "
                    "сначала уберите их со страницы предприятия",
                )
            ],
        )
    await removed(ctx, partner, PARTNER, partner_id)
