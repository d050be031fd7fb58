"""Headcounts: each organisation states its denominators per academic year; overseers read sums."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.scope import DbScope, rescope
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.reference import AcademicYear, Municipality, Organisation
from nastavnik.tenancy import Actor, NotFound, OrgContext

HEADCOUNT_FIELDS = ("learners_total", "learners_10_18", "pedagogues", "young_pedagogues")
MAX_HEADCOUNT = 1_000_000


@dataclass(frozen=True, slots=True)
class HeadcountValues:
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int


def validate(values: HeadcountValues) -> None:
    errors = []
    for field in HEADCOUNT_FIELDS:
        value = getattr(values, field)
        if value < 0 or value > MAX_HEADCOUNT:
            errors.append(FieldError(field, f"число от 0 до {MAX_HEADCOUNT}"))
    if values.learners_10_18 > values.learners_total:
        errors.append(FieldError("learners_10_18", "не может быть больше общего числа обучающихся"))
    if values.young_pedagogues > values.pedagogues:
        errors.append(FieldError("young_pedagogues", "не может быть больше числа педагогов"))
    if errors:
        raise InvalidInput("Численность содержит ошибки.", errors)


async def list_headcounts(db: AsyncSession, ctx: OrgContext) -> list[Headcount]:
    return list(
        await db.scalars(
            select(Headcount).where(ctx.owns(Headcount)).order_by(Headcount.academic_year.desc())
        )
    )


async def set_headcount(
    db: AsyncSession, ctx: OrgContext, start_year: int, values: HeadcountValues
) -> Headcount:
    ctx.require_role(ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
    if await db.get(AcademicYear, start_year) is None:
        raise NotFound
    validate(values)
    row = {field: getattr(values, field) for field in HEADCOUNT_FIELDS}
    statement = insert(Headcount).values(org_id=ctx.org.id, academic_year=start_year, **row)
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[Headcount.org_id, Headcount.academic_year], set_={**row, "updated_at": func.now()}
        )
    )
    await audit.record_in(db, ctx, "update", audit.ObjectKind.HEADCOUNT, start_year)
    await db.commit()
    headcount = (
        await db.scalars(select(Headcount).where(Headcount.academic_year == start_year, ctx.owns(Headcount)))
    ).one()
    return headcount


@dataclass(frozen=True, slots=True)
class HeadcountSummary:
    """Sums over the organisations of one municipality (or the region when municipality is None)."""

    municipality_id: uuid.UUID | None
    municipality_name: str
    organisations: int
    reporting: int
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int


async def oversight_summary(
    db: AsyncSession, actor: Actor, start_year: int, *, municipality_id: uuid.UUID | None = None
) -> list[HeadcountSummary]:
    """Headcount sums per municipality for the actor's oversight scope, read under the oversight policy.

    Only aggregates leave the database: the region never receives an organisation's people.
    """
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    counts = (
        select(
            Headcount.org_id,
            Headcount.learners_total,
            Headcount.learners_10_18,
            Headcount.pedagogues,
            Headcount.young_pedagogues,
        )
        .where(Headcount.academic_year == start_year)
        .subquery()
    )
    visible = select(func.nastavnik_oversight_orgs())
    query = (
        select(
            Municipality.id,
            Municipality.name,
            func.count(Organisation.id),
            func.count(counts.c.org_id),
            func.coalesce(func.sum(counts.c.learners_total), 0),
            func.coalesce(func.sum(counts.c.learners_10_18), 0),
            func.coalesce(func.sum(counts.c.pedagogues), 0),
            func.coalesce(func.sum(counts.c.young_pedagogues), 0),
        )
        .join(Organisation, Organisation.municipality_id == Municipality.id)
        .outerjoin(counts, counts.c.org_id == Organisation.id)
        .where(Organisation.id.in_(visible), Organisation.status == "active")
        .group_by(Municipality.id, Municipality.name)
        .order_by(Municipality.name)
    )
    if municipality_id is not None:
        query = query.where(Municipality.id == municipality_id)
    rows = await db.execute(query)
    summaries = [HeadcountSummary(*row) for row in rows]
    await audit.record_by(db, actor, "read", audit.ObjectKind.HEADCOUNT_SUMMARY, start_year, org_id=None)
    await db.commit()
    return summaries
