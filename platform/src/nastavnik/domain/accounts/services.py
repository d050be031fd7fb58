"""Accounts for the people of the bases, as the curator asks for them (the worker's half is in
``nastavnik.domain.accounts.provisioning``).

Who may get one is decided here, all or nothing: an active person of the organisation without a
login, in a base or with a role in the programme; a learner only from ``account_min_learner_age``
(14 by default) and, under 18, with the recorded consent of a legal representative. A person with
an e-mail is invited to set a password; for the others Keycloak gets a one-time password that the
curator prints on the access sheet while it is held (``account_password_ttl``, 24 hours by default).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Select, Uuid, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db import driver
from nastavnik.db.collation import name_key, name_order
from nastavnik.domain.accounts import one_time_passwords
from nastavnik.domain.accounts.models import AccountBatch, AccountEntry, AccountStatus, Delivery
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.bases.services import ADULT_AGE, age_on
from nastavnik.domain.documents.access_sheet import SheetEntry, build_access_sheet
from nastavnik.domain.organisations.realm import NOT_CONFIGURED, sso_configured
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonCategory, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.runtime import Runtime
from nastavnik.tenancy import NotFound, OrgContext

ACCOUNTS_JOB = "core.create_accounts"

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
MAX_BATCH = 500
STATUS_TITLES = {
    AccountStatus.PENDING: "ожидает",
    AccountStatus.RETRYING: "ошибка: Keycloak недоступен, повторим",
    AccountStatus.CREATED: "создана",
    AccountStatus.INVITED: "приглашение отправлено",
    AccountStatus.LINKED: "подключена существующая учётная запись",
    AccountStatus.FAILED: "ошибка",
}
DELIVERY_TITLES = {Delivery.EMAIL: "приглашение на e-mail", Delivery.PASSWORD: "одноразовый пароль"}


@dataclass(frozen=True)
class EntryView:
    entry: AccountEntry
    person: Person
    password_held: bool

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[AccountStatus(self.entry.status)]

    @property
    def delivery(self) -> str:
        """How the person gets in: decided by the worker, foreseen from the e-mail until then."""
        if self.entry.delivery:
            return self.entry.delivery
        return Delivery.EMAIL if self.person.email else Delivery.PASSWORD

    @property
    def needs_reset(self) -> bool:
        """A one-time password was set, and is no longer held to be printed."""
        return (
            self.entry.status == AccountStatus.CREATED
            and self.entry.delivery == Delivery.PASSWORD
            and not self.password_held
        )


@dataclass(frozen=True)
class BatchView:
    batch: AccountBatch
    entries: list[EntryView]

    @property
    def in_progress(self) -> bool:
        return any(AccountStatus(e.entry.status).open for e in self.entries)

    @property
    def passwords_held(self) -> int:
        return sum(1 for e in self.entries if e.password_held)

    @property
    def passwords_until(self) -> datetime | None:
        held = [e.entry.password_expires_at for e in self.entries if e.password_held]
        return min((t for t in held if t is not None), default=None)

    @property
    def to_reset(self) -> list[EntryView]:
        return [e for e in self.entries if e.needs_reset]

    @property
    def failed(self) -> list[EntryView]:
        return [e for e in self.entries if e.entry.status in (AccountStatus.FAILED, AccountStatus.RETRYING)]


@dataclass(frozen=True)
class BatchSummary:
    batch_id: uuid.UUID
    created_at: datetime
    people: int
    open: int
    failed: int


async def schedule(runtime: Runtime, org_id: uuid.UUID, batch_id: uuid.UUID) -> bool:
    """Queue the batch's job; one already queued or running for the batch is not doubled."""
    from nastavnik.jobs import enqueue

    if runtime.queue is None:
        return False
    job_id = f"{runtime.settings.redis_prefix}:accounts:{batch_id}"
    return await enqueue(runtime.queue, ACCOUNTS_JOB, str(org_id), str(batch_id), job_id=job_id)


def require_sso(runtime: Runtime) -> None:
    """A Conflict, in Russian, where no account can be made: the region's single sign-on is not configured."""
    if not sso_configured(runtime.settings):
        raise Conflict(
            f"{NOT_CONFIGURED}: учётные записи создать нельзя. Обратитесь к администратору региона."
        )


