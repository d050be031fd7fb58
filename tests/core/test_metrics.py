"""Prometheus metrics: requests by route template and status, pools, the queue, jobs; /metrics behind its token.

The metrics are the process's (prometheus_client's global registry) and other tests of the run count too,
so each test compares the figures before and after what it does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from arq.worker import Retry
from litestar import Litestar
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text

from nastavnik.jobs import enqueue, queue_name
from nastavnik.metrics import measured, serve_worker_metrics
from nastavnik.runtime import Runtime
from nastavnik.settings import Mode
from nastavnik.web.app import create_app
from tests.support.http import client_for, loopback_socket
from tests.support.processes import command_env
from tests.support.worker import run_queued_jobs
from tests.support.world import World

Labels = dict[str, str]
TEMPLATE = "/api/o/{slug}/people"


class Scrape:
    """One scrape's samples, looked up by name and labels."""

    def __init__(self, body: str) -> None:
        self.samples = [s for family in text_string_to_metric_families(body) for s in family.samples]

    def value(self, name: str, **labels: str) -> float:
        """The sample's value (0 when absent: a counter not yet incremented)."""
        found = [s.value for s in self.samples if s.name == name and labels.items() <= s.labels.items()]
        assert len(found) <= 1, f"{name}{labels} matches several samples: give more labels"
        return found[0] if found else 0.0

    def label_values(self, name: str, label: str) -> set[str]:
        return {s.labels[label] for s in self.samples if s.name == name and label in s.labels}


async def scrape(app: Litestar, **headers: str) -> Scrape:
    async with client_for(app) as client:
        response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return Scrape(response.text)


def request_labels(status: int) -> Labels:
    return {"method": "GET", "path": TEMPLATE, "status_code": str(status), "app_name": "nastavnik"}


async def test_requests_are_counted_and_timed_by_route_template_and_status(
    app: Litestar, world: World
) -> None:
    org = world.orgs["school_a"]
    before = await scrape(app)
    async with client_for(app, org.identities["curator"]) as curator:
        found = await curator.get(f"/api/o/{org.slug}/people")
        missing = await curator.get("/api/o/no-such-org/people")
        await curator.get("/health/live")
        await curator.get("/health/ready")
    assert found.status_code == 200
    assert missing.status_code == 404
    after = await scrape(app)

    for status in (200, 404):
        labels = request_labels(status)
        assert (
            after.value("nastavnik_requests_total", **labels)
            == before.value("nastavnik_requests_total", **labels) + 1
        ), status
        count = "nastavnik_request_duration_seconds_count"
        assert after.value(count, **labels) == before.value(count, **labels) + 1, status
        bucket = "nastavnik_request_duration_seconds_bucket"
        assert after.value(bucket, **labels, le="+Inf") == before.value(bucket, **labels, le="+Inf") + 1
        assert len([s for s in after.samples if s.name == bucket and labels.items() <= s.labels.items()]) > 5
    paths = after.label_values("nastavnik_requests_total", "path")
    assert TEMPLATE in paths
    # Templates only: no slug, no address; the scrapes and the probes are not counted at all.
    assert not any(org.slug in p or "no-such-org" in p for p in paths), paths
    assert not {"/metrics", "/health/live", "/health/ready"} & paths, paths


async def test_pools_are_shown_by_role(app: Litestar, runtime: Runtime) -> None:
    async with runtime.app_engine.connect() as held:
        await held.execute(text("SELECT 1"))
        while_held = await scrape(app)
    released = await scrape(app)
    assert while_held.value("nastavnik_db_pool_size", role="app") == runtime.settings.db_pool_size
    assert while_held.value("nastavnik_db_pool_checked_out", role="app") == 1
    assert released.value("nastavnik_db_pool_checked_out", role="app") == 0
    assert released.value("nastavnik_db_pool_checked_in", role="app") >= 1
    assert released.value("nastavnik_db_pool_overflow", role="app") == 0
    assert {"app", "auditor", "aggregator", "provisioner"} <= released.label_values(
        "nastavnik_db_pool_size", "role"
    )


async def test_the_queue_length_counts_waiting_and_due_jobs(app: Litestar, runtime: Runtime) -> None:
    assert runtime.queue is not None
    prefix = runtime.settings.redis_prefix
    due_id, deferred_id = (
        f"{prefix}:metrics-due-{uuid.uuid4().hex}",
        f"{prefix}:metrics-later-{uuid.uuid4().hex}",
    )
    before = await scrape(app)
    try:
        assert await enqueue(runtime.queue, "core.heartbeat", job_id=due_id)
        assert await enqueue(runtime.queue, "core.heartbeat", job_id=deferred_id, _defer_by=3600)
        after = await scrape(app)
    finally:  # taken out again, so no other test's worker runs them
        await runtime.redis.zrem(queue_name(runtime.settings), due_id, deferred_id)
        await runtime.redis.delete(f"arq:job:{due_id}", f"arq:job:{deferred_id}")
    assert after.value("nastavnik_job_queue_length") == before.value("nastavnik_job_queue_length") + 2
    assert after.value("nastavnik_job_queue_due") == before.value("nastavnik_job_queue_due") + 1


def with_settings(runtime: Runtime, **values: object) -> Runtime:
    return dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=values))


