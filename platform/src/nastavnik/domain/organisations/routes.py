"""Organisations: the region creates, imports and connects them, and oversees them with the
municipalities; inside one, its home page and its plugins (JSON API and pages)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, plugin_settings
from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.organisations import (
    export as organisation_export,
    importing as organisation_import,
    onboarding,
    services as organisations,
)
from nastavnik.domain.organisations.importing import Preview
from nastavnik.domain.organisations.schemas import (
    ImportPreview,
    ImportPreviewOut,
    ImportRowOut,
    OrganisationImportColumnOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationStatusIn,
    OrgContextOut,
    PluginSettingIn,
    PluginStateOut,
)
from nastavnik.domain.organisations.services import OrganisationDraft
from nastavnik.domain.statistics import headcounts
from nastavnik.domain.statistics.organisation import indicators_for
from nastavnik.models.identity import StaffRole
from nastavnik.models.people import ROLE_TITLES
from nastavnik.models.reference import Municipality, Organisation, Region, current_start_year
from nastavnik.runtime import Runtime
from nastavnik.tenancy import MANAGERS, Actor, Forbidden, OrgContext, municipality_for, region_timezone
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import XLSX, attachment
from nastavnik.web.forms import Form, Upload, decode_form, uploaded_file
from nastavnik.web.params import CurrentActor, Db, Id, Org, Reads, Rt
from nastavnik.web.rendering import Render

ONBOARDING_TITLES = {
    "pending": "ожидает подключения",
    "retrying": "единая учётная запись недоступна, повторим",
    "done": "подключена",
    "failed": "ошибка подключения",
}


def organisation_out(org: Any, onboarding: Any = None) -> OrganisationOut:
    return OrganisationOut(
        onboarding=onboarding.status if onboarding else None,
        onboarding_error=onboarding.last_error if onboarding else None,
        id=org.id,
        slug=org.slug,
        type=org.type,
        full_name=org.full_name,
        short_name=org.short_name,
        inn=org.inn,
        municipality_id=org.municipality_id,
        status=org.status,
    )


async def create_organisation(
    db: AsyncSession, runtime: Runtime, actor: Actor, data: OrganisationIn
) -> Organisation:
    """Create the organisation and start onboarding it, with its curator when one is named."""
    curator = None
    if (c := data.curator) is not None:
        curator = onboarding.validate_curator(
            onboarding.CuratorDraft(c.last_name, c.first_name, c.middle_name, c.email)
        )
    draft = OrganisationDraft(
        municipality_id=data.municipality_id,
        type=data.type,
        full_name=data.full_name,
        short_name=data.short_name,
        inn=data.inn.strip(),
        slug=data.slug.strip(),
    )
    return await onboarding.create_and_onboard(db, runtime, actor, draft, curator)


async def check_organisations(
    db: AsyncSession, runtime: Runtime, actor: Actor, data: dict[str, Any]
) -> tuple[Preview, str | None]:
    """The uploaded list of organisations checked, and the token that commits it (none when it has errors).

    The form's «year» (optional) is the academic year of the headcounts of rows that name none."""
    content, _ = await uploaded_file(data)
    year = await organisation_import.default_year(db, actor, data.get("year"))
    checked = await organisation_import.preview(db, actor, runtime.plugins, content, year)
    token = None
    if not checked.errors:
        token = await organisation_import.keep(runtime, actor, content, year)
    return checked, token


