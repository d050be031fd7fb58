"""The one-click unsubscribe token: signed with the application's secret, naming person, organisation and
kind, so the link works without signing in and cannot be forged or pointed at somebody else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass

from nastavnik.domain.notifications.kinds import KINDS

ALL_KINDS = "*"
"""A digest's link: every kind's e-mail off (a digest gathers several kinds)."""
_PURPOSE = b"nastavnik.notifications.unsubscribe\x00"
_MAX_TOKEN = 400


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    org_id: uuid.UUID
    person_id: uuid.UUID
    kind: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), _PURPOSE + payload.encode(), hashlib.sha256).digest())


def make_token(secret: str, target: Unsubscribe) -> str:
    payload = _b64(
        json.dumps([str(target.org_id), str(target.person_id), target.kind], separators=(",", ":")).encode()
    )
    return f"{payload}.{_signature(secret, payload)}"


def read_token(secret: str, token: str) -> Unsubscribe | None:
    """The target of a genuine token; None for anything else (forged, truncated, garbage)."""
    if len(token) > _MAX_TOKEN or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        org, person, kind = json.loads(_unb64(payload))
        target = Unsubscribe(uuid.UUID(org), uuid.UUID(person), str(kind))
    except (ValueError, TypeError):
        return None
    return target if target.kind in KINDS or target.kind == ALL_KINDS else None
