"""The e-mail delivery against a real SMTP server on loopback: the right letters to the right people, in
Russian, each at most once; nobody who left, no learner under 14, no address that cannot work."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import func, select, text

from nastavnik import clock
from nastavnik.domain.notifications import delivery
from nastavnik.domain.notifications.models import Notification, NotificationPreference
from nastavnik.models.people import Person
from nastavnik.runtime import Runtime
from tests.notifications.conftest import Place
from tests.notifications.smtp import BUSY, REFUSED, SmtpServer

PAIR = {
    "mentor_name": "Иванова Анна Петровна",
    "mentee_name": "Петров Илья",
    "order_number": "17",
    "order_date": "01.09.2026",
}
STAGE = {"stage_title": "Формирование наставнических пар"}


def _key() -> str:
    return f"test:{uuid.uuid4()}"


async def test_the_right_letters_to_the_right_people_in_russian_once(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    await place.add(mail_runtime, "mentor")
    await place.add(mail_runtime, "mentee", role="mentee")
    await place.add(mail_runtime, "curator", role="curator")
    for label in ("mentor", "mentee"):
        assert await place.notify(mail_runtime, label, "pair_formed", PAIR, f"pair:{label}:{_key()}")
    await delivery.deliver(mail_runtime)
    await delivery.deliver(mail_runtime)  # a second run (or a retried job) sends nothing again

    assert smtp.recorder.to(place.emails["curator"]) == []
    for label in ("mentor", "mentee"):
        [letter] = smtp.recorder.to(place.emails[label])
        [row] = await place.rows(mail_runtime, label)
        assert letter.message["Subject"] == "Сформирована наставническая пара"
        assert letter.body.startswith(
            "Приказом № 17 от 01.09.2026 сформирована наставническая пара: наставник Иванова Анна Петровна,"
            " наставляемый Петров Илья."
        )
        assert f"Подробнее: https://nastavnik.example.ru/o/{place.tenant.slug}/my" in letter.body
        assert letter.message["From"] == "Наставник <noreply@nastavnik.example.ru>"
        assert letter.message["Message-ID"].strip() == f"<notification-{row.id}@nastavnik.example.ru>"
        assert letter.message["List-Unsubscribe"].startswith("<https://nastavnik.example.ru/unsubscribe/")
        assert letter.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert (row.email_state, row.email_attempts, row.email_error) == ("sent", 1, None)


async def test_nobody_who_left_has_no_login_or_no_address(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    await place.add(mail_runtime, "leaving")
    await place.add(mail_runtime, "silent", email=None)
    assert await place.notify(mail_runtime, "leaving", "stage_waiting", STAGE, _key())
    assert await place.notify(mail_runtime, "silent", "stage_waiting", STAGE, _key())
    async with mail_runtime.owner_sessions() as db:  # left after the notification was written
        await db.execute(
            text("UPDATE person SET status = 'left' WHERE id = :id"), {"id": place.people["leaving"]}
        )
        await db.commit()
    await delivery.deliver(mail_runtime)

    assert smtp.recorder.to(place.emails["leaving"]) == []
    [left] = await place.rows(mail_runtime, "leaving")
    [silent] = await place.rows(mail_runtime, "silent")
    assert (left.email_state, left.email_error) == ("skipped", delivery.LEFT)
    assert (silent.email_state, silent.email_error) == ("skipped", delivery.NO_ADDRESS)
    # And a person who left gets nothing new written at all.
    assert not await place.notify(mail_runtime, "leaving", "stage_waiting", STAGE, _key())


def _born(years: int, days: int) -> date:
    """A birth date ``years`` years and ``days`` days before today in the test region."""
    today = clock.today_in("Asia/Yekaterinburg")
    return date(today.year - years, today.month, min(today.day, 28)) - timedelta(days=days)


async def test_a_learner_under_14_gets_no_email_of_their_own(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    await place.add(mail_runtime, "young", category="learner", born=_born(14, -30), role="mentee")  # 13 years
    await place.add(mail_runtime, "older", category="learner", born=_born(15, 30), role="mentee")
    await place.add(mail_runtime, "unknown", category="learner", born=None, role="mentee")
    for label in ("young", "older", "unknown"):
        assert await place.notify(mail_runtime, label, "pair_formed", PAIR, _key())
    await delivery.deliver(mail_runtime)

    assert smtp.recorder.to(place.emails["young"]) == []
    assert smtp.recorder.to(place.emails["unknown"]) == []
    assert len(smtp.recorder.to(place.emails["older"])) == 1
    [young] = await place.rows(mail_runtime, "young")
    [unknown] = await place.rows(mail_runtime, "unknown")
    assert (young.email_state, young.email_error, young.read_at) == ("skipped", delivery.UNDER_14, None)
    assert (unknown.email_state, unknown.email_error) == ("skipped", delivery.AGE_UNKNOWN)


async def test_bad_addresses_are_recorded_and_temporary_failures_retried_a_bounded_number_of_times(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    runtime = dataclasses.replace(
        mail_runtime, settings=mail_runtime.settings.model_copy(update={"notification_max_attempts": 2})
    )
    await place.add(runtime, "malformed", email="ivanov@school")
    await place.add(runtime, "refused", email=f"{REFUSED}-{uuid.uuid4().hex[:6]}@school.example.ru")
    await place.add(runtime, "busy", email=f"{BUSY}-{uuid.uuid4().hex[:6]}@school.example.ru")
    await place.add(runtime, "fine")
    start = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    with clock.pinned(start):
        for label in ("malformed", "refused", "busy", "fine"):
            assert await place.notify(runtime, label, "stage_waiting", STAGE, _key())
        await delivery.deliver(runtime)
    [malformed] = await place.rows(runtime, "malformed")
    [refused] = await place.rows(runtime, "refused")
    [busy] = await place.rows(runtime, "busy")
    assert (malformed.email_state, malformed.email_error) == (
        "failed",
        "некорректный адрес электронной почты «ivanov@school»",
    )
    assert refused.email_state == "failed"
    assert refused.email_error == "почтовый сервер отказал: 550 5.1.1 Mailbox does not exist"
    assert (busy.email_state, busy.email_attempts, busy.email_due_at) == (
        "pending",
        1,
        start + timedelta(minutes=1),
    )
    assert busy.email_error == "почтовый сервер временно не принял письмо: 451 4.3.0 Try again later"
    assert len(smtp.recorder.to(place.emails["fine"])) == 1

    with clock.pinned(start + timedelta(seconds=30)):  # not yet due again
        await delivery.deliver(runtime)
    [busy] = await place.rows(runtime, "busy")
    assert busy.email_attempts == 1
    with clock.pinned(start + timedelta(minutes=2)):
        await delivery.deliver(runtime)
    with clock.pinned(start + timedelta(hours=5)):
        await delivery.deliver(runtime)  # nothing more: the second failure was the last attempt
    [busy] = await place.rows(runtime, "busy")
    assert (busy.email_state, busy.email_attempts) == ("failed", 2)
    assert busy.email_error == (
        "не доставлено после 2 попыток: почтовый сервер временно не принял письмо: 451 4.3.0 Try again later"
    )


async def test_quiet_hours_in_the_regions_time(mail_runtime: Runtime, smtp: SmtpServer, place: Place) -> None:
    async with mail_runtime.owner_sessions() as db:
        await db.execute(
            text(
                "UPDATE region_notification_settings SET quiet_starts = '21:00', quiet_ends = '08:00' WHERE region_id = :r"
            ),
            {"r": place.region.id},
        )
        await db.commit()
    await place.add(mail_runtime, "mentor")
    evening = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)  # 22:30 in Yekaterinburg (UTC+5)
    with clock.pinned(evening):
        assert await place.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        await delivery.deliver(mail_runtime)
    assert smtp.recorder.to(place.emails["mentor"]) == []
    [row] = await place.rows(mail_runtime, "mentor")
    assert (row.email_state, row.email_due_at) == (
        "pending",
        datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
    )  # 08:00
    with clock.pinned(datetime(2026, 12, 5, 2, 59, tzinfo=UTC)):
        await delivery.deliver(mail_runtime)
    assert smtp.recorder.to(place.emails["mentor"]) == []
    with clock.pinned(datetime(2026, 12, 5, 3, 0, 30, tzinfo=UTC)):
        await delivery.deliver(mail_runtime)
    assert len(smtp.recorder.to(place.emails["mentor"])) == 1


async def test_the_daily_digest_at_the_regions_hour(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    person = await place.add(mail_runtime, "mentor")
    async with mail_runtime.owner_sessions() as db:
        for kind in ("plan_task_due", "plan_task_overdue"):
            db.add(NotificationPreference(org_id=place.tenant.id, person_id=person, kind=kind, mode="digest"))
        await db.commit()
    morning = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # 11:00 there; the digest at 17:00 = 12:00 UTC
    with clock.pinned(morning):
        assert await place.notify(
            mail_runtime,
            "mentor",
            "plan_task_due",
            {"task_title": "Посетить урок", "due_date": "07.12.2026"},
            _key(),
        )
        assert await place.notify(
            mail_runtime,
            "mentor",
            "plan_task_overdue",
            {"task_title": "Составить план", "due_date": "01.12.2026"},
            _key(),
        )
        assert await place.notify(mail_runtime, "mentor", "stage_waiting", STAGE, _key())
        await delivery.deliver(mail_runtime)
    [immediate] = smtp.recorder.to(place.emails["mentor"])
    assert immediate.message["Subject"] == "Этап «Формирование наставнических пар» ждёт ваших действий"
    with clock.pinned(datetime(2026, 12, 4, 11, 59, tzinfo=UTC)):
        await delivery.deliver(mail_runtime)
    assert len(smtp.recorder.to(place.emails["mentor"])) == 1
    with clock.pinned(datetime(2026, 12, 4, 12, 0, 20, tzinfo=UTC)):
        await delivery.deliver(mail_runtime)
        await delivery.deliver(mail_runtime)
    [_, digest] = smtp.recorder.to(place.emails["mentor"])
    assert digest.message["Subject"] == "Сводка уведомлений платформы «Наставник»: 2"
    assert (
        "• Через 3 дня срок задачи «Посетить урок»\n  Срок задачи «Посетить урок» индивидуального плана — 07.12.2026."
        in digest.body
    )
    assert "• Задача «Составить план» просрочена" in digest.body
    states = [(r.kind, r.email_state, r.message_id) for r in await place.rows(mail_runtime, "mentor")]
    digest_id = digest.message["Message-ID"].strip().strip("<>")
    assert sorted(states) == sorted(
        [
            ("plan_task_due", "sent", digest_id),
            ("plan_task_overdue", "sent", digest_id),
            ("stage_waiting", "sent", immediate.message["Message-ID"].strip().strip("<>")),
        ]
    )


async def test_without_a_mail_server_notifications_stay_in_the_platform(
    runtime: Runtime, place: Place
) -> None:
    assert runtime.settings.smtp_host is None
    await place.add(runtime, "mentor")
    assert await place.notify(runtime, "mentor", "stage_waiting", STAGE, _key())
    report = await delivery.deliver(runtime)
    [row] = await place.rows(runtime, "mentor")
    assert (row.email_state, row.email_error, row.read_at) == ("skipped", delivery.NO_MAIL, None)
    assert report.sent == 0


def _settings_json(runtime: Runtime) -> str:
    values = {
        name: value.get_secret_value() if isinstance(value, SecretStr) else value
        for name, value in runtime.settings.model_dump().items()
    }
    return json.dumps(values, default=str)


async def test_no_duplicate_after_a_worker_killed_mid_delivery(
    mail_runtime: Runtime, smtp: SmtpServer, place: Place
) -> None:
    for n in range(4):
        await place.add(mail_runtime, f"p{n}")
        assert await place.notify(mail_runtime, f"p{n}", "stage_waiting", STAGE, _key())
    smtp.recorder.hold_first = True
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.notifications.deliver_process",
        clock.now().isoformat(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        cwd=os.getcwd(),
    )
    assert worker.stdin is not None
    worker.stdin.write(_settings_json(mail_runtime).encode())
    worker.stdin.close()
    try:
        assert await asyncio.to_thread(smtp.recorder.first_seen.wait, 60), "the worker sent nothing"
        worker.send_signal(signal.SIGKILL)  # the server holds the first letter's «250»: it is in flight
        assert await asyncio.wait_for(worker.wait(), 30) == -signal.SIGKILL
    finally:
        smtp.recorder.release.set()
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    [in_flight] = smtp.recorder.received
    await delivery.deliver(mail_runtime)  # the restarted worker

    ours = set(place.emails.values())
    received = [r.to[0] for r in smtp.recorder.received if r.to[0] in ours]
    assert sorted(received) == sorted(ours)  # every one exactly once, the one in flight not again
    cut = next(label for label, address in place.emails.items() if address == in_flight.to[0])
    [row] = await place.rows(mail_runtime, cut)
    assert row.email_state == "sending"
    with clock.pinned(clock.now() + delivery.STALE_AFTER + timedelta(minutes=1)):
        await delivery.deliver(mail_runtime)
    [row] = await place.rows(mail_runtime, cut)
    assert (row.email_state, row.email_error) == ("failed", delivery.CUT_OFF)
    assert len([r for r in smtp.recorder.received if r.to[0] in ours]) == 4


async def test_the_job_reads_one_organisation_at_a_time(runtime: Runtime, place: Place) -> None:
    """The provisioner, in the transaction of one organisation, sees none of another's people or outbox."""
    await place.add(runtime, "mentor")
    assert await place.notify(runtime, "mentor", "stage_waiting", STAGE, _key())
    async with runtime.provisioner_session(uuid.uuid4()) as db:
        assert (
            await db.scalar(
                select(func.count()).select_from(Notification).where(Notification.org_id == place.tenant.id)
            )
            == 0
        )
        assert (
            await db.scalar(select(func.count()).select_from(Person).where(Person.org_id == place.tenant.id))
            == 0
        )
    async with runtime.provisioner_session(place.tenant.id) as db:
        assert (
            await db.scalar(
                select(func.count()).select_from(Notification).where(Notification.org_id == place.tenant.id)
            )
            == 1
        )
    async with runtime.app_engine.connect() as conn:  # the list of organisations is not the app's to read
        denied = await conn.execute(
            text(
                "SELECT has_function_privilege(current_user, 'nastavnik_notification_due_orgs(timestamptz, timestamptz)', 'EXECUTE')"
            )
        )
        assert denied.scalar() is False
