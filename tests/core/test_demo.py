"""The demo: seeded data is idempotent and serves every level; `nastavnik demo` runs on a bare machine."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from nastavnik.demo.seed import seed_demo
from nastavnik.models import Identity, Organisation, Person, StaffAssignment
from nastavnik.web.app import create_app
from tests.conftest import Services, create_test_database, drop_test_database, migrated_runtime, settings_for
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
        assert staff == {"region", "municipality", "auditor"}
        app = create_app(runtime)
        async with client_for(app, shared) as client:
            me = (await client.get("/api/me")).json()
            switcher = (await client.get("/o/school-1/")).text
        assert {o["slug"] for o in me["organisations"]} == {"school-1", "gymnasium-2"}
        assert "Гимназия № 2" in switcher  # the organisation switcher
        async with client_for(app, region_id) as client:
            region = await client.get("/region")
        assert region.status_code == 200
        assert "Северный край" in region.text
    finally:
        await runtime.close()
        await drop_test_database(services, db)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(sys.platform != "linux", reason="embedded services are exercised on Linux")
def test_demo_command_on_a_machine_without_services() -> None:
    """The README's first command: embedded PostgreSQL and Redis, migrations, seed, web and worker."""
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="nastavnik-demo-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    env.update(
        {
            "NASTAVNIK_PORT": str(port),
            "NASTAVNIK_DATA_DIR": str(workdir / "data"),
            "NASTAVNIK_DEV_ISSUER_PORT": str(_free_port()),
        }
    )
    nastavnik = Path(sys.executable).with_name("nastavnik")
    process = subprocess.Popen(
        [str(nastavnik), "demo"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=5) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"the demo did not become ready:\n{output[-3000:]}")
                time.sleep(0.5)
            # Signing in goes through the development issuer's page, as with Keycloak.
            picker = client.get("/o/school-1/people", follow_redirects=True)
            assert picker.url.path.endswith("/protocol/openid-connect/auth"), picker.url
            hidden = dict(
                re.findall(
                    r'<input type="hidden" name="(\w+)" value="([^"]*)">', picker.text.split("<h2>")[1]
                )
            )
            curator = re.search(
                r'name="pick" value="([^"]+)"><button type="submit">Сидорова Галина \(СОШ № 1\)', picker.text
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
        assert people.status_code == 200
        assert "Сидорова" in people.text
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
