"""An organisation's people for the methodical work's tests, and the dates its rules are checked on.

Dates come from the test regions' clock (tests/support/dates.py), as the test runs: the academic year
under way, a day of it that has come (today) and, where the year still has one, a day that has not.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.models.identity import Identity
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates, region_dates
from tests.support.http import Client
from tests.support.tenant import Named, Tenant, add_member

__all__ = [
    "api",
    "created",
    "decade",
    "detail",
    "every_shape",
    "fields",
    "later",
    "page",
    "person",
]


def later(dates: RegionDates) -> date | None:
    """A day of the academic year that has not come yet (none on its last day)."""
    return dates.today + timedelta(days=1) if dates.today < dates.ends else None


def decade(dates: RegionDates) -> tuple[date, date]:
    """Ten days of the academic year around today, first and last: a decade whose events of today may
    already be held."""
    first = max(dates.starts, dates.today - timedelta(days=5))
    return first, min(dates.ends, first + timedelta(days=9))


def api(tenant: Tenant, shape: str, *rest: object) -> str:
    return "/".join([f"/api/o/{tenant.slug}/methodical/{shape}", *(str(r) for r in rest)])


def page(tenant: Tenant, shape: str, *rest: object) -> str:
    return "/".join([f"/o/{tenant.slug}/methodical/{shape}", *(str(r) for r in rest)])


async def person(
    runtime: Runtime,
    tenant: Tenant,
    name: Named,
    *,
    category: str = "pedagogue",
    signs_in: bool = False,
    young_since: date | None = None,
    roles: tuple[str, ...] = (),
) -> uuid.UUID:
    """A person of the tenant; one who ``signs_in`` is in ``tenant.identities`` under their last name; with
    ``young_since``, a young teacher in the base of mentees since that day."""
    async with runtime.owner_sessions() as db:
        identity_id = None
        if signs_in:
            identity = Identity(
                issuer="test-issuer", subject=f"m-{secrets.token_hex(6)}", display_name=name.last_name
            )
            db.add(identity)
            await db.flush()
            identity_id = identity.id
        person_id = await add_member(db, tenant.id, identity_id, name, *roles, category=category)
        if young_since is not None:
            db.add(
                MenteeProfile(
                    org_id=tenant.id,
                    person_id=person_id,
                    kind="young_pedagogue",
                    profession_since=young_since,
                )
            )
        await db.commit()
    if identity_id is not None:
        tenant.identities[name.last_name] = identity_id
    return person_id


async def created(client: Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the API answered a POST with: the record it created (201)."""
    response = await client.post(url, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def detail(response: httpx.Response, status: int = 422) -> str:
    """The refusal's message and every field's message, as one text."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return " ".join([body["detail"], *(e["message"] for e in body.get("errors", []))])


def fields(response: httpx.Response) -> set[str]:
    """The fields a 422 names."""
    assert response.status_code == 422, response.text
    return {e["field"] for e in response.json().get("errors", [])}


async def every_shape(client: Client, tenant: Tenant, leader: uuid.UUID) -> dict[str, str]:
    """One association of each shape of the academic year under way, made through the API by ``client`` (a
    manager), all led by ``leader``: a club, a decade around today (``decade``), the council, a creative
    group. Their ids by shape."""
    dates = region_dates()
    first, last = decade(dates)
    bodies = {
        "club": {"name": "Звёзды будущего"},
        "decade": {
            "name": "Декада математики",
            "subject_area": "МО учителей математики",
            "starts_on": str(first),
            "ends_on": str(last),
        },
        "council": {},
        "creative_group": {"name": "Цифровая школа", "subject_area": "Цифровые ресурсы на уроке"},
    }
    return {
        shape: str(
            (
                await created(
                    client,
                    api(tenant, shape),
                    {"academic_year": dates.year, "leader_id": str(leader), **body},
                )
            )["id"]
        )
        for shape, body in bodies.items()
    }
