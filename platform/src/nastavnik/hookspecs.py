"""Hook specifications: everything a plugin can contribute to Nastavnik.

Families, by what they do:

* ``register_*`` — declare things the platform collects once at start-up or per request
  (organisation types, dictionaries, routes, templates, navigation, statistics, jobs, migrations,
  document templates).

Every hook is documented with its exact signature in docs/plugins.md and exercised by a test
(tests/plugins/test_contract.py fails otherwise). Implementations may return an awaitable;
:func:`nastavnik.plugins.resolve` awaits it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING

import pluggy
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.types import (
    AuditTitles,
    DictionaryEntry,
    DocumentTemplate,
    JobSpec,
    MigrationBranch,
    NavigationContext,
    NavItem,
    OrganisationType,
    PluginRoutes,
    StatisticContributor,
    TemplateDir,
)

if TYPE_CHECKING:
    from nastavnik.tenancy import OrgContext

PROJECT_NAME = "nastavnik"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_organisation_types() -> Iterable[OrganisationType]:
    """Declare the organisation types this plugin serves, with the mentoring regimes each runs.

    An organisation may be created only with a type some loaded plugin declares.
    """


@hookspec
def register_dictionaries() -> Iterable[DictionaryEntry]:
    """Offer entries of the four mentoring dictionaries: forms, role models, kinds and durations.

    Each entry names the organisation types and the regime it applies to; the platform
    shows an organisation only the entries for its own type.
    """


@hookspec
def register_routes() -> PluginRoutes:
    """Return the plugin's page and API handlers, mounted under the plugin's own namespace.

    Handlers receive the organisation context as the ``org`` dependency and a scoped
    database session as ``db``; they are reachable only in organisations of the
    plugin's declared types where the plugin is active.
    """


@hookspec
def register_template_dirs() -> Iterable[TemplateDir]:
    """Return template folders; each is reachable only as ``<namespace>/<template>``."""


@hookspec
def register_navigation(context: NavigationContext) -> Iterable[NavItem]:
    """Return navigation items for an organisation's menu.

    Called only for plugins that serve ``context.org_type`` and are active there.
    """


@hookspec
def register_statistics() -> Iterable[StatisticContributor]:
    """Return indicators, each defined once by its ``sql`` (aggregates only, never personal data).

    The same ``sql`` gives the organisation's own figure (its home page, under its row-level security)
    and the regional statistics (over a municipality or a region, as the aggregator role), so the two
    cannot disagree. Called on every loaded plugin whenever the indicators are listed (a page, a
    recompute); an indicator is computed only where its plugin is active and serves the organisation's type.
    """


@hookspec
def register_jobs() -> Iterable[JobSpec]:
    """Return background jobs (and periodic ones) for the arq worker."""


@hookspec
def register_migrations() -> Iterable[MigrationBranch]:
    """Return the plugin's Alembic branch for the tables it owns.

    Tenant tables must call :func:`nastavnik.db.rls.enable_tenant_rls` in their migration.
    """


@hookspec
def register_document_templates() -> Iterable[DocumentTemplate]:
    """Offer the plugin's own .docx templates for documents the platform generates (orders, plans, reports).

    Each template replaces the platform's default for one document code in organisations of the
    plugin's types (or of the types it names) where the plugin is active; a region's own upload
    of the same document takes precedence. Called once at start-up, synchronously: an unknown code,
    a missing file or a type the plugin does not serve refuses to start, and so do two plugins
    offering the same document for the same type. The template sees the same fields as the
    default one (docs/plugins.md lists them).
    """


@hookspec
def group_started(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> Awaitable[None] | None:
    """A mentoring pair or group starts working: the order that forms it has just been issued.

    ``db`` is the order's own session and transaction: an implementation writes through it and never
    commits, so that the order and everything the event brings stand or fall together. Called once
    per group, in the organisation ``ctx`` names, on the default plugins and the plugins active
    there, in registration order; an implementation may be async (it is awaited). The core gives the
    pair's members their start questionnaires here.
    """


@hookspec
def group_ended(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> Awaitable[None] | None:
    """A mentoring pair or group has ended, completed or early; otherwise as :func:`group_started`.

    The core gives the pair's members their final questionnaires here.
    """


@hookspec
def register_audit_titles() -> AuditTitles:
    """Title the plugin's audited object types and label its form and API fields, in Russian.

    Parameters: none. Called once at start-up (while the plugins are validated), synchronously: do
    not return an awaitable. Return an :class:`~nastavnik.types.AuditTitles`; ``objects`` maps the
    ``object_type`` the plugin passes to ``audit_record`` to its title in the auditor's log and export,
    ``fields`` maps a field code of its forms and bodies to the label shown beside a refused field.

    Results are combined into one dict of object titles and one dict of field labels over every loaded
    plugin, the core's own (a default plugin) included. A key given twice (by two plugins, or by a plugin
    for an object type or a field the core already titles) is refused with ``PluginError``, and so is a
    plugin's object type that does not start with ``<plugin name>.``. A plugin need not label a field the
    core already labels (``title``, ``starts_on``): the core's label is shown. An object type nobody
    titles is shown by its code.
    """
