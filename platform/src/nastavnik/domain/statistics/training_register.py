"""The region's register of trained mentors: figures per municipality and organisation, and the names of the
trained mentors — adults who gave their written consent to mentor — and nothing about mentees.

Region and municipality staff have no read policy on people, pairs or training records. What they read
comes through one narrow door, the ``SECURITY DEFINER`` function ``nastavnik_training_register()``
(migration 0024): per mentor in an active pair or with a training record, the organisation, whether in a
pair, whether trained, the hours, and the name of the trained ones only; limited by
``nastavnik_oversight_orgs()`` to the caller's region, or a coordinator's municipality. Every read and
every export is audited.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.scope import DbScope, rescope_reads
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Municipality, Organisation
from nastavnik.spreadsheets import safe_cell
from nastavnik.tenancy import Actor, Forbidden

REGISTER = func.nastavnik_training_register().table_valued(
    "org_id", "full_name", "in_pair", "trained", "hours"
)


@dataclass
class Figures:
    """Mentors in active pairs, of them trained, their share in per cent (None: nobody in a pair), all
    trained mentors, and the hours of the trained together."""

    in_pairs: int = 0
    trained_in_pairs: int = 0
    trained: int = 0
    hours: int = 0

    @property
    def share(self) -> int | None:
        return None if not self.in_pairs else round(100 * self.trained_in_pairs / self.in_pairs)

    def add(self, in_pair: bool, trained: bool, hours: int) -> None:
        self.in_pairs += in_pair
        self.trained_in_pairs += in_pair and trained
        self.trained += trained
        self.hours += hours if trained else 0


@dataclass
class OrganisationLine:
    org_id: uuid.UUID
    name: str
    municipality: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class MunicipalityLine:
    municipality_id: uuid.UUID
    name: str
    figures: Figures = field(default_factory=Figures)


@dataclass(frozen=True, slots=True)
class TrainedMentor:
    municipality: str
    organisation: str
    full_name: str
    hours: int
    in_pair: bool


@dataclass
class Register:
    total: Figures
    municipalities: list[MunicipalityLine]
    organisations: list[OrganisationLine]
    mentors: list[TrainedMentor]


def _may_read(actor: Actor) -> None:
    if not (actor.grants(StaffRole.REGION) or actor.grants(StaffRole.MUNICIPALITY)):
        raise Forbidden


async def register(
    db: AsyncSession, actor: Actor, *, action: str = "read", reads: AsyncSession | None = None
) -> Register:
    """The register for the actor's oversight scope (the region, or a coordinator's municipality); audited.

    Read through ``reads`` (the read replica's session where one is configured): the register counts what
    the organisations entered, never a write of the person reading it, so a moment's lag is harmless. The
    audit entry is written through ``db``, on the primary."""
    _may_read(actor)
    source = await rescope_reads(db, reads, DbScope(identity_id=actor.identity_id, oversight=True))
    visible = select(func.nastavnik_oversight_orgs())
    orgs = await source.execute(
        select(Organisation.id, Organisation.short_name, Municipality.id, Municipality.name)
        .join(Municipality, Municipality.id == Organisation.municipality_id)
        .where(Organisation.id.in_(visible), Organisation.status == "active")
        .order_by(Municipality.name, Organisation.short_name)
    )
    organisations: dict[uuid.UUID, OrganisationLine] = {}
    municipalities: dict[uuid.UUID, MunicipalityLine] = {}
    municipality_of: dict[uuid.UUID, uuid.UUID] = {}
    for org_id, org_name, municipality_id, municipality_name in orgs:
        organisations[org_id] = OrganisationLine(org_id, org_name, municipality_name)
        municipalities.setdefault(municipality_id, MunicipalityLine(municipality_id, municipality_name))
        municipality_of[org_id] = municipality_id
    total = Figures()
    mentors: list[TrainedMentor] = []
    rows = await source.execute(
        select(
            REGISTER.c.org_id, REGISTER.c.full_name, REGISTER.c.in_pair, REGISTER.c.trained, REGISTER.c.hours
        )
    )
    for org_id, full_name, in_pair, trained, hours in rows:
        line = organisations.get(org_id)
        if line is None:  # an organisation retired meanwhile
            continue
        for figures in (line.figures, municipalities[municipality_of[org_id]].figures, total):
            figures.add(bool(in_pair), bool(trained), int(hours))
        if trained and full_name:
            mentors.append(TrainedMentor(line.municipality, line.name, full_name, int(hours), bool(in_pair)))
    mentors.sort(key=lambda m: (m.municipality, m.organisation, m.full_name))
    await audit.record_by(
        db,
        actor,
        action,
        audit.ObjectKind.TRAINING_REGISTER,
        org_id=None,
        details={"organisations": len(organisations), "mentors": len(mentors)},
    )
    await db.commit()
    return Register(total, list(municipalities.values()), list(organisations.values()), mentors)


def _percent(share: int | None) -> str:
    return "—" if share is None else f"{share} %"


def export_register(data: Register) -> bytes:
    """The register as .xlsx: the organisations' figures on one sheet, the trained mentors on another."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Организации"
    sheet.append(
        [
            "Муниципалитет",
            "Организация",
            "Наставников в парах",
            "Из них обучены",
            "Доля обученных",
            "Обученных наставников",
            "Часов обучения",
        ]
    )
    for o in data.organisations:
        f = o.figures
        sheet.append(
            [
                safe_cell(o.municipality),
                safe_cell(o.name),
                f.in_pairs,
                f.trained_in_pairs,
                _percent(f.share),
                f.trained,
                f.hours,
            ]
        )
    t = data.total
    sheet.append(["Итого", "", t.in_pairs, t.trained_in_pairs, _percent(t.share), t.trained, t.hours])
    names = book.create_sheet("Обученные наставники")
    names.append(["Муниципалитет", "Организация", "ФИО наставника", "Часов обучения", "В действующей паре"])
    for m in data.mentors:
        names.append(
            [
                safe_cell(m.municipality),
                safe_cell(m.organisation),
                safe_cell(m.full_name),
                m.hours,
                "да" if m.in_pair else "нет",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
