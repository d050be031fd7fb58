"""The region's monitoring reports: requested on the page or through the API, built by the worker,
downloaded when done. Region staff only, of their own region; a download is recorded in the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.scope import DbScope, rescope
from nastavnik.domain.statistics import reading as r
from nastavnik.domain.statistics.jobs import REPORT_JOB
from nastavnik.domain.statistics.models import ReportStatus, StatReport
from nastavnik.domain.statistics.services import current_year_in, region_of
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.jobs import enqueue
from nastavnik.models.identity import StaffRole
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, Forbidden, NotFound

STATUS_TITLES = {
    ReportStatus.QUEUED: "в очереди",
    ReportStatus.RUNNING: "готовится",
    ReportStatus.DONE: "готов",
    ReportStatus.FAILED: "ошибка",
}


@dataclass(frozen=True, slots=True)
class ReportFile:
    content: bytes
    media_type: str
    filename: str
    fallback: str


def report_job_id(runtime: Runtime, report_id: uuid.UUID) -> str:
    return f"{runtime.settings.redis_prefix}:statistics-report:{report_id}"


async def request_report(
    db: AsyncSession, runtime: Runtime, actor: Actor, year: int | None, org_type: str | None
) -> StatReport:
    """A report of the region's latest snapshot of the year; the worker builds it."""
    region = await region_of(db, actor)
    academic_year = year or current_year_in(region.timezone)
    types = runtime.plugins.organisation_types()
    if org_type and org_type not in types:
        raise InvalidInput("Неизвестный тип организации.", [FieldError("type", "выберите из списка")])
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    snapshot = await r.latest_area_snapshot(db, r.AreaKey("region", region.id, org_type or ""), academic_year)
    if snapshot is None:
        raise InvalidInput(
            "Показатели этого учебного года ещё не рассчитаны: нажмите «Пересчитать сейчас».",
            [FieldError("year", "нет рассчитанных показателей")],
        )
    report = StatReport(
        id=uuid.uuid4(),
        region_id=region.id,
        academic_year=academic_year,
        org_type=org_type or "",
        as_of=snapshot.as_of,
        requested_by=actor.identity_id,
        status=ReportStatus.QUEUED,
        progress=0,
        message="В очереди",
    )
    db.add(report)
    await db.commit()
    assert runtime.queue is not None
    await enqueue(runtime.queue, REPORT_JOB, str(report.id), job_id=report_job_id(runtime, report.id))
    return report


async def get_report(db: AsyncSession, actor: Actor, report_id: uuid.UUID) -> StatReport:
    """A report of the actor's region (another region's and a missing one: NotFound)."""
    regions = {g.region_id for g in actor.grants(StaffRole.REGION)}
    if not regions:
        raise Forbidden
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    report = await db.get(StatReport, report_id, populate_existing=True)
    if report is None or report.region_id not in regions:
        raise NotFound
    return report


async def recent_reports(db: AsyncSession, actor: Actor, limit: int = 5) -> list[StatReport]:
    region = await region_of(db, actor)
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    rows = await db.scalars(
        select(StatReport)
        .where(StatReport.region_id == region.id)
        .order_by(StatReport.created_at.desc())
        .limit(limit)
    )
    return list(rows)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def report_file(
    db: AsyncSession, actor: Actor, report_id: uuid.UUID, kind: str, *, reads: AsyncSession | None = None
) -> ReportFile:
    """A finished report's file, read from ``reads`` (the read replica's session, where there is one: the
    files are the bulk), its download recorded in the audit log through ``db``. A report the replica does
    not show finished yet (it lags a moment behind the worker's write) is read from ``db``."""
    report = None
    if reads is not None and reads is not db:
        try:
            report = await get_report(reads, actor, report_id)
        except NotFound:
            report = None
    if report is None or report.status != ReportStatus.DONE:
        report = await get_report(db, actor, report_id)
    if report.status != ReportStatus.DONE:
        raise Conflict("Отчёт ещё не готов: дождитесь окончания подготовки.", "status")
    year = f"{report.academic_year}-{report.academic_year + 1}"
    if kind == "xlsx":
        assert report.xlsx is not None
        result = ReportFile(
            report.xlsx, XLSX, f"Мониторинг наставничества {year}.xlsx", f"monitoring-{year}.xlsx"
        )
    else:
        assert report.docx is not None
        result = ReportFile(
            report.docx, DOCX, f"Аналитическая справка {year}.docx", f"analytic-note-{year}.docx"
        )
    await audit.record_by(
        db,
        actor,
        "export",
        audit.ObjectKind.STATISTICS_REPORT,
        report.id,
        org_id=None,
        details={"file": kind, "academic_year": report.academic_year},
    )
    await db.commit()
    return result
