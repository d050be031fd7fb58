"""Transaction-scoped advisory locks: how two simultaneous writers of one thing take turns."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def lock_for_transaction(db: AsyncSession, keys: Iterable[str]) -> None:
    """Take an advisory lock on each key until the transaction ends.

    The keys are locked in one sorted order (unnest walks the array in its order), so two
    transactions that lock overlapping sets never wait for each other in a cycle.
    """
    ordered = sorted(set(keys))
    if ordered:
        await db.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))"
                " FROM unnest(CAST(:keys AS text[])) AS k"
            ),
            {"keys": ordered},
        )
