"""Which plugins are active in an organisation, and their settings there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.plugins import Plugins
from nastavnik.tenancy import NotFound, OrgContext


@dataclass(frozen=True, slots=True)
class PluginState:
    name: str
    title: str
    version: str
    default: bool
    enabled: bool
    settings: dict[str, Any]


async def plugin_states(db: AsyncSession, ctx: OrgContext, plugins: Plugins) -> list[PluginState]:
    stored = {
        row.plugin: row
        for row in await db.scalars(select(OrgPluginSetting).where(ctx.owns(OrgPluginSetting)))
    }
    states = []
    for name, plugin in sorted(plugins.loaded.items()):
        if not plugin.serves(ctx.org.type):
            continue
        row = stored.get(name)
        states.append(
            PluginState(
                name=name,
                title=plugin.info.verbose_name,
                version=plugin.info.version,
                default=plugin.default,
                enabled=plugin.default or (row.enabled if row else True),
                settings={**plugin.info.default_settings, **(row.settings if row else {})},
            )
        )
    return states


async def configure_plugin(
    db: AsyncSession,
    ctx: OrgContext,
    plugins: Plugins,
    name: str,
    *,
    enabled: bool,
    settings: dict[str, Any],
) -> PluginState:
    ctx.require_role(ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
    plugin = plugins.loaded.get(name)
    if plugin is None or not plugin.serves(ctx.org.type):
        raise NotFound
    if plugin.default:
        raise InvalidInput(
            "Встроенный модуль нельзя отключить.", [FieldError("enabled", "встроенный модуль")]
        )
    unknown = sorted(set(settings) - set(plugin.info.default_settings))
    if unknown:
        raise InvalidInput("Неизвестные настройки модуля.", [FieldError("settings", ", ".join(unknown))])
    statement = insert(OrgPluginSetting).values(
        org_id=ctx.org.id, plugin=name, enabled=enabled, settings=settings
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[OrgPluginSetting.org_id, OrgPluginSetting.plugin],
            set_={"enabled": enabled, "settings": settings, "updated_at": func.now()},
        )
    )
    await audit.record_in(
        db, ctx, "update", audit.ObjectKind.PLUGIN_SETTING, name, details={"enabled": enabled}
    )
    await db.commit()
    return PluginState(
        name=name,
        title=plugin.info.verbose_name,
        version=plugin.info.version,
        default=False,
        enabled=enabled,
        settings={**plugin.info.default_settings, **settings},
    )
