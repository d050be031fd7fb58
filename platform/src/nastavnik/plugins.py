"""Loading, validating and calling plugins.

Plugins are distributions that expose a module through the ``nastavnik`` entry-point
group; the module carries a :class:`~nastavnik.types.PluginInfo` as ``PLUGIN`` and
hook implementations marked with :data:`~nastavnik.hookspecs.hookimpl`. The core's own
features are registered the same way, as default plugins.

:class:`Plugins` calls the hooks, one typed method per hook; no caller names a hook by a string.
Start-up hooks (:attr:`~nastavnik.hookspecs.Call.STARTUP`) are called once, by :meth:`Plugins.validate`,
and what they return is checked and kept; request hooks are called, and awaited, per request.
"""

from __future__ import annotations

import inspect
import os
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_args

import msgspec
import msgspec.inspect
import pluggy
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import hookspecs
from nastavnik.hookspecs import Call, when_called
from nastavnik.plugin_info import (
    NoSettings,
    PluginError,
    check_core_version,
    core_version,
    setting_fields,
    setting_variable,
)
from nastavnik.types import (
    AssociationKind,
    AuditTitles,
    DictionaryEntry,
    DocumentTemplate,
    IndicatorKind,
    JobSpec,
    MigrationBranch,
    NavigationContext,
    NavItem,
    OrganisationType,
    PluginInfo,
    PluginRoutes,
    QuestionnaireDefault,
    QuestionnairePurpose,
    StatisticContributor,
    TemplateDir,
)

if TYPE_CHECKING:
    from nastavnik.tenancy import OrgContext

__all__ = ["LoadedPlugin", "PluginError", "Plugins", "load_plugins", "plugin_names_from_setting", "resolve"]

ENTRY_POINT_GROUP = "nastavnik"
DEFAULT_PLUGINS = ("nastavnik.default_plugins.core",)
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

