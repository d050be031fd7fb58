"""The one-click unsubscribe (RFC 8058): a signed link switches one kind's e-mail off, without signing in.

Nobody is signed in, so the application role (whose policies need a member) cannot act: the provisioner
does, in the one organisation the signed token names, touching only that person's preference rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from nastavnik import clock
from nastavnik.domain.notifications.kinds import KINDS
from nastavnik.domain.notifications.models import NotificationPreference
from nastavnik.domain.notifications.tokens import ALL_KINDS, Unsubscribe, read_token
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from nastavnik.tenancy import NotFound


@dataclass(frozen=True, slots=True)
class UnsubscribeTarget:
    token: Unsubscribe
    titles: tuple[str, ...]
    """The kinds' titles, as the confirmation page lists them."""


def _target(runtime: Runtime, token: str) -> Unsubscribe:
    target = read_token(runtime.settings.secret_key.get_secret_value(), token)
    if target is None:
        raise NotFound
    return target


def _kinds(target: Unsubscribe) -> tuple[str, ...]:
    return tuple(KINDS) if target.kind == ALL_KINDS else (target.kind,)


async def describe(runtime: Runtime, token: str) -> UnsubscribeTarget:
    """What the link would switch off; a forged or stale link (the person is gone) is a 404."""
    target = _target(runtime, token)
    async with runtime.provisioner_session(target.org_id) as db, db.begin():
        if (
            await db.scalar(
                select(Person.id).where(Person.org_id == target.org_id, Person.id == target.person_id)
            )
            is None
        ):
            raise NotFound
    return UnsubscribeTarget(target, tuple(KINDS[k].title for k in _kinds(target)))


async def unsubscribe(runtime: Runtime, token: str) -> UnsubscribeTarget:
    """Switch the link's kind (a digest's: every kind) off for its person; doing it twice changes nothing."""
    described = await describe(runtime, token)
    target = described.token
    async with runtime.provisioner_session(target.org_id) as db, db.begin():
        for kind in _kinds(target):
            row = await db.get(NotificationPreference, (target.org_id, target.person_id, kind))
            if row is None:
                db.add(
                    NotificationPreference(
                        org_id=target.org_id,
                        person_id=target.person_id,
                        kind=kind,
                        enabled=False,
                        mode="immediate",
                    )
                )
            else:
                row.enabled, row.updated_at = False, clock.now()
    return described
