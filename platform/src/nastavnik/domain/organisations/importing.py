"""The region imports its list of organisations, with their headcounts and curators, from Excel.

The file is read by the bases' pipeline (:mod:`nastavnik.domain.bases.table_import`): headers recognised
by their words and synonyms, wherever the header row is; every column of the file is shown in the preview
with what it is read as, or that it is not used, and a column holding data that is not used is named in a
warning. Every problem is listed by row and column, in Russian.

A row whose ИНН belongs to an organisation of the region already on the platform is not an error: it is
an update («обновление»). What an upload changes of such an organisation: its names (the region's list is
where names are kept) and its headcounts for the year. What it does not change: the municipality, the
type, the address (slug) and the status (moving, retyping, readdressing or deactivating an organisation is
done one at a time on the organisations' page); a file saying otherwise gets an error for that row, except
the status, which an exported file carries for the reader and the import reads as information only.

The commit re-checks the kept file and writes every row in one transaction, or none; each new
organisation's onboarding is then queued as for an organisation created by hand.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.bases.table_import import (
    NUMBER_NOTE,
    BadCell,
    Column,
    SheetColumn,
    normalise_header,
    number_value,
    read_xlsx,
    text,
)
from nastavnik.domain.organisations import onboarding, services as organisations
from nastavnik.domain.statistics import headcounts
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import AcademicYear, Municipality, Organisation, OrgStatus, current_start_year
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import SLUG_PATTERN, Actor, Forbidden, region_timezone
from nastavnik.web import uploads

STATUS_TITLES = {OrgStatus.ACTIVE.value: "действует", OrgStatus.INACTIVE.value: "отключена"}

COLUMNS = (
    Column("municipality", ("Муниципалитет", "Муниципальное образование", "Район")),
    Column("type", ("Тип", "Тип организации")),
    Column("inn", ("ИНН",)),
    Column("full_name", ("Полное наименование", "Наименование организации", "Наименование")),
    Column("short_name", ("Краткое наименование", "Сокращённое наименование")),
    Column("slug", ("Адрес", "Адрес в системе"), required=False),
    Column("status", ("Статус", "Статус организации"), required=False),
    Column("academic_year", ("Учебный год",), required=False),
    Column(
        "learners_total",
        (
            headcounts.HEADCOUNT_TITLES["learners_total"],
            "Всего обучающихся",
            "Численность обучающихся",
            "Количество обучающихся",
            "Обучающихся",
        ),
        required=False,
    ),
    Column(
        "learners_10_18",
        (
            headcounts.HEADCOUNT_TITLES["learners_10_18"],
            "Обучающихся от 10 до 18 лет",
            "Численность обучающихся 10–18 лет",
            "из них 10–18 лет",
            "10–18 лет",
        ),
        required=False,
    ),
    Column(
        "pedagogues",
        (
            headcounts.HEADCOUNT_TITLES["pedagogues"],
            "Педагогических работников",
            "Численность педагогов",
            "Численность педагогических работников",
        ),
        required=False,
    ),
    Column(
        "young_pedagogues",
        (
            headcounts.HEADCOUNT_TITLES["young_pedagogues"],
            "Молодых специалистов",
            "Молодых педагогических работников",
            "Молодых учителей",
        ),
        required=False,
    ),
    Column("curator_last_name", ("Фамилия куратора",), required=False),
    Column("curator_first_name", ("Имя куратора",), required=False),
    Column("curator_middle_name", ("Отчество куратора",), required=False),
    Column(
        "curator_email",
        ("Эл. почта куратора", "Электронная почта куратора", "Email куратора"),
        required=False,
    ),
)
TITLES = {c.field: c.headers[0] for c in COLUMNS}
"""Each field by the header the export writes and a problem is named by when the file has no column."""
NOT_USED = "не используется"
STATUS_NOTE = "для сведения: статус меняется на странице организаций"
CURATOR_FIELDS = ("curator_last_name", "curator_first_name", "curator_middle_name", "curator_email")
YEAR_TEXT = re.compile(r"^(\d{4})(?:\s*[/–—-]\s*(\d{4}|\d{2}))?[\sа-яё.]*$")
"""«2026/2027», «2026/27», «2026–2027 уч. г.», «2026»."""


class Action:
    CREATE = "create"
    UPDATE = "update"


ACTION_TITLES = {Action.CREATE: "создание", Action.UPDATE: "обновление"}


@dataclass
class ImportRow:
    row: int
    action: str
    """«create» or «update» (:data:`ACTION_TITLES`)."""
    draft: organisations.OrganisationDraft
    curator: onboarding.CuratorDraft | None
    org_id: uuid.UUID | None = None
    """The organisation an update changes; after the commit, a created one too."""
    renamed: bool = False
    academic_year: int | None = None
    headcount: headcounts.HeadcountValues | None = None

    @property
    def action_title(self) -> str:
        return ACTION_TITLES[self.action]


@dataclass
class Preview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    """Loaded as they are, but named before anything is written (row 0: the whole file)."""
    columns: list[SheetColumn] = field(default_factory=list)
    """Every column of the file and the field it is read as."""
    academic_year: int = 0
    """The year of the headcounts of rows that name none."""

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message, row=row))

    def warning(self, row: int, field_name: str, message: str) -> None:
        self.warnings.append(FieldError(field_name, message, row=row))

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == Action.CREATE)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.action == Action.UPDATE)

    def column_title(self, column: SheetColumn) -> str:
        """What a column of the file is read as, in Russian."""
        if column.field is None:
            return NOT_USED + (f" ({column.note})" if column.note else "")
        if column.field == "status":
            return f"{TITLES['status']} ({STATUS_NOTE})"
        return TITLES[column.field]


@dataclass(frozen=True, slots=True)
class _Known:
    """An organisation already on the platform, as a row of the file is matched against it."""

    id: uuid.UUID
    slug: str
    type: str
    full_name: str
    short_name: str
    municipality_id: uuid.UUID
    ours: bool
    """In a municipality of the actor's region: the row updates it; otherwise its ИНН is simply taken."""


