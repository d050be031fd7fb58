"""Page forms as a browser sends them, and the message a refused one shows beside a field."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support.http import Client

SITE = "http://testserver"


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<span class="field-error" id="e-{name}">([^<]*)</span>', html)
    return found.group(1) if found else ""


async def send_form(
    client: Client,
    action: str,
    data: dict[str, Any],
    *,
    page: str | None = None,
    follow_redirects: bool = True,
) -> httpx.Response:
    """``data`` posted to ``action`` from ``page`` (by default the action's own page): the referer is where
    a refused form comes back to."""
    referer = {"referer": f"{SITE}{action if page is None else page}"}
    return await client.post(action, data=data, headers=referer, follow_redirects=follow_redirects)
