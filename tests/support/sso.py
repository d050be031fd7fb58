"""The platform trusting the development issuer: a runtime of its own, and a site served over real HTTP.

The issuer and the runtime are shared by the whole session: these helpers change copies of the runtime
and undo what they register with the issuer's realm.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from pydantic import SecretStr

from nastavnik.runtime import Runtime, sso_clients
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer
from tests.support.http import loopback_socket, serving

WEB_CLIENT = "nastavnik-web"
WEB_SECRET = "nastavnik-web-development-secret"
ADMIN_SECRET = "nastavnik-admin-development-secret"


def trusting(runtime: Runtime, issuer: Issuer, **settings: Any) -> Runtime:
    """A copy of ``runtime`` whose settings name ``issuer`` as the region's Keycloak (and ``settings``), with
    its token verifier and login client built for them."""
    assert runtime.http is not None, "the tests' runtime holds the platform's HTTP client"
    changed = runtime.settings.model_copy(update={"keycloak_url": issuer.base_url, **settings})
    return dataclasses.replace(runtime, settings=changed, **sso_clients(changed, runtime.http))


def provisioning(runtime: Runtime, issuer: Issuer) -> Runtime:
    """``runtime`` trusting ``issuer`` with the secrets of its web and service-account clients: the jobs that
    make Keycloak accounts (onboarding, staff appointments) run against the issuer's admin API."""
    return trusting(
        runtime,
        issuer,
        keycloak_admin_client_secret=SecretStr(ADMIN_SECRET),
        keycloak_client_secret=SecretStr(WEB_SECRET),
    )


@dataclass
class Site:
    url: str
    runtime: Runtime
    app: Litestar
    """The same platform in-process, for calls that need no browser."""


@asynccontextmanager
async def served_site(runtime: Runtime, issuer: Issuer, **settings: Any) -> AsyncIterator[Site]:
    """The platform trusting ``issuer``, served on a loopback port and registered with the realm's web client
    (its sign-in callback and sign-out address), as an administrator would for a new address; the
    registration is removed when the site stops."""
    sock = loopback_socket()
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web = issuer.realm.clients[WEB_CLIENT]
    callback, signed_out = f"{public_url}/auth/callback", f"{public_url}/login"
    web.redirect_uris.append(callback)
    web.post_logout_redirect_uris.append(signed_out)
    try:
        sso = trusting(runtime, issuer, public_url=public_url, **settings)
        async with serving(create_app(sso), sock) as url:
            yield Site(url, sso, create_app(sso))
    finally:
        web.redirect_uris.remove(callback)
        web.post_logout_redirect_uris.remove(signed_out)
