"""Region staff replace the templates of the generated documents for their region's organisations.

An upload is tried with the document's sample data before it is stored, so a broken file, a
file that is not a .docx, a field the document does not have or a file over 5 MB is refused
with the reason in Russian and nothing is kept. One template per region and document; a new
upload replaces it, a revert deletes it and the standard (or a plugin's) template applies again.
Only the region's own staff read or change its templates here (PostgreSQL's policies check it
too); every upload (refused ones included), download and revert is audited.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.domain.dictionaries.region import region_of
from nastavnik.domain.documents.docx import MAX_TEMPLATE_BYTES, TemplateBroken
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.domain.documents.samples import render_sample
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.identity import Identity
from nastavnik.models.reference import Region
from nastavnik.plugins import Plugins
from nastavnik.tenancy import Actor, NotFound

OBJECT_TYPE = audit.ObjectKind.REGION_DOCUMENT_TEMPLATE
MAX_FILE_NAME = 255
STANDARD = "стандартный"


@dataclass(frozen=True, slots=True)
class RegionUpload:
    file_name: str
    uploaded_at: datetime
    uploaded_by: str
    """The display name of the login identity that uploaded it."""
    size: int


@dataclass(frozen=True, slots=True)
class PluginVariant:
    """A plugin's template of the document for one organisation type."""

    plugin: str
    plugin_title: str
    organisation_type: str
    organisation_type_title: str


@dataclass(frozen=True, slots=True)
class TemplateLine:
    """One document on the region's page: which template its organisations' documents are filled from."""

    code: str
    title: str
    upload: RegionUpload | None
    plugins: tuple[PluginVariant, ...]
    source_title: str
    """«стандартный», or «региональный, загружен 10.12.2026 14:05, Регионова»."""

    @property
    def source(self) -> str:
        return "region" if self.upload else "standard"


@dataclass(frozen=True, slots=True)
class TemplateFile:
    file_name: str
    content: bytes


def _known(code: str) -> str:
    if code not in DOCUMENT_TITLES:
        raise NotFound  # a document the platform does not generate
    return code


async def _timezone(db: AsyncSession, region_id: uuid.UUID) -> ZoneInfo | None:
    name = await db.scalar(select(Region.timezone).where(Region.id == region_id))
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _source_title(upload: RegionUpload | None, zone: ZoneInfo | None) -> str:
    if upload is None:
        return STANDARD
    moment = upload.uploaded_at.astimezone(zone) if zone else upload.uploaded_at
    return f"региональный, загружен {moment:%d.%m.%Y %H:%M}, {upload.uploaded_by}"


def _variants(plugins: Plugins, code: str) -> tuple[PluginVariant, ...]:
    types = plugins.organisation_types()
    return tuple(
        PluginVariant(
            o.plugin,
            o.plugin_title,
            org_type,
            types[org_type].title if org_type in types else org_type,
        )
        for (offered_code, org_type), o in sorted(plugins.document_templates().items())
        if offered_code == code
    )


async def _uploads(db: AsyncSession, region_id: uuid.UUID) -> dict[str, RegionUpload]:
    t = RegionDocumentTemplate
    rows = await db.execute(
        select(t.code, t.file_name, t.uploaded_at, Identity.display_name, func.octet_length(t.content))
        .join(Identity, Identity.id == t.uploaded_by)
        .where(t.region_id == region_id)
    )
    return {
        code: RegionUpload(file_name, uploaded_at, who, int(size))
        for code, file_name, uploaded_at, who, size in rows
    }


def _line(code: str, upload: RegionUpload | None, plugins: Plugins, zone: ZoneInfo | None) -> TemplateLine:
    return TemplateLine(
        code, DOCUMENT_TITLES[code], upload, _variants(plugins, code), _source_title(upload, zone)
    )


async def region_templates(db: AsyncSession, actor: Actor, plugins: Plugins) -> list[TemplateLine]:
    """Every replaceable document with the template its region's organisations get now."""
    region_id = region_of(actor)
    uploads = await _uploads(db, region_id)
    zone = await _timezone(db, region_id)
    lines = [_line(code, uploads.get(code), plugins, zone) for code in DOCUMENT_TITLES]
    await audit.record_by(
        db,
        actor,
        "read",
        audit.ObjectKind.REGION_DOCUMENT_TEMPLATES,
        region_id,
        org_id=None,
        details={"uploaded": sorted(uploads)},
    )
    await db.commit()
    return lines


async def template_line(db: AsyncSession, actor: Actor, plugins: Plugins, code: str) -> TemplateLine:
    region_id = region_of(actor)
    _known(code)
    upload = (await _uploads(db, region_id)).get(code)
    return _line(code, upload, plugins, await _timezone(db, region_id))


