"""The diagnostics of young teachers' difficulties («Диагностика изучения затруднений молодых педагогов»).

Its template comes from the plugin of the organisation's type (``register_questionnaire_templates``,
purpose «diagnostics»): an organisation whose plugin is switched off, or whose type no plugin offers one
for, has no diagnostics (every route of it answers 404). The curator or director gives the academic year's
diagnostics to the organisation's young teachers (an active person with a young teacher's entry in the
mentees' base who has not left), or to chosen ones; the year's campaign fixes the version, and giving again
adds only those who have none. Each young teacher fills it in among their questionnaires.

Each scale item is an area of work rated by how hard it is: the lowest score «no difficulty», the highest
«a serious one»; a score in the top third of the item's scale counts as rated hard. The results per area
(respondents, average, how many rated it hard) are withheld under ``MIN_RESPONDENTS`` respondents, as every
average of the questionnaires is. A person's own answers are read by them, the curator or director, and the
mentors of their pairs (for the development plan), each read audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.questionnaires.models import (
    Audience,
    CampaignPurpose,
    ItemKind,
    Moment,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireCampaign,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.questionnaire_templates import effective_version_of
from nastavnik.domain.questionnaires.results import MIN_RESPONDENTS, ItemSummary, withheld
from nastavnik.domain.questionnaires.services import assignments_with_people, record_answers_read, views_of
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus
from nastavnik.models.reference import AcademicYear
from nastavnik.plugins import OfferedQuestionnaire
from nastavnik.tenancy import MANAGERS, Forbidden, NotFound, OrgContext
from nastavnik.types import QuestionnairePurpose

YOUNG_TEACHER = "young_pedagogue"
"""The kind of a mentees' base entry of a young teacher (bases.models.MenteeProfile)."""


def offered_diagnostics(ctx: OrgContext) -> OfferedQuestionnaire:
    """The diagnostics template a plugin active in the organisation offers for its type; else NotFound."""
    for offered in ctx.plugins.questionnaire_defaults(ctx.active_plugins, ctx.org.type):
        if offered.template.purpose == QuestionnairePurpose.DIAGNOSTICS:
            return offered
    raise NotFound


def may_read_diagnostics(ctx: OrgContext) -> bool:
    """Who reads the diagnostics' results (aggregates per difficulty, and ``difficulty_ranking``): the
    curator and the director. The one check of it: widen it here (the young teachers' club's leader).

    A reader it admits beyond the managers reads the aggregates through the answers' read policy
    (migration 0019, ``respondent_or_manager``), which admits only managers, the respondent and their
    mentors: widen that policy for them as well, or their aggregates count only their own answers.
    """
    return ctx.has_role(*MANAGERS)


def hard_from(item: dict[str, Any]) -> int:
    """The lowest score that rates an area hard: the top third of the item's scale (7–10 on 1–10, 4–5 on
    1–5), in whole numbers so that the page, the plan and the SQL agree to the point."""
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


# What the curator learns.


@dataclass(frozen=True, slots=True)
class Difficulty(ItemSummary):
    hard: int | None
    """How many rated it hard; withheld with the average."""

    @property
    def hard_share(self) -> int | None:
        """Rated it hard, in whole per cent of those who answered."""
        if self.hard is None or not self.respondents:
            return None
        return round(100 * self.hard / self.respondents)


@dataclass(frozen=True, slots=True)
class TeacherStatus:
    person: Person
    assignment: QuestionnaireAssignment | None

    @property
    def status(self) -> str:
        if self.assignment is None:
            return "not_given"
        return "completed" if self.assignment.completed_at is not None else "given"


STATUS_TITLES = {"not_given": "не назначена", "given": "ждёт ответа", "completed": "заполнена"}


@dataclass(frozen=True, slots=True)
class DiagnosticsResults:
    academic_year: int
    current_year: int
    template: QuestionnaireTemplate | None
    version: QuestionnaireVersion | None
    """The version the year's campaign was given under; before it is given, the one it would be given
    under now (None: not installed on the platform yet)."""
    started_at: datetime | None
    """When the year's diagnostics was first given; None: not yet."""
    assigned: int
    respondents: int
    difficulties: list[Difficulty]


