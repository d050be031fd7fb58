"""The issuer's HTTP endpoints: OpenID Connect discovery, keys, authorization, tokens, userinfo, logout."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import time
from typing import Any, TypeAlias
from urllib.parse import urlencode

from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect

from nastavnik_dev.issuer.admin import ADMIN_HANDLERS
from nastavnik_dev.issuer.minting import token_response
from nastavnik_dev.issuer.realm import CODE_LIFESPAN, Client, Issuer, PendingCode, User

PKCE_MIN, PKCE_MAX = 43, 128

RealmIssuer: TypeAlias = NamedDependency[Issuer]
"""The issuer of the realm the path names (``realm_issuer``), as a handler asks for it."""


def oauth_error(error: str, description: str, status: int = 400) -> Response[dict[str, str]]:
    return Response({"error": error, "error_description": description}, status_code=status)


class UnknownRealm(LookupError):
    """The path names a realm this issuer does not serve."""


def realm_issuer(state: State, realm: FromPath[str]) -> Issuer:
    """The issuer of the realm the path names (every OpenID Connect endpoint's dependency ``issuer``)."""
    issuer: Issuer = state.issuer
    if realm != issuer.realm.name:
        raise UnknownRealm(realm)
    return issuer


def _unknown_realm(_: Request[Any, Any, Any], __: UnknownRealm) -> Response[dict[str, str]]:
    return Response({"error": "Realm does not exist"}, status_code=404)


@get("/realms/{realm:str}/.well-known/openid-configuration")
async def discovery(issuer: RealmIssuer) -> Any:
    return {
        "issuer": issuer.issuer,
        "authorization_endpoint": issuer.endpoint("auth"),
        "token_endpoint": issuer.endpoint("token"),
        "userinfo_endpoint": issuer.endpoint("userinfo"),
        "end_session_endpoint": issuer.endpoint("logout"),
        "jwks_uri": issuer.endpoint("certs"),
        "introspection_endpoint": issuer.endpoint("token/introspect"),
        "grant_types_supported": ["authorization_code", "password", "client_credentials", "refresh_token"],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "organization"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }


@get("/realms/{realm:str}/protocol/openid-connect/certs")
async def certs(issuer: RealmIssuer) -> Any:
    return issuer.realm.keys.jwks()


@get("/realms/{realm:str}")
async def realm_info(issuer: RealmIssuer) -> Any:
    return {
        "realm": issuer.realm.name,
        "public_key": issuer.realm.keys.public_pem_body(),
        "token-service": f"{issuer.issuer}/protocol/openid-connect",
        "account-service": f"{issuer.issuer}/account",
        "tokens-not-before": 0,
    }


def _auth_params(params: dict[str, str], issuer: Issuer) -> tuple[Client, dict[str, str]] | Response[Any]:
    """Validate an authorization request as Keycloak does.

    Errors found before the redirect URI is trusted are shown as pages, later ones go back to the client."""
    client = issuer.realm.clients.get(params.get("client_id", ""))
    if client is None or not client.standard_flow:
        return _page("Ошибка входа", "<p>Неизвестное приложение (client_id).</p>", 400)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        return _page("Ошибка входа", "<p>Недопустимый адрес возврата (redirect_uri).</p>", 400)
    if params.get("response_type") != "code":
        return _redirect_error(redirect_uri, params, "unsupported_response_type")
    method, challenge = params.get("code_challenge_method"), params.get("code_challenge", "")
    pkce_wanted = client.pkce_method == "S256" or challenge
    if pkce_wanted and (method != "S256" or not (PKCE_MIN <= len(challenge) <= PKCE_MAX)):
        return _redirect_error(
            redirect_uri, params, "invalid_request", "Missing parameter: code_challenge (S256)"
        )
    return client, params


def _redirect_error(redirect_uri: str, params: dict[str, str], error: str, description: str = "") -> Redirect:
    query = {"error": error, "error_description": description}
    if params.get("state"):
        query["state"] = params["state"]
    return Redirect(path=f"{redirect_uri}?{urlencode(query)}")


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    return Response(
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:24px auto;padding:0 16px}"
        "button{font:inherit;padding:8px 12px;margin:4px 0;min-height:40px}li{list-style:none}"
        ".note{color:#555}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
        media_type=MediaType.HTML,
    )


