"""Questionnaires inside an organisation: who is given which, and filling them in once.

A group's mentors and mentees are given the start questionnaires of their audience and the
programme's regime when the group becomes active (its «Приказ о формировании пар»); the curator
gives the end ones (and completing a pair will). Each assignment keeps the version it was given
under, whatever the region publishes later. A person sees and answers only their own
questionnaires; anyone else's is a 404, like a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.domain.programmes.pairs.models import GroupMember, GroupStatus
from nastavnik.domain.programmes.pairs.services import group_for
from nastavnik.domain.programmes.services import get_programme, managed_programme
from nastavnik.domain.questionnaires.models import (
    Audience,
    ItemKind,
    Moment,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.questionnaire_templates import MOMENT_TITLES, effective_version
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus
from nastavnik.tenancy import NotFound, OrgContext

MAX_TEXT_ANSWER = 2000
ASSIGNABLE_AT_END = (GroupStatus.ACTIVE, GroupStatus.COMPLETED, GroupStatus.ENDED_EARLY)
SCALE_HINTS: dict[str, tuple[str, str, str]] = {
    # The diagnostics (the only yearly questionnaire): each item is an area of work, rated by how hard it is.
    Moment.YEAR: (
        "Оцените, насколько трудно вам даётся каждое направление работы",
        "затруднений нет",
        "серьёзные затруднения",
    ),
}
SCALE_HINT = ("Оцените каждое утверждение", "совсем нет", "полностью")


@dataclass(frozen=True, slots=True)
class AssignmentView:
    assignment: QuestionnaireAssignment
    template: QuestionnaireTemplate
    version: QuestionnaireVersion
    answers: dict[str, int | str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.template.title

    @property
    def moment_title(self) -> str:
        return MOMENT_TITLES.get(self.assignment.moment, self.assignment.moment)

    @property
    def items(self) -> list[dict[str, Any]]:
        return list(self.version.items)

    @property
    def scale_hint(self) -> tuple[str, str, str]:
        """How the form asks for the scores: (the request, what the lowest score means, the highest)."""
        return SCALE_HINTS.get(self.template.moment, SCALE_HINT)


async def assign_questionnaires(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID, moment: str
) -> int:
    """Give every active member of the group the ``moment`` questionnaire of their audience.

    The region's latest published version, else the platform's. Members who already have this
    moment's questionnaire for the group keep theirs. Does not commit: it runs inside the caller's
    transaction (an order, a pair's completion), all or nothing with it. Returns how many were given.
    """
    programme = await get_programme(db, ctx, programme_id)
    members = list(
        await db.execute(
            select(GroupMember.person_id, GroupMember.role)
            .join(Person, (Person.org_id == GroupMember.org_id) & (Person.id == GroupMember.person_id))
            .where(
                GroupMember.group_id == group_id,
                Person.status == PersonStatus.ACTIVE,
                ctx.owns(GroupMember),
            )
        )
    )
    versions = {
        audience: await effective_version(db, ctx.org.region_id, audience, programme.regime, moment)
        for audience in Audience
    }
    now = clock.now()
    rows = [
        {
            "org_id": ctx.org.id,
            "id": uuid.uuid4(),
            "group_id": group_id,
            "person_id": person_id,
            "role": role,
            "moment": moment,
            "version_id": version.id,
            # The platform's clock, not the database server's: the days a questionnaire waits are counted
            # from here to the region's today on that clock.
            "assigned_at": now,
        }
        for person_id, role in members
        if (version := versions.get(Audience(role))) is not None
    ]
    if not rows:
        return 0
    result = await db.execute(
        pg_insert(QuestionnaireAssignment)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["org_id", "group_id", "person_id", "moment"])
    )
    given = int(getattr(result, "rowcount", 0) or 0)
    await audit.record_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.QUESTIONNAIRE_ASSIGNMENT,
        group_id,
        details={"moment": moment, "count": given},
    )
    return given


async def assign_end_questionnaires(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> int:
    """The curator's «Назначить итоговые анкеты» for a group that works or has ended."""
    programme = await managed_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    if group.status not in ASSIGNABLE_AT_END:
        raise InvalidInput(
            "Пара ещё не действует: итоговые анкеты назначаются после приказа о формировании пар.",
            [FieldError("status", "пара ждёт приказа")],
        )
    given = await assign_questionnaires(db, ctx, group.programme_id, group.id, Moment.END)
    await db.commit()
    return given


async def _views(
    db: AsyncSession, assignments: Sequence[QuestionnaireAssignment], answers: bool
) -> list[AssignmentView]:
    if not assignments:
        return []
    rows = await db.execute(
        select(QuestionnaireVersion, QuestionnaireTemplate)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
        .where(QuestionnaireVersion.id.in_({a.version_id for a in assignments}))
    )
    versions = {version.id: (version, template) for version, template in rows}
    given: dict[uuid.UUID, dict[str, int | str]] = {a.id: {} for a in assignments}
    if answers:
        for answer in await db.scalars(
            select(QuestionnaireAnswer).where(
                QuestionnaireAnswer.org_id == assignments[0].org_id,
                QuestionnaireAnswer.assignment_id.in_(list(given)),
            )
        ):
            value = answer.score if answer.score is not None else answer.text
            if value is not None:
                given[answer.assignment_id][answer.item_key] = value
    return [
        AssignmentView(a, versions[a.version_id][1], versions[a.version_id][0], given[a.id])
        for a in assignments
    ]


async def views_of(
    db: AsyncSession, assignments: Sequence[QuestionnaireAssignment], *, answers: bool
) -> list[AssignmentView]:
    """Assignments with their template, version and (when asked) answers; for the results too."""
    return await _views(db, assignments, answers)


async def assignments_with_people(
    db: AsyncSession, ctx: OrgContext, where: ColumnElement[bool], *order_by: ColumnElement[Any]
) -> list[tuple[QuestionnaireAssignment, Person]]:
    """The organisation's assignments ``where`` picks, each with the person it was given to."""
    rows = await db.execute(
        select(QuestionnaireAssignment, Person)
        .join(
            Person,
            (Person.org_id == QuestionnaireAssignment.org_id)
            & (Person.id == QuestionnaireAssignment.person_id),
        )
        .where(where, ctx.owns(QuestionnaireAssignment))
        .order_by(*order_by, Person.last_name, Person.first_name)
    )
    return [(assignment, person) for assignment, person in rows]


async def my_questionnaires(db: AsyncSession, ctx: OrgContext) -> list[AssignmentView]:
    """The signed-in person's questionnaires: open ones first, then those filled in."""
    assignments = list(
        await db.scalars(
            select(QuestionnaireAssignment)
            .where(QuestionnaireAssignment.person_id == ctx.person_id, ctx.owns(QuestionnaireAssignment))
            .order_by(
                QuestionnaireAssignment.completed_at.is_not(None),
                QuestionnaireAssignment.assigned_at.desc(),
                QuestionnaireAssignment.id,
            )
        )
    )
    return await _views(db, assignments, answers=False)


async def _mine(
    db: AsyncSession, ctx: OrgContext, assignment_id: uuid.UUID, *, lock: bool = False
) -> QuestionnaireAssignment:
    # Someone else's questionnaire is as unknown as a missing one.
    mine = QuestionnaireAssignment.person_id == ctx.person_id
    return await ctx.find(db, QuestionnaireAssignment, assignment_id, mine, lock=lock)


async def my_questionnaire(db: AsyncSession, ctx: OrgContext, assignment_id: uuid.UUID) -> AssignmentView:
    """One of the person's questionnaires with its items, and their answers once given."""
    assignment = await _mine(db, ctx, assignment_id)
    (shown,) = await _views(db, [assignment], answers=assignment.completed_at is not None)
    if assignment.completed_at is not None:
        await record_answers_read(db, ctx, assignment)
        await db.commit()
    return shown


async def record_answers_read(
    db: AsyncSession, ctx: OrgContext, assignment: QuestionnaireAssignment, **details: Any
) -> None:
    """152-FZ: a read of someone's answers goes to the audit log with whose they were (the caller commits)."""
    await audit.record_in(
        db,
        ctx,
        "read",
        audit.ObjectKind.QUESTIONNAIRE_ANSWERS,
        assignment.id,
        subject_person_id=assignment.person_id,
        details=details or None,
    )


def check_answers(
    items: Sequence[Mapping[str, Any]], raw: Mapping[str, object]
) -> list[tuple[str, int | None, str | None]]:
    """(key, score, text) for every answered item, or InvalidInput naming each problem in Russian.

    Values may be numbers (the API) or strings (a page form). Nothing is stored on any error.
    """
    errors: list[FieldError] = []
    known = {str(item["key"]) for item in items}
    for key in raw:
        if key not in known:
            errors.append(FieldError(f"answers.{key[:40]}", f"вопроса «{key[:40]}» нет в этой анкете"))
    answers: list[tuple[str, int | None, str | None]] = []
    for n, item in enumerate(items, start=1):
        key = str(item["key"])
        value = raw.get(key)

        def fail(message: str, key: str = key, n: int = n) -> None:
            errors.append(FieldError(f"answers.{key}", f"вопрос {n}: {message}"))

        if value is None or (isinstance(value, str) and not value.strip()):
            if item.get("required"):
                fail("ответьте на вопрос")
            continue
        if item["kind"] == ItemKind.SCALE:
            low, high = int(item["min"]), int(item["max"])
            score: int | None = None
            if isinstance(value, int) and not isinstance(value, bool):
                score = value
            elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) < 4:
                score = int(value.strip())
            if score is None or not low <= score <= high:
                fail(f"оценка — целое число от {low} до {high}")
                continue
            answers.append((key, score, None))
        else:
            if not isinstance(value, str):
                fail("ответ — текст")
                continue
            text = value.strip()
            if len(text) > MAX_TEXT_ANSWER:
                fail(f"ответ не длиннее {MAX_TEXT_ANSWER} знаков")
                continue
            answers.append((key, None, text))
    if errors:
        raise InvalidInput("Анкета не отправлена: проверьте ответы.", errors)
    return answers


