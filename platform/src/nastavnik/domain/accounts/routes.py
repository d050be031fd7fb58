"""Accounts: the signed-in person's own («кто я»), and those the curators create for the people of the
bases (JSON API and pages; the work is in services.accounts)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED

from nastavnik.domain.accounts import services as accounts
from nastavnik.domain.accounts.models import AccountStatus, Delivery
from nastavnik.domain.organisations.services import area_names
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext, memberships_of
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, decode_form, ticked
from nastavnik.web.params import CurrentActor, Db, Id, Org, Rt
from nastavnik.web.rendering import Render

REFRESH_SECONDS = 5

PersonIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=accounts.MAX_BATCH)]


class AccountsIn(msgspec.Struct, forbid_unknown_fields=True):
    person_ids: PersonIds


class AccountEntryOut(msgspec.Struct):
    person_id: uuid.UUID
    full_name: str
    username: str | None
    delivery: str
    """``email``: an invitation to set a password; ``password``: a one-time password on the access sheet."""
    delivery_title: str
    status: str
    """pending, retrying, created, invited, linked or failed."""
    status_title: str
    error: str | None
    password_held: bool
    """The one-time password can still be printed on the access sheet."""


class AccountBatchOut(msgspec.Struct):
    batch_id: uuid.UUID
    created_at: datetime
    in_progress: bool
    passwords_held: int
    passwords_until: datetime | None
    to_reset: list[uuid.UUID]
    """People whose one-time password is no longer held: reset it to print a new sheet."""
    people: list[AccountEntryOut]


class AccountBatchSummaryOut(msgspec.Struct):
    batch_id: uuid.UUID
    created_at: datetime
    people: int
    open: int
    failed: int


class MembershipOut(msgspec.Struct):
    slug: str
    short_name: str
    full_name: str = ""
    roles: list[str] = msgspec.field(default_factory=list)
    """Programme roles in the organisation: director, curator, mentor, mentee."""


class StaffGrantOut(msgspec.Struct):
    role: str
    """region, municipality or auditor"""
    region_id: uuid.UUID
    region_name: str
    municipality_id: uuid.UUID | None
    municipality_name: str | None


class MeOut(msgspec.Struct):
    identity_id: uuid.UUID
    display_name: str
    staff_roles: list[str]
    organisations: list[MembershipOut]
    staff: list[StaffGrantOut] = msgspec.field(default_factory=list)


def batch_out(view: accounts.BatchView) -> AccountBatchOut:
    return AccountBatchOut(
        batch_id=view.batch.id,
        created_at=view.batch.created_at,
        in_progress=view.in_progress,
        passwords_held=view.passwords_held,
        passwords_until=view.passwords_until,
        to_reset=[e.person.id for e in view.to_reset],
        people=[
            AccountEntryOut(
                person_id=e.person.id,
                full_name=e.person.full_name,
                username=e.entry.username,
                delivery=e.delivery,
                delivery_title=accounts.DELIVERY_TITLES[Delivery(e.delivery)],
                status=e.entry.status,
                status_title=e.status_title,
                error=e.entry.error,
                password_held=e.password_held,
            )
            for e in view.entries
        ],
    )


async def _sheet(db: Any, runtime: Runtime, org: OrgContext, batch_id: uuid.UUID) -> Response[bytes]:
    name, content = await accounts.access_sheet(db, org, runtime, batch_id)
    response = attachment(content, DOCX, name, f"access-{batch_id}.docx")
    response.headers["Cache-Control"] = "no-store"  # passwords: no copy in a browser's or a proxy's cache
    return response


class AccountApi(Controller):
    path = "/api/me"
    tags = ["Учётная запись"]

    @get("/", summary="Кто я и где состою")
    async def me(self, db: Db, actor: CurrentActor) -> MeOut:
        memberships = await memberships_of(db, actor)
        names = await area_names(db, actor.staff)
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


class AccountsApi(Controller):
    path = "/api/o/{slug:str}/accounts"
    dependencies = ORG_DEPENDENCIES
    tags = ["Учётные записи"]

    @get("/", summary="Запросы на создание учётных записей (без имён)")
    async def index(self, db: Db, org: Org) -> list[AccountBatchSummaryOut]:
        return [
            AccountBatchSummaryOut(s.batch_id, s.created_at, s.people, s.open, s.failed)
            for s in await accounts.recent_batches(db, org)
        ]

    @post("/", summary="Создать учётные записи выбранным людям", status_code=HTTP_202_ACCEPTED)
    async def create(self, db: Db, runtime: Rt, org: Org, data: JSONBody[AccountsIn]) -> AccountBatchOut:
        batch = await accounts.request_accounts(db, org, runtime, data.person_ids)
        return batch_out(await accounts.batch_view(db, org, runtime, batch.id))

    @get("/{batch_id:uuid}", summary="Состояние учётной записи каждого человека")
    async def show(self, db: Db, runtime: Rt, org: Org, batch_id: Id) -> AccountBatchOut:
        return batch_out(await accounts.batch_view(db, org, runtime, batch_id))

    @get(
        "/{batch_id:uuid}/sheet.docx", media_type=DOCX, summary="Лист доступа с одноразовыми паролями (.docx)"
    )
    async def sheet(self, db: Db, runtime: Rt, org: Org, batch_id: Id) -> Response[bytes]:
        return await _sheet(db, runtime, org, batch_id)

    @post(
        "/{batch_id:uuid}/reset-passwords",
        summary="Сбросить одноразовые пароли выбранным людям",
        status_code=HTTP_202_ACCEPTED,
    )
    async def reset(
        self, db: Db, runtime: Rt, org: Org, batch_id: Id, data: JSONBody[AccountsIn]
    ) -> AccountBatchOut:
        batch = await accounts.reset_passwords(db, org, runtime, batch_id, data.person_ids)
        return batch_out(await accounts.batch_view(db, org, runtime, batch.id))

    @post("/{batch_id:uuid}/retry", summary="Повторить неудавшиеся", status_code=HTTP_202_ACCEPTED)
    async def retry(self, db: Db, runtime: Rt, org: Org, batch_id: Id) -> AccountBatchOut:
        batch = await accounts.retry(db, org, runtime, batch_id)
        return batch_out(await accounts.batch_view(db, org, runtime, batch.id))


def _ticked(data: dict[str, str]) -> list[uuid.UUID]:
    """People ticked in a form (checkboxes named ``person_<id>``), read as the API reads its body."""
    return decode_form({"person_ids": ticked(data, "person_")}, AccountsIn).person_ids


class AccountsPages(Controller):
    path = "/o/{slug:str}/accounts"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: учётные записи"]

    @post("/", summary="Создать учётные записи отмеченным людям (форма)")
    async def create(self, db: Db, runtime: Rt, org: Org, data: Form) -> Redirect:
        batch = await accounts.request_accounts(db, org, runtime, _ticked(data))
        return Redirect(path=f"/o/{org.org.slug}/accounts/{batch.id}")

    @get("/{batch_id:uuid}", summary="Создание учётных записей: ход работы и лист доступа")
    async def show(self, render: Render, db: Db, runtime: Rt, org: Org, batch_id: Id) -> Template:
        view = await accounts.batch_view(db, org, runtime, batch_id)
        return await render(
            "core/accounts.html",
            view=view,
            refresh=REFRESH_SECONDS if view.in_progress else None,
            delivery_titles=accounts.DELIVERY_TITLES,
            failed_statuses=(AccountStatus.FAILED, AccountStatus.RETRYING),
            ttl_hours=runtime.settings.account_password_ttl // 3600,
        )

    @get("/{batch_id:uuid}/sheet.docx", media_type=DOCX, summary="Скачать лист доступа (.docx)")
    async def sheet(self, db: Db, runtime: Rt, org: Org, batch_id: Id) -> Response[bytes]:
        return await _sheet(db, runtime, org, batch_id)

    @post("/{batch_id:uuid}/reset", summary="Сбросить пароли отмеченным людям (форма)")
    async def reset(self, db: Db, runtime: Rt, org: Org, batch_id: Id, data: Form) -> Redirect:
        batch = await accounts.reset_passwords(db, org, runtime, batch_id, _ticked(data))
        return Redirect(path=f"/o/{org.org.slug}/accounts/{batch.id}")

    @post("/{batch_id:uuid}/retry", summary="Повторить неудавшиеся (форма)")
    async def retry(self, db: Db, runtime: Rt, org: Org, batch_id: Id, data: Form) -> Redirect:
        batch = await accounts.retry(db, org, runtime, batch_id)
        return Redirect(path=f"/o/{org.org.slug}/accounts/{batch.id}")
