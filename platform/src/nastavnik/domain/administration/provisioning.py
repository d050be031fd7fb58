"""The worker's half of a staff appointment: the Keycloak account, its realm role, the invitation, the grant.

Every step looks before it creates, as onboarding does (``organisations.onboarding``), so a rerun after a
crash or a retry converges: one account per e-mail (an existing one is reused: a coordinator who is also a
curator signs in once), the realm role assigned if missing, one invitation (only to an account this
appointment created; an existing account already has a password), and the grant written under the
appointment's id. Staff are adults with a work e-mail, so the way in is always the invitation to set a
password. While Keycloak is unreachable the appointment is marked for another try and the job raises
KeycloakUnavailable (the worker retries it).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from keycloak import KeycloakAdmin
from keycloak.exceptions import KeycloakError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.db.locks import lock_for_transaction
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.administration.models import AppointmentStatus, StaffAppointment
from nastavnik.domain.organisations.realm import (
    NOT_CONFIGURED,
    KeycloakUnavailable,
    NotConfigured,
    admin_client,
    call,
    ensure_identity,
    send_invitation,
    sso_configured,
)
from nastavnik.models.identity import StaffAssignment, StaffRole
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings

APPOINT_JOB = "core.provision_staff"
log = structlog.get_logger(__name__)


def realm_role(settings: Settings, role: str) -> str:
    """The realm role that admits a staff role (the settings name them)."""
    return {
        StaffRole.REGION: settings.role_region,
        StaffRole.MUNICIPALITY: settings.role_municipality,
        StaffRole.AUDITOR: settings.role_auditor,
        StaffRole.ADMIN: settings.role_region_admin,
    }[StaffRole(role)]


async def schedule(runtime: Runtime, appointment_ids: list[uuid.UUID]) -> bool:
    """Queue the job for each appointment. Without single sign-on nothing is queued: the appointments wait
    (the staff list says why), and a rerun of ``nastavnik region create`` makes a bootstrapped one."""
    from nastavnik.jobs import enqueue

    if runtime.queue is None or not sso_configured(runtime.settings):
        return False
    for appointment_id in appointment_ids:
        job_id = f"{runtime.settings.redis_prefix}:appoint:{appointment_id}"
        await enqueue(runtime.queue, APPOINT_JOB, str(appointment_id), job_id=job_id)
    return True


def waiting_reason(settings: Settings, status: str, error: str | None) -> str | None:
    """Why an appointment is not done: its recorded error, or that single sign-on is not configured."""
    if error is None and status == AppointmentStatus.PENDING and not sso_configured(settings):
        return NOT_CONFIGURED
    return error


def job_session(runtime: Runtime) -> AsyncSession:
    """The provisioner's session for region-level work: no organisation, no identity."""
    return scoped_session(runtime.provisioner_sessions, DbScope(identity_id=None))


async def ensure_account(admin: KeycloakAdmin, row: StaffAppointment, settings: Settings) -> None:
    """The account (by e-mail, created if missing), its realm role, and the invitation to a new account."""
    users = await call(admin.a_get_users({"email": row.email, "exact": True}))
    invited = False
    if row.keycloak_user_id is None:
        if users:
            row.keycloak_user_id = str(users[0]["id"])
        else:
            representation: dict[str, Any] = {
                "username": row.email,
                "email": row.email,
                "firstName": " ".join(p for p in (row.first_name, row.middle_name) if p),
                "lastName": row.last_name,
                "enabled": True,
            }
            row.keycloak_user_id = str(await call(admin.a_create_user(representation)))
            invited = True
    role = await call(admin.a_get_realm_role(realm_role(settings, row.role)))
    held = {r.get("name") for r in await call(admin.a_get_realm_roles_of_user(row.keycloak_user_id))}
    if role.get("name") not in held:
        await call(admin.a_assign_realm_roles(row.keycloak_user_id, [role]))
    if invited:
        await send_invitation(admin, row.keycloak_user_id, settings)


async def run_appointment(runtime: Runtime, appointment_id: uuid.UUID) -> str:
    """The job: one appointment done, or why not recorded. Returns the new status (or ``missing``)."""
    settings = runtime.settings
    async with job_session(runtime) as job_db:
        row = await job_db.get(StaffAppointment, appointment_id, with_for_update=True)
        if row is None:
            return "missing"  # withdrawn meanwhile
        if row.status == AppointmentStatus.DONE:
            return row.status
        # One person's appointments (an administrator is also region staff) run one at a time, or two jobs
        # would both find no account and both create one.
        await lock_for_transaction(job_db, [f"staff-account:{row.email}"])
        row.attempts += 1
        try:
            await ensure_account(admin_client(settings), row, settings)
            assert settings.keycloak_issuer is not None
            assert row.keycloak_user_id is not None
            name = " ".join(p for p in (row.last_name, row.first_name, row.middle_name) if p)
            identity_id = await ensure_identity(job_db, settings.keycloak_issuer, row.keycloak_user_id, name)
            await job_db.execute(
                insert(StaffAssignment)
                .values(
                    id=row.id,
                    identity_id=identity_id,
                    role=row.role,
                    region_id=row.region_id,
                    municipality_id=row.municipality_id,
                )
                .on_conflict_do_nothing()  # held already (the same person, role and place): nothing to add
            )
        except KeycloakUnavailable as exc:
            row.status, row.last_error = AppointmentStatus.RETRYING, str(exc)[:500]
            await job_db.commit()
            log.warning("appointment will be retried", appointment=str(appointment_id), error=str(exc)[:200])
            raise
        except NotConfigured:
            row.status, row.last_error = AppointmentStatus.FAILED, NOT_CONFIGURED
            await job_db.commit()
            return row.status
        except KeycloakError as exc:
            row.status = AppointmentStatus.FAILED
            row.last_error = f"Keycloak отказал (код {exc.response_code})"[:500]
            await job_db.commit()
            return row.status
        row.status, row.last_error = AppointmentStatus.DONE, None
        await job_db.commit()
        return row.status
