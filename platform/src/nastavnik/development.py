"""What a development distribution lends the product, found through entry points, never imported.

A region installs ``nastavnik`` and its plugins only, and the product runs without anything here. In a
checkout of the repository the workspace also installs ``nastavnik-dev`` (``devtools/``), which
contributes through two entry-point groups:

- ``nastavnik.commands``: click commands added to ``nastavnik`` under the entry point's name
  (``demo``, ``seed``). A contributed command runs its work through :func:`nastavnik.cli.run_until_stopped`
  (signals, embedded services stopped on every way out) and the steps ``nastavnik.cli`` offers
  (:func:`nastavnik.cli.upgrade_database`, :func:`nastavnik.cli.serve_until_stopped`).
- ``nastavnik.embedded_services``: one callable ``(Settings) -> (Settings, RunningServices | None)``
  that starts a PostgreSQL and a Redis for whatever the settings leave unset, in development only.

Without the distribution, the development commands and an unconfigured database answer with one line
saying what to install (:class:`DevelopmentToolsMissing`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Protocol

from nastavnik.settings import Settings

DISTRIBUTION = "nastavnik-dev"
COMMANDS_GROUP = "nastavnik.commands"
EMBEDDED_SERVICES_GROUP = "nastavnik.embedded_services"
# The development distribution's commands: the CLI names them even when it is not installed.
DEVELOPMENT_COMMANDS = {
    "demo": f"Start everything with demo data (development only: needs {DISTRIBUTION}).",
    "seed": f"Create the demo region (development only: needs {DISTRIBUTION}).",
}
INSTALL_HINT = "в репозитории: uv sync --all-packages"


class RunningServices(Protocol):
    """Services started for this process; stopped when the command ends, however it ends."""

    def stop(self) -> None: ...


EmbeddedServices = Callable[[Settings], tuple[Settings, RunningServices | None]]


class DevelopmentToolsMissing(RuntimeError):
    """Something only the development distribution provides was asked for, and it is not installed."""


def contributed_commands() -> dict[str, EntryPoint]:
    """The commands other distributions add to ``nastavnik``, by name (not loaded yet)."""
    return {entry.name: entry for entry in entry_points(group=COMMANDS_GROUP)}


def missing_command(name: str) -> DevelopmentToolsMissing:
    return DevelopmentToolsMissing(
        f"`nastavnik {name}` — команда для разработки: нужен пакет {DISTRIBUTION} ({INSTALL_HINT})"
    )


def with_embedded_services(settings: Settings) -> tuple[Settings, RunningServices | None]:
    """The settings with embedded PostgreSQL and Redis for what they leave unset, and those services.

    Configured settings come back as they are. Production never gets embedded services; development
    gets them from the development distribution, or a one-line refusal where it is not installed."""
    if settings.database_url is not None and settings.redis_url is not None:
        return settings, None
    if settings.is_production:
        raise RuntimeError("production needs NASTAVNIK_DATABASE_URL and NASTAVNIK_REDIS_URL")
    providers = list(entry_points(group=EMBEDDED_SERVICES_GROUP))
    if not providers:
        unset = [
            f"NASTAVNIK_{name.upper()}"
            for name in ("database_url", "redis_url")
            if getattr(settings, name) is None
        ]
        raise DevelopmentToolsMissing(
            f"{' и '.join(unset)} не задан{'ы' if len(unset) > 1 else ''}, а встроенные PostgreSQL"
            f" и Redis для разработки даёт пакет {DISTRIBUTION} ({INSTALL_HINT})"
        )
    start: EmbeddedServices = providers[0].load()
    return start(settings)
