"""The product's domains, one package each, standing on the kernel.

The kernel (``nastavnik.tenancy``, ``nastavnik.db``, ``nastavnik.models``, ``nastavnik.errors``,
``nastavnik.audit``, ``nastavnik.web``, ``nastavnik.auth`` …) never imports a domain; a domain
imports the kernel and the domains listed before it in :data:`DOMAINS`, never one after it
(tests/core/test_layering.py checks both). Each package holds its models, services, schemas,
routes (API and pages) and templates.
"""

from __future__ import annotations

from importlib import import_module
from importlib.resources import files
from pathlib import Path

DOMAINS = (
    "dictionaries",
    "notifications",
    "documents",
    "bases",
    "programmes",
    "questionnaires",
    "work",
    "reports",
    "statistics",
    "organisations",
    "accounts",
    "people",
    "methodical",
    "administration",
    "reminders",
)
"""In dependency order: each may import only the kernel and the domains before it.

``organisations``, ``accounts`` and ``people`` come last: their pages gather what the others hold (an
organisation's home page its indicators, the region's page its headcounts, a person's card their base
profiles, the people's list their account batches), while nothing below needs them. ``reminders`` is
last: its daily scan reads the questionnaires, the plans, the roadmap and the methodical events."""

MODEL_MODULES = (
    "dictionaries.models",
    "notifications.models",
    "documents.models",
    "bases.models",
    "programmes.models",
    "programmes.pairs.models",
    "questionnaires.models",
    "work.models",
    "statistics.models",
    "statistics.headcount_models",
    "organisations.models",
    "accounts.models",
    "methodical.models",
    "administration.models",
)
"""Every domain module that declares tables (a missing one fails the migrations' tests)."""


def load_models() -> None:
    """Import every domain's models, registering all tables on ``Base.metadata`` (migrations, tests)."""
    for module in MODEL_MODULES:
        import_module(f"{__name__}.{module}")


def template_dirs() -> list[Path]:
    """Each domain's page templates (``<domain>/templates``), for the core's template namespace."""
    found = []
    for name in DOMAINS:
        folder = files(f"{__name__}.{name}") / "templates"
        if folder.is_dir():
            found.append(Path(str(folder)))
    return found
