"""Writing and reading the audit log (152-FZ: who read, exported, changed or deleted whose data)."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook
from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.errors import InvalidInput
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffRole
from nastavnik.models.reference import Region
from nastavnik.spreadsheets import safe_cell
from nastavnik.tenancy import Actor, Forbidden, OrgContext

if TYPE_CHECKING:
    from nastavnik.runtime import Runtime

ACTION_TITLES = {
    "read": "просмотр",
    "export": "выгрузка",
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "login": "вход",
    "logout": "выход",
}
# The core's audited object types; plugins title theirs through register_audit_titles (Plugins.audit_titles).
OBJECT_TITLES = {
    "session": "сеанс",
    "person": "карточка человека",
    "person_list": "список людей",
    "person_roles": "роли человека",
    "headcount": "численность",
    "headcount_summary": "сводная численность",
    "organisation": "организация",
    "plugin_setting": "настройки модуля",
    "audit_log": "журнал аудита",
    "route": "адрес",
    "development_plan": "индивидуальный план развития",
    "plan_item": "задача плана развития",
    "mentor_journal": "журнал наставника",
    "journal_entry": "запись журнала наставника",
    "my_mentoring": "моё наставничество",
    "questionnaire_assignment": "назначение анкет",
    "questionnaire_answers": "ответы на анкету",
    "questionnaire_results": "итоги анкет",
    "questionnaire_version": "версия анкеты",
    "account": "учётная запись",
    "account_batch": "создание учётных записей",
    "access_sheet": "лист доступа",
    "mentee_import": "загрузка базы наставляемых",
    "mentor_import": "загрузка базы наставников",
    "region_dictionaries": "словари наставничества региона",
    "region_dictionary_entry": "запись словаря региона",
    "statistics_report": "отчёт мониторинга",
    "region_document_templates": "шаблоны документов региона",
    "region_document_template": "шаблон документа региона",
}
OUTCOME_TITLES = {"success": "успешно", "denied": "отказано", "failed": "ошибка"}


async def record(
    db: AsyncSession,
    *,
    actor_identity_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    outcome: str = "success",
    client_ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event. A plain INSERT without RETURNING: the application role cannot read the log."""
    await db.execute(
        insert(AuditEvent).values(
            actor_identity_id=actor_identity_id,
            org_id=org_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subject_person_id=subject_person_id,
            outcome=outcome,
            client_ip=client_ip,
            details=details or {},
        )
    )


async def record_by(
    db: AsyncSession,
    actor: Actor,
    *,
    org_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
) -> None:
    """Record what a signed-in actor did, from where they did it."""
    await record(
        db,
        actor_identity_id=actor.identity_id,
        org_id=org_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject_person_id=subject_person_id,
        outcome=outcome,
        client_ip=actor.client_ip,
        details=details,
    )


