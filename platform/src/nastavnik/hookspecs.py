"""Hook specifications: everything a plugin can contribute to Nastavnik.

A hook is named ``register_*`` by what it contributes, or after the event it answers
(``group_started``, ``plugins_loaded``). Each specification below says, in its
docstring and in docs/plugins.md (tests/plugins/test_contract.py holds the two together):

* **Parameters** — what the core passes (keyword arguments; an implementation may take fewer).
* **Called** — when and how often. There are two kinds of hook, marked with :func:`called`:

  - :attr:`Call.STARTUP` hooks are called once per process, by ``nastavnik.plugins.load_plugins``, on
    every loaded plugin, synchronously; their results are checked and kept for the life of the
    process. An ``async def`` implementation (or one that returns an awaitable) refuses to start
    with a ``PluginError`` naming the plugin and the hook.
  - :attr:`Call.REQUEST` hooks are called while a request is served, only on the plugins active in
    its organisation; an implementation may be ``async def``, and the core awaits it.

* **Returns** and **Combined** — what an implementation returns and how the results of several
  plugins become one: lists are flattened in plugin order (the default plugins first, then the
  installed ones by entry-point name, then any given explicitly); ``None`` contributes nothing; a
  conflict (two plugins claiming one name) refuses to start rather than letting one win.

Hook implementation options (``tryfirst``, ``trylast``, ``wrapper``, ``hookwrapper``) are refused at
start-up: the core combines the results itself, nothing is chained. Calling code never names a hook
as a string: ``nastavnik.plugins.Plugins`` has one typed method per hook.

New hooks are appended at the end of this module, each with ``@hookspec`` and ``@called(...)``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

import pluggy
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.types import (
    AssociationKind,
    AuditTitles,
    DictionaryEntry,
    DocumentTemplate,
    JobSpec,
    MigrationBranch,
    NavigationContext,
    NavItem,
    OrganisationType,
    PluginRoutes,
    QuestionnaireDefault,
    StatisticContributor,
    TemplateDir,
)

if TYPE_CHECKING:
    from nastavnik.plugins import Plugins
    from nastavnik.tenancy import OrgContext

PROJECT_NAME = "nastavnik"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

CALL_ATTRIBUTE = "nastavnik_call"

_Spec = TypeVar("_Spec", bound=Callable[..., object])


class Call(StrEnum):
    """When the core calls a hook, and so whether its implementation may be async."""

    STARTUP = "startup"
    """Once per process at start-up, synchronously: ``async def`` is refused."""
    REQUEST = "request"
    """While a request is served, on the plugins active in its organisation: may be ``async def``."""


def called(when: Call) -> Callable[[_Spec], _Spec]:
    """Mark a hook specification with when the core calls it."""

    def mark(spec: _Spec) -> _Spec:
        setattr(spec, CALL_ATTRIBUTE, when)
        return spec

    return mark


def when_called(spec: Callable[..., object]) -> Call:
    """When the core calls ``spec``; a specification without a mark is treated as a start-up hook."""
    when = getattr(spec, CALL_ATTRIBUTE, Call.STARTUP)
    return Call(when)


@hookspec
@called(Call.STARTUP)
def register_organisation_types() -> Iterable[OrganisationType]:
    """Declare the organisation types this plugin serves, with the mentoring regimes each runs.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``OrganisationType`` items (``None``: none).
    Combined: into ``Plugins.organisation_types()``, keyed by code and ordered by title; a code
    declared by two plugins refuses to start. An organisation may be created only with a declared type.
    """


@hookspec
@called(Call.STARTUP)
def register_dictionaries() -> Iterable[DictionaryEntry]:
    """Offer entries of the four mentoring dictionaries: forms, role models, kinds and durations.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously; the entries are kept.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``DictionaryEntry`` items (``None``: none).
    Combined: flattened in plugin order (``Plugins.dictionaries(active)``); an organisation is shown the
    entries of the plugins active there, for its type and the regimes it runs, as its region words them.
    """


@hookspec
@called(Call.STARTUP)
def register_routes() -> PluginRoutes:
    """Return the plugin's page and API handlers, mounted under the plugin's own namespace.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no (the handlers themselves are async); an ``async def`` implementation refuses to start.
    Returns: one ``PluginRoutes`` (``None``: no routes).
    Combined: one ``PluginRoutes`` per plugin (``Plugins.routes()``), mounted in plugin order: ``pages``
    under ``/o/{slug}/p/<plugin>``, ``api`` under ``/api/o/{slug}/p/<plugin>``, reachable only in
    organisations where the plugin is active; handlers ask for ``ctx: PluginCtx`` (a narrow
    ``PluginContext``). ``root_pages``/``root_api`` are for default plugins only (the core's own routes):
    any other plugin returning them refuses to start.
    """


@hookspec
@called(Call.STARTUP)
def register_template_dirs() -> Iterable[TemplateDir]:
    """Return folders of Jinja templates; each is reachable only as ``<namespace>/<template>``.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``TemplateDir`` items (``None``: none).
    Combined: flattened in plugin order into ``Plugins.template_dirs()``; a plugin's namespace is its own
    name (default plugins excepted), and a namespace claimed twice refuses to start.
    """


@hookspec
@called(Call.REQUEST)
def register_navigation(
    context: NavigationContext,
) -> Iterable[NavItem] | Awaitable[Iterable[NavItem]]:
    """Return navigation items for an organisation's menu.

    Parameters: ``context``, the organisation's slug and type, the person's programme roles and category
    there, the plugins active there, the shapes of the methodical work it has (``associations``) and the
    purposes of the questionnaires the active plugins offer it (``offered_questionnaires``).
    Called: on every page rendered inside an organisation, once per page, only on the plugins active
    there (serving its type and not switched off).
    Async: yes; an ``async def`` implementation is awaited.
    Returns: ``NavItem`` items (``None``: none).
    Combined: flattened (``await Plugins.navigation(context, active)``), items whose ``roles`` miss the
    person's roles dropped, sorted by ``order`` then title.
    """


@hookspec
@called(Call.STARTUP)
def register_statistics() -> Iterable[StatisticContributor]:
    """Return indicators, each defined once by its ``sql`` (aggregates only, never personal data).

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously; the definitions are kept.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``StatisticContributor`` items (``None``: none); an unknown ``kind``, the kind ``breakdown``
    without ``breakdowns=True``, or a ``default_target`` on anything but a share (or outside 0–100)
    refuses to start.
    Combined: flattened in plugin order, with the plugin that offers each (``Plugins.statistics(active)``);
    a key offered twice refuses to start. The result is the whole catalogue of indicators: the core's own
    come through its default plugin, first, and nothing else registers one; the regional recompute, the
    dashboards, the reports and the organisation's statistics page show these, in this order (its home
    page: those with ``on_home_page``, the last loaded plugin's first). The same ``sql`` gives the
    organisation's own figure (under its row-level security) and the regional statistics (over a
    municipality or a region, as the aggregator role), so the two cannot disagree; an indicator is
    computed only where its plugin is active and serves the organisation's type.
    """


@hookspec
@called(Call.STARTUP)
def register_jobs() -> Iterable[JobSpec]:
    """Return background jobs (and periodic ones) for the arq worker.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no (the job functions themselves are async); an ``async def`` implementation refuses to start.
    Returns: ``JobSpec`` items (``None``: none).
    Combined: flattened in plugin order (``Plugins.jobs()``); a job name registered twice refuses to start.
    A plugin's job function receives a narrow ``JobContext`` first; the core's receive arq's context.
    """


@hookspec
@called(Call.STARTUP)
def register_migrations() -> Iterable[MigrationBranch]:
    """Return the plugin's Alembic branch for the tables it owns.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously; ``nastavnik db upgrade``
    migrates the core and every branch.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``MigrationBranch`` items (``None``: none).
    Combined: flattened in plugin order (``Plugins.migrations()``); a plugin's branch label is its own
    name, its versions folder must exist, and a label given twice refuses to start. Tenant tables must
    call :func:`nastavnik.db.rls.enable_tenant_rls` in their migration.
    """


@hookspec
@called(Call.STARTUP)
def register_document_templates() -> Iterable[DocumentTemplate]:
    """Offer the plugin's own .docx templates for documents the platform generates (orders, plans, reports).

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously; each template is
    filled with its document's sample data then.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``DocumentTemplate`` items (``None``: none).
    Combined: by (document code, organisation type) into ``Plugins.document_templates()``. Each template
    replaces the platform's default for one document in organisations of the plugin's types (or of the
    types it names) where the plugin is active; a region's own upload of the same document takes
    precedence. An unknown code, a missing file, a type the plugin does not serve, a template that cannot
    be filled, or two plugins offering the same document for the same type refuse to start.
    """


@hookspec
@called(Call.STARTUP)
def register_audit_titles() -> AuditTitles:
    """Title the plugin's audited object types and label its form and API fields, in Russian.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: an :class:`~nastavnik.types.AuditTitles`: ``objects`` maps the ``object_type`` the plugin
    passes to ``audit_record`` to its title in the auditor's log and export; ``fields`` maps a field code
    of its forms and bodies to the label shown beside a refused field (``None``: nothing).
    Combined: into one dict of object titles and one of field labels over every loaded plugin, the core's
    own included (``Plugins.audit_titles()``). A key given twice, or a plugin's object type that does not
    start with ``<plugin name>.``, refuses to start. A field the core already labels keeps the core's
    label; an object type nobody titles is shown by its code.
    """


@hookspec
@called(Call.REQUEST)
def group_started(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> Awaitable[None] | None:
    """A mentoring pair or group starts working: the order that forms it has just been issued.

    Parameters: ``db``, the order's own session and transaction (write through it, never commit: the
    order and what its event brings stand or fall together); ``ctx``, the organisation and the acting
    person; ``programme_id`` and ``group_id``, the group that starts.
    Called: once per group the order starts, inside the order's transaction, on the default plugins and
    the plugins active in the organisation.
    Async: yes; an ``async def`` implementation is awaited.
    Returns: nothing.
    Combined: every implementation runs, in plugin order (``await Plugins.group_started(...)``); an
    exception refuses the order. The core gives the pair's members their start questionnaires.
    """


@hookspec
@called(Call.REQUEST)
def group_ended(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> Awaitable[None] | None:
    """A mentoring pair or group has ended, completed or early.

    Parameters: as :func:`group_started`, in the transaction that ends the group.
    Called: once per group that ends, on the default plugins and the plugins active in the organisation.
    Async: yes; an ``async def`` implementation is awaited.
    Returns: nothing.
    Combined: every implementation runs, in plugin order (``await Plugins.group_ended(...)``); an
    exception refuses the ending. The core gives the pair's members their final questionnaires.
    """


@hookspec
@called(Call.STARTUP)
def plugins_loaded(plugins: Plugins) -> None:
    """Check, once everything is collected, what the loaded plugins offer, and refuse to start if it is wrong.

    Parameters: ``plugins``, the loaded plugins with every start-up hook's results collected.
    Called: once per process at start-up, after the other start-up hooks, on every loaded plugin,
    synchronously.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: nothing; raise ``nastavnik.PluginError`` with the reason to refuse to start.
    Combined: every implementation runs, in plugin order; the first refusal stops the start. The core
    checks the plugins' document templates here: a known document code, a template its sample data fills.
    """


@hookspec
@called(Call.STARTUP)
def register_associations() -> Iterable[AssociationKind]:
    """Offer shapes of the methodical work (clubs, decades, councils, creative groups) in the plugin's words.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously.
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``AssociationKind`` items (``None``: none); a type the plugin does not serve, or a kind
    without event forms, refuses to start.
    Combined: by (shape, organisation type) into ``Plugins.associations()``; two plugins offering the
    same shape for the same type refuse to start. The core's building block runs each offered shape
    (pages, API, documents) in organisations of those types where the offering plugin is active;
    switched off, the shape disappears there, its records kept. Its indicators come through the plugin's
    ``register_statistics``: ``methodical_statistics(PLUGIN.name, kinds)``.
    """


@hookspec
@called(Call.STARTUP)
def register_questionnaire_templates() -> Iterable[QuestionnaireDefault]:
    """Offer default questionnaire templates (the diagnostics of young teachers' difficulties) as data.

    Parameters: none.
    Called: once per process at start-up, on every loaded plugin, synchronously; ``nastavnik db upgrade``
    makes each one a platform default template (a changed one its next published version).
    Async: no; an ``async def`` implementation refuses to start.
    Returns: ``QuestionnaireDefault`` items (``None``: none); a code that does not start with
    ``<plugin>_``, a type the plugin does not serve, or an item the region's editor would refuse, refuses
    to start.
    Combined: flattened in plugin order (``Plugins.questionnaire_defaults(active, org_type)``); a code
    offered twice refuses to start. A template is given only in organisations of its types where its
    plugin is active; a region edits it copy-on-write like the platform's other defaults.
    """
