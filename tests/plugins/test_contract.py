"""The plugin contract: every hook documented with its exact signature and exercised by a test;
the core imports no plugin; plugins import only the public `nastavnik` API."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from nastavnik import hookspecs

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"


def hook_names() -> list[str]:
    return sorted(
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "nastavnik_spec")
    )


def signature_of(name: str) -> str:
    fn = getattr(hookspecs, name)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
        for p in inspect.signature(fn).parameters.values()
    )
    return f"def {name}({params}) -> {inspect.signature(fn).return_annotation}"


def test_there_are_hooks() -> None:
    assert len(hook_names()) >= 8


def test_every_hook_has_a_docstring() -> None:
    missing = [n for n in hook_names() if not (getattr(hookspecs, n).__doc__ or "").strip()]
    assert not missing


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^def (\w+)\(.*$", text, flags=re.MULTILINE))
    problems = [f"{n}: not documented" for n in hook_names() if n not in documented]
    problems += [f"{n}: documented but not a hook" for n in documented if n not in hook_names()]
    for name in hook_names():
        if signature_of(name) not in text:
            problems.append(f"{name}: docs/plugins.md must show `{signature_of(name)}`")
    assert not problems, "\n".join(problems)


def test_every_hook_has_a_test() -> None:
    """In the platform's suites or in a plugin's own tests (plugins/<name>/tests)."""
    names = set()
    for path in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "plugins").glob("*/tests/**/test_*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    missing = [n for n in hook_names() if f"test_hook_{n}" not in names]
    assert not missing, f"hooks without a test_hook_<name> test: {missing}"


def _imports(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def test_core_imports_no_plugin() -> None:
    bad = [(str(p), m) for p, m in _imports(ROOT / "platform" / "src") if m.startswith("nastavnik_")]
    assert not bad


def test_plugins_import_only_the_public_api_and_not_each_other() -> None:
    bad = []
    for plugin_dir in (ROOT / "plugins").iterdir():
        own = (
            {p.name for p in (plugin_dir / "src").iterdir() if p.is_dir()}
            if (plugin_dir / "src").exists()
            else set()
        )
        for path, module in _imports(plugin_dir / "src"):
            top = module.split(".")[0]
            if module.startswith("nastavnik.") or (top.startswith("nastavnik_") and top not in own):
                bad.append((str(path.relative_to(ROOT)), module))
    assert not bad, bad