def _chosen(person_ids: Sequence[uuid.UUID], what: str) -> list[uuid.UUID]:
    chosen = list(dict.fromkeys(person_ids))
    if not chosen:
        raise InvalidInput(
            f"Выберите хотя бы одного человека, {what}.",
            [FieldError("person_ids", "никто не выбран")],
        )
    if len(chosen) > MAX_BATCH:
        raise InvalidInput(
            f"За один раз — не больше {MAX_BATCH} человек.",
            [FieldError("person_ids", f"выбрано {len(chosen)}")],
        )
    return chosen


def refusal(
    person: Person,
    mentee: MenteeProfile | None,
    in_base: bool,
    *,
    today: date,
    min_learner_age: int,
) -> str | None:
    """Why the person gets no account now (in Russian), or None."""
    if person.identity_id is not None:
        return "уже есть учётная запись"
    if person.status != PersonStatus.ACTIVE:
        return "выбыл(а) из организации"
    if not in_base:
        return "не состоит ни в базе наставников, ни в базе наставляемых и не имеет роли в программе"
    learner = person.category == PersonCategory.LEARNER or (mentee is not None and mentee.kind == "learner")
    if not learner:
        return None
    birth = mentee.birth_date if mentee is not None else None
    if birth is None:
        return "не указана дата рождения в базе наставляемых: возраст обучающегося не проверить"
    age = age_on(birth, today)
    if age < min_learner_age:
        return f"обучающимся младше {min_learner_age} лет учётная запись по умолчанию не создаётся"
    if age < ADULT_AGE and (mentee is None or mentee.guardian_consent_on is None):
        return "нет согласия законного представителя (обучающемуся нет 18 лет)"
    return None


async def request_accounts(
    db: AsyncSession, ctx: OrgContext, runtime: Runtime, person_ids: Sequence[uuid.UUID]
) -> AccountBatch:
    """Ask for accounts for the chosen people: every one of them may have one, or nothing is done."""
    ctx.require_role(*MANAGERS)
    chosen = _chosen(person_ids, "кому нужна учётная запись")
    rows = (
        await db.execute(
            select(Person, MenteeProfile, MentorProfile.person_id)
            .outerjoin(
                MenteeProfile,
                (MenteeProfile.org_id == Person.org_id) & (MenteeProfile.person_id == Person.id),
            )
            .outerjoin(
                MentorProfile,
                (MentorProfile.org_id == Person.org_id) & (MentorProfile.person_id == Person.id),
            )
            .where(Person.id.in_(chosen), ctx.owns(Person))
        )
    ).all()
    if len(rows) != len(chosen):
        raise NotFound  # someone of another organisation, or nobody at all
    require_sso(runtime)
    with_roles = set(
        await db.scalars(
            select(PersonRole.person_id).where(PersonRole.person_id.in_(chosen), ctx.owns(PersonRole))
        )
    )
    underway = set(
        await db.scalars(
            select(AccountEntry.person_id).where(
                AccountEntry.person_id.in_(chosen),
                AccountEntry.status.in_([AccountStatus.PENDING, AccountStatus.RETRYING]),
                ctx.owns(AccountEntry),
            )
        )
    )
    today = ctx.today()
    errors = []
    for person, mentee, mentor_id in sorted(rows, key=lambda r: name_key(r[0].last_name, r[0].first_name)):
        in_base = mentee is not None or mentor_id is not None or person.id in with_roles
        reason = refusal(
            person, mentee, in_base, today=today, min_learner_age=runtime.settings.account_min_learner_age
        )
        if reason is None and person.id in underway:
            reason = "учётная запись уже создаётся"
        if reason is not None:
            errors.append(FieldError("person_ids", f"{person.full_name}: {reason}"))
    if errors:
        raise InvalidInput("Учётные записи не созданы: не всем выбранным людям их можно создать.", errors)
    batch = await queue_accounts(db, ctx, chosen)
    await db.commit()
    await schedule(runtime, ctx.org.id, batch.id)
    return batch


