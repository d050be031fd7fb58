"""JSON API outside any one organisation: the signed-in person, oversight, the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeAlias

from litestar import Controller, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.organisations import (
    importing as organisation_import,
    onboarding,
    services as organisations,
)
from nastavnik.domain.organisations.importing import Preview
from nastavnik.domain.organisations.services import OrganisationDraft
from nastavnik.domain.statistics import headcounts
from nastavnik.models.identity import StaffRole
from nastavnik.models.reference import Organisation, current_start_year
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, Forbidden, memberships_of, region_timezone
from nastavnik.web import uploads
from nastavnik.web.controllers.schemas import (
    AuditEventOut,
    AuditPageOut,
    HeadcountSummaryOut,
    ImportPreviewOut,
    ImportRowOut,
    MembershipOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationStatusIn,
    StaffGrantOut,
)
from nastavnik.web.downloads import XLSX
from nastavnik.web.forms import Upload, uploaded_file
from nastavnik.web.params import CurrentActor, Db, Id, Rt


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


async def create_organisation(
    db: AsyncSession, runtime: Runtime, actor: Actor, data: OrganisationIn
) -> Organisation:
    """Create the organisation and start onboarding it, with its curator when one is named."""
    curator = None
    if (c := data.curator) is not None:
        curator = onboarding.validate_curator(
            onboarding.CuratorDraft(c.last_name, c.first_name, c.middle_name, c.email)
        )
    draft = OrganisationDraft(
        municipality_id=data.municipality_id,
        type=data.type,
        full_name=data.full_name,
        short_name=data.short_name,
        inn=data.inn.strip(),
        slug=data.slug.strip(),
    )
    return await onboarding.create_and_onboard(db, runtime, actor, draft, curator)


async def check_organisations(
    db: AsyncSession, runtime: Runtime, actor: Actor, data: dict[str, Any]
) -> tuple[Preview, str | None]:
    """The uploaded list of organisations checked, and the token that commits it (none when it has errors)."""
    content, _ = await uploaded_file(data)
    checked = await organisation_import.preview(db, actor, runtime.plugins, content)
    token = None
    if not checked.errors:
        token = await uploads.keep(runtime, organisation_import.upload_scope(actor), content)
    return checked, token


class AccountApi(Controller):
    path = "/api/me"
    tags = ["Учётная запись"]

    @get("/", summary="Кто я и где состою")
    async def me(self, db: Db, actor: CurrentActor) -> MeOut:
        memberships = await memberships_of(db, actor)
        names = await organisations.area_names(db, actor.staff)
        return MeOut(
            identity_id=actor.identity_id,
            display_name=actor.display_name,
            staff_roles=sorted({g.role.value for g in actor.staff}),
            organisations=[
                MembershipOut(
                    slug=m.slug, short_name=m.short_name, full_name=m.full_name, roles=list(m.roles)
                )
                for m in memberships
            ],
            staff=[
                StaffGrantOut(
                    role=g.role.value,
                    region_id=g.region_id,
                    region_name=names.get(g.region_id, ""),
                    municipality_id=g.municipality_id,
                    municipality_name=names.get(g.municipality_id) if g.municipality_id else None,
                )
                for g in actor.staff
            ],
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
        self, db: Db, actor: CurrentActor, runtime: Rt, data: JSONBody[OrganisationIn]
    ) -> OrganisationOut:
        org = await create_organisation(db, runtime, actor, data)
        return organisation_out(org, (await onboarding.statuses(db, actor)).get(org.id))

    @post("/organisations/import", summary="Проверить список организаций из Excel", status_code=HTTP_200_OK)
    async def import_preview(
        self, db: Db, actor: CurrentActor, runtime: Rt, data: Upload
    ) -> ImportPreviewOut:
        checked, token = await check_organisations(db, runtime, actor, data)
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
            errors=[e.as_json() for e in checked.errors],
        )

    @post("/organisations/import/{token:str}", summary="Создать организации из проверенного файла")
    async def import_commit(
        self, db: Db, actor: CurrentActor, runtime: Rt, token: FromPath[str]
    ) -> list[str]:
        return [str(c) for c in await organisation_import.commit(db, runtime, actor, token)]

    @put("/organisations/{org_id:uuid}/status", summary="Деактивировать или вернуть организацию")
    async def set_status(
        self, db: Db, actor: CurrentActor, runtime: Rt, org_id: Id, data: JSONBody[OrganisationStatusIn]
    ) -> OrganisationOut:
        org = await organisations.set_status(
            db, actor, org_id, data.status, service_filter=runtime.settings.service_tenant_filter
        )
        await audit.record_by(
            db,
            actor,
            "update",
            audit.ObjectKind.ORGANISATION,
            org.id,
            org_id=org.id,
            details={"status": org.status},
        )
        await db.commit()
        await onboarding.schedule_sync(runtime, org.id)  # Keycloak's organization follows
        return organisation_out(org)

    @post(
        "/organisations/{org_id:uuid}/onboarding/retry",
        summary="Повторить подключение организации",
        status_code=HTTP_202_ACCEPTED,
    )
    async def retry_onboarding(self, db: Db, actor: CurrentActor, runtime: Rt, org_id: Id) -> OrganisationOut:
        row = await onboarding.retry(db, runtime, actor, org_id)
        org = next(o for o in await organisations.organisations_overseen(db, actor) if o.id == row.org_id)
        return organisation_out(org, row)

    @get("/region/headcounts", summary="Численность по муниципалитетам региона")
    async def region_headcounts(
        self, db: Db, actor: CurrentActor, year: int | None = Parameter(default=None, ge=2000, le=2100)
    ) -> list[HeadcountSummaryOut]:
        if not actor.grants(StaffRole.REGION):
            raise Forbidden
        rows = await headcounts.oversight_summary(
            db, actor, year or current_start_year(await region_timezone(db, actor))
        )
        return [summary_out(r) for r in rows]

    @get("/municipalities/{municipality_id:uuid}/headcounts", summary="Численность по муниципалитету")
    async def municipality_headcounts(
        self,
        db: Db,
        actor: CurrentActor,
        municipality_id: Id,
        year: int | None = Parameter(default=None, ge=2000, le=2100),
    ) -> list[HeadcountSummaryOut]:
        municipality = await organisations.municipality_for(db, actor, municipality_id)
        rows = await headcounts.oversight_summary(
            db,
            actor,
            year or current_start_year(await region_timezone(db, actor)),
            municipality_id=municipality.id,
        )
        return [summary_out(r) for r in rows]


def audit_filter(
    actor: CurrentActor,
    date_from: date | None = Parameter(default=None, description="С этой даты (по времени региона)"),
    date_to: date | None = Parameter(default=None, description="По эту дату включительно"),
    person: str | None = Parameter(
        default=None, max_length=200, description="Часть имени действовавшего или id (его или чьих данных)"
    ),
    action: str | None = Parameter(
        default=None, max_length=16, description="Действие: read, export, create…"
    ),
) -> audit.AuditFilter:
    """The auditor's filter from the query string; who asks is checked first (a 403 before any 422)."""
    audit.audited_regions(actor)
    return audit.AuditFilter(date_from, date_to, person, action).check()


