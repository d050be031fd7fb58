"""External programs some suites drive (buildah, podman, helm, pgbouncer, PostgreSQL's server binaries).

On a developer's machine a missing program skips its tests, so the README's two commands work with
nothing installed. CI installs them all and sets ``NASTAVNIK_REQUIRE_TOOLS=1``: there a missing program
fails the test instead, so a suite can never pass in CI by quietly skipping itself.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_ENV = "NASTAVNIK_REQUIRE_TOOLS"


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def require_tool(name: str, *candidates: str) -> str:
    """The path of program ``name`` (found on PATH, else at the first existing ``candidates`` path).

    Skips the calling test when it is missing, or fails it when ``NASTAVNIK_REQUIRE_TOOLS`` is set."""
    found = shutil.which(name) or next((c for c in candidates if os.access(c, os.X_OK)), None)
    if found is not None:
        return found
    message = f"{name} is not installed"
    if required():
        pytest.fail(f"{message}, and {REQUIRE_ENV} says CI must run this test", pytrace=False)
    pytest.skip(message)