def year_value(raw: str) -> int:
    """An academic year as written: «2026/2027», «2026/27», «2026–2027 уч. г.», 2026."""
    match = YEAR_TEXT.match(raw.strip().lower())
    if match is None:
        raise BadCell(f"«{raw}» — не учебный год; нужно, например, 2026/2027")
    start, end = int(match.group(1)), match.group(2)
    if end is not None and int(end) != ((start + 1) % 100 if len(end) == 2 else start + 1):
        raise BadCell(f"«{raw}»: учебный год длится с сентября по август следующего года")
    return start


async def default_year(db: AsyncSession, actor: Actor, chosen: object) -> int:
    """The year of the headcounts of rows that name none: the one chosen with the file, else the year under
    way on the region's local date."""
    if chosen is None or chosen == "":
        return current_start_year(await region_timezone(db, actor))
    try:
        year = year_value(str(chosen))
    except BadCell as bad:
        raise InvalidInput("Учебный год указан неверно.", [FieldError("year", str(bad))]) from None
    if await db.get(AcademicYear, year) is None:
        raise InvalidInput(
            "Учебный год указан неверно.", [FieldError("year", "такого учебного года в системе нет")]
        )
    return year


def _region_ids(actor: Actor) -> list[uuid.UUID]:
    grants = actor.grants(StaffRole.REGION)
    if not grants:
        raise Forbidden
    return [g.region_id for g in grants]


