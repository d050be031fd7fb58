"""Regions and organisations of a test's own, with people who sign in: one per programme role, and the
region's staff member.

Each call makes fresh ones (names, slugs and INNs are random), so a test counts only what it made,
whatever other tests did to the shared database.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from litestar import Litestar

from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.people import Person, PersonRole, ProgrammeRole
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.runtime import Runtime
from nastavnik.testing.http import Client, client_for

ISSUER = "test-issuer"
TIMEZONE = "Asia/Yekaterinburg"
"""The test regions' time zone (UTC+5): a test's «today» is that region's date (``clock.today_in``)."""


@dataclass(frozen=True)
class Named:
    last_name: str
    first_name: str
    middle_name: str | None = None

    def person(
        self, org_id: uuid.UUID, identity_id: uuid.UUID | None = None, category: str = "pedagogue"
    ) -> Person:
        """A new person of the organisation by this name (signed in as ``identity_id``, if given)."""
        return Person(
            org_id=org_id,
            identity_id=identity_id,
            last_name=self.last_name,
            first_name=self.first_name,
            middle_name=self.middle_name,
            category=category,
        )


STAFF: dict[str, Named] = {
    ProgrammeRole.CURATOR: Named("Иванова", "Ирина", "Сергеевна"),
    ProgrammeRole.DIRECTOR: Named("Петров", "Алексей", "Николаевич"),
    ProgrammeRole.MENTOR: Named("Сидорова", "Галина", "Петровна"),
    ProgrammeRole.MENTEE: Named("Новикова", "Нина", "Петровна"),
}
"""One person of each programme role, who signs in: what ``new_organisation`` makes by default."""


@dataclass
class FreshRegion:
    """A region with one municipality, a regional staff member (``staff``) and an auditor (identities)."""

    id: uuid.UUID
    municipality_id: uuid.UUID
    staff: uuid.UUID
    auditor: uuid.UUID

    def signed_in(self, app: Litestar, role: str = StaffRole.REGION) -> AbstractAsyncContextManager[Client]:
        """A client signed in as the region's staff member (``"region"``) or its auditor (``"auditor"``)."""
        return client_for(
            app, {StaffRole.REGION: self.staff, StaffRole.AUDITOR: self.auditor}[StaffRole(role)]
        )


@dataclass
class Tenant:
    """An active organisation and its people who sign in, by programme role."""

    id: uuid.UUID
    slug: str
    full_name: str
    identities: dict[str, uuid.UUID] = field(default_factory=dict)  # role -> identity
    persons: dict[str, uuid.UUID] = field(default_factory=dict)  # role -> person
    type: str = "school"

    def signed_in(
        self, app: Litestar, role: str = ProgrammeRole.CURATOR
    ) -> AbstractAsyncContextManager[Client]:
        """A client signed in as the organisation's person of ``role`` (curator, director, mentor, mentee)."""
        return client_for(app, self.identities[role])


async def new_region(runtime: Runtime, *, timezone: str = TIMEZONE) -> FreshRegion:
    """A region of its own, its municipality, a regional staff member and an auditor of the region."""
    token = secrets.token_hex(4)
    async with runtime.owner_sessions() as db:
        region = Region(code=f"F-{token}", name=f"Регион {token}", timezone=timezone)
        db.add(region)
        await db.flush()
        municipality = Municipality(region_id=region.id, name=f"Муниципалитет {token}")
        staff = Identity(issuer=ISSUER, subject=f"region-{token}", display_name="Регионова")
        auditor = Identity(issuer=ISSUER, subject=f"auditor-{token}", display_name="Аудиторова")
        db.add_all([municipality, staff, auditor])
        await db.flush()
        db.add_all(
            [
                StaffAssignment(identity_id=staff.id, role=StaffRole.REGION, region_id=region.id),
                StaffAssignment(identity_id=auditor.id, role=StaffRole.AUDITOR, region_id=region.id),
            ]
        )
        await db.commit()
        return FreshRegion(region.id, municipality.id, staff.id, auditor.id)


async def new_organisation(
    runtime: Runtime,
    municipality_id: uuid.UUID,
    *,
    org_type: str = "school",
    full_name: str = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7»",
    staff: Mapping[str, Named] | None = None,
) -> Tenant:
    """An active organisation of ``org_type`` in the municipality, with one signed-in person per role of
    ``staff`` (role -> name; by default ``STAFF``: a curator, a director, a mentor and a mentee)."""
    staff = STAFF if staff is None else staff
    n = secrets.randbelow(10**8)
    async with runtime.owner_sessions() as db:
        org = Organisation(
            municipality_id=municipality_id,
            type=org_type,
            full_name=full_name,
            short_name=f"Школа {n}",
            inn=with_inn_check_digit(f"4{n:08d}"),
            slug=f"t-{n}",
        )
        db.add(org)
        await db.flush()
        tenant = Tenant(org.id, org.slug, org.full_name, type=org_type)
        for role, name in staff.items():
            identity = Identity(issuer=ISSUER, subject=f"{role}-{n}", display_name=name.last_name)
            db.add(identity)
            await db.flush()
            person = name.person(org.id, identity.id)
            db.add(person)
            await db.flush()
            db.add(PersonRole(org_id=org.id, person_id=person.id, role=role))
            tenant.identities[str(role)], tenant.persons[str(role)] = identity.id, person.id
        await db.commit()
    return tenant
