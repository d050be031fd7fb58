"""A fresh organisation for one test, with its own curator and director, and quick base entries.

Tests that change a programme's pairs take a tenant of their own, so that what they count is
theirs alone, whatever other tests did to the shared world.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.models.identity import Identity
from nastavnik.models.people import Person, PersonRole
from nastavnik.runtime import Runtime
from nastavnik.testing import STAFF, Named, Tenant, new_organisation
from tests.support.world import World

__all__ = ["Named", "Tenant", "add_mentee", "add_mentor", "give_login", "new_tenant"]


async def new_tenant(
    runtime: Runtime,
    world: World,
    *,
    org_type: str = "school",
    full_name: str = "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7»",
    staff: dict[str, Named] | None = None,
    municipality_id: uuid.UUID | None = None,
) -> Tenant:
    """An active organisation (in the world's municipality M1 unless told) with signed-in staff (curator and
    director by default): the kit's ``new_organisation``."""
    return await new_organisation(
        runtime,
        municipality_id or world.municipalities["M1"],
        org_type=org_type,
        full_name=full_name,
        staff=staff or {"curator": STAFF["curator"], "director": STAFF["director"]},
    )


async def add_member(
    db: AsyncSession,
    org_id: uuid.UUID,
    identity_id: uuid.UUID | None,
    name: Named,
    *roles: str,
    category: str = "pedagogue",
) -> uuid.UUID:
    """A working person of the organisation signed in as ``identity_id``, with programme ``roles``; flushed."""
    person = name.person(org_id, identity_id, category)
    db.add(person)
    await db.flush()
    db.add_all(PersonRole(org_id=org_id, person_id=person.id, role=role) for role in roles)
    await db.flush()
    return person.id


async def _login(db: AsyncSession, label: str, name: Named) -> uuid.UUID:
    identity = Identity(
        issuer="test-issuer", subject=f"{label}-{secrets.token_hex(4)}", display_name=name.last_name
    )
    db.add(identity)
    await db.flush()
    return identity.id


async def _base_entry(
    runtime: Runtime,
    tenant: Tenant,
    name: Named,
    role: str,
    category: str,
    signs_in: bool,
    profile: Callable[[uuid.UUID], MentorProfile | MenteeProfile],
) -> uuid.UUID:
    """A person of the tenant in the base of ``role`` (mentor or mentee) with the ``profile`` made for them;
    one who ``signs_in`` is in ``tenant.identities`` as «role:last name»."""
    async with runtime.owner_sessions() as db:
        identity_id = await _login(db, role, name) if signs_in else None
        person_id = await add_member(db, tenant.id, identity_id, name, role, category=category)
        db.add(profile(person_id))
        await db.commit()
    if identity_id:
        tenant.identities[f"{role}:{name.last_name}"] = identity_id
    return person_id


async def add_mentor(
    runtime: Runtime,
    tenant: Tenant,
    name: Named,
    *,
    competencies: str = "",
    subjects: str = "",
    capacity: int = 1,
    category: str = "pedagogue",
    consent: bool = True,
    status: str = "current",
    signs_in: bool = False,
) -> uuid.UUID:
    return await _base_entry(
        runtime,
        tenant,
        name,
        "mentor",
        category,
        signs_in,
        lambda person_id: MentorProfile(
            org_id=tenant.id,
            person_id=person_id,
            competencies=competencies,
            subjects=subjects,
            capacity=capacity,
            status=status,
            consent_on=date(2026, 9, 1) if consent else None,
        ),
    )


async def add_mentee(
    runtime: Runtime,
    tenant: Tenant,
    name: Named,
    *,
    kind: str = "young_pedagogue",
    requests: str = "",
    difficulties: str = "",
    birth_date: date | None = None,
    class_name: str | None = None,
    signs_in: bool = False,
) -> uuid.UUID:
    return await _base_entry(
        runtime,
        tenant,
        name,
        "mentee",
        "learner" if kind == "learner" else "pedagogue",
        signs_in,
        lambda person_id: MenteeProfile(
            org_id=tenant.id,
            person_id=person_id,
            kind=kind,
            requests=requests,
            difficulties=difficulties,
            birth_date=birth_date,
            class_name=class_name,
            profession_since=date(2025, 9, 1) if kind == "young_pedagogue" else None,
            guardian_consent_on=date(2026, 9, 1) if kind == "learner" else None,
        ),
    )


async def give_login(runtime: Runtime, tenant: Tenant, person_id: uuid.UUID, label: str) -> uuid.UUID:
    """Link a person of the bases to a login identity, as account creation does (tests/auth covers it)."""
    async with runtime.owner_sessions() as db:
        identity = Identity(
            issuer="test-issuer", subject=f"{label}-{secrets.token_hex(4)}", display_name=label
        )
        db.add(identity)
        await db.flush()
        person = await db.get(Person, (tenant.id, person_id))
        assert person is not None
        person.identity_id = identity.id
        await db.commit()
        tenant.identities[label] = identity.id
        return identity.id
