"""Errors the services raise; the web layer turns them into 409 and 422 responses in Russian."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldError:
    """One wrong value, the same for the JSON API and the pages: which field, and what is wrong, in Russian.

    ``field`` is the name the client sent it under (``last_name``, ``answers.q1``, ``curator.email``); in a
    row of an uploaded table it is the column's title, and ``row`` is that row's number (0: the whole file).
    """

    field: str
    message: str
    row: int | None = None

    def as_json(self) -> dict[str, str]:
        """The error as the API sends it: ``field`` and ``message``, and ``row`` (as text) in a table."""
        body = {"field": self.field, "message": self.message}
        return body if self.row is None else {"row": str(self.row), **body}


def trimmed(errors: list[FieldError], name: str, value: str, limit: int, missing: str | None = None) -> str:
    """``value`` without surrounding spaces; a problem with it goes to ``errors`` under ``name``: empty where
    ``missing`` (the message) says it is required, or longer than ``limit`` characters."""
    cleaned = value.strip()
    if missing is not None and not cleaned:
        errors.append(FieldError(name, missing))
    elif len(cleaned) > limit:
        errors.append(FieldError(name, f"не длиннее {limit} знаков"))
    return cleaned


@dataclass
class Conflict(Exception):
    """The change collides with existing data (a duplicate, a concurrent edit)."""

    message: str
    field: str | None = None

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(self.field, self.message)] if self.field else []


@dataclass
class InvalidInput(Exception):
    """Input that is well-formed but wrong for the domain: a message, and each wrong field."""

    message: str
    errors: list[FieldError] = field(default_factory=list)

    def as_json(self) -> list[dict[str, str]]:
        return [e.as_json() for e in self.errors]