async def submit(
    db: AsyncSession, ctx: OrgContext, assignment_id: uuid.UUID, raw: Mapping[str, object]
) -> AssignmentView:
    """Answer one's own questionnaire, once: all answers or none."""
    # The row lock makes a double submit (two taps, two tabs) wait and then see it filled in.
    assignment = await _mine(db, ctx, assignment_id, lock=True)
    if assignment.completed_at is not None:
        await db.rollback()
        raise Conflict("Анкета уже заполнена: ответы изменить нельзя.", "answers")
    version = await db.get(QuestionnaireVersion, assignment.version_id)
    if version is None:  # the foreign key makes this impossible; say so rather than assume it
        raise NotFound
    try:
        answers = check_answers(version.items, raw)
    except InvalidInput:
        await db.rollback()
        raise
    if answers:
        # A plain INSERT: the answers' read policy is not needed to write them.
        await db.execute(
            insert(QuestionnaireAnswer),
            [
                {"org_id": ctx.org.id, "assignment_id": assignment.id, "item_key": k, "score": s, "text": t}
                for k, s, t in answers
            ],
        )
    assignment.completed_at = clock.now()  # shown as the region's date: the one clock
    await db.flush()
    await db.refresh(assignment)
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.QUESTIONNAIRE_ANSWERS,
        assignment.id,
        subject_person_id=assignment.person_id,
        details={"answered": len(answers)},
    )
    return await my_questionnaire(db, ctx, assignment.id)
