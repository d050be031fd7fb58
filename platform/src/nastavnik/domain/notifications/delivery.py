"""The delivery job: pending notifications become e-mail, each at most once.

How "at most once" holds (docs/notifications.md):

1. In one short transaction the job locks the next due row (``FOR UPDATE SKIP LOCKED``: a second worker
   takes another one), decides, and — when it is to be sent — marks it ``sending`` with its Message-ID and
   **commits** before the SMTP conversation starts.
2. It sends; then a second transaction records ``sent``, or the failure.

A worker killed between 1 and 2 leaves the row ``sending``: it is never picked up again. After
:data:`STALE_AFTER` it is recorded as failed with a Russian reason saying the letter may or may not have
arrived — the one e-mail in flight at a crash is lost rather than sent twice. A retried job finds only
rows still ``pending``. The job acts as the provisioner role, one organisation per transaction; which
organisations have e-mail due it learns from ``nastavnik_notification_due_orgs()``, which returns ids only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, column, select, table, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.notifications import mail
from nastavnik.domain.notifications.kinds import KINDS
from nastavnik.domain.notifications.models import (
    DeliveryMode,
    EmailState,
    Notification,
    NotificationPreference,
    NotificationQuietHours,
    RegionNotificationSettings,
)
from nastavnik.domain.notifications.schedule import DEFAULT_DIGEST_HOUR, DEFAULT_QUIET, Schedule
from nastavnik.domain.notifications.tokens import ALL_KINDS, Unsubscribe, make_token
from nastavnik.domain.notifications.wording import region_wordings
from nastavnik.models.people import Person, PersonCategory, PersonStatus, clean_email
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings

DELIVERY_JOB = "notifications.deliver"
STALE_AFTER = timedelta(minutes=15)
MIN_EMAIL_AGE = 14
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
LAST_BACKOFF = timedelta(hours=3)

# A learner's birth date lives in the bases' domain, which comes after this one (DOMAINS): named here as a
# lightweight table of the two columns the age check reads, not imported.
MENTEE_PROFILE = table("mentee_profile", column("org_id"), column("person_id"), column("birth_date", Date))

LEFT = "человек выбыл из организации — письма не отправляются"
NO_LOGIN = "у человека нет учётной записи — письма не отправляются"
SWITCHED_OFF = "уведомления этого вида по почте отключены"
NO_ADDRESS = "адрес электронной почты не указан"
UNDER_14 = "обучающемуся младше 14 лет письма не отправляются, только уведомления на платформе"
AGE_UNKNOWN = "возраст обучающегося не известен — письма не отправляются, только уведомления на платформе"
NO_MAIL = "почта не настроена — уведомление только на платформе"
CUT_OFF = "доставка прервана сбоем обработчика; письмо могло не дойти и повторно не отправляется"


@dataclass
class DeliveryReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0
    retried: int = 0
    organisations: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Recipient:
    status: str
    identity_id: uuid.UUID | None
    email: str | None
    category: str
    birth_date: date | None


@dataclass(frozen=True, slots=True)
class _Claim:
    """What the first transaction committed: the rows now ``sending`` and the letter to send."""

    ids: tuple[uuid.UUID, ...]
    attempts: int
    letter: mail.Letter


def backoff(attempt: int) -> timedelta:
    return BACKOFF[attempt - 1] if attempt <= len(BACKOFF) else LAST_BACKOFF


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


async def _region(db: AsyncSession, org_id: uuid.UUID) -> tuple[uuid.UUID, str]:
    row = (
        await db.execute(
            select(Region.id, Region.timezone)
            .join(Municipality, Municipality.region_id == Region.id)
            .join(Organisation, Organisation.municipality_id == Municipality.id)
            .where(Organisation.id == org_id)
        )
    ).one()
    return row.id, row.timezone


async def schedule_for(db: AsyncSession, org_id: uuid.UUID, person_id: uuid.UUID) -> Schedule:
    """The person's quiet hours (their own, else the region's) and the region's digest hour."""
    region_id, timezone = await _region(db, org_id)
    region = await db.get(RegionNotificationSettings, region_id)
    starts, ends = (region.quiet_starts, region.quiet_ends) if region else DEFAULT_QUIET
    own = await db.get(NotificationQuietHours, (org_id, person_id))
    if own is not None:
        starts, ends = own.starts, own.ends
    return Schedule(timezone, starts, ends, region.digest_hour if region else DEFAULT_DIGEST_HOUR)


