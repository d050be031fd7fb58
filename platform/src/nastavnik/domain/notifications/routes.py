"""Notifications on the web: a person's list and settings (JSON API and pages), the one-click unsubscribe
(no sign-in), and the region's settings and wording (region staff)."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK

from nastavnik.domain.notifications import region as region_notifications, services, unsubscribe
from nastavnik.domain.notifications.kinds import KINDS
from nastavnik.domain.notifications.models import DeliveryMode
from nastavnik.domain.notifications.region import KindWording, RegionSettings
from nastavnik.domain.notifications.services import (
    MODE_TITLES,
    NotificationView,
    PreferenceChange,
    PreferenceView,
    QuietHours,
)
from nastavnik.types import Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, confirmed, decode_form
from nastavnik.web.params import CurrentActor, Db, Id, Org, Rt
from nastavnik.web.rendering import Render, page

Short = Annotated[str, msgspec.Meta(max_length=200)]
Clock = Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="ЧЧ:ММ")]
Text = Annotated[str, msgspec.Meta(max_length=10_000)]
OFF = "off"
# Request bodies carry choices as words, not booleans: Litestar reads a JSON body leniently, where 0 or
# 1 would pass for false or true.
Channel = Literal["immediate", "digest", "off"]


def clock_text(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


class NotificationsOut(msgspec.Struct):
    unread: int
    items: list[NotificationView]


class ReadOut(msgspec.Struct):
    marked: int
    unread: int


class PreferenceIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Short
    mode: Channel = "immediate"
    """By e-mail at once, in the daily digest, or not at all (``off``)."""


class QuietHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    starts: Clock | None = None
    ends: Clock | None = None
    """Both empty: no quiet hours at all."""
    source: Literal["own", "region"] = "own"
    """``region``: back to the region's quiet hours (``starts`` and ``ends`` ignored)."""


class QuietHoursOut(msgspec.Struct):
    starts: str | None
    ends: str | None
    own: bool


class RegionSettingsOut(msgspec.Struct):
    quiet_starts: str | None
    quiet_ends: str | None
    digest_hour: int
    version: int


class SettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    preferences: Annotated[list[PreferenceIn], msgspec.Meta(max_length=50)] = []
    quiet_hours: QuietHoursIn | None = None


class SettingsOut(msgspec.Struct):
    preferences: list[PreferenceView]
    quiet_hours: QuietHoursOut


class WordingIn(msgspec.Struct, forbid_unknown_fields=True):
    subject: Text
    body: Text
    version: Version


class RegionSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    digest_hour: Annotated[int, msgspec.Meta(ge=0, le=23)]
    version: Version
    quiet_starts: Clock | None = None
    quiet_ends: Clock | None = None


class RegionNotificationsOut(msgspec.Struct):
    settings: RegionSettingsOut
    kinds: list[KindWording]


def quiet_out(q: QuietHours) -> QuietHoursOut:
    return QuietHoursOut(clock_text(q.starts), clock_text(q.ends), q.own)


def region_settings_out(r: RegionSettings) -> RegionSettingsOut:
    return RegionSettingsOut(clock_text(r.quiet_starts), clock_text(r.quiet_ends), r.digest_hour, r.version)


class UnsubscribedOut(msgspec.Struct):
    kinds: list[str]


async def _settings(db: Db, org: Org) -> SettingsOut:
    return SettingsOut(await services.preferences(db, org), quiet_out(await services.quiet_hours(db, org)))


async def _save_settings(db: Db, org: Org, data: SettingsIn) -> SettingsOut:
    # Quiet hours first: their mistake refuses the whole form before any preference is written.
    if data.quiet_hours is not None:
        q = data.quiet_hours
        region_default = q.source == "region"
        times = services.read_times({"starts": q.starts, "ends": q.ends}) if not region_default else {}
        await services.set_quiet_hours(
            db, org, times.get("starts"), times.get("ends"), region_default=region_default
        )
    if data.preferences:
        changes = [
            PreferenceChange(p.kind, p.mode != OFF, DeliveryMode.IMMEDIATE if p.mode == OFF else p.mode)
            for p in data.preferences
        ]
        await services.set_preferences(db, org, changes)
    return await _settings(db, org)


