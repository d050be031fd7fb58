"""What each process connects as: the web app never as the owner; the provisioning jobs as a narrow role."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from nastavnik.cli import _runtime
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app
from tests.support.world import World

pytestmark = pytest.mark.isolation


def engines_held(runtime: Runtime) -> list[AsyncEngine]:
    """Every engine reachable from the runtime's attributes, directly or through a session factory."""
    found: list[AsyncEngine] = []
    for value in vars(runtime).values():
        engine = value.kw.get("bind") if isinstance(value, async_sessionmaker) else value
        if isinstance(engine, AsyncEngine) and all(engine is not e for e in found):
            found.append(engine)
    return found


async def test_the_web_runtime_holds_no_owner_connection(runtime: Runtime) -> None:
    """`nastavnik serve` builds its runtime like this: every engine it holds logs in as a narrow role."""
    async with _runtime(runtime.settings) as built:
        assert isinstance(built, Runtime)
        held = create_app(built).state.runtime
        engines = engines_held(held)
        names = []
        for engine in engines:
            async with engine.connect() as conn:
                names.append(await conn.scalar(text("SELECT current_user")))
        assert runtime.roles.owner not in names
        # The aggregator twice: its pool, and the unpooled connections of a regional recompute's shares.
        assert sorted(names) == sorted(
            [
                runtime.roles.app,
                runtime.roles.auditor,
                runtime.roles.aggregator,
                runtime.roles.aggregator,
                runtime.roles.provisioner,
            ]
        )
        assert held.owner is None
        with pytest.raises(RuntimeError, match="no owner connection"):
            held.owner_engine  # noqa: B018


async def test_the_check_finds_an_owner_engine(runtime: Runtime) -> None:
    """The control: the tests' own runtime (which seeds as the owner) is caught by the same look."""
    names = []
    for engine in engines_held(runtime):
        async with engine.connect() as conn:
            names.append(await conn.scalar(text("SELECT current_user")))
    assert runtime.roles.owner in names


async def test_the_provisioner_acts_in_its_jobs_organisation_only(runtime: Runtime, world: World) -> None:
    own, other = world.orgs["school_a"], world.orgs["school_b"]
    async with runtime.provisioner_session(own.id) as db:
        assert await db.scalar(text("SELECT count(*) FROM person")) > 0
        assert await db.scalar(text("SELECT count(DISTINCT org_id) FROM person")) == 1
        assert await db.scalar(text("SELECT count(*) FROM person WHERE org_id = :o"), {"o": other.id}) == 0
        assert await db.scalar(text("SELECT count(*) FROM organisation")) > 1  # the registry: read only
    async with runtime.provisioner_session(own.id) as db:
        with pytest.raises(DBAPIError, match="row-level security"):
            await db.execute(
                text(
                    "INSERT INTO person (org_id, id, last_name, first_name, category, status, version)"
                    " VALUES (:o, gen_random_uuid(), 'X', 'Y', 'staff', 'active', 1)"
                ),
                {"o": other.id},
            )
    for statement in (
        "UPDATE person SET last_name = 'X'",  # only the link to an account, never a name
        "UPDATE organisation SET status = 'inactive'",
        "SELECT count(*) FROM audit_log",
        "SELECT count(*) FROM journal_entry",
        "DELETE FROM person_role",
    ):
        async with runtime.provisioner_session(own.id) as db:
            with pytest.raises(ProgrammingError, match="permission denied"):
                await db.execute(text(statement))
    async with runtime.provisioner_sessions() as db:  # a transaction naming no organisation sees none
        assert await db.scalar(text("SELECT count(*) FROM person")) == 0