async def preview(db: AsyncSession, actor: Actor, plugins: Plugins, data: bytes, year: int) -> Preview:
    """Every row of the file checked against the region's municipalities and the organisations already on
    the platform, and every column of it with what it is read as; ``year`` is the year of the
    headcounts of rows that name none (see :func:`default_year`)."""
    region_ids = _region_ids(actor)
    result = Preview(academic_year=year)
    table = read_xlsx(data, COLUMNS)  # no header row naming the required columns: 422, nothing to show
    result.columns = table.sheet_columns
    for column in table.sheet_columns:
        if column.field is None and column.has_data and column.note != NUMBER_NOTE:
            result.warning(
                0,
                column.title or f"столбец {column.letter}",
                f"столбец {column.letter} не используется"
                + (f" ({column.note})" if column.note else "")
                + ": его данные не будут загружены. Переименуйте заголовок или удалите столбец из файла",
            )
    titles = {**TITLES, **{c.field: c.title for c in table.sheet_columns if c.field}}
    types = plugins.organisation_types()
    type_by_name = {normalise_header(t.title): code for code, t in types.items()} | {c: c for c in types}
    ours: dict[str, uuid.UUID] = {}
    municipality_names: dict[uuid.UUID, str] = {}
    elsewhere: set[str] = set()
    retired: set[str] = set()  # the region's retired municipalities: history only, nothing new goes there
    for m in await db.scalars(select(Municipality)):
        if m.region_id in region_ids:
            municipality_names[m.id] = m.name
            if m.retired_at is None:
                ours[normalise_header(m.name)] = m.id
            else:
                retired.add(normalise_header(m.name))
        else:
            elsewhere.add(normalise_header(m.name))
    own_municipalities = set(municipality_names)
    known: dict[str, _Known] = {}
    slugs: set[str] = set()
    for o in await db.scalars(select(Organisation)):
        slugs.add(o.slug)
        known[o.inn] = _Known(
            o.id,
            o.slug,
            o.type,
            o.full_name,
            o.short_name,
            o.municipality_id,
            o.municipality_id in own_municipalities,
        )
    years = {y for y in await db.scalars(select(AcademicYear.start_year))}
    seen: dict[str, int] = {}
    for row, values in table.rows:
        problems: list[tuple[str, str]] = []

        def problem(field_name: str, message: str, problems: list[tuple[str, str]] = problems) -> None:
            title = titles.get(field_name, field_name)
            if all(t != title for t, _ in problems):  # one complaint per cell: the first is the cause
                problems.append((title, message))

        inn = text(values, "inn")
        full_name, short_name = text(values, "full_name"), text(values, "short_name")
        existing = known.get(inn)
        repeated = None
        if not full_name:
            problem("full_name", "не заполнено")
        elif len(full_name) > 500:
            problem("full_name", "не длиннее 500 знаков")
        if not short_name:
            problem("short_name", "не заполнено")
        elif len(short_name) > 200:
            problem("short_name", "не длиннее 200 знаков")
        if not organisations.inn_checksum_ok(inn):
            problem("inn", f"«{inn}» — не ИНН организации (10 цифр с верной контрольной цифрой)")
        elif repeated := seen.get(f"inn:{inn}"):
            problem("inn", f"повторяет строку {repeated}")
        elif existing is not None and not existing.ours:
            problem("inn", "этот ИНН уже занят другой организацией платформы")
        raw_type = text(values, "type")
        org_type = type_by_name.get(normalise_header(raw_type))
        if org_type is None:
            problem("type", f"«{raw_type}»: допустимо — " + ", ".join(t.title for t in types.values()))
        raw_municipality = text(values, "municipality")
        municipality = ours.get(normalise_header(raw_municipality))
        if municipality is None:
            if normalise_header(raw_municipality) in retired:
                problem("municipality", f"«{raw_municipality}» упразднён: организации в него не добавляются")
            elif normalise_header(raw_municipality) in elsewhere:
                problem("municipality", f"«{raw_municipality}» — не муниципалитет вашего региона")
            elif not raw_municipality:
                problem("municipality", "не заполнено")
            else:
                problem("municipality", f"«{raw_municipality}» не найден в регионе")
        slug = text(values, "slug").lower()
        update = existing is not None and existing.ours
        if update:
            assert existing is not None
            if org_type is not None and org_type != existing.type:
                title = types[existing.type].title if existing.type in types else existing.type
                problem("type", f"тип организации загрузкой не меняется (сейчас — «{title}»)")
            if municipality is not None and municipality != existing.municipality_id:
                problem(
                    "municipality",
                    "организация уже в муниципалитете "
                    f"«{_municipality_title(municipality_names, existing.municipality_id)}»: "
                    "в другой муниципалитет она загрузкой не переводится",
                )
            if slug and slug != existing.slug:
                problem("slug", f"адрес организации загрузкой не меняется (сейчас — «{existing.slug}»)")
            slug = existing.slug
        else:
            slug = slug or f"org-{inn}"
            if not SLUG_PATTERN.match(slug):
                problem("slug", "латинские строчные буквы, цифры и дефис")
            elif slug in slugs:
                problem("slug", "уже занят")
            elif f"slug:{slug}" in seen and not repeated:  # a repeated row: its ИНН already says so
                problem("slug", f"повторяет строку {seen[f'slug:{slug}']}")
            if text(values, "status") and normalise_header(text(values, "status")) != STATUS_TITLES["active"]:
                problem("status", "новая организация подключается действующей")
        if inn:
            seen.setdefault(f"inn:{inn}", row)
        seen.setdefault(f"slug:{slug}", row)
        row_year, headcount = _headcount(values, year, years, problem)
        curator = None
        if any(text(values, f) for f in CURATOR_FIELDS):
            if update:
                result.warning(
                    row,
                    titles["curator_email"],
                    "организация уже на платформе: куратор из файла не назначается "
                    "(куратора назначают в самой организации)",
                )
            else:
                try:
                    curator = onboarding.validate_curator(
                        onboarding.CuratorDraft(
                            text(values, "curator_last_name"),
                            text(values, "curator_first_name"),
                            text(values, "curator_middle_name") or None,
                            text(values, "curator_email"),
                        )
                    )
                except InvalidInput as bad:
                    for item in bad.errors:
                        problem(item.field, item.message)
        for title, message in problems:
            result.error(row, title, message)
        if problems or org_type is None or municipality is None:
            continue
        result.rows.append(
            ImportRow(
                row,
                Action.UPDATE if update else Action.CREATE,
                organisations.OrganisationDraft(
                    municipality_id=municipality,
                    type=org_type,
                    full_name=full_name,
                    short_name=short_name,
                    inn=inn,
                    slug=slug,
                ),
                curator,
                org_id=existing.id if update and existing else None,
                renamed=bool(
                    update
                    and existing
                    and (existing.full_name, existing.short_name) != (full_name, short_name)
                ),
                academic_year=row_year if headcount else None,
                headcount=headcount,
            )
        )
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной организации")
    await _warn_below_pairs(db, actor, result, titles)
    return result


