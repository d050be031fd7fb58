"""One organisation's reminders for one local day, written in one transaction (docs/notifications.md).

Each reminder's key names its event, its date and its person, so a second scan of the day, a retried job or
a scan of the next day writes nothing twice; the outbox itself refuses a person who left or has no login.
The scan runs as the provisioner role in the organisation its transaction names (migration 0027), so the
organisation filters below are the services' check and row-level security the database's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.methodical.models import Association, AssociationEvent, AssociationMember
from nastavnik.domain.notifications.outbox import notify
from nastavnik.domain.programmes.models import STAGES, Programme, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, GroupStatus, MemberRole, MentoringGroup
from nastavnik.domain.programmes.services import stage_lacks
from nastavnik.domain.questionnaires.models import QuestionnaireAssignment
from nastavnik.domain.questionnaires.reminders import unanswered
from nastavnik.domain.work.models import PlanItem
from nastavnik.models.people import Person, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.plugins import Plugins
from nastavnik.tenancy import NIL_PERSON, Actor, OrgContext, OrgRef
from nastavnik.types import AssociationShape

TASK_NOTICE_DAYS = 3
"""A plan task is announced this many days before its due date (the kind's wording says «через 3 дня»)."""
ROADMAP_NOTICE_DAYS = 3
"""A roadmap item not done is announced once when its due date is at most this many days away."""


@dataclass(frozen=True, slots=True)
class ScanScope:
    ctx: OrgContext
    """The organisation, as the job's read-only context (:func:`job_context`)."""
    today: date
    """The organisation's local date the scan is for."""

    @property
    def org_id(self) -> uuid.UUID:
        return self.ctx.org.id

    @property
    def slug(self) -> str:
        return self.ctx.org.slug

    @property
    def timezone(self) -> str:
        return self.ctx.org.timezone


SCANNER = Actor(identity_id=NIL_PERSON, display_name="напоминания платформы")
"""Who the scan acts as: nobody signed in. It only reads and writes the outbox; it never audits."""


def job_context(org: OrgRef, plugins: Plugins) -> OrgContext:
    """The organisation as the scan sees it, so that it asks a stage's checks the very questions the
    programme's page asks (:func:`~nastavnik.domain.programmes.services.stage_lacks`)."""
    curator = frozenset({ProgrammeRole.CURATOR.value})
    return OrgContext(SCANNER, org, NIL_PERSON, curator, (), plugins)


@dataclass
class ScanCount:
    written: int = 0

    def add(self, new: bool) -> None:
        self.written += int(new)


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


async def _send(
    db: AsyncSession,
    scope: ScanScope,
    count: ScanCount,
    people: Iterable[uuid.UUID],
    kind: str,
    params: Mapping[str, str],
    key: str,
    link: str,
) -> None:
    for person_id in dict.fromkeys(people):  # one each, in order
        count.add(
            await notify(
                db,
                org_id=scope.org_id,
                person_id=person_id,
                kind=kind,
                params=params,
                key=f"{key}:{person_id}",
                link=link,
            )
        )


async def questionnaires_unanswered(
    db: AsyncSession, scope: ScanScope, count: ScanCount, after_days: int
) -> None:
    """«Анкета без ответа»: assigned on a local date ``after_days`` or more days ago and not answered;
    once per assignment and threshold."""
    zone = clock.zone(scope.timezone)
    # Assigned before the local midnight that starts day (today - after_days + 1).
    before = datetime.combine(scope.today - timedelta(days=after_days - 1), time(0), tzinfo=zone)
    found = await unanswered(
        db,
        scope.timezone,
        scope.today,
        QuestionnaireAssignment.org_id == scope.org_id,
        QuestionnaireAssignment.assigned_at < before,
    )
    for waiting in found:
        await _send(
            db,
            scope,
            count,
            [waiting.person_id],
            "questionnaire_unanswered",
            {"questionnaire_title": waiting.title, "days": str(waiting.days)},
            f"questionnaire_unanswered:{waiting.assignment_id}:{after_days}",
            f"/o/{scope.slug}/questionnaires/{waiting.assignment_id}",
        )


async def _mentors(
    db: AsyncSession, org_id: uuid.UUID, group_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    found: dict[uuid.UUID, list[uuid.UUID]] = {g: [] for g in group_ids}
    if group_ids:
        rows = await db.execute(
            select(GroupMember.group_id, GroupMember.person_id)
            .where(
                GroupMember.org_id == org_id,
                GroupMember.group_id.in_(group_ids),
                GroupMember.role == MemberRole.MENTOR,
            )
            .order_by(GroupMember.person_id)
        )
        for group_id, person_id in rows:
            found[group_id].append(person_id)
    return found


async def plan_tasks(db: AsyncSession, scope: ScanScope, count: ScanCount) -> None:
    """«Срок задачи плана» three days ahead and «Просроченная задача плана» once it has passed, for the
    tasks not done of working pairs, to the mentee and the pair's mentors; once per task and due date."""
    soon = scope.today + timedelta(days=TASK_NOTICE_DAYS)
    items = list(
        await db.execute(
            select(PlanItem.id, PlanItem.group_id, PlanItem.mentee_id, PlanItem.task, PlanItem.due_on)
            .join(
                MentoringGroup,
                (MentoringGroup.org_id == PlanItem.org_id) & (MentoringGroup.id == PlanItem.group_id),
            )
            .where(
                PlanItem.org_id == scope.org_id,
                MentoringGroup.status == GroupStatus.ACTIVE,
                PlanItem.done.is_(False),
                (PlanItem.due_on == soon) | (PlanItem.due_on < scope.today),
            )
            .order_by(PlanItem.due_on, PlanItem.id)
        )
    )
    mentors = await _mentors(db, scope.org_id, {item.group_id for item in items})
    for item in items:
        kind = "plan_task_due" if item.due_on == soon else "plan_task_overdue"
        await _send(
            db,
            scope,
            count,
            [item.mentee_id, *mentors[item.group_id]],
            kind,
            {"task_title": item.task, "due_date": _day(item.due_on)},
            f"{kind}:{item.id}:{item.due_on.isoformat()}",
            f"/o/{scope.slug}/my",
        )


async def curators(db: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await db.scalars(
            select(Person.id)
            .join(PersonRole, (PersonRole.org_id == Person.org_id) & (PersonRole.person_id == Person.id))
            .where(
                Person.org_id == org_id,
                PersonRole.role == ProgrammeRole.CURATOR,
                Person.status == PersonStatus.ACTIVE,
            )
            .order_by(Person.id)
        )
    )


async def roadmap_items(db: AsyncSession, scope: ScanScope, count: ScanCount) -> None:
    """«Срок мероприятия дорожной карты» to the curators, once, when an item of an open programme not done
    is due within three days (today included)."""
    rows = list(
        await db.execute(
            select(RoadmapItem.id, RoadmapItem.programme_id, RoadmapItem.title, RoadmapItem.due_on)
            .join(
                Programme,
                (Programme.org_id == RoadmapItem.org_id) & (Programme.id == RoadmapItem.programme_id),
            )
            .where(
                RoadmapItem.org_id == scope.org_id,
                Programme.status == "open",
                RoadmapItem.done.is_(False),
                RoadmapItem.due_on.between(scope.today, scope.today + timedelta(days=ROADMAP_NOTICE_DAYS)),
            )
            .order_by(RoadmapItem.due_on, RoadmapItem.id)
        )
    )
    if not rows:
        return
    managers = await curators(db, scope.org_id)
    for item in rows:
        await _send(
            db,
            scope,
            count,
            managers,
            "roadmap_item_due",
            {"item_title": item.title, "due_date": _day(item.due_on)},
            f"roadmap_item_due:{item.id}:{item.due_on.isoformat()}",
            f"/o/{scope.slug}/programmes/{item.programme_id}",
        )


async def club_meetings(db: AsyncSession, scope: ScanScope, count: ScanCount) -> None:
    """«Заседание клуба завтра» to the club's members and its leader, for a planned meeting held tomorrow."""
    tomorrow = scope.today + timedelta(days=1)
    events = list(
        await db.execute(
            select(
                AssociationEvent.id,
                AssociationEvent.association_id,
                AssociationEvent.topic,
                Association.name,
                Association.leader_id,
            )
            .join(
                Association,
                (Association.org_id == AssociationEvent.org_id)
                & (Association.id == AssociationEvent.association_id),
            )
            .where(
                AssociationEvent.org_id == scope.org_id,
                Association.shape == AssociationShape.CLUB,
                AssociationEvent.status == "planned",
                AssociationEvent.held_on == tomorrow,
            )
            .order_by(AssociationEvent.id)
        )
    )
    for event in events:
        members = await db.scalars(
            select(AssociationMember.person_id)
            .where(
                AssociationMember.org_id == scope.org_id,
                AssociationMember.association_id == event.association_id,
            )
            .order_by(AssociationMember.person_id)
        )
        people = [*([event.leader_id] if event.leader_id else []), *members]
        await _send(
            db,
            scope,
            count,
            people,
            "club_meeting_tomorrow",
            {"club_name": event.name, "topic": event.topic, "date": _day(tomorrow)},
            f"club_meeting_tomorrow:{event.id}:{tomorrow.isoformat()}",
            f"/o/{scope.slug}/methodical/{AssociationShape.CLUB.value}",
        )


async def stages_waiting(db: AsyncSession, scope: ScanScope, count: ScanCount) -> None:
    """«Этап ждёт куратора» to the curators, once per programme and stage: an open programme whose current
    stage (not the last) lacks nothing the programme's page checks — every roadmap item of the stage done
    and the stage's own conditions met — so only the curator's «Перейти к следующему этапу» is missing."""
    programmes = list(
        await db.scalars(
            select(Programme)
            .where(
                Programme.org_id == scope.org_id, Programme.status == "open", Programme.stage < len(STAGES)
            )
            .order_by(Programme.academic_year, Programme.id)
        )
    )
    waiting = [p for p in programmes if not await stage_lacks(db, scope.ctx, p, p.stage)]
    if not waiting:
        return
    managers = await curators(db, scope.org_id)
    for programme in waiting:
        await _send(
            db,
            scope,
            count,
            managers,
            "stage_waiting",
            {"stage_title": STAGES[programme.stage - 1]},
            f"stage_waiting:{programme.id}:{programme.stage}",
            f"/o/{scope.slug}/programmes/{programme.id}",
        )


async def scan(db: AsyncSession, scope: ScanScope, *, questionnaire_days: int) -> int:
    """Every reminder due in the organisation on ``scope.today``; the number of notifications written."""
    count = ScanCount()
    await questionnaires_unanswered(db, scope, count, questionnaire_days)
    await plan_tasks(db, scope, count)
    await roadmap_items(db, scope, count)
    await club_meetings(db, scope, count)
    await stages_waiting(db, scope, count)
    return count.written
