"""``nastavnik region create``: the first region of a new installation and its first administrator.

Run as the owner role (as ``nastavnik db upgrade``), since no administrator exists yet to act as. Idempotent:
a rerun with the same region and administrator changes nothing and says so (it finishes the administrator's
account if Keycloak was not configured or unreachable the first time); a rerun with the same code but other
data is refused with what differs, and the region is changed on its pages instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import ProgrammingError

from nastavnik.domain.administration.models import AppointmentStatus, StaffAppointment
from nastavnik.domain.administration.provisioning import run_appointment
from nastavnik.domain.administration.regions import RegionDraft, create_region
from nastavnik.domain.organisations.realm import KeycloakUnavailable, sso_configured
from nastavnik.errors import Conflict
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Region
from nastavnik.runtime import Runtime


class Refused(Exception):
    """The command cannot do what it was asked; the reason is in Russian."""


@dataclass
class Outcome:
    created: bool
    lines: list[str] = field(default_factory=list)


def _differences(region: Region, draft: RegionDraft, admin_emails: set[str]) -> list[str]:
    found = []
    if region.name != draft.name:
        found.append(f"название «{region.name}» (в команде «{draft.name}»)")
    if region.timezone != draft.timezone:
        found.append(f"часовой пояс {region.timezone} (в команде {draft.timezone})")
    if draft.admin.email not in admin_emails:
        known = ", ".join(sorted(admin_emails)) or "нет"
        found.append(f"администраторы: {known} (в команде {draft.admin.email})")
    return found


async def bootstrap_region(runtime: Runtime, draft: RegionDraft) -> Outcome:
    """Create the region and its administrator's appointments, or find them already made; then make the
    administrator's account where Keycloak is configured and it is not made yet."""
    try:
        async with runtime.owner_sessions() as db:
            region = (
                await db.scalars(select(Region).where(func.lower(Region.code) == draft.code.casefold()))
            ).one_or_none()
            if region is None:
                try:
                    region, _ = await create_region(db, None, draft)
                except Conflict as exc:  # created by a simultaneous run
                    raise Refused(exc.message) from None
                await db.commit()
                outcome = Outcome(created=True, lines=[f"Регион «{region.name}» (код {region.code}) создан."])
            else:
                appointments = list(
                    await db.scalars(
                        select(StaffAppointment).where(
                            StaffAppointment.region_id == region.id, StaffAppointment.role == StaffRole.ADMIN
                        )
                    )
                )
                differences = _differences(region, draft, {a.email for a in appointments})
                if differences:
                    raise Refused(
                        f"Регион с кодом {region.code} уже есть, но с другими данными: "
                        + "; ".join(differences)
                        + ". Ничего не изменено: измените регион на его страницах или укажите другой код."
                    )
                outcome = Outcome(
                    created=False,
                    lines=[f"Регион «{region.name}» (код {region.code}) уже создан; ничего не изменено."],
                )
            todo = list(
                await db.scalars(
                    select(StaffAppointment.id).where(
                        StaffAppointment.region_id == region.id,
                        StaffAppointment.email == draft.admin.email,
                        StaffAppointment.status != AppointmentStatus.DONE,
                    )
                )
            )
    except ProgrammingError as exc:
        raise Refused("База данных не подготовлена: сначала выполните «nastavnik db upgrade».") from exc
    outcome.lines.append(await _account(runtime, todo, draft.admin.email))
    return outcome


async def _account(runtime: Runtime, todo: list[uuid.UUID], email: str) -> str:
    if not todo:
        return f"Учётная запись администратора {email} уже создана."
    if not sso_configured(runtime.settings):
        return (
            f"Учётная запись администратора {email} не создана: вход через Keycloak не настроен"
            " (NASTAVNIK_KEYCLOAK_URL и NASTAVNIK_KEYCLOAK_ADMIN_CLIENT_SECRET). Настройте его и повторите"
            " эту же команду."
        )
    statuses = []
    try:
        for appointment_id in todo:
            statuses.append(await run_appointment(runtime, appointment_id))
    except KeycloakUnavailable as exc:
        return f"Keycloak недоступен ({exc}): повторите эту же команду позже."
    if all(s == AppointmentStatus.DONE for s in statuses):
        return (
            f"Учётная запись администратора {email} создана; письмо-приглашение отправлено, если её не было."
        )
    return (
        f"Учётная запись администратора {email} не создана: Keycloak отказал (проверьте роли служебного"
        " клиента и realm-роли платформы) — повторите эту же команду после исправления."
    )
