"""The narrow context a plugin's route handlers and jobs receive, instead of the process's runtime.

A plugin's handler asks for ``ctx: PluginCtx`` and gets a :class:`PluginContext`: the plugin's name, the
organisation, the acting person and their programme roles there, the plugin's settings for that
organisation, its process-wide settings, and a database session scoped to that organisation (the
application role under row-level security). It holds no engine, no Redis, no owner connection: what a
plugin can reach is what the person could reach. What belongs to the core's domains it asks of the core
through the context's methods (``invite_mentor``, ``people``, ``mentoring_pairs``, from
nastavnik.plugin_services), which check the person's role as the core's own pages do. A plugin's job gets
a :class:`JobContext`, which opens the same context for an organisation on behalf of one of its people.
The core's own (default-plugin) handlers and jobs keep the runtime.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar.response import Template
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nastavnik import audit
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.errors import FieldError
from nastavnik.fresh_figures import figures_changed
from nastavnik.models.reference import Organisation
from nastavnik.plugin_services import (
    BeforeCommit,
    CoreServices,
    InvitedMentor,
    MentoringPair,
    MentorInvitation,
    PersonSummary,
)
from nastavnik.plugin_settings import settings_for
from nastavnik.plugins import LoadedPlugin, Plugins
from nastavnik.tenancy import Forbidden, NotFound, OrgContext, OrgRef, load_actor, resolve_org_context

S = TypeVar("S", bound=msgspec.Struct)
Row = TypeVar("Row")

PageRenderer = Callable[..., Awaitable[Template]]
"""Renders a page with the layout's context (navigation, switcher): ``renderer(template, **context)``."""


