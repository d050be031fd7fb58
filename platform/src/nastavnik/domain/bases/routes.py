"""The bases of mentees and mentors: JSON API and pages inside one organisation."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases import (
    export as base_export,
    importing as base_import,
    services as bases,
    training,
)
from nastavnik.domain.bases.mentee_import import MENTEES
from nastavnik.domain.bases.mentor_import import MENTORS
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.models.people import Person
from nastavnik.tenancy import OrgContext
from nastavnik.types import Int32
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import XLSX
from nastavnik.web.forms import Form, Upload, decode_form, uploaded_file
from nastavnik.web.openapi import component
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Pages, Render

Text = Annotated[str, msgspec.Meta(max_length=2000)]


class MenteeProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    birth_date: date | None = None
    class_name: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    profession_since: date | None = None
    requests: Text = ""
    difficulties: Text = ""
    guardian_consent_on: date | None = None
    left_on: date | None = None
    left_reason: str | None = None


class MentorProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    competencies: Text = ""
    subjects: Text = ""
    # Only what PostgreSQL holds: the service checks 0–70 and 1–20 and names every wrong field at once.
    experience_years: Int32 = 0
    capacity: Int32 = 1
    status: str = "current"
    training: Text = ""
    consent_on: date | None = None
    left_on: date | None = None
    birth_date: date | None = None
    """Only for a learner who mentors a peer (refused for an adult, 152-FZ)."""


class MenteeOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str
    kind: str
    birth_date: date | None
    class_name: str | None
    profession_since: date | None
    requests: str
    difficulties: str
    guardian_consent_on: date | None
    left_on: date | None
    left_reason: str | None
    may_take_part: bool
    reason: str | None


class MentorOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str
    competencies: str
    subjects: str
    experience_years: int
    capacity: int
    status: str
    training: str
    consent_on: date | None
    left_on: date | None
    birth_date: date | None
    may_mentor: bool
    reason: str | None


def mentee_out(person: Person, p: MenteeProfile, reason: str | None) -> MenteeOut:
    return shown_as(MenteeOut, p, full_name=person.full_name, may_take_part=reason is None, reason=reason)


def mentor_out(person: Person, p: MentorProfile, reason: str | None) -> MentorOut:
    return shown_as(MentorOut, p, full_name=person.full_name, may_mentor=reason is None, reason=reason)


async def set_mentee_profile(
    db: AsyncSession, org: OrgContext, person_id: uuid.UUID, data: MenteeProfileIn
) -> tuple[Person, MenteeProfile, str | None]:
    return await bases.set_mentee_profile(
        db, org, person_id, bases.MenteeDraft(**msgspec.structs.asdict(data))
    )


async def set_mentor_profile(
    db: AsyncSession, org: OrgContext, person_id: uuid.UUID, data: MentorProfileIn
) -> tuple[Person, MentorProfile, str | None]:
    return await bases.set_mentor_profile(
        db, org, person_id, bases.MentorDraft(**msgspec.structs.asdict(data))
    )


class BasesApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Базы наставляемых и наставников"]

    @put("/people/{person_id:uuid}/mentee-profile", summary="Внести человека в базу наставляемых")
    async def set_mentee(self, db: Db, org: Org, person_id: Id, data: JSONBody[MenteeProfileIn]) -> MenteeOut:
        return mentee_out(*await set_mentee_profile(db, org, person_id, data))

    @put("/people/{person_id:uuid}/mentor-profile", summary="Внести человека в базу наставников")
    async def set_mentor(self, db: Db, org: Org, person_id: Id, data: JSONBody[MentorProfileIn]) -> MentorOut:
        return mentor_out(*await set_mentor_profile(db, org, person_id, data))

    @get("/bases/mentees", summary="База наставляемых")
    async def mentees(self, db: Db, org: Org) -> list[MenteeOut]:
        return [mentee_out(*entry) for entry in await bases.mentee_base(db, org)]

    @get("/bases/mentors", summary="База наставников")
    async def mentors(self, db: Db, org: Org) -> list[MentorOut]:
        return [mentor_out(*entry) for entry in await bases.mentor_base(db, org)]


class ProfilePages(Controller):
    path = "/o/{slug:str}/people/{person_id:uuid}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: базы"]

    @post("/mentee-profile", summary="Внести в базу наставляемых (форма)")
    async def mentee(self, db: Db, org: Org, person_id: Id, data: Form) -> Redirect:
        await set_mentee_profile(db, org, person_id, decode_form(data, MenteeProfileIn))
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}")

    @post("/mentor-profile", summary="Внести в базу наставников (форма)")
    async def mentor(self, db: Db, org: Org, person_id: Id, data: Form) -> Redirect:
        await set_mentor_profile(db, org, person_id, decode_form(data, MentorProfileIn))
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}")


class ImportRowOut(msgspec.Struct):
    row: int
    full_name: str
    kind: str
    """A mentee's kind (learner, young_pedagogue) or a mentor's category (pedagogue, staff, learner)."""
    kind_title: str
    action: str


class ImportColumnOut(msgspec.Struct):
    letter: str
    """The column's letter in the sheet (A, B, …)."""
    title: str
    """Its header in the file ("" for a column without one)."""
    field: str | None
    """The field it is read as, or null: not used."""
    field_title: str
    """That field's Russian title, or «не используется»."""
    chosen: bool
    """Read so because the curator said so (remembered for the organisation's next import)."""
    has_data: bool
    note: str


