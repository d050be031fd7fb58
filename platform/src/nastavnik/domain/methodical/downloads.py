"""The methodical work's documents for the API and the pages: a club's or the council's plan, a club's
report, the year's plan of decades, a decade's closing note and the order on its results, the order
creating the year's creative groups. A shape without the document answers 404.

The orders are drawn up under the number and date the person gives: in the API's query, on the pages in
a small form posted beside the plan, so that a refused number or date comes back beside its field.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import QueryParameter

from nastavnik.domain.methodical import documents
from nastavnik.domain.methodical.routes import Shape, Year
from nastavnik.domain.methodical.schemas import OrderDocumentIn
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, decode_form
from nastavnik.web.params import Db, Id, Org, Rt

SHAPED = "/{shape:str}/{association_id:uuid}"
Number = Annotated[str | None, QueryParameter(description="Номер приказа, например «45-о»")]
IssuedOn = Annotated[date | None, QueryParameter(description="Дата приказа (ГГГГ-ММ-ДД)")]

PLAN = "Скачать план работы клуба или методического совета (.docx)"
REPORT = "Скачать отчёт о работе клуба за учебный год (.docx)"
DECADE_PLAN = "Скачать план проведения декад учебного года (.docx)"
NOTE = "Скачать справку по итогам декады (.docx; руководство, руководитель и ответственные декады)"
DECADE_ORDER = "Скачать приказ об итогах декады (.docx; руководство, руководитель и ответственные декады)"
GROUPS_ORDER = "Скачать приказ о создании творческих групп педагогов учебного года (.docx)"


def _sent(name: str, content: bytes, fallback: str) -> Response[bytes]:
    return attachment(content, DOCX, name, fallback)


async def _decade_order(
    db: Db, runtime: Rt, org: Org, shape: str, association_id: uuid.UUID, number: str | None, on: date | None
) -> Response[bytes]:
    name, content = await documents.decade_order(db, org, runtime.plugins, shape, association_id, number, on)
    return _sent(name, content, f"decade-order-{association_id}.docx")


async def _groups_order(
    db: Db, runtime: Rt, org: Org, shape: str, year: int | None, number: str | None, on: date | None
) -> Response[bytes]:
    name, content = await documents.creative_groups_order(db, org, runtime.plugins, shape, year, number, on)
    return _sent(name, content, "creative-groups-order.docx")


class MethodicalDownloads(Controller):
    """The downloads the API and the pages share."""

    dependencies = ORG_DEPENDENCIES

    @get(f"{SHAPED}/plan.docx", media_type=DOCX, summary=PLAN)
    async def plan(self, db: Db, runtime: Rt, org: Org, shape: Shape, association_id: Id) -> Response[bytes]:
        name, content = await documents.association_plan(db, org, runtime.plugins, shape, association_id)
        return _sent(name, content, f"{shape}-plan-{association_id}.docx")

    @get(f"{SHAPED}/report.docx", media_type=DOCX, summary=REPORT)
    async def report(
        self, db: Db, runtime: Rt, org: Org, shape: Shape, association_id: Id
    ) -> Response[bytes]:
        name, content = await documents.association_report(db, org, runtime.plugins, shape, association_id)
        return _sent(name, content, f"{shape}-report-{association_id}.docx")

    @get(f"{SHAPED}/note.docx", media_type=DOCX, summary=NOTE)
    async def note(self, db: Db, runtime: Rt, org: Org, shape: Shape, association_id: Id) -> Response[bytes]:
        name, content = await documents.decade_note(db, org, runtime.plugins, shape, association_id)
        return _sent(name, content, f"decade-note-{association_id}.docx")

    @get("/{shape:str}/plan.docx", media_type=DOCX, summary=DECADE_PLAN)
    async def year_plan(
        self, db: Db, runtime: Rt, org: Org, shape: Shape, year: Year = None
    ) -> Response[bytes]:
        name, content = await documents.decade_plan(db, org, runtime.plugins, shape, year)
        return _sent(name, content, f"{shape}-plan.docx")


class MethodicalDownloadsApi(MethodicalDownloads):
    path = "/api/o/{slug:str}/methodical"
    tags = ["Методическая работа: клуб, декады, методический совет, творческие группы"]

    @get(f"{SHAPED}/order.docx", media_type=DOCX, summary=DECADE_ORDER)
    async def decade_order(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        shape: Shape,
        association_id: Id,
        number: Number = None,
        issued_on: IssuedOn = None,
    ) -> Response[bytes]:
        return await _decade_order(db, runtime, org, shape, association_id, number, issued_on)

    @get("/{shape:str}/order.docx", media_type=DOCX, summary=GROUPS_ORDER)
    async def groups_order(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        shape: Shape,
        year: Year = None,
        number: Number = None,
        issued_on: IssuedOn = None,
    ) -> Response[bytes]:
        return await _groups_order(db, runtime, org, shape, year, number, issued_on)


class MethodicalDownloadsPages(MethodicalDownloads):
    path = "/o/{slug:str}/methodical"
    tags = ["Страницы: методическая работа"]

    @post(f"{SHAPED}/order.docx", media_type=DOCX, summary=f"{DECADE_ORDER} (форма)", status_code=200)
    async def decade_order(
        self, db: Db, runtime: Rt, org: Org, shape: Shape, association_id: Id, data: Form
    ) -> Response[bytes]:
        form = decode_form(data, OrderDocumentIn)
        return await _decade_order(db, runtime, org, shape, association_id, form.number, form.issued_on)

    @post("/{shape:str}/order.docx", media_type=DOCX, summary=f"{GROUPS_ORDER} (форма)", status_code=200)
    async def groups_order(self, db: Db, runtime: Rt, org: Org, shape: Shape, data: Form) -> Response[bytes]:
        form = decode_form(data, OrderDocumentIn)
        return await _groups_order(db, runtime, org, shape, form.year, form.number, form.issued_on)
