"""Request and response bodies of the administration API (msgspec: validated at the edge, fast to encode)."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from nastavnik.types import Email, PersonName as Name

Middle = Annotated[str, msgspec.Meta(max_length=100)]


class RegionIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=16)]
    name: Annotated[str, msgspec.Meta(max_length=200)]
    timezone: Annotated[str, msgspec.Meta(max_length=64)]
    """An IANA time zone, e.g. ``Asia/Yekaterinburg``: the region's dates are its local dates."""
    admin_last_name: Name
    admin_first_name: Name
    admin_email: Email
    admin_middle_name: Middle | None = None


class RegionOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    timezone: str
    administrators: int
    """Administrators whose accounts are made."""
    pending_administrators: int
    """Administrators asked for whose accounts are not made yet (or could not be)."""


class MunicipalityIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]


class MunicipalityOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    retired: bool
    active_organisations: int


class StaffIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Annotated[str, msgspec.Meta(max_length=16)]
    """``admin``, ``region``, ``municipality`` (a coordinator: give ``municipality_id``) or ``auditor``."""
    last_name: Name
    first_name: Name
    email: Email
    middle_name: Middle | None = None
    municipality_id: uuid.UUID | None = None


class StaffOut(msgspec.Struct):
    id: uuid.UUID
    """The grant's id once the account is made; before, the appointment's (the same id)."""
    role: str
    role_title: str
    name: str
    email: str | None
    municipality_id: uuid.UUID | None
    municipality: str | None
    status: str
    """``done`` (in force), ``pending``, ``retrying`` or ``failed`` (see ``error``)."""
    error: str | None
