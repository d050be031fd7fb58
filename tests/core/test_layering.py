"""The dependency direction of the product's code, read from its imports.

The kernel (tenancy, database, models of the tenancy, errors, audit, web plumbing, auth, plugins)
never imports a domain; a domain imports the kernel and only the domains before it in
:data:`nastavnik.domain.DOMAINS`, so no two domains can import each other; the assembly (the app,
the CLI, the worker, the default plugin, the migrations' environment) may import anything. Imports
inside functions count as much as those at the top: hiding a cycle in a function is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nastavnik
from nastavnik.domain import DOMAINS

PACKAGE_ROOT = Path(nastavnik.__file__).parent

ASSEMBLY = (
    "nastavnik.web.app",
    "nastavnik.cli",
    "nastavnik.worker",
    "nastavnik.default_plugins",
    "nastavnik.db.migrations",
    "nastavnik.testing",
    "nastavnik.domain",  # the package itself: it lists and loads the domains
)
"""Where the whole product is put together: these may import every layer."""


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(source: str, importer: str) -> Iterator[Import]:
    """Every ``nastavnik…`` import of a module, wherever it stands in the file."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "nastavnik" or node.module.startswith("nastavnik."):
                for alias in node.names:
                    yield Import(importer, f"{node.module}.{alias.name}", node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nastavnik."):
                    yield Import(importer, alias.name, node.lineno)


def product_imports(root: Path = PACKAGE_ROOT) -> list[Import]:
    found: list[Import] = []
    for path in sorted(root.rglob("*.py")):
        found += imports_in(path.read_text(encoding="utf-8"), module_name(path, root))
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> str:
    """``assembly``, ``kernel`` or the name of a domain."""
    if any(_within(module, a) for a in ASSEMBLY if a != "nastavnik.domain") or module == "nastavnik.domain":
        return "assembly"
    if _within(module, "nastavnik.domain"):
        return module.split(".")[2]
    return "kernel"


def violations(found: Iterable[Import], domains: tuple[str, ...] = DOMAINS) -> list[str]:
    """Each import against the layering, as a readable line (empty when the code keeps to it)."""
    order = {name: i for i, name in enumerate(domains)}
    wrong = []
    for imp in found:
        source, target = layer_of(imp.importer), layer_of(imp.imported)
        if source == "assembly" or source == target or target == "kernel":
            continue
        if target == "assembly":
            wrong.append(f"{imp.importer}:{imp.line} imports the assembly ({imp.imported})")
        elif source == "kernel":
            wrong.append(f"{imp.importer}:{imp.line} (kernel) imports the domain {target} ({imp.imported})")
        elif target not in order or source not in order:
            wrong.append(f"{imp.importer}:{imp.line}: a domain missing from DOMAINS ({source} → {target})")
        elif order[target] > order[source]:
            wrong.append(
                f"{imp.importer}:{imp.line}: the domain {source} imports {target}, which comes after it"
                f" ({imp.imported})"
            )
    return wrong


def test_every_domain_package_is_listed() -> None:
    on_disk = {p.name for p in (PACKAGE_ROOT / "domain").iterdir() if (p / "__init__.py").is_file()}
    assert on_disk == set(DOMAINS)


def test_the_product_keeps_to_its_layers() -> None:
    found = product_imports()
    assert len(found) > 500  # the walk really read the product
    assert violations(found) == []


def test_a_cycle_or_an_upward_import_is_caught() -> None:
    """The check itself can fail: a kernel import of a domain, two domains importing each other."""
    kernel_up = Import("nastavnik.tenancy", "nastavnik.domain.people.services", 1)
    assert violations([kernel_up]) == [
        "nastavnik.tenancy:1 (kernel) imports the domain people (nastavnik.domain.people.services)"
    ]
    cycle = [
        Import("nastavnik.domain.people.services", "nastavnik.domain.bases.models", 3),
        Import("nastavnik.domain.bases.models", "nastavnik.domain.people.services", 4),
    ]
    assert len(violations(cycle)) == 1  # one direction is always against the order
    hidden = "def f():\n    from nastavnik.domain.statistics import jobs\n"
    assert violations(imports_in(hidden, "nastavnik.domain.dictionaries.catalogue"))
    to_assembly = Import("nastavnik.domain.accounts.services", "nastavnik.default_plugins.core.X", 9)
    assert violations([to_assembly])
