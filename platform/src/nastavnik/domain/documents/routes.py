"""The region's own templates of the generated documents: JSON API and pages for region staff.

Downloads are ``…/templates/<document>.docx``: Litestar names whole path segments only, so the
handler takes the segment and drops the «.docx» (``…/templates/<document>`` works as well).
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT

from nastavnik.domain.documents import region_templates
from nastavnik.domain.documents.docx import MAX_TEMPLATE_BYTES
from nastavnik.domain.documents.region_templates import TemplateLine
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, Upload, uploaded_file_or_none
from nastavnik.web.params import CurrentActor, Db, Rt
from nastavnik.web.rendering import Render

SUFFIX = ".docx"
DOWNLOAD_SUMMARY = "Скачать действующий шаблон документа (.docx); путь может оканчиваться на .docx"


class RegionUploadOut(msgspec.Struct):
    file_name: str
    uploaded_at: datetime
    uploaded_by: str
    size: int


class PluginVariantOut(msgspec.Struct):
    plugin: str
    plugin_title: str
    organisation_type: str
    organisation_type_title: str


class DocumentTemplateOut(msgspec.Struct):
    code: str
    title: str
    source: str
    """«region» (the region's upload) or «standard» (the platform's, or a plugin's for its types)."""
    source_title: str
    upload: RegionUploadOut | None
    plugins: list[PluginVariantOut]


def template_out(line: TemplateLine) -> DocumentTemplateOut:
    upload = line.upload
    return DocumentTemplateOut(
        code=line.code,
        title=line.title,
        source=line.source,
        source_title=line.source_title,
        upload=RegionUploadOut(upload.file_name, upload.uploaded_at, upload.uploaded_by, upload.size)
        if upload
        else None,
        plugins=[
            PluginVariantOut(v.plugin, v.plugin_title, v.organisation_type, v.organisation_type_title)
            for v in line.plugins
        ],
    )


def _code(segment: str) -> str:
    return segment.removesuffix(SUFFIX)


async def _upload(db: Db, runtime: Rt, actor: CurrentActor, document: str, data: Upload) -> TemplateLine:
    content, file_name = await uploaded_file_or_none(data, MAX_TEMPLATE_BYTES)
    return await region_templates.upload_template(db, actor, runtime.plugins, document, content, file_name)


class Downloads(Controller):
    """The template's download: the same for the API and the pages."""

    @get("/{document:str}", media_type=DOCX, summary=DOWNLOAD_SUMMARY)
    async def download(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        document: FromPath[str],
        organisation_type: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        code = _code(document)
        found = await region_templates.template_file(
            db, actor, runtime.plugins, code, organisation_type or None
        )
        return attachment(found.content, DOCX, found.file_name, f"{code}.docx")


class RegionTemplatesApi(Downloads):
    path = "/api/region/templates"
    tags = ["Регион и муниципалитет"]

    @get("/", summary="Шаблоны документов региона: какой действует для каждого документа")
    async def index(self, db: Db, actor: CurrentActor, runtime: Rt) -> list[DocumentTemplateOut]:
        return [
            template_out(line) for line in await region_templates.region_templates(db, actor, runtime.plugins)
        ]

    @put("/{document:str}", summary="Загрузить шаблон региона (.docx, поле file); проверяется до сохранения")
    async def upload(
        self, db: Db, actor: CurrentActor, runtime: Rt, document: FromPath[str], data: Upload
    ) -> DocumentTemplateOut:
        return template_out(await _upload(db, runtime, actor, document, data))

    @delete(
        "/{document:str}", summary="Вернуть стандартный шаблон документа", status_code=HTTP_204_NO_CONTENT
    )
    async def revert(self, db: Db, actor: CurrentActor, document: FromPath[str]) -> None:
        await region_templates.revert_template(db, actor, document, confirmed=True)


class RegionTemplatesPages(Downloads):
    path = "/region/templates"
    tags = ["Страницы"]

    @get("/", summary="Шаблоны документов региона")
    async def index(self, render: Render, db: Db, runtime: Rt, actor: CurrentActor) -> Template:
        lines = await region_templates.region_templates(db, actor, runtime.plugins)
        return await render(
            "core/region_templates.html",
            lines=lines,
            max_megabytes=MAX_TEMPLATE_BYTES // (1024 * 1024),
        )

    @post("/{document:str}", summary="Загрузить шаблон региона (форма с файлом)")
    async def upload(
        self, db: Db, actor: CurrentActor, runtime: Rt, document: FromPath[str], data: Upload
    ) -> Redirect:
        await _upload(db, runtime, actor, document, data)
        return Redirect(path="/region/templates")

    @post("/{document:str}/revert", summary="Вернуть стандартный шаблон (форма, с подтверждением)")
    async def revert(self, db: Db, actor: CurrentActor, document: FromPath[str], data: Form) -> Redirect:
        await region_templates.revert_template(db, actor, document, confirmed=data.get("confirm") == "yes")
        return Redirect(path="/region/templates")
