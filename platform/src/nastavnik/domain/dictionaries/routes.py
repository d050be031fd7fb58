"""The mentoring dictionaries: the region's wording of them (JSON API and pages for region staff) and an
organisation's, as its region words them (JSON API)."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated

import msgspec
from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from nastavnik.domain.dictionaries import region as region_dictionaries
from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.dictionaries.region import EntryChange, NewEntry, RegionEntry
from nastavnik.models.people import PersonCategory
from nastavnik.types import DictionaryKind, Regime, Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import CurrentActor, Db, Org, Rt
from nastavnik.web.rendering import Render

# Generous edge limits: the service refuses what is merely too long with a message in Russian.
Short = Annotated[str, msgspec.Meta(max_length=200)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]


class EntryChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Long
    version: Version
    hidden: bool = False
    organisation_type: Short | None = None


class NewEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Short
    regime: Short
    code: Short
    title: Long
    organisation_type: Short | None = None
    description: Long = ""
    mentor_categories: Annotated[list[Short], msgspec.Meta(max_length=10)] = []


class DictionaryEntryOut(msgspec.Struct):
    kind: str
    code: str
    title: str
    regime: str
    description: str


def new_entry(data: NewEntryIn) -> NewEntry:
    fields = msgspec.structs.asdict(data)
    return NewEntry(
        **{**fields, "code": data.code.strip(), "mentor_categories": tuple(data.mentor_categories)}
    )


def change_of(data: EntryChangeIn) -> EntryChange:
    return EntryChange(data.organisation_type, data.title, data.hidden, data.version)


class RegionDictionaryApi(Controller):
    path = "/api/region/dictionaries"
    tags = ["Регион и муниципалитет"]

    @get("/", summary="Словари наставничества региона: названия модулей и региона, скрытые и свои записи")
    async def index(self, db: Db, actor: CurrentActor, runtime: Rt) -> list[RegionEntry]:
        return await region_dictionaries.region_dictionaries(db, actor, runtime.plugins)

    @put(
        "/{kind:str}/{regime:str}/{code:str}",
        summary="Переименовать, скрыть или вернуть запись словаря (с номером версии)",
    )
    async def change(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        kind: FromPath[str],
        regime: FromPath[str],
        code: FromPath[str],
        data: JSONBody[EntryChangeIn],
    ) -> RegionEntry:
        return await region_dictionaries.update_entry(
            db, actor, runtime.plugins, kind, regime, code, change_of(data)
        )

    @post("/", summary="Добавить в словарь запись региона", status_code=HTTP_201_CREATED)
    async def add(self, db: Db, actor: CurrentActor, runtime: Rt, data: JSONBody[NewEntryIn]) -> RegionEntry:
        return await region_dictionaries.add_entry(db, actor, runtime.plugins, new_entry(data))


def _sections(lines: list[RegionEntry]) -> list[tuple[str, list[RegionEntry]]]:
    """The lines as one table per dictionary and regime, titled in Russian."""
    return [
        (
            f"{region_dictionaries.KIND_TITLES[DictionaryKind(kind)]}: "
            f"{region_dictionaries.REGIME_TITLES[Regime(regime)]}",
            list(rows),
        )
        for (kind, regime), rows in groupby(lines, key=lambda e: (e.kind, e.regime))
    ]


class RegionDictionaryPages(Controller):
    path = "/region/dictionaries"
    tags = ["Страницы"]

    @get("/", summary="Словари наставничества региона")
    async def index(self, render: Render, db: Db, runtime: Rt, actor: CurrentActor) -> Template:
        lines = await region_dictionaries.region_dictionaries(db, actor, runtime.plugins)
        return await render(
            "core/region_dictionaries.html",
            sections=_sections(lines),
            types=runtime.plugins.organisation_types(),
            kind_titles=region_dictionaries.KIND_TITLES,
            regime_titles=region_dictionaries.REGIME_TITLES,
            category_titles=region_dictionaries.CATEGORY_TITLES,
        )

    @post("/", summary="Добавить в словарь запись региона (форма)")
    async def add(self, db: Db, runtime: Rt, actor: CurrentActor, data: Form) -> Redirect:
        categories = [c.value for c in PersonCategory if data.get(f"mentor_{c.value}") == "on"]
        new = decode_form({**data, "mentor_categories": categories}, NewEntryIn)
        await region_dictionaries.add_entry(db, actor, runtime.plugins, new_entry(new))
        return Redirect(path="/region/dictionaries")

    @post("/{kind:str}/{regime:str}/{code:str}", summary="Переименовать, скрыть или вернуть запись (форма)")
    async def change(
        self,
        db: Db,
        runtime: Rt,
        actor: CurrentActor,
        kind: FromPath[str],
        regime: FromPath[str],
        code: FromPath[str],
        data: Form,
    ) -> Redirect:
        change = change_of(decode_form(data, EntryChangeIn))
        await region_dictionaries.update_entry(db, actor, runtime.plugins, kind, regime, code, change)
        return Redirect(path="/region/dictionaries")


class OrgDictionariesApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Организация"]

    @get("/dictionaries", summary="Формы, ролевые модели, виды и сроки наставничества")
    async def dictionaries(self, db: Db, org: Org, runtime: Rt) -> list[DictionaryEntryOut]:
        return [
            DictionaryEntryOut(
                kind=e.kind, code=e.code, title=e.title, regime=e.regime, description=e.description
            )
            for e in await dictionaries_for(db, runtime.plugins, org)
        ]
