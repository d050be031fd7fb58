"""Demo data: a region with municipalities, schools, a college and a kindergarten, people in every role;
the methodical work of the demo school (СОШ № 1) and of the kindergarten.

Idempotent: a second run finds the demo region and changes nothing. Runs as the owner role.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile, MentorTraining
from nastavnik.domain.programmes.models import Programme, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup, MentoringOrder, OrderGroup
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.reference import AcademicYear, Municipality, Organisation, Region
from nastavnik_dev.demo.methodical import Calendar, seed_kindergarten_club, seed_school_methodical_work

DEV_ISSUER = "nastavnik-dev"


DEMO_REGION_CODE = "demo"


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    type: str
    short_name: str
    full_name: str
    inn: str
    municipality: int
    headcount: tuple[int, int, int, int]


DEMO_ORGS = (
    DemoOrg(
        "school-1",
        "school",
        "СОШ № 1",
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»",
        with_inn_check_digit("860100001"),
        0,
        (1120, 610, 74, 12),
    ),
    DemoOrg(
        "gymnasium-2",
        "school",
        "Гимназия № 2",
        "Муниципальное автономное общеобразовательное учреждение «Гимназия № 2»",
        with_inn_check_digit("860100002"),
        0,
        (890, 520, 61, 9),
    ),
    DemoOrg(
        "college-poly",
        "college",
        "Политехнический колледж",
        "Бюджетное учреждение профессионального образования «Политехнический колледж»",
        with_inn_check_digit("860200001"),
        1,
        (1450, 980, 96, 14),
    ),
    DemoOrg(
        "kindergarten-5",
        "kindergarten",
        "Детский сад № 5 «Солнышко»",
        "Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № 5 «Солнышко»»",
        with_inn_check_digit("860200002"),
        1,
        (240, 0, 28, 6),
    ),
    DemoOrg(
        "school-ozerny",
        "school",
        "Озёрная СОШ",
        "Муниципальное казённое общеобразовательное учреждение «Озёрная средняя общеобразовательная школа»",
        with_inn_check_digit("860300001"),
        2,
        (310, 170, 29, 5),
    ),
)

# (last, first, middle, category, roles) for every organisation; the first person is the curator.
DEMO_PEOPLE = (
    ("Сидорова", "Галина", "Петровна", "pedagogue", ("curator",)),
    ("Ковалёв", "Андрей", "Игоревич", "pedagogue", ("director",)),
    ("Морозова", "Елена", "Викторовна", "pedagogue", ("mentor",)),
    ("Белов", "Илья", "Сергеевич", "pedagogue", ("mentee",)),
    ("Соколова-Ли", "Дарья", None, "learner", ("mentee",)),
)


def _identity(subject: str, name: str) -> Identity:
    return Identity(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"{DEV_ISSUER}/{subject}"),
        issuer=DEV_ISSUER,
        subject=subject,
        display_name=name,
    )


async def seed_demo(db: AsyncSession) -> bool:
    """Create the demo region; return False if it is already there."""
    if await db.scalar(select(Region.id).where(Region.code == DEMO_REGION_CODE)):
        return False
    region = Region(
        code=DEMO_REGION_CODE, name="Северный край (демонстрационный регион)", timezone="Asia/Yekaterinburg"
    )
    db.add(region)
    await db.flush()
    municipalities = [
        Municipality(region_id=region.id, name=name)
        for name in ("г. Северск", "г. Заречный", "Озёрный муниципальный район")
    ]
    db.add_all(municipalities)
    await db.flush()
    today = clock.today_in(region.timezone)
    year = AcademicYear.start_year_of(today)

    # The region's specialist is its administrator too, as `nastavnik region create` makes the first one:
    # the demo shows the municipalities' and staff's pages as well as the figures.
    staff = [
        (_identity("region", "Орлова Марина Сергеевна"), ("region", "admin"), None),
        (_identity("municipality", "Зайцев Павел Олегович"), ("municipality",), 0),
        (_identity("auditor", "Лебедева Ольга Николаевна"), ("auditor",), None),
    ]
    for identity, roles, muni in staff:
        db.add(identity)
        await db.flush()
        for role in roles:
            db.add(
                StaffAssignment(
                    identity_id=identity.id,
                    role=role,
                    region_id=region.id,
                    municipality_id=municipalities[muni].id if muni is not None else None,
                )
            )

    for org_def in DEMO_ORGS:
        org = Organisation(
            municipality_id=municipalities[org_def.municipality].id,
            type=org_def.type,
            full_name=org_def.full_name,
            short_name=org_def.short_name,
            inn=org_def.inn,
            slug=org_def.slug,
        )
        db.add(org)
        await db.flush()
        total, young_learners, pedagogues, young = org_def.headcount
        db.add(
            Headcount(
                org_id=org.id,
                academic_year=year,
                learners_total=total,
                learners_10_18=young_learners,
                pedagogues=pedagogues,
                young_pedagogues=young,
            )
        )
        people: dict[str, Person] = {}
        for last, first, middle, category, roles in DEMO_PEOPLE:
            if org_def.type == "kindergarten" and category == "learner":
                continue  # kindergartens run only the teachers' regime
            identity = _identity(f"{org_def.slug}/{last}", f"{last} {first} ({org_def.short_name})")
            db.add(identity)
            await db.flush()
            person = Person(
                org_id=org.id,
                identity_id=identity.id,
                last_name=last,
                first_name=first,
                middle_name=middle,
                category=category,
            )
            db.add(person)
            await db.flush()
            people[last] = person
            for role in roles:
                db.add(PersonRole(org_id=org.id, person_id=person.id, role=role))
        await _demo_programme(db, org, people, year)
        if org_def.slug == "school-1":
            await seed_school_methodical_work(db, org, people, Calendar(today, year))
        elif org_def.type == "kindergarten":
            await seed_kindergarten_club(db, org, people, Calendar(today, year))
    # One teacher works in two schools: one identity, a person record in each.
    shared = _identity("shared-teacher", "Никитина Анна Павловна (две школы)")
    db.add(shared)
    await db.flush()
    for slug in ("school-1", "gymnasium-2"):
        org_id = await db.scalar(select(Organisation.id).where(Organisation.slug == slug))
        assert org_id is not None
        person = Person(
            org_id=org_id,
            identity_id=shared.id,
            last_name="Никитина",
            first_name="Анна",
            middle_name="Павловна",
            category="pedagogue",
        )
        db.add(person)
        await db.flush()
        db.add(PersonRole(org_id=org_id, person_id=person.id, role="mentor"))
    await db.commit()
    return True


async def _demo_programme(db: AsyncSession, org: Organisation, people: dict[str, Person], year: int) -> None:
    """A teachers' programme under way: both bases, one pair under its order, a plan and a meeting."""
    mentor, mentee = people["Морозова"], people["Белов"]
    starts = date(year, 9, 1)
    db.add_all(
        [
            MentorProfile(
                org_id=org.id,
                person_id=mentor.id,
                competencies="методика урока, классное руководство, подготовка к аттестации",
                subjects="математика",
                experience_years=21,
                capacity=3,
                consent_on=starts,
            ),
            MenteeProfile(
                org_id=org.id,
                person_id=mentee.id,
                kind="young_pedagogue",
                profession_since=date(year - 1, 9, 1),
                requests="методика урока математики, дисциплина в классе",
            ),
            # Stage 4: the mentor's course, a year before, so that the region's register names someone.
            MentorTraining(
                org_id=org.id,
                id=uuid.uuid4(),
                person_id=mentor.id,
                course="Наставничество в образовательной организации",
                provider="Институт развития образования",
                hours=72,
                started_on=date(year - 1, 11, 10),
                finished_on=date(year - 1, 11, 24),
                certificate_no="862401",
            ),
        ]
    )
    programme = Programme(
        org_id=org.id,
        id=uuid.uuid4(),
        academic_year=year,
        regime="pedagogues",
        stage=6,
        polozhenie_status="approved",
        polozhenie_order_no="101-од",
        polozhenie_order_date=date(year, 8, 30),
        programma_status="approved",
        programma_order_no="102-од",
        programma_order_date=date(year, 8, 30),
    )
    db.add(programme)
    await db.flush()
    db.add(
        RoadmapItem(
            org_id=org.id,
            programme_id=programme.id,
            stage=1,
            title="Педагогический совет о внедрении целевой модели наставничества",
            due_on=date(year, 8, 30),
            responsible="Ковалёв А. И., директор",
            result="Протокол педсовета",
            done=True,
        )
    )
    group = MentoringGroup(
        org_id=org.id,
        id=uuid.uuid4(),
        programme_id=programme.id,
        form_code="educator_educator" if org.type == "kindergarten" else "teacher_teacher",
        kind_code="traditional",
        starts_on=date(year, 9, 15),
        ends_on=date(year + 1, 5, 31),
        status="active",
        reasons=[],
    )
    order = MentoringOrder(
        org_id=org.id,
        id=uuid.uuid4(),
        programme_id=programme.id,
        kind="pairs_formation",
        number="115-од",
        issued_on=date(year, 9, 12),
    )
    db.add_all([group, order])
    await db.flush()
    db.add_all(
        [
            GroupMember(org_id=org.id, group_id=group.id, person_id=mentor.id, role="mentor"),
            GroupMember(org_id=org.id, group_id=group.id, person_id=mentee.id, role="mentee"),
            OrderGroup(org_id=org.id, order_id=order.id, group_id=group.id),
            PlanItem(
                org_id=org.id,
                id=uuid.uuid4(),
                group_id=group.id,
                mentee_id=mentee.id,
                goal="Освоить методику современного урока",
                task="Посетить и проанализировать 5 уроков наставника",
                due_on=date(year, 12, 20),
            ),
            JournalEntry(
                org_id=org.id,
                id=uuid.uuid4(),
                group_id=group.id,
                author_id=mentor.id,
                met_on=date(year, 9, 20),
                topic="Знакомство, запросы и план развития",
                content="Обсудили трудности первого года и составили индивидуальный план.",
                assignment="Подготовить технологическую карту урока",
            ),
        ]
    )
