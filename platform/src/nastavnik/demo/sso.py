"""The demo signs in through the development issuer: its people are mirrored into the issuer's realm.

The issuer keeps its realm in memory, so at every demo start the seeded identities are adopted
by the issuer's current address and written into the realm as users, with the realm roles of
their oversight assignments and the organizations they belong to. Development only.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.demo.seed import DEV_ISSUER
from nastavnik.devissuer.realm import Organization, Realm, User
from nastavnik.models import Identity, Organisation, Person, PersonStatus, StaffAssignment
from nastavnik.settings import Settings


async def mirror_demo_people(
    owner_db: AsyncSession, realm: Realm, issuer_url: str, settings: Settings
) -> int:
    """Adopt the demo's identities for ``issuer_url`` and create them in ``realm``; returns how many."""
    await owner_db.execute(
        update(Identity)
        .where((Identity.issuer == DEV_ISSUER) | Identity.issuer.like("http://127.0.0.1:%/realms/%"))
        .values(issuer=issuer_url)
    )
    await owner_db.commit()
    identities = list(
        await owner_db.scalars(select(Identity).where(Identity.issuer == issuer_url, Identity.active))
    )
    role_names = {
        "region": settings.role_region,
        "municipality": settings.role_municipality,
        "auditor": settings.role_auditor,
    }
    staff = await owner_db.execute(select(StaffAssignment.identity_id, StaffAssignment.role))
    roles: dict[object, set[str]] = {}
    for identity_id, role in staff:
        roles.setdefault(identity_id, set()).add(role_names[role])
    for identity in identities:
        realm.add_user(
            User(
                id=identity.subject,
                username=identity.subject,
                last_name=identity.display_name,
                realm_roles=roles.get(identity.id, set()),
            )
        )
    memberships = await owner_db.execute(
        select(Organisation.slug, Organisation.short_name, Identity.subject)
        .join(Person, Person.org_id == Organisation.id)
        .join(Identity, Identity.id == Person.identity_id)
        .where(Identity.issuer == issuer_url, Person.status == PersonStatus.ACTIVE)
    )
    for slug, name, subject in memberships:
        organization = realm.organizations.get(slug) or Organization(id=slug, alias=slug, name=name)
        realm.organizations[slug] = organization
        if subject not in organization.members:
            organization.members.append(subject)
    return len(identities)
