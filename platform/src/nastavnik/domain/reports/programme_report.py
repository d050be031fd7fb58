"""Stage 7 documents: the programme's report and the thank-you letters to its mentors, as .docx.

The report states the programme as it stands, whenever it is asked for: a curator may show the
figures half-way through the year as well as at its end. Its figures are counted by PostgreSQL
(a few aggregate queries whatever the number of pairs); only the list of pairs is read row by
row, because it is printed row by row. Pairs formed but not yet ordered have not started: they
are named apart and left out of the figures. Both exports are audited (personal data leaves the
platform in them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Numeric, cast, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.collation import name_key
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.orders import ORDER_TITLES
from nastavnik.domain.documents.programme_report import (
    REGIME_TITLES,
    OrderLine,
    PairLine,
    ReportData,
    SatisfactionLine,
    StageLine,
    StatusCounts,
    founding_document,
    render_report,
)
from nastavnik.domain.documents.services import fill
from nastavnik.domain.documents.signers import person_name, role_holder
from nastavnik.domain.documents.thank_you_letters import Letter, LettersData, render_letters
from nastavnik.domain.programmes.models import STAGES, Programme
from nastavnik.domain.programmes.pairs.models import (
    GroupMember,
    GroupStatus,
    MemberRole,
    MentoringGroup,
    MentoringOrder,
)
from nastavnik.domain.programmes.pairs.services import MANAGERS, Dictionaries, views
from nastavnik.domain.programmes.services import get_programme
from nastavnik.domain.questionnaires.models import (
    Moment,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.questionnaires.results import MIN_RESPONDENTS
from nastavnik.domain.work.models import PlanItem
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person, ProgrammeRole
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext
from nastavnik.types import DictionaryEntry, DictionaryKind

ORDERED = (GroupStatus.ACTIVE, GroupStatus.COMPLETED, GroupStatus.ENDED_EARLY)
COVERED = (GroupStatus.ACTIVE, GroupStatus.COMPLETED)
NO_ONE_TO_THANK = "Нет завершённых пар: благодарить пока некого."


@dataclass(frozen=True, slots=True)
class Participants:
    mentors: int
    mentees: int
    covered: int


@dataclass(frozen=True, slots=True)
class GroupFigures:
    by_form: list[StatusCounts]
    totals: StatusCounts
    awaiting_order: int
    completed_share: int | None


def _year_title(programme: Programme) -> str:
    return f"{programme.academic_year}/{programme.academic_year + 1}"


def _file_year(programme: Programme) -> str:
    return f"{programme.academic_year}-{programme.academic_year + 1}"


async def participants(db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID) -> Participants:
    """Distinct people of the programme's ordered pairs and groups; a person in two pairs counts once."""
    person = distinct(GroupMember.person_id)
    is_mentee = GroupMember.role == MemberRole.MENTEE
    row = (
        await db.execute(
            select(
                func.count(person).filter(GroupMember.role == MemberRole.MENTOR),
                func.count(person).filter(is_mentee),
                func.count(person).filter(is_mentee, MentoringGroup.status.in_(COVERED)),
            )
            .select_from(GroupMember)
            .join(
                MentoringGroup,
                (MentoringGroup.org_id == GroupMember.org_id) & (MentoringGroup.id == GroupMember.group_id),
            )
            .where(
                MentoringGroup.programme_id == programme_id,
                MentoringGroup.status.in_(ORDERED),
                ctx.owns(GroupMember),
                ctx.owns(MentoringGroup),
            )
        )
    ).one()
    return Participants(int(row[0]), int(row[1]), int(row[2]))


async def group_figures(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, dictionaries: Dictionaries
) -> GroupFigures:
    """Pairs and groups by form and status, with the totals row and the completed share (ROLLUP)."""
    status, form = MentoringGroup.status, MentoringGroup.form_code

    ordered = func.count().filter(status.in_(ORDERED))
    completed = func.count().filter(status == GroupStatus.COMPLETED)
    is_total = func.grouping(form)
    rows = await db.execute(
        select(
            is_total,
            form,
            func.count().filter(status == GroupStatus.ACTIVE),
            completed,
            func.count().filter(status == GroupStatus.ENDED_EARLY),
            ordered,
            func.count().filter(status == GroupStatus.DRAFT),
            # numeric, not double precision: PostgreSQL rounds a numeric half away from zero.
            func.round(cast(completed, Numeric) * 100 / func.nullif(ordered, 0)),
        )
        .where(MentoringGroup.programme_id == programme_id, ctx.owns(MentoringGroup))
        .group_by(func.rollup(form))
        # A form whose groups all wait for their order has nothing to show yet.
        .having(or_(is_total == 1, ordered > 0))
    )
    by_form: list[StatusCounts] = []
    totals, awaiting, share = StatusCounts("Итого", 0, 0, 0, 0), 0, None
    for total_row, code, active, done, early, all_ordered, drafts, percent in rows:
        if total_row:
            totals = StatusCounts("Итого", active, done, early, all_ordered)
            awaiting, share = int(drafts), None if percent is None else int(percent)
        else:
            by_form.append(
                StatusCounts(dictionaries.title(DictionaryKind.FORM, code), active, done, early, all_ordered)
            )
    by_form.sort(key=lambda line: line.form_title)
    return GroupFigures(by_form, totals, awaiting, share)