async def _recipient(db: AsyncSession, org_id: uuid.UUID, person_id: uuid.UUID) -> _Recipient | None:
    row = (
        await db.execute(
            select(
                Person.status, Person.identity_id, Person.email, Person.category, MENTEE_PROFILE.c.birth_date
            )
            .outerjoin(
                MENTEE_PROFILE,
                (MENTEE_PROFILE.c.org_id == Person.org_id) & (MENTEE_PROFILE.c.person_id == Person.id),
            )
            .where(Person.org_id == org_id, Person.id == person_id)
        )
    ).one_or_none()
    return _Recipient(*row) if row else None


def _refusal(person: _Recipient | None, timezone: str) -> tuple[EmailState, str] | None:
    """Why this person gets no e-mail at all (checked at every delivery, not only when it was written)."""
    if person is None or person.status != PersonStatus.ACTIVE:
        return EmailState.SKIPPED, LEFT
    if person.identity_id is None:
        return EmailState.SKIPPED, NO_LOGIN
    if not person.email:
        return EmailState.SKIPPED, NO_ADDRESS
    if person.category == PersonCategory.LEARNER:
        if person.birth_date is None:
            return EmailState.SKIPPED, AGE_UNKNOWN
        if _age(person.birth_date, clock.today_in(timezone)) < MIN_EMAIL_AGE:
            return EmailState.SKIPPED, UNDER_14
    address, mistake = clean_email(person.email)
    if address is None or mistake:
        return EmailState.FAILED, f"некорректный адрес электронной почты «{person.email}»"
    return None


async def _preference(db: AsyncSession, row: Notification) -> NotificationPreference | None:
    return await db.get(NotificationPreference, (row.org_id, row.person_id, row.kind))


def _unsubscribe_url(settings: Settings, row: Notification, kind: str) -> str:
    token = make_token(settings.secret_key.get_secret_value(), Unsubscribe(row.org_id, row.person_id, kind))
    return f"{settings.public_url.rstrip('/')}/unsubscribe/{token}"


def _footer(settings: Settings, slug: str) -> str:
    base = settings.public_url.rstrip("/")
    return (
        "\n\n—\nЭто письмо отправлено платформой «Наставник» автоматически, отвечать на него не нужно."
        f"\nНастроить уведомления: {base}/o/{slug}/notifications/settings"
    )


async def _letter(
    db: AsyncSession,
    settings: Settings,
    rows: Sequence[Notification],
    to: str,
    region_id: uuid.UUID,
    digest: bool,
) -> mail.Letter:
    slug = (await db.execute(select(Organisation.slug).where(Organisation.id == rows[0].org_id))).scalar_one()
    wordings = await region_wordings(db, region_id, {r.kind for r in rows})
    base = settings.public_url.rstrip("/")
    domain = mail.mail_domain(settings)
    if not digest:
        row = rows[0]
        words = wordings[row.kind].fill(row.params)
        link = f"\n\nПодробнее: {base}{row.link}" if row.link else ""
        return mail.Letter(
            to=to,
            subject=words.subject,
            body=words.body + link + _footer(settings, slug),
            message_id=f"notification-{row.id}@{domain}",
            unsubscribe_url=_unsubscribe_url(settings, row, row.kind),
        )
    lines = []
    for row in rows:
        words = wordings[row.kind].fill(row.params)
        lines.append(f"• {words.subject}\n  {words.body}" + (f"\n  {base}{row.link}" if row.link else ""))
    count = len(rows)
    return mail.Letter(
        to=to,
        subject=f"Сводка уведомлений платформы «Наставник»: {count}",
        body="Уведомления за день:\n\n" + "\n\n".join(lines) + _footer(settings, slug),
        message_id=f"digest-{rows[0].id}@{domain}",
        unsubscribe_url=_unsubscribe_url(settings, rows[0], ALL_KINDS),
    )


def _settle(row: Notification, state: EmailState, reason: str) -> None:
    """No e-mail for ``row`` (ever): the state and the reason in Russian, kept on the row."""
    row.email_state, row.email_error = state, reason


