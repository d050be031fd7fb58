"""Enqueueing background jobs: the one module that talks to arq's queue on the web side."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from arq.connections import ArqRedis, RedisSettings, create_pool

from nastavnik.request_ids import serialize_job
from nastavnik.settings import Settings


def redis_settings(url: str) -> RedisSettings:
    """arq's connection settings from our Redis URL (TCP ``redis://`` or ``unix://`` socket)."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return RedisSettings(unix_socket_path=parsed.path)
    settings = RedisSettings.from_dsn(url)
    return settings


def queue_name(settings: Settings) -> str:
    return f"{settings.redis_prefix}:queue"


async def open_queue(settings: Settings) -> ArqRedis:
    if settings.redis_url is None:
        raise RuntimeError("redis_url is not resolved")
    # Jobs enqueued during a request carry its id to the worker's log lines (nastavnik.request_ids).
    return await create_pool(
        redis_settings(settings.redis_url),
        default_queue_name=queue_name(settings),
        job_serializer=serialize_job,
    )


async def enqueue(
    queue: ArqRedis, job_name: str, *args: Any, job_id: str | None = None, **kwargs: Any
) -> bool:
    """Enqueue ``job_name``; with ``job_id`` a duplicate of a queued or running job is dropped."""
    job = await queue.enqueue_job(job_name, *args, _job_id=job_id, **kwargs)
    return job is not None
