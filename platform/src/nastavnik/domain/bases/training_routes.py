"""Mentors' training records (stage 4): JSON API and pages on a person's card.

The curator and the director list, add, edit and delete a mentor's courses and keep the scan of a
certificate; a mentor reads their own; the scan is downloaded by the same people and every download is
audited. «Свидетельство наставника» (.docx) is drawn up from the records (``certificate_document``).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from nastavnik.domain.bases import training, training_import
from nastavnik.domain.bases.certificate_files import (
    EXTENSIONS,
    MAX_CERTIFICATE_BYTES,
    MEDIA_TYPES,
    check_certificate,
)
from nastavnik.domain.bases.importing import NOT_USED
from nastavnik.domain.bases.mentor_certificate import certificate_docx
from nastavnik.domain.bases.models import MentorTraining
from nastavnik.domain.bases.routes import ImportColumnOut, ImportPreview, ImportPreviewOut, ImportRowOut
from nastavnik.domain.bases.services import MANAGERS
from nastavnik.types import Int32
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, Upload, confirmed, decode_form, uploaded_file, uploaded_file_or_none
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Render

Course = Annotated[str, msgspec.Meta(max_length=300)]
TrainingId = Id


class TrainingIn(msgspec.Struct, forbid_unknown_fields=True):
    course: Course
    """Название курса (программы повышения квалификации)."""
    provider: Course
    """Организация, проводившая обучение."""
    hours: Int32
    """Часов: от 1 до 2000."""
    started_on: date
    finished_on: date
    """Не раньше начала и не позже сегодняшнего дня (по времени региона)."""
    certificate_no: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    """Номер удостоверения или сертификата, если есть."""


class TrainingChange(TrainingIn, forbid_unknown_fields=True, kw_only=True):
    version: Int32
    """The version the record was read at: a stale one is a 409."""


class TrainingOut(msgspec.Struct):
    id: uuid.UUID
    person_id: uuid.UUID
    course: str
    provider: str
    hours: int
    started_on: date
    finished_on: date
    certificate_no: str | None
    has_certificate: bool
    certificate_name: str | None
    version: int


class TrainingsOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str
    trainings: list[TrainingOut]
    hours: int
    """Hours of every course together."""
    former: str
    """The free text of the base's old «Обучение» field («прежняя запись»), "" when none."""


def training_out(record: MentorTraining) -> TrainingOut:
    return shown_as(TrainingOut, record, has_certificate=record.certificate_type is not None)


def draft_of(data: TrainingIn) -> training.TrainingDraft:
    return training.TrainingDraft(
        data.course, data.provider, data.hours, data.started_on, data.finished_on, data.certificate_no
    )


async def _certificate_download(
    db: Any, org: Any, person_id: uuid.UUID, training_id: uuid.UUID
) -> Response[bytes]:
    kept = await training.certificate_of(db, org, person_id, training_id)
    extension = EXTENSIONS[kept.kind]
    name = kept.name if kept.name.lower().endswith(f".{extension}") else f"{kept.name}.{extension}"
    return attachment(kept.content, MEDIA_TYPES[kept.kind], name, f"certificate.{extension}")


async def _certificate_docx(db: Any, org: Any, runtime: Any, person_id: uuid.UUID) -> Response[bytes]:
    content, name = await certificate_docx(db, org, runtime.plugins, person_id)
    return attachment(content, DOCX, name, "mentor-certificate.docx")


PERSON_API = "/people/{person_id:uuid}/trainings"
ONE_API = PERSON_API + "/{training_id:uuid}"


