"""What the core does on a plugin's request, through the plugin's narrow context: invite a mentor from outside
(the people, bases and accounts domains' own onboarding, all or nothing), read people and pairs as the
acting person may; and the public ИНН check a plugin validates an enterprise with."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from nastavnik import FieldError, Forbidden, InvalidInput, MentorInvitation, PluginContext, valid_inn
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.default_plugins.services import PluginServices
from nastavnik.domain.accounts.models import AccountEntry
from nastavnik.domain.bases.models import MentorProfile
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.errors import Conflict
from nastavnik.models.audit import AuditEvent
from nastavnik.models.people import Person
from nastavnik.plugin_context import plugin_context
from nastavnik.runtime import Runtime
from nastavnik.tenancy import load_actor, resolve_org_context
from nastavnik.testing import Tenant, new_organisation, new_region

SSO = {"keycloak_url": "http://127.0.0.1:9", "keycloak_admin_client_secret": SecretStr("s")}
"""Single sign-on named (nothing listens there: the worker would retry; these tests run no worker)."""


@asynccontextmanager
async def context(runtime: Runtime, org: Tenant, role: str = "curator") -> AsyncIterator[PluginContext]:
    """The colleges plugin's context in ``org`` for its person of ``role``, as a handler would get it."""
    identity = org.identities[role]
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=identity)) as db:
        actor = await load_actor(db, identity)
        assert actor is not None
        org_context = await resolve_org_context(db, actor, org.slug, runtime.plugins)
        plugin = runtime.plugins.loaded["colleges"]
        yield await plugin_context(db, org_context, plugin, {}, services=PluginServices(runtime))


async def college(runtime: Runtime) -> Tenant:
    return await new_organisation(runtime, (await new_region(runtime)).municipality_id, org_type="college")


async def written(runtime: Runtime, org: Tenant) -> tuple[int, int, int]:
    async with runtime.owner_sessions() as db:
        return (
            int(await db.scalar(select(func.count()).where(Person.org_id == org.id)) or 0),
            int(await db.scalar(select(func.count()).where(MentorProfile.org_id == org.id)) or 0),
            int(await db.scalar(select(func.count()).where(AccountEntry.org_id == org.id)) or 0),
        )


def test_valid_inn_checks_both_lengths() -> None:
    assert valid_inn("7707083893")  # a legal entity's, published
    assert valid_inn("500100732259")  # an individual's, published
    assert not valid_inn("500100732259", individual=False)  # an organisation of the platform is an entity
    assert not valid_inn("500100732258")
    assert not valid_inn("7707083894")
    assert not valid_inn("77070838931")
    assert not valid_inn("77070838９3")
    assert not valid_inn("")