async def queue_accounts(db: AsyncSession, ctx: OrgContext, person_ids: Sequence[uuid.UUID]) -> AccountBatch:
    """A batch asking for the accounts of people already checked, each request audited; not committed, and
    the worker is scheduled only after the commit (it would find nothing before)."""
    batch = AccountBatch(org_id=ctx.org.id, requested_by=ctx.actor.identity_id)
    db.add(batch)
    await db.flush()
    for person_id in person_ids:
        db.add(AccountEntry(org_id=ctx.org.id, batch_id=batch.id, person_id=person_id))
        await audit.record_in(
            db, ctx, "create", audit.ObjectKind.ACCOUNT, batch.id, subject_person_id=person_id
        )
    await db.flush()
    return batch


async def _batch(db: AsyncSession, ctx: OrgContext, batch_id: uuid.UUID) -> AccountBatch:
    return await ctx.find(db, AccountBatch, batch_id)


async def _view(db: AsyncSession, ctx: OrgContext, runtime: Runtime, batch: AccountBatch) -> BatchView:
    rows = (
        await db.execute(
            select(AccountEntry, Person)
            .join(Person, (Person.org_id == AccountEntry.org_id) & (Person.id == AccountEntry.person_id))
            .where(AccountEntry.batch_id == batch.id, ctx.owns(AccountEntry))
            .order_by(*name_order(Person.last_name, Person.first_name), Person.id)
        )
    ).all()
    # The keys are built from rows the database let us read, never from the request alone.
    printable = [
        e.person_id for e, _ in rows if e.delivery == Delivery.PASSWORD and e.status == AccountStatus.CREATED
    ]
    held = await one_time_passwords.held(runtime, batch.org_id, batch.id, printable)
    return BatchView(batch, [EntryView(entry, person, entry.person_id in held) for entry, person in rows])


async def batch_view(db: AsyncSession, ctx: OrgContext, runtime: Runtime, batch_id: uuid.UUID) -> BatchView:
    """Each person's state in the batch (names and logins: the read is audited)."""
    ctx.require_role(*MANAGERS)
    view = await _view(db, ctx, runtime, await _batch(db, ctx, batch_id))
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.ACCOUNT_BATCH, batch_id, details={"count": len(view.entries)}
    )
    return view


