"""deploy/compose.yaml: valid under the Compose Specification, and true to how the platform must run.

The Compose Specification's JSON schema is the one the npm package dclint ships (schemas/
compose.schema.json, kept in step with compose-spec/compose-spec); .ci/run installs the pinned package.
Without it the schema test skips on a developer's machine and fails in CI (tests/support/tools.py).
"""

from __future__ import annotations

import configparser
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator

from nastavnik.cli import REGION_OPTIONS
from nastavnik.settings import Settings
from tests.deploy.compose_file import (
    COMPOSE,
    DEPLOY,
    ENV_EXAMPLE,
    MissingVariable,
    environment,
    load,
    load_raw,
    read_env_file,
)
from tests.support.tools import require_tool

APP_SERVICES = ("migrate", "web", "worker")
POOLED = ("web", "worker")
APP_UID = 10001


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def compose(env: dict[str, str]) -> dict[str, Any]:
    document, _ = load(COMPOSE.read_text(encoding="utf-8"), env)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def compose_schema() -> dict[str, Any]:
    dclint = require_tool("dclint", os.path.expanduser("~/.local/bin/dclint"))
    package = Path(os.path.realpath(dclint)).parent
    while not (package / "package.json").is_file():
        if package == package.parent:
            pytest.fail(f"no package.json above {dclint}")
        package = package.parent
    schema = json.loads((package / "schemas" / "compose.schema.json").read_text(encoding="utf-8"))
    assert schema.get("title") == "Compose Specification", (
        "dclint's schema is not the Compose Specification's"
    )
    return dict(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(compose_schema())
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


# --- The Compose Specification -----------------------------------------------------------------------


def test_compose_file_is_valid_under_the_compose_specification(compose: dict[str, Any]) -> None:
    assert schema_errors(compose) == []


def test_the_validator_rejects_a_broken_compose_file(compose: dict[str, Any]) -> None:
    # A misspelt key (Compose's is restart), a wrong type and an unknown condition: each must be caught,
    # or the test above proves nothing.
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["restart_policy"] = "always"
    broken["services"]["worker"]["read_only"] = ["yes"]
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_finished"
    errors = schema_errors(broken)
    assert any("restart_policy" in e for e in errors), errors
    assert any(e.startswith("services/worker/read_only") for e in errors), errors
    assert any("depends_on" in e for e in errors), errors


def test_no_obsolete_version_key() -> None:
    assert "version" not in load_raw(COMPOSE.read_text(encoding="utf-8"))


# --- Variables and settings --------------------------------------------------------------------------


def test_every_variable_is_documented_in_the_env_example(env: dict[str, str]) -> None:
    _, referenced = load(COMPOSE.read_text(encoding="utf-8"), env)
    assert sorted(referenced - env.keys()) == [], "referenced by compose.yaml, missing from .env.example"
    assert sorted(env.keys() - referenced) == [], "in .env.example, but compose.yaml never reads it"


def test_required_variables_are_enforced() -> None:
    # Without the secret key Compose must refuse to start rather than run with an empty one.
    env = read_env_file(ENV_EXAMPLE)
    del env["NASTAVNIK_SECRET_KEY"]
    with pytest.raises(MissingVariable, match="NASTAVNIK_SECRET_KEY"):
        load(COMPOSE.read_text(encoding="utf-8"), env)


def test_example_secrets_are_placeholders(env: dict[str, str]) -> None:
    # Whoever copies the example must replace every secret: none may look like a usable value.
    secrets = [k for k in env if re.search(r"PASSWORD|SECRET|TOKEN", k)]
    assert len(secrets) >= 12
    assert all(env[k].startswith("change-me") for k in secrets), [
        k for k in secrets if "change-me" not in env[k]
    ]


def test_the_platform_is_given_only_real_settings(services: dict[str, dict[str, Any]]) -> None:
    known = set(Settings.model_fields)
    for name in APP_SERVICES:
        for variable in environment(services[name]):
            assert variable.startswith("NASTAVNIK_"), f"{name}: {variable} is no setting of the platform"
            assert variable.removeprefix("NASTAVNIK_").lower() in known, (
                f"{name}: {variable} is not a setting"
            )


def test_the_settings_of_the_example_pass_the_production_check(services: dict[str, dict[str, Any]]) -> None:
    # The values compose gives web (after the operator's .env): what Settings reads and check() allows,
    # apart from the placeholder secret key.
    values = {
        k.removeprefix("NASTAVNIK_").lower(): v
        for k, v in environment(services["web"]).items()
        if k.removeprefix("NASTAVNIK_").lower() in Settings.model_fields
    }
    values["secret_key"] = "x" * 64
    settings = Settings.model_validate(values)
    settings.check()
    assert settings.is_production
    assert settings.keycloak_issuer == "http://keycloak.localhost:8080/realms/nastavnik"


# --- The platform's containers -----------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_containers_are_read_only_unprivileged_and_non_root(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    assert service["image"].startswith("nastavnik:")
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]  # noqa: S108 - the container's own tmpfs
    user = str(service["user"]).split(":")
    assert user == [str(APP_UID), str(APP_UID)]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]


