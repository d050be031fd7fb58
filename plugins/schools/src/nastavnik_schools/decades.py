"""Subject decades: the service and its page and API handlers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import (
    CurrentActor,
    Db,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    Org,
    OrgContext,
    Rt,
    audit_record,
    decode_form,
    register_audit_kind,
    render_page,
)
from nastavnik_schools.models import SubjectDecade

MANAGERS = ("curator", "director")
MAX_DECADE_DAYS = 31
SUBJECT_DECADE = register_audit_kind("schools.subject_decade", "предметная декада")


class DecadeIn(msgspec.Struct, forbid_unknown_fields=True):
    # An empty one is refused by the service, in Russian, with every other wrong field.
    subject_area: Annotated[str, msgspec.Meta(max_length=200)]
    title: Annotated[str, msgspec.Meta(max_length=300)]
    starts_on: date
    ends_on: date


class DecadeOut(msgspec.Struct):
    id: uuid.UUID
    subject_area: str
    title: str
    starts_on: date
    ends_on: date


def _out(d: SubjectDecade) -> DecadeOut:
    return DecadeOut(
        id=d.id, subject_area=d.subject_area, title=d.title, starts_on=d.starts_on, ends_on=d.ends_on
    )


def _require_manager(org: Org) -> None:
    if not (set(MANAGERS) & org.roles):
        raise Forbidden


async def list_decades(db: AsyncSession, org: OrgContext) -> list[SubjectDecade]:
    query = select(SubjectDecade).where(org.owns(SubjectDecade)).order_by(SubjectDecade.starts_on)
    return list(await db.scalars(query))


async def create_decade(db: AsyncSession, org: OrgContext, data: DecadeIn) -> SubjectDecade:
    _require_manager(org)
    errors = []
    if not data.subject_area.strip():
        errors.append(FieldError("subject_area", "укажите предметную область"))
    if not data.title.strip():
        errors.append(FieldError("title", "укажите название"))
    if data.ends_on < data.starts_on:
        errors.append(FieldError("ends_on", "окончание раньше начала"))
    elif (data.ends_on - data.starts_on).days >= MAX_DECADE_DAYS:
        errors.append(FieldError("ends_on", f"декада длится не больше {MAX_DECADE_DAYS} дней"))
    if errors:
        raise InvalidInput("Декада не сохранена: исправьте ошибки.", errors)
    decade = SubjectDecade(
        org_id=org.org.id,
        subject_area=data.subject_area.strip(),
        title=data.title.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    db.add(decade)
    await db.flush()
    await audit_record(db, org, "create", SUBJECT_DECADE, decade.id)
    await db.commit()
    return decade


async def get_decade(db: AsyncSession, org: OrgContext, decade_id: uuid.UUID) -> SubjectDecade:
    query = select(SubjectDecade).where(SubjectDecade.id == decade_id, org.owns(SubjectDecade))
    decade = (await db.scalars(query)).one_or_none()
    if decade is None:
        raise NotFound
    return decade


async def delete_decade(db: AsyncSession, org: OrgContext, decade_id: uuid.UUID) -> None:
    _require_manager(org)
    decade = await get_decade(db, org, decade_id)
    await db.delete(decade)
    await audit_record(db, org, "delete", SUBJECT_DECADE, decade_id)
    await db.commit()


async def count_decades(db: Db, org_id: uuid.UUID) -> int:
    count = await db.scalar(
        select(func.count()).select_from(SubjectDecade).where(SubjectDecade.org_id == org_id)
    )
    return int(count or 0)


class DecadesApi(Controller):
    path = "/decades"
    tags = ["Школы: предметные декады"]

    @get("/", summary="Предметные декады")
    async def index(self, db: Db, org: Org) -> list[DecadeOut]:
        return [_out(d) for d in await list_decades(db, org)]

    @post("/", summary="Запланировать декаду", status_code=HTTP_201_CREATED)
    async def create(self, db: Db, org: Org, data: JSONBody[DecadeIn]) -> DecadeOut:
        return _out(await create_decade(db, org, data))

    @get("/{decade_id:uuid}", summary="Декада")
    async def show(self, db: Db, org: Org, decade_id: FromPath[uuid.UUID]) -> DecadeOut:
        return _out(await get_decade(db, org, decade_id))

    @delete("/{decade_id:uuid}", summary="Удалить декаду", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, org: Org, decade_id: FromPath[uuid.UUID]) -> None:
        await delete_decade(db, org, decade_id)


class DecadesPages(Controller):
    path = "/decades"
    tags = ["Школы: предметные декады"]

    @get("/", summary="План предметных декад")
    async def index(self, db: Db, org: Org, runtime: Rt, actor: CurrentActor) -> Template:
        return await render_page(
            "schools/decades.html",
            db=db,
            runtime=runtime,
            actor=actor,
            org=org,
            decades=await list_decades(db, org),
            can_manage=bool(set(MANAGERS) & org.roles),
        )

    @post("/", summary="Запланировать декаду (форма)")
    async def create(
        self,
        db: Db,
        org: Org,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        await create_decade(db, org, decode_form(data, DecadeIn))
        return Redirect(path=f"/o/{org.org.slug}/p/schools/decades")
