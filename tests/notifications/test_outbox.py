"""The outbox: one row per key and organisation, only for active people with a login, read only by them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text, update

from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.domain.notifications.kinds import KINDS, placeholders
from nastavnik.domain.notifications.models import Notification
from nastavnik.domain.notifications.outbox import notify
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from tests.support.world import World

PARAMS = {
    "mentor_name": "Иванова А. П.",
    "mentee_name": "Петров И.",
    "order_number": "12",
    "order_date": "01.09.2026",
}


def _as(world: World, org: str, role: str) -> DbScope:
    return DbScope(identity_id=world.orgs[org].identities[role], org_id=world.orgs[org].id)


def test_every_kind_uses_only_its_own_parameters() -> None:
    assert set(KINDS) == {
        "questionnaire_unanswered",
        "plan_task_due",
        "plan_task_overdue",
        "roadmap_item_due",
        "pair_formed",
        "pair_completed",
        "pair_ended_early",
        "club_meeting_tomorrow",
        "stage_waiting",
        "account_created",
        "questionnaire_reminder",
    }
    for kind in KINDS.values():
        assert placeholders(kind.subject) | placeholders(kind.body) <= set(kind.params), kind.code


async def test_one_row_per_key_written_by_a_colleague_read_only_by_its_person(
    runtime: Runtime, world: World
) -> None:
    org = world.orgs["school_a"]
    key = f"test:{uuid.uuid4()}"
    async with scoped_session(runtime.app_sessions, _as(world, "school_a", "curator")) as db, db.begin():
        first = await notify(
            db, org_id=org.id, person_id=org.persons["mentor"], kind="pair_formed", params=PARAMS, key=key
        )
        again = await notify(
            db, org_id=org.id, person_id=org.persons["mentor"], kind="pair_formed", params=PARAMS, key=key
        )
        # The curator wrote it for the mentor but cannot read it back.
        assert await db.scalar(select(func.count()).where(Notification.dedup_key == key)) == 0
    assert (first, again) == (True, False)
    async with scoped_session(runtime.app_sessions, _as(world, "school_a", "mentor")) as db, db.begin():
        rows = (await db.execute(select(Notification).where(Notification.dedup_key == key))).scalars().all()
        assert [(r.kind, r.params["order_number"], r.email_state) for r in rows] == [
            ("pair_formed", "12", "pending")
        ]
        # Nor can a person mark another person's notification read (the mentee's own rows only).
    async with scoped_session(runtime.app_sessions, _as(world, "school_a", "mentee")) as db, db.begin():
        changed = await db.execute(
            update(Notification).where(Notification.dedup_key == key).values(read_at=func.now())
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    # Another organisation's member sees none of it.
    async with scoped_session(runtime.app_sessions, _as(world, "school_b", "curator")) as db, db.begin():
        assert (
            await db.scalar(text("SELECT count(*) FROM notification WHERE dedup_key = :k"), {"k": key}) == 0
        )


async def test_nothing_for_a_person_who_left_or_has_no_login(runtime: Runtime, world: World) -> None:
    org = world.orgs["school_a"]
    async with scoped_session(runtime.app_sessions, _as(world, "school_a", "curator")) as db, db.begin():
        without_login = Person(org_id=org.id, last_name="Без", first_name="Логина", category="pedagogue")
        db.add(without_login)
        await db.flush()
        written = await notify(
            db,
            org_id=org.id,
            person_id=without_login.id,
            kind="stage_waiting",
            params={"stage_title": "Этап"},
            key=f"test:{uuid.uuid4()}",
        )
        unknown = await notify(
            db,
            org_id=org.id,
            person_id=uuid.uuid4(),
            kind="stage_waiting",
            params={"stage_title": "Этап"},
            key=f"test:{uuid.uuid4()}",
        )
        await db.rollback()
    assert (written, unknown) == (False, False)
    with pytest.raises(ValueError, match="needs the parameters"):
        async with scoped_session(runtime.app_sessions, _as(world, "school_a", "curator")) as db:
            await notify(
                db, org_id=org.id, person_id=org.persons["mentor"], kind="pair_formed", params={}, key="k"
            )
