"""A testing kit for the platform and its plugins (docs/plugins.md, "Testing your plugin").

Fixtures come from the kit's pytest plugin (``nastavnik.testing.pytest_plugin``, registered as a ``pytest11``
entry point, so pytest loads it wherever nastavnik is installed): ``services``, ``test_db``, ``runtime``
and ``app``, over a database and roles of the run's own, migrated with every installed plugin. The
functions here build the rest: ``app_with`` an app serving only chosen plugins; ``new_region`` and
``new_organisation`` a region and organisations of a test's own, with a signed-in person of each
programme role (``Tenant.signed_in(app, "mentor")``) and a regional staff member
(``FreshRegion.signed_in(app)``); ``assert_isolated`` runs a plugin's routes through the cross-tenant
isolation checks.

The kit needs the test tools of the development group (pytest, pytest-asyncio); the platform itself
does not depend on them, and nothing here but ``pytest_plugin`` imports pytest.
"""

from nastavnik.runtime import Runtime
from nastavnik.testing.apps import app_with
from nastavnik.testing.http import Client, asgi_transport, bearer_client, client_for, forge_session
from nastavnik.testing.isolation import (
    Body,
    MissingValue,
    Route,
    app_routes,
    assert_isolated,
    cross_tenant_problems,
    fill,
    plugin_routes,
    readable,
    send,
)
from nastavnik.testing.people import (
    STAFF,
    TIMEZONE,
    FreshRegion,
    Named,
    Tenant,
    new_organisation,
    new_region,
)
from nastavnik.testing.services import (
    REDIS_PREFIX,
    RUN,
    RunDatabase,
    Services,
    clean_redis,
    create_test_database,
    drop_test_database,
    migrated_runtime,
    run_services,
    settings_for,
)

__all__ = [
    "REDIS_PREFIX",
    "RUN",
    "STAFF",
    "TIMEZONE",
    "Body",
    "Client",
    "FreshRegion",
    "MissingValue",
    "Named",
    "Route",
    "RunDatabase",
    "Runtime",
    "Services",
    "Tenant",
    "app_routes",
    "app_with",
    "asgi_transport",
    "assert_isolated",
    "bearer_client",
    "clean_redis",
    "client_for",
    "create_test_database",
    "cross_tenant_problems",
    "drop_test_database",
    "fill",
    "forge_session",
    "migrated_runtime",
    "new_organisation",
    "new_region",
    "plugin_routes",
    "readable",
    "run_services",
    "send",
    "settings_for",
]
