"""Loading, validating and calling plugins.

Plugins are distributions that expose a module through the ``nastavnik`` entry-point
group; the module carries a :class:`~nastavnik.types.PluginInfo` as ``PLUGIN`` and
hook implementations marked with :data:`~nastavnik.hookspecs.hookimpl`. The core's own
features are registered the same way, as default plugins.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import entry_points, version
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import hookspecs
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES
from nastavnik.types import AuditTitles, DocumentTemplate, OrganisationType, PluginInfo

if TYPE_CHECKING:
    from nastavnik.tenancy import OrgContext

ENTRY_POINT_GROUP = "nastavnik"
DEFAULT_PLUGINS = ("nastavnik.default_plugins.core",)


class PluginError(RuntimeError):
    """A plugin cannot be loaded: its declaration is wrong or does not fit this core."""


def core_version() -> str:
    return version("nastavnik")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


async def resolve(value: Any) -> Any:
    """Await a hook result if it is awaitable: implementations may be sync or async."""
    return await value if inspect.isawaitable(value) else value


@dataclass(frozen=True, slots=True)
class LoadedPlugin:
    info: PluginInfo
    module: ModuleType
    default: bool

    @property
    def name(self) -> str:
        return self.info.name

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


class Plugins:
    """The loaded plugins and a pluggy manager over them."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.loaded: dict[str, LoadedPlugin] = {}
        self._templates: dict[tuple[str, str], OfferedTemplate] | None = None
        self._audit_titles: AuditTitles | None = None

    def register(self, module: ModuleType, *, default: bool = False) -> LoadedPlugin:
        info = getattr(module, "PLUGIN", None)
        if not isinstance(info, PluginInfo):
            raise PluginError(f"{module.__name__}: a plugin module must define PLUGIN = PluginInfo(...)")
        if info.name in self.loaded:
            raise PluginError(f"two plugins are named {info.name!r}")
        plugin = LoadedPlugin(info=info, module=module, default=default)
        self.pm.register(module, name=info.name)
        self.loaded[info.name] = plugin
        self._templates = self._audit_titles = None
        return plugin

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def by_module(self, module: object) -> LoadedPlugin:
        name = self.pm.get_name(module)
        if name is None:
            raise PluginError(f"{module!r} is not registered")
        return self.loaded[name]

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[LoadedPlugin, Any]]:
        """Call one hook on every plugin that implements it, keeping who returned what."""
        caller = getattr(self.pm.hook, hook_name)
        results = []
        for impl in caller.get_hookimpls():
            value = impl.function(**kwargs)
            if value is not None:
                results.append((self.by_module(impl.plugin), value))
        return results

    def call_for(self, hook_name: str, active: Iterable[str], **kwargs: Any) -> list[Any]:
        """Call a hook only on the named (active) plugins."""
        keep = set(active)
        removed = [p.module for name, p in self.loaded.items() if name not in keep]
        caller = self.pm.subset_hook_caller(hook_name, remove_plugins=removed)
        return list(caller(**kwargs))

    def flatten(self, hook_name: str, **kwargs: Any) -> list[Any]:
        items: list[Any] = []
        for result in getattr(self.pm.hook, hook_name)(**kwargs):
            items.extend(result)
        return items

    async def group_started(
        self, db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
    ) -> None:
        """Tell the plugins active in the organisation that a group started (``group_started``)."""
        caller = self._subset(self.pm.hook.group_started, ctx.active_plugins)
        for result in caller(db=db, ctx=ctx, programme_id=programme_id, group_id=group_id):
            await resolve(result)

    async def group_ended(
        self, db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
    ) -> None:
        """Tell the plugins active in the organisation that a group ended (``group_ended``)."""
        caller = self._subset(self.pm.hook.group_ended, ctx.active_plugins)
        for result in caller(db=db, ctx=ctx, programme_id=programme_id, group_id=group_id):
            await resolve(result)

    def _subset(self, caller: Any, active: Iterable[str]) -> Any:
        keep = set(active)
        removed = [p.module for name, p in self.loaded.items() if name not in keep]
        return self.pm.subset_hook_caller(caller.name, remove_plugins=removed)

    def organisation_types(self) -> dict[str, OrganisationType]:
        return {t.code: t for t in self.flatten("register_organisation_types")}

    def active_for(self, org_type: str, disabled: Iterable[str] = ()) -> list[str]:
        off = set(disabled)
        return [
            name
            for name, plugin in self.loaded.items()
            if plugin.serves(org_type) and (plugin.default or name not in off)
        ]

    def document_templates(self) -> dict[tuple[str, str], OfferedTemplate]:
        """The plugins' document templates by (document code, organisation type), checked once.

        Raises ``PluginError`` for an unknown document, a missing file, a type the plugin does not
        serve, two plugins offering one document for one type, or a template that cannot be filled.
        """
        if self._templates is None:
            self._templates = self._collect_templates()
        return self._templates

    def _collect_templates(self) -> dict[tuple[str, str], OfferedTemplate]:
        # Imported here: rendering pulls in docxtpl, which only this check and the documents need.
        from nastavnik.domain.documents.docx import TemplateBroken
        from nastavnik.domain.documents.samples import render_sample

        every_type = set(self.organisation_types())
        offered: dict[tuple[str, str], OfferedTemplate] = {}
        for plugin, result in self.call_each("register_document_templates"):
            served = every_type if plugin.default else set(plugin.info.organisation_types)
            for template in result:
                if not isinstance(template, DocumentTemplate):
                    raise PluginError(
                        f"plugin {plugin.name!r}: register_document_templates must return"
                        " DocumentTemplate items"
                    )
                if template.code not in DOCUMENT_TITLES:
                    raise PluginError(
                        f"plugin {plugin.name!r} offers a template for an unknown document {template.code!r};"
                        f" known documents: {', '.join(DOCUMENT_TITLES)}"
                    )
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
                try:
                    render_sample(template.code, path.read_bytes())
                except TemplateBroken as exc:
                    raise PluginError(
                        f"plugin {plugin.name!r}: the template of {template.code!r} ({path}) cannot be"
                        f" filled: {exc.message} ({exc.detail or 'no detail'})"
                    ) from exc
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

    def audit_titles(self) -> AuditTitles:
        """Every plugin's audit object titles and field labels (``register_audit_titles``), the core's
        included, combined once; ``PluginError`` for a key given twice or a plugin's object type outside
        its ``<name>.`` namespace."""
        if self._audit_titles is None:
            objects: dict[str, str] = {}
            fields: dict[str, str] = {}
            titled_by: dict[tuple[str, str], str] = {}
            for plugin, titles in self.call_each("register_audit_titles"):
                if not isinstance(titles, AuditTitles):
                    raise PluginError(
                        f"plugin {plugin.name!r}: register_audit_titles must return AuditTitles"
                    )
                own = f"{plugin.name}."
                stray = [key for key in titles.objects if not (plugin.default or key.startswith(own))]
                if stray:
                    raise PluginError(
                        f"plugin {plugin.name!r}: audited object types {stray} must start with {own!r}"
                    )
                for kind, given, into in (
                    ("object", titles.objects, objects),
                    ("field", titles.fields, fields),
                ):
                    for key, title in given.items():
                        if (kind, key) in titled_by:
                            raise PluginError(
                                f"the {kind} {key!r} is titled by both {titled_by[kind, key]!r}"
                                f" and {plugin.name!r}"
                            )
                        into[key], titled_by[kind, key] = title, plugin.name
            self._audit_titles = AuditTitles(objects, fields)
        return self._audit_titles

    def validate(self) -> None:
        """Start-up checks: unknown hooks, version ranges, declared organisation types, document templates."""
        self.pm.check_pending()
        current = _version_tuple(core_version())
        types_by_plugin: dict[str, set[str]] = {}
        for plugin, result in self.call_each("register_organisation_types"):
            types_by_plugin.setdefault(plugin.name, set()).update(t.code for t in result)
        seen_types: dict[str, str] = {}
        for name, plugin in self.loaded.items():
            info = plugin.info
            if current < _version_tuple(info.min_core_version) or (
                info.max_core_version is not None and current >= _version_tuple(info.max_core_version)
            ):
                upper = f", < {info.max_core_version}" if info.max_core_version else ""
                raise PluginError(
                    f"plugin {name!r} {info.version} needs nastavnik >= {info.min_core_version}{upper};"
                    f" this is {core_version()}"
                )
            if plugin.default:
                continue
            if not info.organisation_types:
                raise PluginError(f"plugin {name!r} declares no organisation types it serves")
            offered = types_by_plugin.get(name, set())
            for code in info.organisation_types:
                if code in offered:
                    if code in seen_types:
                        raise PluginError(
                            f"organisation type {code!r} is declared by {seen_types[code]!r} and {name!r}"
                        )
                    seen_types[code] = name
        all_types = set(seen_types) | {c for codes in types_by_plugin.values() for c in codes}
        for name, plugin in self.loaded.items():
            unknown = set(plugin.info.organisation_types) - all_types
            if unknown:
                raise PluginError(f"plugin {name!r} serves unknown organisation types: {sorted(unknown)}")
        self._templates = self._audit_titles = None
        self.document_templates()
        self.audit_titles()


def load_plugins(
    names: Sequence[str] | None = None,
    *,
    entry_point_plugins: bool = True,
    extra_modules: Sequence[ModuleType] = (),
) -> Plugins:
    """Register the default plugins, then the installed ones (all, or only ``names``), then validate."""
    plugins = Plugins()
    for dotted in DEFAULT_PLUGINS:
        plugins.register(import_module(dotted), default=True)
    if entry_point_plugins:
        wanted = set(names) if names is not None else None
        found = set()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
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
    plugins.validate()
    return plugins


def plugin_names_from_setting(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [n.strip() for n in value.split(",") if n.strip()]