class TrainingApi(Controller):
    path = "/api/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Обучение наставников"]

    @get(PERSON_API, summary="Обучение наставника: курсы, часы, даты")
    async def list_trainings(self, db: Db, org: Org, person_id: Id) -> TrainingsOut:
        person, records, former = await training.trainings_of(db, org, person_id)
        return TrainingsOut(
            person.id,
            person.full_name,
            [training_out(r) for r in records],
            sum(r.hours for r in records),
            former,
        )

    @post(PERSON_API, summary="Добавить запись об обучении наставника", status_code=HTTP_201_CREATED)
    async def add_training(self, db: Db, org: Org, person_id: Id, data: JSONBody[TrainingIn]) -> TrainingOut:
        return training_out(await training.add_training(db, org, person_id, draft_of(data)))

    @put(ONE_API, summary="Изменить запись об обучении наставника")
    async def change_training(
        self, db: Db, org: Org, person_id: Id, training_id: TrainingId, data: JSONBody[TrainingChange]
    ) -> TrainingOut:
        record = await training.change_training(db, org, person_id, training_id, draft_of(data), data.version)
        return training_out(record)

    @delete(ONE_API, summary="Удалить запись об обучении наставника", status_code=HTTP_204_NO_CONTENT)
    async def delete_training(self, db: Db, org: Org, person_id: Id, training_id: TrainingId) -> None:
        await training.remove_training(db, org, person_id, training_id)

    @put(
        ONE_API + "/certificate",
        summary="Загрузить скан документа об обучении (PDF, JPEG или PNG, до 5 МБ)",
        description="multipart/form-data, поле «file». Тип файла определяется по содержимому, не по имени.",
    )
    async def put_certificate(
        self, db: Db, org: Org, person_id: Id, training_id: TrainingId, data: Upload
    ) -> TrainingOut:
        content, filename = await uploaded_file_or_none(data, MAX_CERTIFICATE_BYTES)
        return training_out(
            await training.attach_certificate(db, org, person_id, training_id, content, filename)
        )

    @delete(
        ONE_API + "/certificate",
        summary="Удалить скан документа об обучении",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_certificate(self, db: Db, org: Org, person_id: Id, training_id: TrainingId) -> None:
        await training.remove_certificate(db, org, person_id, training_id)

    @get(
        ONE_API + "/certificate", summary="Скачать скан документа об обучении (записывается в журнал аудита)"
    )
    async def get_certificate(
        self, db: Db, org: Org, person_id: Id, training_id: TrainingId
    ) -> Response[bytes]:
        return await _certificate_download(db, org, person_id, training_id)

    @get(
        "/people/{person_id:uuid}/mentor-certificate.docx",
        media_type=DOCX,
        summary="Свидетельство наставника (.docx)",
    )
    async def mentor_certificate(self, db: Db, org: Org, runtime: Rt, person_id: Id) -> Response[bytes]:
        return await _certificate_docx(db, org, runtime, person_id)


PERSON_PAGE = "/people/{person_id:uuid}/trainings"
ONE_PAGE = PERSON_PAGE + "/{training_id:uuid}"


async def _form(data: dict[str, Any], into: type[Any]) -> tuple[Any, Any]:
    """The page's multipart form: its fields as the API's body, and the scan if one was chosen."""
    content, filename = await uploaded_file_or_none(data, MAX_CERTIFICATE_BYTES)
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    return decode_form(fields, into), (content, filename)


class TrainingPages(Controller):
    path = "/o/{slug:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: обучение наставников"]

    @get(PERSON_PAGE, summary="Обучение наставника")
    async def trainings_page(self, render: Render, db: Db, org: Org, person_id: Id) -> Template:
        person, records, former = await training.trainings_of(db, org, person_id)
        return await render(
            "core/trainings.html",
            person=person,
            records=records,
            hours=sum(r.hours for r in records),
            former=former,
            can_manage=org.has_role(*MANAGERS),
            today=org.today(),
        )

    @post(PERSON_PAGE, summary="Добавить запись об обучении (форма)")
    async def add(self, db: Db, org: Org, person_id: Id, data: Upload) -> Redirect:
        org.require_role(*MANAGERS)
        body, (content, filename) = await _form(data, TrainingIn)
        certificate = check_certificate(content, filename)
        await training.add_training(db, org, person_id, draft_of(body), certificate)
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}/trainings")

    @get(ONE_PAGE, summary="Изменить запись об обучении")
    async def edit_page(
        self, render: Render, db: Db, org: Org, person_id: Id, training_id: TrainingId
    ) -> Template:
        org.require_role(*MANAGERS)
        record = await training.training_of(db, org, person_id, training_id)
        return await render("core/training_edit.html", person_id=person_id, record=record, today=org.today())

    @post(ONE_PAGE, summary="Изменить запись об обучении (форма)")
    async def edit(self, db: Db, org: Org, person_id: Id, training_id: TrainingId, data: Upload) -> Redirect:
        org.require_role(*MANAGERS)
        body, (content, filename) = await _form(data, TrainingChange)
        certificate = check_certificate(content, filename)
        await training.change_training(
            db, org, person_id, training_id, draft_of(body), body.version, certificate
        )
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}/trainings")

    @get(ONE_PAGE + "/delete", summary="Подтверждение удаления записи об обучении")
    async def confirm_delete(
        self, render: Render, db: Db, org: Org, person_id: Id, training_id: TrainingId
    ) -> Template:
        org.require_role(*MANAGERS)
        record = await training.training_of(db, org, person_id, training_id)
        return await render("core/training_delete.html", person_id=person_id, record=record)

    @post(ONE_PAGE + "/delete", summary="Удалить запись об обучении (после подтверждения)")
    async def delete(self, db: Db, org: Org, person_id: Id, training_id: TrainingId, data: Form) -> Redirect:
        org.require_role(*MANAGERS)
        confirmed(data, "Подтвердите удаление записи об обучении.")
        await training.remove_training(db, org, person_id, training_id)
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}/trainings")

    @post(
        ONE_PAGE + "/certificate/delete", summary="Удалить скан документа об обучении (после подтверждения)"
    )
    async def delete_scan(
        self, db: Db, org: Org, person_id: Id, training_id: TrainingId, data: Form
    ) -> Redirect:
        org.require_role(*MANAGERS)
        confirmed(data, "Подтвердите удаление файла.")
        await training.remove_certificate(db, org, person_id, training_id)
        return Redirect(path=f"/o/{org.org.slug}/people/{person_id}/trainings/{training_id}")

    @get(ONE_PAGE + "/certificate", summary="Скачать скан документа об обучении")
    async def download(self, db: Db, org: Org, person_id: Id, training_id: TrainingId) -> Response[bytes]:
        return await _certificate_download(db, org, person_id, training_id)

    @get(
        "/people/{person_id:uuid}/mentor-certificate.docx",
        media_type=DOCX,
        summary="Свидетельство наставника",
    )
    async def mentor_certificate(self, db: Db, org: Org, runtime: Rt, person_id: Id) -> Response[bytes]:
        return await _certificate_docx(db, org, runtime, person_id)


