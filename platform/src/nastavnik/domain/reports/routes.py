"""Stage 7 documents of a programme: the report and the thank-you letters, for the API and the pages."""

from __future__ import annotations

import uuid

from litestar import Controller, Response, get

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.reports import programme_report
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.params import Db, Id, Org, Rt

REPORT_SUMMARY = "Скачать отчёт о реализации программы наставничества (.docx)"
LETTERS_SUMMARY = "Скачать благодарственные письма наставникам завершённых пар (.docx)"


async def _report(db: Db, runtime: Rt, org: Org, programme_id: uuid.UUID) -> Response[bytes]:
    dictionaries = await dictionaries_for(db, runtime.plugins, org)
    name, content = await programme_report.programme_report(
        db, org, programme_id, dictionaries, runtime.plugins
    )
    return attachment(content, DOCX, name, f"programme-report-{programme_id}.docx")


async def _letters(db: Db, runtime: Rt, org: Org, programme_id: uuid.UUID) -> Response[bytes]:
    name, content = await programme_report.thank_you_letters(db, org, programme_id, runtime.plugins)
    return attachment(content, DOCX, name, f"thank-you-letters-{programme_id}.docx")


class ProgrammeDocumentsApi(Controller):
    path = "/api/o/{slug:str}/programmes/{programme_id:uuid}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Программа наставничества"]

    @get("/report.docx", media_type=DOCX, summary=REPORT_SUMMARY)
    async def report(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> Response[bytes]:
        return await _report(db, runtime, org, programme_id)

    @get("/letters.docx", media_type=DOCX, summary=LETTERS_SUMMARY)
    async def letters(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> Response[bytes]:
        return await _letters(db, runtime, org, programme_id)


class ProgrammeDocumentsPages(ProgrammeDocumentsApi):
    """The same downloads on the organisation's pages."""

    path = "/o/{slug:str}/programmes/{programme_id:uuid}"
    tags = ["Страницы: программа наставничества"]
