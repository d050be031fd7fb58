"""The demo signs in through the development issuer: its people are mirrored into the issuer's realm.

The issuer keeps its realm in memory, so at every demo start the seeded identities are adopted
by the issuer's current address and written into the realm as users, with the realm roles of
their oversight assignments, the organizations they belong to, and what they do where (for the
issuer's pick-a-person page). Development only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.documents.names import Gender, PersonName
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.people import Person, PersonRole, PersonStatus
from nastavnik.models.reference import Municipality, Organisation
from nastavnik.settings import Settings
from nastavnik_dev.demo.seed import DEV_ISSUER
from nastavnik_dev.issuer.realm import Organization, Realm, User

REGION_OFFICE = "Региональный департамент"
# The picker names what a person does where, in the order a visitor of the demo looks for them.
ROLE_ORDER = ("director", "curator", "mentor", "mentee")
ROLE_TITLES = {"director": "руководитель", "curator": "куратор", "mentor": "наставник"}
CATEGORY_TITLES = {"pedagogue": "педагог", "staff": "сотрудник"}


PLATFORM_ADMIN = "platform-admin"


def staff_title(role: str, municipality: str | None) -> str:
    if role == "municipality":
        return f"координатор, управление образования ({municipality})"
    if role == "admin":
        return f"администратор региона, {REGION_OFFICE}"
    return f"{'аудитор' if role == 'auditor' else 'специалист'}, {REGION_OFFICE}"


def member_title(name: PersonName, category: str, roles: set[str], organisation: str) -> str:
    """«куратор, СОШ № 1», «наставник и наставляемая, Гимназия № 2»: a participle agrees with the person."""
    female = name.gender is Gender.FEMALE
    titles = [
        ("наставляемая" if female else "наставляемый") if r == "mentee" else ROLE_TITLES[r]
        for r in ROLE_ORDER
        if r in roles
    ]
    if not titles:
        learner = "обучающаяся" if female else "обучающийся"
        titles = [learner if category == "learner" else CATEGORY_TITLES.get(category, "сотрудник")]
    said = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} и {titles[-1]}"
    return f"{said}, {organisation}"


async def mirror_demo_people(
    owner_db: AsyncSession, realm: Realm, issuer_url: str, settings: Settings
) -> int:
    """Adopt the demo's identities for ``issuer_url`` and create them in ``realm``, with the platform's
    administrator (a realm role only); returns how many users were made.

    Each user carries its full name and, in the attribute ``title``, what it does where
    («куратор, СОШ № 1»): the issuer's pick-a-person page shows it."""
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
        "admin": settings.role_region_admin,
    }
    roles: dict[uuid.UUID, set[str]] = defaultdict(set)
    titles: dict[uuid.UUID, list[str]] = defaultdict(list)
    staff = await owner_db.execute(
        select(StaffAssignment.identity_id, StaffAssignment.role, Municipality.name)
        .outerjoin(Municipality, Municipality.id == StaffAssignment.municipality_id)
        .order_by(StaffAssignment.role)
    )
    for identity_id, role, municipality in staff:
        roles[identity_id].add(role_names[role])
        titles[identity_id].append(staff_title(role, municipality))
    names: dict[uuid.UUID, PersonName] = {}
    memberships = await owner_db.execute(
        select(Person, Organisation.slug, Organisation.short_name, Identity.id, Identity.subject)
        .join(Organisation, Organisation.id == Person.org_id)
        .join(Identity, Identity.id == Person.identity_id)
        .where(Identity.issuer == issuer_url, Person.status == PersonStatus.ACTIVE)
        .order_by(Organisation.short_name)
    )
    granted: dict[uuid.UUID, set[str]] = defaultdict(set)
    for person_id, role in await owner_db.execute(select(PersonRole.person_id, PersonRole.role)):
        granted[person_id].add(role)
    for person, slug, short_name, identity_id, subject in memberships:
        name = names.setdefault(
            identity_id, PersonName(person.last_name, person.first_name, person.middle_name)
        )
        titles[identity_id].append(member_title(name, person.category, granted[person.id], short_name))
        organization = realm.organizations.get(slug) or Organization(id=slug, alias=slug, name=short_name)
        realm.organizations[slug] = organization
        if subject not in organization.members:
            organization.members.append(subject)
    for identity in identities:
        known = names.get(identity.id)  # staff have no person record: their identity's name
        realm.add_user(
            User(
                id=identity.subject,
                username=identity.subject,
                last_name=known.last_name if known else identity.display_name,
                first_name=" ".join(p for p in (known.first_name, known.middle_name) if p) if known else None,
                realm_roles=roles.get(identity.id, set()),
                attributes={"title": titles[identity.id]} if titles.get(identity.id) else {},
            )
        )
    # The platform's administrator holds a realm role only: no identity in the platform until they sign in.
    realm.add_user(
        User(
            id=PLATFORM_ADMIN,
            username=PLATFORM_ADMIN,
            last_name="Платформова",
            first_name="Вера",
            realm_roles={settings.role_platform_admin},
            attributes={"title": ["администратор платформы: создаёт регионы"]},
        )
    )
    return len(identities) + 1