async def template_file(
    db: AsyncSession, actor: Actor, plugins: Plugins, code: str, organisation_type: str | None = None
) -> TemplateFile:
    """The template in force for the region's organisations (of ``organisation_type``, if named)."""
    region_id = region_of(actor)
    _known(code)
    title = DOCUMENT_TITLES[code]
    if organisation_type is not None and organisation_type not in plugins.organisation_types():
        raise InvalidInput(
            "Неизвестный тип организации.",
            [
                FieldError(
                    "organisation_type", "допустимы: " + ", ".join(sorted(plugins.organisation_types()))
                )
            ],
        )
    t = RegionDocumentTemplate
    row = (
        await db.execute(select(t.content, t.file_name).where(t.region_id == region_id, t.code == code))
    ).one_or_none()
    offered = plugins.document_templates().get((code, organisation_type)) if organisation_type else None
    if row is not None:
        found, source = TemplateFile(row.file_name, bytes(row.content)), "region"
    elif offered is not None:
        found = TemplateFile(f"{title} — шаблон модуля {offered.plugin}.docx", offered.path.read_bytes())
        source = f"plugin:{offered.plugin}"
    else:
        found, source = TemplateFile(f"{title} — стандартный шаблон.docx", default_template(code)), "standard"
    await audit.record_by(
        db,
        actor,
        "export",
        OBJECT_TYPE,
        code,
        org_id=None,
        details={"region_id": str(region_id), "source": source, "organisation_type": organisation_type},
    )
    await db.commit()
    return found


def _file_name(raw: str) -> str:
    # Browsers may send a whole Windows path; only the name is kept, and never a control character.
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name or "шаблон.docx")[:MAX_FILE_NAME]


async def upload_template(
    db: AsyncSession, actor: Actor, plugins: Plugins, code: str, content: bytes | None, file_name: str
) -> TemplateLine:
    """Check the template with the document's sample data, then keep it as the region's own."""
    region_id = region_of(actor)
    _known(code)
    if content is None:
        raise InvalidInput(
            "Выберите файл шаблона в формате Word (.docx).", [FieldError("file", "файл не выбран")]
        )
    name = _file_name(file_name)
    details = {
        "region_id": str(region_id),
        "file_name": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    try:
        if not content:
            raise TemplateBroken("Файл пустой: выберите шаблон в формате Word (.docx).")
        if len(content) > MAX_TEMPLATE_BYTES:  # before unpacking anything
            raise TemplateBroken(
                f"Шаблон слишком большой: допускается не более {MAX_TEMPLATE_BYTES // (1024 * 1024)} МБ."
            )
        render_sample(code, content)
    except TemplateBroken as exc:
        await audit.record_by(
            db,
            actor,
            "update",
            OBJECT_TYPE,
            code,
            org_id=None,
            outcome="failed",
            details={**details, "reason": exc.message[:300]},
        )
        await db.commit()
        raise InvalidInput(
            f"Шаблон «{DOCUMENT_TITLES[code]}» не загружен: {exc.message}",
            [FieldError("file", exc.message)],
        ) from None
    t = RegionDocumentTemplate
    replaced = await db.scalar(select(t.code).where(t.region_id == region_id, t.code == code)) is not None
    statement = insert(t).values(
        region_id=region_id,
        code=code,
        content=content,
        file_name=name,
        uploaded_by=actor.identity_id,
        uploaded_at=clock.now(),  # the platform's clock: the date shown is the region's date of the upload
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[t.region_id, t.code],
            set_={
                "content": statement.excluded.content,
                "file_name": statement.excluded.file_name,
                "uploaded_by": statement.excluded.uploaded_by,
                "uploaded_at": statement.excluded.uploaded_at,
            },
        )
    )
    await audit.record_by(
        db, actor, "update" if replaced else "create", OBJECT_TYPE, code, org_id=None, details=details
    )
    await db.commit()
    return await template_line(db, actor, plugins, code)


async def revert_template(db: AsyncSession, actor: Actor, code: str, *, confirmed: bool) -> None:
    """Delete the region's template: its organisations get the standard (or a plugin's) one again."""
    region_id = region_of(actor)
    _known(code)
    if not confirmed:
        raise InvalidInput(
            f"Подтвердите, что для документа «{DOCUMENT_TITLES[code]}» нужно вернуть стандартный шаблон.",
            [FieldError("confirm", "отметьте подтверждение")],
        )
    t = RegionDocumentTemplate
    removed = await db.scalar(
        delete(t).where(t.region_id == region_id, t.code == code).returning(t.file_name)
    )
    if removed is None:
        raise NotFound  # the region has no template of its own for this document
    await audit.record_by(
        db,
        actor,
        "delete",
        OBJECT_TYPE,
        code,
        org_id=None,
        details={"region_id": str(region_id), "file_name": removed},
    )
    await db.commit()
