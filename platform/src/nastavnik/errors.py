"""Errors the services raise; the web layer turns them into 409 and 422 responses in Russian."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Conflict(Exception):
    """The change collides with existing data (a duplicate, a concurrent edit)."""

    message: str
    field: str | None = None


@dataclass
class InvalidInput(Exception):
    """Input that is well-formed but wrong for the domain; ``errors`` lists field and message pairs."""

    message: str
    errors: list[dict[str, str]] = field(default_factory=list)
