"""The layers every request passes, made cheap without changing what they do (docs/hot-path.md, «Litestar's
layers per request»): the sign-in guard without Litestar's copy of the handler per call, the response's
headers set in one pass, the requests' metrics without a ``Request`` and a wrapped ``send`` per request."""

from __future__ import annotations

import asyncio
import copy as copy_module
import uuid
from typing import Any

import pytest
from litestar import Litestar, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY

from nastavnik.web.metrics import LeanPrometheusMiddleware, prometheus_config
from nastavnik.web.request_id import RequestIdMiddleware
from nastavnik.web.security import (
    KNOWN_NEEDS,
    SECURITY_HEADERS,
    guard_without_copies,
    needs,
    security_headers,
    set_headers,
    signed_in_first,
    walk_needs,
)
from tests.support.http import client_for
from tests.support.world import World


def http_handlers(app: Litestar) -> list[tuple[str, HTTPRouteHandler]]:
    return [
        (route.path_format, handler)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler, _ in route.route_handler_map.values()
    ]


# --- the guard --------------------------------------------------------------------------------------------


def test_every_handler_guarded_by_the_sign_in_alone_checks_it_without_a_copy(app: Litestar) -> None:
    changed = 0
    for path, handler in http_handlers(app):
        if list(handler.resolve_guards()) != [signed_in_first]:
            assert "nastavnik_needs" not in dir(type(handler)), path
            continue
        changed += 1
        assert "nastavnik_needs" in vars(type(handler)), path
        assert isinstance(handler, type(handler).__mro__[1]), path  # a subclass of the handler's own class
        for dependency in KNOWN_NEEDS:
            # What the class knows is what walking the dependencies gives.
            assert needs(handler, dependency) == walk_needs(handler, dependency), (path, dependency)
    assert changed > 50
    people = [h for p, h in http_handlers(app) if p == "/api/o/{slug}/people" and "GET" in h.http_methods]
    assert len(people) == 1
    assert needs(people[0], "actor")
    assert needs(people[0], "org")
    health = [h for p, h in http_handlers(app) if p == "/health/live"]
    assert health
    assert not needs(health[0], "actor")


async def test_the_sign_in_is_still_checked_before_the_body_without_copying_the_handler(
    app: Litestar, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_copies(value: Any) -> Any:
        if isinstance(value, BaseRouteHandler):
            raise AssertionError("a route handler was copied for its guard")
        return copy_module.copy(value)

    monkeypatch.setattr("litestar.handlers.base.copy", no_copies)
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as curator:
        listed = await curator.get(f"/api/o/{org.slug}/people")
    async with client_for(app) as anonymous:
        refused = await anonymous.get(f"/api/o/{org.slug}/people")
        # Malformed JSON from a stranger: refused for want of a sign-in (401), its body never parsed (400).
        unread = await anonymous.http.post(
            f"/api/o/{org.slug}/people", content=b"{not json", headers={"content-type": "application/json"}
        )
        live = await anonymous.get("/health/live")
    assert listed.status_code == 200
    assert refused.status_code == 401
    assert unread.status_code == 401
    assert live.status_code == 200


async def test_a_handler_with_a_guard_of_its_own_keeps_every_guard() -> None:
    asked: list[str] = []

    async def own_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        asked.append(connection.url.path)
        raise PermissionDeniedException

    @get("/open", sync_to_thread=False)
    def open_handler() -> str:
        return "open"

    @get("/guarded", guards=[own_guard], sync_to_thread=False)
    def guarded_handler() -> str:
        return "guarded"

    app = Litestar([open_handler, guarded_handler], guards=[signed_in_first], openapi_config=None)
    guard_without_copies(app)
    kinds = {path: type(handler) for path, handler in http_handlers(app) if "GET" in handler.http_methods}
    assert "nastavnik_needs" in vars(kinds["/open"])
    assert "nastavnik_needs" not in dir(kinds["/guarded"])
    async with AsyncTestClient(app) as client:
        opened = await client.get("/open")
        guarded = await client.get("/guarded")
    assert opened.status_code == 200
    assert guarded.status_code == 403
    assert asked == ["/guarded"]


# --- the response's headers -------------------------------------------------------------------------------


def header_app() -> Any:
    handler_headers = {
        "Cache-Control": "max-age=60",
        "X-Frame-Options": "SAMEORIGIN",
        "Server": "leaky/1.0",
        "X-Request-ID": "set-by-the-handler",
        "X-Other": "kept",
    }

    @get("/api/thing", sync_to_thread=False)
    def thing() -> Response[str]:
        return Response("thing", headers=handler_headers)

    @get("/static/thing.css", sync_to_thread=False)
    def static_thing() -> Response[str]:
        return Response("body{}", media_type="text/css", headers=handler_headers)

    app = Litestar([thing, static_thing], before_send=[security_headers], openapi_config=None)
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler)
    return app


