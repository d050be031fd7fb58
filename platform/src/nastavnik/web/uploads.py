"""Files kept between an import's preview and its commit, in Redis, for half an hour.

A token is random and bound to a scope (which import, whose, where): it cannot be guessed, and
another person's token is simply not there. Taking an upload deletes it, so a commit runs once.
"""

from __future__ import annotations

import secrets

from nastavnik.runtime import Runtime
from nastavnik.tenancy import NotFound

UPLOAD_TTL = 30 * 60
MAX_NAME = 200


def _key(runtime: Runtime, scope: tuple[str, ...], token: str) -> str:
    return runtime.redis_key("import", *scope, token)


async def keep(runtime: Runtime, scope: tuple[str, ...], data: bytes, filename: str = "") -> str:
    token = secrets.token_urlsafe(24)
    stored = filename.encode()[:MAX_NAME].replace(b"\n", b" ") + b"\n" + data
    await runtime.redis.set(_key(runtime, scope, token), stored, ex=UPLOAD_TTL)
    return token


async def peek(runtime: Runtime, scope: tuple[str, ...], token: str) -> tuple[bytes, str]:
    """(content, file name) of an upload kept under ``scope``, left kept; NotFound otherwise."""
    if not token.replace("-", "").replace("_", "").isalnum():
        raise NotFound
    stored = await runtime.redis.get(_key(runtime, scope, token))
    if stored is None:
        raise NotFound
    filename, _, data = bytes(stored).partition(b"\n")
    return data, filename.decode(errors="replace")


async def take(runtime: Runtime, scope: tuple[str, ...], token: str) -> tuple[bytes, str]:
    """(content, file name) of an upload kept under ``scope``, once; NotFound otherwise."""
    if not token.replace("-", "").replace("_", "").isalnum():  # token_urlsafe's alphabet only
        raise NotFound
    key = _key(runtime, scope, token)
    stored = await runtime.redis.get(key)
    if stored is None:
        raise NotFound
    await runtime.redis.delete(key)
    filename, _, data = bytes(stored).partition(b"\n")
    return data, filename.decode(errors="replace")
