"""Request and response bodies of the JSON API (msgspec: validated at the edge, fast to encode)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from nastavnik.types import AcademicYearStart, Headcount, Version

Name = Annotated[str, msgspec.Meta(max_length=100)]
"""A person's name; an empty one is refused by the service, in Russian, with the other wrong fields."""
Email = Annotated[str, msgspec.Meta(max_length=254)]


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


class HeadcountIn(msgspec.Struct, forbid_unknown_fields=True):
    learners_total: Headcount
    learners_10_18: Headcount
    pedagogues: Headcount
    young_pedagogues: Headcount


class HeadcountForm(HeadcountIn, forbid_unknown_fields=True):
    """The page's form: the API's body and the year that the API's path names."""

    academic_year: AcademicYearStart


class HeadcountOut(msgspec.Struct):
    academic_year: int
    title: str
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int


class CuratorIn(msgspec.Struct, forbid_unknown_fields=True):
    last_name: Name
    first_name: Name
    email: Email
    middle_name: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True):
    municipality_id: uuid.UUID
    type: str
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    short_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    inn: Annotated[str, msgspec.Meta(max_length=10)]
    slug: Annotated[str, msgspec.Meta(max_length=63)]
    curator: CuratorIn | None = None
    """The curator to invite: their account and the organisation's Keycloak organization are created."""


class OrganisationOut(msgspec.Struct):
    id: uuid.UUID
    slug: str
    type: str
    full_name: str
    short_name: str
    inn: str
    municipality_id: uuid.UUID
    status: str
    onboarding: str | None = None
    onboarding_error: str | None = None


class OrganisationStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: str


class PluginSettingIn(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    settings: dict[str, Any] = {}


class PluginStateOut(msgspec.Struct):
    name: str
    title: str
    version: str
    default: bool
    enabled: bool
    settings: dict[str, Any]


class DictionaryEntryOut(msgspec.Struct):
    kind: str
    code: str
    title: str
    regime: str
    description: str


class IndicatorOut(msgspec.Struct):
    key: str
    title: str
    description: str
    value: float | None
    """A count or a share; one JSON number type, so a value matches exactly one schema branch."""


class MembershipOut(msgspec.Struct):
    slug: str
    short_name: str
    full_name: str = ""
    roles: list[str] = msgspec.field(default_factory=list)
    """Programme roles in the organisation: director, curator, mentor, mentee."""


class StaffGrantOut(msgspec.Struct):
    role: str
    """region, municipality or auditor"""
    region_id: uuid.UUID
    region_name: str
    municipality_id: uuid.UUID | None
    municipality_name: str | None


class MeOut(msgspec.Struct):
    identity_id: uuid.UUID
    display_name: str
    staff_roles: list[str]
    organisations: list[MembershipOut]
    staff: list[StaffGrantOut] = msgspec.field(default_factory=list)


class OrgContextOut(msgspec.Struct):
    id: uuid.UUID
    slug: str
    type: str
    short_name: str
    full_name: str
    municipality: str
    my_roles: list[str]
    active_plugins: list[str]


class HeadcountSummaryOut(msgspec.Struct):
    municipality_id: uuid.UUID | None
    municipality_name: str
    organisations: int
    reporting: int
    learners_total: int
    learners_10_18: int
    pedagogues: int
    young_pedagogues: int


class AuditEventOut(msgspec.Struct):
    at: str
    actor: str
    org_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    subject_person_id: uuid.UUID | None
    outcome: str


class AuditPageOut(msgspec.Struct):
    items: list[AuditEventOut]
    page: int
    per_page: int
    has_next: bool
    """Whether a next page exists (the log is not counted: it may hold millions of rows)."""


class ImportRowOut(msgspec.Struct):
    row: int
    short_name: str
    inn: str
    slug: str
    type: str
    curator_email: str | None


class ImportPreviewOut(msgspec.Struct):
    token: str | None
    """Present when the file has no errors: commit it with POST /api/organisations/import/{token}."""
    rows: list[ImportRowOut]
    errors: list[dict[str, str]]
