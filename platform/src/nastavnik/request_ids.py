"""Request ids: one per web request, in every log line the request causes and in the jobs it enqueues.

The id of the request under way lives in a context variable (and in structlog's context, so every log
line of the request carries ``request_id``). A job enqueued meanwhile carries it in its payload, beside
arq's own fields, not among the job's arguments: no job function's signature changes, and a worker of
an older version simply ignores it. The worker binds it, with the job's name and id, to its log lines
while the job runs (:func:`nastavnik.worker.build_worker`).
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

import structlog

HEADER = "x-request-id"
MAX_LENGTH = 128
# What a proxy or a client may hand us: UUIDs, hex, trace ids. Anything else (a newline that would forge
# a log line, a megabyte, non-ASCII) is replaced with an id of our own.
_SANE = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_LENGTH}}}", re.ASCII)
# The payload key the id travels under in an arq job (arq's own keys are one or two letters).
PAYLOAD_KEY = "nastavnik_request_id"

_current: ContextVar[str | None] = ContextVar("nastavnik_request_id", default=None)


def sane(value: str | None) -> str | None:
    """``value`` if it is a request id we may log and send back as it is, else None."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    """32 random hex digits (what ``uuid4().hex`` gave, without building a UUID per request)."""
    return os.urandom(16).hex()


def current() -> str | None:
    """The id of the request (or of the job's originating request) under way, if any."""
    return _current.get()


def enter(request_id: str) -> tuple[Token[str | None], Mapping[str, Token[Any]]]:
    """From here until :func:`leave`, ``request_id`` is on every log line and in every job enqueued; returns
    what :func:`leave` needs to undo it. Not a context manager: the web's middleware calls it on every
    request, and a generator per request cost more than the rest of it."""
    return _current.set(request_id), structlog.contextvars.bind_contextvars(request_id=request_id)


def leave(entered: tuple[Token[str | None], Mapping[str, Token[Any]]]) -> None:
    current, bound_vars = entered
    structlog.contextvars.reset_contextvars(**bound_vars)
    _current.reset(current)


def bind(request_id: str | None, **more: Any) -> None:
    """``request_id`` (and ``more``) on every log line and in every job enqueued for the rest of the current
    task: a worker's job runs in a task of its own, which ends with the job, so nothing is left to undo."""
    _current.set(request_id)
    structlog.contextvars.bind_contextvars(**_present(request_id=request_id, **more))


def _present(**values: Any) -> dict[str, Any]:
    """Only what is known: a cron job has no request, and its lines need no ``"request_id": null``."""
    return {key: value for key, value in values.items() if value is not None}


# --- jobs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobOrigin:
    """What the worker read from a job's payload besides its arguments."""

    name: str
    request_id: str | None


_origin: ContextVar[JobOrigin | None] = ContextVar("nastavnik_job_origin", default=None)


def serialize_job(data: dict[str, Any]) -> bytes:
    """arq's job serializer (pickle, as arq's default) that adds the current request id to the payload."""
    request_id = _current.get()
    if request_id is not None:
        data = {**data, PAYLOAD_KEY: request_id}
    return pickle.dumps(data)


def deserialize_job(raw: bytes) -> Any:
    """arq's job deserializer: notes the job's origin for :func:`job_origin`.

    arq runs each job in a task of its own and deserializes the payload in that task before it starts the
    job, so the note is the job's own; results (they carry ``s``) are no job's origin.
    """
    data = pickle.loads(raw)  # noqa: S301 - our own queue's payloads, as arq's default deserializer
    if isinstance(data, dict) and "f" in data and "s" not in data:
        _origin.set(JobOrigin(name=str(data["f"]), request_id=sane(data.get(PAYLOAD_KEY))))
    return data


def job_origin() -> JobOrigin | None:
    """The origin of the job whose payload this task deserialized last."""
    return _origin.get()
