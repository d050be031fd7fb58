"""Orders of stage 5: «Приказ о назначении наставника» and «Приказ о формировании пар (групп)».

An order is recorded with the number and date it is signed under and the groups it names; an
order forming pairs makes its groups active (a pair becomes active with its order, never by
hand). The .docx is generated from the organisation's data whenever it is downloaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.dictionaries.catalogue import OrgDictionaries
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.orders import ORDER_TITLES, GroupLine, OrderData, render_order
from nastavnik.domain.documents.services import fill
from nastavnik.domain.documents.signers import person_name, role_holder
from nastavnik.domain.programmes.pairs import notices
from nastavnik.domain.programmes.pairs.models import (
    GroupStatus,
    MentoringGroup,
    MentoringOrder,
    OrderGroup,
)
from nastavnik.domain.programmes.pairs.services import MANAGERS, OPEN_STATUSES, Dictionaries, GroupView, views
from nastavnik.domain.programmes.services import get_programme, managed_programme
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.reference import AcademicYear
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext

CURATOR_POSITION = "куратора программы наставничества"


@dataclass(frozen=True, slots=True)
class OrderDraft:
    kind: str
    number: str
    issued_on: date
    group_ids: Sequence[uuid.UUID]


@dataclass(frozen=True, slots=True)
class OrderView:
    order: MentoringOrder
    groups: list[GroupView]

    @property
    def title(self) -> str:
        return ORDER_TITLES[OrderKind(self.order.kind)]


def _validate(draft: OrderDraft, today: date) -> str:
    errors = []
    number = " ".join(draft.number.split())
    if draft.kind not in set(OrderKind):
        errors.append(FieldError("kind", "приказ о назначении наставника или о формировании пар"))
    if not number:
        errors.append(FieldError("number", "укажите номер приказа"))
    elif len(number) > 50:
        errors.append(FieldError("number", "номер не длиннее 50 знаков"))
    if draft.issued_on > today:
        errors.append(FieldError("issued_on", "дата приказа не может быть в будущем"))
    if not draft.group_ids:
        errors.append(FieldError("group_ids", "выберите пары и группы для приказа"))
    if errors:
        raise InvalidInput("Приказ не издан: исправьте ошибки.", errors)
    return number


async def issue_order(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, draft: OrderDraft
) -> MentoringOrder:
    programme = await managed_programme(db, ctx, programme_id)
    number = _validate(draft, ctx.today())
    wanted = set(draft.group_ids)
    groups = list(
        await db.scalars(
            select(MentoringGroup).where(
                MentoringGroup.id.in_(wanted),
                MentoringGroup.programme_id == programme.id,
                ctx.owns(MentoringGroup),
            )
        )
    )
    errors = []
    if len(groups) != len(wanted):
        errors.append(FieldError("group_ids", "не все пары найдены в этой программе"))
    for group in groups:
        if group.status not in OPEN_STATUSES:
            errors.append(FieldError("group_ids", "завершённую пару нельзя включить в приказ"))
        elif draft.kind == OrderKind.PAIRS_FORMATION and group.status != GroupStatus.DRAFT:
            errors.append(FieldError("group_ids", "пара уже действует по приказу о формировании"))
    if draft.issued_on < AcademicYear.bounds(programme.academic_year)[0].replace(month=6, day=1):
        errors.append(FieldError("issued_on", "приказ издаётся не раньше июня перед учебным годом"))
    if errors:
        raise InvalidInput("Приказ не издан: исправьте ошибки.", errors)
    order = MentoringOrder(
        org_id=ctx.org.id,
        id=uuid.uuid4(),
        programme_id=programme.id,
        kind=draft.kind,
        number=number,
        issued_on=draft.issued_on,
    )
    db.add(order)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict("Приказ такого вида с этим номером и датой уже издан.", "number") from None
    db.add_all(OrderGroup(org_id=ctx.org.id, order_id=order.id, group_id=g.id) for g in groups)
    if draft.kind == OrderKind.PAIRS_FORMATION:
        for group in groups:
            group.status = GroupStatus.ACTIVE
    await db.flush()
    if draft.kind == OrderKind.PAIRS_FORMATION:
        # A group that starts working is an event for the plugins (the core gives the start questionnaires).
        for group in groups:
            await ctx.plugins.group_started(db, ctx, group.programme_id, group.id)
        await notices.pairs_formed(db, ctx, order, groups)
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.MENTORING_ORDER,
        order.id,
        details={"kind": draft.kind, "groups": len(groups)},
    )
    return order


async def _order(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, order_id: uuid.UUID
) -> MentoringOrder:
    return await ctx.find(db, MentoringOrder, order_id, MentoringOrder.programme_id == programme_id)


async def _order_views(
    db: AsyncSession, ctx: OrgContext, dictionaries: Dictionaries, orders: Sequence[MentoringOrder]
) -> list[OrderView]:
    links = list(
        await db.execute(
            select(OrderGroup.order_id, OrderGroup.group_id).where(
                OrderGroup.order_id.in_([o.id for o in orders]), ctx.owns(OrderGroup)
            )
        )
    )
    group_ids = {group_id for _, group_id in links}
    groups = list(
        await db.scalars(
            select(MentoringGroup).where(MentoringGroup.id.in_(group_ids), ctx.owns(MentoringGroup))
        )
    )
    by_id = {v.group.id: v for v in await views(db, ctx, dictionaries, groups)}
    return [
        OrderView(order, [by_id[g] for o, g in links if o == order.id and g in by_id]) for order in orders
    ]


async def list_orders(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, dictionaries_of: OrgDictionaries
) -> list[OrderView]:
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    orders = list(
        await db.scalars(
            select(MentoringOrder)
            .where(MentoringOrder.programme_id == programme.id, ctx.owns(MentoringOrder))
            .order_by(MentoringOrder.issued_on, MentoringOrder.created_at)
        )
    )
    return await _order_views(db, ctx, Dictionaries.of(dictionaries_of, programme.regime), orders)


async def order_document(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    order_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
    plugins: Plugins,
) -> tuple[str, bytes]:
    """(file name, .docx) of an order, filled from the organisation's data; the export is audited.

    The template is the region's, a plugin's or the platform's (:mod:`document_templates`).
    """
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    order = await _order(db, ctx, programme.id, order_id)
    (shown,) = await _order_views(db, ctx, Dictionaries.of(dictionaries_of, programme.regime), [order])
    data = OrderData(
        kind=OrderKind(order.kind),
        number=order.number,
        issued_on=order.issued_on,
        organisation_full_name=ctx.org.full_name,
        organisation_short_name=ctx.org.short_name,
        academic_year_title=f"{programme.academic_year}/{programme.academic_year + 1}",
        director=await role_holder(db, ctx, ProgrammeRole.DIRECTOR),
        curator=await role_holder(db, ctx, ProgrammeRole.CURATOR),
        curator_position=CURATOR_POSITION,
        groups=[
            GroupLine(
                mentor=person_name(mentor),
                mentor_position="",
                mentees=[person_name(m) for m in view.mentees],
                mentee_note="",
                form_title=view.form_title,
                kind_title=view.kind_title,
                starts_on=view.group.starts_on,
                ends_on=view.group.ends_on,
            )
            for view in shown.groups
            for mentor in view.mentors
        ],
    )
    content = await fill(db, ctx, plugins, order.kind, lambda template: render_order(data, template))
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.MENTORING_ORDER, order.id, details={"kind": order.kind}
    )
    number = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in order.number)
    return f"{ORDER_TITLES[OrderKind(order.kind)]} № {number} от {order.issued_on:%d.%m.%Y}.docx", content
