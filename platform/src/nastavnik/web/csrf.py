"""CSRF protection bound to the session; requests authenticated by a bearer token need none.

A token is a random nonce signed together with the session id (``nonce + HMAC(secret, nonce|id)``),
so it is good for one session only: a token of another session, or one taken before sign-in
(signing in gives the session a new id), is refused. Nothing is stored: the pages get the token
through ``csrf_input`` and the ``csrftoken`` cookie, reissued whenever the session id changed.

A request that brings no signed-in or pending session has nothing a forged request could use,
so it is not checked here: it is refused later for want of a sign-in (401), before its body is read.

A browser cannot attach an ``Authorization`` header to a cross-site request without a CORS
preflight, and such a request is authenticated by its token alone (never by the session),
so checking a CSRF token there would only break API clients. Nor does an API request that carries
no session cookie: it has no ambient authority for a forged form to borrow, and it must hear that it
is not signed in (401), not that its form is stale (403).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from nastavnik.web.session_middleware import new_session_id

TOKEN_COOKIE = "csrftoken"  # noqa: S105 - a cookie's name, not a secret
HEADER = "x-csrftoken"
FORM_FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORMS = frozenset({RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART})
NONCE_HEX = 32
MAC_HEX = 64


def _mac(key: bytes, nonce: str, session_id: str) -> str:
    return hmac.new(key, f"{nonce}|{session_id}".encode(), hashlib.sha256).hexdigest()


class SessionBoundCSRF:
    def __init__(self, app: ASGIApp, *, secret: str, session_cookie: str, secure: bool) -> None:
        self.app = app
        # A key of its own, so a CSRF token never doubles as any other signature made with the secret.
        self.key = hashlib.sha256(b"nastavnik-csrf|" + secret.encode()).digest()
        self.session_cookie = session_cookie
        self.secure = secure
        # The token cookie's attributes, as Litestar's Cookie writes them, joined once: the token is hex,
        # nothing to quote, and a page view that brings no valid token gets a new one (a SimpleCookie each).
        self.cookie_tail = "; Path=/; SameSite=lax" + ("; Secure" if secure else "")

    def issue(self, session_id: str) -> str:
        nonce = secrets.token_hex(NONCE_HEX // 2)
        return nonce + _mac(self.key, nonce, session_id)

    def valid(self, token: str, session_id: str) -> bool:
        if len(token) != NONCE_HEX + MAC_HEX or not token.isascii():
            return False
        nonce, mac = token[:NONCE_HEX], token[NONCE_HEX:]
        return hmac.compare_digest(mac, _mac(self.key, nonce, session_id))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or any(name == b"authorization" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        session_id = request.cookies.get(self.session_cookie) or ""
        if session_id == "null":  # what a cleared session leaves behind
            session_id = ""
        state = ScopeState.from_scope(scope)
        issued: str | None = None
        if request.method in SAFE_METHODS:
            cookie = request.cookies.get(TOKEN_COOKIE)
            if cookie and self.valid(cookie, session_id):
                state.csrf_token = cookie
            else:
                state.csrf_token = issued = self.issue(session_id)
        elif session_id and scope.get("session"):
            supplied = request.headers.get(HEADER)
            content_type, _ = request.content_type
            if not supplied and content_type in FORMS:
                supplied = (await request.form()).get(FORM_FIELD)
            if not isinstance(supplied, str) or not self.valid(supplied, session_id):
                raise PermissionDeniedException("CSRF token verification failed")
            state.csrf_token = supplied
        # else: no session behind the request, so nothing a forged request could use.

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = issued
                if (rotated := new_session_id(scope)) is not None:
                    token = self.issue(rotated)  # signed in just now: the old session's token is spent
                if token is not None:
                    header = f"{TOKEN_COOKIE}={token}{self.cookie_tail}"
                    MutableScopeHeaders.from_message(message).add("set-cookie", header)
            await send(message)

        await self.app(scope, receive, send_with_token)
