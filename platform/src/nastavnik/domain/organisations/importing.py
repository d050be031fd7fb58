"""The region imports a list of organisations, with their curators, from Excel.

Preview first: every row is checked and every problem listed by row and field, in Russian.
The commit re-checks the same file and creates all the organisations in one transaction, or
none; each one's onboarding is then queued as for an organisation created by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases.table_import import Column, normalise_header, read_xlsx, text
from nastavnik.domain.organisations import onboarding, services as organisations
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Municipality, Organisation
from nastavnik.plugins import Plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import SLUG_PATTERN, Actor, Forbidden
from nastavnik.web import uploads

COLUMNS = (
    Column("full_name", ("Полное наименование", "Наименование организации", "Наименование")),
    Column("short_name", ("Краткое наименование", "Сокращённое наименование")),
    Column("inn", ("ИНН",)),
    Column("type", ("Тип", "Тип организации")),
    Column("municipality", ("Муниципалитет", "Муниципальное образование", "Район")),
    Column("slug", ("Адрес", "Адрес в системе"), required=False),
    Column("curator_last_name", ("Фамилия куратора",), required=False),
    Column("curator_first_name", ("Имя куратора",), required=False),
    Column("curator_middle_name", ("Отчество куратора",), required=False),
    Column(
        "curator_email",
        ("Эл. почта куратора", "Электронная почта куратора", "Email куратора"),
        required=False,
    ),
)


@dataclass
class ImportRow:
    row: int
    draft: organisations.OrganisationDraft
    curator: onboarding.CuratorDraft | None


@dataclass
class Preview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(FieldError(field_name, message, row=row))


async def preview(db: AsyncSession, actor: Actor, plugins: Plugins, data: bytes) -> Preview:
    grants = actor.grants(StaffRole.REGION)
    if not grants:
        raise Forbidden
    table = read_xlsx(data, COLUMNS)
    types = plugins.organisation_types()
    type_by_name = {normalise_header(t.title): code for code, t in types.items()} | {c: c for c in types}
    municipalities = {
        normalise_header(m.name): m.id
        for m in await db.scalars(
            select(Municipality).where(
                Municipality.region_id.in_([g.region_id for g in grants]), Municipality.retired_at.is_(None)
            )
        )
    }
    taken = {(o.slug, o.inn) for o in await db.scalars(select(Organisation))}
    taken_slugs, taken_inns = {s for s, _ in taken}, {i for _, i in taken}
    result = Preview()
    seen: dict[str, int] = {}
    for row, values in table.rows:
        inn = text(values, "inn")
        slug = text(values, "slug").lower() or f"org-{inn}"
        org_type = type_by_name.get(normalise_header(text(values, "type")))
        municipality = municipalities.get(normalise_header(text(values, "municipality")))
        full_name, short_name = text(values, "full_name"), text(values, "short_name")
        before = len(result.errors)
        if not full_name:
            result.error(row, "Полное наименование", "не заполнено")
        if not short_name:
            result.error(row, "Краткое наименование", "не заполнено")
        if not organisations.inn_checksum_ok(inn):
            result.error(row, "ИНН", f"«{inn}» — не ИНН организации (10 цифр с верной контрольной цифрой)")
        elif inn in taken_inns:
            result.error(row, "ИНН", "организация с таким ИНН уже есть")
        elif f"inn:{inn}" in seen:
            result.error(row, "ИНН", f"повторяет строку {seen[f'inn:{inn}']}")
        if org_type is None:
            result.error(
                row,
                "Тип",
                f"«{text(values, 'type')}»: допустимо — " + ", ".join(t.title for t in types.values()),
            )
        if municipality is None:
            result.error(row, "Муниципалитет", f"«{text(values, 'municipality')}» не найден в регионе")
        if not SLUG_PATTERN.match(slug):
            result.error(row, "Адрес", "латинские строчные буквы, цифры и дефис")
        elif slug in taken_slugs:
            result.error(row, "Адрес", "уже занят")
        elif f"slug:{slug}" in seen:
            result.error(row, "Адрес", f"повторяет строку {seen[f'slug:{slug}']}")
        seen.setdefault(f"inn:{inn}", row)
        seen.setdefault(f"slug:{slug}", row)
        curator = None
        if any(text(values, f) for f in ("curator_last_name", "curator_first_name", "curator_email")):
            try:
                curator = onboarding.validate_curator(
                    onboarding.CuratorDraft(
                        text(values, "curator_last_name"),
                        text(values, "curator_first_name"),
                        text(values, "curator_middle_name") or None,
                        text(values, "curator_email"),
                    )
                )
            except InvalidInput as problem:
                for item in problem.errors:
                    result.error(row, item.field, item.message)
        if len(result.errors) == before and org_type and municipality:
            result.rows.append(
                ImportRow(
                    row,
                    organisations.OrganisationDraft(
                        municipality_id=municipality,
                        type=org_type,
                        full_name=full_name,
                        short_name=short_name,
                        inn=inn,
                        slug=slug,
                    ),
                    curator,
                )
            )
    if not table.rows:
        result.error(0, "file", "в таблице нет ни одной организации")
    return result


def upload_scope(actor: Actor) -> tuple[str, ...]:
    return ("organisations", str(actor.identity_id))


async def commit(db: AsyncSession, runtime: Runtime, actor: Actor, token: str) -> list[uuid.UUID]:
    """Create every organisation of the uploaded file in one transaction, or none of them."""
    data, _ = await uploads.take(runtime, upload_scope(actor), token)
    checked = await preview(db, actor, runtime.plugins, data)
    if checked.errors:
        raise InvalidInput(
            "Импорт не выполнен: в файле есть ошибки, ничего не изменено.",
            [FieldError(f"строка {e.row}, {e.field}", e.message) for e in checked.errors],
        )
    created = []
    for item in checked.rows:
        org = await organisations.create_organisation(db, actor, item.draft, runtime.plugins)
        if item.curator is not None:
            await onboarding.start_onboarding(db, actor, org.id, item.curator)
        created.append(org.id)
    await audit.record_by(
        db,
        actor,
        "create",
        audit.ObjectKind.ORGANISATION_IMPORT,
        org_id=None,
        details={"organisations": len(created)},
    )
    await db.commit()
    for org_id in created:
        await onboarding.schedule(runtime, org_id)
    return created
