"""The outbox: a notification is written in the transaction of the event that causes it.

If the event's transaction rolls back, so does the notification; if it commits, the delivery job finds
the row (docs/notifications.md). The key names the event (``pair_formed:<group>:<person>``): writing it
again, from a retried request or a scanner's second run, leaves the one row already there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.notifications.kinds import KINDS
from nastavnik.domain.notifications.models import KEY_MAX, LINK_MAX, EmailState, Notification
from nastavnik.models.people import Person, PersonStatus

DEDUP_CONSTRAINT = "uq_notification_org_id_dedup_key"


async def notify(
    db: AsyncSession,
    *,
    org_id: uuid.UUID,
    person_id: uuid.UUID,
    kind: str,
    params: Mapping[str, str],
    key: str,
    link: str | None = None,
) -> bool:
    """Write one notification in the caller's transaction (the outbox); ``key`` makes it idempotent
    per organisation (an INSERT that a duplicate key turns into nothing); True when it is new.

    Nothing is written (False) for a person who left or who has no login: neither the in-app list nor an
    e-mail can reach them (the delivery checks both again before sending). An unknown ``kind`` or a
    missing parameter is a programming error (ValueError), not a user's mistake.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind: {kind!r}")
    missing = set(spec.params) - set(params)
    if missing:
        raise ValueError(f"notification {kind!r} needs the parameters {sorted(missing)}")
    if not key or len(key) > KEY_MAX:
        raise ValueError("a notification key is 1 to 200 characters")
    if link is not None and len(link) > LINK_MAX:
        raise ValueError("a notification link is at most 500 characters")
    person = (
        await db.execute(
            select(Person.status, Person.identity_id).where(Person.org_id == org_id, Person.id == person_id)
        )
    ).one_or_none()
    if person is None or person.status != PersonStatus.ACTIVE or person.identity_id is None:
        return False
    now = clock.now()
    statement = insert(Notification).values(
        org_id=org_id,
        id=uuid.uuid4(),
        person_id=person_id,
        kind=kind,
        params={name: str(params[name]) for name in spec.params},
        link=link,
        dedup_key=key,
        created_at=now,
        email_state=EmailState.PENDING,
        email_due_at=now,
        email_attempts=0,
    )
    # A savepoint and the unique key, not ON CONFLICT DO NOTHING: PostgreSQL checks an ON CONFLICT
    # insert's row against the SELECT policies too, and a member may read only their own notifications
    # while writing one for a colleague. The caller's transaction goes on either way.
    try:
        async with db.begin_nested():
            await db.execute(statement)
    except IntegrityError as exc:
        if DEDUP_CONSTRAINT not in str(exc.orig):
            raise
        return False
    return True
