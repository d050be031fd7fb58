"""What the curator learns from the questionnaires: a group's answers, and the organisation's averages.

A person's answers are read by that person and the curator or the director only (the database's
policy on the answers says the same); every read is written to the audit log. Across the
organisation the curator gets averages per item of each version, computed in SQL, and an average
over fewer than ``MIN_RESPONDENTS`` people is not shown at all: with three respondents, knowing
the average and two answers gives away the third.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.programmes.pairs.services import MANAGERS, group_for
from nastavnik.domain.programmes.services import get_programme
from nastavnik.domain.questionnaires.models import (
    ItemKind,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.services import (
    AssignmentView,
    assignments_with_people,
    record_answers_read,
    views_of,
)
from nastavnik.models.people import Person
from nastavnik.tenancy import OrgContext

MIN_RESPONDENTS = 5
"""Fewer respondents than this and an average is withheld. The diagnostics' figures are withheld by the
database (migration 0020, ``nastavnik_diagnostics_difficulties``), which repeats the number: change both."""
TOO_FEW = "недостаточно ответов"


def withheld(respondents: ColumnElement[Any], value: ColumnElement[Any]) -> ColumnElement[Any]:
    """``value`` where at least ``MIN_RESPONDENTS`` answered, else NULL: a small group's figure never
    leaves the database (with three respondents, the average and two answers give away the third)."""
    return case((respondents >= MIN_RESPONDENTS, value), else_=None)


@dataclass(frozen=True, slots=True)
class RespondentResult:
    person: Person
    view: AssignmentView


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """A scale item over the respondents of a questionnaire (the diagnostics' adds how many rated it hard)."""

    key: str
    text: str
    respondents: int
    average: float | None
    """None when fewer than MIN_RESPONDENTS answered: hidden, not zero."""

    @property
    def note(self) -> str | None:
        return TOO_FEW if self.average is None else None


@dataclass(frozen=True, slots=True)
class VersionSummary:
    template: QuestionnaireTemplate
    version: QuestionnaireVersion
    assigned: int
    respondents: int
    items: list[ItemSummary]


async def group_results(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> list[RespondentResult]:
    """Every member's questionnaires of a group with every item's answer, for the curator."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    rows = await assignments_with_people(
        db,
        ctx,
        QuestionnaireAssignment.group_id == group.id,
        QuestionnaireAssignment.moment.desc(),  # start before end
        QuestionnaireAssignment.role.desc(),  # mentors before mentees
    )
    shown = await views_of(db, [a for a, _ in rows], answers=True)
    results = [RespondentResult(person, view) for (_, person), view in zip(rows, shown, strict=True)]
    for r in results:  # 152-FZ: whose answers were read, one event per person
        if r.view.assignment.completed_at is not None:
            await record_answers_read(db, ctx, r.view.assignment, group_id=str(group.id))
    await db.commit()
    return results


async def organisation_results(db: AsyncSession, ctx: OrgContext) -> list[VersionSummary]:
    """Averages per scale item of each version the organisation's people were given."""
    ctx.require_role(*MANAGERS)
    counts = {
        version_id: (int(assigned), int(done))
        for version_id, assigned, done in await db.execute(
            select(
                QuestionnaireAssignment.version_id,
                func.count(),
                func.count(QuestionnaireAssignment.completed_at),
            )
            # The diagnostics has its own page (diagnostics.py): here, the pairs' questionnaires.
            .where(QuestionnaireAssignment.group_id.is_not(None), ctx.owns(QuestionnaireAssignment))
            .group_by(QuestionnaireAssignment.version_id)
        )
    }
    answered = func.count(QuestionnaireAnswer.score)
    average = withheld(answered, func.round(func.avg(QuestionnaireAnswer.score), 2))
    per_item: dict[uuid.UUID, dict[str, tuple[int, float | None]]] = defaultdict(dict)
    for version_id, key, n, avg in await db.execute(
        select(QuestionnaireAssignment.version_id, QuestionnaireAnswer.item_key, answered, average)
        .join(
            QuestionnaireAssignment,
            (QuestionnaireAssignment.org_id == QuestionnaireAnswer.org_id)
            & (QuestionnaireAssignment.id == QuestionnaireAnswer.assignment_id),
        )
        .where(
            QuestionnaireAnswer.score.is_not(None),
            QuestionnaireAssignment.group_id.is_not(None),
            ctx.owns(QuestionnaireAnswer),
        )
        .group_by(QuestionnaireAssignment.version_id, QuestionnaireAnswer.item_key)
    ):
        per_item[version_id][key] = (int(n), float(avg) if avg is not None else None)
    versions = list(
        await db.execute(
            select(QuestionnaireVersion, QuestionnaireTemplate)
            .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
            .where(QuestionnaireVersion.id.in_(list(counts)))
            .order_by(
                QuestionnaireTemplate.audience.desc(),
                QuestionnaireTemplate.moment.desc(),
                QuestionnaireTemplate.code,
                QuestionnaireVersion.number,
            )
        )
    )
    summaries = []
    for version, template in versions:
        items = []
        for item in version.items:
            if item["kind"] != ItemKind.SCALE:
                continue  # free text would identify its author: never summarised
            n, avg = per_item[version.id].get(str(item["key"]), (0, None))
            items.append(ItemSummary(str(item["key"]), str(item["text"]), n, avg))
        assigned, done = counts[version.id]
        summaries.append(VersionSummary(template, version, assigned, done, items))
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.QUESTIONNAIRE_RESULTS, details={"versions": len(summaries)}
    )
    return summaries
