"""Importing the base of mentees from the curator's own table, and exporting both bases.

Rows are matched to people already in the organisation on the normalised full name plus the birth
date: a match is updated, no match is created, several matches are reported rather than merged.
The commit re-reads the file and writes every row in one transaction, or none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.bulk import insert_rows, update_from_excluded
from nastavnik.models import MenteeProfile, MentorProfile, Person, PersonCategory, PersonRole, ProgrammeRole
from nastavnik.runtime import Runtime
from nastavnik.services import audit, bases, uploads
from nastavnik.services.errors import InvalidInput
from nastavnik.services.spreadsheets import safe_cell
from nastavnik.services.table_import import BadDate, Column, date_value, normalise_header, read_table, text
from nastavnik.tenancy import OrgContext

MENTEE_COLUMNS = (
    Column("full_name", ("ФИО", "Фамилия, имя, отчество", "Ф.И.О."), required=False),
    Column("last_name", ("Фамилия",), required=False),
    Column("first_name", ("Имя",), required=False),
    Column("middle_name", ("Отчество",), required=False),
    Column("birth_date", ("Дата рождения",), required=False),
    Column("class_name", ("Класс", "Группа", "Класс (группа)"), required=False),
    Column("kind", ("Кто", "Категория"), required=False),
    Column("profession_since", ("Начало педагогической работы", "Педагогический стаж с"), required=False),
    Column("requests", ("Запросы", "Запрос"), required=False),
    Column("difficulties", ("Трудности",), required=False),
    Column("guardian_consent_on", ("Согласие законного представителя", "Согласие родителей"), required=False),
)
KINDS = {
    "обучающийся": "learner",
    "ученик": "learner",
    "студент": "learner",
    "молодой педагог": "young_pedagogue",
    "молодой специалист": "young_pedagogue",
    "педагог": "young_pedagogue",
}


def name_key(last: str, first: str, middle: str | None) -> str:
    return normalise_header(" ".join(p for p in (last, first, middle or "") if p))


@dataclass
class MenteeRow:
    row: int
    last_name: str
    first_name: str
    middle_name: str | None
    draft: bases.MenteeDraft
    person_id: str | None = None  # the person it updates, if found


@dataclass
class MenteePreview:
    rows: list[MenteeRow] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": str(row), "field": column, "message": message})

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.person_id is None)


def _names(values: dict[str, object]) -> tuple[str, str, str | None]:
    if text(values, "last_name") or text(values, "first_name"):
        return text(values, "last_name"), text(values, "first_name"), text(values, "middle_name") or None
    parts = text(values, "full_name").split()
    return (parts[0] if parts else "", parts[1] if len(parts) > 1 else "", " ".join(parts[2:]) or None)


async def preview_mentees(db: AsyncSession, ctx: OrgContext, data: bytes, filename: str) -> MenteePreview:
    ctx.require_role(*bases.MANAGERS)
    table = read_table(data, filename, MENTEE_COLUMNS)
    if "full_name" not in table.columns and not {"last_name", "first_name"} <= table.columns:
        raise InvalidInput(
            "Не найдены столбцы с именами.",
            [{"field": "file", "message": "нужен столбец «ФИО» или столбцы «Фамилия» и «Имя»"}],
        )
    existing: dict[tuple[str, date | None], list[str]] = {}
    rows = await db.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name, MenteeProfile.birth_date)
        .outerjoin(
            MenteeProfile, (MenteeProfile.org_id == Person.org_id) & (MenteeProfile.person_id == Person.id)
        )
        .where(ctx.owns(Person))
    )
    for pid, last, first, middle, birth in rows:
        existing.setdefault((name_key(last, first, middle), birth), []).append(str(pid))
    result = MenteePreview()
    seen: dict[tuple[str, date | None], int] = {}
    today = date.today()
    for row, values in table.rows:
        before = len(result.errors)
        last, first, middle = _names(values)
        if not last or not first:
            result.error(row, "ФИО", "нужны хотя бы фамилия и имя")
        dates: dict[str, date | None] = {}
        for name, title in (
            ("birth_date", "Дата рождения"),
            ("profession_since", "Начало педагогической работы"),
            ("guardian_consent_on", "Согласие законного представителя"),
        ):
            try:
                dates[name] = date_value(values, name)
            except BadDate as bad:
                result.error(row, title, str(bad))
                dates[name] = None
        kind_text = normalise_header(text(values, "kind"))
        kind = KINDS.get(kind_text) or ("young_pedagogue" if dates["profession_since"] else "learner")
        if kind_text and kind_text not in KINDS:
            result.error(row, "Кто", f"«{text(values, 'kind')}»: обучающийся или молодой педагог")
        draft = bases.MenteeDraft(
            kind=kind,
            birth_date=dates["birth_date"],
            class_name=text(values, "class_name") or None,
            profession_since=dates["profession_since"],
            requests=text(values, "requests"),
            difficulties=text(values, "difficulties"),
            guardian_consent_on=dates["guardian_consent_on"],
        )
        if len(result.errors) == before:
            try:
                bases.validate_mentee(draft, today)
            except InvalidInput as problem:
                for item in problem.errors:
                    result.error(row, item["field"], item["message"])
        key = (name_key(last, first, middle), dates["birth_date"])
        if key in seen:
            result.error(row, "ФИО", f"повторяет строку {seen[key]}")
        seen.setdefault(key, row)
        matches = existing.get(key, [])
        if len(matches) > 1:
            result.error(
                row,
                "ФИО",
                f"в организации {len(matches)} человека с такими ФИО и датой рождения: "
                "уточните запись вручную",
            )
        if len(result.errors) == before:
            result.rows.append(MenteeRow(row, last, first, middle, draft, matches[0] if matches else None))
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной строки")
    return result


def upload_scope(ctx: OrgContext) -> tuple[str, ...]:
    return ("mentees", str(ctx.org.id), str(ctx.actor.identity_id))


async def commit_mentees(db: AsyncSession, runtime: Runtime, ctx: OrgContext, token: str) -> MenteePreview:
    """Write every row of the uploaded file in one transaction, or none of them."""
    import uuid

    ctx.require_role(*bases.MANAGERS)
    data, filename = await uploads.take(runtime, upload_scope(ctx), token)
    checked = await preview_mentees(db, ctx, data, filename)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [{"field": f"строка {e['row']}, {e['field']}", "message": e["message"]} for e in checked.errors],
        )
    # Set-based: three statements whatever the number of rows (10,000 rows row by row took a minute).
    people, profiles = [], []
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
                    "category": PersonCategory.LEARNER.value
                    if item.draft.kind == "learner"
                    else PersonCategory.PEDAGOGUE.value,
                }
            )
        profiles.append({"org_id": ctx.org.id, "person_id": person_id, **bases.draft_values(item.draft)})
    await insert_rows(db, Person, [{**p, "status": "active", "version": 1} for p in people])
    if profiles:
        columns = [c for c in profiles[0] if c not in ("org_id", "person_id")]
        await insert_rows(
            db,
            MenteeProfile,
            profiles,
            on_conflict=update_from_excluded(["org_id", "person_id"], columns),
        )
    await insert_rows(
        db,
        PersonRole,
        [
            {"org_id": ctx.org.id, "person_id": p["person_id"], "role": ProgrammeRole.MENTEE.value}
            for p in profiles
        ],
        on_conflict="ON CONFLICT DO NOTHING",
    )
    await audit.record_in(
        db,
        ctx,
        action="create",
        object_type="mentee_import",
        details={"rows": len(checked.rows), "created": checked.created},
    )
    await db.commit()
    return checked


def export_bases(
    mentees: list[tuple[Person, MenteeProfile, str | None]],
    mentors: list[tuple[Person, MentorProfile, str | None]],
) -> bytes:
    """Both bases in one workbook, one sheet each; no cell can start a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Наставляемые"
    sheet.append(
        [
            "Фамилия",
            "Имя",
            "Отчество",
            "Кто",
            "Дата рождения",
            "Класс",
            "Начало педагогической работы",
            "Запросы",
            "Трудности",
            "Согласие законного представителя",
            "Участие",
        ]
    )
    for person, p, reason in mentees:
        sheet.append(
            [
                safe_cell(person.last_name),
                safe_cell(person.first_name),
                safe_cell(person.middle_name or ""),
                "обучающийся" if p.kind == "learner" else "молодой педагог",
                p.birth_date,
                safe_cell(p.class_name or ""),
                p.profession_since,
                safe_cell(p.requests),
                safe_cell(p.difficulties),
                p.guardian_consent_on,
                reason or "может участвовать",
            ]
        )
    mentor_sheet = book.create_sheet("Наставники")
    mentor_sheet.append(
        [
            "Фамилия",
            "Имя",
            "Отчество",
            "Компетенции",
            "Предметы",
            "Стаж",
            "Наставляемых не больше",
            "Статус",
            "Обучение",
            "Письменное согласие",
            "Участие",
        ]
    )
    for person, m, reason in mentors:
        mentor_sheet.append(
            [
                safe_cell(person.last_name),
                safe_cell(person.first_name),
                safe_cell(person.middle_name or ""),
                safe_cell(m.competencies),
                safe_cell(m.subjects),
                m.experience_years,
                m.capacity,
                "действующий" if m.status == "current" else "резерв",
                safe_cell(m.training),
                m.consent_on,
                reason or "может быть наставником",
            ]
        )
    for ws in (sheet, mentor_sheet):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