def audit_event_out(r: audit.AuditRow) -> AuditEventOut:
    return AuditEventOut(
        at=r.at.isoformat(),
        actor=r.actor,
        org_id=r.org_id,
        action=r.action,
        object_type=r.object_type,
        object_id=r.object_id,
        subject_person_id=r.subject_person_id,
        outcome=r.outcome,
    )


Wanted: TypeAlias = NamedDependency[audit.AuditFilter]
"""The auditor's filter, read from the query string by :func:`audit_filter`."""


class AuditApi(Controller):
    path = "/api/audit"
    tags = ["Аудит"]
    dependencies = {"wanted": Provide(audit_filter, sync_to_thread=False)}

    @get("/", summary="Журнал аудита своего региона (для аудитора), по страницам")
    async def events(
        self,
        db: Db,
        actor: CurrentActor,
        runtime: Rt,
        wanted: Wanted,
        page: int = Parameter(default=1, ge=1, le=1_000_000),
        per_page: int = Parameter(default=audit.PER_PAGE, ge=1, le=audit.MAX_PER_PAGE),
    ) -> AuditPageOut:
        async with audit.auditor_session(runtime, actor) as auditor_db:
            found = await audit.read_page(
                auditor_db, actor, wanted, await audit.audit_timezone(db, actor), page=page, per_page=per_page
            )
        return AuditPageOut(
            items=[audit_event_out(r) for r in found.rows],
            page=found.page,
            per_page=found.per_page,
            has_next=found.has_next,
        )

    @get(
        "/export.xlsx",
        media_type=XLSX,
        summary="Выгрузить журнал аудита своего региона в Excel (все записи отбора)",
    )
    async def export(self, db: Db, actor: CurrentActor, runtime: Rt, wanted: Wanted) -> Stream:
        timezone = await audit.audit_timezone(db, actor)
        async with audit.auditor_session(runtime, actor) as auditor_db:
            file, count = await audit.export_to_file(
                audit.all_rows(auditor_db, actor, wanted, timezone),
                timezone,
                runtime.plugins.audit_titles().objects,
            )
        try:
            await audit.record_by(
                db,
                actor,
                "export",
                audit.ObjectKind.AUDIT_LOG,
                org_id=None,
                details={"rows": count, **wanted.as_details()},
            )
            await db.commit()
        except BaseException:
            file.close()
            raise
        return Stream(
            audit.chunks(file),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="audit-log.xlsx"'},
        )