async def test_the_security_headers_and_the_request_id_are_set_once_whatever_the_handler_set() -> None:
    async with AsyncTestClient(header_app()) as client:
        api = await client.get("/api/thing", headers={"X-Request-ID": "from-the-proxy-1"})
        static = await client.get("/static/thing.css")
    for response in (api, static):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get_list(name) == [value], name
        assert "server" not in response.headers
        assert response.headers.get_list("x-other") == ["kept"]
        assert len(response.headers.get_list("x-request-id")) == 1
    assert api.headers.get_list("cache-control") == ["no-store"]
    assert static.headers.get_list("cache-control") == ["max-age=60"]  # static files may be cached
    assert api.headers["x-request-id"] == "from-the-proxy-1"
    assert static.headers["x-request-id"] != "set-by-the-handler"
    assert len(static.headers["x-request-id"]) == 32


def test_set_headers_drops_every_case_of_a_replaced_name_and_keeps_the_rest() -> None:
    message: dict[str, Any] = {
        "type": "http.response.start",
        "status": 200,
        "headers": ((b"X-Frame-Options", b"ALLOW"), (b"x-frame-options", b"SAMEORIGIN"), (b"x-kept", b"1")),
    }
    set_headers(message, frozenset({b"x-frame-options"}), ((b"x-frame-options", b"DENY"),))  # type: ignore[arg-type]
    assert message["headers"] == [(b"x-kept", b"1"), (b"x-frame-options", b"DENY")]
    bare: dict[str, Any] = {"type": "http.response.start", "status": 204}
    set_headers(bare, frozenset({b"server"}), ((b"x-a", b"b"),))  # type: ignore[arg-type]
    assert bare["headers"] == [(b"x-a", b"b")]


# --- the requests' metrics --------------------------------------------------------------------------------


def sample(name: str, path: str, status: int) -> float:
    labels = {"method": "GET", "path": path, "status_code": str(status), "app_name": "nastavnik"}
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_lean_metrics_count_time_errors_and_requests_in_progress() -> None:
    base = f"/lean-metrics-{uuid.uuid4().hex[:8]}"
    during: list[float] = []

    @get(f"{base}/fine", sync_to_thread=False)
    def fine() -> str:
        during.append(sample("nastavnik_requests_in_progress", f"{base}/fine", 200))
        return "fine"

    @get(f"{base}/broken", sync_to_thread=False)
    def broken() -> str:
        raise RuntimeError("broken")

    config = prometheus_config()
    assert config.middleware_class is LeanPrometheusMiddleware
    app = Litestar([fine, broken], middleware=[config.middleware], openapi_config=None, logging_config=None)
    async with AsyncTestClient(app) as client:
        assert (await client.get(f"{base}/fine")).status_code == 200
        assert (await client.get(f"{base}/fine")).status_code == 200
        assert (await client.get(f"{base}/broken")).status_code == 500
        await asyncio.sleep(0)
    assert during == [1.0, 1.0]  # in progress while the handler ran, and only itself
    fine_path, broken_path = f"{base}/fine", f"{base}/broken"
    assert sample("nastavnik_requests_total", fine_path, 200) == 2
    assert sample("nastavnik_request_duration_seconds_count", fine_path, 200) == 2
    assert sample("nastavnik_request_duration_seconds_sum", fine_path, 200) > 0
    assert sample("nastavnik_requests_error_total", fine_path, 200) == 0
    assert sample("nastavnik_requests_total", broken_path, 500) == 1
    assert sample("nastavnik_requests_error_total", broken_path, 500) == 1
    assert sample("nastavnik_requests_in_progress", fine_path, 200) == 0
    assert sample("nastavnik_requests_in_progress", broken_path, 200) == 0


def test_a_configuration_the_lean_way_does_not_cover_takes_litestars() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    assert LeanPrometheusMiddleware(app, prometheus_config())._lean
    with_labels = prometheus_config()
    with_labels.labels = {"instance": "a"}
    assert not LeanPrometheusMiddleware(app, with_labels)._lean
    by_address = prometheus_config()
    by_address.group_path = False
    assert not LeanPrometheusMiddleware(app, by_address)._lean
