"""JSON API inside one organisation: /api/o/{slug}/..."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import plugin_settings
from nastavnik.domain.dictionaries import catalogue
from nastavnik.domain.organisations import onboarding
from nastavnik.domain.people import services as people
from nastavnik.domain.people.services import PersonDraft
from nastavnik.domain.statistics import headcounts
from nastavnik.domain.statistics.organisation import indicators_for
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.web.controllers.schemas import (
    DictionaryEntryOut,
    HeadcountIn,
    HeadcountOut,
    IndicatorOut,
    OrgContextOut,
    PersonIn,
    PersonOut,
    PersonUpdate,
    PluginSettingIn,
    PluginStateOut,
    RolesIn,
)
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.params import Db, Id, Org, Rt, YearPath


def person_out(person: Person, roles: list[str] | None = None) -> PersonOut:
    return PersonOut(
        id=person.id,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        category=person.category,
        status=person.status,
        version=person.version,
        roles=roles or [],
        email=person.email,
        has_login=person.identity_id is not None,
    )


def person_draft(data: PersonIn | PersonUpdate) -> PersonDraft:
    status = data.status if isinstance(data, PersonUpdate) else None
    return PersonDraft(data.last_name, data.first_name, data.middle_name, data.category, status, data.email)


async def change_person(
    db: AsyncSession, runtime: Runtime, org: OrgContext, person_id: uuid.UUID, data: PersonUpdate
) -> Person:
    person = await people.update_person(db, org, person_id, person_draft(data), data.version)
    if data.status is not None:  # who may enter changed: Keycloak's organization follows
        await onboarding.schedule_sync(runtime, org.org.id)
    return person


def headcount_values(data: HeadcountIn) -> headcounts.HeadcountValues:
    return headcounts.HeadcountValues(
        data.learners_total, data.learners_10_18, data.pedagogues, data.young_pedagogues
    )


async def configure_plugin(
    db: AsyncSession, runtime: Runtime, org: OrgContext, name: str, data: PluginSettingIn
) -> plugin_settings.PluginState:
    return await plugin_settings.configure_plugin(
        db, org, runtime.plugins, name, enabled=data.enabled, settings=data.settings
    )


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

    @get("/people", summary="Люди организации")
    async def list_people(self, db: Db, org: Org) -> list[PersonOut]:
        return [person_out(p) for p in await people.list_people(db, org)]

    @post("/people", summary="Добавить человека", status_code=HTTP_201_CREATED)
    async def create_person(self, db: Db, org: Org, data: JSONBody[PersonIn]) -> PersonOut:
        return person_out(await people.create_person(db, org, person_draft(data)))

    @get("/people/{person_id:uuid}", summary="Карточка человека")
    async def get_person(self, db: Db, org: Org, person_id: Id) -> PersonOut:
        person = await people.get_person(db, org, person_id)
        return person_out(person, await people.roles_of(db, org, person.id))

    @patch("/people/{person_id:uuid}", summary="Изменить карточку человека")
    async def update_person(
        self, db: Db, org: Org, runtime: Rt, person_id: Id, data: JSONBody[PersonUpdate]
    ) -> PersonOut:
        return person_out(await change_person(db, runtime, org, person_id, data))

    @put("/people/{person_id:uuid}/roles", summary="Роли человека в программе")
    async def set_roles(self, db: Db, org: Org, person_id: Id, data: JSONBody[RolesIn]) -> list[str]:
        return await people.set_roles(db, org, person_id, data.roles)

    @delete("/people/{person_id:uuid}", summary="Удалить человека", status_code=HTTP_204_NO_CONTENT)
    async def delete_person(self, db: Db, org: Org, person_id: Id) -> None:
        await people.delete_person(db, org, person_id)

    @get("/headcounts", summary="Численность по учебным годам")
    async def list_headcounts(self, db: Db, org: Org) -> list[HeadcountOut]:
        return [headcount_out(h) for h in await headcounts.list_headcounts(db, org)]

    @put("/headcounts/{start_year:int}", summary="Указать численность за учебный год")
    async def set_headcount(
        self, db: Db, org: Org, start_year: YearPath, data: JSONBody[HeadcountIn]
    ) -> HeadcountOut:
        return headcount_out(await headcounts.set_headcount(db, org, start_year, headcount_values(data)))

    @get("/plugins", summary="Модули организации")
    async def list_plugins(self, db: Db, org: Org, runtime: Rt) -> list[PluginStateOut]:
        states = await plugin_settings.plugin_states(db, org, runtime.plugins)
        return [PluginStateOut(**_fields(s)) for s in states]

    @put("/plugins/{name:str}", summary="Включить, отключить или настроить модуль")
    async def configure_plugin(
        self, db: Db, org: Org, runtime: Rt, name: FromPath[str], data: JSONBody[PluginSettingIn]
    ) -> PluginStateOut:
        return PluginStateOut(**_fields(await configure_plugin(db, runtime, org, name, data)))

    @get("/dictionaries", summary="Формы, ролевые модели, виды и сроки наставничества")
    async def dictionaries(self, db: Db, org: Org, runtime: Rt) -> list[DictionaryEntryOut]:
        return [
            DictionaryEntryOut(
                kind=e.kind, code=e.code, title=e.title, regime=e.regime, description=e.description
            )
            for e in await catalogue.dictionaries_for(db, runtime.plugins, org)
        ]

    @get("/indicators", summary="Показатели организации")
    async def indicators(self, db: Db, org: Org, runtime: Rt) -> list[IndicatorOut]:
        values = await indicators_for(db, runtime.plugins, org)
        return [
            IndicatorOut(key=v.key, title=v.title, description=v.description, value=v.value) for v in values
        ]


def headcount_out(h: Any) -> HeadcountOut:
    return HeadcountOut(
        academic_year=h.academic_year,
        title=f"{h.academic_year}/{h.academic_year + 1}",
        learners_total=h.learners_total,
        learners_10_18=h.learners_10_18,
        pedagogues=h.pedagogues,
        young_pedagogues=h.young_pedagogues,
    )


def _fields(state: plugin_settings.PluginState) -> dict[str, Any]:
    return {
        "name": state.name,
        "title": state.title,
        "version": state.version,
        "default": state.default,
        "enabled": state.enabled,
        "settings": state.settings,
    }