def _stages(programme: Programme) -> list[StageLine]:
    lines = []
    for number, title in enumerate(STAGES, start=1):
        done = number < programme.stage or programme.status == "closed"
        state = "завершён" if done else "текущий" if number == programme.stage else "не начат"
        lines.append(StageLine(number, title, done, state))
    return lines


def _outcome(group: MentoringGroup) -> str:
    """What the report says a pair came to: its results, or why it ended early."""
    if group.status == GroupStatus.COMPLETED:
        return group.result
    if group.status == GroupStatus.ENDED_EARLY:
        return group.end_reason or ""
    return ""


async def _pairs(
    db: AsyncSession, ctx: OrgContext, programme: Programme, dictionaries: Dictionaries
) -> list[PairLine]:
    groups = list(
        await db.scalars(
            select(MentoringGroup)
            .where(
                MentoringGroup.programme_id == programme.id,
                MentoringGroup.status.in_(ORDERED),
                ctx.owns(MentoringGroup),
            )
            .order_by(MentoringGroup.starts_on, MentoringGroup.created_at, MentoringGroup.id)
        )
    )
    return [
        PairLine(
            mentors=[person_name(p) for p in view.mentors],
            mentees=[person_name(p) for p in view.mentees],
            form_title=view.form_title,
            kind_title=view.kind_title,
            starts_on=view.group.starts_on,
            ends_on=view.group.ends_on,
            ended_on=view.group.ended_on,
            status_title=view.status_title,
            outcome=_outcome(view.group),
        )
        for view in await views(db, ctx, dictionaries, groups)
    ]