def _municipality_title(names: Mapping[uuid.UUID, str], municipality_id: uuid.UUID) -> str:
    return names.get(municipality_id, "другой")


def _headcount(
    values: Mapping[str, Any], default_year: int, years: set[int], problem: Any
) -> tuple[int, headcounts.HeadcountValues | None]:
    """The row's academic year and headcounts; None when the row states no headcount at all."""
    year = default_year
    raw_year = text(values, "academic_year")
    if raw_year:
        try:
            year = year_value(raw_year)
        except BadCell as bad:
            problem("academic_year", str(bad))
            return year, None
        if year not in years:
            problem("academic_year", f"«{raw_year}»: такого учебного года в системе нет")
            return year, None
    figures: dict[str, int | None] = {}
    failed = False
    for name in headcounts.HEADCOUNT_FIELDS:
        try:
            figures[name] = number_value(values, name)
        except BadCell as bad:
            problem(name, str(bad))
            figures[name] = None
            failed = True
    if failed or all(v is None for v in figures.values()):
        return year, None
    for name, value in figures.items():
        if value is None:
            problem(name, "не заполнено: численность указывается целиком (все четыре числа)")
            failed = True
        elif value < 0:
            problem(name, "не может быть отрицательным")
            failed = True
    if failed:
        return year, None
    counts = headcounts.HeadcountValues(**{n: int(v or 0) for n, v in figures.items()})
    try:
        headcounts.validate(counts)
    except InvalidInput as bad:
        for item in bad.errors:
            problem(item.field, item.message)
        return year, None
    return year, counts


