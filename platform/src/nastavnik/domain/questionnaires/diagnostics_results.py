"""What the diagnostics of young teachers' difficulties tells: per area for the curator, the director and
the young teachers' club's leader, per person for the development plan.

Per area (scale item) of the year's campaign: respondents, the average and how many rated it hard, the last
two withheld under ``MIN_RESPONDENTS`` respondents, computed by the database's
``nastavnik_diagnostics_difficulties`` (migration 0020), which the readers call but whose answers the
club's leader may not select; :func:`difficulty_ranking` orders the areas the most difficult first (the
young teachers' club's suggested topics). Readers:
:func:`~nastavnik.domain.questionnaires.diagnostics.may_read_diagnostics`.
Per person: the areas a young teacher rated hard and what they wrote, for the writers of their plan, each
read audited with whose answers they were.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.questionnaires import diagnostics
from nastavnik.domain.questionnaires.models import (
    CampaignPurpose,
    ItemKind,
    QuestionnaireAssignment,
    QuestionnaireCampaign,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.questionnaire_templates import effective_version_of
from nastavnik.domain.questionnaires.results import ItemSummary
from nastavnik.domain.questionnaires.services import assignments_with_people, record_answers_read, views_of
from nastavnik.models.people import Person
from nastavnik.tenancy import MANAGERS, Forbidden, OrgContext


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
    db: AsyncSession, campaign: QuestionnaireCampaign, version: QuestionnaireVersion
) -> list[Difficulty]:
    """Per scale item of the campaign's version, in its order: respondents, average and how many rated it
    hard, the last two only over at least MIN_RESPONDENTS respondents. Computed and withheld by the
    database (``nastavnik_diagnostics_difficulties``, migration 0020), which counts every young teacher's
    answers for whoever may read the year's results while showing none of them: the club's leader may not
    select the answers themselves."""
    scales = [item for item in version.items if item["kind"] == ItemKind.SCALE]
    if not scales:
        return []
    rows = await db.execute(
        text(
            "SELECT item_key, answered, average, rated_hard"
            " FROM nastavnik_diagnostics_difficulties(:campaign)"
        ),
        {"campaign": campaign.id},
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
    if not await diagnostics.may_read_diagnostics(db, ctx, year):
        raise Forbidden
    offered = diagnostics.offered_diagnostics(ctx)
    campaign = await diagnostics.campaign_of(db, ctx, year)
    if campaign is None:
        upcoming = await effective_version_of(db, ctx.org.region_id, offered.template.code)
        template = await db.get(QuestionnaireTemplate, upcoming.template_id) if upcoming else None
        return DiagnosticsResults(year, diagnostics.academic_year(ctx), template, upcoming, None, 0, 0, [])
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
        diagnostics.academic_year(ctx),
        template,
        version,
        campaign.created_at,
        int(assigned),
        int(done),
        await _difficulties(db, campaign, version),
    )


async def results(db: AsyncSession, ctx: OrgContext, year: int | None = None) -> DiagnosticsResults:
    """The diagnostics of ``year`` (by default the academic year under way) per difficulty; read audited."""
    shown = await _results(db, ctx, year or diagnostics.academic_year(ctx))
    await audit.commit_in(
        db,
        ctx,
        "read",
        audit.ObjectKind.QUESTIONNAIRE_RESULTS,
        details={"purpose": CampaignPurpose.DIAGNOSTICS.value, "academic_year": shown.academic_year},
    )
    return shown


async def difficulty_ranking(db: AsyncSession, ctx: OrgContext, academic_year: int) -> list[Difficulty]:
    """The areas of the year's diagnostics, the most difficult first (the highest average; withheld ones
    last, in the questionnaire's order): topics for the young teachers' club's meetings. Readers as
    :func:`may_read_diagnostics`; the read audited and committed."""
    shown = await results(db, ctx, academic_year)
    ranked = sorted(
        enumerate(shown.difficulties),
        key=lambda pair: (pair[1].average is None, -(pair[1].average or 0.0), pair[0]),
    )
    return [d for _, d in ranked]


async def teachers_status(db: AsyncSession, ctx: OrgContext, year: int) -> list[TeacherStatus]:
    """The young teachers, and whoever else was given the year's diagnostics, with where each stands:
    for the curator choosing whom to give it to (managers only)."""
    ctx.require_role(*MANAGERS)
    campaign = await diagnostics.campaign_of(db, ctx, year)
    given: dict[uuid.UUID, tuple[Person, QuestionnaireAssignment]] = {}
    if campaign is not None:
        rows = await assignments_with_people(db, ctx, QuestionnaireAssignment.campaign_id == campaign.id)
        given = {person.id: (person, assignment) for assignment, person in rows}
    people = {p.id: p for p in await diagnostics.young_teachers(db, ctx)} | {
        pid: p for pid, (p, _) in given.items()
    }
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
    campaign = await diagnostics.campaign_of(db, ctx, year)
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
            and diagnostics.is_hard(score, item)
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
