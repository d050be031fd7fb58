"""Stage 7 and the turn of the year: pairs complete or end early, a programme closes, the next one opens.

Ending a pair gives its members the final questionnaires. A mentor whose pair ended has their
places back at once (a mentor's load counts only open
groups). A closed programme is read-only; the next academic year's programme starts from the
same bases (they belong to the people, not to a year), the standing documents and the roadmap.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.programmes.models import STAGES, Programme, RoadmapItem
from nastavnik.domain.programmes.pairs import notices
from nastavnik.domain.programmes.pairs.models import GroupStatus, MentoringGroup
from nastavnik.domain.programmes.pairs.services import MANAGERS, group_for
from nastavnik.domain.programmes.services import (
    get_programme,
    managed_programme,
    programme_to_change,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import OrgContext

TEXT_MAX = 5000


def _end_date_errors(
    group: MentoringGroup, programme: Programme, ended_on: date, today: date
) -> list[FieldError]:
    starts, ends = AcademicYear.bounds(programme.academic_year)
    if ended_on > today:
        return [FieldError("ended_on", "дата завершения не может быть в будущем")]
    if ended_on < group.starts_on or ended_on > ends or ended_on < starts:
        return [
            FieldError(
                "ended_on",
                f"дата завершения — от начала пары ({group.starts_on:%d.%m.%Y}) до {ends:%d.%m.%Y}",
            )
        ]
    return []


async def end_group(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    expected_version: int,
    *,
    status: GroupStatus,
    ended_on: date,
    text: str,
) -> MentoringGroup:
    """End an active pair on ``ended_on``: COMPLETED, it has done its work (``text``: its results) and its
    mentor is free again; ENDED_EARLY, either side ended the mentoring before its term (Labour Code
    art. 351.8; ``text``: the reason, kept)."""
    programme = await managed_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    if group.version != expected_version:
        raise Conflict("Пару уже изменил другой пользователь. Обновите страницу.", "version")
    field_name = "result" if status is GroupStatus.COMPLETED else "end_reason"
    errors = []
    if group.status != GroupStatus.ACTIVE:
        errors.append(FieldError("status", "завершить можно только действующую пару"))
    cleaned = text.strip()
    if not cleaned:
        label = "итоги работы пары" if status is GroupStatus.COMPLETED else "причину досрочного завершения"
        errors.append(FieldError(field_name, f"укажите {label}"))
    elif len(cleaned) > TEXT_MAX:
        errors.append(FieldError(field_name, f"не длиннее {TEXT_MAX} знаков"))
    errors += _end_date_errors(group, programme, ended_on, ctx.today())
    if errors:
        raise InvalidInput("Пара не завершена: исправьте ошибки.", errors)
    group.status = status
    group.ended_on = ended_on
    if status is GroupStatus.COMPLETED:
        group.result = cleaned
    else:
        group.end_reason = cleaned
    await db.flush()
    # The final questionnaires come with the end, completed or early: how it went is asked either way.
    await ctx.plugins.group_ended(db, ctx, group.programme_id, group.id)
    await notices.pair_ended(db, ctx, group, early=status is GroupStatus.ENDED_EARLY)
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.MENTORING_GROUP, group.id, details={"status": status.value}
    )
    return group


async def closing_lacks(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[str]:
    """What stands between the programme and its closing, in Russian."""
    lacks = []
    if programme.stage != len(STAGES):
        lacks.append(f"программа ещё не на этапе «{STAGES[-1]}»")
    rows = await db.execute(
        select(MentoringGroup.status, func.count())
        .where(
            MentoringGroup.programme_id == programme.id,
            MentoringGroup.status.in_((GroupStatus.DRAFT, GroupStatus.ACTIVE)),
            ctx.owns(MentoringGroup),
        )
        .group_by(MentoringGroup.status)
    )
    for status, count in rows:
        if status == GroupStatus.ACTIVE:
            lacks.append(f"действующих пар и групп: {count} — завершите их")
        else:
            lacks.append(f"пар и групп без приказа: {count} — издайте приказ или расформируйте их")
    return lacks


async def close_programme(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, expected_version: int
) -> Programme:
    programme = await programme_to_change(db, ctx, programme_id, expected_version)
    lacks = await closing_lacks(db, ctx, programme)
    if lacks:
        raise InvalidInput("Программу нельзя закрыть.", [FieldError("status", lack) for lack in lacks])
    programme.status = "closed"
    await db.flush()
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.PROGRAMME, programme.id, details={"status": "closed"}
    )
    return programme


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


async def start_next_year(db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID) -> Programme:
    """Open the next academic year's programme of the same regime from a closed one.

    The Положение and the Программа stand until replaced, so they carry over; the roadmap carries
    over a year later and not done; the bases are the people's own and need no copying.
    """
    ctx.require_role(*MANAGERS)
    previous = await get_programme(db, ctx, programme_id)
    if previous.status != "closed":
        raise InvalidInput(
            "Новый учебный год начинается после закрытия программы текущего.",
            [FieldError("status", "сначала закройте программу")],
        )
    year = previous.academic_year + 1
    if await db.get(AcademicYear, year) is None:
        raise InvalidInput("Нет такого учебного года.", [FieldError("academic_year", "неизвестный год")])
    programme = Programme(
        org_id=ctx.org.id,
        id=uuid.uuid4(),
        academic_year=year,
        regime=previous.regime,
        polozhenie_status=previous.polozhenie_status,
        polozhenie_order_no=previous.polozhenie_order_no,
        polozhenie_order_date=previous.polozhenie_order_date,
        programma_status=previous.programma_status,
        programma_order_no=previous.programma_order_no,
        programma_order_date=previous.programma_order_date,
    )
    db.add(programme)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict("Программа на следующий учебный год уже открыта.", "academic_year") from None
    items = await db.scalars(
        select(RoadmapItem).where(RoadmapItem.programme_id == previous.id, ctx.owns(RoadmapItem))
    )
    db.add_all(
        RoadmapItem(
            org_id=ctx.org.id,
            programme_id=programme.id,
            stage=item.stage,
            title=item.title,
            due_on=_next_year(item.due_on),
            responsible=item.responsible,
            result=item.result,
        )
        for item in items
    )
    await db.flush()
    await audit.commit_in(
        db, ctx, "create", audit.ObjectKind.PROGRAMME, programme.id, details={"from": str(previous.id)}
    )
    return programme
