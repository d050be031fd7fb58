"""Headcounts: each organisation states its denominators per academic year; overseers read sums."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.scope import DbScope, rescope, rescope_reads
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.reference import AcademicYear, Municipality, Organisation
from nastavnik.tenancy import Actor, NotFound, OrgContext

HEADCOUNT_FIELDS = ("learners_total", "learners_10_18", "pedagogues", "young_pedagogues")
HEADCOUNT_TITLES = {
    "learners_total": "Обучающихся всего",
    "learners_10_18": "Обучающихся 10–18 лет",
    "pedagogues": "Педагогов",
    "young_pedagogues": "Молодых педагогов",
}
"""Each figure as the pages, the organisations' import and its export name it."""
MAX_HEADCOUNT = 1_000_000
WRITE_CHUNK = 2000


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


async def learners_in_pairs(db: AsyncSession, start_year: int) -> dict[uuid.UUID, int]:
    """Per organisation the session oversees or is a member of: the distinct learners who are members of
    a pair or group of the year's programmes that is active or completed.

    One number per organisation from a SECURITY DEFINER function (migration 0022): the region cannot read
    a child's record, and needs none to be told that a headcount is below what is already in pairs.
    """
    rows = await db.execute(
        text("SELECT org_id, learners FROM nastavnik_learners_in_pairs(:year)"), {"year": start_year}
    )
    return {org_id: int(learners) for org_id, learners in rows}


async def overseen_learners_in_pairs(db: AsyncSession, actor: Actor, start_year: int) -> dict[uuid.UUID, int]:
    """:func:`learners_in_pairs` of the organisations the actor oversees (under the oversight scope)."""
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    return await learners_in_pairs(db, start_year)


def below_pairs(learners_total: int, in_pairs: int) -> str | None:
    """The warning for a headcount of learners smaller than the learners already in pairs, or None."""
    if learners_total >= in_pairs:
        return None
    return (
        f"в наставнических парах и группах этого учебного года уже {in_pairs} обучающихся — "
        f"больше, чем указано ({learners_total}); проверьте численность"
    )


async def pairs_warning(
    db: AsyncSession, ctx: OrgContext, start_year: int, learners_total: int
) -> str | None:
    """The curator's own organisation: the warning when its stated learners are fewer than those in pairs."""
    counted = await learners_in_pairs(db, start_year)
    return below_pairs(learners_total, counted.get(ctx.org.id, 0))


async def overseen_headcounts(
    db: AsyncSession, actor: Actor, start_year: int, org_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Headcount]:
    """The year's headcounts of organisations the actor oversees (the oversight policy filters the rest)."""
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    if not org_ids:
        return {}
    rows = await db.scalars(
        select(Headcount).where(Headcount.academic_year == start_year, Headcount.org_id.in_(org_ids))
    )
    return {h.org_id: h for h in rows}


async def write_region_headcounts(
    db: AsyncSession, actor: Actor, values: dict[tuple[uuid.UUID, int], HeadcountValues]
) -> None:
    """Region staff set the headcounts of their region's organisations, (organisation, year) → figures.

    PostgreSQL admits only rows of organisations in the region's municipalities (migration 0022); the
    caller has checked the organisations and validated the figures. Not committed here: the
    organisations' import writes everything in one transaction.
    """
    if not values:
        return
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    rows = [
        {"org_id": org_id, "academic_year": year, **{f: getattr(v, f) for f in HEADCOUNT_FIELDS}}
        for (org_id, year), v in values.items()
    ]
    for start in range(0, len(rows), WRITE_CHUNK):  # a statement's parameters are bounded (32,767)
        statement = insert(Headcount).values(rows[start : start + WRITE_CHUNK])
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=[Headcount.org_id, Headcount.academic_year],
                set_={**{f: statement.excluded[f] for f in HEADCOUNT_FIELDS}, "updated_at": func.now()},
            )
        )


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
    db: AsyncSession,
    actor: Actor,
    start_year: int,
    *,
    municipality_id: uuid.UUID | None = None,
    reads: AsyncSession | None = None,
) -> list[HeadcountSummary]:
    """Headcount sums per municipality for the actor's oversight scope, read under the oversight policy.

    Only aggregates leave the database: the region never receives an organisation's people. Read through
    ``reads`` where the caller gives it (the read replica's session): the sums of what the organisations
    stated; the audit entry is written through ``db``.
    """
    source = await rescope_reads(db, reads, DbScope(identity_id=actor.identity_id, oversight=True))
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
    rows = await source.execute(query)
    summaries = [HeadcountSummary(*row) for row in rows]
    await audit.record_by(db, actor, "read", audit.ObjectKind.HEADCOUNT_SUMMARY, start_year, org_id=None)
    await db.commit()
    return summaries
