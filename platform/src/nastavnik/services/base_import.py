"""Importing a base (of mentees, of mentors) from the curator's own table: one pipeline for both.

The table is read as curators keep it (:mod:`table_import`); each row names a person and is read
into a draft by the base's own rules (a :class:`BaseSpec`); rows are matched to people already in
the organisation on the normalised full name, plus what else the base knows (a mentee's birth
date): a match is updated, no match is created, several matches are reported rather than merged.
Every problem is listed by row and column in Russian. The commit re-reads the kept file and writes
every row in one transaction, or none.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.bulk import insert_rows, update_from_excluded
from nastavnik.models import MenteeProfile, MentorProfile, Person, PersonRole, ProgrammeRole
from nastavnik.runtime import Runtime
from nastavnik.services import audit, bases, uploads
from nastavnik.services.errors import InvalidInput
from nastavnik.services.table_import import (
    BadCell,
    Column,
    date_value,
    normalise_header,
    number_value,
    read_table,
    text,
)
from nastavnik.tenancy import OrgContext

NAME_COLUMNS = (
    Column("full_name", ("ФИО", "Фамилия, имя, отчество", "Ф.И.О."), required=False),
    Column("last_name", ("Фамилия",), required=False),
    Column("first_name", ("Имя",), required=False),
    Column("middle_name", ("Отчество",), required=False),
)
NAME_TITLE = "ФИО"

Draft = TypeVar("Draft", bases.MenteeDraft, bases.MentorDraft)


class Known(NamedTuple):
    """A person already in the organisation, as a row of the file is matched against them."""

    person_id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    matched_on: date | None
    """What else the base matches on besides the name (a mentee's birth date), or None."""


def name_key(last: str, first: str, middle: str | None) -> str:
    return normalise_header(" ".join(p for p in (last, first, middle or "") if p))


class RowReader:
    """One data row read by a base's rules: its values by field, its problems by column title."""

    def __init__(self, values: Mapping[str, Any], titles: Mapping[str, str]) -> None:
        self.values = values
        self.titles = titles
        self.problems: list[tuple[str, str]] = []

    def problem(self, field_name: str, message: str) -> None:
        column = self.titles.get(field_name, field_name)
        if all(c != column for c, _ in self.problems):  # one complaint per cell: the first is the cause
            self.problems.append((column, message))

    def text(self, field_name: str) -> str:
        return text(self.values, field_name)

    def date(self, field_name: str) -> date | None:
        try:
            return date_value(self.values, field_name)
        except BadCell as bad:
            self.problem(field_name, str(bad))
            return None

    def number(self, field_name: str) -> int | None:
        try:
            return number_value(self.values, field_name)
        except BadCell as bad:
            self.problem(field_name, str(bad))
            return None

    def choice(self, field_name: str, options: Mapping[str, str], hint: str) -> str | None:
        """The code for a word from ``options``; None when the cell is empty or says something else."""
        raw = self.text(field_name)
        if not raw:
            return None
        found = options.get(normalise_header(raw))
        if found is None:
            self.problem(field_name, f"«{raw}»: {hint}")
        return found


@dataclass(frozen=True, slots=True)
class ParsedRow(Generic[Draft]):
    draft: Draft
    category: str
    """The person category of a new person."""
    stated_category: str | None = None
    """The category the row states, written to a matched person too."""
    match_on: date | None = None
    """What a person is matched on besides the name (a mentee's birth date)."""


@dataclass(frozen=True, slots=True)
class BaseSpec(Generic[Draft]):
    """What one base's import does differently from the other's."""

    name: str
    """«mentees» or «mentors»: the upload's scope."""
    audit_object: str
    """What the audit log calls an import into this base."""
    columns: tuple[Column, ...]
    titles: Mapping[str, str]
    """Field → the column title a person sees in the preview."""
    profile: type[MenteeProfile] | type[MentorProfile]
    role: ProgrammeRole
    read: Callable[[RowReader], ParsedRow[Draft]]
    validate: Callable[[Draft, date], None]
    existing: Callable[[AsyncSession, OrgContext], Awaitable[list[Known]]]
    matched_by: str
    """How a match is described in Russian: «ФИО», «ФИО и датой рождения»."""
    describe: Callable[[ParsedRow[Draft]], tuple[str, str]]
    """(code, Russian title) of what the row is: a mentee's kind, a mentor's category."""


@dataclass
class ImportRow(Generic[Draft]):
    row: int
    last_name: str
    first_name: str
    middle_name: str | None
    parsed: ParsedRow[Draft]
    person_id: str | None = None  # the person it updates, if found

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


@dataclass
class Preview(Generic[Draft]):
    rows: list[ImportRow[Draft]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": str(row), "field": column, "message": message})

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.person_id is None)


def _names(values: Mapping[str, Any]) -> tuple[str, str, str | None]:
    if text(values, "last_name") or text(values, "first_name"):
        return text(values, "last_name"), text(values, "first_name"), text(values, "middle_name") or None
    parts = text(values, "full_name").split()
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "", " ".join(parts[2:]) or None)