async def _save_region_settings(db: Db, actor: CurrentActor, data: RegionSettingsIn) -> RegionSettingsOut:
    times = services.read_times({"quiet_starts": data.quiet_starts, "quiet_ends": data.quiet_ends})
    saved = await region_notifications.set_region_settings(
        db, actor, times["quiet_starts"], times["quiet_ends"], data.digest_hour, data.version
    )
    return region_settings_out(saved)


class NotificationsApi(Controller):
    path = "/api/o/{slug:str}/notifications"
    dependencies = ORG_DEPENDENCIES
    tags = ["Уведомления"]

    @get("/", summary="Мои уведомления: 50 последних (новые сверху) и число непрочитанных")
    async def index(self, db: Db, org: Org) -> NotificationsOut:
        items = await services.my_notifications(db, org)
        return NotificationsOut(await services.unread_count(db, org), items)

    @post("/{notification_id:uuid}/read", summary="Отметить уведомление прочитанным", status_code=HTTP_200_OK)
    async def read(self, db: Db, org: Org, notification_id: Id) -> ReadOut:
        await services.mark_read(db, org, notification_id)
        return ReadOut(1, await services.unread_count(db, org))

    @post("/read", summary="Отметить все уведомления прочитанными", status_code=HTTP_200_OK)
    async def read_all(self, db: Db, org: Org) -> ReadOut:
        marked = await services.mark_all_read(db, org)
        return ReadOut(marked, await services.unread_count(db, org))

    @get("/settings", summary="Мои настройки уведомлений: виды, сводка, тихие часы")
    async def settings(self, db: Db, org: Org) -> SettingsOut:
        return await _settings(db, org)

    @put("/settings", summary="Изменить мои настройки уведомлений")
    async def save_settings(self, db: Db, org: Org, data: JSONBody[SettingsIn]) -> SettingsOut:
        return await _save_settings(db, org, data)


class NotificationsPages(Controller):
    path = "/o/{slug:str}/notifications"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы организации"]

    @get("/", summary="Уведомления")
    async def index(self, render: Render, db: Db, org: Org) -> Template:
        items = await services.my_notifications(db, org)
        return await render("core/notifications.html", items=items, timezone=org.org.timezone)

    @post("/{notification_id:uuid}/read", summary="Отметить уведомление прочитанным (форма)")
    async def read(self, db: Db, org: Org, notification_id: Id) -> Redirect:
        await services.mark_read(db, org, notification_id)
        return Redirect(path=f"/o/{org.org.slug}/notifications")

    @post("/read", summary="Отметить все уведомления прочитанными (форма)")
    async def read_all(self, db: Db, org: Org) -> Redirect:
        await services.mark_all_read(db, org)
        return Redirect(path=f"/o/{org.org.slug}/notifications")

    @get("/settings", summary="Настройки уведомлений")
    async def settings(self, render: Render, db: Db, org: Org) -> Template:
        current = await _settings(db, org)
        return await render(
            "core/notification_settings.html",
            preferences=current.preferences,
            quiet=current.quiet_hours,
            modes=MODE_TITLES,
        )

    @post("/settings", summary="Сохранить настройки уведомлений (форма)")
    async def save_settings(self, db: Db, org: Org, data: Form) -> Redirect:
        # An unticked kind is off; a mode that is none of the choices is refused by the service in Russian.
        preferences = [
            PreferenceIn(kind, data.get(f"mode_{kind}", "immediate") if data.get(f"enabled_{kind}") else OFF)  # type: ignore[arg-type]
            for kind in KINDS
        ]
        # Read as typed: a mistake in a time is refused in Russian beside its field (services.read_times).
        quiet = QuietHoursIn(
            starts=data.get("starts") or None,
            ends=data.get("ends") or None,
            source="region" if data.get("region_default") else "own",
        )
        await _save_settings(db, org, SettingsIn(preferences, quiet))
        return Redirect(path=f"/o/{org.org.slug}/notifications/settings")


