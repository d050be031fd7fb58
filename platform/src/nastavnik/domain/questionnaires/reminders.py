"""The curator's one-click reminder to a pair's members who have not answered their questionnaires.

At most one reminder per questionnaire and person a day: the outbox key holds the organisation's local
date, so the database itself refuses a second one (docs/notifications.md). When nothing new was written
the curator is told why, in Russian: already reminded today, or nobody the reminder could reach.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.domain.notifications.outbox import notify
from nastavnik.domain.programmes.pairs.services import MANAGERS, group_for
from nastavnik.domain.programmes.services import get_programme
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus
from nastavnik.tenancy import OrgContext

ALREADY_TODAY = "Напоминание уже отправлено сегодня."
NOBODY = (
    "Напоминать некому: все участники ответили на анкеты или не могут получить напоминание"
    " (выбыли или не имеют учётной записи)."
)


@dataclass(frozen=True, slots=True)
class Unanswered:
    assignment_id: uuid.UUID
    person_id: uuid.UUID
    title: str
    days: int
    """Local days since it was assigned (0 on the day itself)."""


async def unanswered(
    db: AsyncSession, timezone: str, today: date, *where: ColumnElement[bool]
) -> list[Unanswered]:
    """The questionnaires not answered that ``where`` picks (over the assignment and its person), oldest
    first: the curator's reminder and the daily scan ask the same question."""
    zone = clock.zone(timezone)
    rows = await db.execute(
        select(
            QuestionnaireAssignment.id,
            QuestionnaireAssignment.person_id,
            QuestionnaireAssignment.assigned_at,
            QuestionnaireTemplate.title,
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireAssignment.version_id)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
        .join(
            Person,
            (Person.org_id == QuestionnaireAssignment.org_id)
            & (Person.id == QuestionnaireAssignment.person_id),
        )
        .where(QuestionnaireAssignment.completed_at.is_(None), *where)
        .order_by(QuestionnaireAssignment.assigned_at, QuestionnaireAssignment.id)
    )
    return [
        Unanswered(assignment_id, person_id, title, (today - assigned_at.astimezone(zone).date()).days)
        for assignment_id, person_id, assigned_at, title in rows
    ]


@dataclass(frozen=True, slots=True)
class Reminded:
    sent: int
    """Reminders written now (one per questionnaire not answered and person)."""


async def remind_unanswered(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> Reminded:
    """A «Напоминание куратора об анкете» to each member of the group for each questionnaire they have not
    answered; Conflict when every one was already reminded today, InvalidInput when nobody can be."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    today = ctx.today()
    found = await unanswered(
        db,
        ctx.org.timezone,
        today,
        QuestionnaireAssignment.group_id == group.id,
        Person.status == PersonStatus.ACTIVE,
        Person.identity_id.is_not(None),
        ctx.owns(QuestionnaireAssignment),
    )
    reachable = sent = 0
    for waiting in found:
        reachable += 1
        sent += await notify(
            db,
            org_id=ctx.org.id,
            person_id=waiting.person_id,
            kind="questionnaire_reminder",
            params={"questionnaire_title": waiting.title, "days": str(waiting.days)},
            key=f"questionnaire_reminder:{waiting.assignment_id}:{today.isoformat()}",
            link=f"/o/{ctx.org.slug}/questionnaires/{waiting.assignment_id}",
        )
    if not reachable:
        raise InvalidInput(NOBODY, [FieldError("group_id", "нет участников без ответа с учётной записью")])
    if not sent:
        raise Conflict(ALREADY_TODAY, "group_id")
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.QUESTIONNAIRE_ASSIGNMENT,
        group.id,
        details={"reminders": sent},
    )
    return Reminded(sent)
