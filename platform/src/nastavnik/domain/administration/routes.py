"""Administration: the platform administrator's regions, a region administrator's municipalities and staff
(JSON API and pages; each page form is decoded into the API's body, so both refuse alike)."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.administration import (
    access,
    municipalities as municipality_service,
    provisioning,
    regions as region_service,
    staff as staff_service,
)
from nastavnik.domain.administration.schemas import (
    MunicipalityIn,
    MunicipalityOut,
    RegionIn,
    RegionOut,
    StaffIn,
    StaffOut,
)
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings
from nastavnik.tenancy import Actor
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import CurrentActor, Db, Id, Rt
from nastavnik.web.rendering import Render

STATUS_TITLES = {
    "done": "назначен(а)",
    "pending": "учётная запись создаётся",
    "retrying": "единая учётная запись недоступна, повторим",
    "failed": "ошибка создания учётной записи",
}


def region_out(row: region_service.RegionRow) -> RegionOut:
    r = row.region
    return RegionOut(
        id=r.id,
        code=r.code,
        name=r.name,
        timezone=r.timezone,
        administrators=row.administrators,
        pending_administrators=row.pending,
    )


def municipality_out(row: municipality_service.MunicipalityRow) -> MunicipalityOut:
    m = row.municipality
    return MunicipalityOut(
        id=m.id, name=m.name, retired=m.retired_at is not None, active_organisations=row.organisations
    )


def staff_out(row: staff_service.StaffRow, settings: Settings) -> StaffOut:
    return StaffOut(
        id=row.id,
        role=row.role,
        role_title=staff_service.ROLE_TITLES.get(StaffRole(row.role), row.role),
        name=row.name,
        email=row.email,
        municipality_id=row.municipality_id,
        municipality=row.municipality_name,
        status=row.status,
        error=provisioning.waiting_reason(settings, row.status, row.error),
    )


async def create_region(db: AsyncSession, runtime: Runtime, actor: Actor, data: RegionIn) -> RegionOut:
    region_service.require_platform_admin(actor)
    draft = region_service.checked_region(
        data.code,
        data.name,
        data.timezone,
        data.admin_last_name,
        data.admin_first_name,
        data.admin_middle_name,
        data.admin_email,
    )
    region, appointments = await region_service.create_region(db, actor, draft)
    await db.commit()
    await provisioning.schedule(runtime, appointments)
    return RegionOut(
        id=region.id,
        code=region.code,
        name=region.name,
        timezone=region.timezone,
        administrators=0,
        pending_administrators=1,
    )


async def appoint(db: AsyncSession, runtime: Runtime, actor: Actor, data: StaffIn) -> uuid.UUID:
    appointment = await staff_service.appoint(
        db,
        actor,
        data.role,
        data.municipality_id,
        data.last_name,
        data.first_name,
        data.middle_name,
        data.email,
    )
    await provisioning.schedule(runtime, [appointment.id])
    return appointment.id


async def staff_by_id(db: AsyncSession, runtime: Runtime, actor: Actor, staff_id: uuid.UUID) -> StaffOut:
    rows = await staff_service.list_staff(db, actor)
    return next(staff_out(r, runtime.settings) for r in rows if r.id == staff_id)


def confirmed(data: Form, message: str) -> None:
    if data.get("confirm") != "yes":
        raise InvalidInput(message, [FieldError("confirm", "отметьте подтверждение")])


class PlatformAdminApi(Controller):
    path = "/api/admin"
    tags = ["Администрирование платформы"]

    @get("/regions", summary="Регионы платформы")
    async def list_regions(self, db: Db, actor: CurrentActor) -> list[RegionOut]:
        return [region_out(r) for r in await region_service.list_regions(db, actor)]

    @post("/regions", summary="Создать регион и его первого администратора", status_code=HTTP_201_CREATED)
    async def create_region(
        self, db: Db, runtime: Rt, actor: CurrentActor, data: JSONBody[RegionIn]
    ) -> RegionOut:
        return await create_region(db, runtime, actor, data)


class RegionAdminApi(Controller):
    path = "/api/region"
    tags = ["Администрирование региона"]

    @get("/municipalities", summary="Муниципалитеты региона")
    async def list_municipalities(self, db: Db, actor: CurrentActor) -> list[MunicipalityOut]:
        return [municipality_out(r) for r in await municipality_service.list_municipalities(db, actor)]

    @post("/municipalities", summary="Создать муниципалитет", status_code=HTTP_201_CREATED)
    async def create_municipality(
        self, db: Db, actor: CurrentActor, data: JSONBody[MunicipalityIn]
    ) -> MunicipalityOut:
        created = await municipality_service.create_municipality(db, actor, data.name)
        return MunicipalityOut(id=created.id, name=created.name, retired=False, active_organisations=0)

    @patch("/municipalities/{municipality_id:uuid}", summary="Переименовать муниципалитет")
    async def rename_municipality(
        self, db: Db, actor: CurrentActor, municipality_id: Id, data: JSONBody[MunicipalityIn]
    ) -> MunicipalityOut:
        await municipality_service.rename_municipality(db, actor, municipality_id, data.name)
        return await _municipality(db, actor, municipality_id)

    @post(
        "/municipalities/{municipality_id:uuid}/retire",
        summary="Вывести муниципалитет из списка",
        status_code=HTTP_200_OK,
    )
    async def retire_municipality(self, db: Db, actor: CurrentActor, municipality_id: Id) -> MunicipalityOut:
        await municipality_service.retire_municipality(db, actor, municipality_id)
        return await _municipality(db, actor, municipality_id)

    @get("/staff", summary="Сотрудники региона")
    async def list_staff(self, db: Db, runtime: Rt, actor: CurrentActor) -> list[StaffOut]:
        return [staff_out(r, runtime.settings) for r in await staff_service.list_staff(db, actor)]

    @post("/staff", summary="Назначить сотрудника региона", status_code=HTTP_201_CREATED)
    async def appoint(self, db: Db, runtime: Rt, actor: CurrentActor, data: JSONBody[StaffIn]) -> StaffOut:
        return await staff_by_id(db, runtime, actor, await appoint(db, runtime, actor, data))

    @delete("/staff/{assignment_id:uuid}", summary="Снять сотрудника региона")
    async def remove(self, db: Db, actor: CurrentActor, assignment_id: Id) -> None:
        await staff_service.remove(db, actor, assignment_id)


async def _municipality(db: AsyncSession, actor: Actor, municipality_id: uuid.UUID) -> MunicipalityOut:
    rows = await municipality_service.list_municipalities(db, actor)
    return next(municipality_out(r) for r in rows if r.municipality.id == municipality_id)


class AdministrationPages(Controller):
    tags = ["Страницы"]

    @get("/admin/regions", summary="Регионы платформы")
    async def regions(self, render: Render, db: Db, actor: CurrentActor) -> Template:
        rows = await region_service.list_regions(db, actor)
        return await render("core/admin_regions.html", regions=rows)

    @post("/admin/regions", summary="Создать регион (форма)")
    async def create_region(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        await create_region(db, runtime, actor, decode_form(data, RegionIn))
        return Redirect(path="/admin/regions")

    @get("/region/municipalities", summary="Муниципалитеты региона")
    async def municipalities(self, render: Render, db: Db, actor: CurrentActor) -> Template:
        rows = await municipality_service.list_municipalities(db, actor)
        return await render("core/region_municipalities.html", municipalities=rows)

    @post("/region/municipalities", summary="Создать муниципалитет (форма)")
    async def create_municipality(self, db: Db, actor: CurrentActor, data: Form) -> Redirect:
        await municipality_service.create_municipality(db, actor, decode_form(data, MunicipalityIn).name)
        return Redirect(path="/region/municipalities")

    @post("/region/municipalities/{municipality_id:uuid}", summary="Переименовать муниципалитет (форма)")
    async def rename_municipality(
        self, db: Db, actor: CurrentActor, municipality_id: Id, data: Form
    ) -> Redirect:
        name = decode_form(data, MunicipalityIn).name
        await municipality_service.rename_municipality(db, actor, municipality_id, name)
        return Redirect(path="/region/municipalities")

    @post("/region/municipalities/{municipality_id:uuid}/retire", summary="Вывести муниципалитет (форма)")
    async def retire_municipality(
        self, db: Db, actor: CurrentActor, municipality_id: Id, data: Form
    ) -> Redirect:
        await access.administered_municipality(db, actor, municipality_id)  # a stranger's is a 404 first
        confirmed(data, "Подтвердите, что муниципалитет нужно вывести из списка.")
        await municipality_service.retire_municipality(db, actor, municipality_id)
        return Redirect(path="/region/municipalities")

    @get("/region/staff", summary="Сотрудники региона")
    async def staff(self, render: Render, db: Db, runtime: Rt, actor: CurrentActor) -> Template:
        rows = [staff_out(r, runtime.settings) for r in await staff_service.list_staff(db, actor)]
        municipalities = [
            r.municipality
            for r in await municipality_service.list_municipalities(db, actor)
            if r.municipality.retired_at is None
        ]
        return await render(
            "core/region_staff.html",
            staff=rows,
            municipalities=municipalities,
            role_titles=staff_service.ROLE_TITLES,
            status_titles=STATUS_TITLES,
        )

    @post("/region/staff", summary="Назначить сотрудника региона (форма)")
    async def appoint(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        await appoint(db, runtime, actor, decode_form(data, StaffIn))
        return Redirect(path="/region/staff")

    @post("/region/staff/{assignment_id:uuid}/delete", summary="Снять сотрудника региона (форма)")
    async def remove(self, db: Db, actor: CurrentActor, assignment_id: Id, data: Form) -> Redirect:
        await staff_service.remove(db, actor, assignment_id, confirmed=data.get("confirm") == "yes")
        return Redirect(path="/region/staff")