class UnsubscribeController(Controller):
    """RFC 8058: a mail client posts to the link on its own; a person who opened it confirms with a button."""

    path = "/unsubscribe/{token:str}"
    tags = ["Уведомления"]

    @get("/", summary="Отписаться от уведомлений по ссылке из письма (страница с подтверждением)")
    async def confirm(self, db: Db, runtime: Rt, token: FromPath[str]) -> Template:
        target = await unsubscribe.describe(runtime, token)
        return await page(
            "core/unsubscribe.html",
            db=db,
            runtime=runtime,
            actor=None,
            target=target,
            token=token,
            done=False,
        )

    @post("/", summary="Отписаться от уведомлений в один щелчок (RFC 8058)", status_code=HTTP_200_OK)
    async def unsubscribe(self, db: Db, runtime: Rt, token: FromPath[str]) -> Template:
        target = await unsubscribe.unsubscribe(runtime, token)
        return await page(
            "core/unsubscribe.html", db=db, runtime=runtime, actor=None, target=target, token=token, done=True
        )


class RegionNotificationsApi(Controller):
    path = "/api/region/notifications"
    tags = ["Регион и муниципалитет"]

    @get("/", summary="Уведомления региона: тихие часы, час сводки и тексты уведомлений")
    async def index(self, db: Db, actor: CurrentActor) -> RegionNotificationsOut:
        return RegionNotificationsOut(
            region_settings_out(await region_notifications.region_settings(db, actor)),
            await region_notifications.wordings(db, actor),
        )

    @put("/settings", summary="Изменить тихие часы и час ежедневной сводки региона")
    async def save_settings(
        self, db: Db, actor: CurrentActor, data: JSONBody[RegionSettingsIn]
    ) -> RegionSettingsOut:
        return await _save_region_settings(db, actor, data)

    @put("/{kind:str}", summary="Свой текст уведомления (тема и текст с подстановками)")
    async def save_wording(
        self, db: Db, actor: CurrentActor, kind: FromPath[str], data: JSONBody[WordingIn]
    ) -> KindWording:
        return await region_notifications.set_wording(db, actor, kind, data.subject, data.body, data.version)

    @delete("/{kind:str}", summary="Вернуть текст уведомления платформы", status_code=HTTP_200_OK)
    async def reset_wording(self, db: Db, actor: CurrentActor, kind: FromPath[str]) -> KindWording:
        return await region_notifications.reset_wording(db, actor, kind)


class RegionNotificationsPages(Controller):
    path = "/region/notifications"
    tags = ["Страницы"]

    @get("/", summary="Уведомления региона")
    async def index(self, render: Render, db: Db, actor: CurrentActor) -> Template:
        return await render(
            "core/region_notifications.html",
            settings=await region_notifications.region_settings(db, actor),
            kinds=await region_notifications.wordings(db, actor),
        )

    @post("/settings", summary="Изменить тихие часы и час сводки (форма)")
    async def save_settings(self, db: Db, actor: CurrentActor, data: Form) -> Redirect:
        await _save_region_settings(db, actor, decode_form(data, RegionSettingsIn))
        return Redirect(path="/region/notifications")

    @post("/{kind:str}", summary="Свой текст уведомления (форма)")
    async def save_wording(self, db: Db, actor: CurrentActor, kind: FromPath[str], data: Form) -> Redirect:
        form = decode_form(data, WordingIn)
        await region_notifications.set_wording(db, actor, kind, form.subject, form.body, form.version)
        return Redirect(path="/region/notifications")

    @post("/{kind:str}/reset", summary="Вернуть текст уведомления платформы (форма)")
    async def reset_wording(self, db: Db, actor: CurrentActor, kind: FromPath[str], data: Form) -> Redirect:
        confirmed(data, "Текст региона не удалён: подтвердите возврат к тексту платформы.")
        await region_notifications.reset_wording(db, actor, kind)
        return Redirect(path="/region/notifications")