def import_preview_out(checked: Preview, token: str | None) -> ImportPreviewOut:
    return ImportPreviewOut(
        token=token,
        rows=[
            ImportRowOut(
                row=r.row,
                short_name=r.draft.short_name,
                inn=r.draft.inn,
                slug=r.draft.slug,
                type=r.draft.type,
                curator_email=r.curator.email if r.curator else None,
                action=r.action,
                action_title=r.action_title,
                full_name=r.draft.full_name,
                renamed=r.renamed,
                academic_year=r.academic_year,
                learners_total=r.headcount.learners_total if r.headcount else None,
                learners_10_18=r.headcount.learners_10_18 if r.headcount else None,
                pedagogues=r.headcount.pedagogues if r.headcount else None,
                young_pedagogues=r.headcount.young_pedagogues if r.headcount else None,
                org_id=r.org_id,
            )
            for r in checked.rows
        ],
        errors=[e.as_json() for e in checked.errors],
        warnings=[e.as_json() for e in checked.warnings],
        columns=[
            OrganisationImportColumnOut(
                letter=c.letter,
                title=c.title,
                field=c.field,
                field_title=checked.column_title(c),
                has_data=c.has_data,
                note=c.note,
            )
            for c in checked.columns
        ],
        academic_year=checked.academic_year,
        created=checked.created,
        updated=checked.updated,
    )


async def export_organisations(
    db: AsyncSession, runtime: Runtime, actor: Actor, year: int | None
) -> Response[bytes]:
    """The overseen organisations with the year's headcounts (the year under way by default), as .xlsx."""
    start_year = await organisation_import.default_year(db, actor, year)
    content = await organisation_export.export_list(db, actor, runtime.plugins, start_year)
    return attachment(content, XLSX, f"Организации {start_year}-{start_year + 1}.xlsx", "organisations.xlsx")


async def configure_plugin(
    db: AsyncSession, runtime: Runtime, org: OrgContext, name: str, data: PluginSettingIn
) -> plugin_settings.PluginState:
    return await plugin_settings.configure_plugin(
        db, org, runtime.plugins, name, enabled=data.enabled, settings=data.settings
    )


