"""``/metrics`` for Prometheus on the web port, and the requests' metrics (Litestar's Prometheus support).

Requests are counted and timed by the route's path template (``/api/o/{slug}/people``), never by the
address itself: a slug or an id in a label would be both unbounded and nobody's business. Addresses
that match no route are not counted at all (a scanner's noise), nor are the scrapes and the probes.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController, PrometheusMiddleware
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST

from nastavnik.metrics import ProcessMetrics, authorised
from nastavnik.settings import Settings

PATH = "/metrics"
# Web requests take milliseconds; a report's download or an import may take a minute.
REQUEST_BUCKETS: list[str | float] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]


def served(settings: Settings) -> bool:
    """Whether ``/metrics`` exists: ``metrics_enabled``, or unset, in development or with a token."""
    if settings.metrics_enabled is not None:
        return settings.metrics_enabled
    return not settings.is_production or settings.metrics_token is not None


class LeanPrometheusMiddleware(PrometheusMiddleware):
    """Litestar's Prometheus middleware, the same metrics with the same labels and values, cheaper per
    request: no ``Request`` object, no ``functools.wraps`` per request, and each label set's children of
    the four metrics looked up once and kept (the label sets are bounded: route templates × methods ×
    statuses; unmatched addresses never reach a route's middleware). Configurations this does not cover
    (extra labels, exemplars, excluded methods, the address as the label) take Litestar's way."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        self._lean = (
            config.group_path
            and not config.labels
            and not config.exemplars
            and not config.excluded_http_methods
        )
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._done: dict[tuple[str, str, int], tuple[Any, Any, Any | None]] = {}

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        # The order of Litestar's default labels (its metrics are created with these names, in this order).
        return {"method": method, "path": path, "status_code": status, "app_name": self._config.app_name}

    def _in_progress_child(self, method: str, path: str) -> Any:
        child = self._in_progress.get((method, path))
        if child is None:
            # Litestar's in-progress gauge is labelled with status 200 throughout.
            labels = self._labels(method, path, 200)
            child = self.requests_in_progress(labels).labels(*labels.values())
            self._in_progress[method, path] = child
        return child

    def _done_children(self, method: str, path: str, status: int) -> tuple[Any, Any, Any | None]:
        children = self._done.get((method, path, status))
        if children is None:
            labels = self._labels(method, path, status)
            values = [*labels.values()]
            errors = (
                self.requests_error_count(labels).labels(*values)
                if status >= HTTP_500_INTERNAL_SERVER_ERROR
                else None
            )
            children = (
                self.request_count(labels).labels(*values),
                self.request_time(labels).labels(*values),
                errors,
            )
            self._done[method, path, status] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._lean:
            await super().__call__(scope, receive, send)
            return
        method = scope["method"] if scope["type"] == ScopeType.HTTP else scope["type"]
        path = scope["path_template"]
        start = time.perf_counter()
        status = 200
        duration = 0.0

        async def timed_send(message: Message) -> None:
            nonlocal status, duration
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                duration = time.perf_counter() - start
            await send(message)

        in_progress = self._in_progress_child(method, path)
        in_progress.inc()
        try:
            await self.app(scope, receive, timed_send)
        finally:
            in_progress.dec()
            count, timing, errors = self._done_children(method, path, status)
            if errors is not None:
                errors.inc()
            count.inc()
            timing.observe(duration)


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        middleware_class=LeanPrometheusMiddleware,
        app_name="nastavnik",
        prefix="nastavnik",
        group_path=True,  # the label is the route's template, not the address
        buckets=REQUEST_BUCKETS,
        exclude=[f"^{PATH}$", "^/health/"],
        scopes={ScopeType.HTTP},
    )


class MetricsController(PrometheusController):
    """Litestar's Prometheus endpoint, behind the token and with the process's own figures besides the
    requests' (pools, queue, jobs: nastavnik.metrics)."""

    path = PATH
    include_in_schema = False

    @get(cache=False)
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        settings: Settings = request.app.state.runtime.settings
        if not authorised(request.headers.get("authorization"), settings.metrics_token):
            # Plain 401, not the pages' way (a redirect to the sign-in page): the client is a scraper.
            challenge = {"WWW-Authenticate": "Bearer"}
            return Response(b"unauthorized\n", status_code=401, media_type="text/plain", headers=challenge)
        metrics: ProcessMetrics = request.app.state.metrics
        await metrics.refresh()
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
