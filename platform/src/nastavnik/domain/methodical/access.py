"""Who may do what in the methodical work, one helper per rule, each taking the acting person first.

The organisation's pedagogues and staff read every shape's pages (plans and reports are organisational
documents); learners and anyone else find nothing (404, as for a missing record). The curator and the
director manage everything; an association's leader manages its members, events, attendance, outcomes
and participants. An association of a past academic year is closed: nothing of it changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.methodical.models import Association
from nastavnik.domain.methodical.offers import READERS, kind_of
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import MANAGERS, Forbidden, NotFound, OrgContext
from nastavnik.types import AssociationKind


def year_title(start_year: int) -> str:
    """«2026/2027»."""
    return f"{start_year}/{start_year + 1}"


def current_year(ctx: OrgContext) -> int:
    """The academic year under way on the region's local date."""
    return AcademicYear.start_year_of(ctx.today())


def is_closed(ctx: OrgContext, start_year: int) -> bool:
    """Whether the academic year is over (any year before the one under way)."""
    return start_year < current_year(ctx)


def require_reader(ctx: OrgContext) -> None:
    """Pedagogues, staff and managers of the organisation read the methodical work; NotFound for others."""
    if not (ctx.has_role(*MANAGERS) or ctx.category in READERS):
        raise NotFound


def readable_shape(ctx: OrgContext, shape: str) -> AssociationKind:
    """The shape as the organisation words it, for someone who may read it; NotFound for anyone else."""
    require_reader(ctx)
    return kind_of(ctx, shape)


def require_manager(ctx: OrgContext) -> None:
    """The curator or the director; Forbidden for anyone else who reads the pages."""
    ctx.require_role(*MANAGERS)


def is_steward(ctx: OrgContext, association: Association) -> bool:
    """Manages the association's members, events and participants: a manager, or its leader."""
    return ctx.has_role(*MANAGERS) or (
        association.leader_id is not None and association.leader_id == ctx.person_id
    )


def require_steward(ctx: OrgContext, association: Association) -> None:
    if not is_steward(ctx, association):
        raise Forbidden


def reads_results(ctx: OrgContext, association: Association, responsible: Collection[uuid.UUID]) -> bool:
    """Reads what names a decade's learners outside its page (its closing note, the order on its results):
    a manager, its leader, or one of its ``responsible`` teachers (learners are children: 152-FZ)."""
    return is_steward(ctx, association) or ctx.person_id in responsible


def require_open_year(ctx: OrgContext, start_year: int) -> None:
    """Refuse any change to an academic year that is over, before anything is written."""
    if is_closed(ctx, start_year):
        message = f"{year_title(start_year)} учебный год закрыт: изменения не принимаются"
        raise InvalidInput(message, [FieldError("academic_year", message)])


async def association_in(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID
) -> tuple[AssociationKind, Association]:
    """The organisation's association of ``shape`` for someone who may read it; NotFound for anything else:
    a shape the organisation has not, an association of another shape, organisation or none at all."""
    kind = readable_shape(ctx, shape)
    association = await ctx.find(db, Association, association_id, Association.shape == shape)
    return kind, association


async def association_to_steward(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID
) -> tuple[AssociationKind, Association]:
    """The association for its leader or a manager to change, its academic year still open."""
    kind, association = await association_in(db, ctx, shape, association_id)
    require_steward(ctx, association)
    require_open_year(ctx, association.academic_year)
    return kind, association
