"""The region's default roadmap per regime: JSON API and page for region staff.

The API replaces a regime's list as a whole (``PUT``) or goes back to the platform's (``DELETE``). The page
shows each regime's list as a table of fields with a few empty rows to add to; a row cleared of every
text is left out; the whole table is saved at once, through the same service as the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT

from nastavnik.domain.programmes import region_roadmap
from nastavnik.domain.programmes.models import STAGES
from nastavnik.domain.programmes.region_roadmap import RegionRoadmap
from nastavnik.domain.programmes.roadmap_defaults import ACADEMIC_MONTHS, DefaultLine
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.web.forms import Form
from nastavnik.web.params import CurrentActor, Db
from nastavnik.web.rendering import Render

SPARE_ROWS = 5
"""Empty rows the page offers under a list, to add lines to it."""
FIELDS = ("stage", "month", "day", "title", "responsible", "result")
NUMBERS = {"stage": "этап от 1 до 7", "month": "месяц от 1 до 12", "day": "день от 1 до 31"}


class RegionLineIn(msgspec.Struct, forbid_unknown_fields=True):
    stage: Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
    month: Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
    """The month of the academic year: 1 is September, 12 is August."""
    day: Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
    """The day of that month; a day the month lacks means its last."""
    title: str
    responsible: str
    result: str = ""


class RegionRoadmapIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[RegionLineIn]


class RegionLineOut(msgspec.Struct):
    stage: int
    month: int
    day: int
    title: str
    responsible: str
    result: str


class RegionRoadmapOut(msgspec.Struct):
    regime: str
    regime_title: str
    regional: bool
    """True: the region's own list; false: the platform's standard one."""
    lines: list[RegionLineOut]


def roadmap_out(shown: RegionRoadmap) -> RegionRoadmapOut:
    return RegionRoadmapOut(
        shown.regime,
        shown.regime_title,
        shown.regional,
        [RegionLineOut(x.stage, x.month, x.day, x.title, x.responsible, x.result) for x in shown.lines],
    )


def _form_lines(data: Mapping[str, str]) -> tuple[list[DefaultLine], list[int]]:
    """The page's rows (``<field>_<row>``) as lines, rows left empty dropped; with each line's row number."""
    rows = sorted({int(k.rsplit("_", 1)[1]) for k in data if k.startswith("title_") and k[6:].isdigit()})
    lines, numbers, errors = [], [], []
    for row in rows:
        texts = [data.get(f"{name}_{row}", "").strip() for name in ("title", "responsible", "result")]
        if not any(texts):
            continue
        values = {}
        for name, message in NUMBERS.items():
            raw = data.get(f"{name}_{row}", "").strip()
            if not raw.isdigit():
                errors.append(FieldError(f"{name}_{row}", f"строка {row}: {message}"))
            values[name] = int(raw) if raw.isdigit() else 0
        lines.append(DefaultLine(values["stage"], values["month"], values["day"], *texts))
        numbers.append(row)
    if errors:
        raise InvalidInput("Типовая дорожная карта не сохранена: исправьте ошибки.", errors)
    return lines, numbers


class RegionRoadmapApi(Controller):
    path = "/api/region/roadmap"
    tags = ["Регион и муниципалитет"]

    @get("/", summary="Типовая дорожная карта каждого режима: региональная или стандартная")
    async def index(self, db: Db, actor: CurrentActor) -> list[RegionRoadmapOut]:
        return [roadmap_out(r) for r in await region_roadmap.region_roadmaps(db, actor)]

    @get("/{regime:str}", summary="Типовая дорожная карта режима (learners или pedagogues)")
    async def show(self, db: Db, actor: CurrentActor, regime: FromPath[str]) -> RegionRoadmapOut:
        return roadmap_out(await region_roadmap.region_roadmap(db, actor, regime))

    @put("/{regime:str}", summary="Заменить типовую дорожную карту региона для режима (весь список)")
    async def save(
        self, db: Db, actor: CurrentActor, regime: FromPath[str], data: JSONBody[RegionRoadmapIn]
    ) -> RegionRoadmapOut:
        lines = [DefaultLine(x.stage, x.month, x.day, x.title, x.responsible, x.result) for x in data.lines]
        return roadmap_out(await region_roadmap.save_region_roadmap(db, actor, regime, lines))

    @delete(
        "/{regime:str}",
        summary="Удалить типовую дорожную карту региона: организации получат стандартную",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def revert(self, db: Db, actor: CurrentActor, regime: FromPath[str]) -> None:
        await region_roadmap.revert_region_roadmap(db, actor, regime, confirmed=True)


class RegionRoadmapPages(Controller):
    path = "/region/roadmap"
    tags = ["Страницы"]

    @get("/", summary="Типовая дорожная карта региона")
    async def index(self, render: Render, db: Db, actor: CurrentActor) -> Template:
        return await render(
            "core/region_roadmap.html",
            roadmaps=await region_roadmap.region_roadmaps(db, actor),
            stages=STAGES,
            months=ACADEMIC_MONTHS,
            spare=SPARE_ROWS,
        )

    @post("/{regime:str}", summary="Сохранить типовую дорожную карту региона (форма)")
    async def save(self, db: Db, actor: CurrentActor, regime: FromPath[str], data: Form) -> Redirect:
        region_roadmap.require_staff(actor)
        lines, rows = _form_lines(data)
        await region_roadmap.save_region_roadmap(db, actor, regime, lines, rows=rows)
        return Redirect(path=f"/region/roadmap#{regime}")

    @post("/{regime:str}/revert", summary="Вернуть стандартную дорожную карту (форма, с подтверждением)")
    async def revert(self, db: Db, actor: CurrentActor, regime: FromPath[str], data: Form) -> Redirect:
        await region_roadmap.revert_region_roadmap(db, actor, regime, confirmed=data.get("confirm") == "yes")
        return Redirect(path=f"/region/roadmap#{regime}")
