"""The region's questionnaires: the platform's defaults and its own versions. API and pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.questionnaires import questionnaire_templates as templates
from nastavnik.domain.questionnaires.models import QuestionnaireVersion
from nastavnik.domain.questionnaires.routes import ItemOut
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.tenancy import Actor, region_timezone
from nastavnik.types import Int32
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import CurrentActor, Db, Id
from nastavnik.web.rendering import Pages, Render

# Generous limits at the edge only stop abuse; the service gives the Russian reasons.
Loose = Annotated[str, msgspec.Meta(max_length=5000)]
BLANK_ROWS = 3
"""Empty rows the page form offers for new questions (it works without JavaScript)."""
ITEM_PARTS = ("key", "text", "kind", "min", "max", "required")


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Loose
    text: Loose
    kind: Annotated[str, msgspec.Meta(max_length=16)] = "scale"
    min: Int32 | None = None
    max: Int32 | None = None
    required: bool | None = None


class VersionIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[ItemIn], msgspec.Meta(max_length=500)]
    title: Loose | None = None


class VersionOut(msgspec.Struct):
    id: uuid.UUID
    template_id: uuid.UUID
    number: int
    status: str
    published_at: datetime | None
    items: list[ItemOut]


class TemplateOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    audience: str
    regime: str
    moment: str
    title: str
    region_id: uuid.UUID | None
    regional: bool
    effective: bool
    versions: list[VersionOut]


def version_out(v: QuestionnaireVersion) -> VersionOut:
    return VersionOut(
        v.id, v.template_id, v.number, v.status, v.published_at, [ItemOut(**i) for i in v.items]
    )


def template_out(view: templates.TemplateView) -> TemplateOut:
    return shown_as(
        TemplateOut,
        view.template,
        regional=view.owned_by_region,
        effective=view.effective,
        versions=[version_out(v) for v in view.versions],
    )


async def save_draft(
    db: AsyncSession, actor: Actor, template_id: uuid.UUID, data: VersionIn
) -> QuestionnaireVersion:
    drafts = [templates.ItemDraft(i.key, i.text, i.kind, i.min, i.max, i.required) for i in data.items]
    return await templates.save_draft(db, actor, template_id, data.title, drafts)


class RegionQuestionnairesApi(Controller):
    path = "/api/region/questionnaires"
    tags = ["Регион: анкеты"]

    @get("/", summary="Анкеты региона: платформенные и собственные версии")
    async def index(self, db: Db, actor: CurrentActor) -> list[TemplateOut]:
        return [template_out(v) for v in await templates.list_templates(db, actor)]

    @get("/{template_id:uuid}", summary="Анкета со всеми версиями")
    async def show(self, db: Db, actor: CurrentActor, template_id: Id) -> TemplateOut:
        return template_out(await templates.get_template(db, actor, template_id))

    @post(
        "/{template_id:uuid}/versions",
        summary="Сохранить черновик новой версии (для платформенной анкеты — копия региона)",
        status_code=HTTP_201_CREATED,
    )
    async def save(
        self, db: Db, actor: CurrentActor, template_id: Id, data: JSONBody[VersionIn]
    ) -> VersionOut:
        return version_out(await save_draft(db, actor, template_id, data))

    @post(
        "/{template_id:uuid}/versions/{version_id:uuid}/publish",
        summary="Опубликовать черновик: его получают новые анкеты",
        status_code=HTTP_200_OK,
    )
    async def publish(self, db: Db, actor: CurrentActor, template_id: Id, version_id: Id) -> VersionOut:
        return version_out(await templates.publish(db, actor, template_id, version_id))


def form_rows(data: dict[str, str]) -> list[dict[str, str]]:
    """The page's question rows (``item_<n>_<part>``) in order, blank rows dropped."""
    numbers = sorted(
        {
            int(number)
            for name in data
            if name.startswith("item_") and (number := name.split("_")[1]).isdigit() and len(number) < 4
        }
    )
    rows = []
    for n in numbers:
        row = {part: data.get(f"item_{n}_{part}", "").strip() for part in ITEM_PARTS}
        if row["key"] or row["text"]:
            rows.append(row)
    return rows


