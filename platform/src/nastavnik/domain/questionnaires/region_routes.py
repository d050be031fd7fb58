"""The region's questionnaires: the platform's defaults and its own versions. API and pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from nastavnik.domain.people.services import parse_id
from nastavnik.domain.questionnaires import questionnaire_templates as templates
from nastavnik.domain.questionnaires.models import QuestionnaireVersion
from nastavnik.domain.questionnaires.routes import ItemOut
from nastavnik.errors import InvalidInput
from nastavnik.tenancy import Actor, region_timezone
from nastavnik.types import Int32
from nastavnik.web.forms import Form
from nastavnik.web.params import CurrentActor, Db, Rt
from nastavnik.web.rendering import page

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
    t = view.template
    return TemplateOut(
        id=t.id,
        code=t.code,
        audience=t.audience,
        regime=t.regime,
        moment=t.moment,
        title=t.title,
        region_id=t.region_id,
        regional=view.owned_by_region,
        effective=view.effective,
        versions=[version_out(v) for v in view.versions],
    )


def _drafts(items: list[ItemIn]) -> list[templates.ItemDraft]:
    return [templates.ItemDraft(i.key, i.text, i.kind, i.min, i.max, i.required) for i in items]


class RegionQuestionnairesApi(Controller):
    path = "/api/region/questionnaires"
    tags = ["Регион: анкеты"]

    @get("/", summary="Анкеты региона: платформенные и собственные версии")
    async def index(self, db: Db, actor: CurrentActor) -> list[TemplateOut]:
        return [template_out(v) for v in await templates.list_templates(db, actor)]

    @get("/{template_id:str}", summary="Анкета со всеми версиями")
    async def show(self, db: Db, actor: CurrentActor, template_id: FromPath[str]) -> TemplateOut:
        return template_out(await templates.get_template(db, actor, parse_id(template_id)))

    @post(
        "/{template_id:str}/versions",
        summary="Сохранить черновик новой версии (для платформенной анкеты — копия региона)",
        status_code=HTTP_201_CREATED,
    )
    async def save(
        self, db: Db, actor: CurrentActor, template_id: FromPath[str], data: JSONBody[VersionIn]
    ) -> VersionOut:
        draft = await templates.save_draft(db, actor, parse_id(template_id), data.title, _drafts(data.items))
        return version_out(draft)

    @post(
        "/{template_id:str}/versions/{version_id:str}/publish",
        summary="Опубликовать черновик: его получают новые анкеты",
        status_code=HTTP_200_OK,
    )
    async def publish(
        self, db: Db, actor: CurrentActor, template_id: FromPath[str], version_id: FromPath[str]
    ) -> VersionOut:
        return version_out(await templates.publish(db, actor, parse_id(template_id), parse_id(version_id)))


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
            [{"field": f"items.{n}.{field_name}", "message": f"вопрос {n}: введите целое число"}],
        ) from None


def drafts_from_rows(rows: list[dict[str, str]]) -> list[templates.ItemDraft]:
    """Questions from the page's rows; a new row without a key gets one from its position."""
    taken = {r["key"] for r in rows if r["key"]}
    drafts = []
    for n, row in enumerate(rows, start=1):
        key = row["key"]
        if not key:
            key = next(f"q{m}" for m in range(n, n + 1000) if f"q{m}" not in taken)
            taken.add(key)
        drafts.append(
            templates.ItemDraft(
                key=key,
                text=row["text"],
                kind=row["kind"] or "scale",
                min=_number(row["min"], "min", n),
                max=_number(row["max"], "max", n),
                required=row["required"] == "on",
            )
        )
    return drafts


class RegionQuestionnairesPages(Controller):
    path = "/region/questionnaires"
    tags = ["Страницы: анкеты региона"]

    @get("/", summary="Анкеты региона")
    async def index(self, db: Db, runtime: Rt, actor: CurrentActor) -> Template:
        views = await templates.list_templates(db, actor)
        return await page(
            "core/region_questionnaires.html",
            db=db,
            runtime=runtime,
            actor=actor,
            views=views,
            audience_titles=templates.AUDIENCE_TITLES,
            regime_titles=templates.REGIME_TITLES,
            moment_titles=templates.MOMENT_TITLES,
        )

    async def _page(
        self, db: Any, runtime: Any, actor: Actor, template_id: uuid.UUID, **extra: Any
    ) -> Template:
        view = await templates.get_template(db, actor, template_id)
        base = view.draft or view.latest_published
        return await page(
            "core/region_questionnaire.html",
            db=db,
            runtime=runtime,
            actor=actor,
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

    @get("/{template_id:str}", summary="Анкета региона: версии и редактирование")
    async def show(self, db: Db, runtime: Rt, actor: CurrentActor, template_id: FromPath[str]) -> Template:
        return await self._page(db, runtime, actor, parse_id(template_id))

    @post("/{template_id:str}/versions", summary="Сохранить черновик версии (форма)")
    async def save(
        self, db: Db, runtime: Rt, actor: CurrentActor, template_id: FromPath[str], data: Form
    ) -> Template | Redirect:
        tid = parse_id(template_id)
        rows = form_rows(data)
        try:
            draft = await templates.save_draft(db, actor, tid, data.get("title"), drafts_from_rows(rows))
        except InvalidInput as problem:
            return await self._page(
                db,
                runtime,
                actor,
                tid,
                rows=[{**r, "required": r["required"] == "on"} for r in rows],
                title=data.get("title"),
                problem=problem.message,
                errors=problem.errors,
                status_code=422,
            )
        return Redirect(path=f"/region/questionnaires/{draft.template_id}")

    @post("/{template_id:str}/versions/{version_id:str}/publish", summary="Опубликовать черновик (форма)")
    async def publish(
        self, db: Db, actor: CurrentActor, template_id: FromPath[str], version_id: FromPath[str]
    ) -> Redirect:
        version = await templates.publish(db, actor, parse_id(template_id), parse_id(version_id))
        return Redirect(path=f"/region/questionnaires/{version.template_id}")