_T = TypeVar("_T")
_R = TypeVar("_R")
_F = TypeVar("_F", bound=Callable[..., object])


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable (a statistic's ``compute`` may be a plain function)."""
    return await value if inspect.isawaitable(value) else value


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    info: PluginInfo
    module: ModuleType
    default: bool

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def settings_schema(self) -> type[msgspec.Struct]:
        """The plugin's per-organisation settings (:class:`NoSettings` when it declares none)."""
        return self.info.org_settings or NoSettings

    def serves(self, org_type: str) -> bool:
        """Default plugins serve every organisation; others only the types they declare."""
        return self.default or org_type in self.info.organisation_types


@dataclass(frozen=True, slots=True)
class OfferedTemplate:
    """A plugin's template of one document for one organisation type, as checked at start-up."""

    plugin: str
    plugin_title: str
    code: str
    organisation_type: str
    path: Path


@dataclass(frozen=True, slots=True)
class OfferedAssociation:
    """A shape of the methodical work as one plugin offers it to one organisation type."""

    plugin: str
    organisation_type: str
    kind: AssociationKind


@dataclass(frozen=True, slots=True)
class OfferedQuestionnaire:
    """A plugin's default questionnaire template with the organisation types it is given in."""

    plugin: str
    template: QuestionnaireDefault
    organisation_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Collected:
    """What the start-up hooks returned, checked once."""

    organisation_types: dict[str, OrganisationType]
    dictionaries: tuple[tuple[LoadedPlugin, DictionaryEntry], ...]
    routes: tuple[tuple[LoadedPlugin, PluginRoutes], ...]
    template_dirs: tuple[TemplateDir, ...]
    statistics: tuple[tuple[LoadedPlugin, StatisticContributor], ...]
    jobs: tuple[tuple[LoadedPlugin, JobSpec], ...]
    migrations: tuple[MigrationBranch, ...]
    document_templates: dict[tuple[str, str], OfferedTemplate]
    audit_titles: AuditTitles
    associations: dict[tuple[str, str], OfferedAssociation]
    questionnaires: tuple[OfferedQuestionnaire, ...]
    config: dict[str, dict[str, str]]


def _hook_name(spec: Callable[..., object]) -> str:
    name: str = getattr(spec, "__name__")  # noqa: B009 - a hook specification is a plain function
    return name


def _items(plugin: LoadedPlugin, spec: Callable[..., object], result: object, kind: type[_T]) -> list[_T]:
    """The items a hook returned, each checked to be a ``kind``."""
    hook = _hook_name(spec)
    if isinstance(result, str | bytes | kind) or not isinstance(result, Iterable):
        raise PluginError(
            f"plugin {plugin.name!r}: {hook} must return an iterable of {kind.__name__},"
            f" not {type(result).__name__}"
        )
    items = list(result)
    for item in items:
        if not isinstance(item, kind):
            raise PluginError(
                f"plugin {plugin.name!r}: {hook} returned a {type(item).__name__} ({item!r:.80});"
                f" it must return {kind.__name__} items"
            )
    return items


def _discard(value: object) -> None:
    close = getattr(value, "close", None)  # an un-awaited coroutine: close it rather than warn later
    if callable(close):
        close()


class Plugins:
    """The loaded plugins, a pluggy manager over them, and one typed method per hook."""

    def __init__(self) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}
        self._collected: _Collected | None = None

    def register(self, module: ModuleType, *, default: bool = False) -> LoadedPlugin:
        info = getattr(module, "PLUGIN", None)
        if not isinstance(info, PluginInfo):
            raise PluginError(f"{module.__name__}: a plugin module must define PLUGIN = PluginInfo(...)")
        if not PLUGIN_NAME.match(info.name):
            raise PluginError(
                f"{module.__name__}: the plugin name {info.name!r} must be lower-case letters, digits and _"
            )
        if info.name in self.loaded:
            raise PluginError(f"two plugins are named {info.name!r}")
        plugin = LoadedPlugin(info=info, module=module, default=default)
        try:
            self._pm.register(module, name=info.name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {info.name!r}: {exc}") from exc
        self.loaded[info.name] = plugin
        self._collected = None
        return plugin

    def unregister(self, name: str) -> None:
        """Unload a plugin (one a test loaded for itself): its hooks are no longer called."""
        plugin = self.loaded.pop(name)
        self._pm.unregister(plugin.module)
        self._collected = None

    # -- calling hooks ------------------------------------------------------------------------------

    def _implementations(
        self, spec: _F, active: Collection[str] | None = None
    ) -> list[tuple[LoadedPlugin, _F]]:
        """The implementations of ``spec``, in plugin order, each callable as the specification is."""
        caller: pluggy.HookCaller = getattr(self._pm.hook, _hook_name(spec))
        by_plugin = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        found = []
        for name, plugin in self.loaded.items():
            impl = by_plugin.get(name)
            if impl is not None and (active is None or name in active):
                found.append((plugin, cast(_F, _bound(impl))))
        return found

    def _startup(self, spec: Callable[[], _R]) -> list[tuple[LoadedPlugin, _R]]:
        """Call a start-up hook on every plugin, synchronously; an awaitable result is refused."""
        results = []
        for plugin, function in self._implementations(spec):
            value = function()
            if inspect.isawaitable(value):
                _discard(value)
                raise PluginError(_async_refused(plugin.name, spec))
            if value is not None:
                results.append((plugin, value))
        return results

    def _state(self) -> _Collected:
        if self._collected is None:
            self.validate()
        assert self._collected is not None
        return self._collected

    def organisation_types(self) -> dict[str, OrganisationType]:
        """``register_organisation_types``: every declared type by its code, in the order of their titles."""
        return dict(self._state().organisation_types)

    def dictionaries(self, active: Iterable[str] | None = None) -> list[DictionaryEntry]:
        """``register_dictionaries``: the entries of the ``active`` plugins (``None``: of every plugin)."""
        keep = None if active is None else set(active)
        return [e for p, e in self._state().dictionaries if keep is None or p.name in keep]

    def routes(self) -> list[tuple[LoadedPlugin, PluginRoutes]]:
        """``register_routes``: each plugin's routes, in plugin order."""
        return list(self._state().routes)

    def template_dirs(self) -> list[TemplateDir]:
        """``register_template_dirs``: every template folder (namespaces unique)."""
        return list(self._state().template_dirs)

    async def navigation(self, context: NavigationContext, active: Iterable[str]) -> list[NavItem]:
        """``register_navigation`` on the ``active`` plugins, awaiting the async implementations."""
        items: list[NavItem] = []
        for plugin, function in self._implementations(hookspecs.register_navigation, set(active)):
            result = function(context=context)
            if inspect.isawaitable(result):
                result = await result
            if result is not None:
                items += _items(plugin, hookspecs.register_navigation, result, NavItem)
        return items

    def statistics(
        self, active: Iterable[str] | None = None
    ) -> list[tuple[LoadedPlugin, StatisticContributor]]:
        """``register_statistics``: each indicator with the plugin offering it (``active``: only theirs)."""
        keep = None if active is None else set(active)
        return [(p, s) for p, s in self._state().statistics if keep is None or p.name in keep]

    def jobs(self) -> list[tuple[LoadedPlugin, JobSpec]]:
        """``register_jobs``: each job with the plugin offering it (names unique)."""
        return list(self._state().jobs)

    def migrations(self) -> list[MigrationBranch]:
        """``register_migrations``: the plugins' Alembic branches (labels unique, each its plugin's name)."""
        return list(self._state().migrations)

    def document_templates(self) -> dict[tuple[str, str], OfferedTemplate]:
        """``register_document_templates``: the templates by (document code, organisation type)."""
        return dict(self._state().document_templates)

    def associations(self) -> dict[tuple[str, str], OfferedAssociation]:
        """``register_associations``: the offered shapes by (shape, organisation type)."""
        return dict(self._state().associations)

    def offered_associations(self, org_type: str, active: Iterable[str]) -> dict[str, OfferedAssociation]:
        """The shapes of the methodical work an organisation has, by shape, in menu order: those offered
        for its type by a plugin ``active`` there (a plugin switched off takes its shapes with it)."""
        keep = set(active)
        offered = [
            o for (_, t), o in self._state().associations.items() if t == org_type and o.plugin in keep
        ]
        offered.sort(key=lambda o: (o.kind.nav_order, o.kind.shape.value))
        return {o.kind.shape.value: o for o in offered}

    def audit_titles(self) -> AuditTitles:
        """``register_audit_titles``: every plugin's object titles and field labels, the core's included."""
        return self._state().audit_titles

    def questionnaire_defaults(
        self, active: Iterable[str] | None = None, org_type: str | None = None
    ) -> list[OfferedQuestionnaire]:
        """``register_questionnaire_templates``: the templates of the ``active`` plugins (``None``: of every
        plugin) offered for ``org_type`` (``None``: for any type), in plugin order."""
        keep = None if active is None else set(active)
        return [
            q
            for q in self._state().questionnaires
            if (keep is None or q.plugin in keep) and (org_type is None or org_type in q.organisation_types)
        ]

    async def group_started(
        self, db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
    ) -> None:
        """``group_started`` on the default plugins and those active in ``ctx``'s organisation, awaited."""
        await self._announce(hookspecs.group_started, db, ctx, programme_id, group_id)

    async def group_ended(
        self, db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
    ) -> None:
        """``group_ended`` on the default plugins and those active in ``ctx``'s organisation, awaited."""
        await self._announce(hookspecs.group_ended, db, ctx, programme_id, group_id)

    async def _announce(
        self,
        spec: Callable[..., object],
        db: AsyncSession,
        ctx: OrgContext,
        programme_id: uuid.UUID,
        group_id: uuid.UUID,
    ) -> None:
        """A group's event, to every implementation in plugin order, each awaited before the next."""
        for _plugin, function in self._implementations(spec, set(ctx.active_plugins)):
            await resolve(function(db=db, ctx=ctx, programme_id=programme_id, group_id=group_id))

    def config(self, name: str) -> dict[str, str]:
        """A plugin's process-wide settings (its ``required_settings``), read from the environment."""
        return dict(self._state().config.get(name, {}))

    def active_for(self, org_type: str, disabled: Iterable[str] = ()) -> list[str]:
        off = set(disabled)
        return [
            name
            for name, plugin in self.loaded.items()
            if plugin.serves(org_type) and (plugin.default or name not in off)
        ]

    # -- start-up checks ----------------------------------------------------------------------------

    def validate(self, environ: Mapping[str, str] | None = None) -> None:
        """Start-up checks, then every start-up hook called once and its results checked and kept.

        Refuses (``PluginError``) unknown hooks, implementation options, async implementations of start-up
        hooks, versions out of range, missing required settings, unusable ``org_settings``, and whatever
        a hook returns that does not fit (each hook's documentation says what).
        """
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(str(exc)) from exc
        self._check_implementations()
        current = core_version()
        for plugin in self.loaded.values():
            check_core_version(plugin.info, current)
            if plugin.info.org_settings is not None:
                schema = plugin.info.org_settings
                if not (isinstance(schema, type) and issubclass(schema, msgspec.Struct)):
                    raise PluginError(f"plugin {plugin.name!r}: org_settings must be a msgspec.Struct class")
                setting_fields(plugin.name, schema)
                try:
                    msgspec.convert(msgspec.to_builtins(schema()), schema)
                except msgspec.ValidationError as exc:
                    raise PluginError(
                        f"plugin {plugin.name!r}: a default of org_settings breaks its own bounds: {exc}"
                    ) from exc
        config = self._read_config(os.environ if environ is None else environ)
        types = self._collect_organisation_types()
        self._collected = _Collected(
            organisation_types=types,
            dictionaries=tuple(
                (plugin, entry)
                for plugin, result in self._startup(hookspecs.register_dictionaries)
                for entry in _items(plugin, hookspecs.register_dictionaries, result, DictionaryEntry)
            ),
            routes=self._collect_routes(),
            template_dirs=self._collect_template_dirs(),
            statistics=self._collect_statistics(),
            jobs=self._collect_jobs(),
            migrations=self._collect_migrations(),
            document_templates=self._collect_templates(set(types)),
            audit_titles=self._collect_audit_titles(),
            associations=self._collect_associations(),
            questionnaires=self._collect_questionnaires(set(types)),
            config=config,
        )
        for plugin, function in self._implementations(hookspecs.plugins_loaded):
            result = function(plugins=self)
            if inspect.isawaitable(result):
                _discard(result)
                raise PluginError(_async_refused(plugin.name, hookspecs.plugins_loaded))

    def _check_implementations(self) -> None:
        for spec in _hook_specs():
            caller: pluggy.HookCaller = getattr(self._pm.hook, _hook_name(spec))
            for impl in caller.get_hookimpls():
                options = [o for o in ("tryfirst", "trylast", "wrapper", "hookwrapper") if getattr(impl, o)]
                if options:
                    raise PluginError(
                        f"plugin {impl.plugin_name!r}: {_hook_name(spec)} is marked {', '.join(options)};"
                        " the core combines every plugin's results itself, so these options are refused"
                    )
                function = impl.function
                if when_called(spec) is Call.STARTUP and (
                    inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)
                ):
                    raise PluginError(_async_refused(impl.plugin_name, spec))

    def _read_config(self, environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
        config: dict[str, dict[str, str]] = {}
        for name, plugin in self.loaded.items():
            values = config.setdefault(name, {})
            for setting in plugin.info.required_settings:
                variable = setting_variable(name, setting)
                value = environ.get(variable, "").strip()
                if not value:
                    raise PluginError(
                        f"plugin {name!r} needs the setting {setting!r}:"
                        f" set the environment variable {variable}"
                    )
                values[setting] = value
        return config

    def _collect_organisation_types(self) -> dict[str, OrganisationType]:
        types: dict[str, OrganisationType] = {}
        declared_by: dict[str, str] = {}
        for plugin, result in self._startup(hookspecs.register_organisation_types):
            for org_type in _items(plugin, hookspecs.register_organisation_types, result, OrganisationType):
                if org_type.code in declared_by:
                    raise PluginError(
                        f"organisation type {org_type.code!r} is declared by {declared_by[org_type.code]!r}"
                        f" and {plugin.name!r}"
                    )
                declared_by[org_type.code] = plugin.name
                types[org_type.code] = org_type
        # Shown to people in this order (lists, choices, joined titles): by title, not by who declared it.
        types = dict(sorted(types.items(), key=lambda item: (item[1].title, item[0])))
        for name, plugin in self.loaded.items():
            if plugin.default:
                continue
            if not plugin.info.organisation_types:
                raise PluginError(f"plugin {name!r} declares no organisation types it serves")
            unknown = set(plugin.info.organisation_types) - set(types)
            if unknown:
                raise PluginError(f"plugin {name!r} serves unknown organisation types: {sorted(unknown)}")
        return types

    def _collect_routes(self) -> tuple[tuple[LoadedPlugin, PluginRoutes], ...]:
        found = []
        for plugin, routes in self._startup(hookspecs.register_routes):
            if not isinstance(routes, PluginRoutes):
                raise PluginError(
                    f"plugin {plugin.name!r}: register_routes must return PluginRoutes,"
                    f" not {type(routes).__name__}"
                )
            if (routes.root_pages or routes.root_api) and not plugin.default:
                raise PluginError(
                    f"plugin {plugin.name!r}: root_pages and root_api are for the core's default plugins;"
                    f" a plugin's routes live under /o/{{slug}}/p/{plugin.name}"
                )
            found.append((plugin, routes))
        return tuple(found)

    def _collect_template_dirs(self) -> tuple[TemplateDir, ...]:
        dirs: list[TemplateDir] = []
        claimed: dict[str, str] = {}
        for plugin, result in self._startup(hookspecs.register_template_dirs):
            for folder in _items(plugin, hookspecs.register_template_dirs, result, TemplateDir):
                if not plugin.default and folder.namespace != plugin.name:
                    raise PluginError(
                        f"plugin {plugin.name!r}: its template namespace must be its name,"
                        f" not {folder.namespace!r}"
                    )
                if claimed.get(folder.namespace, plugin.name) != plugin.name:
                    raise PluginError(
                        f"the template namespace {folder.namespace!r} is claimed by"
                        f" {claimed[folder.namespace]!r}"
                        f" and {plugin.name!r}"
                    )
                claimed[folder.namespace] = plugin.name
                dirs.append(folder)
        return tuple(dirs)

    def _collect_statistics(self) -> tuple[tuple[LoadedPlugin, StatisticContributor], ...]:
        found: list[tuple[LoadedPlugin, StatisticContributor]] = []
        offered_by: dict[str, str] = {}
        for plugin, result in self._startup(hookspecs.register_statistics):
            for contributor in _items(plugin, hookspecs.register_statistics, result, StatisticContributor):
                if contributor.key in offered_by:
                    raise PluginError(
                        f"the statistic {contributor.key!r} is offered by {offered_by[contributor.key]!r}"
                        f" and {plugin.name!r}"
                    )
                _check_statistic(plugin, contributor)
                offered_by[contributor.key] = plugin.name
                found.append((plugin, contributor))
        return tuple(found)

    def _collect_jobs(self) -> tuple[tuple[LoadedPlugin, JobSpec], ...]:
        found: list[tuple[LoadedPlugin, JobSpec]] = []
        offered_by: dict[str, str] = {}
        for plugin, result in self._startup(hookspecs.register_jobs):
            for spec in _items(plugin, hookspecs.register_jobs, result, JobSpec):
                if spec.name in offered_by:
                    raise PluginError(
                        f"the job {spec.name!r} is registered by {offered_by[spec.name]!r}"
                        f" and {plugin.name!r}"
                    )
                if not inspect.iscoroutinefunction(spec.function):
                    raise PluginError(
                        f"plugin {plugin.name!r}: the job {spec.name!r} must be an async function"
                    )
                offered_by[spec.name] = plugin.name
                found.append((plugin, spec))
        return tuple(found)

    def _collect_migrations(self) -> tuple[MigrationBranch, ...]:
        found: list[MigrationBranch] = []
        for plugin, result in self._startup(hookspecs.register_migrations):
            for branch in _items(plugin, hookspecs.register_migrations, result, MigrationBranch):
                if branch.label != plugin.name:
                    raise PluginError(
                        f"plugin {plugin.name!r}: its migration branch must be labelled {plugin.name!r},"
                        f" not {branch.label!r}"
                    )
                if not Path(branch.versions_dir).is_dir():
                    raise PluginError(
                        f"plugin {plugin.name!r}: the migrations folder is missing: {branch.versions_dir}"
                    )
                if any(b.label == branch.label for b in found):
                    raise PluginError(f"plugin {plugin.name!r} gives its migration branch twice")
                found.append(branch)
        return tuple(found)

    def _collect_templates(self, every_type: set[str]) -> dict[tuple[str, str], OfferedTemplate]:
        """The offered templates by (code, type): files present, types served, one plugin per pair.

        What a document code means and whether a template fills is the documents domain's to check; the
        core's default plugin does it in ``plugins_loaded``.
        """
        offered: dict[tuple[str, str], OfferedTemplate] = {}
        for plugin, result in self._startup(hookspecs.register_document_templates):
            served = every_type if plugin.default else set(plugin.info.organisation_types)
            for template in _items(plugin, hookspecs.register_document_templates, result, DocumentTemplate):
                path = Path(template.path)
                if not path.is_file():
                    raise PluginError(
                        f"plugin {plugin.name!r}: the template of {template.code!r} is missing: {path}"
                    )
                types = set(template.organisation_types) or served
                if types - served:
                    raise PluginError(
                        f"plugin {plugin.name!r} offers a template of {template.code!r} for organisation"
                        f" types it does not serve: {sorted(types - served)}"
                    )
                for org_type in sorted(types):
                    other = offered.get((template.code, org_type))
                    if other is not None:
                        raise PluginError(
                            f"the template of {template.code!r} for {org_type!r} is offered by"
                            f" {other.plugin!r} and {plugin.name!r}"
                        )
                    offered[(template.code, org_type)] = OfferedTemplate(
                        plugin.name, plugin.info.verbose_name, template.code, org_type, path
                    )
        return offered

    def _collect_associations(self) -> dict[tuple[str, str], OfferedAssociation]:
        """The offered shapes by (shape, type): types served, event forms given, one plugin per pair."""
        offered: dict[tuple[str, str], OfferedAssociation] = {}
        for plugin, result in self._startup(hookspecs.register_associations):
            served = set(plugin.info.organisation_types)
            for kind in _items(plugin, hookspecs.register_associations, result, AssociationKind):
                types = set(kind.organisation_types) or served
                if not types or types - served:
                    raise PluginError(
                        f"plugin {plugin.name!r} offers {kind.shape.value!r} for organisation types it"
                        f" does not serve: {sorted(types - served) or 'none named'}"
                    )
                if not kind.event_forms:
                    raise PluginError(
                        f"plugin {plugin.name!r} offers {kind.shape.value!r} without event forms"
                    )
                for org_type in sorted(types):
                    other = offered.get((kind.shape.value, org_type))
                    if other is not None:
                        raise PluginError(
                            f"{kind.shape.value!r} for {org_type!r} is offered by {other.plugin!r} and"
                            f" {plugin.name!r}"
                        )
                    offered[(kind.shape.value, org_type)] = OfferedAssociation(plugin.name, org_type, kind)
        return offered

    def _collect_questionnaires(self, every_type: set[str]) -> tuple[OfferedQuestionnaire, ...]:
        """The offered templates: codes unique and the plugin's own, types served. Whether the items are
        ones a region's editor accepts is the questionnaires domain's to check (``plugins_loaded``)."""
        found: list[OfferedQuestionnaire] = []
        offered_by: dict[str, str] = {}
        hook = hookspecs.register_questionnaire_templates
        for plugin, result in self._startup(hook):
            served = every_type if plugin.default else set(plugin.info.organisation_types)
            for template in _items(plugin, hook, result, QuestionnaireDefault):
                where = f"plugin {plugin.name!r}: the questionnaire template {template.code!r}"
                if template.code in offered_by:
                    raise PluginError(
                        f"the questionnaire template {template.code!r} is offered by"
                        f" {offered_by[template.code]!r} and {plugin.name!r}"
                    )
                if not (plugin.default or template.code.startswith(f"{plugin.name}_")):
                    raise PluginError(f"{where}: its code must start with {plugin.name + '_'!r}")
                if template.purpose not in set(QuestionnairePurpose):
                    raise PluginError(f"{where} has an unknown purpose {template.purpose!r}")
                types = set(template.organisation_types) or served
                if types - served:
                    raise PluginError(
                        f"{where} names organisation types it does not serve: {sorted(types - served)}"
                    )
                offered_by[template.code] = plugin.name
                found.append(OfferedQuestionnaire(plugin.name, template, frozenset(types)))
        return tuple(found)

    def _collect_audit_titles(self) -> AuditTitles:
        objects: dict[str, str] = {}
        fields: dict[str, str] = {}
        titled_by: dict[tuple[str, str], str] = {}
        for plugin, titles in self._startup(hookspecs.register_audit_titles):
            if not isinstance(titles, AuditTitles):
                raise PluginError(f"plugin {plugin.name!r}: register_audit_titles must return AuditTitles")
            own = f"{plugin.name}."
            stray = [key for key in titles.objects if not (plugin.default or key.startswith(own))]
            if stray:
                raise PluginError(
                    f"plugin {plugin.name!r}: audited object types {stray} must start with {own!r}"
                )
            for kind, given, into in (("object", titles.objects, objects), ("field", titles.fields, fields)):
                for key, title in given.items():
                    if (kind, key) in titled_by:
                        raise PluginError(
                            f"the {kind} {key!r} is titled by both {titled_by[kind, key]!r}"
                            f" and {plugin.name!r}"
                        )
                    into[key], titled_by[kind, key] = title, plugin.name
        return AuditTitles(objects, fields)


def _check_statistic(plugin: LoadedPlugin, contributor: StatisticContributor) -> None:
    """A statistic's kind is known, a breakdown has its breakdown column, a default target fits a share."""
    where = f"plugin {plugin.name!r}: the statistic {contributor.key!r}"
    if contributor.kind not in get_args(IndicatorKind):
        raise PluginError(f"{where} has an unknown kind {contributor.kind!r}")
    if contributor.kind == "breakdown" and not contributor.breakdowns:
        raise PluginError(
            f"{where} is a breakdown: its sql must return the breakdown column (breakdowns=True)"
        )
    target = contributor.default_target
    if target is not None:
        if contributor.kind != "share":
            raise PluginError(f"{where} is a {contributor.kind}: only a share has a target")
        if not 0 <= target <= 100:
            raise PluginError(f"{where}: its default target must be a percentage from 0 to 100, not {target}")


def _hook_specs() -> list[Callable[..., object]]:
    """Every hook specification of :mod:`nastavnik.hookspecs`."""
    return [
        member
        for _, member in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(member, f"{hookspecs.PROJECT_NAME}_spec")
    ]


def _bound(impl: pluggy.HookImpl) -> Callable[..., object]:
    """An implementation callable with the specification's keyword arguments (it may take fewer)."""

    def call(**kwargs: object) -> object:
        return impl.function(*(kwargs[name] for name in impl.argnames))

    return call


def _async_refused(plugin: str, spec: Callable[..., object]) -> str:
    return (
        f"plugin {plugin!r}: {_hook_name(spec)} is called once at start-up, synchronously;"
        " its implementation must be a plain function, not async"
    )


def load_plugins(
    names: Sequence[str] | None = None,
    *,
    entry_point_plugins: bool = True,
    extra_modules: Sequence[ModuleType] = (),
    environ: Mapping[str, str] | None = None,
) -> Plugins:
    """Register the default plugins, then the installed ones by entry-point name (all, or only ``names``),
    then ``extra_modules``; validate and call the start-up hooks (``environ``: where the plugins'
    required settings are read, the process's environment by default)."""
    plugins = Plugins()
    for dotted in DEFAULT_PLUGINS:
        plugins.register(import_module(dotted), default=True)
    if entry_point_plugins:
        wanted = set(names) if names is not None else None
        found = set()
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            if wanted is not None and ep.name not in wanted:
                continue
            module = ep.load()
            if not isinstance(module, ModuleType):
                raise PluginError(f"entry point {ep.name!r} must name a module")
            plugins.register(module)
            found.add(ep.name)
        if wanted is not None and wanted - found:
            raise PluginError(f"plugins not installed: {sorted(wanted - found)}")
    for module in extra_modules:
        plugins.register(module)
    plugins.validate(environ)
    return plugins


def plugin_names_from_setting(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [n.strip() for n in value.split(",") if n.strip()]
