"""The diagnostics of young teachers' difficulties («Диагностика изучения затруднений молодых педагогов»):
where it exists, who reads it, and giving it. What it tells is ``diagnostics_results``.

Its template comes from the plugin of the organisation's type (``register_questionnaire_templates``,
purpose «diagnostics»): an organisation whose plugin is switched off, or whose type no plugin offers one
for, has no diagnostics (every route of it answers 404). The curator or director gives the academic year's
diagnostics to the organisation's young teachers (an active person with a young teacher's entry in the
mentees' base who has not left), or to chosen ones; the year's campaign fixes the version, and giving again
adds only those who have none. Each young teacher fills it in among their questionnaires.

Each scale item is an area of work rated by how hard it is: the lowest score «no difficulty», the highest
«a serious one»; a score in the top third of the item's scale counts as rated hard."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.questionnaires.models import (
    Audience,
    CampaignPurpose,
    Moment,
    QuestionnaireAssignment,
    QuestionnaireCampaign,
)
from nastavnik.domain.questionnaires.questionnaire_templates import effective_version_of
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus
from nastavnik.models.reference import AcademicYear
from nastavnik.plugins import OfferedQuestionnaire
from nastavnik.tenancy import MANAGERS, NotFound, OrgContext
from nastavnik.types import QuestionnairePurpose

YOUNG_TEACHER = "young_pedagogue"
"""The kind of a mentees' base entry of a young teacher (bases.models.MenteeProfile)."""


def offered_diagnostics(ctx: OrgContext) -> OfferedQuestionnaire:
    """The diagnostics template a plugin active in the organisation offers for its type; else NotFound."""
    for offered in ctx.plugins.questionnaire_defaults(ctx.active_plugins, ctx.org.type):
        if offered.template.purpose == QuestionnairePurpose.DIAGNOSTICS:
            return offered
    raise NotFound


def has_diagnostics(ctx: OrgContext) -> bool:
    """Whether the organisation has the diagnostics at all (:func:`offered_diagnostics` finds a template)."""
    try:
        offered_diagnostics(ctx)
    except NotFound:
        return False
    return True


async def may_read_diagnostics(db: AsyncSession, ctx: OrgContext, academic_year: int) -> bool:
    """Who reads the results of the academic year's diagnostics (aggregates per difficulty, and
    ``difficulty_ranking``): the curator, the director and the leader of the organisation's young teachers'
    club of that year. The one check of it is the database's ``nastavnik_may_read_diagnostics`` (migration
    0020), so that this domain needs nothing of the methodical one; the aggregates themselves come from
    ``nastavnik_diagnostics_difficulties``, which applies the same check and never shows the leader a
    person's answers (the answers' read policy admits only managers, the respondent and their mentors).
    """
    allowed = await db.scalar(select(func.nastavnik_may_read_diagnostics(academic_year)))
    return bool(allowed)


def hard_from(item: dict[str, Any]) -> int:
    """The lowest score that rates an area hard: the top third of the item's scale (7–10 on 1–10, 4–5 on
    1–5), in whole numbers so that the page, the plan and the SQL agree to the point (the database's twin:
    ``nastavnik_hard_from``, migration 0020)."""
    low, high = int(item["min"]), int(item["max"])
    return low + (2 * (high - low) + 2) // 3


def is_hard(score: int, item: dict[str, Any]) -> bool:
    return score >= hard_from(item)


def academic_year(ctx: OrgContext) -> int:
    """The academic year under way on the organisation's today."""
    return AcademicYear.start_year_of(ctx.today())


def _not_left(ctx: OrgContext) -> Any:
    return or_(MenteeProfile.left_on.is_(None), MenteeProfile.left_on > ctx.today())


async def young_teachers(db: AsyncSession, ctx: OrgContext) -> list[Person]:
    """The organisation's young teachers: active, in the mentees' base as young teachers, not left."""
    return list(
        await db.scalars(
            select(Person)
            .join(
                MenteeProfile,
                (MenteeProfile.org_id == Person.org_id) & (MenteeProfile.person_id == Person.id),
            )
            .where(
                MenteeProfile.kind == YOUNG_TEACHER,
                Person.status == PersonStatus.ACTIVE,
                _not_left(ctx),
                ctx.owns(Person),
            )
            .order_by(Person.last_name, Person.first_name, Person.middle_name, Person.id)
        )
    )


async def campaign_of(db: AsyncSession, ctx: OrgContext, year: int) -> QuestionnaireCampaign | None:
    return (
        await db.scalars(
            select(QuestionnaireCampaign).where(
                QuestionnaireCampaign.purpose == CampaignPurpose.DIAGNOSTICS,
                QuestionnaireCampaign.academic_year == year,
                ctx.owns(QuestionnaireCampaign),
            )
        )
    ).one_or_none()