def _people(n: int) -> str:
    return "человека" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "человек"


async def preview(
    db: AsyncSession, ctx: OrgContext, spec: BaseSpec[Draft], data: bytes, filename: str
) -> Preview[Draft]:
    """Every row of the file checked against the base's rules and the people already in the organisation."""
    ctx.require_role(*bases.MANAGERS)
    table = read_table(data, filename, NAME_COLUMNS + spec.columns)
    if "full_name" not in table.columns and not {"last_name", "first_name"} <= table.columns:
        raise InvalidInput(
            "Не найдены столбцы с именами.",
            [{"field": "file", "message": "нужен столбец «ФИО» или столбцы «Фамилия» и «Имя»"}],
        )
    existing: dict[tuple[str, date | None], list[str]] = {}
    for pid, last, first, middle, matched_on in await spec.existing(db, ctx):
        existing.setdefault((name_key(last, first, middle), matched_on), []).append(str(pid))
    titles = {"full_name": NAME_TITLE, **spec.titles}
    result: Preview[Draft] = Preview()
    seen: dict[tuple[str, date | None], int] = {}
    today = ctx.today()
    for row, values in table.rows:
        reader = RowReader(values, titles)
        last, first, middle = _names(values)
        if not last or not first:
            reader.problem("full_name", "нужны хотя бы фамилия и имя")
        parsed = spec.read(reader)
        try:
            spec.validate(parsed.draft, today)
        except InvalidInput as problem:
            for item in problem.errors:
                reader.problem(item["field"], item["message"])
        key = (name_key(last, first, middle), parsed.match_on)
        if key in seen:
            reader.problem("full_name", f"повторяет строку {seen[key]}")
        seen.setdefault(key, row)
        matches = existing.get(key, [])
        if len(matches) > 1:
            reader.problem(
                "full_name",
                f"в организации {len(matches)} {_people(len(matches))} с такими {spec.matched_by}: "
                "уточните запись вручную",
            )
        for column, message in reader.problems:
            result.error(row, column, message)
        if not reader.problems:
            result.rows.append(ImportRow(row, last, first, middle, parsed, matches[0] if matches else None))
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной строки")
    return result


def upload_scope(ctx: OrgContext, spec: BaseSpec[Any]) -> tuple[str, ...]:
    return (spec.name, str(ctx.org.id), str(ctx.actor.identity_id))


async def keep_if_clean(
    runtime: Runtime, ctx: OrgContext, spec: BaseSpec[Any], checked: Preview[Any], data: bytes, filename: str
) -> str | None:
    """Keep a file that passed its preview until the commit; a token names it. A broken file is not kept."""
    if checked.errors:
        return None
    return await uploads.keep(runtime, upload_scope(ctx, spec), data, filename)


async def commit(
    db: AsyncSession, runtime: Runtime, ctx: OrgContext, spec: BaseSpec[Draft], token: str
) -> Preview[Draft]:
    """Write every row of the kept file in one transaction, or none of them."""
    ctx.require_role(*bases.MANAGERS)
    data, filename = await uploads.take(runtime, upload_scope(ctx, spec), token)
    checked = await preview(db, ctx, spec, data, filename)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [{"field": f"строка {e['row']}, {e['field']}", "message": e["message"]} for e in checked.errors],
        )
    # Set-based: a few statements whatever the number of rows (10,000 rows row by row took a minute).
    people: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    restated: dict[str, list[uuid.UUID]] = defaultdict(list)
    for item in checked.rows:
        person_id = uuid.UUID(item.person_id) if item.person_id else uuid.uuid4()
        if item.person_id is None:
            people.append(
                {
                    "org_id": ctx.org.id,
                    "id": person_id,
                    "last_name": item.last_name,
                    "first_name": item.first_name,
                    "middle_name": item.middle_name,
                    "category": str(item.parsed.category),
                }
            )
        elif item.parsed.stated_category is not None:
            restated[str(item.parsed.stated_category)].append(person_id)
        profiles.append(
            {"org_id": ctx.org.id, "person_id": person_id, **bases.draft_values(item.parsed.draft)}
        )
    await insert_rows(db, Person, [{**p, "status": "active", "version": 1} for p in people])
    for category, ids in restated.items():  # at most one statement per category
        await db.execute(
            update(Person)
            .where(Person.id.in_(ids), Person.category != category, ctx.owns(Person))
            .values(category=category, version=Person.version + 1)
        )
    if profiles:
        columns = [c for c in profiles[0] if c not in ("org_id", "person_id")]
        await insert_rows(
            db, spec.profile, profiles, on_conflict=update_from_excluded(["org_id", "person_id"], columns)
        )
    await insert_rows(
        db,
        PersonRole,
        [{"org_id": ctx.org.id, "person_id": p["person_id"], "role": spec.role.value} for p in profiles],
        on_conflict="ON CONFLICT DO NOTHING",
    )
    await audit.record_in(
        db,
        ctx,
        action="create",
        object_type=spec.audit_object,
        details={"rows": len(checked.rows), "created": checked.created},
    )
    await db.commit()
    return checked