async def _difficulties(
    db: AsyncSession, ctx: OrgContext, campaign: QuestionnaireCampaign, version: QuestionnaireVersion
) -> list[Difficulty]:
    """Per scale item of the campaign's version, in its order: respondents, average and how many rated it
    hard, the last two only over at least MIN_RESPONDENTS respondents (computed and withheld in SQL)."""
    scales = [item for item in version.items if item["kind"] == ItemKind.SCALE]
    if not scales:
        return []
    answered = func.count(QuestionnaireAnswer.score)
    rated_hard = or_(
        false(),
        *(
            and_(
                QuestionnaireAnswer.item_key == str(item["key"]),
                QuestionnaireAnswer.score >= hard_from(item),
            )
            for item in scales
        ),
    )
    rows = await db.execute(
        select(
            QuestionnaireAnswer.item_key,
            answered,
            withheld(answered, func.round(func.avg(QuestionnaireAnswer.score), 2)),
            withheld(answered, func.count().filter(rated_hard)),
        )
        .join(
            QuestionnaireAssignment,
            (QuestionnaireAssignment.org_id == QuestionnaireAnswer.org_id)
            & (QuestionnaireAssignment.id == QuestionnaireAnswer.assignment_id),
        )
        .where(
            QuestionnaireAssignment.campaign_id == campaign.id,
            QuestionnaireAnswer.score.is_not(None),
            ctx.owns(QuestionnaireAnswer),
        )
        .group_by(QuestionnaireAnswer.item_key)
    )
    found = {
        key: (int(n), float(avg) if avg is not None else None, int(hard) if hard is not None else None)
        for key, n, avg, hard in rows
    }
    return [
        Difficulty(str(item["key"]), str(item["text"]), *found.get(str(item["key"]), (0, None, None)))
        for item in scales
    ]


async def _results(db: AsyncSession, ctx: OrgContext, year: int) -> DiagnosticsResults:
    if not may_read_diagnostics(ctx):
        raise Forbidden
    offered = offered_diagnostics(ctx)
    campaign = await campaign_of(db, ctx, year)
    if campaign is None:
        upcoming = await effective_version_of(db, ctx.org.region_id, offered.template.code)
        template = await db.get(QuestionnaireTemplate, upcoming.template_id) if upcoming else None
        return DiagnosticsResults(year, academic_year(ctx), template, upcoming, None, 0, 0, [])
    version, template = (
        await db.execute(
            select(QuestionnaireVersion, QuestionnaireTemplate)
            .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
            .where(QuestionnaireVersion.id == campaign.version_id)
        )
    ).one()
    assigned, done = (
        await db.execute(
            select(func.count(), func.count(QuestionnaireAssignment.completed_at)).where(
                QuestionnaireAssignment.campaign_id == campaign.id, ctx.owns(QuestionnaireAssignment)
            )
        )
    ).one()
    return DiagnosticsResults(
        year,
        academic_year(ctx),
        template,
        version,
        campaign.created_at,
        int(assigned),
        int(done),
        await _difficulties(db, ctx, campaign, version),
    )


async def diagnostics_results(
    db: AsyncSession, ctx: OrgContext, year: int | None = None
) -> DiagnosticsResults:
    """The diagnostics of ``year`` (by default the academic year under way) per difficulty; read audited."""
    shown = await _results(db, ctx, year or academic_year(ctx))
    await audit.commit_in(
        db,
        ctx,
        "read",
        audit.ObjectKind.QUESTIONNAIRE_RESULTS,
        details={"purpose": CampaignPurpose.DIAGNOSTICS.value, "academic_year": shown.academic_year},
    )
    return shown


async def difficulty_ranking(
    db: AsyncSession, ctx: OrgContext, academic_year: int
) -> list[tuple[str, str, float | None]]:
    """(item key, wording, average or None when withheld) of the year's diagnostics, the most difficult
    first (the highest average; withheld ones last, in the questionnaire's order): topics for the young
    teachers' club's meetings. Readers as :func:`may_read_diagnostics`; the read audited and committed."""
    shown = await diagnostics_results(db, ctx, academic_year)
    ranked = sorted(
        enumerate(shown.difficulties),
        key=lambda pair: (pair[1].average is None, -(pair[1].average or 0.0), pair[0]),
    )
    return [(d.key, d.text, d.average) for _, d in ranked]