async def _warn_below_pairs(
    db: AsyncSession, actor: Actor, result: Preview, titles: Mapping[str, str]
) -> None:
    """A warning, not an error, for an organisation whose learners are fewer than those already in pairs."""
    stated = [
        (r.row, r.org_id, r.academic_year, r.headcount.learners_total)
        for r in result.rows
        if r.org_id is not None and r.headcount is not None and r.academic_year is not None
    ]
    counted: dict[int, dict[uuid.UUID, int]] = {}
    for row, org_id, year, learners in stated:
        if year not in counted:
            counted[year] = await headcounts.overseen_learners_in_pairs(db, actor, year)
        message = headcounts.below_pairs(learners, counted[year].get(org_id, 0))
        if message:
            result.warning(row, titles["learners_total"], message)


def upload_scope(actor: Actor) -> tuple[str, ...]:
    return ("organisations", str(actor.identity_id))


async def keep(runtime: Runtime, actor: Actor, data: bytes, default_year: int) -> str:
    """Keep a checked file for its commit, with the year its rows' headcounts default to (so the commit
    writes the year the preview showed, whatever the date by then)."""
    return await uploads.keep(runtime, upload_scope(actor), data, str(default_year))


async def commit(db: AsyncSession, runtime: Runtime, actor: Actor, token: str) -> Preview:
    """Create and update every organisation of the uploaded file, with its headcounts, in one
    transaction, or none of them."""
    data, kept_year = await uploads.take(runtime, upload_scope(actor), token)  # another's token: 404
    region_ids = _region_ids(actor)
    # Two imports of one region take turns, so the second is checked against what the first wrote.
    await lock_for_transaction(db, [f"organisation-import:{r}" for r in sorted(map(str, region_ids))])
    year = int(kept_year) if kept_year.isdigit() else await default_year(db, actor, None)
    checked = await preview(db, actor, runtime.plugins, data, year)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [FieldError(f"строка {e.row}, {e.field}", e.message) for e in checked.errors],
        )
    created = []
    figures: dict[tuple[uuid.UUID, int], headcounts.HeadcountValues] = {}
    for item in checked.rows:
        if item.action == Action.CREATE:
            org = await organisations.create_organisation(db, actor, item.draft, runtime.plugins)
            if item.curator is not None:
                await onboarding.start_onboarding(db, actor, org.id, item.curator)
            created.append(org.id)
            org_id = item.org_id = org.id  # the commit's answer names the new organisations
        else:
            assert item.org_id is not None
            org_id = item.org_id
            if item.renamed:
                await organisations.rename(db, actor, org_id, item.draft.full_name, item.draft.short_name)
        if item.headcount is not None and item.academic_year is not None:
            figures[(org_id, item.academic_year)] = item.headcount
    await headcounts.write_region_headcounts(db, actor, figures)
    await audit.record_by(
        db,
        actor,
        "create",
        audit.ObjectKind.ORGANISATION_IMPORT,
        org_id=None,
        details={
            "created": checked.created,
            "updated": checked.updated,
            "renamed": sum(1 for r in checked.rows if r.renamed),
            "headcounts": len(figures),
        },
    )
    await db.commit()
    for org_id in created:
        await onboarding.schedule(runtime, org_id)
    return checked
