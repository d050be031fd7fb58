"""The people of an organisation: the curator's list, a person's card, its changes (JSON API and pages)."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.accounts import services as accounts
from nastavnik.domain.bases import services as bases
from nastavnik.domain.organisations import onboarding
from nastavnik.domain.people import services as people
from nastavnik.domain.people.schemas import PersonIn, PersonOut, PersonUpdate, RolesIn
from nastavnik.domain.people.services import PersonDraft, PersonRow
from nastavnik.models.people import ROLE_TITLES, Person, PersonCategory
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, decode_form, ticked
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Render

CATEGORY_TITLES = {
    PersonCategory.PEDAGOGUE: "педагог",
    PersonCategory.LEARNER: "обучающийся",
    PersonCategory.STAFF: "сотрудник",
}


def person_out(person: Person | PersonRow, roles: list[str] | None = None) -> PersonOut:
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


class PeopleApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

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


class PeoplePages(Controller):
    path = "/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы организации"]

    @get("/people", summary="Люди организации")
    async def people_page(self, render: Render, db: Db, org: Org) -> Template:
        # One transaction for the whole page: the list with its read's audit event, the batches, the layout,
        # then the commit that keeps the audit event. (No ``runtime`` parameter: ``render`` has it, and asking
        # for it would resolve it beside ``db`` in a task group of its own, see web.deps.provide_org_pages.)
        rows = await people.list_people(db, org, commit=False)
        page = await render(
            "core/people.html",
            people=rows,
            category_titles=CATEGORY_TITLES,
            batches=await accounts.recent_batches(db, org, limit=10),
            min_learner_age=render.runtime.settings.account_min_learner_age,
        )
        await db.commit()
        return page

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