async def test_metrics_ask_for_the_token_when_one_is_set(runtime: Runtime) -> None:
    app = create_app(with_settings(runtime, metrics_token=SecretStr("s3cret-token-for-prometheus")))
    async with client_for(app) as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        basic = await client.get("/metrics", headers={"Authorization": "Basic s3cret-token-for-prometheus"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
        schema = await client.get("/schema/openapi.json")
    for refused in (without, wrong, basic):
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "nastavnik_" not in refused.text
    assert right.status_code == 200
    assert "nastavnik_requests_total" in right.text
    # Behind the same security headers as every response; no session, no CSRF cookie for a scraper.
    assert right.headers["cache-control"] == "no-store"
    assert right.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in right.headers
    assert "/metrics" not in schema.json()["paths"]


async def test_production_serves_metrics_only_with_a_token_or_when_enabled(runtime: Runtime) -> None:
    production = with_settings(runtime, mode=Mode.PRODUCTION)
    for settings, expected in (
        ({}, 404),
        ({"metrics_token": SecretStr("s3cret-token-for-prometheus")}, 401),
        ({"metrics_enabled": True}, 200),
    ):
        app = create_app(with_settings(production, **settings))
        async with client_for(app) as client:
            assert (await client.get("/metrics")).status_code == expected, settings
    development_off = create_app(with_settings(runtime, metrics_enabled=False))
    async with client_for(development_off) as client:
        assert (await client.get("/metrics")).status_code == 404


@asynccontextmanager
async def worker_metrics(runtime: Runtime, token: str) -> AsyncIterator[str]:
    sock = loopback_socket()
    port = sock.getsockname()[1]
    sock.close()  # a free port for the worker's own server
    settings = {"worker_metrics_port": port, "metrics_token": SecretStr(token), "host": "127.0.0.1"}
    stop = serve_worker_metrics(with_settings(runtime, **settings), asyncio.get_running_loop())
    assert stop is not None
    try:
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        stop()


async def test_the_worker_shows_its_jobs_durations_and_failures(runtime: Runtime) -> None:
    """A real arq worker runs a job that succeeds and one that fails; its own metrics server shows them."""
    assert runtime.queue is not None
    await run_queued_jobs(runtime, keep_result=0)  # what other tests left, so the figures below are ours
    token = "worker-token-for-prometheus"
    async with worker_metrics(runtime, token) as url, httpx.AsyncClient() as http:
        auth = {"Authorization": f"Bearer {token}"}
        before = Scrape((await http.get(url, headers=auth)).text)
        prefix = runtime.settings.redis_prefix
        assert await enqueue(
            runtime.queue, "core.heartbeat", job_id=f"{prefix}:metrics-ok-{uuid.uuid4().hex}"
        )
        # The heartbeat takes no argument: this run fails inside the job, with a TypeError.
        assert await enqueue(
            runtime.queue, "core.heartbeat", "unexpected", job_id=f"{prefix}:metrics-fail-{uuid.uuid4().hex}"
        )
        await run_queued_jobs(runtime, keep_result=0)
        response = await http.get(url, headers=auth)
        without = await http.get(url)
        wrong = await http.get(url, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 200
    assert without.status_code == wrong.status_code == 401
    assert "nastavnik_" not in without.text
    after = Scrape(response.text)
    job = {"job": "core.heartbeat"}
    for outcome in ("succeeded", "failed"):
        name = "nastavnik_jobs_total"
        assert after.value(name, **job, outcome=outcome) == before.value(name, **job, outcome=outcome) + 1
    count = "nastavnik_job_duration_seconds_count"
    assert after.value(count, **job) == before.value(count, **job) + 2
    bucket = "nastavnik_job_duration_seconds_bucket"
    assert after.value(bucket, **job, le="+Inf") == before.value(bucket, **job, le="+Inf") + 2
    # The worker's pools and the queue's length, read on the worker's loop for the scrape.
    assert after.value("nastavnik_db_pool_size", role="aggregator") == 2
    assert "nastavnik_job_queue_length" in {s.name for s in after.samples}


async def test_a_job_asking_to_run_again_counts_as_retried_not_failed() -> None:
    async def waits_for_keycloak(ctx: dict[str, object]) -> None:
        raise Retry(defer=60)

    def runs(outcome: str) -> float:
        labels = {"job": "test.waits_for_keycloak", "outcome": outcome}
        return REGISTRY.get_sample_value("nastavnik_jobs_total", labels) or 0.0

    before = {o: runs(o) for o in ("retried", "failed")}
    with pytest.raises(Retry):  # arq still sees the request to run again
        await measured("test.waits_for_keycloak", waits_for_keycloak)({})
    assert runs("retried") == before["retried"] + 1
    assert runs("failed") == before["failed"]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("nastavnik")), "worker", "--no-cron"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_nastavnik_worker_serves_its_metrics_on_the_port_it_is_given(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The command itself, as a container runs it: the port and the token from the environment, the
    metrics served until SIGTERM, then a clean exit."""
    sock = loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = command_env(
        runtime,
        worker_metrics_port=str(port),
        metrics_token="token-from-the-environment",
        log_format="json",
    )
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):  # until the worker has started (its runtime first), or it died
                assert worker.poll() is None, log.read_text()
                try:
                    refused = await http.get(url)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"the worker serves no metrics on {port}: {log.read_text()}")
            served = await http.get(url, headers={"Authorization": "Bearer token-from-the-environment"})
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    assert refused.status_code == 401
    assert served.status_code == 200
    body = Scrape(served.text)
    assert body.value("nastavnik_db_pool_size", role="provisioner") == 2
    assert "nastavnik_job_queue_length" in {sample.name for sample in body.samples}
    assert code == 0, log.read_text()