class ImportPreviewOut(msgspec.Struct):
    token: str | None
    """Commits the file: given only when it has no errors."""
    rows: list[Annotated[ImportRowOut, component("domain_bases_routes_ImportRowOut")]]
    errors: list[dict[str, str]]
    warnings: list[dict[str, str]] = []
    """Rows loaded as they are but named before anything is written (row "0": the whole file)."""
    columns: list[ImportColumnOut] = []
    """Every column of the file with the field it is read as."""
    file_token: str | None = None
    """Names the kept file for saying by hand what its columns hold (…/import/{file_token}/columns)."""
    fields: dict[str, str] = {}
    """Every field a column may be read as, by its Russian title."""


ImportPreview = Annotated[ImportPreviewOut, component("domain_bases_routes_ImportPreviewOut")]
"""The preview as the API answers it; its component keeps the name it had beside the organisations'
import preview of the same class name (nastavnik.web.openapi.component)."""


CHOICE_NOTE = "Выбор запоминается для следующих загрузок организации; field: null — столбец не используется."


class ColumnChoiceIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=200)]
    """The column's header as it is in the file."""
    field: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    """The field it holds (a key of the preview's «fields»), or null: not used."""


class ColumnChoicesIn(msgspec.Struct, forbid_unknown_fields=True):
    columns: Annotated[list[ColumnChoiceIn], msgspec.Meta(max_length=200)]


# What the pages call each base, and the column that says who the row is.
BASE_TITLES = {"mentees": ("базы наставляемых", "Кто"), "mentors": ("базы наставников", "Категория")}


def _preview_out(
    spec: base_import.BaseSpec[Any], checked: base_import.Preview[Any], file_token: str | None
) -> ImportPreviewOut:
    rows = []
    for r in checked.rows:
        kind, kind_title = spec.describe(r.parsed)
        rows.append(ImportRowOut(r.row, r.full_name, kind, kind_title, "update" if r.person_id else "create"))
    titles = spec.field_titles
    columns = [
        ImportColumnOut(
            letter=c.letter,
            title=c.title,
            field=c.field,
            field_title=titles[c.field] if c.field else base_import.NOT_USED,
            chosen=c.chosen,
            has_data=c.has_data,
            note=c.note,
        )
        for c in checked.columns
    ]
    return ImportPreviewOut(
        token=None if checked.errors else file_token,
        rows=rows,
        errors=[e.as_json() for e in checked.errors],
        warnings=[e.as_json() for e in checked.warnings],
        columns=columns,
        file_token=file_token,
        fields=titles,
    )


