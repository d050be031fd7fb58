"""The realm's signing keys, cached.

Fetched once, then refreshed only when a token names a key we do not know, at most once
per ``min_interval`` and one refresh at a time; while the key server is down the cached
keys keep serving. A flood of tokens with random ``kid``s therefore costs at most one
fetch a minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import structlog
from jwcrypto import jwk

log = structlog.get_logger(__name__)


class KeySet:
    def __init__(
        self,
        jwks_url: str,
        http: httpx.AsyncClient,
        *,
        min_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_url = jwks_url
        self.http = http
        self.min_interval = min_interval
        self.clock = clock
        self.keys: dict[str, jwk.JWK] = {}
        self.fetches = 0
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> jwk.JWK | None:
        key = self.keys.get(kid)
        if key is not None:
            return key
        # Unknown kid: wait for a fetch already in flight (it may bring this very key) rather than
        # refusing a valid token during it; fetch only if none ran within the interval.
        async with self._lock:
            key = self.keys.get(kid)
            if key is None and self._may_fetch():
                await self.refresh()
                key = self.keys.get(kid)
        return key

    def _may_fetch(self) -> bool:
        return self._last_attempt is None or self.clock() - self._last_attempt >= self.min_interval

    async def refresh(self) -> None:
        self._last_attempt = self.clock()
        self.fetches += 1
        try:
            response = await self.http.get(self.jwks_url, timeout=3.0)
            response.raise_for_status()
            fresh: dict[str, jwk.JWK] = {}
            for data in response.json().get("keys", []):
                if data.get("kty") == "RSA" and data.get("use", "sig") == "sig" and data.get("kid"):
                    fresh[str(data["kid"])] = jwk.JWK(**data)
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            # Keep serving the keys we have: a blink of the key server must not sign everyone out.
            log.warning("could not refresh the realm's keys", url=self.jwks_url, error=str(exc)[:200])
            return
        if fresh:
            self.keys = fresh