def _number(raw: str, field_name: str, n: int) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            "Анкета не сохранена: исправьте вопросы.",
            [FieldError(f"items.{n}.{field_name}", f"вопрос {n}: введите целое число")],
        ) from None


def version_from_rows(title: str | None, rows: list[dict[str, str]]) -> VersionIn:
    """The page's rows as the API's body; a new row without a key gets one from its position."""
    taken = {r["key"] for r in rows if r["key"]}
    items: list[dict[str, Any]] = []
    for n, row in enumerate(rows, start=1):
        key = row["key"]
        if not key:
            key = next(f"q{m}" for m in range(n, n + 1000) if f"q{m}" not in taken)
            taken.add(key)
        items.append(
            {
                "key": key,
                "text": row["text"],
                "kind": row["kind"] or "scale",
                "min": _number(row["min"], "min", n),
                "max": _number(row["max"], "max", n),
                "required": row["required"] == "on",
            }
        )
    return decode_form({"title": title, "items": items}, VersionIn, keep_blank=["title"])


class RegionQuestionnairesPages(Controller):
    path = "/region/questionnaires"
    tags = ["Страницы: анкеты региона"]

    @get("/", summary="Анкеты региона")
    async def index(self, render: Render, db: Db, actor: CurrentActor) -> Template:
        views = await templates.list_templates(db, actor)
        return await render(
            "core/region_questionnaires.html",
            views=views,
            audience_titles=templates.AUDIENCE_TITLES,
            regime_titles=templates.REGIME_TITLES,
            moment_titles=templates.MOMENT_TITLES,
        )

    @staticmethod
    async def _page(render: Pages, template_id: uuid.UUID, **extra: Any) -> Template:
        db, actor = render.db, render.actor
        view = await templates.get_template(db, actor, template_id)
        base = view.draft or view.latest_published
        return await render(
            "core/region_questionnaire.html",
            view=view,
            rows=extra.pop("rows", None)
            or [{**i, "required": i["required"]} for i in (base.items if base else [])],
            blank_rows=BLANK_ROWS,
            audience_titles=templates.AUDIENCE_TITLES,
            regime_titles=templates.REGIME_TITLES,
            moment_titles=templates.MOMENT_TITLES,
            kind_titles=templates.KIND_TITLES,
            timezone=await region_timezone(db, actor),
            **extra,
        )

    @get("/{template_id:uuid}", summary="Анкета региона: версии и редактирование")
    async def show(self, render: Render, template_id: Id) -> Template:
        return await self._page(render, template_id)

    @post("/{template_id:uuid}/versions", summary="Сохранить черновик версии (форма)")
    async def save(
        self, render: Render, db: Db, actor: CurrentActor, template_id: Id, data: Form
    ) -> Template | Redirect:
        rows = form_rows(data)
        try:
            draft = await save_draft(db, actor, template_id, version_from_rows(data.get("title"), rows))
        except InvalidInput as problem:
            return await self._page(
                render,
                template_id,
                rows=[{**r, "required": r["required"] == "on"} for r in rows],
                title=data.get("title"),
                problem=problem.message,
                errors=problem.errors,
                status_code=422,
            )
        return Redirect(path=f"/region/questionnaires/{draft.template_id}")

    @post("/{template_id:uuid}/versions/{version_id:uuid}/publish", summary="Опубликовать черновик (форма)")
    async def publish(self, db: Db, actor: CurrentActor, template_id: Id, version_id: Id) -> Redirect:
        version = await templates.publish(db, actor, template_id, version_id)
        return Redirect(path=f"/region/questionnaires/{version.template_id}")
