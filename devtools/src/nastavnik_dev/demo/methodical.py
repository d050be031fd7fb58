"""Demo data of the methodical work: the demo school's club, decade, council and creative group, a
kindergarten's club.

Dates are counted from the region's today and kept inside the academic year, so that what is held lies
in the past and what is planned ahead, whenever the demo is seeded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.reference import Organisation

# The school's young teachers beside the demo's own (Белов): (last, first, middle, years in the profession).
YOUNG_TEACHERS = (
    ("Антонова", "Ксения", "Дмитриевна", 0),
    ("Григорьев", "Максим", "Олегович", 1),
    ("Ершова", "Алина", "Руслановна", 2),
)
# Learners of the school who take part in the decade's olympiad, beside the demo's own (Соколова-Ли).
LEARNERS = (("Кузнецов", "Артём"), ("Петрова", "Милана"), ("Ахмедов", "Тимур"))


@dataclass(frozen=True)
class Calendar:
    """Days of the academic year counted from today: ``past(n)`` n days ago, ``ahead(n)`` n days on, each
    kept within the year (on its first day a «past» day is today)."""

    today: date
    year: int

    def past(self, days: int) -> date:
        return max(date(self.year, 9, 1), self.today - timedelta(days=days))

    def ahead(self, days: int) -> date:
        return max(self.today, min(date(self.year + 1, 8, 31), self.today + timedelta(days=days)))


@dataclass
class Event:
    held_on: date
    topic: str
    form: str
    status: str = "held"
    outcome: str = ""
    classes: str = ""
    responsible: Person | None = None
    attendees: list[Person] = field(default_factory=list)
    observers: list[Person] = field(default_factory=list)
    learners: list[Person] = field(default_factory=list)
    winners: list[Person] = field(default_factory=list)


async def _association(
    db: AsyncSession,
    org: Organisation,
    year: int,
    shape: str,
    name: str,
    *,
    leader: Person | None = None,
    members: Sequence[tuple[Person, str]] = (),
    responsible: Sequence[Person] = (),
    events: Sequence[Event] = (),
    **columns: object,
) -> None:
    """One association with its members (and their position), responsible teachers, events and who took
    part in them."""
    association = Association(
        org_id=org.id,
        id=uuid.uuid4(),
        shape=shape,
        academic_year=year,
        name=name,
        leader_id=leader.id if leader else None,
        **columns,
    )
    db.add(association)
    await db.flush()
    db.add_all(
        AssociationMember(org_id=org.id, association_id=association.id, person_id=p.id, position=position)
        for p, position in members
    )
    db.add_all(
        AssociationMember(org_id=org.id, association_id=association.id, person_id=p.id, role="responsible")
        for p in responsible
    )
    for spec in events:
        event = AssociationEvent(
            org_id=org.id,
            id=uuid.uuid4(),
            association_id=association.id,
            held_on=spec.held_on,
            topic=spec.topic,
            form=spec.form,
            classes=spec.classes,
            responsible_id=spec.responsible.id if spec.responsible else None,
            status=spec.status,
            outcome=spec.outcome,
        )
        db.add(event)
        await db.flush()
        for role, people in (
            ("attendee", spec.attendees),
            ("observer", spec.observers),
            ("learner", spec.learners),
        ):
            db.add_all(
                EventParticipant(
                    org_id=org.id,
                    event_id=event.id,
                    person_id=p.id,
                    role=role,
                    place="winner" if p in spec.winners else None,
                )
                for p in people
            )
    await db.flush()


async def _newcomers(db: AsyncSession, org: Organisation, year: int) -> tuple[list[Person], list[Person]]:
    """The school's other young teachers (in the mentee base, not yet in a pair) and learners."""
    young = []
    for last, first, middle, years in YOUNG_TEACHERS:
        person = Person(
            org_id=org.id, last_name=last, first_name=first, middle_name=middle, category="pedagogue"
        )
        db.add(person)
        await db.flush()
        db.add_all(
            [
                PersonRole(org_id=org.id, person_id=person.id, role="mentee"),
                MenteeProfile(
                    org_id=org.id,
                    person_id=person.id,
                    kind="young_pedagogue",
                    profession_since=date(year - years, 9, 1),
                    requests="методика урока, работа с родителями",
                ),
            ]
        )
        young.append(person)
    learners = []
    for last, first in LEARNERS:
        person = Person(org_id=org.id, last_name=last, first_name=first, category="learner")
        db.add(person)
        learners.append(person)
    await db.flush()
    return young, learners


