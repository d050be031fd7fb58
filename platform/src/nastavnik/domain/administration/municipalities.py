"""A region's municipalities: its administrator creates, renames and retires them.

Two names that differ only in letter case, spaces or «ё»/«е» are the same municipality (a list typed by
hand has «Ханты-Мансийский район» and «ханты-мансийский  район»). A municipality that still has active
organisations is not retired: they would be left in a municipality nobody can pick (close or move them
first). A retired one keeps its organisations' history and statistics, and leaves the pickers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.administration.access import administered_municipality, administered_region_id
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.reference import Municipality, Organisation, OrgStatus
from nastavnik.tenancy import Actor
from nastavnik.words import plural_form

NAME_MAX = 200


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    municipality: Municipality
    organisations: int
    """Active organisations in it."""


def folded(name: str) -> str:
    """The name as compared for duplicates: spaces collapsed, letter case and «ё» ignored."""
    return " ".join(name.split()).casefold().replace("ё", "е")


def _checked_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(
            "Муниципалитет не сохранён.", [FieldError("name", "укажите название муниципалитета")]
        )
    if len(cleaned) > NAME_MAX:
        raise InvalidInput(
            "Муниципалитет не сохранён.", [FieldError("name", f"не длиннее {NAME_MAX} знаков")]
        )
    return cleaned


async def list_municipalities(db: AsyncSession, actor: Actor) -> list[MunicipalityRow]:
    """The administered region's municipalities, the active first, each with its active organisations."""
    region_id = administered_region_id(actor)
    active_orgs = (
        select(func.count())
        .where(Organisation.municipality_id == Municipality.id, Organisation.status == OrgStatus.ACTIVE)
        .scalar_subquery()
    )
    rows = await db.execute(
        select(Municipality, active_orgs)
        .where(Municipality.region_id == region_id)
        .order_by(Municipality.retired_at.is_not(None), Municipality.name)
    )
    return [MunicipalityRow(m, int(n)) for m, n in rows]


async def _refuse_duplicate(
    db: AsyncSession, region_id: uuid.UUID, name: str, *, but: uuid.UUID | None = None
) -> None:
    """Serialised per region, so two administrators adding the same name at once cannot both succeed."""
    await lock_for_transaction(db, [f"municipality-names:{region_id}"])
    names = await db.execute(
        select(Municipality.id, Municipality.name).where(Municipality.region_id == region_id)
    )
    if any(folded(existing) == folded(name) and mid != but for mid, existing in names):
        raise Conflict("В регионе уже есть муниципалитет с таким названием.", "name")


async def create_municipality(db: AsyncSession, actor: Actor, name: str) -> Municipality:
    region_id = administered_region_id(actor)
    cleaned = _checked_name(name)
    await _refuse_duplicate(db, region_id, cleaned)
    municipality = Municipality(id=uuid.uuid4(), region_id=region_id, name=cleaned)
    db.add(municipality)
    return await _recorded(db, actor, "create", municipality, {"name": cleaned})


async def rename_municipality(
    db: AsyncSession, actor: Actor, municipality_id: uuid.UUID, name: str
) -> Municipality:
    municipality = await administered_municipality(db, actor, municipality_id, lock=True)
    cleaned = _checked_name(name)
    if cleaned == municipality.name:
        await db.commit()
        return municipality  # the same name: nothing changes, nothing to record
    await _refuse_duplicate(db, municipality.region_id, cleaned, but=municipality.id)
    before, municipality.name = municipality.name, cleaned
    return await _recorded(db, actor, "update", municipality, {"name": cleaned, "was": before})


async def retire_municipality(db: AsyncSession, actor: Actor, municipality_id: uuid.UUID) -> Municipality:
    municipality = await administered_municipality(db, actor, municipality_id, lock=True)
    if municipality.retired_at is not None:
        return municipality  # already retired: nothing changes, nothing to record
    active = int(
        await db.scalar(
            select(func.count()).where(
                Organisation.municipality_id == municipality.id, Organisation.status == OrgStatus.ACTIVE
            )
        )
        or 0
    )
    if active:
        word = plural_form(active, "активная организация", "активные организации", "активных организаций")
        raise InvalidInput(
            f"В муниципалитете {active} {word}: закройте их или перенесите,"
            " прежде чем выводить муниципалитет из списка.",
            [FieldError("municipality_id", f"{active} {word}")],
        )
    municipality.retired_at = clock.now()
    return await _recorded(db, actor, "update", municipality, {"retired": True})


async def _recorded(
    db: AsyncSession, actor: Actor, action: str, municipality: Municipality, details: dict[str, object]
) -> Municipality:
    """The change written, in the audit log and committed together."""
    await db.flush()
    await audit.record_by(
        db, actor, action, audit.ObjectKind.MUNICIPALITY, municipality.id, org_id=None, details=details
    )
    await db.commit()
    return municipality
