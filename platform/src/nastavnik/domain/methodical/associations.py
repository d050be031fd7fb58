"""Associations of the academic year: a club, a decade, the council, a creative group; created, changed
and deleted by the curator or the director (the leader writes only the conclusions: summary, products).

A decade has its dates: at most 31 days inside its academic year, and two decades of one methodical
association (the subject area, compared without case and surrounding spaces) never overlap. The other
shapes last the academic year. One club and one council a year (the database holds it too).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.methodical.access import (
    association_in,
    current_year,
    is_closed,
    readable_shape,
    require_manager,
    require_open_year,
    require_steward,
    year_title,
)
from nastavnik.domain.methodical.models import Association, AssociationEvent, AssociationMember
from nastavnik.domain.methodical.people import TEACHERS, check_person, people_by_id
from nastavnik.errors import Conflict, FieldError, InvalidInput, trimmed
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import MANAGERS, Forbidden, OrgContext
from nastavnik.types import AssociationKind, AssociationShape

DECADE_DAYS = 31
"""The longest a decade (a college's week of its commission) may last, both ends counted."""
LIMITS = {"name": 300, "subject_area": 300, "summary": 20000, "products": 20000}
NAMED_BY_KIND = {AssociationShape.CLUB.value, AssociationShape.COUNCIL.value}
"""Shapes that may go without a name of their own: they are called as the plugin calls them."""
STEWARDED = {"summary", "products"}
"""What the leader may change of the association: its conclusions; the rest is the managers'."""
STALE = "Запись уже изменил другой пользователь. Обновите страницу и повторите."


@dataclass(frozen=True, slots=True)
class AssociationDraft:
    """What a form or the API says of an association; which fields count depends on its shape."""

    name: str = ""
    subject_area: str = ""
    leader_id: uuid.UUID | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    summary: str = ""
    products: str = ""


def _text(errors: list[FieldError], name: str, value: str, missing: str | None = None) -> str:
    return trimmed(errors, name, value, LIMITS[name], missing)


def area_key(subject_area: str) -> str:
    """A methodical association as decades are compared by it: trimmed, without case."""
    return subject_area.strip().casefold()


def _decade_dates(errors: list[FieldError], year: int, draft: AssociationDraft) -> None:
    starts, ends = AcademicYear.bounds(year)
    if draft.starts_on is None:
        errors.append(FieldError("starts_on", "укажите первый день"))
    if draft.ends_on is None:
        errors.append(FieldError("ends_on", "укажите последний день"))
    if draft.starts_on is None or draft.ends_on is None:
        return
    within = f"в пределах {year_title(year)} учебного года: {starts:%d.%m.%Y} – {ends:%d.%m.%Y}"
    for name, day in (("starts_on", draft.starts_on), ("ends_on", draft.ends_on)):
        if not starts <= day <= ends:
            errors.append(FieldError(name, within))
    if draft.ends_on < draft.starts_on:
        errors.append(FieldError("ends_on", "не раньше первого дня"))
    elif (draft.ends_on - draft.starts_on).days + 1 > DECADE_DAYS:
        errors.append(FieldError("ends_on", f"не дольше {DECADE_DAYS} дней"))


async def _checked(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, year: int, draft: AssociationDraft
) -> AssociationDraft:
    """The draft tidied for the shape, or InvalidInput naming every wrong field."""
    shape = kind.shape.value
    errors: list[FieldError] = []
    name = _text(errors, "name", draft.name, None if shape in NAMED_BY_KIND else "укажите название")
    missing_area = {
        AssociationShape.DECADE.value: "укажите методическое объединение или предметную область",
        AssociationShape.CREATIVE_GROUP.value: "укажите тему",
    }.get(shape)
    area = _text(errors, "subject_area", draft.subject_area, missing_area)
    summary = _text(errors, "summary", draft.summary)
    products = _text(errors, "products", draft.products)
    if draft.leader_id is not None:
        people = await people_by_id(db, ctx, [draft.leader_id])
        check_person(
            errors, "leader_id", people.get(draft.leader_id), TEACHERS, "руководит педагог, не обучающийся"
        )
    starts_on = ends_on = None
    if shape == AssociationShape.DECADE.value:
        _decade_dates(errors, year, draft)
        starts_on, ends_on = draft.starts_on, draft.ends_on
    if errors:
        raise InvalidInput(f"{kind.title}: запись не сохранена, исправьте ошибки.", errors)
    return AssociationDraft(name or kind.title, area, draft.leader_id, starts_on, ends_on, summary, products)


async def _no_overlap(
    db: AsyncSession, ctx: OrgContext, draft: AssociationDraft, own_id: uuid.UUID | None
) -> None:
    """Refuse a decade overlapping another of the same methodical association, naming it.

    The organisation's decades are checked one writer at a time (an advisory lock until the commit), so
    two curators planning at the same moment cannot both slip past each other."""
    assert draft.starts_on is not None  # checked before
    assert draft.ends_on is not None
    await lock_for_transaction(db, [f"methodical-decades:{ctx.org.id}"])
    query = select(Association).where(
        Association.shape == AssociationShape.DECADE.value,
        func.lower(func.btrim(Association.subject_area)) == area_key(draft.subject_area),
        Association.starts_on <= draft.ends_on,
        Association.ends_on >= draft.starts_on,
        ctx.owns(Association),
    )
    if own_id is not None:
        query = query.where(Association.id != own_id)
    other = (await db.scalars(query.order_by(Association.starts_on).limit(1))).first()
    if other is not None:
        assert other.starts_on is not None
        assert other.ends_on is not None
        detail = (
            f"пересекается с декадой «{other.name}» ({other.starts_on:%d.%m.%Y} – {other.ends_on:%d.%m.%Y})"
            f" того же методического объединения"
        )
        raise InvalidInput(f"Декада не сохранена: она {detail}.", [FieldError("starts_on", detail)])


async def _events_inside(
    db: AsyncSession, ctx: OrgContext, association: Association, draft: AssociationDraft
) -> None:
    """Refuse new dates of a decade that would leave some of its events outside them."""
    outside = await db.scalar(
        select(func.count())
        .select_from(AssociationEvent)
        .where(
            AssociationEvent.association_id == association.id,
            (AssociationEvent.held_on < draft.starts_on) | (AssociationEvent.held_on > draft.ends_on),
            ctx.owns(AssociationEvent),
        )
    )
    if outside:
        detail = f"мероприятий декады вне новых дат: {outside}; сначала перенесите их"
        raise InvalidInput(
            "Декада не сохранена: её мероприятия не поместятся в новые даты.",
            [FieldError("starts_on", detail)],
        )


async def create_association(
    db: AsyncSession, ctx: OrgContext, shape: str, year: int, draft: AssociationDraft
) -> Association:
    kind = readable_shape(ctx, shape)
    require_manager(ctx)
    require_open_year(ctx, year)
    cleaned = await _checked(db, ctx, kind, year, draft)
    if shape == AssociationShape.DECADE.value:
        await _no_overlap(db, ctx, cleaned, None)
    association = Association(
        org_id=ctx.org.id, id=uuid.uuid4(), shape=shape, academic_year=year, **asdict(cleaned)
    )
    db.add(association)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(f"{kind.title} на {year_title(year)} учебный год уже есть.", "academic_year") from None
    await audit.commit_in(
        db, ctx, "create", audit.ObjectKind.METHODICAL_ASSOCIATION, association.id, details={"shape": shape}
    )
    return association


async def update_association(
    db: AsyncSession,
    ctx: OrgContext,
    shape: str,
    association_id: uuid.UUID,
    draft: AssociationDraft,
    expected_version: int,
) -> Association:
    """Change an association: a manager all of it, its leader only the conclusions (summary, products)."""
    kind, association = await association_in(db, ctx, shape, association_id)
    require_steward(ctx, association)
    require_open_year(ctx, association.academic_year)
    if association.version != expected_version:
        raise Conflict(STALE, "version")
    cleaned = await _checked(db, ctx, kind, association.academic_year, draft)
    changed = {k for k, v in asdict(cleaned).items() if getattr(association, k) != v}
    if changed - STEWARDED and not ctx.has_role(*MANAGERS):
        raise Forbidden  # the leader writes the conclusions; the rest is the curator's or the director's
    if shape == AssociationShape.DECADE.value:
        await _no_overlap(db, ctx, cleaned, association.id)
        await _events_inside(db, ctx, association, cleaned)
    for name in changed:
        setattr(association, name, getattr(cleaned, name))
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.METHODICAL_ASSOCIATION, association.id)
    return association


