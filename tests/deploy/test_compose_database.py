"""The database side of deploy/compose.yaml, run for real outside containers.

A private PostgreSQL server started with the flags of deploy/postgres/start.sh and initialised by
deploy/postgres/initdb.sh; `nastavnik db upgrade` with the migrate service's environment, as the owner
that script creates (no superuser); PgBouncer with deploy/pgbouncer/ (its user list written by its
start.sh from the pgbouncer service's environment) admitting the four login roles with the passwords web
and worker are given, and refusing the owner. Only hosts, ports and folders differ from the containers.

PostgreSQL and PgBouncer refuse to run as root: where the tests run as root (CI) they run as the
``postgres`` user, in a folder that user owns.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from nastavnik.testing.services import Services
from tests.deploy.compose_file import COMPOSE, DEPLOY, ENV_EXAMPLE, environment, load, read_env_file
from tests.pooling.servers import free_port, wait_for_port
from tests.support.tools import require_tool

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
SERVICE_USER = "postgres"
DEADLINE = 60.0


def as_service_user(command: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
    prefix = ["env", *(f"{k}={v}" for k, v in (env or {}).items())]
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVICE_USER, "--", *prefix, *command]
    return [*prefix, *command]


def run(command: Sequence[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(as_service_user(command, env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def server_flags(archive: Path) -> list[str]:
    """The ``-c name=value`` settings deploy/postgres/start.sh starts PostgreSQL with."""
    script = (DEPLOY / "postgres" / "start.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    command = next(line for line in script.splitlines() if line.startswith("exec docker-entrypoint.sh"))
    words = shlex.split(command.replace("$ARCHIVE", str(archive)))
    flags = [words[i + 1] for i, word in enumerate(words) if word == "-c"]
    assert flags, "start.sh starts PostgreSQL without settings"
    return flags


@dataclass
class Installation:
    folder: Path
    port: int
    archive: Path
    compose: dict[str, Any]

    def service_env(self, name: str) -> dict[str, str]:
        return environment(self.compose["services"][name])

    def local(self, url: str) -> str:
        """A compose URL pointed at this test's server instead of the postgres service."""
        return url.replace("@postgres:5432/", f"@127.0.0.1:{self.port}/")


@pytest.fixture(scope="module")
def installation() -> Iterator[Installation]:
    initdb = require_tool("initdb", str(POSTGRES_BIN / "initdb"))
    pg_ctl = require_tool("pg_ctl", str(POSTGRES_BIN / "pg_ctl"))
    require_tool("psql", str(POSTGRES_BIN / "psql"))
    # .env as an operator makes it: every placeholder replaced by a random value.
    env = {
        k: secrets.token_hex(16) if v.startswith("change-me") else v
        for k, v in read_env_file(ENV_EXAMPLE).items()
    }
    compose, _ = load(COMPOSE.read_text(encoding="utf-8"), env)
    folder = Path(tempfile.mkdtemp(prefix="nastavnik-compose-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVICE_USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, archive, port = folder / "data", folder / "wal-archive", free_port()
    try:
        run(
            [
                initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ]
        )
        run(["mkdir", "-m", "700", str(archive)])
        options = ["-p", str(port), "-k", str(folder), "-c", "listen_addresses=127.0.0.1"]
        for flag in server_flags(archive):
            options += ["-c", flag]
        run(
            [
                pg_ctl,
                "-D",
                str(data),
                "-l",
                str(folder / "postgres.log"),
                "-w",
                "-o",
                shlex.join(options),
                "start",
            ]
        )
        postgres_env = environment(compose["services"]["postgres"])
        run(
            ["sh", str(DEPLOY / "postgres" / "initdb.sh")],
            {
                "PATH": f"{POSTGRES_BIN}:/usr/bin:/bin",
                "PGHOST": str(folder),
                "PGPORT": str(port),
                "POSTGRES_USER": postgres_env["POSTGRES_USER"],
                "OWNER_DB_PASSWORD": postgres_env["OWNER_DB_PASSWORD"],
                "KEYCLOAK_DB_PASSWORD": postgres_env["KEYCLOAK_DB_PASSWORD"],
            },
        )
        yield Installation(folder, port, archive, compose)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(as_service_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), check=False)
        shutil.rmtree(folder, ignore_errors=True)


async def superuser(inst: Installation) -> asyncpg.Connection:
    return await asyncpg.connect(host=str(inst.folder), port=inst.port, user="postgres", database="postgres")


async def test_initdb_makes_an_owner_without_superuser_powers(installation: Installation) -> None:
    conn = await superuser(installation)
    try:
        owner = await conn.fetchrow(
            "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = 'nastavnik_owner'"
        )
        databases = dict(await conn.fetch("SELECT datname, pg_get_userbyid(datdba) FROM pg_database"))
    finally:
        await conn.close()
    assert owner is not None
    assert tuple(owner) == (False, True)
    assert databases["nastavnik"] == "nastavnik_owner"
    assert databases["keycloak"] == "keycloak"
    # Keycloak's role logs in over TCP with its password (scram-sha-256), as Keycloak's JDBC URL will.
    password = installation.service_env("keycloak")["KC_DB_PASSWORD"]
    kc = await asyncpg.connect(
        host="127.0.0.1", port=installation.port, user="keycloak", password=password, database="keycloak"
    )
    await kc.close()
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host="127.0.0.1", port=installation.port, user="keycloak", password="wrong", database="keycloak"
        )


