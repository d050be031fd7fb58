"""The region's (or a municipality's) list of organisations with the year's headcounts, as .xlsx.

Its columns carry the headings the organisations' import reads (:data:`importing.COLUMNS`' first
synonyms), so a file exported, corrected and uploaded again updates the same organisations.
"""

from __future__ import annotations

import io
import uuid

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.organisations import services as organisations
from nastavnik.domain.organisations.importing import STATUS_TITLES, TITLES
from nastavnik.domain.statistics import headcounts
from nastavnik.models.reference import AcademicYear, Municipality
from nastavnik.plugins import Plugins
from nastavnik.spreadsheets import safe_cell
from nastavnik.tenancy import Actor

FIELDS = (
    "municipality",
    "type",
    "inn",
    "full_name",
    "short_name",
    "slug",
    "status",
    "academic_year",
    *headcounts.HEADCOUNT_FIELDS,
)


async def export_list(db: AsyncSession, actor: Actor, plugins: Plugins, start_year: int) -> bytes:
    """Every organisation the actor oversees (a coordinator: their municipality's), by municipality and
    name, with the headcounts of ``start_year`` where the organisation has them; the export is audited."""
    overseen = await organisations.organisations_overseen(db, actor)
    query = select(Municipality.id, Municipality.name).where(
        Municipality.id.in_({o.municipality_id for o in overseen})
    )
    names: dict[uuid.UUID, str] = {id_: name for id_, name in await db.execute(query)}
    counts = await headcounts.overseen_headcounts(db, actor, start_year, [o.id for o in overseen])
    types = plugins.organisation_types()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Организации"
    sheet.append([TITLES[f] for f in FIELDS])
    for org in sorted(overseen, key=lambda o: (names.get(o.municipality_id, ""), o.short_name)):
        counted = counts.get(org.id)
        sheet.append(
            [
                safe_cell(names.get(org.municipality_id, "")),
                types[org.type].title if org.type in types else org.type,
                org.inn,  # text: an ИНН may start with a zero
                safe_cell(org.full_name),
                safe_cell(org.short_name),
                org.slug,
                STATUS_TITLES.get(org.status, org.status),
                AcademicYear(start_year=start_year).title,
                *((getattr(counted, f) for f in headcounts.HEADCOUNT_FIELDS) if counted else [None] * 4),
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (24, 34, 13, 48, 30, 20, 12, 12, 14, 14, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    await audit.record_by(
        db,
        actor,
        "export",
        audit.ObjectKind.ORGANISATION_LIST,
        start_year,
        org_id=None,
        details={"organisations": len(overseen)},
    )
    await db.commit()
    return out.getvalue()
