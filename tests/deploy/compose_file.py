"""deploy/compose.yaml as Compose sees it: the YAML, its ${...} variables, and the .env file it reads.

Compose interpolates variables before it validates the file, so the tests do the same with the values
of deploy/.env.example: a reference missing from the example, or a required one without a value, fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt};
# $$ is a literal dollar (for the container's shell). Defaults may not nest here: ours do not.
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")
_BARE = re.compile(r"(?<!\$)\$(?!\$)[A-Za-z_]")


class MissingVariable(Exception):
    """A required variable (``${NAME:?...}``) has no value."""


@dataclass
class Interpolation:
    env: dict[str, str]
    referenced: set[str] = field(default_factory=set)

    def value(self, text: str) -> str:
        if _BARE.search(text.replace("$$", "")):
            raise ValueError(f"unbraced variable in {text!r}: write ${{NAME}}")
        return _VARIABLE.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return "$"
        self.referenced.add(name)
        op, arg = match.group("op"), match.group("arg") or ""
        value = self.env.get(name)
        present = value is not None and (value != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return value if present and value is not None else arg
        if op in (":?", "?"):
            if not present or value is None:
                raise MissingVariable(f"{name}: {arg}")
            return value
        if op in (":+", "+"):
            return arg if present else ""
        return value or ""

    def walk(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.value(node)
        if isinstance(node, list):
            return [self.walk(item) for item in node]
        if isinstance(node, dict):
            return {key: self.walk(item) for key, item in node.items()}
        return node


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as Compose reads them (comments, blank lines, optional quotes around the value)."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path.name}:{number}: not KEY=value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key in values:
            raise ValueError(f"{path.name}:{number}: {key} given twice")
        values[key] = value
    return values


def load_raw(text: str) -> dict[str, Any]:
    """The YAML with its anchors and merge keys resolved, before interpolation."""
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def load(text: str, env: dict[str, str]) -> tuple[dict[str, Any], set[str]]:
    """The compose file as Compose validates it (interpolated with ``env``) and the variables it names."""
    interpolation = Interpolation(env)
    document = interpolation.walk(load_raw(text))
    return document, interpolation.referenced


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whichever of Compose's two forms it is written in."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}
