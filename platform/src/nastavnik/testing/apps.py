"""The platform's app over a test run's runtime, with the plugins a test chooses."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from litestar import Litestar

from nastavnik.plugins import load_plugins
from nastavnik.runtime import Runtime
from nastavnik.web.app import create_app


def app_with(runtime: Runtime, plugins: Sequence[str] | None = None, **settings: object) -> Litestar:
    """The app over ``runtime``'s databases and Redis, serving the core and only the ``plugins`` named
    (``None``: the runtime's own plugins), with some settings overridden (``service_tenant_filter=False``).

    The database keeps every installed plugin's tables (the run migrated them all); the app routes,
    navigates and counts only for the plugins chosen, as a region that installed just those would."""
    if plugins is not None:
        runtime = dataclasses.replace(runtime, plugins=load_plugins(plugins))
    if settings:
        runtime = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=settings))
    return create_app(runtime)