async def delete_association(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID
) -> None:
    """Delete an association with its members, events and participants (a manager, its year still open)."""
    _, association = await association_in(db, ctx, shape, association_id)
    require_manager(ctx)
    require_open_year(ctx, association.academic_year)
    await db.delete(association)
    await db.flush()
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.METHODICAL_ASSOCIATION, association.id, details={"shape": shape}
    )


@dataclass(frozen=True, slots=True)
class AssociationRow:
    """An association as the year's list shows it."""

    association: Association
    leader: Person | None
    members: int
    events: int
    held: int


@dataclass(frozen=True, slots=True)
class YearList:
    """The shape's associations of one academic year, and what the person may do with them."""

    kind: AssociationKind
    academic_year: int
    closed: bool
    rows: list[AssociationRow]
    can_manage: bool


async def of_the_year(db: AsyncSession, ctx: OrgContext, shape: str, year: int) -> list[Association]:
    """The organisation's associations of ``shape`` and of the academic year, decades by date, then by name.

    The caller has checked that the person may read the shape (``readable_shape``)."""
    return list(
        await db.scalars(
            select(Association)
            .where(Association.shape == shape, Association.academic_year == year, ctx.owns(Association))
            .order_by(Association.starts_on.nulls_last(), Association.name, Association.id)
        )
    )


async def list_associations(db: AsyncSession, ctx: OrgContext, shape: str, year: int | None) -> YearList:
    """The shape's associations of the academic year (by default the one under way), decades by date."""
    kind = readable_shape(ctx, shape)
    year = current_year(ctx) if year is None else year
    found = await of_the_year(db, ctx, shape, year)
    ids = [a.id for a in found]
    members = {
        a: int(n)
        for a, n in await db.execute(
            select(AssociationMember.association_id, func.count())
            .where(AssociationMember.association_id.in_(ids), ctx.owns(AssociationMember))
            .group_by(AssociationMember.association_id)
        )
    }
    events = {
        a: (int(n), int(h))
        for a, n, h in await db.execute(
            select(
                AssociationEvent.association_id,
                func.count(),
                func.count().filter(AssociationEvent.status == "held"),
            )
            .where(AssociationEvent.association_id.in_(ids), ctx.owns(AssociationEvent))
            .group_by(AssociationEvent.association_id)
        )
    }
    leaders = await people_by_id(db, ctx, [a.leader_id for a in found])
    rows = [
        AssociationRow(
            a,
            leaders.get(a.leader_id) if a.leader_id else None,
            int(members.get(a.id, 0)),
            *events.get(a.id, (0, 0)),
        )
        for a in found
    ]
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.METHODICAL_ASSOCIATION, details={"shape": shape, "count": len(rows)}
    )
    return YearList(kind, year, is_closed(ctx, year), rows, ctx.has_role(*MANAGERS))