async def _claim_next(runtime: Runtime, org_id: uuid.UUID, report: DeliveryReport) -> _Claim | bool | None:
    """Decide the next due row of ``org_id`` in one committed transaction.

    Returns the claim to send, True when a row was settled or deferred (look for the next one), None when
    nothing is due."""
    settings = runtime.settings
    now = clock.now()
    async with runtime.provisioner_session(org_id) as db, db.begin():
        stale = (
            await db.execute(
                select(Notification)
                .where(
                    Notification.email_state == EmailState.SENDING,
                    Notification.email_due_at <= now - STALE_AFTER,
                )
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if stale is not None:
            _settle(stale, EmailState.FAILED, CUT_OFF)
            report.failed += 1
            return True
        row = (
            await db.execute(
                select(Notification)
                .where(Notification.email_state == EmailState.PENDING, Notification.email_due_at <= now)
                .order_by(Notification.email_due_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        region_id, timezone = await _region(db, org_id)
        person = await _recipient(db, org_id, row.person_id)
        preference = await _preference(db, row)
        refusal = _refusal(person, timezone)
        if refusal is None and preference is not None and not preference.enabled:
            refusal = (EmailState.SKIPPED, SWITCHED_OFF)
        if refusal is None and settings.smtp_host is None:
            refusal = (EmailState.SKIPPED, NO_MAIL)
        if refusal is not None or row.kind not in KINDS:
            state, reason = refusal or (EmailState.SKIPPED, "неизвестный вид уведомления")
            _settle(row, state, reason)
            report.skipped += state == EmailState.SKIPPED
            report.failed += state == EmailState.FAILED
            return True
        assert person is not None
        assert person.email is not None
        schedule = await schedule_for(db, org_id, row.person_id)
        if preference is not None and preference.mode == DeliveryMode.DIGEST and not row.email_digest:
            row.email_digest, row.email_due_at = True, schedule.next_digest(row.created_at)
            report.deferred += 1
            return True
        quiet_end = schedule.quiet_until(now)
        if quiet_end is not None:
            row.email_due_at = quiet_end
            report.deferred += 1
            return True
        rows = [row]
        if row.email_digest:
            rows += (
                (
                    await db.execute(
                        select(Notification)
                        .where(
                            Notification.person_id == row.person_id,
                            Notification.email_state == EmailState.PENDING,
                            Notification.email_digest.is_(True),
                            Notification.email_due_at <= now,
                            Notification.id != row.id,
                        )
                        .order_by(Notification.created_at)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            rows.sort(key=lambda r: r.created_at)
        letter = await _letter(db, settings, rows, person.email, region_id, row.email_digest)
        for claimed in rows:
            claimed.email_state, claimed.message_id = EmailState.SENDING, letter.message_id
            claimed.email_attempts += 1
            claimed.email_due_at = now
        return _Claim(tuple(r.id for r in rows), row.email_attempts, letter)


async def _record(
    runtime: Runtime, org_id: uuid.UUID, claim: _Claim, result: mail.SendResult, report: DeliveryReport
) -> None:
    now = clock.now()
    values: dict[str, object]
    if result.sent:
        values = {"email_state": EmailState.SENT, "emailed_at": now, "email_error": None}
        report.sent += 1
    elif result.permanent or claim.attempts >= runtime.settings.notification_max_attempts:
        reason = (
            result.reason
            if result.permanent
            else f"не доставлено после {claim.attempts} попыток: {result.reason}"
        )
        values = {"email_state": EmailState.FAILED, "email_error": reason}
        report.failed += 1
    else:
        values = {
            "email_state": EmailState.PENDING,
            "email_due_at": now + backoff(claim.attempts),
            "email_error": result.reason,
        }
        report.retried += 1
    async with runtime.provisioner_session(org_id) as db, db.begin():
        await db.execute(
            update(Notification)
            .where(Notification.org_id == org_id, Notification.id.in_(claim.ids))
            .values(**values)
        )


async def due_organisations(runtime: Runtime) -> list[uuid.UUID]:
    now = clock.now()
    async with runtime.provisioner_sessions() as db:
        rows = await db.execute(
            text("SELECT nastavnik_notification_due_orgs(:at, :stale)"),
            {"at": now, "stale": now - STALE_AFTER},
        )
        return sorted(rows.scalars())


async def deliver(runtime: Runtime, *, limit: int | None = None) -> DeliveryReport:
    """Send what is due in every organisation, at most ``limit`` (the batch size) e-mails this run."""
    budget = limit if limit is not None else runtime.settings.notification_batch_size
    report = DeliveryReport()
    for org_id in await due_organisations(runtime):
        report.organisations.append(org_id)
        while budget > 0:
            claim = await _claim_next(runtime, org_id, report)
            if claim is None:
                break
            if claim is True:
                continue
            assert isinstance(claim, _Claim)
            budget -= 1
            result = await mail.send(runtime.settings, mail.compose(runtime.settings, claim.letter))
            await _record(runtime, org_id, claim, result, report)
    return report
