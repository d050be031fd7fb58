"""The development plan and the mentor's journal as .docx, filled from the group's data.

Whoever may read a plan or the journal may download it; every download is an audited export.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.documents.services import fill
from nastavnik.domain.documents.signers import person_name
from nastavnik.domain.documents.work import (
    JOURNAL_TEMPLATE,
    JOURNAL_TITLE,
    PLAN_TEMPLATE,
    PLAN_TITLE,
    JournalData,
    JournalLine,
    PlanData,
    PlanLine,
    render_journal,
    render_plan,
)
from nastavnik.domain.work.services import GroupWork, group_work, journal_entries, plan_items
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext
from nastavnik.types import DictionaryEntry


def _year_title(work: GroupWork) -> str:
    return f"{work.programme.academic_year}/{work.programme.academic_year + 1}"


async def plan_document(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    mentee_id: uuid.UUID | None,
    dictionaries_of: Iterable[DictionaryEntry],
    plugins: Plugins,
) -> tuple[str, bytes]:
    """(file name, .docx) of one mentee's plan; without ``mentee_id``, of the only one the person sees."""
    work = await group_work(db, ctx, programme_id, group_id, dictionaries_of)
    mentee = work.mentee(mentee_id)
    items = await plan_items(db, ctx, work.group.id, [mentee.id])
    data = PlanData(
        organisation_full_name=ctx.org.full_name,
        academic_year_title=_year_title(work),
        mentee=person_name(mentee),
        mentors=[person_name(p) for p in work.view.mentors],
        form_title=work.view.form_title,
        kind_title=work.view.kind_title,
        starts_on=work.group.starts_on,
        ends_on=work.group.ends_on,
        items=[PlanLine(i.goal, i.task, i.due_on, i.done, i.done_on, i.result) for i in items],
    )
    content = await fill(db, ctx, plugins, PLAN_TEMPLATE, lambda template: render_plan(data, template))
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.DEVELOPMENT_PLAN, work.group.id, subject_person_id=mentee.id
    )
    return f"{PLAN_TITLE} — {mentee.full_name}.docx", content


async def journal_document(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    dictionaries_of: Iterable[DictionaryEntry],
    plugins: Plugins,
) -> tuple[str, bytes]:
    """(file name, .docx) of the group's journal: every meeting, as every member may read it."""
    work = await group_work(db, ctx, programme_id, group_id, dictionaries_of)
    entries = await journal_entries(db, ctx, work.group.id)
    data = JournalData(
        organisation_full_name=ctx.org.full_name,
        academic_year_title=_year_title(work),
        mentors=[person_name(p) for p in work.view.mentors],
        mentees=[person_name(p) for p in work.view.mentees],
        form_title=work.view.form_title,
        kind_title=work.view.kind_title,
        starts_on=work.group.starts_on,
        ends_on=work.group.ends_on,
        entries=[
            JournalLine(v.entry.met_on, v.entry.topic, v.entry.content, v.entry.result, v.entry.assignment)
            for v in entries
        ],
    )
    content = await fill(db, ctx, plugins, JOURNAL_TEMPLATE, lambda template: render_journal(data, template))
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.MENTOR_JOURNAL, work.group.id, details={"count": len(entries)}
    )
    mentors = ", ".join(p.last_name for p in work.view.mentors) or "группы"
    return f"{JOURNAL_TITLE} — {mentors}.docx", content