async def test_an_invitation_is_the_cores_onboarding_in_one_transaction(runtime: Runtime) -> None:
    org = await college(runtime)
    with_sso = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=SSO))
    linked: list[uuid.UUID] = []

    async def also(person_id: uuid.UUID) -> None:
        linked.append(person_id)

    before = await written(runtime, org)
    async with context(runtime, org) as ctx:  # no single sign-on: refused before anything is written
        with pytest.raises(Conflict, match="Keycloak не настроен"):
            await ctx.invite_mentor(MentorInvitation("Кузнецов", "Олег", email="o.k@zavod.example"))
    async with context(with_sso, org) as ctx:  # every wrong field at once, the plugin's own among them
        with pytest.raises(InvalidInput) as refused:
            await ctx.invite_mentor(
                MentorInvitation(" ", "Олег", email="нет", category="boss", capacity=21),
                errors=[FieldError("position", "укажите должность")],
            )
    assert {e.field for e in refused.value.errors} == {
        "position",
        "last_name",
        "email",
        "category",
        "capacity",
    }
    assert await written(runtime, org) == before
    async with context(with_sso, org) as ctx:
        invited = await ctx.invite_mentor(
            MentorInvitation(
                "Кузнецов", "Олег", "Ильич", email="O.K@zavod.example", consent_on=date(2025, 9, 1)
            ),
            before_commit=also,
        )
    assert linked == [invited.person_id]
    assert await written(runtime, org) == (before[0] + 1, before[1] + 1, before[2] + 1)
    async with runtime.owner_sessions() as db:
        person = await db.get(Person, (org.id, invited.person_id))
        profile = await db.get(MentorProfile, (org.id, invited.person_id))
        entry = await db.get(AccountEntry, (org.id, invited.account_batch_id, invited.person_id))
        audited = set(
            await db.scalars(
                select(AuditEvent.object_type).where(AuditEvent.subject_person_id == invited.person_id)
            )
        )
    assert person is not None
    assert (person.full_name, person.email, person.category) == (
        "Кузнецов Олег Ильич",
        "o.k@zavod.example",
        "staff",
    )
    assert profile is not None
    assert (profile.consent_on, profile.capacity) == (date(2025, 9, 1), 1)
    assert entry is not None
    assert entry.status == "pending"
    assert audited == {"person", "mentor_profile", "account"}
    async with context(with_sso, org, "mentor") as ctx:  # only the managers invite
        with pytest.raises(Forbidden):
            await ctx.invite_mentor(MentorInvitation("Иванов", "Иван", email="i@zavod.example"))


async def test_people_and_pairs_as_the_acting_person_may_see_them(runtime: Runtime) -> None:
    org, other = await college(runtime), await college(runtime)
    async with runtime.owner_sessions() as db:
        programme = Programme(org_id=org.id, academic_year=2026, regime="learners")
        db.add(programme)
        await db.flush()
        groups = {}
        for form, mentee in (("employer_student", "mentee"), ("student_student", "director")):
            group = MentoringGroup(
                org_id=org.id,
                id=uuid.uuid4(),
                programme_id=programme.id,
                form_code=form,
                kind_code="traditional",
                starts_on=date(2026, 9, 15),
                ends_on=date(2027, 5, 31),
                reasons=[],
            )
            db.add(group)
            await db.flush()
            db.add_all(
                GroupMember(org_id=org.id, group_id=group.id, person_id=org.persons[who], role=role)
                for who, role in (("mentor", "mentor"), (mentee, "mentee"))
            )
            groups[form] = group.id
        await db.commit()
    mentor, foreign = org.persons["mentor"], other.persons["mentor"]
    async with context(runtime, org) as ctx:
        everyone = await ctx.mentoring_pairs()
        employer = await ctx.mentoring_pairs(form_codes=["employer_student"])
        by_mentor = await ctx.mentoring_pairs(mentor_ids=[mentor])
        by_mentee = await ctx.mentoring_pairs(mentor_ids=[org.persons["mentee"]])
        named = await ctx.mentoring_pairs(group_ids=[groups["student_student"], uuid.uuid4()])
        people = await ctx.people([mentor, org.persons["curator"], foreign])
    assert {p.id for p in everyone} == set(groups.values())
    [pair] = employer
    assert (pair.form_title, pair.academic_year, pair.status_title) == (
        "Работодатель – студент",
        2026,
        "сформирована, ждёт приказа",
    )
    assert [m.full_name for m in pair.mentors] == ["Сидорова Галина Петровна"]
    assert [m.full_name for m in pair.mentees] == ["Новикова Нина Петровна"]
    assert {p.id for p in by_mentor} == set(groups.values())
    assert by_mentee == []
    assert [p.id for p in named] == [groups["student_student"]]
    assert [(p.full_name, p.active) for p in people] == [  # another college's person is left out
        ("Иванова Ирина Сергеевна", True),
        ("Сидорова Галина Петровна", True),
    ]
    async with context(runtime, org, "mentee") as ctx:  # a member sees their own pairs only
        own = await ctx.mentoring_pairs()
        with pytest.raises(Forbidden):
            await ctx.people([mentor])
    assert [p.id for p in own] == [groups["employer_student"]]
