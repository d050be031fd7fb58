"""The reminders' cron job: every hour, the organisations whose region's clock shows the morning hour.

A region's morning is its own (08:00 in Khanty-Mansiysk is 03:00 UTC), so one hourly job serves every time
zone. Each organisation is scanned in a transaction of its own, as the provisioner role scoped to it: one
organisation's failure leaves the others' reminders written, and a retry of the job (transient failures
only) rewrites nothing, the keys being per event, day and person.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog
from sqlalchemy import select

from nastavnik import clock
from nastavnik.domain.reminders.scan import ScanScope, job_context, scan
from nastavnik.domain.statistics.jobs import hourly_tick, is_transient, night_falls, retry_later
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.runtime import Runtime
from nastavnik.tenancy import org_by_slug

log = structlog.get_logger(__name__)

REMINDERS_JOB = "core.reminders.scan"


@dataclass
class ScanReport:
    organisations: list[uuid.UUID] = field(default_factory=list)
    """Those scanned."""
    written: int = 0
    transient: BaseException | None = None
    """The last transient failure of an organisation (the job then runs again later)."""


async def _organisations(
    runtime: Runtime, *, regions: list[uuid.UUID] | None = None, org_id: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, str, str]]:
    """(id, slug, the region's time zone) of the active organisations asked for."""
    query = (
        select(Organisation.id, Organisation.slug, Region.timezone)
        .join(Municipality, Municipality.id == Organisation.municipality_id)
        .join(Region, Region.id == Municipality.region_id)
        .where(Organisation.status == "active")
        .order_by(Organisation.slug)
    )
    if regions is not None:
        query = query.where(Region.id.in_(regions))
    if org_id is not None:
        query = query.where(Organisation.id == org_id)
    async with runtime.provisioner_sessions() as db:
        return [(row.id, row.slug, row.timezone) for row in await db.execute(query)]


async def _scan_one(runtime: Runtime, org_id: uuid.UUID, slug: str, today: date) -> int:
    async with runtime.provisioner_session(org_id) as db, db.begin():
        org = await org_by_slug(db, slug)
        return await scan(
            db,
            ScanScope(job_context(org, runtime.plugins), today),
            questionnaire_days=runtime.settings.questionnaire_reminder_days,
        )


async def scan_organisation(runtime: Runtime, org_id: uuid.UUID) -> int:
    """One organisation's reminders for its region's date now, in one transaction (also what the job does
    for each organisation at its morning hour); the number written."""
    written = 0
    for found, slug, timezone in await _organisations(runtime, org_id=org_id):
        written += await _scan_one(runtime, found, slug, clock.today_in(timezone))
    return written


async def scan_due(runtime: Runtime) -> ScanReport:
    """Scan each organisation of the regions whose local clock shows the reminders' hour at this tick."""
    tick = hourly_tick(clock.now())
    async with runtime.provisioner_sessions() as db:
        regions = (await db.execute(select(Region.id, Region.timezone).order_by(Region.code))).all()
    morning = [r.id for r in regions if night_falls(r.timezone, tick, runtime.settings.reminders_hour)]
    report = ScanReport()
    if not morning:
        return report
    for org_id, slug, timezone in await _organisations(runtime, regions=morning):
        today = tick.astimezone(clock.zone(timezone)).date()
        try:
            report.written += await _scan_one(runtime, org_id, slug, today)
        except Exception as exc:
            # One organisation's failure neither stops the others' reminders nor loses its own for good:
            # a transient one is tried again with the whole run (which rewrites nothing), another is logged.
            if is_transient(exc):
                report.transient = exc
            else:
                log.exception("reminders scan failed", org_id=str(org_id))
            continue
        report.organisations.append(org_id)
    return report


async def reminders_job(ctx: dict[str, Any]) -> str:
    """Every hour: the reminders of the regions whose morning it is (docs/notifications.md)."""
    try:
        report = await scan_due(ctx["runtime"])
    except Exception as exc:
        if is_transient(exc):
            raise retry_later(ctx) from exc
        raise
    if report.transient is not None:
        raise retry_later(ctx) from report.transient
    log.info("reminders written", organisations=len(report.organisations), written=report.written)
    return f"organisations {len(report.organisations)}, written {report.written}"
