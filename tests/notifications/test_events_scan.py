"""The reminders' daily scan: what is due on the region's local date, to the right people, once.

The school is in Yekaterinburg time (UTC+5). At 23:30 UTC the region's date is already the next day, and at
00:30 region time the UTC date is still the day before: a scan that used the server's date would be a day
off for every reminder below, so each test runs at both instants.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text

from nastavnik import clock
from nastavnik.domain.bases.models import MentorTraining
from nastavnik.domain.methodical.models import Association, AssociationEvent, AssociationMember
from nastavnik.domain.notifications.models import Notification
from nastavnik.domain.programmes.models import Programme, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.reminders.jobs import REMINDERS_JOB, scan_due, scan_organisation
from nastavnik.domain.work.models import PlanItem
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime
from nastavnik.testing import TIMEZONE
from tests.notifications.events import shown, to
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

LATE_UTC = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
"""05.12.2026 04:30 in the region."""
JUST_AFTER_MIDNIGHT = datetime(2026, 12, 6, 0, 30, tzinfo=clock.zone(TIMEZONE)).astimezone(UTC)
"""05.12.2026 19:30 UTC."""
INSTANTS = pytest.mark.parametrize("instant", [LATE_UTC, JUST_AFTER_MIDNIGHT], ids=["23:30Z", "00:30 local"])


@dataclass
class School:
    tenant: Tenant
    today: date
    people: dict[str, uuid.UUID] = field(default_factory=dict)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y}"


async def _school(runtime: Runtime, world: World, today: date) -> School:
    """A school with everything that may be due around ``today`` (its local date), written straight into the
    database: a working pair, its plan, its questionnaires, the roadmap, the club and its meetings."""
    tenant = await new_tenant(runtime, world)
    school = School(tenant, today)
    p = school.people
    p["mentor"] = await add_mentor(runtime, tenant, Named("Смирнова", "Ольга", "Павловна"), signs_in=True)
    p["mentee"] = await add_mentee(runtime, tenant, Named("Зайцева", "Вера", "Олеговна"), signs_in=True)
    p["no_login"] = await add_mentee(runtime, tenant, Named("Яковлев", "Илья"))
    p["left"] = await add_mentor(runtime, tenant, Named("Ушедшая", "Анна"), signs_in=True)
    p["curator"] = tenant.persons["curator"]
    org = tenant.id
    year = AcademicYear.start_year_of(today)
    starts, ends = AcademicYear.bounds(year)
    assert world.version_id is not None
    async with runtime.owner_sessions() as db:
        programme = Programme(org_id=org, academic_year=year, regime="pedagogues", stage=4)
        db.add(programme)
        await db.flush()
        group = MentoringGroup(
            org_id=org,
            programme_id=programme.id,
            form_code="teacher_teacher",
            kind_code="group",
            starts_on=starts,
            ends_on=ends,
            status="active",
        )
        db.add(group)
        await db.flush()
        for role, person in (
            ("mentor", "mentor"),
            ("mentor", "left"),
            ("mentee", "mentee"),
            ("mentee", "no_login"),
        ):
            db.add(GroupMember(org_id=org, group_id=group.id, person_id=p[person], role=role))
        for mentor in ("mentor", "left"):  # stage 4 lacks nothing: its mentors are trained
            db.add(
                MentorTraining(
                    org_id=org,
                    person_id=p[mentor],
                    course="Наставничество",
                    provider="ИРО",
                    hours=36,
                    started_on=starts,
                    finished_on=starts,
                )
            )
        school.ids |= {"programme": programme.id, "group": group.id}

        def task(name: str, mentee: str, due: date, *, done: bool = False) -> None:
            item = PlanItem(
                org_id=org,
                group_id=group.id,
                mentee_id=p[mentee],
                goal="Освоить методику",
                task=name,
                due_on=due,
                done=done,
                done_on=due if done else None,
            )
            db.add(item)
            school.ids[name] = item.id

        task("Провести открытый урок", "mentee", today + timedelta(days=3))
        task("Составить план урока", "mentee", today - timedelta(days=1))
        task("Посетить урок наставника", "mentee", today + timedelta(days=2))  # neither in 3 days nor overdue
        task("Выполненная задача", "mentee", today - timedelta(days=5), done=True)
        task("Задача без логина", "no_login", today + timedelta(days=3))  # the mentor alone hears of it

        def roadmap(title: str, due: date, stage: int = 5, *, done: bool = False) -> None:
            item = RoadmapItem(
                org_id=org,
                programme_id=programme.id,
                stage=stage,
                title=title,
                due_on=due,
                responsible="Куратор",
                done=done,
            )
            db.add(item)
            school.ids[title] = item.id

        roadmap("Приказ о закреплении пар", today + timedelta(days=3))
        roadmap("Семинар для наставников", today + timedelta(days=4))
        roadmap("Совещание при директоре", today, done=True)

        local = clock.zone(TIMEZONE)

        def assigned(person: str, moment: str, days_ago: int, *, answered: bool = False) -> None:
            # The latest instant of that local day: the local date, not the instant, counts.
            at = datetime.combine(today - timedelta(days=days_ago), time(23, 59), tzinfo=local)
            row = QuestionnaireAssignment(
                org_id=org,
                group_id=group.id,
                person_id=p[person],
                role="mentor" if person == "mentor" else "mentee",
                moment=moment,
                version_id=world.version_id,
                assigned_at=at,
                completed_at=at if answered else None,
            )
            db.add(row)
            school.ids[f"{person}:{moment}"] = row.id

        assigned("mentor", "start", 3)  # three days unanswered: reminded
        assigned("mentee", "start", 2)  # two days: not yet
        assigned("mentee", "end", 10, answered=True)

        club = Association(
            org_id=org, shape="club", academic_year=year, name="Звёзды будущего", leader_id=p["curator"]
        )
        db.add(club)
        await db.flush()
        db.add(AssociationMember(org_id=org, association_id=club.id, person_id=p["mentee"]))
        db.add(AssociationMember(org_id=org, association_id=club.id, person_id=p["no_login"]))
        for held_on, topic, status in (
            (today + timedelta(days=1), "Современный урок", "planned"),
            (today + timedelta(days=1), "Отменённая встреча", "cancelled"),
            (today + timedelta(days=2), "Портфолио педагога", "planned"),
            (today, "Сегодняшняя встреча", "planned"),
        ):
            db.add(
                AssociationEvent(
                    org_id=org,
                    association_id=club.id,
                    held_on=held_on,
                    topic=topic,
                    form="seminar",
                    status=status,
                )
            )
        await db.flush()
        await db.execute(
            Person.__table__.update().where(Person.id == p["left"]).values(status="left")  # type: ignore[attr-defined]
        )
        await db.commit()
    return school


async def _title(runtime: Runtime, world: World) -> str:
    async with runtime.owner_sessions() as db:
        title = await db.scalar(
            select(QuestionnaireTemplate.title)
            .join(QuestionnaireVersion, QuestionnaireVersion.template_id == QuestionnaireTemplate.id)
            .where(QuestionnaireVersion.id == world.version_id)
        )
    return str(title)


@INSTANTS
async def test_the_scan_reminds_the_right_people_of_what_is_due_on_the_local_date(
    runtime: Runtime, world: World, instant: datetime
) -> None:
    today = instant.astimezone(clock.zone(TIMEZONE)).date()
    assert today != instant.date()  # the instants are chosen so
    school = await _school(runtime, world, today)
    p = school.people
    with clock.pinned(instant):
        written = await scan_organisation(runtime, school.tenant.id)
    found = await shown(runtime, school.tenant.id)
    in3, yesterday, tomorrow = today + timedelta(days=3), today - timedelta(days=1), today + timedelta(days=1)
    title = await _title(runtime, world)

    assert sorted((s.kind, s.subject, s.body) for s in to(found, p["mentee"])) == sorted(
        [
            (
                "plan_task_due",
                "Через 3 дня срок задачи «Провести открытый урок»",
                f"Срок задачи «Провести открытый урок» индивидуального плана — {_day(in3)}.",
            ),
            (
                "plan_task_overdue",
                "Задача «Составить план урока» просрочена",
                f"Срок задачи «Составить план урока» индивидуального плана истёк {_day(yesterday)},"
                " а задача не отмечена выполненной.",
            ),
            (
                "club_meeting_tomorrow",
                "Завтра заседание клуба «Звёзды будущего»",
                f"Завтра, {_day(tomorrow)}, заседание клуба «Звёзды будущего». Тема: Современный урок.",
            ),
        ]
    )
    assert sorted((s.kind, s.body) for s in to(found, p["mentor"])) == sorted(
        [
            (
                "questionnaire_unanswered",
                f"Анкета «{title}» назначена вам и остаётся без ответа уже 3 дн."
                " Заполнить её можно в разделе «Анкеты».",
            ),
            ("plan_task_due", f"Срок задачи «Провести открытый урок» индивидуального плана — {_day(in3)}."),
            ("plan_task_due", f"Срок задачи «Задача без логина» индивидуального плана — {_day(in3)}."),
            (
                "plan_task_overdue",
                f"Срок задачи «Составить план урока» индивидуального плана истёк {_day(yesterday)},"
                " а задача не отмечена выполненной.",
            ),
        ]
    )
    assert sorted((s.kind, s.subject, s.body, s.link) for s in to(found, p["curator"])) == sorted(
        [
            (
                "roadmap_item_due",
                f"Срок мероприятия «Приказ о закреплении пар» — {_day(in3)}",
                f"Подходит срок мероприятия дорожной карты «Приказ о закреплении пар»: {_day(in3)}.",
                f"/o/{school.tenant.slug}/programmes/{school.ids['programme']}",
            ),
            (
                "club_meeting_tomorrow",
                "Завтра заседание клуба «Звёзды будущего»",
                f"Завтра, {_day(tomorrow)}, заседание клуба «Звёзды будущего». Тема: Современный урок.",
                f"/o/{school.tenant.slug}/methodical/club",
            ),
            (
                "stage_waiting",
                "Этап «Отбор и обучение наставников» ждёт ваших действий",
                "Этап программы наставничества «Отбор и обучение наставников» ждёт действий куратора.",
                f"/o/{school.tenant.slug}/programmes/{school.ids['programme']}",
            ),
        ]
    )
    # Nothing to who left or has no login; nobody else in the school.
    assert to(found, p["left"]) == []
    assert to(found, p["no_login"]) == []
    assert {s.person_id for s in found} == {p["mentee"], p["mentor"], p["curator"]}
    assert written == len(found) == 10


@INSTANTS
async def test_a_second_scan_and_the_next_days_write_nothing_twice(
    runtime: Runtime, world: World, instant: datetime
) -> None:
    today = instant.astimezone(clock.zone(TIMEZONE)).date()
    school = await _school(runtime, world, today)

    async def rows() -> list[tuple[uuid.UUID, str]]:
        async with runtime.owner_sessions() as db:
            found = await db.execute(
                select(Notification.id, Notification.dedup_key)
                .where(Notification.org_id == school.tenant.id)
                .order_by(Notification.dedup_key)
            )
            return [(i, k) for i, k in found]

    with clock.pinned(instant):
        first = await scan_organisation(runtime, school.tenant.id)
        before = await rows()
        assert await scan_organisation(runtime, school.tenant.id) == 0
    assert await rows() == before
    assert first == len(before) == 10
    # The next day nothing announced is announced again (the overdue task, the questionnaire, the stage);
    # only what became due is new: the mentee's questionnaire now three days old, the seminar now within three
    # days, and the club's next meeting (to the mentee and the leader).
    with clock.pinned(instant + timedelta(days=1)):
        assert await scan_organisation(runtime, school.tenant.id) == 4
    after = await rows()
    assert set(before) < set(after)
    new = sorted(k.split(":")[0] for _, k in set(after) - set(before))
    assert new == [
        "club_meeting_tomorrow",
        "club_meeting_tomorrow",
        "questionnaire_unanswered",
        "roadmap_item_due",
    ]


async def test_the_job_scans_at_the_regions_morning_hour_and_one_organisation_only_as_its_own(
    runtime: Runtime, world: World
) -> None:
    morning = datetime(2026, 12, 7, 8, 0, tzinfo=clock.zone(TIMEZONE))  # 03:00 UTC
    today = morning.date()
    school = await _school(runtime, world, today)
    other = await _school(runtime, world, today)
    # Not the morning yet: nothing.
    with clock.pinned((morning - timedelta(hours=1)).astimezone(UTC)):
        early = await scan_due(runtime)
    assert school.tenant.id not in early.organisations
    assert await shown(runtime, school.tenant.id) == []
    # Scanning one school writes nothing for the other (the provisioner sees its job's organisation only).
    with clock.pinned(morning.astimezone(UTC)):
        await scan_organisation(runtime, school.tenant.id)
    assert len(await shown(runtime, school.tenant.id)) == 10
    assert await shown(runtime, other.tenant.id) == []
    async with runtime.provisioner_session(school.tenant.id) as db, db.begin():
        seen = await db.scalar(text("SELECT count(DISTINCT org_id) FROM plan_item"))
        theirs = await db.scalar(
            select(func.count()).select_from(PlanItem).where(PlanItem.org_id == other.tenant.id)
        )
    assert (seen, theirs) == (1, 0)
    # At the morning hour (a few minutes late, as a cron tick is) the job scans every school of the region.
    with clock.pinned((morning + timedelta(minutes=10)).astimezone(UTC)):
        report = await scan_due(runtime)
    assert {school.tenant.id, other.tenant.id} <= set(report.organisations)
    assert len(await shown(runtime, other.tenant.id)) == 10
    assert len(await shown(runtime, school.tenant.id)) == 10  # the earlier scan's rows, none twice


def test_the_job_is_registered_hourly_with_retries(runtime: Runtime) -> None:
    (spec,) = [j for _plugin, j in runtime.plugins.jobs() if j.name == REMINDERS_JOB]
    assert (spec.cron_minutes, spec.max_tries, spec.keep_result_seconds) == (frozenset({10}), 3, 0)