async def campaign_years(db: AsyncSession, ctx: OrgContext) -> list[int]:
    """The academic years the organisation gave the diagnostics in, the latest first."""
    return list(
        await db.scalars(
            select(QuestionnaireCampaign.academic_year)
            .where(
                QuestionnaireCampaign.purpose == CampaignPurpose.DIAGNOSTICS, ctx.owns(QuestionnaireCampaign)
            )
            .order_by(QuestionnaireCampaign.academic_year.desc())
        )
    )


async def readable_years(db: AsyncSession, ctx: OrgContext, also: set[int]) -> list[int]:
    """The years the diagnostics was given in, and ``also``, that the acting person may read, the latest
    first: every one for a manager, their club's years for a club's leader."""
    years = sorted({*also, *await campaign_years(db, ctx)}, reverse=True)
    return [year for year in years if await may_read_diagnostics(db, ctx, year)]


# Giving it.


@dataclass(frozen=True, slots=True)
class Given:
    academic_year: int
    given: int
    """Given now: those who had the year's diagnostics already are not counted."""
    assigned: int
    """Everyone who has the year's diagnostics."""


def _chosen(teachers: Sequence[Person], person_ids: Sequence[uuid.UUID] | None) -> list[Person]:
    if person_ids is None:
        if not teachers:
            raise InvalidInput(
                "Диагностику некому назначить: в базе наставляемых нет молодых педагогов.",
                [FieldError("person_ids", "в базе наставляемых нет молодых педагогов")],
            )
        return list(teachers)
    if not person_ids:
        raise InvalidInput(
            "Диагностика не назначена.",
            [FieldError("person_ids", "выберите хотя бы одного молодого педагога")],
        )
    by_id = {p.id: p for p in teachers}
    # Someone missing, of another organisation or not a young teacher: one message for all of them.
    errors = [
        FieldError(f"person_ids.{n}", "не найден среди молодых педагогов организации")
        for n, person_id in enumerate(person_ids)
        if person_id not in by_id
    ]
    if errors:
        raise InvalidInput("Диагностика не назначена: проверьте, кому её назначить.", errors)
    return [by_id[i] for i in dict.fromkeys(person_ids)]


async def _campaign_to_give(db: AsyncSession, ctx: OrgContext, year: int) -> QuestionnaireCampaign:
    """The year's campaign, started now (with the version given now) unless it already is."""
    campaign = await campaign_of(db, ctx, year)
    if campaign is not None:
        return campaign
    offered = offered_diagnostics(ctx)
    version = await effective_version_of(db, ctx.org.region_id, offered.template.code)
    if version is None:  # `nastavnik db upgrade` installs the plugins' templates
        raise Conflict("Анкета диагностики ещё не установлена на платформе: обратитесь к администратору.")
    # Two curators pressing at once start one campaign: the second insert does nothing.
    await db.execute(
        pg_insert(QuestionnaireCampaign)
        .values(
            org_id=ctx.org.id,
            id=uuid.uuid4(),
            purpose=CampaignPurpose.DIAGNOSTICS,
            academic_year=year,
            version_id=version.id,
        )
        .on_conflict_do_nothing(index_elements=["org_id", "purpose", "academic_year"])
    )
    started = await campaign_of(db, ctx, year)
    if started is None:  # row-level security hid what was just written: not this organisation's
        raise NotFound
    return started


async def give_diagnostics(
    db: AsyncSession, ctx: OrgContext, person_ids: Sequence[uuid.UUID] | None = None
) -> Given:
    """The curator's «Назначить диагностику»: the academic year's diagnostics to every young teacher
    (``person_ids`` None) or to those chosen; who has it already keeps theirs."""
    ctx.require_role(*MANAGERS)
    offered_diagnostics(ctx)
    year = academic_year(ctx)
    chosen = _chosen(await young_teachers(db, ctx), person_ids)
    campaign = await _campaign_to_give(db, ctx, year)
    now = clock.now()
    result = await db.execute(
        pg_insert(QuestionnaireAssignment)
        .values(
            [
                {
                    "org_id": ctx.org.id,
                    "id": uuid.uuid4(),
                    "group_id": None,
                    "campaign_id": campaign.id,
                    "person_id": person.id,
                    "role": Audience.MENTEE,
                    "moment": Moment.YEAR,
                    "version_id": campaign.version_id,
                    "assigned_at": now,  # the platform's clock, as the days waiting are counted on it
                }
                for person in chosen
            ]
        )
        .on_conflict_do_nothing(index_elements=["org_id", "campaign_id", "person_id"])
    )
    given = int(getattr(result, "rowcount", 0) or 0)
    assigned = await db.scalar(
        select(func.count()).where(
            QuestionnaireAssignment.campaign_id == campaign.id, ctx.owns(QuestionnaireAssignment)
        )
    )
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.QUESTIONNAIRE_ASSIGNMENT,
        campaign.id,
        details={"purpose": CampaignPurpose.DIAGNOSTICS.value, "academic_year": year, "count": given},
    )
    return Given(year, given, int(assigned or 0))