def test_migration_runs_once_before_web_and_worker(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in POOLED:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["restart"] == "unless-stopped"
    assert services["web"]["command"] == ["serve"]
    assert services["worker"]["command"] == ["worker"]


def database_url(service: dict[str, Any]) -> Any:
    return urlsplit(environment(service)["NASTAVNIK_DATABASE_URL"])


def test_web_and_worker_go_through_pgbouncer_and_the_migration_does_not(
    services: dict[str, dict[str, Any]],
) -> None:
    pooler = pgbouncer_ini()
    for name in POOLED:
        url = database_url(services[name])
        assert (url.hostname, url.port) == ("pgbouncer", int(pooler["pgbouncer"]["listen_port"]))
        assert url.password is None, f"{name} must not know the owner's password"
        assert environment(services[name])["NASTAVNIK_DB_TRANSACTION_POOLING"] == "true"
        assert services[name]["depends_on"]["pgbouncer"] == {"condition": "service_healthy"}
    migrate = database_url(services["migrate"])
    assert (migrate.hostname, migrate.port) == ("postgres", 5432)
    assert migrate.password, "the migration connects as the owner, with its password"
    assert "pgbouncer" not in services["migrate"].get("depends_on", {})
    assert "NASTAVNIK_DB_TRANSACTION_POOLING" not in environment(services["migrate"])
    # The same database behind both paths.
    database = migrate.path.lstrip("/")
    assert {database_url(services[n]).path.lstrip("/") for n in POOLED} == {database}
    assert f"dbname={database}" in pooler["databases"][database]


def pgbouncer_ini() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(inline_comment_prefixes=None, comment_prefixes=(";", "#"))
    parser.read_string((DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text(encoding="utf-8"))
    return parser


def test_pgbouncer_pools_transactions_for_every_login_role(services: dict[str, dict[str, Any]]) -> None:
    ini = pgbouncer_ini()
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["auth_type"] == "scram-sha-256"
    script = (DEPLOY / "pgbouncer" / "start.sh").read_text(encoding="utf-8")
    assert ini["pgbouncer"]["auth_file"] in script
    defaults = Settings()
    given = environment(services["pgbouncer"])
    for kind in ("app", "auditor", "aggregator", "provisioner"):
        role = getattr(defaults, f"db_{kind}_role")
        variable = f"NASTAVNIK_DB_{kind.upper()}_PASSWORD"
        # Each role's line in the user list, with the password web and worker are given.
        assert f'\' {role} "${variable}"' in script, f"{role} missing from PgBouncer's user list"
        assert given[variable] == environment(services["web"])[variable]


def test_the_owner_is_created_without_superuser_powers(services: dict[str, dict[str, Any]]) -> None:
    init = (DEPLOY / "postgres" / "initdb.sh").read_text(encoding="utf-8")
    owner = database_url(services["migrate"]).username
    assert re.search(rf"CREATE ROLE {owner} LOGIN NOSUPERUSER CREATEROLE\b", init)
    assert re.search(rf"CREATE DATABASE nastavnik OWNER {owner}\b", init)
    assert {database_url(services[n]).username for n in POOLED} == {owner}
    mounts = services["postgres"]["volumes"]
    assert "./postgres/initdb.sh:/docker-entrypoint-initdb.d/10-nastavnik.sh:ro" in mounts


def test_postgres_archives_wal_for_point_in_time_recovery(services: dict[str, dict[str, Any]]) -> None:
    start = (DEPLOY / "postgres" / "start.sh").read_text(encoding="utf-8")
    for setting in ("wal_level=replica", "archive_mode=on", "archive_command=test ! -f"):
        assert setting in start
    archive = re.search(r"^ARCHIVE=(\S+)$", start, re.MULTILINE)
    assert archive is not None
    assert any(str(v).endswith(f":{archive.group(1)}") for v in services["postgres"]["volumes"])


def seconds(duration: str) -> int:
    total = 0
    for amount, unit in re.findall(r"(\d+)(h|m|s)", duration):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


def test_worker_stop_grace_exceeds_its_shutdown_grace(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    grace = int(environment(worker)["NASTAVNIK_WORKER_SHUTDOWN_GRACE"])
    # The worker exits within its grace plus 5 s (deploy/Containerfile), the web server within 15 s.
    assert seconds(worker["stop_grace_period"]) > grace + 5
    assert seconds(services["web"]["stop_grace_period"]) > 15


def test_long_running_services_are_checked_and_restarted(services: dict[str, dict[str, Any]]) -> None:
    one_shot = {"migrate", "keycloak-config"}
    for name, service in services.items():
        if name in one_shot:
            assert service["restart"] in ("no", "on-failure:3")
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_dependencies_wait_for_readiness_not_for_a_start(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency == "migrate" else "service_healthy"
            assert rule == {"condition": expected}, f"{name} -> {dependency}"
            assert dependency == "migrate" or "healthcheck" in services[dependency]


def test_keycloak_imports_the_realm_export(services: dict[str, dict[str, Any]]) -> None:
    keycloak = services["keycloak"]
    assert keycloak["image"].startswith("quay.io/keycloak/keycloak:")
    assert "--import-realm" in keycloak["command"]
    assert (
        "./keycloak/realm-export.json:/opt/keycloak/data/import/realm-export.json:ro" in keycloak["volumes"]
    )
    # One address for browsers, Keycloak's issuer and the platform (see compose.yaml).
    issuer_base = environment(keycloak)["KC_HOSTNAME"]
    for name in APP_SERVICES:
        assert environment(services[name])["NASTAVNIK_KEYCLOAK_URL"] == issuer_base
    host = urlsplit(issuer_base).hostname
    assert host in keycloak["networks"]["default"]["aliases"]


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service["image"]
        if name in APP_SERVICES:
            continue
        assert ":" in image, f"{name}: {image}"
        assert not image.endswith(":latest"), f"{name}: {image}"


def test_operators_guide_is_linked() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "../docs/operations.md" in readme
    guide = (DEPLOY.parent / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "docker compose run --rm migrate region create" in guide
    # Every option `region create` requires appears in the guide's command.
    for option in REGION_OPTIONS.values():
        assert option in guide, option