class OversightApi(Controller):
    path = "/api"
    tags = ["Регион и муниципалитет"]

    @get("/organisations", summary="Организации под моим наблюдением")
    async def list_organisations(self, db: Db, actor: CurrentActor) -> list[OrganisationOut]:
        overseen = await organisations.organisations_overseen(db, actor)
        states = await onboarding.statuses(db, actor)
        return [organisation_out(o, states.get(o.id)) for o in overseen]

    @post("/organisations", summary="Создать организацию", status_code=HTTP_201_CREATED)
    async def create_organisation(
        self, db: Db, actor: CurrentActor, runtime: Rt, data: JSONBody[OrganisationIn]
    ) -> OrganisationOut:
        org = await create_organisation(db, runtime, actor, data)
        return organisation_out(org, (await onboarding.statuses(db, actor)).get(org.id))

    @post(
        "/organisations/import",
        summary="Проверить список организаций с численностью из Excel",
        status_code=HTTP_200_OK,
    )
    async def import_preview(self, db: Db, actor: CurrentActor, runtime: Rt, data: Upload) -> ImportPreview:
        checked, token = await check_organisations(db, runtime, actor, data)
        return import_preview_out(checked, token)

    @post(
        "/organisations/import/{token:str}",
        summary="Создать и обновить организации и их численность из проверенного файла",
    )
    async def import_commit(
        self, db: Db, actor: CurrentActor, runtime: Rt, token: FromPath[str]
    ) -> ImportPreview:
        return import_preview_out(await organisation_import.commit(db, runtime, actor, token), None)

    @get(
        "/region/organisations.xlsx",
        media_type=XLSX,
        summary="Выгрузить организации с численностью в Excel (координатор — своего муниципалитета)",
    )
    async def export(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> Response[bytes]:
        return await export_organisations(db, runtime, actor, year)

    @put("/organisations/{org_id:uuid}/status", summary="Деактивировать или вернуть организацию")
    async def set_status(
        self, db: Db, actor: CurrentActor, runtime: Rt, org_id: Id, data: JSONBody[OrganisationStatusIn]
    ) -> OrganisationOut:
        org = await organisations.set_status(
            db, actor, org_id, data.status, service_filter=runtime.settings.service_tenant_filter
        )
        await audit.record_by(
            db,
            actor,
            "update",
            audit.ObjectKind.ORGANISATION,
            org.id,
            org_id=org.id,
            details={"status": org.status},
        )
        await db.commit()
        await onboarding.schedule_sync(runtime, org.id)  # Keycloak's organization follows
        return organisation_out(org)

    @post(
        "/organisations/{org_id:uuid}/onboarding/retry",
        summary="Повторить подключение организации",
        status_code=HTTP_202_ACCEPTED,
    )
    async def retry_onboarding(self, db: Db, actor: CurrentActor, runtime: Rt, org_id: Id) -> OrganisationOut:
        row = await onboarding.retry(db, runtime, actor, org_id)
        org = next(o for o in await organisations.organisations_overseen(db, actor) if o.id == row.org_id)
        return organisation_out(org, row)


class OrganisationApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

    @get("/", summary="Организация и мои роли в ней")
    async def show(self, org: Org) -> OrgContextOut:
        return OrgContextOut(
            id=org.org.id,
            slug=org.org.slug,
            type=org.org.type,
            short_name=org.org.short_name,
            full_name=org.org.full_name,
            municipality=org.org.municipality_name,
            my_roles=sorted(org.roles),
            active_plugins=list(org.active_plugins),
        )

    @get("/plugins", summary="Модули организации")
    async def list_plugins(self, db: Db, org: Org, runtime: Rt) -> list[PluginStateOut]:
        states = await plugin_settings.plugin_states(db, org, runtime.plugins)
        return [PluginStateOut(**_fields(s)) for s in states]

    @put("/plugins/{name:str}", summary="Включить, отключить или настроить модуль")
    async def configure_plugin(
        self, db: Db, org: Org, runtime: Rt, name: FromPath[str], data: JSONBody[PluginSettingIn]
    ) -> PluginStateOut:
        return PluginStateOut(**_fields(await configure_plugin(db, runtime, org, name, data)))


def _fields(state: plugin_settings.PluginState) -> dict[str, Any]:
    return {
        "name": state.name,
        "title": state.title,
        "version": state.version,
        "default": state.default,
        "enabled": state.enabled,
        "settings": state.settings,
    }


class OversightPages(Controller):
    tags = ["Страницы"]

    @get("/region", summary="Страница региона")
    async def region(
        self, render: Render, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor
    ) -> Template:
        grants = actor.grants(StaffRole.REGION)
        if not grants:
            raise Forbidden
        region = await db.get(Region, grants[0].region_id)
        year = current_start_year(region.timezone if region else None)
        summary = await headcounts.oversight_summary(db, actor, year, reads=reads)
        orgs = await organisations.organisations_overseen(db, actor)
        by_type: dict[str, int] = {}
        for org in orgs:
            by_type[org.type] = by_type.get(org.type, 0) + 1
        return await render(
            "core/region.html",
            region=region,
            year=year,
            summary=summary,
            total=_total(summary),
            by_type=by_type,
            type_titles={c: t.title for c, t in runtime.plugins.organisation_types().items()},
        )

    @get("/region/organisations", summary="Организации региона и их подключение")
    async def region_organisations(
        self, render: Render, db: Db, runtime: Rt, actor: CurrentActor
    ) -> Template:
        grants = actor.grants(StaffRole.REGION)
        if not grants:
            raise Forbidden
        overseen = await organisations.organisations_overseen(db, actor)
        states = await onboarding.statuses(db, actor)
        municipalities = list(
            await db.scalars(
                select(Municipality)
                .where(
                    Municipality.region_id.in_([g.region_id for g in grants]),
                    Municipality.retired_at.is_(None),
                )
                .order_by(Municipality.name)
            )
        )
        return await render(
            "core/region_organisations.html",
            organisations=overseen,
            states=states,
            municipalities=municipalities,
            types=runtime.plugins.organisation_types(),
            status_titles=ONBOARDING_TITLES,
        )

    @post("/region/organisations", summary="Создать и подключить организацию (форма)")
    async def create_organisation(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        await create_organisation(db, runtime, actor, decode_form(data, OrganisationIn, nested=["curator"]))
        return Redirect(path="/region/organisations")

    @post("/region/organisations/import", summary="Загрузить список организаций из Excel: проверка")
    async def import_preview(
        self, render: Render, db: Db, runtime: Rt, actor: CurrentActor, data: Upload
    ) -> Template:
        checked, token = await check_organisations(db, runtime, actor, data)
        return await render(
            "core/region_import.html",
            preview=checked,
            token=token,
            types=runtime.plugins.organisation_types(),
            titles=headcounts.HEADCOUNT_TITLES,
            status_code=200 if token else 422,
        )

    @post(
        "/region/organisations/import/{token:str}", summary="Загрузить список организаций из Excel: выполнить"
    )
    async def import_commit(self, db: Db, runtime: Rt, actor: CurrentActor, token: FromPath[str]) -> Redirect:
        await organisation_import.commit(db, runtime, actor, token)
        return Redirect(path="/region/organisations")

    @get(
        "/region/organisations.xlsx", media_type=XLSX, summary="Выгрузить организации с численностью в Excel"
    )
    async def export(
        self,
        db: Db,
        runtime: Rt,
        actor: CurrentActor,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> Response[bytes]:
        return await export_organisations(db, runtime, actor, year)

    @post("/region/organisations/{org_id:uuid}/retry", summary="Повторить подключение (форма)")
    async def retry_onboarding(self, db: Db, runtime: Rt, actor: CurrentActor, org_id: Id) -> Redirect:
        await onboarding.retry(db, runtime, actor, org_id)
        return Redirect(path="/region/organisations")

    @get("/m/{municipality_id:uuid}", summary="Страница муниципалитета")
    async def municipality(
        self, render: Render, db: Db, reads: Reads, runtime: Rt, actor: CurrentActor, municipality_id: Id
    ) -> Template:
        municipality = await municipality_for(db, actor, municipality_id)
        year = current_start_year(await region_timezone(db, actor))
        summary = await headcounts.oversight_summary(
            db, actor, year, municipality_id=municipality.id, reads=reads
        )
        orgs = [
            o
            for o in await organisations.organisations_overseen(db, actor)
            if o.municipality_id == municipality.id
        ]
        return await render(
            "core/municipality.html",
            municipality=municipality,
            year=year,
            total=_total(summary),
            organisations=orgs,
            type_titles={c: t.title for c, t in runtime.plugins.organisation_types().items()},
        )


def _total(summary: list[headcounts.HeadcountSummary]) -> headcounts.HeadcountSummary:
    return headcounts.HeadcountSummary(
        municipality_id=None,
        municipality_name="Итого",
        organisations=sum(s.organisations for s in summary),
        reporting=sum(s.reporting for s in summary),
        learners_total=sum(s.learners_total for s in summary),
        learners_10_18=sum(s.learners_10_18 for s in summary),
        pedagogues=sum(s.pedagogues for s in summary),
        young_pedagogues=sum(s.young_pedagogues for s in summary),
    )


class OrganisationPages(Controller):
    path = "/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы организации"]

    @get("/", summary="Главная страница организации")
    async def home(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        indicators = await indicators_for(db, runtime.plugins, org)
        return await render(
            "core/org_home.html",
            indicators=indicators,
            role_titles=ROLE_TITLES,
            type_title=runtime.plugins.organisation_types().get(org.org.type),
            dictionaries=await dictionaries_for(db, runtime.plugins, org),
        )

    @get("/plugins", summary="Модули организации")
    async def plugins_page(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        org.require_role(*MANAGERS)
        states = await plugin_settings.plugin_states(db, org, runtime.plugins)
        return await render("core/plugins.html", states=states)

    @post("/plugins/{name:str}", summary="Включить или отключить модуль (форма)")
    async def toggle_plugin(self, db: Db, runtime: Rt, org: Org, name: FromPath[str], data: Form) -> Redirect:
        # The form's settings fields are «settings.<name>»; a form without any keeps what is stored.
        sent = {k.removeprefix("settings."): v for k, v in data.items() if k.startswith("settings.")}
        await plugin_settings.configure_plugin(
            db,
            org,
            runtime.plugins,
            name,
            enabled=data.get("enabled") == "on",
            settings=sent or None,
            from_form=True,
        )
        return Redirect(path=f"/o/{org.org.slug}/plugins")
