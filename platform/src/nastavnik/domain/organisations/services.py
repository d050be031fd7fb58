"""Organisations: created by the region, seen by their members and their overseers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.inn import valid_inn
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Municipality, Organisation, OrgStatus, Region
from nastavnik.plugins import Plugins
from nastavnik.tenancy import SLUG_PATTERN, Actor, Forbidden, NotFound, StaffGrant


@dataclass(frozen=True, slots=True)
class OrganisationDraft:
    municipality_id: uuid.UUID
    type: str
    full_name: str
    short_name: str
    inn: str
    slug: str


def inn_checksum_ok(inn: str) -> bool:
    """An organisation's ИНН: a legal entity's, 10 digits with the right check digit."""
    return valid_inn(inn, individual=False)


async def create_organisation(
    db: AsyncSession, actor: Actor, draft: OrganisationDraft, plugins: Plugins
) -> Organisation:
    """Region staff create an organisation in a municipality of their region."""
    if not actor.grants(StaffRole.REGION):
        raise Forbidden
    municipality = await db.get(Municipality, draft.municipality_id)
    if (
        municipality is None
        or municipality.retired_at is not None  # retired: no new organisations there
        or not any(g.region_id == municipality.region_id for g in actor.grants(StaffRole.REGION))
    ):
        raise InvalidInput(
            "Муниципалитет не найден в вашем регионе.",
            [FieldError("municipality_id", "нет такого муниципалитета")],
        )
    errors = []
    types = plugins.organisation_types()
    if draft.type not in types:
        errors.append(
            FieldError("type", "неизвестный тип организации; допустимы: " + ", ".join(sorted(types)))
        )
    if not inn_checksum_ok(draft.inn):
        errors.append(FieldError("inn", "ИНН организации — 10 цифр с верной контрольной цифрой"))
    if not SLUG_PATTERN.match(draft.slug):
        errors.append(
            FieldError("slug", "адрес — латинские строчные буквы, цифры и дефис, от 2 до 63 знаков")
        )
    if not draft.full_name.strip() or not draft.short_name.strip():
        errors.append(FieldError("full_name", "укажите полное и краткое наименование"))
    if errors:
        raise InvalidInput("Организация не создана: исправьте ошибки.", errors)
    for field, value in (("slug", draft.slug), ("inn", draft.inn)):
        taken = await db.scalar(select(func.count()).where(getattr(Organisation, field) == value))
        if taken:
            raise Conflict(_duplicate_message(field), field)
    org = Organisation(
        municipality_id=draft.municipality_id,
        type=draft.type,
        full_name=draft.full_name.strip(),
        short_name=draft.short_name.strip(),
        inn=draft.inn,
        slug=draft.slug,
    )
    db.add(org)
    try:
        await db.flush()
    except IntegrityError as exc:  # a concurrent insert won the race
        field = "inn" if "inn" in str(exc.orig) else "slug"
        raise Conflict(_duplicate_message(field), field) from exc
    return org


def _duplicate_message(field: str) -> str:
    return {
        "slug": "Организация с таким адресом (slug) уже есть.",
        "inn": "Организация с таким ИНН уже есть.",
    }[field]


async def organisations_overseen(db: AsyncSession, actor: Actor) -> list[Organisation]:
    region_ids = [g.region_id for g in actor.grants(StaffRole.REGION)]
    municipality_ids = [g.municipality_id for g in actor.grants(StaffRole.MUNICIPALITY) if g.municipality_id]
    if not region_ids and not municipality_ids:
        raise Forbidden
    query = (
        select(Organisation)
        .join(Municipality, Municipality.id == Organisation.municipality_id)
        .where(Municipality.region_id.in_(region_ids) | Organisation.municipality_id.in_(municipality_ids))
        .order_by(Organisation.short_name)
    )
    return list(await db.scalars(query))


async def set_status(
    db: AsyncSession, actor: Actor, org_id: uuid.UUID, status: str, *, service_filter: bool = True
) -> Organisation:
    """The region deactivates an organisation (its people lose access at once) or reactivates it.

    PostgreSQL lets only the region's own staff change it (migration 0017); with the service's checks off
    (the isolation suite) the UPDATE goes out as asked, so the database alone must refuse it."""
    if not actor.grants(StaffRole.REGION):
        raise Forbidden
    if status not in set(OrgStatus):
        raise InvalidInput("Неизвестный статус.", [FieldError("status", "active или inactive")])
    if service_filter and not any(o.id == org_id for o in await organisations_overseen(db, actor)):
        raise NotFound
    org = await db.scalar(
        update(Organisation)
        .where(Organisation.id == org_id)
        .values(status=status, updated_at=func.now())
        .returning(Organisation)
        .execution_options(populate_existing=True)
    )
    if org is None:  # missing, or another region's: the row is not there for this actor
        raise NotFound
    return org


async def area_names(db: AsyncSession, grants: Sequence[StaffGrant]) -> dict[uuid.UUID, str]:
    """Names of the regions and municipalities of ``grants`` (shared reference data), by id."""
    regions = {g.region_id for g in grants}
    municipalities = {g.municipality_id for g in grants if g.municipality_id}
    names: dict[uuid.UUID, str] = {}
    if regions:
        for id_, name in await db.execute(select(Region.id, Region.name).where(Region.id.in_(regions))):
            names[id_] = name
    if municipalities:
        query = select(Municipality.id, Municipality.name).where(Municipality.id.in_(municipalities))
        for id_, name in await db.execute(query):
            names[id_] = name
    return names


async def rename(db: AsyncSession, actor: Actor, org_id: uuid.UUID, full_name: str, short_name: str) -> None:
    """Region staff correct an organisation's names (the import of the region's list); not committed here.

    PostgreSQL lets only the region's own staff update the row (migration 0017)."""
    if not actor.grants(StaffRole.REGION):
        raise Forbidden
    await db.execute(
        update(Organisation)
        .where(Organisation.id == org_id)
        .values(full_name=full_name, short_name=short_name, updated_at=func.now())
    )
