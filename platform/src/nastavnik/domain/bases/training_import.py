"""Mentors' training records read from a table (.xlsx, .xls or .csv): the bases' import pipeline for courses.

The table is read as curators keep it (:mod:`table_import`: headers by their words and synonyms, any column
order, «Итого» rows, dates as Excel dates or дд.мм.гггг), every column shown in the preview with what it is
read as or «не используется», and every column holding data that is not used named as a warning. Each row
names a mentor of the organisation's base by e-mail or by full name (an e-mail decides when both are given
and they agree); a row naming nobody of the base, or two people of one name, is an error by row and
column. A row repeating a record the mentor already has (the same course started the same day) updates it,
so that loading a file twice adds nothing; every other row adds a record. The commit re-reads the kept file
and writes all of it in one transaction, or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.bulk import insert_rows
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.bases.importing import (
    PERSON_COLUMNS,
    PERSON_TITLES,
    Findings,
    RowReader,
    warn_unused_columns,
)
from nastavnik.domain.bases.models import MentorProfile, MentorTraining
from nastavnik.domain.bases.services import MANAGERS
from nastavnik.domain.bases.table_import import (
    Column,
    HeaderNotFound,
    normalise_header,
    read_table,
    text,
)
from nastavnik.domain.bases.training import TrainingDraft, training_errors
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person, clean_email
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.web import uploads

COLUMNS = (
    Column(
        "course",
        (
            "Курс",
            "Курсы",
            "Программа",
            "Название курса",
            "Название программы",
            "Наименование программы",
            "Наименование курса",
            "Программа обучения",
            "Программа повышения квалификации",
            "Курсы повышения квалификации",
            "Тема курса",
        ),
        required=False,
    ),
    Column(
        "provider",
        (
            "Организация",
            "Образовательная организация",
            "Организация проводившая обучение",
            "Кем проведено обучение",
            "Место обучения",
            "Место прохождения",
            "Учреждение",
            "Провайдер",
        ),
        required=False,
    ),
    Column(
        "hours",
        ("Часов", "Часы", "Количество часов", "Кол во часов", "Объём", "Объем", "Объём часов", "Объем часов"),
        required=False,
    ),
    Column("started_on", ("Начало", "Начало обучения", "Дата начала", "С"), required=False),
    Column(
        "finished_on",
        ("Окончание", "Окончание обучения", "Дата окончания", "Завершение", "По"),
        required=False,
    ),
    Column(
        "certificate_no",
        (
            "Номер удостоверения",
            "Удостоверение",
            "Номер сертификата",
            "Сертификат",
            "Номер документа",
            "Документ об обучении",
            "Номер документа об обучении",
        ),
        required=False,
    ),
)
TITLES = {
    "course": "Курс",
    "provider": "Организация",
    "hours": "Часов",
    "started_on": "Дата начала",
    "finished_on": "Дата окончания",
    "certificate_no": "Номер удостоверения",
}
FIELD_TITLES = {**PERSON_TITLES, **TITLES}
SCOPE = "trainings"
NOBODY = (
    "Не найден столбец, называющий наставника: ожидался «ФИО» (или «Фамилия», «Имя») или «Электронная почта»."
)


@dataclass(frozen=True, slots=True)
class Mentor:
    person_id: uuid.UUID
    full_name: str
    email: str | None


@dataclass
class TrainingRow:
    row: int
    mentor: Mentor
    draft: TrainingDraft
    existing_id: uuid.UUID | None
    """The mentor's record this row updates (the same course started the same day), or None: a new one."""


@dataclass
class TrainingPreview(Findings):
    rows: list[TrainingRow] = field(default_factory=list)


def _names_or_email(found: set[str]) -> bool:
    return "full_name" in found or {"last_name", "first_name"} <= found or "email" in found


def _row_name(values: Mapping[str, Any]) -> str:
    if text(values, "last_name") or text(values, "first_name"):
        parts = (text(values, "last_name"), text(values, "first_name"), text(values, "middle_name"))
        return " ".join(p for p in parts if p)
    return text(values, "full_name")


async def _mentors(db: AsyncSession, ctx: OrgContext) -> list[Mentor]:
    rows = await db.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name, Person.email)
        .join(MentorProfile, (MentorProfile.org_id == Person.org_id) & (MentorProfile.person_id == Person.id))
        .where(ctx.owns(Person))
    )
    return [
        Mentor(pid, " ".join(p for p in (last, first, middle) if p), email)
        for pid, last, first, middle, email in rows
    ]


async def _existing(db: AsyncSession, ctx: OrgContext) -> dict[tuple[uuid.UUID, str, date], uuid.UUID]:
    rows = await db.execute(
        select(
            MentorTraining.person_id, MentorTraining.course, MentorTraining.started_on, MentorTraining.id
        ).where(ctx.owns(MentorTraining))
    )
    return {(pid, normalise_header(course), started): tid for pid, course, started, tid in rows}


def _who(
    reader: RowReader,
    values: Mapping[str, Any],
    by_name: dict[str, list[Mentor]],
    by_email: dict[str, Mentor],
) -> Mentor | None:
    """The mentor a row names, or None with the reason noted on the row."""
    name = _row_name(values)
    raw_email = reader.text("email")
    email, mistake = clean_email(raw_email)
    if mistake:
        reader.problem("email", f"«{raw_email}»: {mistake}")
        return None
    named = by_name.get(normalise_header(name), []) if name else []
    if email is not None:
        mentor = by_email.get(email)
        if mentor is None:
            reader.problem("email", f"в базе наставников нет человека с адресом «{email}»")
        elif name and mentor not in named:
            reader.problem(
                "full_name", f"адрес «{email}» принадлежит наставнику {mentor.full_name}, а не «{name}»"
            )
            return None
        return mentor
    if not name:
        reader.problem("full_name", "укажите ФИО наставника или его электронную почту")
        return None
    if not named:
        reader.problem("full_name", f"«{name}»: такого наставника нет в базе наставников организации")
        return None
    if len(named) > 1:
        reader.problem(
            "full_name",
            f"в базе наставников {len(named)} человека с ФИО «{name}»: укажите в файле их электронную почту",
        )
        return None
    return named[0]