async def record_in(
    db: AsyncSession,
    ctx: OrgContext,
    *,
    action: str,
    object_type: str,
    object_id: str | None = None,
    subject_person_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record what an actor did inside the organisation of ``ctx``."""
    await record_by(
        db,
        ctx.actor,
        org_id=ctx.org.id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject_person_id=subject_person_id,
        details=details,
    )


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    actor: str
    org_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    subject_person_id: uuid.UUID | None
    outcome: str
    client_ip: str | None


async def read_events(
    auditor_db: AsyncSession, *, limit: int = 500, org_id: uuid.UUID | None = None
) -> list[AuditRow]:
    """The newest events, read through the auditor role's own connection."""
    query = (
        select(AuditEvent, Identity.display_name)
        .outerjoin(Identity, Identity.id == AuditEvent.actor_identity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    return [_row(event, name) for event, name in await auditor_db.execute(query)]


HEADER = [
    "Дата и время",
    "Кто",
    "Организация",
    "Действие",
    "Объект",
    "Идентификатор",
    "Чьи данные",
    "Итог",
    "IP-адрес",
]
WIDTHS = (20, 30, 38, 12, 18, 38, 38, 10, 16)
PER_PAGE = 100
MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an auditor asks for: a period of the region's local dates (both ends included), a person (a part
    of the acting person's name, or an id: the acting identity's or the person whose data it was), an
    action. Empty fields do not filter."""

    date_from: date | None = None
    date_to: date | None = None
    person: str | None = None
    action: str | None = None

    def check(self) -> AuditFilter:
        """The same filter, tidied, or InvalidInput naming the field."""
        errors = []
        if self.action and self.action not in ACTION_TITLES:
            allowed = ", ".join(f"{k} ({v})" for k, v in ACTION_TITLES.items())
            errors.append({"field": "action", "message": f"неизвестное действие; допустимы: {allowed}"})
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors.append({"field": "date_to", "message": "конец периода раньше его начала"})
        person = (self.person or "").strip()
        if len(person) > 200:
            errors.append({"field": "person", "message": "не длиннее 200 знаков"})
        if errors:
            raise InvalidInput("Журнал не показан: исправьте условия отбора.", errors)
        return AuditFilter(self.date_from, self.date_to, person or None, self.action or None)

    def as_details(self) -> dict[str, str]:
        return {
            k: v.isoformat() if isinstance(v, date) else str(v)
            for k, v in (
                ("date_from", self.date_from),
                ("date_to", self.date_to),
                ("person", self.person),
                ("action", self.action),
            )
            if v
        }


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    has_next: bool


def audited_regions(actor: Actor) -> list[uuid.UUID]:
    """The regions whose log the actor audits; Forbidden for anybody but an auditor."""
    regions = [g.region_id for g in actor.grants(StaffRole.AUDITOR)]
    if not regions:
        raise Forbidden
    return regions


def auditor_session(runtime: Runtime, actor: Actor) -> AsyncSession:
    """The auditor role's connection, acting for ``actor``: its policy shows only the regions they audit."""
    audited_regions(actor)
    return scoped_session(runtime.auditor_sessions, DbScope(identity_id=actor.identity_id))


async def audit_timezone(db: AsyncSession, actor: Actor) -> str:
    """The time zone of the (first) region the actor audits: times are shown and periods read in it."""
    region = await db.get(Region, audited_regions(actor)[0])
    return region.timezone if region else clock.DEFAULT_TIMEZONE


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.zone(timezone))


def _query(actor: Actor, wanted: AuditFilter, timezone: str) -> Select[AuditEvent, str]:
    # The region's rows, and those no region can be told for (the deployment's); PostgreSQL's policy for the
    # auditor role holds the same line, should this query ever forget it.
    regions = audited_regions(actor)
    query = (
        select(AuditEvent, Identity.display_name)
        .outerjoin(Identity, Identity.id == AuditEvent.actor_identity_id)
        .where(AuditEvent.region_id.in_(regions) | AuditEvent.region_id.is_(None))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if wanted.date_from:
        query = query.where(AuditEvent.at >= _local_midnight(wanted.date_from, timezone))
    if wanted.date_to:
        query = query.where(AuditEvent.at < _local_midnight(wanted.date_to + timedelta(days=1), timezone))
    who = _uuid_or_none(wanted.person)
    if who is not None:
        query = query.where((AuditEvent.actor_identity_id == who) | (AuditEvent.subject_person_id == who))
    elif wanted.person:
        pattern = "%" + wanted.person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Identity.display_name.ilike(pattern, escape="\\"))
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    return query


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _row(event: AuditEvent, name: str | None) -> AuditRow:
    return AuditRow(
        at=event.at,
        actor=name or "—",
        org_id=event.org_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        subject_person_id=event.subject_person_id,
        outcome=event.outcome,
        client_ip=str(event.client_ip) if event.client_ip else None,
    )


async def read_page(
    auditor_db: AsyncSession,
    actor: Actor,
    wanted: AuditFilter,
    timezone: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """One page of the events the actor may audit, newest first."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = _query(actor, wanted, timezone).offset((page - 1) * per_page).limit(per_page + 1)
    rows = [_row(event, name) for event, name in await auditor_db.execute(query)]
    return AuditPage(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


async def all_rows(
    auditor_db: AsyncSession, actor: Actor, wanted: AuditFilter, timezone: str
) -> AsyncIterator[AuditRow]:
    """Every matching event, newest first, fetched in batches from a server-side cursor."""
    result = await auditor_db.stream(_query(actor, wanted, timezone).execution_options(yield_per=1000))
    async for event, name in result:
        yield _row(event, name)


async def export_to_file(
    rows: AsyncIterator[AuditRow], timezone: str, object_titles: Mapping[str, str]
) -> tuple[IO[bytes], int]:
    """The rows as an .xlsx workbook in a temporary file (rewound), and how many there were; object types
    are titled by ``object_titles`` (the core's and the plugins', ``Plugins.audit_titles``).

    A write-only workbook keeps one row in memory at a time, so a log of any length is exported whole."""
    tz = clock.zone(timezone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Журнал аудита")
    for column, width in zip("ABCDEFGHI", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(HEADER)
    count = 0
    async for row in rows:
        sheet.append(
            [
                row.at.astimezone(tz).strftime("%d.%m.%Y %H:%M:%S"),
                safe_cell(row.actor),
                str(row.org_id) if row.org_id else "",
                ACTION_TITLES.get(row.action, row.action),
                safe_cell(object_titles.get(row.object_type, row.object_type)),
                safe_cell(row.object_id or ""),
                str(row.subject_person_id) if row.subject_person_id else "",
                OUTCOME_TITLES.get(row.outcome, row.outcome),
                row.client_ip or "",
            ]
        )
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    await asyncio.to_thread(book.save, out)
    out.seek(0)
    return out, count


async def chunks(file: IO[bytes], size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The file's bytes in chunks for a streamed response; the file is closed (and so removed) at the end."""
    try:
        while chunk := await asyncio.to_thread(file.read, size):
            yield chunk
    finally:
        file.close()
