"""One-time passwords for people without an e-mail: generated, held encrypted for a short while, forgotten.

The curator prints them on the access sheet; Keycloak makes each person change theirs at the first
sign-in. They are never written to the database or a log: Redis holds each one sealed with AES-GCM
(a key derived from the deployment's secret key, the organisation, batch and person bound in as
associated data, so a value copied to another key does not open) and drops it after
``account_password_ttl`` seconds. After that the passwords can only be reset, not shown again.
"""

from __future__ import annotations

import base64
import os
import secrets
import string
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from nastavnik import clock
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings

# Nothing that reads two ways on paper: no 0/O/o, 1/l/I.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
LENGTH = 12
NONCE_BYTES = 12


def generate(length: int = LENGTH) -> str:
    """A random password with upper and lower case letters and a digit, whatever the realm's policy asks."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if (
            any(c in string.ascii_uppercase for c in password)
            and any(c in string.ascii_lowercase for c in password)
            and any(c in string.digits for c in password)
        ):
            return password


def _key(settings: Settings) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"nastavnik one-time passwords v1"
    ).derive(settings.secret_key.get_secret_value().encode())


def _bound(org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID) -> bytes:
    return f"{org_id}:{batch_id}:{person_id}".encode()


def seal(
    settings: Settings, org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID, password: str
) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_key(settings)).encrypt(nonce, password.encode(), _bound(org_id, batch_id, person_id))
    return base64.b64encode(nonce + sealed)


def unseal(
    settings: Settings, org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID, value: bytes
) -> str | None:
    """The password, or None if the value was not sealed for this person (or with another key)."""
    try:
        raw = base64.b64decode(value, validate=True)
        opened = AESGCM(_key(settings)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _bound(org_id, batch_id, person_id)
        )
    except (InvalidTag, ValueError):
        return None
    return opened.decode()


def _redis_key(runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID) -> str:
    return runtime.redis_key("accounts", "otp", str(org_id), str(batch_id), str(person_id))


async def keep(
    runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID, person_id: uuid.UUID, password: str
) -> datetime:
    """Hold the password until the access sheet may no longer show it; returns that moment."""
    ttl = runtime.settings.account_password_ttl
    sealed = seal(runtime.settings, org_id, batch_id, person_id, password)
    await runtime.redis.set(_redis_key(runtime, org_id, batch_id, person_id), sealed, ex=ttl)
    return clock.now() + timedelta(seconds=ttl)


async def held(
    runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of the people's passwords are still held (without opening them)."""
    if not person_ids:
        return set()
    async with runtime.redis.pipeline(transaction=False) as pipe:
        for person_id in person_ids:
            pipe.exists(_redis_key(runtime, org_id, batch_id, person_id))
        found = await pipe.execute()
    return {p for p, exists in zip(person_ids, found, strict=True) if exists}


async def fetch(
    runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The passwords still held, opened, by person."""
    if not person_ids:
        return {}
    values = await runtime.redis.mget([_redis_key(runtime, org_id, batch_id, p) for p in person_ids])
    opened = {}
    for person_id, value in zip(person_ids, values, strict=True):
        if value is not None:
            password = unseal(runtime.settings, org_id, batch_id, person_id, value)
            if password is not None:
                opened[person_id] = password
    return opened


async def forget(
    runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
) -> None:
    keys = [_redis_key(runtime, org_id, batch_id, p) for p in person_ids]
    if keys:
        await runtime.redis.delete(*keys)
