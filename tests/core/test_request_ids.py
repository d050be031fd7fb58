"""Request ids: kept when sane, replaced when not, on every response, in the request's JSON log lines and in
the log lines of the jobs the request enqueued."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from litestar import Litestar, get

from nastavnik import request_ids
from nastavnik.jobs import enqueue
from nastavnik.logging import configure_logging
from nastavnik.runtime import Runtime
from nastavnik.settings import Mode, Settings
from nastavnik.web.app import create_app
from nastavnik.web.params import Rt
from nastavnik_dev.issuer.server import served
from tests.support.http import client_for, loopback_socket
from tests.support.worker import run_queued_jobs

HEADER = "X-Request-ID"
GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("path", ["/health/live", "/no/such/address", "/api/me"])
async def test_a_sane_request_id_is_echoed(app: Litestar, path: str) -> None:
    """Kept on a page, on an unknown address (no route: still answered with it) and on a refusal."""
    async with client_for(app) as client:
        response = await client.get(path, headers={HEADER: "ingress-7f3a.91:b_c"})
        other = await client.get(path, headers={HEADER: "3b4c5d6e-0000-4000-8000-123456789abc"})
    assert response.headers[HEADER] == "ingress-7f3a.91:b_c"
    assert other.headers[HEADER] == "3b4c5d6e-0000-4000-8000-123456789abc"


@pytest.mark.parametrize(
    "hostile",
    [
        b"a" * 129,  # longer than any id we keep
        b'abc\n{"level": "critical"}',  # a forged log line
        "идентификатор".encode(),  # not ASCII
        b"id with spaces",
        b"",
    ],
    ids=["long", "newline", "non-ascii", "spaces", "empty"],
)
async def test_a_hostile_request_id_is_replaced(app: Litestar, hostile: bytes) -> None:
    async with client_for(app) as client:
        response = await client.get("/health/live", headers=[(HEADER.encode(), hostile)])
    assert response.status_code == 200
    assert GENERATED.fullmatch(response.headers[HEADER]), response.headers[HEADER]


async def test_every_request_gets_an_id_of_its_own(app: Litestar) -> None:
    async with client_for(app) as client:
        first = await client.get("/health/live")
        second = await client.get("/health/live")
    assert GENERATED.fullmatch(first.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The test run's logging again after a test that configured the production's."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def records(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


async def test_the_request_id_follows_the_request_into_its_logs_and_its_jobs(
    runtime: Runtime, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over real HTTP: the request's lines (its handler's and the server's access line) and, once a real
    arq worker runs the job the request enqueued, the worker's lines of that job carry the request's id."""
    job_id = f"{runtime.settings.redis_prefix}:request-id-{uuid.uuid4().hex}"
    log = structlog.get_logger("nastavnik.test")

    @get("/test/enqueue-heartbeat", include_in_schema=False)
    async def enqueue_heartbeat(runtime: Rt) -> dict[str, bool]:
        assert runtime.queue is not None
        log.info("heartbeat asked for")
        return {"queued": await enqueue(runtime.queue, "core.heartbeat", job_id=job_id)}

    await run_queued_jobs(runtime, keep_result=0)  # what other tests left: the job below is the only one
    configure_logging(Settings(mode=Mode.PRODUCTION))  # JSON lines, on the stderr capsys reads
    app = create_app(runtime)
    app.register(enqueue_heartbeat)
    request_id = f"test-{uuid.uuid4().hex}"
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=True, lifespan="off"))
    sock = loopback_socket()
    async with served(server, sock):
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/test/enqueue-heartbeat"
        async with httpx.AsyncClient() as http:
            response = await http.get(url, headers={HEADER: request_id})
    assert response.json() == {"queued": True}
    assert response.headers[HEADER] == request_id
    captured = capsys.readouterr().err
    request_lines = records(captured)
    handler_line = next(r for r in request_lines if r["event"] == "heartbeat asked for")
    assert handler_line["request_id"] == request_id
    access = [r for r in request_lines if r.get("logger") == "uvicorn.access"]
    assert access
    assert all(r["request_id"] == request_id for r in access), access

    assert await run_queued_jobs(runtime, keep_result=0) == 1
    job_lines = [r for r in records(capsys.readouterr().err) if r.get("logger") == "arq.worker"]
    ours = [r for r in job_lines if job_id in r["event"]]
    assert len(ours) >= 2, job_lines  # arq's line as the job starts, and as it ends
    for line in ours:
        assert line["request_id"] == request_id, line
        assert line["job"] == "core.heartbeat", line
        assert line["job_id"] == job_id, line
    # Nothing of the request is left bound in this task once it has been answered.
    assert request_ids.current() is None
    assert "request_id" not in structlog.contextvars.get_contextvars()
