"""Fresh figures: a change to what an indicator counts schedules its organisation's recompute.

A service that changes what the statistics count (a pair formed or ended, a base imported, a
questionnaire answered, a plan task ticked, a headcount edited, a plugin's own events) calls
:func:`figures_changed` inside its transaction. Nothing happens then: the organisation is only noted on
the session. When that transaction commits, the noted organisations are scheduled; when it rolls back,
they are forgotten, so a change that never happened schedules nothing.

Scheduling is debounced and de-duplicated per organisation with one Redis key: the first change since the
organisation's last run sets it (``SET NX``) and enqueues the job ``core.statistics.fresh`` deferred by
``statistics_fresh_delay`` seconds; every change while the key is set finds the run already scheduled, which
has not started yet and so will see it. The job deletes the key before it reads anything, so a change that
commits while it runs sets the key again and schedules exactly one more run after it. The key expires on its
own (a worker that never took the job must not block the organisation for ever): at worst a second run.

The kernel imports no domain: the job is named, not imported (its code: ``domain/statistics/fresh.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import await_only

from nastavnik.jobs import enqueue

if TYPE_CHECKING:
    from nastavnik.runtime import Runtime

log = structlog.get_logger(__name__)

FRESH_JOB = "core.statistics.fresh"
PENDING_KEY = "nastavnik_figures_changed"

RUNTIME_KEY = "nastavnik_runtime"


def attach(runtime: Runtime) -> None:
    """Let the sessions of ``runtime`` that write schedule the recomputes their commits call for."""
    for sessions in (runtime.app_sessions, runtime.provisioner_sessions, runtime.aggregator_sessions):
        sessions.configure(info={RUNTIME_KEY: runtime})


def figures_changed(db: AsyncSession | Session, org_id: uuid.UUID) -> None:
    """Note that this transaction changes what ``org_id``'s indicators count: its recompute is scheduled
    when the transaction commits, never if it rolls back."""
    session = db.sync_session if isinstance(db, AsyncSession) else db
    pending: set[uuid.UUID] = session.info.setdefault(PENDING_KEY, set())
    pending.add(org_id)


def scheduled_key(runtime: Runtime, org_id: uuid.UUID) -> str:
    """Set while a run of the organisation is scheduled and has not started."""
    return runtime.redis_key("statistics", "fresh", str(org_id))


async def schedule(runtime: Runtime, org_ids: Iterable[uuid.UUID]) -> int:
    """Schedule a recompute of each organisation unless one is scheduled and not started; the number
    scheduled now. Without a queue (a process that runs no jobs), or with ``statistics_fresh`` off,
    nothing is scheduled: the nightly recompute reconciles."""
    if runtime.queue is None or not runtime.settings.statistics_fresh:
        return 0
    delay = runtime.settings.statistics_fresh_delay
    # Long enough to outlast the wait and a busy queue; short enough that a lost job is soon replaced.
    expiry = max(60, 10 * delay)
    scheduled = 0
    for org_id in sorted(set(org_ids)):
        key = scheduled_key(runtime, org_id)
        if not await runtime.redis.set(key, "1", nx=True, ex=expiry):
            continue
        # No job id of ours (arq makes a new one): a run still going must not swallow this one. The key
        # above is what de-duplicates.
        await enqueue(runtime.queue, FRESH_JOB, str(org_id), _defer_by=delay)
        scheduled += 1
    return scheduled


@event.listens_for(Session, "after_commit")
def _schedule_after_commit(session: Session) -> None:
    pending: set[uuid.UUID] | None = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    runtime: Runtime | None = session.info.get(RUNTIME_KEY)
    if runtime is None or not runtime.settings.statistics_fresh:
        return
    try:
        # Inside the commit's greenlet (AsyncSession.commit): the enqueue finishes before commit returns.
        await_only(schedule(runtime, pending))
    except Exception as exc:  # the change is committed; the nightly recompute will count it
        log.warning("fresh figures not scheduled", organisations=len(pending), error=str(exc))


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (after a commit the set is gone already).
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
