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
from typing import Any, Generic, NamedTuple, TypeVar, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.bulk import insert_rows, update_from_excluded
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.bases import services as bases
from nastavnik.domain.bases.models import ImportColumnChoice, MenteeProfile, MentorProfile
from nastavnik.domain.bases.table_import import (
    NUMBER_NOTE,
    BadCell,
    Column,
    HeaderNotFound,
    SheetColumn,
    date_value,
    header_key,
    normalise_header,
    number_value,
    read_table,
    recognise,
    text,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonRole, ProgrammeRole, clean_email
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.web import uploads

# Every base reads the names and the e-mail (where an account invitation goes) the same way.
PERSON_COLUMNS = (
    Column(
        "full_name",
        ("ФИО", "Фамилия имя отчество", "Фамилия имя", "Полное имя", "Фамилия и инициалы"),
        required=False,
    ),
    Column("last_name", ("Фамилия",), required=False),
    Column("first_name", ("Имя",), required=False),
    Column("middle_name", ("Отчество",), required=False),
    Column(
        "email",
        ("Электронная почта", "E-mail", "Email", "Почта", "Mail", "Емейл", "Имейл", "Эл почта"),
        required=False,
    ),
)
PERSON_TITLES = {
    "full_name": "ФИО",
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "email": "Электронная почта",
}
NAME_TITLE = "ФИО"
PERSON_TABLE = cast(Table, Person.__table__)
NAMES_NOT_FOUND = "Не найдены столбцы с именами: ожидался столбец «ФИО» или «Фамилия», «Имя», «Отчество»."
NOT_USED = "не используется"

Draft = TypeVar("Draft", bases.MenteeDraft, bases.MentorDraft)
Value = TypeVar("Value")


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

    def _read(self, field_name: str, read: Callable[[Mapping[str, Any], str], Value | None]) -> Value | None:
        """The cell as ``read`` takes it; None, with the cell's problem noted, when it cannot."""
        try:
            return read(self.values, field_name)
        except BadCell as bad:
            self.problem(field_name, str(bad))
            return None

    def date(self, field_name: str) -> date | None:
        return self._read(field_name, date_value)

    def number(self, field_name: str) -> int | None:
        return self._read(field_name, number_value)

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
    audit_object: audit.ObjectKind
    """What the audit log calls an import into this base."""
    columns_audit_object: audit.ObjectKind
    """What it calls the curator's choice of what the file's columns hold."""
    columns: tuple[Column, ...]
    titles: Mapping[str, str]
    """Field → the column title a person sees in the preview."""
    profile: type[MenteeProfile] | type[MentorProfile]
    role: ProgrammeRole
    read: Callable[[RowReader], ParsedRow[Draft]]
    validate: Callable[[Draft, date, str], None]
    """The base's rules for the row's entry, given the row's person category."""
    existing: Callable[[AsyncSession, OrgContext], Awaitable[list[Known]]]
    matched_by: str
    """How a match is described in Russian: «ФИО», «ФИО и датой рождения»."""
    describe: Callable[[ParsedRow[Draft]], tuple[str, str]]
    """(code, Russian title) of what the row is: a mentee's kind, a mentor's category."""
    warn: Callable[[Draft, date, str], list[tuple[str, str]]]
    """(field, message) of what a row may be loaded with but what keeps the person out of a programme
    until it is fixed: a minor learner without a guardian's consent, a mentor without written consent."""

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return PERSON_COLUMNS + self.columns

    @property
    def field_titles(self) -> dict[str, str]:
        """Every field a column may be read as, by the title the pages show."""
        return {**PERSON_TITLES, **self.titles}


@dataclass
class ImportRow(Generic[Draft]):
    row: int
    last_name: str
    first_name: str
    middle_name: str | None
    parsed: ParsedRow[Draft]
    person_id: str | None = None  # the person it updates, if found
    email: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


@dataclass
class Findings:
    """What checking a file found, by row and column: what any import's preview shows."""

    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    """Loaded as they are, but named before anything is written (row 0: the whole file)."""
    columns: list[SheetColumn] = field(default_factory=list)
    """Every column of the file and the field it is read as."""

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(FieldError(column, message, row=row))

    def warning(self, row: int, column: str, message: str) -> None:
        self.warnings.append(FieldError(column, message, row=row))


@dataclass
class Preview(Findings, Generic[Draft]):
    rows: list[ImportRow[Draft]] = field(default_factory=list)

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


def _has_names(found: set[str]) -> bool:
    return "full_name" in found or {"last_name", "first_name"} <= found


async def remembered(db: AsyncSession, ctx: OrgContext, spec: BaseSpec[Any]) -> dict[str, str | None]:
    """The organisation's remembered choices of what its files' columns hold, by header key."""
    rows = await db.execute(
        select(ImportColumnChoice.header, ImportColumnChoice.field).where(
            ImportColumnChoice.base == spec.name, ctx.owns(ImportColumnChoice)
        )
    )
    return {header: field_name for header, field_name in rows}


async def _emails(db: AsyncSession, ctx: OrgContext) -> dict[str, str]:
    rows = await db.execute(
        select(Person.email, Person.id).where(ctx.owns(Person), Person.email.is_not(None))
    )
    return {str(email): str(pid) for email, pid in rows}


CHOOSE_OR_DROP = "Укажите, что в нём, или удалите его из файла"


def warn_unused_columns(
    warning: Callable[[int, str, str], None], columns: list[SheetColumn], hint: str = CHOOSE_OR_DROP
) -> None:
    """Name, as a warning of the whole file (row 0), every column holding data that will not be loaded,
    and what the curator can do about it (``hint``)."""
    for sheet_column in columns:
        # A column the curator chose not to use, and the row numbers, are dropped knowingly.
        dropped = sheet_column.field is None and not sheet_column.chosen and sheet_column.note != NUMBER_NOTE
        if sheet_column.has_data and dropped:
            warning(
                0,
                sheet_column.title or f"столбец {sheet_column.letter}",
                f"столбец {sheet_column.letter} не используется"
                + (f" ({sheet_column.note})" if sheet_column.note else "")
                + ": его данные не будут загружены. "
                + hint,
            )


async def preview(
    db: AsyncSession, ctx: OrgContext, spec: BaseSpec[Draft], data: bytes, filename: str
) -> Preview[Draft]:
    """Every row of the file checked against the base's rules and the people already in the organisation,
    and every column of it with what it is read as."""
    ctx.require_role(*bases.MANAGERS)
    try:
        table = read_table(
            data, filename, spec.all_columns, choices=await remembered(db, ctx, spec), accept=_has_names
        )
    except HeaderNotFound as missing:
        # The likeliest header row is still shown, so the curator can say which column holds the names.
        found: Preview[Draft] = Preview(columns=missing.columns)
        found.error(0, "file", NAMES_NOT_FOUND)
        return found
    existing: dict[tuple[str, date | None], list[str]] = {}
    for pid, last, first, middle, matched_on in await spec.existing(db, ctx):
        existing.setdefault((name_key(last, first, middle), matched_on), []).append(str(pid))
    emails = await _emails(db, ctx)
    # A problem is named by the column's title in the curator's own file, where it has one.
    titles = {"full_name": NAME_TITLE, **spec.titles}
    titles |= {c.field: c.title for c in table.sheet_columns if c.field and c.field != "full_name"}
    if "full_name" in table.columns:
        titles["full_name"] = next(c.title for c in table.sheet_columns if c.field == "full_name")
    result: Preview[Draft] = Preview(columns=table.sheet_columns)
    warn_unused_columns(result.warning, table.sheet_columns)
    seen: dict[tuple[str, date | None], int] = {}
    seen_emails: dict[str, int] = {}
    today = ctx.today()
    for row, values in table.rows:
        reader = RowReader(values, titles)
        last, first, middle = _names(values)
        if not last or not first:
            reader.problem("full_name", "нужны хотя бы фамилия и имя")
        parsed = spec.read(reader)
        try:
            spec.validate(parsed.draft, today, parsed.category)
        except InvalidInput as problem:
            for item in problem.errors:
                reader.problem(item.field, item.message)
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
        person_id = matches[0] if len(matches) == 1 else None
        email, mistake = clean_email(reader.text("email"))
        if mistake:
            reader.problem("email", f"«{reader.text('email')}»: {mistake}")
        elif email is not None:
            if email in seen_emails:
                reader.problem("email", f"этот адрес уже указан в строке {seen_emails[email]}")
            elif emails.get(email, person_id) != person_id:
                reader.problem("email", "этот адрес уже указан у другого человека организации")
            seen_emails.setdefault(email, row)
        for column, message in reader.problems:
            result.error(row, column, message)
        if not reader.problems:
            result.rows.append(ImportRow(row, last, first, middle, parsed, person_id, email))
            for field_name, message in spec.warn(parsed.draft, today, parsed.category):
                result.warning(row, titles.get(field_name, field_name), message)
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной строки")
    return result


@dataclass(frozen=True, slots=True)
class ColumnChoice:
    title: str
    """The column's header as it is in the file."""
    field: str | None
    """The field it holds, or None: not used."""


async def choose_columns(
    db: AsyncSession, ctx: OrgContext, spec: BaseSpec[Any], choices: list[ColumnChoice]
) -> None:
    """Remember what the curator said the columns hold, for this and the organisation's next imports.

    A choice equal to what the header is recognised as anyway is forgotten rather than kept, so a
    better recognition later is not shadowed by it.
    """
    ctx.require_role(*bases.MANAGERS)
    known = spec.field_titles
    errors: list[FieldError] = []
    by_field: dict[str, str] = {}
    keys: dict[str, str | None] = {}
    for choice in choices:
        key = header_key(choice.title)
        if not key:
            errors.append(FieldError(choice.title or "columns", "у столбца нет заголовка"))
        elif len(key) > 200:
            errors.append(FieldError(choice.title[:50], "заголовок длиннее 200 знаков"))
        elif choice.field is not None and choice.field not in known:
            errors.append(FieldError(choice.title, f"«{choice.field}» — такого поля в базе нет"))
        elif choice.field is not None and choice.field in by_field:
            errors.append(
                FieldError(
                    choice.title,
                    f"поле «{known[choice.field]}» уже выбрано для столбца «{by_field[choice.field]}»",
                )
            )
        else:
            if choice.field is not None:
                by_field[choice.field] = choice.title
            keys[key] = choice.field
    if errors:
        raise InvalidInput("Столбцы указаны неверно.", errors)
    automatic = {key: recognise(key, spec.all_columns) for key in keys}
    forget = [key for key, field_name in keys.items() if automatic[key] == field_name]
    keep = [
        {"org_id": ctx.org.id, "base": spec.name, "header": key, "field": field_name}
        for key, field_name in keys.items()
        if key not in forget
    ]
    if forget:
        await db.execute(
            delete(ImportColumnChoice).where(
                ImportColumnChoice.base == spec.name,
                ImportColumnChoice.header.in_(forget),
                ctx.owns(ImportColumnChoice),
            )
        )
    if keep:
        statement = insert(ImportColumnChoice).values(keep)
        await db.execute(
            statement.on_conflict_do_update(
                index_elements=["org_id", "base", "header"],
                set_={"field": statement.excluded.field, "updated_at": statement.excluded.updated_at},
            )
        )
    await audit.commit_in(db, ctx, "update", spec.columns_audit_object, details={"columns": len(keys)})


def upload_scope(ctx: OrgContext, spec: BaseSpec[Any]) -> tuple[str, ...]:
    return (spec.name, str(ctx.org.id), str(ctx.actor.identity_id))


async def keep(runtime: Runtime, ctx: OrgContext, spec: BaseSpec[Any], data: bytes, filename: str) -> str:
    """Keep a previewed file until its commit, or until the curator has said what its columns hold."""
    return await uploads.keep(runtime, upload_scope(ctx, spec), data, filename)


async def kept(runtime: Runtime, ctx: OrgContext, spec: BaseSpec[Any], token: str) -> tuple[bytes, str]:
    """The kept file again, for a new preview; it stays kept for the commit."""
    ctx.require_role(*bases.MANAGERS)
    return await uploads.peek(runtime, upload_scope(ctx, spec), token)


async def commit(
    db: AsyncSession, runtime: Runtime, ctx: OrgContext, spec: BaseSpec[Draft], token: str
) -> Preview[Draft]:
    """Write every row of the kept file in one transaction, or none of them."""
    ctx.require_role(*bases.MANAGERS)
    data, filename = await uploads.take(runtime, upload_scope(ctx, spec), token)
    # Two imports of one organisation take turns, so the second is checked against what the first
    # wrote (an e-mail it took) instead of failing on the index.
    await lock_for_transaction(db, [f"people-import:{ctx.org.id}"])
    checked = await preview(db, ctx, spec, data, filename)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [FieldError(f"строка {e.row}, {e.field}", e.message) for e in checked.errors],
        )
    # Set-based: a few statements whatever the number of rows (10,000 rows row by row took a minute).
    people: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    restated: dict[str, list[uuid.UUID]] = defaultdict(list)
    readdressed: list[dict[str, Any]] = []
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
                    "email": item.email,
                    "category": str(item.parsed.category),
                }
            )
        else:
            if item.parsed.stated_category is not None:
                restated[str(item.parsed.stated_category)].append(person_id)
            if item.email is not None:
                readdressed.append({"person": person_id, "address": item.email})
        profiles.append(
            {"org_id": ctx.org.id, "person_id": person_id, **bases.draft_values(item.parsed.draft)}
        )
    try:
        await _write(db, ctx, spec, people, profiles, restated, readdressed)
    except IntegrityError as exc:  # a person edited by hand at the same moment took an address
        await db.rollback()
        if "uq_person_org_email" in str(exc.orig):
            raise Conflict(
                "Импорт не выполнен: пока он шёл, один из адресов электронной почты из файла был "
                "присвоен другому человеку. Ничего не изменено; загрузите файл ещё раз.",
                "email",
            ) from None
        raise
    await audit.commit_in(
        db, ctx, "create", spec.audit_object, details={"rows": len(checked.rows), "created": checked.created}
    )
    return checked


async def _write(
    db: AsyncSession,
    ctx: OrgContext,
    spec: BaseSpec[Draft],
    people: list[dict[str, Any]],
    profiles: list[dict[str, Any]],
    restated: dict[str, list[uuid.UUID]],
    readdressed: list[dict[str, Any]],
) -> None:
    await insert_rows(db, Person, [{**p, "status": "active", "version": 1} for p in people])
    for category, ids in restated.items():  # at most one statement per category
        await db.execute(
            update(Person)
            .where(Person.id.in_(ids), Person.category != category, ctx.owns(Person))
            .values(category=category, version=Person.version + 1)
        )
    if readdressed:  # one statement, executed per row by the driver; unchanged addresses are skipped
        await db.execute(
            update(PERSON_TABLE)
            .where(
                PERSON_TABLE.c.org_id == ctx.org.id,
                PERSON_TABLE.c.id == bindparam("person"),
                PERSON_TABLE.c.email.is_distinct_from(bindparam("address")),
            )
            .values(email=bindparam("address"), version=PERSON_TABLE.c.version + 1),
            readdressed,
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
