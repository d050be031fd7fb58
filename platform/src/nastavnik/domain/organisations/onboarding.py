"""Onboarding an organisation into the realm, as the worker does it.

Every step first looks for what it would create, so a rerun (after a crash, a retry, or a
second request) converges to the same state: one Keycloak organization with the alias of the
slug, one account for the curator (invited by e-mail to set a password), one membership, one
person record with the curator role, linked to that account's identity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.scope import DbScope, rescope
from nastavnik.domain.organisations.models import OnboardingStatus, OrgOnboarding
from nastavnik.domain.organisations.realm import (
    KeycloakUnavailable,
    NotConfigured,
    admin_client,
    call,
    ensure_identity,
    ensure_organization,
    send_invitation,
    sso_configured,
)
from nastavnik.domain.organisations.services import OrganisationDraft
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import Identity, StaffRole
from nastavnik.models.people import Person, PersonRole, ProgrammeRole
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings
from nastavnik.tenancy import Actor

ONBOARD_JOB = "core.onboard_organisation"
SYNC_ACCESS_JOB = "core.sync_organisation_access"

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CuratorDraft:
    last_name: str
    first_name: str
    middle_name: str | None
    email: str


def validate_curator(draft: CuratorDraft) -> CuratorDraft:
    errors = []
    last, first = " ".join(draft.last_name.split()), " ".join(draft.first_name.split())
    email = draft.email.strip().lower()
    if not last:
        errors.append(FieldError("curator_last_name", "укажите фамилию куратора"))
    if not first:
        errors.append(FieldError("curator_first_name", "укажите имя куратора"))
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        errors.append(FieldError("curator_email", "укажите адрес электронной почты куратора"))
    if errors:
        raise InvalidInput("Куратор указан с ошибками.", errors)
    middle = " ".join((draft.middle_name or "").split()) or None
    return CuratorDraft(last, first, middle, email)


async def schedule(runtime: Runtime, org_id: uuid.UUID) -> bool:
    """Queue the onboarding job; a job already queued or running for the organisation is not doubled."""
    from nastavnik.jobs import enqueue

    if runtime.queue is None or not sso_configured(runtime.settings):
        return False  # stays «ожидает подключения» until the deployment has single sign-on
    job_id = f"{runtime.settings.redis_prefix}:onboard:{org_id}"
    return await enqueue(runtime.queue, ONBOARD_JOB, str(org_id), job_id=job_id)


async def statuses(db: AsyncSession, actor: Actor) -> dict[uuid.UUID, OrgOnboarding]:
    """Onboarding rows of the organisations the actor oversees (read under the oversight scope)."""
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    return {row.org_id: row for row in await db.scalars(select(OrgOnboarding))}


async def retry(db: AsyncSession, runtime: Runtime, actor: Actor, org_id: uuid.UUID) -> OrgOnboarding:
    """Ask for another attempt of a failed or stuck onboarding (the region's «Повторить»)."""
    from nastavnik import audit
    from nastavnik.tenancy import Forbidden, NotFound

    if not actor.grants(StaffRole.REGION):
        raise Forbidden
    row = (await statuses(db, actor)).get(org_id)
    if row is None:
        raise NotFound
    if row.status == OnboardingStatus.DONE:
        raise InvalidInput("Организация уже подключена.", [FieldError("status", "уже подключена")])
    row.status = OnboardingStatus.PENDING
    await audit.record_by(db, actor, "update", audit.ObjectKind.ONBOARDING, org_id, org_id=org_id)
    await db.commit()
    await schedule(runtime, org_id)
    return row


async def create_and_onboard(
    db: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    draft: OrganisationDraft,
    curator: CuratorDraft | None,
) -> Organisation:
    """The region creates an organisation and, when a curator is named, starts bringing it into the realm."""
    from nastavnik import audit
    from nastavnik.domain.organisations import services as organisations

    org = await organisations.create_organisation(db, actor, draft, runtime.plugins)
    await audit.record_by(db, actor, "create", audit.ObjectKind.ORGANISATION, org.id, org_id=org.id)
    if curator is not None:
        await start_onboarding(db, actor, org.id, curator)
    await db.commit()
    if curator is not None:
        await schedule(runtime, org.id)
    return org


async def start_onboarding(db: AsyncSession, actor: Actor, org_id: uuid.UUID, curator: CuratorDraft) -> None:
    """Record the request in the organisation's onboarding row (under the region's oversight scope)."""
    await rescope(db, DbScope(identity_id=actor.identity_id, oversight=True))
    db.add(
        OrgOnboarding(
            org_id=org_id,
            curator_last_name=curator.last_name,
            curator_first_name=curator.first_name,
            curator_middle_name=curator.middle_name,
            curator_email=curator.email,
        )
    )
    await db.flush()


async def ensure_in_keycloak(
    admin: KeycloakAdmin, org: Organisation, row: OrgOnboarding, settings: Settings
) -> None:
    """The organization, the curator's account, the membership and the invitation: each only if missing."""
    row.keycloak_org_id = await ensure_organization(admin, org, known=row.keycloak_org_id)
    users = await call(admin.a_get_users({"email": row.curator_email, "exact": True}))
    invited = False
    if users:
        row.keycloak_user_id = users[0]["id"]
    else:
        row.keycloak_user_id = await call(
            admin.a_create_user(
                {
                    "username": row.curator_email,
                    "email": row.curator_email,
                    "firstName": row.curator_first_name,
                    "lastName": row.curator_last_name,
                    "enabled": True,
                }
            )
        )
        invited = True
    members = await call(admin.a_get_organization_members(row.keycloak_org_id))
    if row.keycloak_user_id not in {m.get("id") for m in members}:
        await call(admin.a_organization_user_add(row.keycloak_user_id, row.keycloak_org_id))
    if invited:
        await send_invitation(admin, row.keycloak_user_id, settings)


async def ensure_in_platform(job_db: AsyncSession, row: OrgOnboarding, issuer: str) -> None:
    """The curator's identity, person record and role in the organisation: each only if missing."""
    assert row.keycloak_user_id is not None
    identity_id = await ensure_identity(
        job_db, issuer, row.keycloak_user_id, f"{row.curator_last_name} {row.curator_first_name}"
    )
    person_id = await job_db.scalar(
        select(Person.id).where(Person.org_id == row.org_id, Person.identity_id == identity_id)
    )
    if person_id is None:
        person = Person(
            org_id=row.org_id,
            identity_id=identity_id,
            last_name=row.curator_last_name,
            first_name=row.curator_first_name,
            middle_name=row.curator_middle_name,
            category="pedagogue",
        )
        job_db.add(person)
        await job_db.flush()
        person_id = person.id
    await job_db.execute(
        insert(PersonRole)
        .values(org_id=row.org_id, person_id=person_id, role=ProgrammeRole.CURATOR)
        .on_conflict_do_nothing()
    )


async def run_onboarding(runtime: Runtime, org_id: uuid.UUID) -> str:
    """The worker's job: bring one organisation in, or record why not. Returns the new status.

    Raises KeycloakUnavailable after recording it, so the worker retries later.
    """
    settings = runtime.settings
    async with runtime.provisioner_session(org_id) as job_db:
        row = await job_db.get(OrgOnboarding, org_id, with_for_update=True)
        org = await job_db.get(Organisation, org_id)
        if row is None or org is None:
            return "missing"
        if row.status == OnboardingStatus.DONE:
            return row.status
        row.attempts += 1
        try:
            await ensure_in_keycloak(admin_client(settings), org, row, settings)
            assert settings.keycloak_issuer is not None
            await ensure_in_platform(job_db, row, settings.keycloak_issuer)
        except KeycloakUnavailable as exc:
            row.status, row.last_error = OnboardingStatus.RETRYING, str(exc)[:500]
            await job_db.commit()
            log.warning("onboarding will be retried", org=str(org_id), error=str(exc)[:200])
            raise
        except NotConfigured as exc:
            row.status, row.last_error = OnboardingStatus.FAILED, str(exc)
            await job_db.commit()
            return row.status
        except KeycloakError as exc:
            row.status = OnboardingStatus.FAILED
            row.last_error = f"Keycloak {exc.response_code}: {exc.error_message!s}"[:500]
            await job_db.commit()
            return row.status
        row.status, row.last_error = OnboardingStatus.DONE, None
        await job_db.commit()
        return row.status


async def sync_access(runtime: Runtime, org_id: uuid.UUID) -> str:
    """Make Keycloak agree with the platform on who may enter an organisation.

    The organization is enabled exactly while the organisation is active, and its members who have
    left the organisation in the platform are removed from it. The platform already refuses them;
    this keeps the organization claim honest for every other application of the realm.
    """
    settings = runtime.settings
    async with runtime.provisioner_session(org_id) as job_db:
        org = await job_db.get(Organisation, org_id)
        row = await job_db.get(OrgOnboarding, org_id)
        if org is None or row is None or row.keycloak_org_id is None:
            return "not onboarded"
        left = set(
            await job_db.scalars(
                select(Identity.subject)
                .join(Person, Person.identity_id == Identity.id)
                .where(
                    Person.org_id == org_id,
                    Person.status == "left",
                    Identity.issuer == settings.keycloak_issuer,
                )
            )
        )
    try:
        admin = admin_client(settings)
    except NotConfigured:
        return "not configured"
    active = org.status == "active"
    await call(
        admin.a_update_organization(
            row.keycloak_org_id, {"name": org.short_name, "alias": org.slug, "enabled": active}
        )
    )
    members = await call(admin.a_get_organization_members(row.keycloak_org_id))
    for member in members:
        if member.get("id") in left:
            await call(admin.a_organization_user_remove(member["id"], row.keycloak_org_id))
    return "enabled" if active else "disabled"


async def schedule_sync(runtime: Runtime, org_id: uuid.UUID) -> bool:
    from nastavnik.jobs import enqueue

    if runtime.queue is None or not sso_configured(runtime.settings):
        return False
    return await enqueue(
        runtime.queue,
        SYNC_ACCESS_JOB,
        str(org_id),
        job_id=f"{runtime.settings.redis_prefix}:sync-access:{org_id}",
    )
