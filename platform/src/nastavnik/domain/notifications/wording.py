"""A kind's words as a region shows them: the region's own subject and body, else the platform's."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.notifications.kinds import KINDS, render
from nastavnik.domain.notifications.models import RegionNotificationTemplate


@dataclass(frozen=True, slots=True)
class Wording:
    subject: str
    body: str

    def fill(self, params: Mapping[str, object]) -> Wording:
        return Wording(render(self.subject, params), render(self.body, params))


async def region_wordings(db: AsyncSession, region_id: uuid.UUID, kinds: Iterable[str]) -> dict[str, Wording]:
    """The wording of each of ``kinds`` in the region (read under the caller's policies: a region's own
    rows reach only its organisations and staff)."""
    wanted = {k for k in kinds if k in KINDS}
    own = {
        t.kind: Wording(t.subject, t.body)
        for t in (
            await db.execute(
                select(RegionNotificationTemplate).where(
                    RegionNotificationTemplate.region_id == region_id,
                    RegionNotificationTemplate.kind.in_(wanted),
                )
            )
        ).scalars()
    }
    return {k: own.get(k) or Wording(KINDS[k].subject, KINDS[k].body) for k in wanted}
