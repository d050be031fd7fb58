"""The colleges plugin's tests run on the platform's testing kit (``nastavnik.testing``): the kit's pytest
plugin gives the run's ``runtime``; here the ``app`` serves the core and this plugin only, an ``sso_app``
does the same trusting a development issuer (so that a representative can be invited), and ``partnership``
writes a college's partner with a representative mentoring a student of an employer pair in practice."""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from pydantic import SecretStr
from sqlalchemy import select

from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.people import Person, PersonRole
from nastavnik.plugins import load_plugins
from nastavnik.settings import Settings
from nastavnik.testing import Runtime, Tenant, app_with
from nastavnik.web.app import create_app
from nastavnik_colleges.models import Internship, Partner, Representative
from nastavnik_dev.issuer.realm import Issuer
from nastavnik_dev.issuer.server import running_issuer

ADMIN_SECRET = "nastavnik-admin-development-secret"
"""The development realm's admin client secret (deploy/keycloak/realm-export.json)."""


@pytest.fixture(scope="session")
def app(runtime: Runtime) -> Litestar:
    return app_with(runtime, ["colleges"])


@pytest.fixture(scope="session")
async def issuer() -> AsyncIterator[Issuer]:
    async with running_issuer(Settings(dev_issuer=True)) as running:
        yield running


@pytest.fixture(scope="session")
def sso_runtime(runtime: Runtime, issuer: Issuer) -> Runtime:
    """The run's runtime with single sign-on configured against the development issuer, colleges only."""
    settings = runtime.settings.model_copy(
        update={"keycloak_url": issuer.base_url, "keycloak_admin_client_secret": SecretStr(ADMIN_SECRET)}
    )
    return dataclasses.replace(runtime, settings=settings, plugins=load_plugins(["colleges"]))


@pytest.fixture(scope="session")
def sso_app(sso_runtime: Runtime) -> Litestar:
    return create_app(sso_runtime)


def fresh_inn() -> str:
    return with_inn_check_digit(f"7{secrets.randbelow(10**8):08d}")


@dataclass(frozen=True)
class Partnership:
    """What ``partnership`` wrote in a college: every id its routes name."""

    partner_id: uuid.UUID
    representative_id: uuid.UUID
    student_id: uuid.UUID
    programme_id: uuid.UUID
    group_id: uuid.UUID
    internship_id: uuid.UUID


Seed = Callable[..., Awaitable[Partnership]]


async def write_partnership(
    runtime: Runtime,
    college: Tenant,
    canary: str,
    *,
    year: int,
    agreement_on: date | None,
    internship: tuple[date, date],
    form_code: str = "employer_student",
) -> Partnership:
    """As the owner: a partner, its representative (in the base of mentors), a student mentored by them in a
    pair of ``form_code`` in the ``year``'s programme (made if missing), and the pair's internship at the
    partner."""
    async with runtime.owner_sessions() as db:
        partner = Partner(
            org_id=college.id,
            name=f"{canary} Завод",
            inn=fresh_inn(),
            activity="Машиностроение",
            agreement_number="12-П" if agreement_on else None,
            agreement_date=agreement_on,
            contact=f"{canary} отдел кадров",
        )
        representative = Person(
            org_id=college.id, last_name=f"{canary} Мастеров", first_name="Илья", category="staff"
        )
        student = Person(
            org_id=college.id, last_name=f"{canary} Студентова", first_name="Ая", category="learner"
        )
        programme = (
            await db.scalars(
                select(Programme).where(
                    Programme.org_id == college.id,
                    Programme.academic_year == year,
                    Programme.regime == "learners",
                )
            )
        ).one_or_none() or Programme(org_id=college.id, academic_year=year, regime="learners")
        db.add_all([partner, representative, student, programme])
        await db.flush()
        db.add_all(
            [
                Representative(
                    org_id=college.id, person_id=representative.id, partner_id=partner.id, position="Мастер"
                ),
                MentorProfile(org_id=college.id, person_id=representative.id, consent_on=date(year, 9, 1)),
                MenteeProfile(
                    org_id=college.id, person_id=student.id, kind="learner", birth_date=date(year - 18, 3, 1)
                ),
                PersonRole(org_id=college.id, person_id=representative.id, role="mentor"),
            ]
        )
        group = MentoringGroup(
            org_id=college.id,
            id=uuid.uuid4(),
            programme_id=programme.id,
            form_code=form_code,
            kind_code="traditional",
            starts_on=date(year, 9, 15),
            ends_on=date(year + 1, 5, 31),
            reasons=[],
        )
        db.add(group)
        await db.flush()
        db.add_all(
            [
                GroupMember(org_id=college.id, group_id=group.id, person_id=representative.id, role="mentor"),
                GroupMember(org_id=college.id, group_id=group.id, person_id=student.id, role="mentee"),
            ]
        )
        practice = Internship(
            org_id=college.id,
            group_id=group.id,
            partner_id=partner.id,
            place=f"{canary} цех",
            starts_on=internship[0],
            ends_on=internship[1],
        )
        db.add(practice)
        await db.commit()
    return Partnership(partner.id, representative.id, student.id, programme.id, group.id, practice.id)


@pytest.fixture
def partnership(runtime: Runtime) -> Seed:
    """``await partnership(college, canary, year=..., agreement_on=..., internship=(starts, ends))``."""

    async def seed(college: Tenant, canary: str, **kwargs: Any) -> Partnership:
        return await write_partnership(runtime, college, canary, **kwargs)

    return seed
