"""`nastavnik serve --workers N`: the command itself, as a real process, with N web processes on one port."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from nastavnik.cli import PROCESS_HEADER
from nastavnik.runtime import Runtime
from tests.support.http import loopback_socket
from tests.support.processes import command_env


def serve_env(runtime: Runtime, port: int) -> dict[str, str]:
    return command_env(runtime, host="127.0.0.1", port=str(port), db_pool_size="2", log_format="json")


def nastavnik(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("nastavnik")), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def free_port() -> int:
    sock = loopback_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


async def test_two_web_processes_answer_on_one_port_and_stop_cleanly_on_sigterm(
    runtime: Runtime, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    server = nastavnik("serve", "--workers", "2", env=serve_env(runtime, port), log=log)
    url = f"http://127.0.0.1:{port}/health/ready"
    answered_by: set[str] = set()
    statuses: set[int] = set()
    try:
        for _ in range(600):  # until both processes have started (each builds its runtime), or one died
            assert server.poll() is None, log.read_text()
            try:
                # A connection per request: the kernel hands each new one to either process.
                async with httpx.AsyncClient() as http:
                    ready = await http.get(url)
            except httpx.TransportError:
                await asyncio.sleep(0.1)
                continue
            statuses.add(ready.status_code)
            answered_by.add(ready.headers[PROCESS_HEADER])
            if len(answered_by) == 2:
                break
            await asyncio.sleep(0.02)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
    assert answered_by == {"1", "2"}, log.read_text()
    assert statuses == {200}
    assert code == 0, log.read_text()
    assert "web processes stopped" in log.read_text()


async def test_more_web_processes_refuse_the_worker_inside(runtime: Runtime, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    env = serve_env(runtime, free_port()) | {"NASTAVNIK_WEB_WORKERS": "2"}
    server = nastavnik("serve", "--with-worker", env=env, log=log)
    code = server.wait(timeout=60)
    assert code == 2, log.read_text()
    assert "--with-worker" in log.read_text()
