"""The plugin contract: every hook documented (its signature, parameters, when it is called, whether it may
be async, how results combine) in its specification and in docs/plugins.md alike, called by the platform
through a typed method, exercised by a test; the core imports no plugin; plugins import only the public
`nastavnik` API; no call site names a hook as a string."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from nastavnik import hookspecs
from nastavnik.hookspecs import CALL_ATTRIBUTE, Call, when_called

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
SECTIONS = ("Parameters:", "Called:", "Async:", "Returns:", "Combined:")


def hook_names() -> list[str]:
    return sorted(
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "nastavnik_spec")
    )


def spec(name: str) -> Callable[..., object]:
    found: Callable[..., object] = getattr(hookspecs, name)
    return found


def signature_of(name: str) -> str:
    fn = spec(name)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
        for p in inspect.signature(fn).parameters.values()
    )
    return f"def {name}({params}) -> {inspect.signature(fn).return_annotation}"


def doc_section(name: str) -> str:
    """The part of docs/plugins.md under ``### <name>``, up to the next heading of that level or above."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(rf"^### {name}\n(.*?)(?=^#{{1,3}} )", text + "\n# end", flags=re.MULTILINE | re.DOTALL)
    return found.group(1) if found else ""


def test_there_are_hooks() -> None:
    assert len(hook_names()) >= 8


def test_every_hook_says_when_it_is_called() -> None:
    unmarked = [n for n in hook_names() if not hasattr(spec(n), CALL_ATTRIBUTE)]
    assert not unmarked, f"hooks without @called(Call.STARTUP or Call.REQUEST): {unmarked}"


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_specification_documents_its_contract(name: str) -> None:
    doc = inspect.getdoc(spec(name)) or ""
    lines = {line.split(":", 1)[0] + ":": line for line in doc.splitlines() if ":" in line}
    missing = [s for s in SECTIONS if s not in lines]
    assert not missing, f"{name}: its docstring must have the lines {missing}"
    may_be_async = lines["Async:"].removeprefix("Async:").strip().lower().startswith("yes")
    assert may_be_async == (when_called(spec(name)) is Call.REQUEST), (
        f"{name}: its docstring's Async line contradicts @called({when_called(spec(name))})"
    )


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^def (\w+)\(.*$", text, flags=re.MULTILINE))
    problems = [f"{n}: not documented" for n in hook_names() if n not in documented]
    problems += [f"{n}: documented but not a hook" for n in documented if n not in hook_names()]
    for name in hook_names():
        if signature_of(name) not in doc_section(name):
            problems.append(f"{name}: docs/plugins.md must show `{signature_of(name)}` under ### {name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", hook_names())
def test_the_guide_documents_each_hook_as_its_specification_does(name: str) -> None:
    section = doc_section(name)
    missing = [s for s in SECTIONS if f"**{s}**" not in section]
    assert not missing, f"docs/plugins.md, ### {name}: missing {missing}"
    said = re.search(r"\*\*Async:\*\* (\w+)", section)
    assert said is not None
    may_be_async = said.group(1).lower() == "yes"
    assert may_be_async == (when_called(spec(name)) is Call.REQUEST), (
        f"docs/plugins.md, ### {name}: **Async:** contradicts @called({when_called(spec(name))})"
    )


def test_every_hook_is_called_by_a_typed_method_of_plugins() -> None:
    """Each hook is called somewhere in nastavnik/plugins.py, through its specification object."""
    tree = ast.parse((ROOT / "platform" / "src" / "nastavnik" / "plugins.py").read_text(encoding="utf-8"))
    called = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "hookspecs"
    }
    missing = [n for n in hook_names() if n not in called]
    assert not missing, f"hooks the platform never calls: {missing}"


def test_every_hook_has_a_test() -> None:
    """In the platform's suites or in a plugin's own tests (plugins/<name>/tests)."""
    names = set()
    for path in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "plugins").glob("*/tests/**/test_*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    missing = [n for n in hook_names() if f"test_hook_{n}" not in names]
    assert not missing, f"hooks without a test_hook_<name> test: {missing}"
    # A hook that may be async has a test that its async implementation works end to end
    # (tests/plugins/test_async_hooks.py); start-up hooks are refused when async by a test over all of them.
    request_hooks = [n for n in hook_names() if when_called(spec(n)) is Call.REQUEST]
    missing = [n for n in request_hooks if f"test_async_hook_{n}" not in names]
    assert not missing, f"hooks that may be async without a test_async_hook_<name> test: {missing}"


def _python_files() -> list[Path]:
    folders = [ROOT / "platform" / "src", ROOT / "plugins", ROOT / "tests", ROOT / "benchmarks"]
    return [path for folder in folders for path in folder.rglob("*.py")]


def test_no_call_site_names_a_hook_as_a_string() -> None:
    """Hooks are called through Plugins' typed methods, never as ``call("register_…")`` or ``hook.register_…``
    (only nastavnik/plugins.py itself talks to pluggy's hook relay)."""
    hooks = set(hook_names())
    relay = ROOT / "platform" / "src" / "nastavnik" / "plugins.py"
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Tests may name a hook to build a plugin of their own; the code that calls hooks may not.
            if isinstance(node, ast.Constant) and node.value in hooks and ROOT / "tests" not in path.parents:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in {"hook", "call_each", "call_for", "flatten"}
                and path != relay
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    assert not found, "\n".join(found)


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


def test_the_public_api_offers_no_runtime() -> None:
    """Plugins get a narrow context; the process's runtime (engines, the owner connection) is not public."""
    import nastavnik

    assert {"Runtime", "Rt", "render_page"}.isdisjoint(nastavnik.__all__)
    assert {"PluginContext", "PluginCtx", "JobContext"} <= set(nastavnik.__all__)