async def _orders(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[OrderLine]:
    rows = await db.scalars(
        select(MentoringOrder)
        .where(MentoringOrder.programme_id == programme.id, ctx.owns(MentoringOrder))
        .order_by(MentoringOrder.issued_on, MentoringOrder.created_at)
    )
    return [OrderLine(ORDER_TITLES[OrderKind(o.kind)], o.number, o.issued_on) for o in rows]


async def programme_report(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    dictionaries_of: Iterable[DictionaryEntry],
    plugins: Plugins,
) -> tuple[str, bytes]:
    """(file name, .docx) of «Отчёт о реализации программы наставничества»; the export is audited.

    ``dictionaries_of`` names the forms (they are plugin dictionaries, as for the orders).
    """
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    dictionaries = Dictionaries.of(dictionaries_of, programme.regime)
    people = await participants(db, ctx, programme.id)
    figures = await group_figures(db, ctx, programme.id, dictionaries)
    data = ReportData(
        organisation_full_name=ctx.org.full_name,
        organisation_short_name=ctx.org.short_name,
        academic_year_title=_year_title(programme),
        regime_title=REGIME_TITLES.get(programme.regime, programme.regime),
        closed=programme.status == "closed",
        drawn_up_on=ctx.today(),
        documents=[
            founding_document(
                "Положение о наставничестве",
                programme.polozhenie_status,
                programme.polozhenie_order_no,
                programme.polozhenie_order_date,
                feminine=False,
            ),
            founding_document(
                "Программа наставничества",
                programme.programma_status,
                programme.programma_order_no,
                programme.programma_order_date,
                feminine=True,
            ),
        ],
        stages=_stages(programme),
        mentors_taking_part=people.mentors,
        mentees_taking_part=people.mentees,
        mentees_covered=people.covered,
        groups_total=figures.totals.total,
        by_form=figures.by_form,
        totals=figures.totals,
        awaiting_order=figures.awaiting_order,
        completed_share=figures.completed_share,
        pairs=await _pairs(db, ctx, programme, dictionaries),
        orders=await _orders(db, ctx, programme),
        curator=await role_holder(db, ctx, ProgrammeRole.CURATOR),
        director=await role_holder(db, ctx, ProgrammeRole.DIRECTOR),
        plan_completion=await _plan_completion(db, ctx, programme),
        satisfaction=await _satisfaction(db, ctx, programme),
    )
    content = await fill(db, ctx, plugins, "programme_report", lambda template: render_report(data, template))
    await audit.commit_in(
        db,
        ctx,
        "export",
        audit.ObjectKind.PROGRAMME_REPORT,
        programme.id,
        details={"groups": figures.totals.total},
    )
    return f"Отчёт о реализации программы наставничества {_file_year(programme)}.docx", content


async def _letters(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[Letter]:
    """One letter per mentor of a completed pair, naming the mentees of their completed pairs only."""
    groups = list(
        await db.scalars(
            select(MentoringGroup).where(
                MentoringGroup.programme_id == programme.id,
                MentoringGroup.status == GroupStatus.COMPLETED,
                ctx.owns(MentoringGroup),
            )
        )
    )
    # Titles are not printed in a letter: no dictionaries needed.
    shown = await views(db, ctx, Dictionaries({}, {}, {}), groups)
    mentors: dict[uuid.UUID, Person] = {}
    mentees: dict[uuid.UUID, dict[uuid.UUID, Person]] = {}
    for view in shown:
        for mentor in view.mentors:
            mentors[mentor.id] = mentor
            mentees.setdefault(mentor.id, {}).update((m.id, m) for m in view.mentees)

    def by_name(person: Person) -> tuple[str, ...]:
        return name_key(person.last_name, person.first_name, person.middle_name)

    return [
        Letter(
            person_name(mentor), [person_name(m) for m in sorted(mentees[mentor.id].values(), key=by_name)]
        )
        for mentor in sorted(mentors.values(), key=by_name)
    ]


async def thank_you_letters(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, plugins: Plugins
) -> tuple[str, bytes]:
    """(file name, .docx) with a «Благодарственное письмо» per mentor of a completed pair; audited."""
    ctx.require_role(*MANAGERS)
    programme = await get_programme(db, ctx, programme_id)
    letters = await _letters(db, ctx, programme)
    if not letters:
        raise InvalidInput(NO_ONE_TO_THANK, [FieldError("status", "ни одна пара программы ещё не завершена")])
    data = LettersData(
        organisation_full_name=ctx.org.full_name,
        organisation_short_name=ctx.org.short_name,
        academic_year_title=_year_title(programme),
        issued_on=ctx.today(),
        director=await role_holder(db, ctx, ProgrammeRole.DIRECTOR),
        letters=letters,
    )
    content = await fill(
        db, ctx, plugins, "thank_you_letters", lambda template: render_letters(data, template)
    )
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.THANK_YOU_LETTERS, programme.id, details={"letters": len(letters)}
    )
    return f"Благодарственные письма наставникам {_file_year(programme)}.docx", content


async def _plan_completion(db: AsyncSession, ctx: OrgContext, programme: Programme) -> int | None:
    """Tasks done of all tasks in the programme's development plans, in per cent; None without tasks."""
    done, total = (
        await db.execute(
            select(func.count().filter(PlanItem.done), func.count())
            .select_from(PlanItem)
            .join(
                MentoringGroup,
                (MentoringGroup.org_id == PlanItem.org_id) & (MentoringGroup.id == PlanItem.group_id),
            )
            .where(MentoringGroup.programme_id == programme.id, ctx.owns(PlanItem))
        )
    ).one()
    return round(100 * int(done) / int(total)) if total else None


async def _satisfaction(db: AsyncSession, ctx: OrgContext, programme: Programme) -> list[SatisfactionLine]:
    """Averages of the final questionnaires' scale items, only where at least MIN_RESPONDENTS answered."""
    answered = func.count(QuestionnaireAnswer.score)
    rows = list(
        await db.execute(
            select(
                QuestionnaireAssignment.version_id,
                QuestionnaireAnswer.item_key,
                func.round(func.avg(QuestionnaireAnswer.score), 1),
                answered,
            )
            .join(
                QuestionnaireAssignment,
                (QuestionnaireAssignment.org_id == QuestionnaireAnswer.org_id)
                & (QuestionnaireAssignment.id == QuestionnaireAnswer.assignment_id),
            )
            .join(
                MentoringGroup,
                (MentoringGroup.org_id == QuestionnaireAssignment.org_id)
                & (MentoringGroup.id == QuestionnaireAssignment.group_id),
            )
            .where(
                MentoringGroup.programme_id == programme.id,
                QuestionnaireAssignment.moment == Moment.END,
                QuestionnaireAnswer.score.is_not(None),
                ctx.owns(QuestionnaireAnswer),
            )
            .group_by(QuestionnaireAssignment.version_id, QuestionnaireAnswer.item_key)
            .having(answered >= MIN_RESPONDENTS)
        )
    )
    if not rows:
        return []
    versions = {
        version.id: (version, template)
        for version, template in await db.execute(
            select(QuestionnaireVersion, QuestionnaireTemplate)
            .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
            .where(QuestionnaireVersion.id.in_({version_id for version_id, *_ in rows}))
        )
    }
    lines = []
    for version_id, key, average, respondents in rows:
        version, template = versions[version_id]
        wording = next((str(i["text"]) for i in version.items if str(i["key"]) == key), key)
        lines.append(SatisfactionLine(f"{template.title}: {wording}", float(average), int(respondents)))
    return sorted(lines, key=lambda line: line.item)