async def _check(
    db: Any, runtime: Any, org: Any, spec: base_import.BaseSpec[Any], data: dict[str, Any]
) -> ImportPreviewOut:
    """The preview of an uploaded file, kept under the returned token for the commit or a new mapping."""
    content, filename = await uploaded_file(data)
    checked = await base_import.preview(db, org, spec, content, filename)
    return _preview_out(spec, checked, await base_import.keep(runtime, org, spec, content, filename))


async def _rechoose(
    db: Any, runtime: Any, org: Any, spec: base_import.BaseSpec[Any], token: str, choices: ColumnChoicesIn
) -> ImportPreviewOut:
    """Remember what the curator said the kept file's columns hold and preview the file again."""
    content, filename = await base_import.kept(runtime, org, spec, token)
    await base_import.choose_columns(
        db, org, spec, [base_import.ColumnChoice(c.title, c.field) for c in choices.columns]
    )
    return _preview_out(spec, await base_import.preview(db, org, spec, content, filename), token)


def _form_choices(data: dict[str, str]) -> ColumnChoicesIn:
    """The page's column form: «title_N» (the header) and «field_N» (a field, or empty: not used)."""
    numbers = sorted(
        (k.removeprefix("title_") for k in data if k.startswith("title_")), key=lambda n: (len(n), n)
    )
    numbers = numbers[:200]
    return ColumnChoicesIn(
        columns=[
            ColumnChoiceIn(title=data[f"title_{n}"][:200], field=(data.get(f"field_{n}") or None))
            for n in numbers
        ]
    )


async def _export(db: Any, org: Any) -> Response[bytes]:
    content = base_export.export_bases(await bases.mentee_base(db, org), await bases.mentor_base(db, org))
    await audit.commit_in(db, org, "export", audit.ObjectKind.BASES)
    return Response(
        content=content, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="bases.xlsx"'}
    )


class BasesTransferApi(Controller):
    path = "/api/o/{slug:str}/bases"
    dependencies = ORG_DEPENDENCIES
    tags = ["Базы наставляемых и наставников"]

    @post(
        "/mentees/import",
        summary="Проверить файл базы наставляемых (.xlsx или .csv)",
        status_code=HTTP_200_OK,
    )
    async def preview(self, db: Db, org: Org, runtime: Rt, data: Upload) -> ImportPreview:
        return await _check(db, runtime, org, MENTEES, data)

    @post("/mentees/import/{token:str}", summary="Загрузить проверенный файл базы наставляемых")
    async def commit(self, db: Db, org: Org, runtime: Rt, token: FromPath[str]) -> ImportPreview:
        return _preview_out(MENTEES, await base_import.commit(db, runtime, org, MENTEES, token), None)

    @post(
        "/mentors/import",
        summary="Проверить файл базы наставников (.xlsx или .csv)",
        status_code=HTTP_200_OK,
    )
    async def preview_mentors(self, db: Db, org: Org, runtime: Rt, data: Upload) -> ImportPreview:
        return await _check(db, runtime, org, MENTORS, data)

    @post("/mentors/import/{token:str}", summary="Загрузить проверенный файл базы наставников")
    async def commit_mentors(self, db: Db, org: Org, runtime: Rt, token: FromPath[str]) -> ImportPreview:
        return _preview_out(MENTORS, await base_import.commit(db, runtime, org, MENTORS, token), None)

    @post(
        "/mentees/import/{token:str}/columns",
        summary="Указать, что в столбцах файла базы наставляемых, и проверить его снова",
        description=CHOICE_NOTE,
        status_code=HTTP_200_OK,
    )
    async def choose_mentee_columns(
        self, db: Db, org: Org, runtime: Rt, token: FromPath[str], data: JSONBody[ColumnChoicesIn]
    ) -> ImportPreview:
        return await _rechoose(db, runtime, org, MENTEES, token, data)

    @post(
        "/mentors/import/{token:str}/columns",
        summary="Указать, что в столбцах файла базы наставников, и проверить его снова",
        description=CHOICE_NOTE,
        status_code=HTTP_200_OK,
    )
    async def choose_mentor_columns(
        self, db: Db, org: Org, runtime: Rt, token: FromPath[str], data: JSONBody[ColumnChoicesIn]
    ) -> ImportPreview:
        return await _rechoose(db, runtime, org, MENTORS, token, data)

    @get("/export.xlsx", media_type=XLSX, summary="Выгрузить базы наставляемых и наставников в Excel")
    async def export(self, db: Db, org: Org) -> Response[bytes]:
        return await _export(db, org)


