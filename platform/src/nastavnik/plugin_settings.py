"""Which plugins are active in an organisation, and their settings there.

A plugin's per-organisation settings are typed by its ``PluginInfo.org_settings`` (a ``msgspec.Struct``
whose fields all have defaults). What a curator sends is validated field by field, each refusal a Russian
message naming the field (``settings.<name>``); what is stored is read back through the same schema, a
stored value that no longer fits (the plugin changed a bound) falling back to the field's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.plugin_info import SettingField, setting_fields
from nastavnik.plugins import LoadedPlugin, Plugins
from nastavnik.tenancy import NotFound, OrgContext

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PluginState:
    name: str
    title: str
    version: str
    default: bool
    enabled: bool
    settings: dict[str, Any]
    fields: tuple[SettingField, ...] = ()
    """The settings a curator may change, in the order the plugin declares them."""


def fields_of(plugin: LoadedPlugin) -> tuple[SettingField, ...]:
    return tuple(setting_fields(plugin.name, plugin.settings_schema))


def read_settings(plugin: LoadedPlugin, stored: dict[str, Any] | None) -> msgspec.Struct:
    """The stored settings through the plugin's schema; a key or value that no longer fits gives way to
    the default (logged), so a plugin upgrade never leaves an organisation without settings."""
    schema = plugin.settings_schema
    known = {f.name for f in fields_of(plugin)}
    kept: dict[str, Any] = {}
    for key, value in (stored or {}).items():
        if key not in known:
            continue
        try:
            msgspec.convert({key: value}, schema)
        except msgspec.ValidationError:
            log.warning("stored plugin setting no longer fits", plugin=plugin.name, setting=key)
            continue
        kept[key] = value
    return msgspec.convert(kept, schema)


def validate_settings(
    plugin: LoadedPlugin, given: dict[str, Any], *, from_form: bool = False
) -> msgspec.Struct:
    """Settings as sent (``from_form``: text from a page form), or InvalidInput naming every bad field."""
    schema = plugin.settings_schema
    fields = {f.name: f for f in fields_of(plugin)}
    errors: list[FieldError] = []
    for key, value in given.items():
        known = fields.get(key)
        if known is None:
            errors.append(FieldError(f"settings.{key}", "у модуля нет такой настройки"))
            continue
        try:
            msgspec.convert({key: value}, schema, strict=not from_form)
        except msgspec.ValidationError:
            errors.append(FieldError(f"settings.{key}", f"ожидается {known.expected()}"))
    if errors:
        raise InvalidInput("Настройки модуля не сохранены: исправьте ошибки.", errors)
    return msgspec.convert(given, schema, strict=not from_form)


async def _stored(db: AsyncSession, ctx: OrgContext) -> dict[str, OrgPluginSetting]:
    return {
        row.plugin: row
        for row in await db.scalars(select(OrgPluginSetting).where(ctx.owns(OrgPluginSetting)))
    }


async def settings_for(db: AsyncSession, ctx: OrgContext, plugin: LoadedPlugin) -> msgspec.Struct:
    """The plugin's settings in the organisation of ``ctx`` (its defaults where none are stored)."""
    stored = await db.scalar(
        select(OrgPluginSetting.settings).where(
            ctx.owns(OrgPluginSetting),
            OrgPluginSetting.org_id == ctx.org.id,
            OrgPluginSetting.plugin == plugin.name,
        )
    )
    return read_settings(plugin, stored)


def _state(plugin: LoadedPlugin, enabled: bool, settings: msgspec.Struct) -> PluginState:
    return PluginState(
        name=plugin.name,
        title=plugin.info.verbose_name,
        version=plugin.info.version,
        default=plugin.default,
        enabled=enabled,
        settings=msgspec.to_builtins(settings),
        fields=fields_of(plugin),
    )


async def plugin_states(db: AsyncSession, ctx: OrgContext, plugins: Plugins) -> list[PluginState]:
    stored = await _stored(db, ctx)
    states = []
    for name, plugin in sorted(plugins.loaded.items()):
        if not plugin.serves(ctx.org.type):
            continue
        row = stored.get(name)
        enabled = plugin.default or (row.enabled if row else True)
        states.append(_state(plugin, enabled, read_settings(plugin, row.settings if row else None)))
    return states


async def configure_plugin(
    db: AsyncSession,
    ctx: OrgContext,
    plugins: Plugins,
    name: str,
    *,
    enabled: bool,
    settings: dict[str, Any] | None,
    from_form: bool = False,
) -> PluginState:
    """Switch a plugin on or off in the organisation and set its settings.

    ``settings``: every setting the plugin should have (an absent one takes its default); ``None`` keeps
    what is stored. ``from_form``: the values are a page form's text («5», «true»).
    """
    ctx.require_role(ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
    plugin = plugins.loaded.get(name)
    if plugin is None or not plugin.serves(ctx.org.type):
        raise NotFound
    if plugin.default:
        raise InvalidInput(
            "Встроенный модуль нельзя отключить.", [FieldError("enabled", "встроенный модуль")]
        )
    if settings is None:
        row = (await _stored(db, ctx)).get(name)
        typed = read_settings(plugin, row.settings if row else None)
    else:
        typed = validate_settings(plugin, settings, from_form=from_form)
    values = msgspec.to_builtins(typed)
    statement = insert(OrgPluginSetting).values(
        org_id=ctx.org.id, plugin=name, enabled=enabled, settings=values
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[OrgPluginSetting.org_id, OrgPluginSetting.plugin],
            set_={"enabled": enabled, "settings": values, "updated_at": func.now()},
        )
    )
    await audit.commit_in(
        db,
        ctx,
        action="update",
        object_type="plugin_setting",
        object_id=name,
        details={"enabled": enabled},
    )
    return _state(plugin, enabled, typed)