@dataclass(frozen=True, slots=True)
class PluginContext:
    """What a plugin's handler (``ctx: PluginCtx``) or job (``JobContext.organisation``) acts with."""

    plugin: str
    """The plugin's name."""
    org: OrgRef
    """The organisation: id, slug, type, names, municipality, region, time zone."""
    person_id: uuid.UUID
    """The acting person inside the organisation."""
    roles: frozenset[str]
    """Their programme roles there (``curator``, ``director``, ``mentor``, ``mentee``…)."""
    settings: msgspec.Struct
    """The plugin's settings for this organisation: an instance of its ``PluginInfo.org_settings``."""
    config: Mapping[str, str]
    """The plugin's process-wide settings (``PluginInfo.required_settings``) from the environment."""
    db: AsyncSession
    """A session scoped to the organisation and the person: row-level security admits only their rows."""
    org_context: OrgContext = field(repr=False, compare=False)
    """The same organisation and person as the core's own services take them."""
    renderer: PageRenderer | None = field(default=None, repr=False, compare=False)
    services: CoreServices | None = field(default=None, repr=False, compare=False)
    """What the core does on the plugin's request (nastavnik.plugin_services): given by the assembly."""

    def owns(self, model: type[object]) -> ColumnElement[bool]:
        """The tenant predicate for a tenant model: use it in every query of the plugin's tables."""
        return self.org_context.owns(model)

    async def find(self, model: type[Row], row_id: uuid.UUID, *where: ColumnElement[bool]) -> Row:
        """The organisation's row ``row_id`` (its ``id``) of the tenant ``model``, also meeting ``where``;
        ``NotFound`` (a 404) for a missing one and another organisation's alike."""
        return await self.org_context.find(self.db, model, row_id, *where)

    def figures_changed(self) -> None:
        """Say that this transaction changes what the plugin's indicators count, where no audited change
        says so already (a change audited through :meth:`audit` does): the organisation's figures are
        recomputed shortly after the commit, never after a rollback (docs/statistics.md, «Fresh figures»)."""
        figures_changed(self.db, self.org.id)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def require_role(self, *roles: str) -> None:
        """A 403 unless the person holds one of ``roles``."""
        if not self.has_role(*roles):
            raise Forbidden

    def today(self) -> date:
        """The organisation's local date."""
        return self.org_context.today()

    def settings_as(self, schema: type[S]) -> S:
        """The settings, typed: ``ctx.settings_as(DecadeSettings).max_days``."""
        if not isinstance(self.settings, schema):
            raise TypeError(
                f"the settings of {self.plugin!r} are {type(self.settings).__name__}, not {schema}"
            )
        return self.settings

    async def audit(
        self,
        *,
        action: str,
        object_type: str,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Write to the audit log what the person did (in this session's transaction: commit after)."""
        await audit.record_in(
            self.db,
            self.org_context,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )

    async def page(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        """A page in the platform's layout (navigation, organisation switcher, CSRF field)."""
        if self.renderer is None:
            raise RuntimeError("pages are rendered only while serving a request, not in a job")
        return await self.renderer(template, status_code=status_code, **context)

    async def invite_mentor(
        self,
        invitation: MentorInvitation,
        *,
        before_commit: BeforeCommit | None = None,
        errors: Sequence[FieldError] = (),
    ) -> InvitedMentor:
        """Invite a person from outside to mentor in the organisation, through the core's own onboarding:
        a person of the organisation, an entry in its base of mentors, and an account (an invitation to
        their e-mail, else a one-time password for the access sheet), which the worker then creates.

        Only the curator and the director may (a 403). Refused with a Russian message per field
        (``InvalidInput``: ``last_name``, ``first_name``, ``middle_name``, ``email``, ``category``,
        ``consent_on``, ``capacity``), an e-mail another person of the organisation has (``Conflict`` on
        ``email``), or where single sign-on is not configured (``Conflict``): then nothing is written.
        ``await before_commit(person_id)`` writes the plugin's own rows with the person (its link to them)
        through this context, without committing: all of it is committed in one transaction, or none of
        it. ``errors``: what the plugin found wrong in its own fields of the same form, refused together
        with the core's, so that every wrong field is named at once.
        """
        return await self._core().invite_mentor(self.db, self.org_context, invitation, before_commit, errors)

    async def people(self, person_ids: Collection[uuid.UUID]) -> list[PersonSummary]:
        """The organisation's people among ``person_ids`` (others are left out), in alphabetical order: what
        a plugin's list shows of the people it links to. Only the curator and the director may (a 403); the
        read is written to the audit log and committed with whatever the session holds."""
        return await self._core().people(self.db, self.org_context, person_ids)

    async def mentoring_pairs(
        self,
        *,
        group_ids: Collection[uuid.UUID] | None = None,
        mentor_ids: Collection[uuid.UUID] | None = None,
        form_codes: Collection[str] | None = None,
    ) -> list[MentoringPair]:
        """The organisation's pairs and groups the person may see (the curator and the director every one,
        a mentor or a mentee their own), newest academic year first: those named in ``group_ids``, with one
        of ``mentor_ids`` as a mentor, of one of ``form_codes`` (each filter only when given).

        The read names people, so it is written to the audit log and committed with whatever the session
        holds: call it before your own writes, not between them.
        """
        return await self._core().mentoring_pairs(
            self.db, self.org_context, group_ids=group_ids, mentor_ids=mentor_ids, form_codes=form_codes
        )

    def _core(self) -> CoreServices:
        if self.services is None:
            raise RuntimeError("the core's services are given to a plugin context by the app and the worker")
        return self.services


async def plugin_context(
    db: AsyncSession,
    org_context: OrgContext,
    plugin: LoadedPlugin,
    config: Mapping[str, str],
    renderer: PageRenderer | None = None,
    services: CoreServices | None = None,
) -> PluginContext:
    """The narrow context of ``plugin`` in the organisation ``org_context`` resolved (where it is active)."""
    return PluginContext(
        plugin=plugin.name,
        org=org_context.org,
        person_id=org_context.person_id,
        roles=org_context.roles,
        settings=await settings_for(db, org_context, plugin),
        config=config,
        db=db,
        org_context=org_context,
        renderer=renderer,
        services=services,
    )


JobOpener = Callable[[uuid.UUID, uuid.UUID], AbstractAsyncContextManager[PluginContext]]


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a plugin's job receives first (the core's own jobs receive arq's context instead)."""

    plugin: str
    job_id: str
    job_try: int
    """1 on the first run, then 2, 3… while arq retries."""
    config: Mapping[str, str]
    opener: JobOpener = field(repr=False, compare=False)

    def organisation(
        self, org_id: uuid.UUID, identity_id: uuid.UUID
    ) -> AbstractAsyncContextManager[PluginContext]:
        """Act in an organisation on behalf of one of its people (e.g. the one who queued the job).

        ``async with job.organisation(org_id, identity_id) as ctx:`` gives the same narrow context a
        handler gets, its session scoped to that organisation and person; it is a ``NotFound`` where the
        person is not an active member or the plugin is not active there. Uncommitted writes are rolled back.
        """
        return self.opener(org_id, identity_id)


def job_opener(
    sessions: async_sessionmaker[AsyncSession],
    plugins: Plugins,
    plugin: LoadedPlugin,
    services: CoreServices | None = None,
) -> JobOpener:
    """How a plugin's job enters an organisation: as the application role, for one person."""

    @asynccontextmanager
    async def open_organisation(org_id: uuid.UUID, identity_id: uuid.UUID) -> AsyncIterator[PluginContext]:
        db = scoped_session(sessions, DbScope(identity_id=identity_id))
        try:
            actor = await load_actor(db, identity_id)
            slug = await db.scalar(select(Organisation.slug).where(Organisation.id == org_id))
            if actor is None or slug is None:
                raise NotFound
            org_context = await resolve_org_context(db, actor, slug, plugins)
            if plugin.name not in org_context.active_plugins:
                raise NotFound
            yield await plugin_context(
                db, org_context, plugin, plugins.config(plugin.name), services=services
            )
        finally:
            await db.close()

    return open_organisation