def _hidden(params: dict[str, str]) -> str:
    keep = (
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
    )
    return "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(params[k], quote=True)}">'
        for k in keep
        if k in params
    )


def _pick_label(user: User) -> str:
    """The person's name and, from the user's ``title`` attribute, what they do where:
    «Сидорова Галина Петровна — куратор, СОШ № 1» (the demo sets it; one value per organisation)."""
    titles = "; ".join(t for t in user.attributes.get("title", []) if t)
    return f"{user.display_name} — {titles}" if titles else user.display_name


@get("/realms/{realm:str}/protocol/openid-connect/auth")
async def authorize_page(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    checked = _auth_params(dict(request.query_params), issuer)
    if isinstance(checked, Response):
        return checked
    _, params = checked
    hidden = _hidden(params)
    people = sorted(
        (u for u in issuer.realm.users.values() if u.enabled and not u.service_account_client),
        key=lambda u: (u.display_name, _pick_label(u)),
    )
    picks = "".join(
        f'<li><form method="post">{hidden}<input type="hidden" name="pick" value="{html.escape(u.id)}">'
        f'<button type="submit">{html.escape(_pick_label(u))}</button></form></li>'
        for u in people
    )
    body = (
        '<p class="note">Сервер входа для разработки и демонстрации, совместимый с Keycloak. '
        "В рабочем режиме здесь единая учётная запись региона.</p>"
        f'<form method="post">{hidden}'
        '<p><label>Логин <input name="username" autocomplete="username"></label></p>'
        '<p><label>Пароль <input name="password" type="password" autocomplete="current-password"></label></p>'
        '<p><button type="submit">Войти</button></p></form>'
        f"<h2>Демонстрационные пользователи</h2><ul>{picks or '<li>Пользователей нет.</li>'}</ul>"
    )
    return _page("Вход в «Наставник»", body)


@post("/realms/{realm:str}/protocol/openid-connect/auth", status_code=200)
async def authorize(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    form = dict(await request.form())
    checked = _auth_params({k: str(v) for k, v in form.items()}, issuer)
    if isinstance(checked, Response):
        return checked
    client, params = checked
    if form.get("action_token"):  # the second step of a sign-in: the user's new password
        return _update_password(issuer, client, params, form)
    user: User | None
    if form.get("pick"):  # the demo's "pick a person": this issuer exists only in development
        user = issuer.realm.users.get(str(form["pick"]))
    else:
        user = issuer.realm.user_by_name(str(form.get("username", "")))
        if user is not None and not _password_ok(user, str(form.get("password", ""))):
            user = None
    if user is None or not user.enabled or user.service_account_client:
        return _page("Вход в «Наставник»", "<p>Неверный логин или пароль.</p>", 401)
    if "UPDATE_PASSWORD" in user.required_actions:
        # A temporary password: as Keycloak does, no code until the user has set their own.
        return _new_password_page(params, issuer.realm.new_action(user.id))
    return _issue_code(issuer, client, params, user)


def _new_password_page(params: dict[str, str], token: str, problem: str = "") -> Response[str]:
    hidden = (
        _hidden(params)
        + f'<input type="hidden" name="action_token" value="{html.escape(token, quote=True)}">'
    )
    body = (
        (f'<p role="alert"><strong>{html.escape(problem)}</strong></p>' if problem else "")
        + "<p>Вы вошли с временным паролем. Придумайте новый пароль, чтобы продолжить.</p>"
        f'<form method="post">{hidden}'
        '<p><label>Новый пароль <input name="password_new" type="password" autocomplete="new-password">'
        "</label></p>"
        '<p><label>Повторите пароль <input name="password_confirm" type="password"'
        ' autocomplete="new-password"></label></p>'
        '<p><button type="submit">Сохранить и войти</button></p></form>'
    )
    return _page("Смена пароля", body)


def _update_password(issuer: Issuer, client: Client, params: dict[str, str], form: dict[str, Any]) -> Any:
    """Set the new password of a sign-in waiting for it; the action token is single use."""
    token = str(form.get("action_token", ""))
    pending = issuer.realm.actions.get(token)
    user = issuer.realm.users.get(pending.user_id) if pending else None
    if pending is None or pending.expires_at < time.monotonic() or user is None or not user.enabled:
        issuer.realm.actions.pop(token, None)
        return _page("Смена пароля", "<p>Время на смену пароля истекло. Войдите заново.</p>", 400)
    new, confirm = str(form.get("password_new", "")), str(form.get("password_confirm", ""))
    if not new:
        return _new_password_page(params, token, "Введите новый пароль.")
    if new != confirm:
        return _new_password_page(params, token, "Пароли не совпадают.")
    del issuer.realm.actions[token]
    user.password = new
    user.required_actions = [a for a in user.required_actions if a != "UPDATE_PASSWORD"]
    return _issue_code(issuer, client, params, user)


def _issue_code(issuer: Issuer, client: Client, params: dict[str, str], user: User) -> Redirect:
    session_id = issuer.realm.new_session(user.id)
    code = issuer.realm.new_code(
        PendingCode(
            client_id=client.client_id,
            user_id=user.id,
            redirect_uri=params["redirect_uri"],
            code_challenge=params.get("code_challenge", ""),
            nonce=params.get("nonce"),
            scope=params.get("scope", "openid"),
            session_id=session_id,
            expires_at=time.monotonic() + CODE_LIFESPAN,
        )
    )
    query = {"code": code, "session_state": session_id, "iss": issuer.issuer}
    if params.get("state"):
        query["state"] = params["state"]
    return Redirect(path=f"{params['redirect_uri']}?{urlencode(query)}")


def _client_auth(request: Request[Any, Any, Any], form: dict[str, str], issuer: Issuer) -> Client | None:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
    client = issuer.realm.clients.get(client_id or "")
    if client is None or client.bearer_only:
        return None
    if client.public:
        return client
    if not client.secret or not secret or not _same(client.secret, secret):
        return None
    return client


def _same(a: str, b: str) -> bool:
    """Constant-time comparison; on bytes, because compare_digest refuses non-ASCII strings."""
    return hmac.compare_digest(a.encode(), b.encode())


def _password_ok(user: User, password: str) -> bool:
    return bool(user.password) and _same(str(user.password), password)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@post("/realms/{realm:str}/protocol/openid-connect/token", status_code=200)
async def token(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    form = {k: str(v) for k, v in (await request.form()).items()}
    client = _client_auth(request, form, issuer)
    if client is None:
        return oauth_error("invalid_client", "Invalid client or Invalid client credentials", 401)
    grant = form.get("grant_type")
    realm_state = issuer.realm
    if grant == "authorization_code":
        pending = realm_state.codes.pop(form.get("code", ""), None)  # single use: gone on first try
        if pending is None or pending.client_id != client.client_id or pending.expires_at < time.monotonic():
            return oauth_error("invalid_grant", "Code not valid")
        if form.get("redirect_uri") != pending.redirect_uri:
            return oauth_error("invalid_grant", "Incorrect redirect_uri")
        if pending.code_challenge or client.pkce_method:
            verifier = form.get("code_verifier", "")
            if not verifier:
                return oauth_error("invalid_grant", "PKCE code verifier not specified")
            if not _same(_s256(verifier), pending.code_challenge):
                return oauth_error("invalid_grant", "PKCE verification failed: Invalid code verifier")
        user = realm_state.users.get(pending.user_id)
        if user is None or not user.enabled:
            return oauth_error("invalid_grant", "User disabled")
        return token_response(
            realm_state, issuer.issuer, client, user, pending.session_id, pending.scope, pending.nonce
        )
    if grant == "password":
        if not client.direct_access:
            return oauth_error("unauthorized_client", "Client not allowed for direct access grants")
        user = realm_state.user_by_name(form.get("username", ""))
        password = form.get("password", "")
        if user is None or not user.enabled or not _password_ok(user, password):
            return oauth_error("invalid_grant", "Invalid user credentials", 401)
        if user.required_actions:  # e.g. a temporary password: Keycloak wants the browser flow first
            return oauth_error("invalid_grant", "Account is not fully set up")
        session_id = realm_state.new_session(user.id)
        return token_response(
            realm_state, issuer.issuer, client, user, session_id, form.get("scope", "openid")
        )
    if grant == "client_credentials":
        account = next(
            (u for u in realm_state.users.values() if u.service_account_client == client.client_id), None
        )
        if not client.service_account or account is None:
            return oauth_error("unauthorized_client", "Client not enabled to retrieve service account")
        session_id = realm_state.new_session(account.id)
        return token_response(
            realm_state, issuer.issuer, client, account, session_id, form.get("scope", "profile")
        )
    if grant == "refresh_token":
        try:
            claims = issuer.verify(form.get("refresh_token", ""), typ="Refresh")
        except ValueError:
            return oauth_error("invalid_grant", "Invalid refresh token")
        user = realm_state.users.get(claims["sub"])
        if (
            claims.get("azp") != client.client_id
            or claims.get("sid") not in realm_state.sessions
            or user is None
            or not user.enabled
        ):
            return oauth_error("invalid_grant", "Session not active")
        return token_response(
            realm_state, issuer.issuer, client, user, claims["sid"], claims.get("scope", "openid")
        )
    return oauth_error("unsupported_grant_type", "Unsupported grant_type")


def _bearer(request: Request[Any, Any, Any], issuer: Issuer) -> dict[str, Any] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    try:
        claims = issuer.verify(header[7:])
    except ValueError:
        return None
    if claims.get("sid") not in issuer.realm.sessions:
        return None
    return claims


@get("/realms/{realm:str}/protocol/openid-connect/userinfo")
async def userinfo(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    claims = _bearer(request, issuer)
    if claims is None:
        return oauth_error("invalid_token", "Token verification failed", 401)
    keep = ("sub", "name", "given_name", "family_name", "preferred_username", "email", "organization")
    return {k: claims[k] for k in keep if k in claims}


async def _logout(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    session_id = None
    if params.get("refresh_token"):  # python-keycloak's logout: the client posts its refresh token
        try:
            session_id = issuer.verify(params["refresh_token"], typ="Refresh").get("sid")
        except ValueError:
            return oauth_error("invalid_grant", "Invalid refresh token")
    elif params.get("id_token_hint"):
        try:
            session_id = issuer.verify(params["id_token_hint"], typ="ID").get("sid")
        except ValueError:
            return _page("Выход", "<p>Неверный параметр id_token_hint.</p>", 400)
    if session_id:
        issuer.realm.sessions.pop(session_id, None)
    target = params.get("post_logout_redirect_uri")
    if target:
        client = issuer.realm.clients.get(params.get("client_id", ""))
        allowed = {u for c in issuer.realm.clients.values() for u in c.post_logout_redirect_uris}
        if (client and target not in client.post_logout_redirect_uris) or target not in allowed:
            return _page("Выход", "<p>Недопустимый адрес возврата после выхода.</p>", 400)
        return Redirect(path=target)
    if request.method == "POST":
        return Response(None, status_code=204)
    return _page("Выход", "<p>Вы вышли из системы.</p>")


@get("/realms/{realm:str}/protocol/openid-connect/logout")
async def logout_get(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    return await _logout(request, issuer)


@post("/realms/{realm:str}/protocol/openid-connect/logout", status_code=200)
async def logout_post(request: Request[Any, Any, Any], issuer: RealmIssuer) -> Any:
    return await _logout(request, issuer)


OIDC_HANDLERS = [
    discovery,
    certs,
    realm_info,
    authorize_page,
    authorize,
    token,
    userinfo,
    logout_get,
    logout_post,
]


def create_issuer_app(issuer: Issuer) -> Litestar:
    """The issuer's OpenID Connect endpoints and its admin API, serving ``issuer``."""
    app = Litestar(
        route_handlers=[*OIDC_HANDLERS, *ADMIN_HANDLERS],
        dependencies={"issuer": Provide(realm_issuer, sync_to_thread=False)},
        exception_handlers={UnknownRealm: _unknown_realm},
        openapi_config=None,
        logging_config=None,
    )
    app.state.issuer = issuer
    return app
