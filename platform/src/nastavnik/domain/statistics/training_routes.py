"""The register of trained mentors for region staff and municipality coordinators: JSON API, page, .xlsx.

The same addresses serve both: the database limits a coordinator to their municipality
(``nastavnik_oversight_orgs()``), and everyone else is refused (403). The register is read from the read
replica where one is configured (``reads``), as the dashboards are; its audit entry goes to the primary."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Controller, Response, get
from litestar.response import Template

from nastavnik.domain.statistics import training_register
from nastavnik.web.downloads import XLSX, attachment
from nastavnik.web.params import CurrentActor, Db, Reads
from nastavnik.web.rendering import Render


class FiguresOut(msgspec.Struct):
    in_pairs: int
    """Mentors in active pairs and groups."""
    trained_in_pairs: int
    """Of them, those with at least one training record."""
    share: int | None
    """trained_in_pairs of in_pairs, in per cent (null: nobody in a pair)."""
    trained: int
    """Mentors with a training record, in a pair or not."""
    hours: int
    """Their hours of training together."""


class RegisterOrganisationOut(msgspec.Struct):
    org_id: uuid.UUID
    name: str
    municipality: str
    figures: FiguresOut


class RegisterMunicipalityOut(msgspec.Struct):
    municipality_id: uuid.UUID
    name: str
    figures: FiguresOut


class TrainedMentorOut(msgspec.Struct):
    municipality: str
    organisation: str
    full_name: str
    hours: int
    in_pair: bool


class RegisterOut(msgspec.Struct):
    total: FiguresOut
    municipalities: list[RegisterMunicipalityOut]
    organisations: list[RegisterOrganisationOut]
    mentors: list[TrainedMentorOut]
    """Trained mentors only (adults who consented to mentor); nothing about mentees."""


def figures_out(f: training_register.Figures) -> FiguresOut:
    return FiguresOut(f.in_pairs, f.trained_in_pairs, f.share, f.trained, f.hours)


def register_out(r: training_register.Register) -> RegisterOut:
    return RegisterOut(
        total=figures_out(r.total),
        municipalities=[
            RegisterMunicipalityOut(m.municipality_id, m.name, figures_out(m.figures))
            for m in r.municipalities
        ],
        organisations=[
            RegisterOrganisationOut(o.org_id, o.name, o.municipality, figures_out(o.figures))
            for o in r.organisations
        ],
        mentors=[
            TrainedMentorOut(m.municipality, m.organisation, m.full_name, m.hours, m.in_pair)
            for m in r.mentors
        ],
    )


async def _export(db: Db, reads: Reads, actor: CurrentActor) -> Response[bytes]:
    data = await training_register.register(db, actor, action="export", reads=reads)
    return attachment(
        training_register.export_register(data),
        XLSX,
        "Реестр обученных наставников.xlsx",
        "trained-mentors.xlsx",
    )


class TrainingRegisterApi(Controller):
    path = "/api/region/training"
    tags = ["Регион и муниципалитет"]

    @get("/", summary="Реестр обученных наставников: по муниципалитетам и организациям, ФИО обученных")
    async def register(self, db: Db, reads: Reads, actor: CurrentActor) -> RegisterOut:
        return register_out(await training_register.register(db, actor, reads=reads))

    @get("/export.xlsx", media_type=XLSX, summary="Реестр обученных наставников в Excel")
    async def export(self, db: Db, reads: Reads, actor: CurrentActor) -> Response[bytes]:
        return await _export(db, reads, actor)


class TrainingRegisterPages(Controller):
    path = "/region/training"
    tags = ["Регион и муниципалитет: страницы"]

    @get("/", summary="Реестр обученных наставников")
    async def page(self, render: Render, db: Db, reads: Reads, actor: CurrentActor) -> Template:
        data = await training_register.register(db, actor, reads=reads)
        return await render("core/region_training.html", register=data)

    @get("/export.xlsx", media_type=XLSX, summary="Реестр обученных наставников в Excel")
    async def export(self, db: Db, reads: Reads, actor: CurrentActor) -> Response[bytes]:
        return await _export(db, reads, actor)
