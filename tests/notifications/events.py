"""What the events' tests read back: an organisation's notifications as their people would see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from nastavnik.domain.notifications.kinds import KINDS, render
from nastavnik.domain.notifications.models import Notification
from nastavnik.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Shown:
    person_id: uuid.UUID
    kind: str
    subject: str
    body: str
    key: str
    link: str | None


async def shown(runtime: Runtime, org_id: uuid.UUID, *kinds: str) -> list[Shown]:
    """Every notification of the organisation (of ``kinds`` when named), rendered through its kind's
    wording, ordered by key."""
    query = select(Notification).where(Notification.org_id == org_id).order_by(Notification.dedup_key)
    if kinds:
        query = query.where(Notification.kind.in_(kinds))
    async with runtime.owner_sessions() as db:
        rows = (await db.scalars(query)).all()
    return [
        Shown(
            row.person_id,
            row.kind,
            render(KINDS[row.kind].subject, row.params),
            render(KINDS[row.kind].body, row.params),
            row.dedup_key,
            row.link,
        )
        for row in rows
    ]


def to(found: list[Shown], person_id: uuid.UUID) -> list[Shown]:
    return [s for s in found if s.person_id == person_id]
