"""Real servers the pooling suites start for themselves: PgBouncer in transaction pooling mode in front of
a PostgreSQL server, and a small primary with a streaming standby.

PgBouncer and PostgreSQL's server refuse to run as root: where the tests run as root (CI's container)
they run as the ``postgres`` user, in folders that user owns.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.support.tools import REQUIRE_ENV, require_tool, required

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
SERVICE_USER = "postgres"
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_service_user(command: Sequence[str]) -> list[str]:
    """``command`` run as the ``postgres`` user when we are root (servers refuse root), else as we are."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVICE_USER, "--", *command]
    return list(command)


@contextmanager
def service_folder(prefix: str) -> Iterator[Path]:
    """A scratch folder the server's user owns (and everyone may read: PgBouncer reads its files there)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVICE_USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until something listens on ``port`` (the server started), or fail with its log."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited ({process.returncode}):\n{log.read_text(errors='replace')}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class Bouncer:
    port: int

    def url_for(self, url: str) -> str:
        """``url`` (a server's) pointed at this PgBouncer: same roles and database."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)


@contextmanager
def pgbouncer(server_dsn: str, roles: Sequence[str], *, pool_size: int = 2) -> Iterator[Bouncer]:
    """PgBouncer in transaction pooling mode in front of the server of ``server_dsn``, for every database,
    admitting ``roles`` (trusted on loopback), with ``pool_size`` server connections per database and role:
    small, so that clients' transactions take turns on the same server connections."""
    binary = require_tool("pgbouncer", "/usr/sbin/pgbouncer")
    server = make_url(server_dsn)
    host = server.host or str(server.query.get("host", "127.0.0.1"))
    if host.startswith("/"):
        # The embedded PostgreSQL of a machine with nothing configured listens on a socket of its own user
        # only; PgBouncer runs as another user and clients reach it over TCP. CI uses a TCP server.
        message = "PgBouncer's tests need PostgreSQL over TCP (NASTAVNIK_TEST_DATABASE_URL)"
        if required():
            pytest.fail(f"{message}, and {REQUIRE_ENV} says CI must run them", pytrace=False)
        pytest.skip(message)
    port = free_port()
    with service_folder("nastavnik-pgbouncer-") as folder:
        userlist = folder / "userlist.txt"
        userlist.write_text("".join(f'"{role}" ""\n' for role in roles))
        config = folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={host} port={server.port or 5432}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {userlist}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\n"
            "min_pool_size = 0\n"
            "reserve_pool_size = 0\n"
            "max_client_conn = 500\n"
            # What the server's own pooling modes would reset is ours to keep clean: nothing is.
            "server_reset_query =\n"
        )
        for path in (userlist, config):
            path.chmod(0o644)
        log = folder / "pgbouncer.out"
        with log.open("wb") as out:
            command = [binary, str(config)]
            if os.geteuid() == 0:
                command = [binary, "-u", SERVICE_USER, str(config)]
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process, log)
            yield Bouncer(port)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class Replicated:
    """A primary and its streaming standby (superuser ``postgres``, trusted on loopback)."""

    primary_port: int
    standby_port: int

    def dsn(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_dsn(self) -> str:
        return self.dsn(self.primary_port)

    @property
    def standby_dsn(self) -> str:
        return self.dsn(self.standby_port)

    async def caught_up(self) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        primary = await asyncpg.connect(self.primary_dsn)
        standby = await asyncpg.connect(self.standby_dsn)
        try:
            target = await primary.fetchval("SELECT pg_current_wal_insert_lsn()")
            deadline = time.monotonic() + START_SECONDS
            while not await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target):
                if time.monotonic() > deadline:
                    raise RuntimeError("the standby does not catch up with the primary")
                await asyncio.sleep(0.02)
        finally:
            await primary.close()
            await standby.close()

    async def pause_replay(self) -> None:
        """Stop the standby applying the primary's changes (it still receives them)."""
        standby = await asyncpg.connect(self.standby_dsn)
        try:
            await standby.execute("SELECT pg_wal_replay_pause()")
            deadline = time.monotonic() + START_SECONDS
            while await standby.fetchval("SELECT pg_get_wal_replay_pause_state()") != "paused":
                if time.monotonic() > deadline:
                    raise RuntimeError("the standby's replay does not pause")
                await asyncio.sleep(0.02)
        finally:
            await standby.close()

    async def resume_replay(self) -> None:
        standby = await asyncpg.connect(self.standby_dsn)
        try:
            await standby.execute("SELECT pg_wal_replay_resume()")
        finally:
            await standby.close()
        await self.caught_up()


def _pg(name: str) -> str:
    return require_tool(name, str(POSTGRES_BIN / name))


def _run(command: Sequence[str]) -> None:
    done = subprocess.run(as_service_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def primary_with_standby() -> Iterator[Replicated]:
    """A fresh primary (``initdb``) and a streaming standby of it (``pg_basebackup -R``), both on loopback
    ports of their own, stopped and removed afterwards. Commits wait for the standby to have the WAL
    (``synchronous_standby_names = '*'``); :meth:`Replicated.caught_up` waits for it to apply it too."""
    pg_basebackup = _pg("pg_basebackup")  # first: skips (or fails in CI) where the server is missing
    initdb, pg_ctl = _pg("initdb"), _pg("pg_ctl")
    with service_folder("nastavnik-replica-") as folder:
        primary, standby = folder / "primary", folder / "standby"
        ports = free_port(), free_port()
        _run([initdb, "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{folder}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "synchronous_standby_names = '*'\n"
                "fsync = off\nfull_page_writes = off\nshared_buffers = 32MB\nmax_connections = 60\n"
            )
        started: list[Path] = []
        try:
            _run(
                [
                    pg_ctl,
                    "-D",
                    str(primary),
                    "-o",
                    f"-p {ports[0]}",
                    "-l",
                    str(folder / "primary.log"),
                    "-w",
                    "start",
                ]
            )
            started.append(primary)
            _run(
                [
                    pg_basebackup,
                    "-D",
                    str(standby),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ports[0]),
                    "-U",
                    "postgres",
                    "-R",
                    "-X",
                    "stream",
                ]
            )
            _run(
                [
                    pg_ctl,
                    "-D",
                    str(standby),
                    "-o",
                    f"-p {ports[1]}",
                    "-l",
                    str(folder / "standby.log"),
                    "-w",
                    "start",
                ]
            )
            started.append(standby)
            yield Replicated(*ports)
        finally:
            for data in reversed(started):
                subprocess.run(
                    as_service_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                    capture_output=True,
                    check=False,
                )