async def seed_school_methodical_work(
    db: AsyncSession, org: Organisation, people: dict[str, Person], days: Calendar
) -> None:
    """The club «Звёзды будущего» (four young teachers, two meetings held, two planned), a decade of
    mathematics (an open lesson observed, an olympiad with a winner), the methodical council (three
    members, two meetings) and a creative group."""
    curator, director, leader = people["Сидорова"], people["Ковалёв"], people["Морозова"]
    young, learners = await _newcomers(db, org, days.year)
    members = [people["Белов"], *young]
    learners = [people["Соколова-Ли"], *learners]
    await _association(
        db,
        org,
        days.year,
        "club",
        "Звёзды будущего",
        leader=leader,
        members=[(p, "") for p in members],
        events=[
            Event(
                days.past(28),
                "Современный урок: требования ФГОС и технологическая карта",
                "seminar",
                responsible=leader,
                attendees=members[:3],
                outcome="Разобрали структуру урока; каждый составил технологическую карту своего урока.",
            ),
            Event(
                days.past(14),
                "Взаимопосещение уроков математики в 5-х классах",
                "lesson_visits",
                responsible=leader,
                attendees=members,
                outcome="Посетили четыре урока; общие трудности — организация групповой работы и время.",
            ),
            Event(
                days.ahead(14), "Трудный разговор с родителями", "training", "planned", responsible=curator
            ),
            Event(
                days.ahead(35),
                "Подготовка к конкурсу «Педагогический дебют»",
                "contest_preparation",
                "planned",
                responsible=leader,
            ),
        ],
    )
    decade_starts = days.past(6)
    await _association(
        db,
        org,
        days.year,
        "decade",
        "Декада математики",
        subject_area="Математика",
        starts_on=decade_starts,
        ends_on=max(decade_starts, days.ahead(3)),
        responsible=[leader, people["Белов"]],
        events=[
            Event(
                days.past(5),
                "Открытый урок «Решение задач на движение»",
                "open_lesson",
                classes="5А",
                responsible=people["Белов"],
                observers=[leader, young[0], young[1]],
                outcome="Урок проведён по технологической карте; рекомендовано больше парной работы.",
            ),
            Event(
                days.past(3),
                "Школьная олимпиада по математике",
                "olympiad",
                classes="5А, 6Б, 7В",
                responsible=leader,
                learners=learners,
                winners=learners[1:2],
            ),
            Event(days.ahead(2), "Математический КВН", "extracurricular", "planned", classes="6Б, 7В"),
        ],
    )
    await _association(
        db,
        org,
        days.year,
        "council",
        "Методический совет",
        leader=director,
        members=[(director, "председатель"), (curator, "заместитель председателя"), (leader, "секретарь")],
        events=[
            Event(
                days.past(10),
                "Утверждение плана методической работы и плана предметных декад на учебный год",
                "meeting",
                responsible=director,
                attendees=[director, curator, leader],
                outcome="План методической работы и план предметных декад утверждены.",
            ),
            Event(
                days.ahead(30),
                "Итоги предметной декады математики",
                "meeting",
                "planned",
                responsible=curator,
            ),
        ],
    )
    await _association(
        db,
        org,
        days.year,
        "creative_group",
        "Функциональная грамотность",
        subject_area="Формирование функциональной грамотности на уроках математики",
        leader=leader,
        members=[(people["Белов"], ""), (young[0], "")],
        products="Банк заданий по функциональной грамотности для 5–7 классов.",
    )


async def seed_kindergarten_club(
    db: AsyncSession, org: Organisation, people: dict[str, Person], days: Calendar
) -> None:
    """The kindergarten's club of young teachers: its young teacher, one meeting held and one planned."""
    leader, member = people["Морозова"], people["Белов"]
    await _association(
        db,
        org,
        days.year,
        "club",
        "Первые шаги",
        leader=leader,
        members=[(member, "")],
        events=[
            Event(
                days.past(12),
                "Организация режимных моментов в младшей группе",
                "seminar",
                responsible=leader,
                attendees=[member],
                outcome="Составили памятку по режимным моментам.",
            ),
            Event(
                days.ahead(21), "Мастер-класс «Утренний круг»", "master_class", "planned", responsible=leader
            ),
        ],
    )
