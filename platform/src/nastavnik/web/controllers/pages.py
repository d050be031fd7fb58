"""Server-rendered pages in Russian. Every action here is also in the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from nastavnik import audit, plugin_settings
from nastavnik.domain.accounts import services as accounts
from nastavnik.domain.bases import services as bases
from nastavnik.domain.dictionaries import catalogue
from nastavnik.domain.organisations import (
    importing as organisation_import,
    onboarding,
    services as organisations,
)
from nastavnik.domain.people import services as people
from nastavnik.domain.statistics import headcounts
from nastavnik.domain.statistics.organisation import indicators_for
from nastavnik.errors import InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.models.people import PersonCategory, ProgrammeRole
from nastavnik.models.reference import Municipality, Region, current_start_year
from nastavnik.tenancy import Forbidden, load_actor, organisations_of, region_timezone
from nastavnik.web.controllers.api_global import check_organisations, create_organisation
from nastavnik.web.controllers.api_org import change_person, headcount_values, person_draft
from nastavnik.web.controllers.schemas import (
    HeadcountForm,
    OrganisationIn,
    PersonIn,
    PersonUpdate,
)
from nastavnik.web.deps import ORG_DEPENDENCIES, identity_of
from nastavnik.web.forms import Form, Upload, decode_form, ticked
from nastavnik.web.params import CurrentActor, Db, Id, Org, Rt
from nastavnik.web.rendering import Render, page

ONBOARDING_TITLES = {
    "pending": "ожидает подключения",
    "retrying": "единая учётная запись недоступна, повторим",
    "done": "подключена",
    "failed": "ошибка подключения",
}
CATEGORY_TITLES = {
    PersonCategory.PEDAGOGUE: "педагог",
    PersonCategory.LEARNER: "обучающийся",
    PersonCategory.STAFF: "сотрудник",
}
ROLE_TITLES = {
    ProgrammeRole.DIRECTOR: "руководитель",
    ProgrammeRole.CURATOR: "куратор",
    ProgrammeRole.MENTOR: "наставник",
    ProgrammeRole.MENTEE: "наставляемый",
}


class HomeController(Controller):
    tags = ["Страницы"]

    @get("/", summary="Главная: ведёт на страницу вашего уровня")
    async def home(self, request: Request[Any, Any, Any], db: Db, runtime: Rt) -> Any:
        identity_id = identity_of(request)
        actor = await load_actor(db, identity_id) if identity_id else None
        if actor is None:
            return Redirect(path="/login")
        if actor.grants(StaffRole.REGION):
            return Redirect(path="/region")
        municipal = actor.grants(StaffRole.MUNICIPALITY)
        if municipal:
            return Redirect(path=f"/m/{municipal[0].municipality_id}")
        orgs = await organisations_of(db, actor)
        if orgs:
            return Redirect(path=f"/o/{orgs[0][0]}/")
        if actor.is_auditor:
            return Redirect(path="/audit")
        return await page("core/no_access.html", db=db, runtime=runtime, actor=actor)

    @get("/region", summary="Страница региона")
    async def region(self, render: Render, db: Db, runtime: Rt, actor: CurrentActor) -> Template:
        grants = actor.grants(StaffRole.REGION)
        if not grants:
            raise Forbidden
        region = await db.get(Region, grants[0].region_id)
        year = current_start_year(region.timezone if region else None)
        summary = await headcounts.oversight_summary(db, actor, year)
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
                .where(Municipality.region_id.in_([g.region_id for g in grants]))
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
            status_code=200 if token else 422,
        )

    @post(
        "/region/organisations/import/{token:str}", summary="Загрузить список организаций из Excel: выполнить"
    )
    async def import_commit(self, db: Db, runtime: Rt, actor: CurrentActor, token: FromPath[str]) -> Redirect:
        await organisation_import.commit(db, runtime, actor, token)
        return Redirect(path="/region/organisations")

    @post("/region/organisations/{org_id:uuid}/retry", summary="Повторить подключение (форма)")
    async def retry_onboarding(self, db: Db, runtime: Rt, actor: CurrentActor, org_id: Id) -> Redirect:
        await onboarding.retry(db, runtime, actor, org_id)
        return Redirect(path="/region/organisations")

    @get("/m/{municipality_id:uuid}", summary="Страница муниципалитета")
    async def municipality(
        self, render: Render, db: Db, runtime: Rt, actor: CurrentActor, municipality_id: Id
    ) -> Template:
        municipality = await organisations.municipality_for(db, actor, municipality_id)
        year = current_start_year(await region_timezone(db, actor))
        summary = await headcounts.oversight_summary(db, actor, year, municipality_id=municipality.id)
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

    @get("/audit", summary="Журнал аудита своего региона")
    async def audit_page(
        self,
        render: Render,
        db: Db,
        runtime: Rt,
        actor: CurrentActor,
        date_from: str = Parameter(default="", max_length=10),
        date_to: str = Parameter(default="", max_length=10),
        person: str = Parameter(default="", max_length=200),
        action: str = Parameter(default="", max_length=16),
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=1_000_000)] = 1,
    ) -> Template:
        if not actor.is_auditor:
            raise Forbidden
        timezone = await audit.audit_timezone(db, actor)
        form = {"date_from": date_from, "date_to": date_to, "person": person, "action": action}
        errors: dict[str, str] = {}
        found, query = None, ""
        try:
            wanted = audit.AuditFilter(
                _form_date(date_from, "date_from", errors),
                _form_date(date_to, "date_to", errors),
                person,
                action,
            ).check()
        except InvalidInput as exc:
            errors.update({e.field: e.message for e in exc.errors})
        if not errors:
            async with audit.auditor_session(runtime, actor) as auditor_db:
                found = await audit.read_page(auditor_db, actor, wanted, timezone, page=page_number)
            query = urlencode(wanted.as_details())  # what the pager and the export repeat (dates as ISO)
        return await render(
            "core/audit.html",
            found=found,
            form=form,
            errors=errors,
            query=query,
            timezone=timezone,
            action_titles=audit.ACTION_TITLES,
            object_titles=runtime.plugins.audit_titles().objects,
            outcome_titles=audit.OUTCOME_TITLES,
        )


def _form_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    """A date typed in the filter form (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), or the message beside its field."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors[field] = "дата в виде ДД.ММ.ГГГГ"
    return None


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
            dictionaries=await catalogue.dictionaries_for(db, runtime.plugins, org),
        )

    @get("/people", summary="Люди организации")
    async def people_page(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        rows = await people.list_people(db, org)
        return await render(
            "core/people.html",
            people=rows,
            category_titles=CATEGORY_TITLES,
            batches=await accounts.recent_batches(db, org, limit=10),
            min_learner_age=runtime.settings.account_min_learner_age,
        )

    @post("/people", summary="Добавить человека (форма)")
    async def add_person(self, db: Db, org: Org, data: Form) -> Redirect:
        person = await people.create_person(db, org, person_draft(decode_form(data, PersonIn)))
        return Redirect(path=f"/o/{org.org.slug}/people/{person.id}")

    @get("/people/{person_id:uuid}", summary="Карточка человека")
    async def person_page(self, render: Render, db: Db, org: Org, person_id: Id) -> Template:
        person = await people.get_person(db, org, person_id)
        return await render(
            "core/person.html",
            person=person,
            roles=await people.roles_of(db, org, person.id),
            profiles=await bases.profiles_of(db, org, person.id),
            category_titles=CATEGORY_TITLES,
            role_titles=ROLE_TITLES,
            can_manage=org.has_role(*people.MANAGERS),
        )

    @post("/people/{person_id:uuid}", summary="Изменить карточку человека (форма)")
    async def edit_person(self, db: Db, runtime: Rt, org: Org, person_id: Id, data: Form) -> Redirect:
        # An emptied address is removed; a form without the field keeps it.
        await change_person(
            db, runtime, org, person_id, decode_form(data, PersonUpdate, keep_blank=["email"])
        )
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}")

    @post("/people/{person_id:uuid}/roles", summary="Изменить роли (форма)")
    async def edit_roles(self, db: Db, org: Org, person_id: Id, data: Form) -> Redirect:
        await people.set_roles(db, org, person_id, ticked(data, "role_"))
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}")

    @get("/people/{person_id:uuid}/delete", summary="Подтверждение удаления")
    async def confirm_delete(self, render: Render, db: Db, org: Org, person_id: Id) -> Template:
        org.require_role(*people.MANAGERS)
        person = await people.get_person(db, org, person_id)
        return await render("core/person_delete.html", person=person)

    @post("/people/{person_id:uuid}/delete", summary="Удалить человека (после подтверждения)")
    async def delete_person(self, db: Db, org: Org, person_id: Id, data: Form) -> Redirect:
        if data.get("confirm") != "yes":
            return Redirect(path=f"/o/{org.org.slug}/people/{person_id}/delete")
        await people.delete_person(db, org, person_id)
        return Redirect(path=f"/o/{org.org.slug}/people")

    @get("/headcounts", summary="Численность")
    async def headcounts_page(self, render: Render, db: Db, org: Org) -> Template:
        rows = await headcounts.list_headcounts(db, org)
        return await render(
            "core/headcounts.html",
            rows=rows,
            year=current_start_year(org.org.timezone),
            can_manage=org.has_role(*people.MANAGERS),
        )

    @post("/headcounts", summary="Указать численность (форма)")
    async def save_headcount(self, db: Db, org: Org, data: Form) -> Redirect:
        form = decode_form(data, HeadcountForm)
        await headcounts.set_headcount(db, org, form.academic_year, headcount_values(form))
        return Redirect(path=f"/o/{org.org.slug}/headcounts")

    @get("/plugins", summary="Модули организации")
    async def plugins_page(self, render: Render, db: Db, runtime: Rt, org: Org) -> Template:
        org.require_role(*people.MANAGERS)
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
