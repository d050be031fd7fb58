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
from sqlalchemy import select

from nastavnik import (
    MANAGERS,
    AuditTitles,
    FieldError,
    InvalidInput,
    NotFound,
    PluginContext,
    PluginCtx,
    decode_form,
)
from nastavnik_schools.models import SubjectDecade

DECADE = "schools.subject_decade"
"""The decade as an audited object: titled in the auditor's log through ``register_audit_titles``."""
AUDIT_TITLES = AuditTitles(
    objects={DECADE: "предметная декада"}, fields={"subject_area": "Предметная область"}
)
MAX_DECADE_DAYS = 31


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


async def list_decades(ctx: PluginContext) -> list[SubjectDecade]:
    query = select(SubjectDecade).where(ctx.owns(SubjectDecade)).order_by(SubjectDecade.starts_on)
    return list(await ctx.db.scalars(query))


async def create_decade(ctx: PluginContext, data: DecadeIn) -> SubjectDecade:
    ctx.require_role(*MANAGERS)
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
        org_id=ctx.org.id,
        subject_area=data.subject_area.strip(),
        title=data.title.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    ctx.db.add(decade)
    await ctx.db.flush()
    await ctx.audit(action="create", object_type=DECADE, object_id=str(decade.id))
    await ctx.db.commit()
    return decade


async def get_decade(ctx: PluginContext, decade_id: uuid.UUID) -> SubjectDecade:
    query = select(SubjectDecade).where(SubjectDecade.id == decade_id, ctx.owns(SubjectDecade))
    decade = (await ctx.db.scalars(query)).one_or_none()
    if decade is None:
        raise NotFound
    return decade


async def delete_decade(ctx: PluginContext, decade_id: uuid.UUID) -> None:
    ctx.require_role(*MANAGERS)
    decade = await get_decade(ctx, decade_id)
    await ctx.db.delete(decade)
    await ctx.audit(action="delete", object_type=DECADE, object_id=str(decade_id))
    await ctx.db.commit()


class DecadesApi(Controller):
    path = "/decades"
    tags = ["Школы: предметные декады"]

    @get("/", summary="Предметные декады")
    async def index(self, ctx: PluginCtx) -> list[DecadeOut]:
        return [_out(d) for d in await list_decades(ctx)]

    @post("/", summary="Запланировать декаду", status_code=HTTP_201_CREATED)
    async def create(self, ctx: PluginCtx, data: JSONBody[DecadeIn]) -> DecadeOut:
        return _out(await create_decade(ctx, data))

    @get("/{decade_id:uuid}", summary="Декада")
    async def show(self, ctx: PluginCtx, decade_id: FromPath[uuid.UUID]) -> DecadeOut:
        return _out(await get_decade(ctx, decade_id))

    @delete("/{decade_id:uuid}", summary="Удалить декаду", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, ctx: PluginCtx, decade_id: FromPath[uuid.UUID]) -> None:
        await delete_decade(ctx, decade_id)


class DecadesPages(Controller):
    path = "/decades"
    tags = ["Школы: предметные декады"]

    @get("/", summary="План предметных декад")
    async def index(self, ctx: PluginCtx) -> Template:
        return await ctx.page(
            "schools/decades.html",
            decades=await list_decades(ctx),
            can_manage=ctx.has_role(*MANAGERS),
        )

    @post("/", summary="Запланировать декаду (форма)")
    async def create(
        self,
        ctx: PluginCtx,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        await create_decade(ctx, decode_form(data, DecadeIn))
        return Redirect(path=f"/o/{ctx.org.slug}/p/schools/decades")
