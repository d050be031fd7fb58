"""Explicit injection markers for handlers (Litestar 3 drops name-inferred dependencies)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, OrgContext

Db: TypeAlias = NamedDependency[AsyncSession]
"""The request's database session (application role, scoped by row-level security)."""
Org: TypeAlias = NamedDependency[OrgContext]
"""The resolved organisation of a ``/o/{slug}/`` route."""
CurrentActor: TypeAlias = NamedDependency[Actor]
"""The signed-in person; anonymous requests never reach a handler that asks for it."""
Rt: TypeAlias = NamedDependency[Runtime]
"""The process's runtime: settings, plugins, engines, Redis."""
