"""Request and response bodies of the organisations' API (msgspec: validated at the edge, fast to encode)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from nastavnik.types import Email, PersonName as Name
from nastavnik.web.openapi import component


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


class OrgContextOut(msgspec.Struct):
    id: uuid.UUID
    slug: str
    type: str
    short_name: str
    full_name: str
    municipality: str
    my_roles: list[str]
    active_plugins: list[str]


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


# The import's preview shares its class names with the bases' (nastavnik.domain.bases.routes); their
# components keep the names Litestar gave them apart when these lived in nastavnik.web.controllers.


class ImportRowOut(msgspec.Struct):
    row: int
    short_name: str
    inn: str
    slug: str
    type: str
    curator_email: str | None
    action: str = "create"
    """«create», or «update» for an organisation of the region already on the platform (same ИНН)."""
    action_title: str = "создание"
    full_name: str = ""
    renamed: bool = False
    """An update that changes the organisation's names."""
    academic_year: int | None = None
    """The year of the row's headcounts; None when the row states none (its headcounts stay as they are)."""
    learners_total: int | None = None
    learners_10_18: int | None = None
    pedagogues: int | None = None
    young_pedagogues: int | None = None
    org_id: uuid.UUID | None = None
    """The organisation it updates; in the commit's answer, the one it created too."""


class OrganisationImportColumnOut(msgspec.Struct):
    """One column of the uploaded file, as the preview reads it (as the bases' import shows its columns)."""

    letter: str
    """The column's letter in the sheet (A, B, …)."""
    title: str
    """Its header in the file ("" for a column without one)."""
    field: str | None
    """The field it is read as, or null: not used."""
    field_title: str
    """That field's Russian title, or «не используется» (with why)."""
    has_data: bool
    note: str


class ImportPreviewOut(msgspec.Struct):
    token: str | None
    """Present when the file has no errors: commit it with POST /api/organisations/import/{token}."""
    rows: list[Annotated[ImportRowOut, component("web_controllers_schemas_ImportRowOut")]]
    errors: list[dict[str, str]]
    warnings: list[dict[str, str]] = []
    """Named before anything is written, loaded all the same (row 0: the whole file)."""
    columns: list[OrganisationImportColumnOut] = []
    academic_year: int | None = None
    """The year of the headcounts of rows that name none."""
    created: int = 0
    updated: int = 0


ImportPreview = Annotated[ImportPreviewOut, component("web_controllers_schemas_ImportPreviewOut")]
"""The preview as the API answers it, under its component's name (nastavnik.web.openapi.component)."""
