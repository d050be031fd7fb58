"""Explicit injection markers for handlers (Litestar 3 drops name-inferred dependencies)."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeAlias

from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.plugin_context import PluginContext
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, OrgContext
from nastavnik.types import YEAR_MAX, YEAR_MIN

Db: TypeAlias = NamedDependency[AsyncSession]
"""The request's database session (application role, scoped by row-level security)."""
Reads: TypeAlias = NamedDependency[AsyncSession]
"""The request's session for reads that may lag a moment: the read replica's where one is configured
(``database_replica_url``), else the request's own (``db``); in the same scope as ``db``. Read-only, and
never for what a write of this or a previous request must already show."""
Org: TypeAlias = NamedDependency[OrgContext]
"""The resolved organisation of a ``/o/{slug}/`` route."""
CurrentActor: TypeAlias = NamedDependency[Actor]
"""The signed-in person; anonymous requests never reach a handler that asks for it."""
Rt: TypeAlias = NamedDependency[Runtime]
"""The process's runtime: settings, plugins, engines, Redis (the core's handlers only)."""
PluginCtx: TypeAlias = NamedDependency[PluginContext]
"""A plugin handler's narrow context: its organisation, person, settings and scoped session."""

# Bounded whole numbers in paths and queries (Litestar reads Parameter bounds there, not msgspec.Meta);
# a value outside them is a 422, never a query the database cannot hold.
YearPath = Annotated[int, Parameter(ge=YEAR_MIN, le=YEAR_MAX, description="Год начала учебного года")]
"""An academic year named in the path (its start year, 2000–2100)."""
YearQuery = Annotated[
    int | None, QueryParameter(name="year", ge=YEAR_MIN, le=YEAR_MAX, description="Год начала учебного года")
]
"""An academic year chosen in the query (``?year=2025``); None: the page's own default."""
Id: TypeAlias = FromPath[uuid.UUID]
"""An id named in the path (``{person_id:uuid}``): a malformed one is a 404, as a missing record is."""