async def test_finished_wal_is_archived(installation: Installation) -> None:
    conn = await superuser(installation)
    try:
        assert await conn.fetchval("SHOW wal_level") == "replica"
        assert await conn.fetchval("SHOW archive_mode") == "on"
        await conn.execute("CREATE TABLE IF NOT EXISTS archived (n int); INSERT INTO archived VALUES (1)")
        segment = await conn.fetchval("SELECT pg_walfile_name(pg_current_wal_lsn())")
        await conn.execute("SELECT pg_switch_wal()")
        deadline = time.monotonic() + DEADLINE
        while not (installation.archive / segment).exists():
            failed = await conn.fetchval("SELECT failed_count FROM pg_stat_archiver")
            assert failed == 0, "archive_command failed (see the server's log)"
            assert time.monotonic() < deadline, f"{segment} never reached the archive"
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


def migrate(installation: Installation, redis_url: str) -> None:
    """`nastavnik db upgrade` with the migrate service's environment (its own server and Redis here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    env.update(installation.service_env("migrate"))
    env["NASTAVNIK_DATABASE_URL"] = installation.local(env["NASTAVNIK_DATABASE_URL"])
    env["NASTAVNIK_REDIS_URL"] = redis_url
    env["NASTAVNIK_REDIS_PREFIX"] = f"compose-test-{secrets.token_hex(4)}"
    done = subprocess.run(
        [sys.executable, "-m", "nastavnik.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def bouncer(installation: Installation) -> Iterator[int]:
    """PgBouncer started by deploy/pgbouncer/start.sh with deploy/pgbouncer/pgbouncer.ini."""
    binary = require_tool("pgbouncer", "/usr/sbin/pgbouncer")
    folder = installation.folder / "pgbouncer"
    run(["mkdir", "-p", str(folder)])
    port = free_port()
    ini = (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text(encoding="utf-8")
    ini = ini.replace("host=postgres port=5432", f"host=127.0.0.1 port={installation.port}")
    ini = re.sub(r"^listen_addr = .*$", "listen_addr = 127.0.0.1", ini, flags=re.MULTILINE)
    ini = re.sub(r"^listen_port = .*$", f"listen_port = {port}", ini, flags=re.MULTILINE)
    container_folder = "/tmp/pgbouncer"  # noqa: S108 - the container's tmpfs, replaced by our own folder
    ini = ini.replace(f"{container_folder}/", f"{folder}/")
    script = (DEPLOY / "pgbouncer" / "start.sh").read_text(encoding="utf-8")
    script = script.replace(container_folder, str(folder))
    script = script.replace(
        "exec pgbouncer /opt/nastavnik/pgbouncer/pgbouncer.ini", f"exec {binary} {folder}/pgbouncer.ini"
    )
    staged = installation.folder / "staged"
    staged.mkdir()
    (staged / "pgbouncer.ini").write_text(ini)
    (staged / "start.sh").write_text(script)
    run(["cp", str(staged / "pgbouncer.ini"), str(staged / "start.sh"), str(folder)])
    log = installation.folder / "pgbouncer.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            as_service_user(["sh", str(folder / "start.sh")], installation.service_env("pgbouncer")),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_migrated_by_the_owner_and_pooled_for_the_login_roles(
    installation: Installation, bouncer: int, services: Services
) -> None:
    migrate(installation, services.redis_url)
    web = installation.service_env("web")
    for kind in ("app", "auditor", "aggregator", "provisioner"):
        role = f"nastavnik_{kind}"
        password = web[f"NASTAVNIK_DB_{kind.upper()}_PASSWORD"]
        # As web and worker connect in transaction pooling mode: no statement cache.
        conn = await asyncpg.connect(
            host="127.0.0.1",
            port=bouncer,
            user=role,
            password=password,
            database="nastavnik",
            statement_cache_size=0,
        )
        try:
            assert await conn.fetchval("SELECT current_user") == role
            assert (
                await conn.fetchval(
                    "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
                )
                is False
            )
        finally:
            await conn.close()
    # PgBouncer answers the SCRAM exchange itself (a protocol-level refusal, not PostgreSQL's own).
    with pytest.raises(asyncpg.PostgresError, match="authentication failed"):
        await asyncpg.connect(
            host="127.0.0.1", port=bouncer, user="nastavnik_app", password="wrong", database="nastavnik"
        )
    # The owner is not in PgBouncer's list: migrations cannot go through it even by mistake.
    owner_password = installation.service_env("postgres")["OWNER_DB_PASSWORD"]
    with pytest.raises(asyncpg.PostgresError, match="authentication failed"):
        await asyncpg.connect(
            host="127.0.0.1",
            port=bouncer,
            user="nastavnik_owner",
            password=owner_password,
            database="nastavnik",
        )