def _draft(reader: RowReader) -> TrainingDraft | None:
    hours, started, finished = reader.number("hours"), reader.date("started_on"), reader.date("finished_on")
    for name, value, message in (
        ("hours", hours, "укажите количество часов"),
        ("started_on", started, "укажите дату начала обучения"),
        ("finished_on", finished, "укажите дату окончания обучения"),
    ):
        if value is None and name not in {c for c, _ in reader.problems}:
            reader.problem(name, message)
    if hours is None or started is None or finished is None:
        return None
    return TrainingDraft(
        reader.text("course"),
        reader.text("provider"),
        hours,
        started,
        finished,
        reader.text("certificate_no") or None,
    )


async def preview(db: AsyncSession, ctx: OrgContext, data: bytes, filename: str) -> TrainingPreview:
    """Every row of the file checked against the training rules and the organisation's base of mentors,
    and every column of it with what it is read as."""
    ctx.require_role(*MANAGERS)
    try:
        table = read_table(data, filename, PERSON_COLUMNS + COLUMNS, accept=_names_or_email)
    except HeaderNotFound as missing:
        found = TrainingPreview(columns=missing.columns)
        found.error(0, "file", NOBODY)
        return found
    titles = {**FIELD_TITLES}
    titles |= {c.field: c.title for c in table.sheet_columns if c.field}
    result = TrainingPreview(columns=table.sheet_columns)
    # This file's columns are not chosen by hand (the bases' remembered choices are per base): a header the
    # pipeline does not know is renamed in the file instead.
    warn_unused_columns(
        result.warning, table.sheet_columns, "Переименуйте заголовок столбца или удалите столбец из файла"
    )
    mentors = await _mentors(db, ctx)
    by_name: dict[str, list[Mentor]] = {}
    for known in mentors:
        by_name.setdefault(normalise_header(known.full_name), []).append(known)
    by_email = {m.email: m for m in mentors if m.email}
    existing = await _existing(db, ctx)
    seen: dict[tuple[uuid.UUID, str, date], int] = {}
    today = ctx.today()
    for row, values in table.rows:
        reader = RowReader(values, titles)
        mentor = _who(reader, values, by_name, by_email)
        draft = _draft(reader)
        if draft is not None:
            for problem in training_errors(draft, today):
                reader.problem(problem.field, problem.message)
        if mentor is not None and draft is not None and not reader.problems:
            key = (mentor.person_id, normalise_header(draft.course), draft.started_on)
            if key in seen:
                reader.problem(
                    "course", f"повторяет строку {seen[key]}: тот же наставник, курс и дата начала"
                )
            seen.setdefault(key, row)
        for column, message in reader.problems:
            result.error(row, column, message)
        if not reader.problems and mentor is not None and draft is not None:
            key = (mentor.person_id, normalise_header(draft.course), draft.started_on)
            result.rows.append(TrainingRow(row, mentor, draft, existing.get(key)))
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной строки")
    return result


def upload_scope(ctx: OrgContext) -> tuple[str, ...]:
    return (SCOPE, str(ctx.org.id), str(ctx.actor.identity_id))


async def keep(runtime: Runtime, ctx: OrgContext, data: bytes, filename: str) -> str:
    return await uploads.keep(runtime, upload_scope(ctx), data, filename)


async def commit(db: AsyncSession, runtime: Runtime, ctx: OrgContext, token: str) -> TrainingPreview:
    """Write every row of the kept file in one transaction, or none of them."""
    ctx.require_role(*MANAGERS)
    data, filename = await uploads.take(runtime, upload_scope(ctx), token)
    # Two imports of one organisation take turns, so the second sees the records the first added.
    await lock_for_transaction(db, [f"training-import:{ctx.org.id}"])
    checked = await preview(db, ctx, data, filename)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [FieldError(f"строка {e.row}, {e.field}", e.message) for e in checked.errors],
        )
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for item in checked.rows:
        d = item.draft
        values = {
            "course": d.course.strip(),
            "provider": d.provider.strip(),
            "hours": d.hours,
            "started_on": d.started_on,
            "finished_on": d.finished_on,
            "certificate_no": (d.certificate_no or "").strip() or None,
        }
        if item.existing_id is None:
            added.append(
                {
                    "org_id": ctx.org.id,
                    "id": uuid.uuid4(),
                    "person_id": item.mentor.person_id,
                    "version": 1,
                    **values,
                }
            )
        else:
            changed.append({"record": item.existing_id, **{f"new_{k}": v for k, v in values.items()}})
    await insert_rows(db, MentorTraining, added)
    if changed:  # one statement, executed per row by the driver
        table = cast(Table, MentorTraining.__table__)
        await db.execute(
            update(table)
            .where(table.c.org_id == ctx.org.id, table.c.id == bindparam("record"))
            .values(
                **{name: bindparam(f"new_{name}") for name in TITLES},
                version=table.c.version + 1,
            ),
            changed,
        )
    await audit.commit_in(
        db,
        ctx,
        "create",
        audit.ObjectKind.TRAINING_IMPORT,
        details={"added": len(added), "updated": len(changed)},
    )
    return checked