async def teachers_status(db: AsyncSession, ctx: OrgContext, year: int) -> list[TeacherStatus]:
    """The young teachers, and whoever else was given the year's diagnostics, with where each stands:
    for the curator choosing whom to give it to (managers only)."""
    ctx.require_role(*MANAGERS)
    campaign = await campaign_of(db, ctx, year)
    given: dict[uuid.UUID, tuple[Person, QuestionnaireAssignment]] = {}
    if campaign is not None:
        rows = await assignments_with_people(db, ctx, QuestionnaireAssignment.campaign_id == campaign.id)
        given = {person.id: (person, assignment) for assignment, person in rows}
    people = {p.id: p for p in await young_teachers(db, ctx)} | {pid: p for pid, (p, _) in given.items()}
    ordered = sorted(people.values(), key=lambda p: (p.last_name, p.first_name, p.middle_name or "", p.id))
    return [TeacherStatus(p, given[p.id][1] if p.id in given else None) for p in ordered]


# A young teacher's own answers, for their development plan.


@dataclass(frozen=True, slots=True)
class RatedHard:
    key: str
    text: str
    score: int
    max: int


@dataclass(frozen=True, slots=True)
class OwnDiagnostics:
    """What one young teacher answered in a year's diagnostics: the areas they rated hard (the hardest
    first) and what they wrote in their own words."""

    completed_at: datetime
    hard: list[RatedHard]
    written: list[tuple[str, str]]
    """(question, answer) of the free-text items answered."""


async def own_diagnostics(
    db: AsyncSession, ctx: OrgContext, year: int, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, OwnDiagnostics]:
    """Each person's filled-in diagnostics of ``year``, for the writers of their development plan: the
    caller has checked that the acting person is their mentor or a manager (the answers' read policy says
    the same). Each person's answers read is audited in the caller's transaction."""
    campaign = await campaign_of(db, ctx, year)
    if campaign is None or not person_ids:
        return {}
    assignments = list(
        await db.scalars(
            select(QuestionnaireAssignment).where(
                QuestionnaireAssignment.campaign_id == campaign.id,
                QuestionnaireAssignment.person_id.in_(list(person_ids)),
                QuestionnaireAssignment.completed_at.is_not(None),
                ctx.owns(QuestionnaireAssignment),
            )
        )
    )
    if not assignments:
        return {}
    found = {}
    for view in await views_of(db, assignments, answers=True):
        assignment = view.assignment
        hard = [
            RatedHard(str(item["key"]), str(item["text"]), score, int(item["max"]))
            for item in view.items
            if item["kind"] == ItemKind.SCALE
            and isinstance(score := view.answers.get(str(item["key"])), int)
            and is_hard(score, item)
        ]
        written = [
            (str(item["text"]), text)
            for item in view.items
            if item["kind"] == ItemKind.TEXT and isinstance(text := view.answers.get(str(item["key"])), str)
        ]
        assert assignment.completed_at is not None  # filtered above
        found[assignment.person_id] = OwnDiagnostics(
            assignment.completed_at, sorted(hard, key=lambda h: -h.score / h.max), written
        )
        await record_answers_read(
            db, ctx, assignment, purpose=CampaignPurpose.DIAGNOSTICS.value, academic_year=year
        )
    return found


__all__ = [
    "MIN_RESPONDENTS",
    "STATUS_TITLES",
    "DiagnosticsResults",
    "Difficulty",
    "Given",
    "OwnDiagnostics",
    "RatedHard",
    "TeacherStatus",
    "campaign_years",
    "diagnostics_results",
    "difficulty_ranking",
    "give_diagnostics",
    "may_read_diagnostics",
    "offered_diagnostics",
    "own_diagnostics",
    "teachers_status",
    "young_teachers",
]
