"""The worker's half of people's accounts: per person, a Keycloak user, the organization membership,
an invitation or a one-time password, and the link to the person record.

Every step looks before it creates, so a rerun converges: the login is chosen and saved before the
user is created, and a rerun finds that user by it (or by the e-mail) instead of making another;
the invitation or password goes out once per request, recorded with its time. Each person is done
in a transaction of their own, holding their person row, so the page shows progress as it goes and
a person asked for twice is still served once. While Keycloak is unreachable the remaining people
are marked for another try and the job raises KeycloakUnavailable (arq retries it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError
from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.accounts import one_time_passwords
from nastavnik.domain.accounts.models import AccountBatch, AccountEntry, AccountStatus, Delivery
from nastavnik.domain.accounts.usernames import username_base, username_candidate
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.notifications.outbox import notify
from nastavnik.domain.organisations.models import OrgOnboarding
from nastavnik.domain.organisations.realm import (
    NOT_CONFIGURED,
    KeycloakUnavailable,
    NotConfigured,
    admin_client,
    call,
    ensure_identity,
    ensure_organization,
    send_invitation,
)
from nastavnik.models.identity import Identity
from nastavnik.models.people import Person, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime

log = structlog.get_logger(__name__)
OPEN = (AccountStatus.PENDING.value, AccountStatus.RETRYING.value)
USERNAME_TRIES = 20


class Refused(Exception):
    """This person's account cannot be made as things stand; the reason is in Russian."""

    def __init__(self, reason: str, *, forget_username: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.forget_username = forget_username


@dataclass
class Realm:
    """What one run knows about Keycloak: the client, the organization and its members."""

    admin: KeycloakAdmin
    organization_id: str
    members: set[str]
    issuer: str


async def run_batch(runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID) -> str:
    """The job: work off the batch's open entries. Returns ``done``, ``failed`` or ``missing``."""
    async with runtime.provisioner_session(org_id) as job_db:
        org = await job_db.get(Organisation, org_id)
        batch = await job_db.get(AccountBatch, (org_id, batch_id))
        if org is None or batch is None:
            return "missing"
        todo = list(
            await job_db.scalars(
                select(AccountEntry.person_id)
                .where(
                    AccountEntry.org_id == org_id,
                    AccountEntry.batch_id == batch_id,
                    AccountEntry.status.in_(OPEN),
                )
                .order_by(AccountEntry.created_at, AccountEntry.person_id)
            )
        )
        if not todo:
            return "done"
        batch.attempts += 1
        await job_db.commit()
        try:
            admin = admin_client(runtime.settings)
        except NotConfigured:
            await _close_open(job_db, org_id, batch_id, AccountStatus.FAILED, NOT_CONFIGURED)
            return "failed"
        try:
            realm = await _realm(job_db, runtime, admin, org)
            for person_id in todo:
                await _one(job_db, runtime, realm, org_id, batch_id, person_id)
        except KeycloakUnavailable as exc:
            await job_db.rollback()
            reason = f"Keycloak недоступен, попытка повторится автоматически ({exc})"
            await _close_open(job_db, org_id, batch_id, AccountStatus.RETRYING, reason[:500])
            log.warning(
                "accounts will be retried", org=str(org_id), batch=str(batch_id), error=str(exc)[:200]
            )
            raise
    return "done"


async def _realm(job_db: AsyncSession, runtime: Runtime, admin: KeycloakAdmin, org: Organisation) -> Realm:
    known = await job_db.scalar(select(OrgOnboarding.keycloak_org_id).where(OrgOnboarding.org_id == org.id))
    organization = await ensure_organization(admin, org, known=known)
    members = {str(m["id"]) for m in await call(admin.a_get_organization_members(organization))}
    assert runtime.settings.keycloak_issuer is not None
    return Realm(admin, organization, members, runtime.settings.keycloak_issuer)


async def _close_open(
    job_db: AsyncSession, org_id: uuid.UUID, batch_id: uuid.UUID, status: AccountStatus, reason: str
) -> None:
    await job_db.execute(
        update(AccountEntry)
        .where(
            AccountEntry.org_id == org_id, AccountEntry.batch_id == batch_id, AccountEntry.status.in_(OPEN)
        )
        .values(status=status, error=reason)
    )
    await job_db.commit()


async def _locked(
    job_db: AsyncSession, org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[AccountEntry, Person] | None:
    entry = await job_db.get(
        AccountEntry, (org_id, batch_id, person_id), with_for_update=True, populate_existing=True
    )
    person = await job_db.get(Person, (org_id, person_id), with_for_update=True, populate_existing=True)
    if entry is None or person is None or not AccountStatus(entry.status).open:
        return None
    return entry, person


async def _one(
    job_db: AsyncSession,
    runtime: Runtime,
    realm: Realm,
    org_id: uuid.UUID,
    batch_id: uuid.UUID,
    person_id: uuid.UUID,
) -> None:
    locked = await _locked(job_db, org_id, batch_id, person_id)
    if locked is None:
        await job_db.rollback()  # done meanwhile (another run), or the person was removed
        return
    entry, person = locked
    try:
        if entry.username is None and entry.keycloak_user_id is None:
            found = await _by_email(realm.admin, person)
            if found is None:
                # Saved before the user exists: a rerun after a crash finds this user, not a new one.
                entry.username = await _free_username(realm.admin, person)
                await job_db.commit()
                locked = await _locked(job_db, org_id, batch_id, person_id)
                if locked is None:
                    await job_db.rollback()
                    return
                entry, person = locked
        entry.attempts += 1
        await _provision(job_db, runtime, realm, entry, person)
    except KeycloakError as exc:
        await _failed(
            job_db,
            org_id,
            batch_id,
            person_id,
            f"Keycloak отказал (код {exc.response_code}): {_message(exc)}",
        )
        return
    except Refused as exc:
        await _failed(job_db, org_id, batch_id, person_id, exc.reason, forget_username=exc.forget_username)
        return
    await job_db.commit()


async def _failed(
    job_db: AsyncSession,
    org_id: uuid.UUID,
    batch_id: uuid.UUID,
    person_id: uuid.UUID,
    reason: str,
    *,
    forget_username: bool = False,
) -> None:
    await job_db.rollback()
    values: dict[str, Any] = {"status": AccountStatus.FAILED, "error": reason[:500]}
    if forget_username:
        values["username"] = None
    await job_db.execute(
        update(AccountEntry)
        .where(
            AccountEntry.org_id == org_id,
            AccountEntry.batch_id == batch_id,
            AccountEntry.person_id == person_id,
        )
        .values(**values)
    )
    await job_db.commit()


def _message(exc: KeycloakError) -> str:
    message = exc.error_message
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message)[:200]


async def _by_email(admin: KeycloakAdmin, person: Person) -> dict[str, Any] | None:
    if not person.email:
        return None
    users = await call(admin.a_get_users({"email": person.email, "exact": True}))
    return dict(users[0]) if users else None


async def _by_username(admin: KeycloakAdmin, username: str) -> dict[str, Any] | None:
    users = await call(admin.a_get_users({"username": username, "exact": True}))
    return dict(users[0]) if users else None


async def _free_username(admin: KeycloakAdmin, person: Person) -> str:
    base = username_base(person.last_name, person.first_name)
    for _ in range(USERNAME_TRIES):
        candidate = username_candidate(base)
        if await _by_username(admin, candidate) is None:
            return candidate
    raise Refused("не удалось подобрать свободный логин; повторите попытку")


async def _find_user(admin: KeycloakAdmin, entry: AccountEntry) -> dict[str, Any] | None:
    """The user this entry made earlier: by the id recorded, else by the login saved before creating it."""
    if entry.keycloak_user_id:
        try:
            return dict(await call(admin.a_get_user(entry.keycloak_user_id)))
        except KeycloakError as exc:
            if exc.response_code != 404:
                raise
    if entry.username:
        return await _by_username(admin, entry.username)
    return None


async def _linked_elsewhere(job_db: AsyncSession, realm: Realm, person: Person, user_id: str) -> bool:
    """Whether the account already belongs to another person of the organisation."""
    found = await job_db.scalar(
        select(
            exists().where(
                Person.org_id == person.org_id,
                Person.id != person.id,
                Person.identity_id == Identity.id,
                Identity.issuer == realm.issuer,
                Identity.subject == user_id,
            )
        )
    )
    return bool(found)


async def _provision(
    job_db: AsyncSession, runtime: Runtime, realm: Realm, entry: AccountEntry, person: Person
) -> None:
    admin = realm.admin
    if person.status != PersonStatus.ACTIVE:
        raise Refused("выбыл(а) из организации")
    user = await _find_user(admin, entry)
    ours = user is not None
    if user is None:
        user = await _by_email(admin, person)  # e.g. a teacher of two schools: one account for both
    if user is not None and await _linked_elsewhere(job_db, realm, person, str(user["id"])):
        raise Refused(
            "учётная запись с этим адресом электронной почты уже связана с другим человеком организации"
        )
    if person.identity_id is not None:
        identity = await job_db.get(Identity, person.identity_id)
        if user is None or identity is None or identity.subject != str(user["id"]):
            raise Refused("у человека уже есть другая учётная запись")
    if user is None:
        user = {"id": await _create_user(admin, entry, person), "username": entry.username}
        ours = True
    user_id = str(user["id"])
    entry.keycloak_user_id = user_id
    entry.username = str(user.get("username") or entry.username or "") or None
    if ours and person.email and user.get("email") != person.email:
        await call(admin.a_update_user(user_id, {"email": person.email}))
    if user_id not in realm.members:
        await call(admin.a_organization_user_add(user_id, realm.organization_id))
        realm.members.add(user_id)
    await _link(job_db, realm, person, user_id)
    if ours:
        await _announce(job_db, entry, person, user_id)
    if not ours:
        entry.status, entry.delivery = AccountStatus.LINKED, None
    elif entry.delivered_at is None:
        await _deliver(runtime, realm, entry, person, user_id)
    else:
        entry.status = AccountStatus.INVITED if entry.delivery == Delivery.EMAIL else AccountStatus.CREATED
    entry.error = None


async def _announce(job_db: AsyncSession, entry: AccountEntry, person: Person, user_id: str) -> None:
    """«Создана учётная запись» in the person's own transaction, once per account (the key): a rerun of
    the batch, or a password reset through another batch, writes nothing more. The provisioner role may
    insert into the outbox of the job's organisation (migration 0026)."""
    slug = await job_db.scalar(select(Organisation.slug).where(Organisation.id == person.org_id))
    await notify(
        job_db,
        org_id=person.org_id,
        person_id=person.id,
        kind="account_created",
        params={"login_hint": entry.username or person.email or ""},
        key=f"account_created:{person.id}:{user_id}",
        link=f"/o/{slug}/",
    )


async def _create_user(admin: KeycloakAdmin, entry: AccountEntry, person: Person) -> str:
    assert entry.username is not None
    representation: dict[str, Any] = {
        "username": entry.username,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "enabled": True,
    }
    if person.email:
        representation["email"] = person.email
    try:
        return str(await call(admin.a_create_user(representation)))
    except KeycloakError as exc:
        if exc.response_code == 409:  # taken between the check and now: choose again on the next try
            raise Refused(
                f"логин {entry.username} или адрес электронной почты уже заняты в Keycloak;"
                " повторите попытку",
                forget_username=True,
            ) from exc
        raise


async def _deliver(runtime: Runtime, realm: Realm, entry: AccountEntry, person: Person, user_id: str) -> None:
    """The invitation e-mail, or a one-time password Keycloak makes them change at the first sign-in."""
    if person.email:
        await send_invitation(realm.admin, user_id, runtime.settings)
        entry.status, entry.delivery = AccountStatus.INVITED, Delivery.EMAIL
        entry.password_expires_at = None
    else:
        password = one_time_passwords.generate()
        await call(realm.admin.a_set_user_password(user_id, password, temporary=True))
        entry.password_expires_at = await one_time_passwords.keep(
            runtime, entry.org_id, entry.batch_id, entry.person_id, password
        )
        entry.status, entry.delivery = AccountStatus.CREATED, Delivery.PASSWORD
    entry.delivered_at = clock.now()


async def _link(job_db: AsyncSession, realm: Realm, person: Person, user_id: str) -> None:
    """The person signs in as this account, with the programme roles their bases give them."""
    person.identity_id = await ensure_identity(
        job_db, realm.issuer, user_id, f"{person.last_name} {person.first_name}"
    )
    roles = []
    key = (person.org_id, person.id)
    if await job_db.get(MentorProfile, key) is not None:
        roles.append(ProgrammeRole.MENTOR)
    if await job_db.get(MenteeProfile, key) is not None:
        roles.append(ProgrammeRole.MENTEE)
    for role in roles:
        await job_db.execute(
            insert(PersonRole)
            .values(org_id=person.org_id, person_id=person.id, role=role)
            .on_conflict_do_nothing()
        )
