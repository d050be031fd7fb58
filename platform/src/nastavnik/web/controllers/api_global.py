"""JSON API outside any one organisation: the signed-in person, oversight, the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.models import AcademicYear, Region, StaffRole
from nastavnik.services import audit, headcounts, onboarding, organisation_import, organisations, uploads
from nastavnik.services.organisations import OrganisationDraft
from nastavnik.services.people import parse_id
from nastavnik.tenancy import Actor, Forbidden, organisations_of
from nastavnik.web.controllers.schemas import (
    AuditEventOut,
    HeadcountSummaryOut,
    ImportPreviewOut,
    ImportRowOut,
    MembershipOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationStatusIn,
)
from nastavnik.web.downloads import XLSX
from nastavnik.web.forms import Upload, uploaded_file
from nastavnik.web.params import CurrentActor, Db, Rt

DEFAULT_TIMEZONE = "Europe/Moscow"


def current_start_year() -> int:
    return AcademicYear.start_year_of(date.today())


def organisation_out(org: Any, onboarding: Any = None) -> OrganisationOut:
    return OrganisationOut(
        onboarding=onboarding.status if onboarding else None,
        onboarding_error=onboarding.last_error if onboarding else None,
        id=org.id,
        slug=org.slug,
        type=org.type,
        full_name=org.full_name,
        short_name=org.short_name,
        inn=org.inn,
        municipality_id=org.municipality_id,
        status=org.status,
    )


def summary_out(s: headcounts.HeadcountSummary) -> HeadcountSummaryOut:
    return HeadcountSummaryOut(
        municipality_id=s.municipality_id,
        municipality_name=s.municipality_name,
        organisations=s.organisations,
        reporting=s.reporting,
        learners_total=s.learners_total,
        learners_10_18=s.learners_10_18,
        pedagogues=s.pedagogues,
        young_pedagogues=s.young_pedagogues,
    )


class AccountApi(Controller):
    path = "/api/me"
    tags = ["Учётная запись"]

    @get("/", summary="Кто я и где состою")
    async def me(self, db: Db, actor: CurrentActor) -> MeOut:
        orgs = await organisations_of(db, actor)
        return MeOut(
            identity_id=actor.identity_id,
            display_name=actor.display_name,
            staff_roles=sorted({g.role.value for g in actor.staff}),
            organisations=[MembershipOut(slug=s, short_name=n) for s, n in orgs],
        )


class OversightApi(Controller):
    path = "/api"
    tags = ["Регион и муниципалитет"]

    @get("/organisations", summary="Организации под моим наблюдением")
    async def list_organisations(self, db: Db, actor: CurrentActor) -> list[OrganisationOut]:
        overseen = await organisations.organisations_overseen(db, actor)
        states = await onboarding.statuses(db, actor)
        return [organisation_out(o, states.get(o.id)) for o in overseen]

    @post("/organisations", summary="Создать организацию", status_code=HTTP_201_CREATED)
    async def create_organisation(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        data: JSONBody[OrganisationIn],
    ) -> OrganisationOut:
        draft = OrganisationDraft(
            municipality_id=data.municipality_id,
            type=data.type,
            full_name=data.full_name,
            short_name=data.short_name,
            inn=data.inn,
            slug=data.slug,
        )
        curator = None
        if data.curator is not None:
            c = data.curator
            curator = onboarding.validate_curator(
                onboarding.CuratorDraft(c.last_name, c.first_name, c.middle_name, c.email)
            )
        org = await onboarding.create_and_onboard(db, runtime, actor, draft, curator)
        return organisation_out(org, (await onboarding.statuses(db, actor)).get(org.id))

    @post("/organisations/import", summary="Проверить список организаций из Excel", status_code=HTTP_200_OK)
    async def import_preview(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        data: Upload,
    ) -> ImportPreviewOut:
        content, _ = await uploaded_file(data)
        checked = await organisation_import.preview(db, actor, runtime.plugins, content)
        token = None
        if not checked.errors:
            token = await uploads.keep(runtime, organisation_import.upload_scope(actor), content)
        return ImportPreviewOut(
            token=token,
            rows=[
                ImportRowOut(
                    row=r.row,
                    short_name=r.draft.short_name,
                    inn=r.draft.inn,
                    slug=r.draft.slug,
                    type=r.draft.type,
                    curator_email=r.curator.email if r.curator else None,
                )
                for r in checked.rows
            ],
            errors=checked.errors,
        )

    @post("/organisations/import/{token:str}", summary="Создать организации из проверенного файла")
    async def import_commit(
        self, db: Db, actor: CurrentActor, runtime: Rt, token: FromPath[str]
    ) -> list[str]:
        return [str(c) for c in await organisation_import.commit(db, runtime, actor, token)]

    @put("/organisations/{org_id:str}/status", summary="Деактивировать или вернуть организацию")
    async def set_status(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        org_id: FromPath[str],
        data: JSONBody[OrganisationStatusIn],
    ) -> OrganisationOut:
        org = await organisations.set_status(db, actor, parse_id(org_id), data.status)
        await audit.record_by(
            db,
            actor,
            org_id=org.id,
            action="update",
            object_type="organisation",
            object_id=str(org.id),
            details={"status": org.status},
        )
        await db.commit()
        await onboarding.schedule_sync(runtime, org.id)  # Keycloak's organization follows
        return organisation_out(org)

    @post(
        "/organisations/{org_id:str}/onboarding/retry",
        summary="Повторить подключение организации",
        status_code=HTTP_202_ACCEPTED,
    )
    async def retry_onboarding(
        self, db: Db, actor: CurrentActor, runtime: Rt, org_id: FromPath[str]
    ) -> OrganisationOut:
        row = await onboarding.retry(db, runtime, actor, parse_id(org_id))
        org = next(o for o in await organisations.organisations_overseen(db, actor) if o.id == row.org_id)
        return organisation_out(org, row)

    @get("/region/headcounts", summary="Численность по муниципалитетам региона")
    async def region_headcounts(
        self, db: Db, actor: CurrentActor, year: int | None = Parameter(default=None, ge=2000, le=2100)
    ) -> list[HeadcountSummaryOut]:
        if not actor.grants(StaffRole.REGION):
            raise Forbidden
        rows = await headcounts.oversight_summary(db, actor, year or current_start_year())
        return [summary_out(r) for r in rows]

    @get("/municipalities/{municipality_id:str}/headcounts", summary="Численность по муниципалитету")
    async def municipality_headcounts(
        self,
        db: Db,
        actor: CurrentActor,
        municipality_id: FromPath[str],
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> list[HeadcountSummaryOut]:
        municipality = await organisations.municipality_for(db, actor, parse_id(municipality_id))
        rows = await headcounts.oversight_summary(
            db, actor, year or current_start_year(), municipality_id=municipality.id
        )
        return [summary_out(r) for r in rows]


class AuditApi(Controller):
    path = "/api/audit"
    tags = ["Аудит"]

    @get("/", summary="Журнал аудита (для аудитора)")
    async def events(self, actor: CurrentActor, runtime: Rt) -> list[AuditEventOut]:
        rows = await _read_audit(actor, runtime)
        return [
            AuditEventOut(
                at=r.at.isoformat(),
                actor=r.actor,
                org_id=r.org_id,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                subject_person_id=r.subject_person_id,
                outcome=r.outcome,
            )
            for r in rows
        ]

    @get("/export.xlsx", media_type=XLSX, summary="Выгрузить журнал аудита в Excel")
    async def export(self, db: Db, actor: CurrentActor, runtime: Rt) -> Response[bytes]:
        rows = await _read_audit(actor, runtime, limit=100_000)
        timezone = await region_timezone(db, actor)
        await audit.record_by(
            db,
            actor,
            org_id=None,
            action="export",
            object_type="audit_log",
            details={"rows": len(rows)},
        )
        await db.commit()
        return Response(
            content=audit.export_xlsx(rows, timezone),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="audit-log.xlsx"'},
        )


async def _read_audit(actor: CurrentActor, runtime: Rt, limit: int = 500) -> list[audit.AuditRow]:
    if not actor.is_auditor:
        raise Forbidden
    async with runtime.auditor_sessions() as auditor_db:
        return await audit.read_events(auditor_db, limit=limit)


async def region_timezone(db: AsyncSession, actor: Actor) -> str:
    """The time zone of the region the actor works in (their first oversight grant)."""
    region = await db.get(Region, actor.staff[0].region_id) if actor.staff else None
    return region.timezone if region else DEFAULT_TIMEZONE
