"""The auditor's reading of the audit log: its JSON API (by pages, and the Excel export) and its page.

The log and its reading are the kernel's (:mod:`nastavnik.audit`); so are these routes, which the default
plugin mounts with the core's others (``nastavnik.default_plugins.routes``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, TypeAlias
from urllib.parse import urlencode

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream, Template

from nastavnik import audit
from nastavnik.errors import InvalidInput
from nastavnik.tenancy import Forbidden
from nastavnik.web.downloads import XLSX
from nastavnik.web.params import CurrentActor, Db, Rt
from nastavnik.web.rendering import Render


class AuditEventOut(msgspec.Struct):
    at: str
    actor: str
    org_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    subject_person_id: uuid.UUID | None
    outcome: str


class AuditPageOut(msgspec.Struct):
    items: list[AuditEventOut]
    page: int
    per_page: int
    has_next: bool
    """Whether a next page exists (the log is not counted: it may hold millions of rows)."""


def audit_filter(
    actor: CurrentActor,
    date_from: date | None = Parameter(default=None, description="С этой даты (по времени региона)"),
    date_to: date | None = Parameter(default=None, description="По эту дату включительно"),
    person: str | None = Parameter(
        default=None, max_length=200, description="Часть имени действовавшего или id (его или чьих данных)"
    ),
    action: str | None = Parameter(
        default=None, max_length=16, description="Действие: read, export, create…"
    ),
) -> audit.AuditFilter:
    """The auditor's filter from the query string; who asks is checked first (a 403 before any 422)."""
    audit.audited_regions(actor)
    return audit.AuditFilter(date_from, date_to, person, action).check()


def audit_event_out(r: audit.AuditRow) -> AuditEventOut:
    return AuditEventOut(
        at=r.at.isoformat(),
        actor=r.actor,
        org_id=r.org_id,
        action=r.action,
        object_type=r.object_type,
        object_id=r.object_id,
        subject_person_id=r.subject_person_id,
        outcome=r.outcome,
    )


Wanted: TypeAlias = NamedDependency[audit.AuditFilter]
"""The auditor's filter, read from the query string by :func:`audit_filter`."""


class AuditApi(Controller):
    path = "/api/audit"
    tags = ["Аудит"]
    dependencies = {"wanted": Provide(audit_filter, sync_to_thread=False)}

    @get("/", summary="Журнал аудита своего региона (для аудитора), по страницам")
    async def events(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        wanted: Wanted,
        page: int = Parameter(default=1, ge=1, le=1_000_000),
        per_page: int = Parameter(default=audit.PER_PAGE, ge=1, le=audit.MAX_PER_PAGE),
    ) -> AuditPageOut:
        async with audit.auditor_session(runtime, actor) as auditor_db:
            found = await audit.read_page(
                auditor_db, actor, wanted, await audit.audit_timezone(db, actor), page=page, per_page=per_page
            )
        return AuditPageOut(
            items=[audit_event_out(r) for r in found.rows],
            page=found.page,
            per_page=found.per_page,
            has_next=found.has_next,
        )

    @get(
        "/export.xlsx",
        media_type=XLSX,
        summary="Выгрузить журнал аудита своего региона в Excel (все записи отбора)",
    )
    async def export(self, db: Db, actor: CurrentActor, runtime: Rt, wanted: Wanted) -> Stream:
        timezone = await audit.audit_timezone(db, actor)
        async with audit.auditor_session(runtime, actor) as auditor_db:
            file, count = await audit.export_to_file(
                audit.all_rows(auditor_db, actor, wanted, timezone),
                timezone,
                runtime.plugins.audit_titles().objects,
            )
        try:
            await audit.record_by(
                db,
                actor,
                "export",
                audit.ObjectKind.AUDIT_LOG,
                org_id=None,
                details={"rows": count, **wanted.as_details()},
            )
            await db.commit()
        except BaseException:
            file.close()
            raise
        return Stream(
            audit.chunks(file),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="audit-log.xlsx"'},
        )


class AuditPages(Controller):
    tags = ["Страницы"]

    @get("/audit", summary="Журнал аудита своего региона")
    async def audit_page(
        self,
        render: Render,
        db: Db,
        runtime: Rt,
        actor: CurrentActor,
        date_from: str = Parameter(default="", max_length=10),
        date_to: str = Parameter(default="", max_length=10),
        person: str = Parameter(default="", max_length=200),
        action: str = Parameter(default="", max_length=16),
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=1_000_000)] = 1,
    ) -> Template:
        if not actor.is_auditor:
            raise Forbidden
        timezone = await audit.audit_timezone(db, actor)
        form = {"date_from": date_from, "date_to": date_to, "person": person, "action": action}
        errors: dict[str, str] = {}
        found, query = None, ""
        try:
            wanted = audit.AuditFilter(
                _form_date(date_from, "date_from", errors),
                _form_date(date_to, "date_to", errors),
                person,
                action,
            ).check()
        except InvalidInput as exc:
            errors.update({e.field: e.message for e in exc.errors})
        if not errors:
            async with audit.auditor_session(runtime, actor) as auditor_db:
                found = await audit.read_page(auditor_db, actor, wanted, timezone, page=page_number)
            query = urlencode(wanted.as_details())  # what the pager and the export repeat (dates as ISO)
        return await render(
            "core/audit.html",
            found=found,
            form=form,
            errors=errors,
            query=query,
            timezone=timezone,
            action_titles=audit.ACTION_TITLES,
            object_titles=runtime.plugins.audit_titles().objects,
            outcome_titles=audit.OUTCOME_TITLES,
        )


def _form_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    """A date typed in the filter form (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), or the message beside its field."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors[field] = "дата в виде ДД.ММ.ГГГГ"
    return None
