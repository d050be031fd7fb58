"""``/metrics`` for Prometheus on the web port, and the requests' metrics (Litestar's Prometheus support).

Requests are counted and timed by the route's path template (``/api/o/{slug}/people``), never by the
address itself: a slug or an id in a label would be both unbounded and nobody's business. Addresses
that match no route are not counted at all (a scanner's noise), nor are the scrapes and the probes.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
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


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
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