class BasesPages(Controller):
    path = "/o/{slug:str}/bases"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: базы"]

    @get("/mentees", summary="База наставляемых")
    async def mentees(self, render: Render, db: Db, org: Org) -> Template:
        return await render(
            "core/base_mentees.html",
            entries=await bases.mentee_base(db, org),
        )

    @staticmethod
    async def _preview(
        render: Pages, spec: base_import.BaseSpec[Any], data: dict[str, Any], token: str | None = None
    ) -> Template:
        """The file checked (or checked again with the columns the curator chose) on the import's page."""
        db, runtime, org = render.db, render.runtime, render.org
        if token is None:
            preview = await _check(db, runtime, org, spec, data)
        else:
            preview = await _rechoose(db, runtime, org, spec, token, _form_choices(data))
        title, kind_header = BASE_TITLES[spec.name]
        return await render(
            "core/base_import.html",
            preview=preview,
            base=spec.name,
            base_title=title,
            kind_header=kind_header,
            status_code=200 if preview.token else 422,
        )

    @post("/mentees/import", summary="Проверить файл базы наставляемых (форма)")
    async def import_preview(self, render: Render, data: Upload) -> Template:
        return await self._preview(render, MENTEES, data)

    @post("/mentees/import/{token:str}", summary="Загрузить проверенный файл базы наставляемых (форма)")
    async def import_commit(self, db: Db, runtime: Rt, org: Org, token: FromPath[str]) -> Redirect:
        await base_import.commit(db, runtime, org, MENTEES, token)
        return Redirect(path=f"/o/{org.org.slug}/bases/mentees")

    @post("/mentors/import", summary="Проверить файл базы наставников (форма)")
    async def mentor_import_preview(self, render: Render, data: Upload) -> Template:
        return await self._preview(render, MENTORS, data)

    @post("/mentors/import/{token:str}", summary="Загрузить проверенный файл базы наставников (форма)")
    async def mentor_import_commit(self, db: Db, runtime: Rt, org: Org, token: FromPath[str]) -> Redirect:
        await base_import.commit(db, runtime, org, MENTORS, token)
        return Redirect(path=f"/o/{org.org.slug}/bases/mentors")

    @post("/mentees/import/{token:str}/columns", summary="Указать, что в столбцах файла (форма)")
    async def mentee_columns(self, render: Render, token: FromPath[str], data: Form) -> Template:
        return await self._preview(render, MENTEES, data, token)

    @post("/mentors/import/{token:str}/columns", summary="Указать, что в столбцах файла (форма)")
    async def mentor_columns(self, render: Render, token: FromPath[str], data: Form) -> Template:
        return await self._preview(render, MENTORS, data, token)

    @get("/export.xlsx", media_type=XLSX, summary="Выгрузить базы в Excel")
    async def export(self, db: Db, org: Org) -> Response[bytes]:
        return await _export(db, org)

    @get("/mentors", summary="База наставников")
    async def mentors(self, render: Render, db: Db, org: Org) -> Template:
        return await render(
            "core/base_mentors.html",
            entries=await bases.mentor_base(db, org),
            trainings=await training.totals_by_mentor(db, org),
        )
