"""The notifications' fixtures: a real SMTP server on loopback, a runtime that mails through it, and a
school of a fresh region (Yekaterinburg time) whose people have addresses."""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time

import pytest

from nastavnik import clock
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.notifications.models import Notification, RegionNotificationSettings
from nastavnik.domain.notifications.outbox import notify
from nastavnik.models.identity import Identity
from nastavnik.models.people import Person, PersonRole
from nastavnik.runtime import Runtime
from tests.notifications.smtp import SmtpServer
from tests.support.region import FreshRegion, region_with_school
from tests.support.tenant import Tenant
from tests.support.world import World

DOMAIN = "school.example.ru"


@dataclass
class Place:
    region: FreshRegion
    tenant: Tenant
    people: dict[str, uuid.UUID] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    identities: dict[str, uuid.UUID] = field(default_factory=dict)

    async def add(
        self,
        runtime: Runtime,
        label: str,
        *,
        email: str | None = "",
        login: bool = True,
        category: str = "pedagogue",
        born: date | None = None,
        role: str | None = "mentor",
    ) -> uuid.UUID:
        """A working person of the school; ``email`` "" makes a unique address from the label."""
        address = f"{label}-{secrets.token_hex(3)}@{DOMAIN}" if email == "" else email
        async with runtime.owner_sessions() as db:
            identity = None
            if login:
                identity = Identity(
                    issuer="test-issuer", subject=f"n-{secrets.token_hex(6)}", display_name=label
                )
                db.add(identity)
                await db.flush()
            person = Person(
                org_id=self.tenant.id,
                identity_id=identity.id if identity else None,
                last_name=f"Фамилия-{label}",
                first_name="Имя",
                email=address,
                category=category,
            )
            db.add(person)
            await db.flush()
            if role:
                db.add(PersonRole(org_id=self.tenant.id, person_id=person.id, role=role))
            if category == "learner":
                db.add(
                    MenteeProfile(org_id=self.tenant.id, person_id=person.id, kind="learner", birth_date=born)
                )
            await db.commit()
        self.people[label] = person.id
        if identity is not None:
            self.identities[label] = identity.id
        if address:
            self.emails[label] = address
        return person.id

    async def notify(self, runtime: Runtime, label: str, kind: str, params: dict[str, str], key: str) -> bool:
        """Write one notification as the school's curator would, in a transaction of its own."""
        scope = DbScope(identity_id=self.tenant.identities["curator"], org_id=self.tenant.id)
        async with scoped_session(runtime.app_sessions, scope) as db, db.begin():
            return await notify(
                db,
                org_id=self.tenant.id,
                person_id=self.people[label],
                kind=kind,
                params=params,
                key=key,
                link=f"/o/{self.tenant.slug}/my",
            )

    async def rows(self, runtime: Runtime, label: str) -> list[Notification]:
        from sqlalchemy import select

        async with runtime.owner_sessions() as db:
            return list(
                (
                    await db.execute(
                        select(Notification)
                        .where(
                            Notification.org_id == self.tenant.id,
                            Notification.person_id == self.people[label],
                        )
                        .order_by(Notification.created_at, Notification.dedup_key)
                    )
                ).scalars()
            )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_runtime(runtime: Runtime, smtp: SmtpServer) -> Runtime:
    """The run's runtime, mailing through the loopback server (the same engines and pools)."""
    settings = runtime.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_starttls": False,
            "smtp_timeout": 10,
            "mail_from": "Наставник <noreply@nastavnik.example.ru>",
            "public_url": "https://nastavnik.example.ru",
        }
    )
    return dataclasses.replace(runtime, settings=settings)


async def quiet_hours(
    runtime: Runtime, region_id: uuid.UUID, starts: time | None, ends: time | None, digest_hour: int = 17
) -> None:
    """The region's default quiet hours and digest hour (no quiet hours: both None)."""
    async with runtime.owner_sessions() as db:
        db.add(
            RegionNotificationSettings(
                region_id=region_id,
                quiet_starts=starts,
                quiet_ends=ends,
                digest_hour=digest_hour,
                updated_at=clock.now(),
            )
        )
        await db.commit()


@pytest.fixture
async def place(runtime: Runtime, world: World) -> Place:
    """A school of its own region with no quiet hours (tests that need them set them)."""
    region, tenant = await region_with_school(runtime, world)
    await quiet_hours(runtime, region.id, None, None)
    return Place(region, tenant)
