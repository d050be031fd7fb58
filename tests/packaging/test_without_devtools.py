"""The product's CLI without the development distribution, and with it through its entry points.

A region installs no nastavnik-dev: its entry points are then absent, which these tests arrange by
showing ``nastavnik.development`` an empty entry-point list (the installed distribution stays
installed for the rest of the run)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoints, entry_points

import click
import pytest
from click.testing import CliRunner

import nastavnik.development
from nastavnik.cli import main
from nastavnik.settings import get_settings
from nastavnik_dev import commands
from nastavnik_dev.embedded import with_embedded


@pytest.fixture
def without_devtools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nastavnik.development, "entry_points", lambda group: EntryPoints(()))


@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Development settings that name no database and no Redis, read afresh and forgotten after."""
    for name in ("NASTAVNIK_DATABASE_URL", "NASTAVNIK_REDIS_URL", "NASTAVNIK_MODE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def test_the_development_commands_come_from_nastavnik_dev() -> None:
    ctx = click.Context(main)
    assert main.get_command(ctx, "demo") is commands.demo
    assert main.get_command(ctx, "seed") is commands.seed
    listed = _run("--help")
    assert listed.exit_code == 0, listed.output
    assert "Start everything with demo data" in listed.output
    assert nastavnik.development.contributed_commands()["demo"].value == "nastavnik_dev.commands:demo"


def test_embedded_services_come_from_nastavnik_dev() -> None:
    providers = {e.name: e.value for e in entry_points(group="nastavnik.embedded_services")}
    assert providers == {"nastavnik-dev": "nastavnik_dev.embedded:with_embedded"}
    (provider,) = entry_points(group="nastavnik.embedded_services")
    assert provider.load() is with_embedded


@pytest.mark.usefixtures("without_devtools")
@pytest.mark.parametrize("args", [["demo"], ["seed"], ["demo", "--port", "8001"], ["seed", "--help"]])
def test_without_nastavnik_dev_a_development_command_says_what_is_missing(args: list[str]) -> None:
    result = _run(*args)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"`nastavnik {args[0]}`" in lines[0]
    assert "nastavnik-dev" in lines[0]


@pytest.mark.usefixtures("without_devtools")
def test_without_nastavnik_dev_the_product_commands_remain() -> None:
    listed = _run("--help")
    assert listed.exit_code == 0, listed.output
    for name in ("serve", "worker", "db", "settings", "demo", "seed"):
        assert f"  {name} " in listed.output
    settings = _run("settings")
    assert settings.exit_code == 0
    assert "NASTAVNIK_DATABASE_URL" in settings.output
    unknown = _run("nonsense")
    assert unknown.exit_code == 2  # click's usage error, as for any unknown command


@pytest.mark.usefixtures("without_devtools", "unconfigured")
@pytest.mark.parametrize("args", [["serve"], ["worker"], ["db", "upgrade"]])
def test_without_nastavnik_dev_no_embedded_services_but_one_line_saying_so(args: list[str]) -> None:
    result = _run(*args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "NASTAVNIK_DATABASE_URL" in lines[0]
    assert "nastavnik-dev" in lines[0]
