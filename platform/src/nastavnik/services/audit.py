"""Writing and reading the audit log (152-FZ: who read, exported, changed or deleted whose data)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.models import AuditEvent, Identity
from nastavnik.services.spreadsheets import safe_cell
from nastavnik.tenancy import Actor, OrgContext

ACTION_TITLES = {
    "read": "просмотр",
    "export": "выгрузка",
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "login": "вход",
    "logout": "выход",
}
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
    "schools.subject_decade": "предметная декада",
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
    rows = await auditor_db.execute(query)
    return [
        AuditRow(
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
        for event, name in rows
    ]


def export_xlsx(rows: list[AuditRow], timezone: str) -> bytes:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(timezone)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Журнал аудита"
    sheet.append(
        [
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
    )
    for row in rows:
        sheet.append(
            [
                row.at.astimezone(tz).strftime("%d.%m.%Y %H:%M:%S"),
                safe_cell(row.actor),
                str(row.org_id) if row.org_id else "",
                ACTION_TITLES.get(row.action, row.action),
                safe_cell(OBJECT_TITLES.get(row.object_type, row.object_type)),
                safe_cell(row.object_id or ""),
                str(row.subject_person_id) if row.subject_person_id else "",
                OUTCOME_TITLES.get(row.outcome, row.outcome),
                row.client_ip or "",
            ]
        )
    for column, width in zip("ABCDEFGHI", (20, 30, 38, 12, 18, 38, 38, 10, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
