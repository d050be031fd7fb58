"""Request and response bodies of the people's JSON API (msgspec: validated at the edge, fast to encode)."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from nastavnik.types import Email, PersonName as Name, Version


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    last_name: Name
    first_name: Name
    category: str
    middle_name: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    email: Email | None = None
    """Where an account invitation goes (optional). In a change: absent keeps it, "" removes it."""


class PersonUpdate(PersonIn, forbid_unknown_fields=True):
    version: Version = 0
    status: str | None = None


class PersonOut(msgspec.Struct):
    id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    category: str
    status: str
    version: int
    roles: list[str] = []
    email: str | None = None
    has_login: bool = False


class RolesIn(msgspec.Struct, forbid_unknown_fields=True):
    roles: list[str]
