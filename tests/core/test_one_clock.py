"""One clock: every date rule uses the region's local date, never the server's.

The test regions are in Yekaterinburg time (UTC+5): at 23:30 UTC on 4 December it is already 04:30 on
5 December there, and at 19:30 UTC it is 00:30 on 5 December. A server in UTC still says 4 December in
both cases; the rules must not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import update

from nastavnik import clock
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.statistics.services import current_year_in
from nastavnik.models.reference import current_start_year
from nastavnik.runtime import Runtime
from tests.support.dates import TIMEZONE
from tests.support.http import client_for
from tests.support.programme import form_group, order_body
from tests.support.tenant import Named, add_mentee, add_mentor, new_tenant
from tests.support.world import World

LATE_EVENING_UTC = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 04:30 on 5 December in the region
REGION_HALF_PAST_MIDNIGHT = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)  # 00:30 on 5 December in the region


@pytest.mark.parametrize("instant", [LATE_EVENING_UTC, REGION_HALF_PAST_MIDNIGHT], ids=["23:30Z", "00:30+05"])
async def test_an_order_may_be_dated_the_region_s_today_but_not_its_tomorrow(
    runtime: Runtime, app: Litestar, world: World, instant: datetime
) -> None:
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, tenant, Named("Кузнецов", "Олег", "Игоревич"), capacity=1)
    mentee = await add_mentee(runtime, tenant, Named("Белов", "Павел", "Андреевич"))
    with clock.pinned(instant):
        assert instant.date() == date(2026, 12, 4)  # the server's (UTC) date
        assert clock.today_in(TIMEZONE) == date(2026, 12, 5)
        async with client_for(app, tenant.identities["curator"]) as curator:
            created = await curator.post(
                f"/api/o/{tenant.slug}/programmes", json={"academic_year": 2026, "regime": "pedagogues"}
            )
            assert created.status_code == 201, created.text
            base = f"/api/o/{tenant.slug}/programmes/{created.json()['id']}"
            term = {"starts_on": "2026-09-01", "ends_on": "2027-05-31"}
            group = await form_group(curator, tenant, created.json()["id"], mentor, mentee, **term)

            def order(number: str, issued_on: str) -> dict[str, Any]:
                return order_body(number, group["id"], kind="mentor_assignment", issued_on=issued_on)

            tomorrow = await curator.post(f"{base}/orders", json=order("7-к", "2026-12-06"))
            assert tomorrow.status_code == 422, tomorrow.text
            assert "дата приказа не может быть в будущем" in tomorrow.text
            today = await curator.post(f"{base}/orders", json=order("8-к", "2026-12-05"))
            assert today.status_code == 201, today.text
            assert today.json()["issued_on"] == "2026-12-05"


async def test_a_learner_comes_of_age_on_their_birthday_in_the_region(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    """Born on 5 December 2008, no legal representative's consent: a minor may not take part, an adult may.
    At 19:30 UTC on 4 December the learner is already 18 in the region (00:30 on their birthday)."""
    tenant = await new_tenant(runtime, world)
    learner = await add_mentee(
        runtime,
        tenant,
        Named("Юнусова", "Лейла"),
        kind="learner",
        birth_date=date(2008, 12, 5),
        class_name="11А",
    )
    async with runtime.owner_sessions() as db:
        await db.execute(
            update(MenteeProfile).where(MenteeProfile.person_id == learner).values(guardian_consent_on=None)
        )
        await db.commit()

    async def standing(instant: datetime) -> tuple[bool, str | None]:
        with clock.pinned(instant):
            async with client_for(app, tenant.identities["curator"]) as curator:
                response = await curator.get(f"/api/o/{tenant.slug}/bases/mentees")
        assert response.status_code == 200, response.text
        entry = next(m for m in response.json() if m["person_id"] == str(learner))
        return entry["may_take_part"], entry["reason"]

    # 23:30 on 4 December in the region: still 17.
    assert await standing(datetime(2026, 12, 4, 18, 30, tzinfo=UTC)) == (
        False,
        "нет согласия законного представителя",
    )
    # 00:30 on 5 December in the region, though the server's date is still the 4th: 18 today.
    assert await standing(REGION_HALF_PAST_MIDNIGHT) == (True, None)


def test_the_academic_year_turns_on_the_region_s_first_of_september() -> None:
    """31 August 20:00 UTC is 1 September 01:00 in Yekaterinburg: the new academic year there, the old one
    still in Moscow (23:00 on 31 August)."""
    with clock.pinned(datetime(2027, 8, 31, 18, 59, tzinfo=UTC)):
        assert current_start_year(TIMEZONE) == 2026
        assert current_year_in(TIMEZONE) == 2026
    with clock.pinned(datetime(2027, 8, 31, 20, 0, tzinfo=UTC)):
        assert clock.today_in(TIMEZONE) == date(2027, 9, 1)
        assert current_start_year(TIMEZONE) == 2027
        assert current_year_in(TIMEZONE) == 2027
        assert current_start_year("Europe/Moscow") == 2026