def _import_out(checked: training_import.TrainingPreview, token: str | None) -> ImportPreviewOut:
    """The preview in the shape of the bases' imports: a row per training, every column of the file."""
    titles = training_import.FIELD_TITLES
    return ImportPreviewOut(
        token=None if checked.errors else token,
        rows=[
            ImportRowOut(
                r.row,
                r.mentor.full_name,
                "training",
                f"{r.draft.course}, {r.draft.hours} ч.",
                "update" if r.existing_id else "create",
            )
            for r in checked.rows
        ],
        errors=[e.as_json() for e in checked.errors],
        warnings=[e.as_json() for e in checked.warnings],
        columns=[
            ImportColumnOut(
                letter=c.letter,
                title=c.title,
                field=c.field,
                field_title=titles[c.field] if c.field else NOT_USED,
                chosen=c.chosen,
                has_data=c.has_data,
                note=c.note,
            )
            for c in checked.columns
        ],
        fields=dict(titles),
    )


async def _check_file(db: Any, runtime: Any, org: Any, data: dict[str, Any]) -> ImportPreviewOut:
    content, filename = await uploaded_file(data)
    checked = await training_import.preview(db, org, content, filename)
    return _import_out(checked, await training_import.keep(runtime, org, content, filename))


IMPORT_NOTE = (
    "Строки называют наставника базы по ФИО и/или электронной почте; курс, организация, часы, даты начала и "
    "окончания обязательны, номер удостоверения — нет. Загружается весь файл или ничего."
)


class TrainingImportApi(Controller):
    path = "/api/o/{slug:str}/bases/trainings"
    dependencies = ORG_DEPENDENCIES
    tags = ["Обучение наставников"]

    @post(
        "/import",
        summary="Проверить файл обучения наставников (.xlsx, .xls или .csv)",
        description=IMPORT_NOTE,
        status_code=HTTP_200_OK,
    )
    async def preview(self, db: Db, org: Org, runtime: Rt, data: Upload) -> ImportPreview:
        return await _check_file(db, runtime, org, data)

    @post("/import/{token:str}", summary="Загрузить проверенный файл обучения наставников")
    async def commit(self, db: Db, org: Org, runtime: Rt, token: FromPath[str]) -> ImportPreview:
        return _import_out(await training_import.commit(db, runtime, org, token), None)


class TrainingImportPages(Controller):
    path = "/o/{slug:str}/bases/trainings"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: обучение наставников"]

    @post("/import", summary="Проверить файл обучения наставников (форма)")
    async def preview(self, render: Render, db: Db, org: Org, runtime: Rt, data: Upload) -> Template:
        preview = await _check_file(db, runtime, org, data)
        return await render(
            "core/base_import.html",
            preview=preview,
            base="trainings",
            base_title="обучения наставников",
            kind_header="Курс",
            created_label="новых записей об обучении",
            back_to=f"/o/{org.org.slug}/bases/mentors",
            status_code=200 if preview.token else 422,
        )

    @post("/import/{token:str}", summary="Загрузить проверенный файл обучения наставников (форма)")
    async def commit(self, db: Db, runtime: Rt, org: Org, token: FromPath[str]) -> Redirect:
        await training_import.commit(db, runtime, org, token)
        return Redirect(path=f"/o/{org.org.slug}/bases/mentors")
