"""The signed-in session, kept server-side in Redis: who, since when, last seen, and what SSO admitted.

Timeouts are enforced here, in one place: a session idle for longer than the idle timeout,
or older than the absolute one, is cleared on its next request.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from litestar import Request

from nastavnik.settings import Settings
from nastavnik.web.session_middleware import rotate

IDENTITY = "identity_id"
LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
SSO = "sso"
ID_TOKEN = "id_token"  # noqa: S105 - a session key, not a secret
ORGANISATIONS = "organisations"
STAFF_ROLES = "staff_roles"
PLATFORM_ADMIN = "platform_admin"
# Written at most this often: a request refreshes "last seen" without a Redis write every time.
TOUCH_EVERY = 60


def has_session(request: Request[Any, Any, Any]) -> bool:
    # A cleared session is Litestar's Empty sentinel, not None: only a mapping is a session.
    return isinstance(request.scope.get("session"), dict)


def start(
    request: Request[Any, Any, Any],
    identity_id: uuid.UUID,
    *,
    sso: bool,
    id_token: str | None = None,
    organisations: Iterable[str] = (),
    staff_roles: Iterable[str] = (),
    platform_admin: bool = False,
) -> None:
    now = int(time.time())
    # A new login gets a fresh session under a new id: the anonymous one's data and id are discarded,
    # so an id planted in the browser before sign-in (session fixation) never becomes signed in.
    request.clear_session()
    rotate(request)
    request.set_session(
        {
            IDENTITY: str(identity_id),
            LOGIN_AT: now,
            SEEN_AT: now,
            SSO: sso,
            ID_TOKEN: id_token,
            ORGANISATIONS: sorted(organisations),
            STAFF_ROLES: sorted(staff_roles),
            PLATFORM_ADMIN: platform_admin,
        }
    )


def identity(request: Request[Any, Any, Any], settings: Settings) -> uuid.UUID | None:
    """The signed-in identity, or None; an expired session is cleared."""
    if not has_session(request):
        return None
    data = request.session
    raw = data.get(IDENTITY)
    if not raw:
        return None
    now = int(time.time())
    login_at, seen_at = int(data.get(LOGIN_AT, 0)), int(data.get(SEEN_AT, 0))
    if now - login_at >= settings.session_max_age or now - seen_at > settings.session_idle_timeout:
        request.clear_session()
        return None
    if now - seen_at >= TOUCH_EVERY:
        request.session[SEEN_AT] = now
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        request.clear_session()
        return None


def admitted(request: Request[Any, Any, Any]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(organisations, staff roles) the identity provider admitted at login; None for a development login."""
    if not has_session(request) or not request.session.get(SSO):
        return None
    return frozenset(request.session.get(ORGANISATIONS, [])), frozenset(request.session.get(STAFF_ROLES, []))


def platform_admin(request: Request[Any, Any, Any]) -> bool:
    """Whether the identity provider admitted the platform administrator's realm role at login."""
    return (
        has_session(request) and bool(request.session.get(SSO)) and bool(request.session.get(PLATFORM_ADMIN))
    )
