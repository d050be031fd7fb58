"""Every response carries the security headers; the pages run no inline script; /schema needs no CDN."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import uvicorn
from litestar import Litestar

from nastavnik.cli import web_server_config
from nastavnik.types import TemplateDir
from tests.support.http import client_for, loopback_socket
from tests.support.world import World


def assert_secure(response: httpx.Response, *, cacheable: bool = False) -> None:
    what = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert directives.get("script-src") == "script-src 'self'", what
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", what
    assert directives.get("object-src") == "object-src 'none'", what
    assert "unsafe-inline" not in policy, what
    assert "unsafe-eval" not in policy, what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin"), what
    assert headers.get("x-frame-options") == "DENY", what
    assert "server" not in headers, what
    if not cacheable:
        assert headers.get("cache-control") == "no-store", what


async def test_every_kind_of_response_carries_the_security_headers(app: Litestar, world: World) -> None:
    org = world.orgs["school_a"]
    async with client_for(app, org.identities["curator"]) as curator:
        page = await curator.get(f"/o/{org.slug}/people")
        api = await curator.get("/api/me")
        download = await curator.get(f"/api/o/{org.slug}/bases/export.xlsx")
        page_download = await curator.get(f"/o/{org.slug}/bases/export.xlsx")
        api_missing = await curator.get("/api/o/no-such-org/people")
        page_missing = await curator.get("/o/no-such-org/people")
        no_route = await curator.get("/no/such/address")
        wrong_method = await curator.http.delete("/health/live")
        no_csrf = await curator.http.post("/logout")
        invalid = await curator.post(f"/api/o/{org.slug}/people", json={"last_name": 5})
        health = await curator.get("/health/ready")
        schema_page = await curator.get("/schema")
        schema = await curator.get("/schema/openapi.json")
    async with client_for(app) as anonymous:
        redirect = await anonymous.get(f"/o/{org.slug}/people")
        unauthorised = await anonymous.get("/api/me")
        login = await anonymous.get("/login")
        static = await anonymous.get("/static/app.css")
        swagger = await anonymous.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert api.status_code == 200
    for response in (download, page_download):
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith("attachment")
    assert (api_missing.status_code, page_missing.status_code, no_route.status_code) == (404, 404, 404)
    assert wrong_method.status_code == 405
    assert no_csrf.status_code == 403
    assert invalid.status_code == 422
    assert health.status_code == 200
    assert (schema_page.status_code, schema.status_code) == (200, 200)
    assert (redirect.status_code, unauthorised.status_code, login.status_code) == (302, 401, 200)
    assert (static.status_code, swagger.status_code) == (200, 200)
    for response in (
        page,
        api,
        download,
        page_download,
        api_missing,
        page_missing,
        no_route,
        wrong_method,
        no_csrf,
        invalid,
        health,
        schema_page,
        schema,
        redirect,
        unauthorised,
        login,
    ):
        assert_secure(response)
    for response in (static, swagger):  # nothing personal: a browser may keep them
        assert_secure(response, cacheable=True)


async def test_the_api_description_is_served_from_the_package_without_inline_script(app: Litestar) -> None:
    async with client_for(app) as client:
        page = await client.get("/schema")
        swagger = await client.get("/schema/swagger")
        addresses = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assets = {url: await client.get(url) for url in addresses}
    assert page.text == swagger.text
    assert addresses
    for url in addresses:
        assert url.startswith("/"), url  # this site only: no CDN, no other host
        assert not url.startswith("//"), url
        assert assets[url].status_code == 200, url
    assert "http://" not in page.text
    assert "https://" not in page.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, flags=re.S)
    assert scripts
    assert all('src="' in attributes and not body.strip() for attributes, body in scripts)
    assert "<style" not in page.text
    assert (
        assets["/static/swagger-ui/swagger-ui-bundle.js"]
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert "SwaggerUIBundle" in assets["/static/openapi-ui.js"].text


INLINE_SCRIPT = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: address"),
    (re.compile(r"\sstyle\s*=|<style\b", re.I), "an inline style"),
]


def test_no_template_runs_inline_script_or_style(app: Litestar) -> None:
    """The Content-Security-Policy would block them: scripts and styles live in files under /static."""
    dirs: list[TemplateDir] = app.state.runtime.plugins.template_dirs()
    templates = [p for d in dirs for p in Path(d.path).rglob("*.html")]
    assert len(templates) > 20
    found = [
        f"{path}: {what}"
        for path in templates
        for pattern, what in INLINE_SCRIPT
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not found


async def test_the_web_server_sends_no_server_banner(app: Litestar) -> None:
    """Over real HTTP, through the same uvicorn configuration `nastavnik serve` and the demo use."""
    config = web_server_config(app, app.state.runtime.settings)
    config.lifespan = "off"
    server = uvicorn.Server(config)
    sock = loopback_socket()
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done()
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{sock.getsockname()[1]}/health/live")
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()
    assert response.status_code == 200
    assert "server" not in response.headers
    assert_secure(response)