def _recent_statement(*, service_filter: bool) -> Select[Any]:
    """The latest batches with counts only (no names), built once: the people page reads it on every view."""
    batch, entry = AccountBatch.__table__, AccountEntry.__table__
    people, status = func.count(entry.c.person_id), entry.c.status
    query = (
        select(
            batch.c.id,
            batch.c.created_at,
            people,
            people.filter((status == AccountStatus.PENDING.value) | (status == AccountStatus.RETRYING.value)),
            people.filter(status == AccountStatus.FAILED.value),
        )
        .join(entry, (entry.c.org_id == batch.c.org_id) & (entry.c.batch_id == batch.c.id))
        .group_by(batch.c.org_id, batch.c.id, batch.c.created_at)
        .order_by(batch.c.created_at.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if service_filter:
        query = query.where(batch.c.org_id == bindparam("org_id", type_=Uuid))
    return query


_RECENT = {
    True: driver.DriverStatement(_recent_statement(service_filter=True)),
    False: driver.DriverStatement(_recent_statement(service_filter=False)),
}


async def recent_batches(db: AsyncSession, ctx: OrgContext, limit: int = 20) -> list[BatchSummary]:
    """The latest batches with counts only (no names)."""
    ctx.require_role(*MANAGERS)
    rows = await driver.fetch(db, _RECENT[ctx.service_filter], {"org_id": ctx.org.id, "limit": limit})
    return [BatchSummary(bid, at, int(n), int(o), int(f)) for bid, at, n, o, f in rows]


async def access_sheet(
    db: AsyncSession, ctx: OrgContext, runtime: Runtime, batch_id: uuid.UUID
) -> tuple[str, bytes]:
    """The printable sheet with the one-time passwords still held; every download is audited."""
    ctx.require_role(*MANAGERS)
    view = await _view(db, ctx, runtime, await _batch(db, ctx, batch_id))
    printable = [e for e in view.entries if e.password_held]
    if not printable:
        if any(e.entry.delivery == Delivery.PASSWORD for e in view.entries):
            hours = runtime.settings.account_password_ttl // 3600
            raise Conflict(
                f"Одноразовые пароли больше не хранятся (срок хранения — {hours} ч). "
                "Сбросьте пароли, чтобы напечатать лист доступа заново."
            )
        raise Conflict("В этом списке нет людей с одноразовым паролем: лист доступа не нужен.")
    passwords = await one_time_passwords.fetch(
        runtime, view.batch.org_id, view.batch.id, [e.person.id for e in printable]
    )
    sheet = [
        SheetEntry(e.person.full_name, e.entry.username or "", passwords[e.person.id])
        for e in printable
        if e.person.id in passwords
    ]
    content = build_access_sheet(ctx.org.short_name, runtime.settings.public_url, sheet)
    await audit.commit_in(
        db,
        ctx,
        "export",
        audit.ObjectKind.ACCESS_SHEET,
        batch_id,
        details={"people": [str(e.person.id) for e in printable if e.person.id in passwords]},
    )
    return f"Доступ к платформе «Наставник» — {ctx.org.short_name}.docx", content


async def reset_passwords(
    db: AsyncSession, ctx: OrgContext, runtime: Runtime, batch_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
) -> AccountBatch:
    """New one-time passwords for the chosen people of the batch (the worker sets them in Keycloak)."""
    ctx.require_role(*MANAGERS)
    batch = await _batch(db, ctx, batch_id)
    chosen = _chosen(person_ids, "кому нужен новый пароль")
    require_sso(runtime)
    rows = (
        await db.execute(
            select(AccountEntry, Person)
            .join(Person, (Person.org_id == AccountEntry.org_id) & (Person.id == AccountEntry.person_id))
            .where(
                AccountEntry.batch_id == batch.id, AccountEntry.person_id.in_(chosen), ctx.owns(AccountEntry)
            )
            .with_for_update(of=AccountEntry)
        )
    ).all()
    if len(rows) != len(chosen):
        raise InvalidInput(
            "Пароль можно сбросить только людям из этого списка.",
            [FieldError("person_ids", "выбран человек не из этого списка")],
        )
    errors = [
        FieldError("person_ids", f"{person.full_name}: {reason}")
        for entry, person in rows
        if (reason := _reset_refusal(entry)) is not None
    ]
    if errors:
        raise InvalidInput("Пароли не сброшены.", errors)
    for entry, _ in rows:
        entry.status, entry.error = AccountStatus.PENDING, None
        entry.delivered_at = entry.password_expires_at = None
        await audit.commit_in(
            db, ctx, "update", audit.ObjectKind.ACCOUNT, batch.id, subject_person_id=entry.person_id
        )
    await one_time_passwords.forget(runtime, batch.org_id, batch.id, chosen)
    await schedule(runtime, batch.org_id, batch.id)
    return batch


def _reset_refusal(entry: AccountEntry) -> str | None:
    if entry.delivery == Delivery.EMAIL or entry.status in (AccountStatus.INVITED, AccountStatus.LINKED):
        return "входит по приглашению на электронную почту, одноразового пароля у него нет"
    if entry.status != AccountStatus.CREATED:
        return "учётная запись ещё не создана"
    return None


async def retry(db: AsyncSession, ctx: OrgContext, runtime: Runtime, batch_id: uuid.UUID) -> AccountBatch:
    """Another attempt for the batch's people whose account failed."""
    ctx.require_role(*MANAGERS)
    batch = await _batch(db, ctx, batch_id)
    require_sso(runtime)
    entries = list(
        await db.scalars(
            select(AccountEntry)
            .where(
                AccountEntry.batch_id == batch.id,
                AccountEntry.status.in_([AccountStatus.FAILED, AccountStatus.RETRYING]),
                ctx.owns(AccountEntry),
            )
            .with_for_update()
        )
    )
    if not entries:
        raise InvalidInput(
            "Повторять нечего: ошибок в этом списке нет.", [FieldError("batch_id", "ошибок нет")]
        )
    for entry in entries:
        entry.status, entry.error = AccountStatus.PENDING, None
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.ACCOUNT_BATCH, batch.id, details={"retry": len(entries)}
    )
    await schedule(runtime, batch.org_id, batch.id)
    return batch
