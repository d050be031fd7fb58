"""A region described as plain data, written into the database as the owner, and computed in Python.

The hand-made region of test_indicators and the generated regions of the property test are both a
:class:`RegionSpec`; :mod:`tests.statistics.reference` computes the indicators from the same spec in
plain Python, and :func:`build_region` writes it for the SQL aggregation to read.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup, MentoringOrder
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.runtime import Runtime
from nastavnik_colleges.models import Internship, Partner


@dataclass
class MenteeSpec:
    """A person of the organisation known by a key: by default in the base of mentees; also a mentor where a
    group names them in ``mentor_keys``."""

    key: str
    kind: str = "learner"  # or young_pedagogue
    birth_date: date | None = None
    profession_since: date | None = None
    left_on: date | None = None
    left_reason: str | None = None
    category: str | None = None  # default: learner for a learner, pedagogue for a young teacher
    in_mentee_base: bool = True  # False: no record in the base of mentees (e.g. a staff member who mentors)
    mentor_left_on: date | None = None  # when they left the base of mentors, where they mentor
    mentor_birth_date: date | None = None  # a learner mentor's birth date in the base of mentors

    @property
    def person_category(self) -> str:
        return self.category or ("learner" if self.kind == "learner" else "pedagogue")


@dataclass
class GroupSpec:
    year: int
    status: str
    mentees: list[str]
    mentors: int = 1
    starts_on: date | None = None  # default: 15 September of the year
    form: str = "student_student"
    kind: str = "traditional"
    mentor_keys: list[str] = field(default_factory=list)  # keyed people who mentor it beside ``mentors``
    ends_on: date | None = None  # default: 31 May of the next year (or the start, if later)

    def term(self) -> tuple[date, date]:
        starts_on = self.starts_on or date(self.year, 9, 15)
        return starts_on, self.ends_on or max(starts_on, date(self.year + 1, 5, 31))


@dataclass
class DocumentSpec:
    status: str = "approved"
    number: str | None = "1-од"
    on: date | None = None


@dataclass
class ProgrammeSpec:
    year: int
    polozhenie: DocumentSpec = field(default_factory=lambda: DocumentSpec(status="absent", number=None))
    programma: DocumentSpec = field(default_factory=lambda: DocumentSpec(status="absent", number=None))
    pairs_orders: list[date] = field(default_factory=list)


@dataclass
class EventSpec:
    """An event of the methodical work; the people are keys of the organisation's mentees."""

    status: str = "held"  # planned, held or cancelled
    form: str = "seminar"
    attendees: list[str] = field(default_factory=list)
    observers: list[str] = field(default_factory=list)
    learners: list[str] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)  # among the learners


@dataclass
class AssociationSpec:
    """A club, a decade, a council or a creative group of an academic year (at most one club and one council
    a year); its members and responsible teachers are keys of the organisation's mentees."""

    shape: str
    year: int
    members: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)


def held_decade(year: int, *events: EventSpec) -> AssociationSpec:
    """A decade of the year with one held open lesson (or the events given)."""
    return AssociationSpec("decade", year, events=list(events) or [EventSpec(form="open_lesson")])


@dataclass
class OrgSpec:
    key: str
    municipality: str
    type: str = "school"
    active: bool = True
    headcounts: dict[int, tuple[int, int]] = field(default_factory=dict)  # year -> (learners 10–18, young)
    pedagogues: dict[int, int] = field(default_factory=dict)  # year -> pedagogues (default: young + 10)
    curator: str | None = "active"  # active, left or None
    mentors: int = 1
    mentees: list[MenteeSpec] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)
    programmes: list[ProgrammeSpec] = field(default_factory=list)
    # Colleges: a partner enterprise per agreement date (None: no agreement), and internships at the first
    # partner (or one without an agreement) as (the group's index in ``groups``, starts on, ends on).
    agreements: list[date | None] = field(default_factory=list)
    internships: list[tuple[int, date, date]] = field(default_factory=list)
    methodical: list[AssociationSpec] = field(default_factory=list)  # clubs, decades, councils, groups


@dataclass
class RegionSpec:
    municipalities: list[str]
    orgs: list[OrgSpec]
    timezone: str = "Asia/Yekaterinburg"


@dataclass
class BuiltRegion:
    id: uuid.UUID
    municipalities: dict[str, uuid.UUID]
    orgs: dict[str, uuid.UUID]
    slugs: dict[str, str]
    curators: dict[str, uuid.UUID]  # org key -> the curator's identity
    region_staff: uuid.UUID
    coordinators: dict[str, uuid.UUID]  # municipality -> its coordinator's identity


def _identity(label: str) -> Identity:
    return Identity(issuer="test-issuer", subject=f"{label}-{secrets.token_hex(6)}", display_name=label)


async def build_region(runtime: Runtime, spec: RegionSpec) -> BuiltRegion:
    """Write the spec as the owner; every row of the region is new."""
    token = secrets.token_hex(4)
    async with runtime.owner_sessions() as db:
        region = Region(code=f"S-{token}", name=f"Регион статистики {token}", timezone=spec.timezone)
        db.add(region)
        await db.flush()
        munis = {
            name: Municipality(region_id=region.id, name=f"{name} {token}") for name in spec.municipalities
        }
        db.add_all(munis.values())
        staff = _identity("region-staff")
        db.add(staff)
        await db.flush()
        db.add(StaffAssignment(identity_id=staff.id, role="region", region_id=region.id))
        coordinators = {}
        for name, muni in munis.items():
            coordinator = _identity(f"coordinator-{name}")
            db.add(coordinator)
            await db.flush()
            db.add(
                StaffAssignment(
                    identity_id=coordinator.id,
                    role="municipality",
                    region_id=region.id,
                    municipality_id=muni.id,
                )
            )
            coordinators[name] = coordinator.id
        built = BuiltRegion(
            region.id, {k: m.id for k, m in munis.items()}, {}, {}, {}, staff.id, coordinators
        )
        for org_spec in spec.orgs:
            n = secrets.randbelow(10**8)
            org = Organisation(
                municipality_id=munis[org_spec.municipality].id,
                type=org_spec.type,
                full_name=f"Организация {org_spec.key}",
                short_name=f"{org_spec.key} {token}",
                inn=with_inn_check_digit(f"8{n:08d}"),
                slug=f"st-{token}-{re.sub('[^a-z0-9]', '', org_spec.key.lower()) or 'x'}"[:63],
                status="active" if org_spec.active else "inactive",
            )
            db.add(org)
            await db.flush()
            built.orgs[org_spec.key] = org.id
            built.slugs[org_spec.key] = org.slug
            await _fill_org(db, org.id, org_spec, built)
        await db.commit()
    return built


async def _fill_org(db: AsyncSession, org_id: uuid.UUID, spec: OrgSpec, built: BuiltRegion) -> None:
    for year, (learners, young) in spec.headcounts.items():
        db.add(
            Headcount(
                org_id=org_id,
                academic_year=year,
                learners_total=learners + 100,
                learners_10_18=learners,
                pedagogues=spec.pedagogues.get(year, young + 10),
                young_pedagogues=young,
            )
        )
    if spec.curator is not None:
        identity = _identity(f"curator-{spec.key}")
        db.add(identity)
        await db.flush()
        curator = Person(
            org_id=org_id,
            identity_id=identity.id,
            last_name="Куратор",
            first_name=spec.key,
            category="pedagogue",
            status=spec.curator,
        )
        db.add(curator)
        await db.flush()
        db.add(PersonRole(org_id=org_id, person_id=curator.id, role="curator"))
        built.curators[spec.key] = identity.id
    mentors = []
    for i in range(spec.mentors):
        mentor = Person(org_id=org_id, last_name="Наставник", first_name=str(i), category="pedagogue")
        db.add(mentor)
        await db.flush()
        db.add(PersonRole(org_id=org_id, person_id=mentor.id, role="mentor"))
        db.add(MentorProfile(org_id=org_id, person_id=mentor.id, capacity=20, consent_on=date(2020, 9, 1)))
        mentors.append(mentor.id)
    mentees = {}
    for m in spec.mentees:
        person = Person(org_id=org_id, last_name="Наставляемый", first_name=m.key, category=m.person_category)
        db.add(person)
        await db.flush()
        mentees[m.key] = person.id
        if not m.in_mentee_base:
            continue
        db.add(PersonRole(org_id=org_id, person_id=person.id, role="mentee"))
        db.add(
            MenteeProfile(
                org_id=org_id,
                person_id=person.id,
                kind=m.kind,
                birth_date=m.birth_date,
                profession_since=m.profession_since,
                left_on=m.left_on,
                left_reason=m.left_reason,
            )
        )
    by_key = {m.key: m for m in spec.mentees}
    for key in dict.fromkeys(k for g in spec.groups for k in g.mentor_keys):
        db.add(PersonRole(org_id=org_id, person_id=mentees[key], role="mentor"))
        db.add(
            MentorProfile(
                org_id=org_id,
                person_id=mentees[key],
                consent_on=date(2020, 9, 1),
                left_on=by_key[key].mentor_left_on,
                birth_date=by_key[key].mentor_birth_date,
            )
        )
    programmes: dict[int, Programme] = {}
    regime = "pedagogues" if spec.type == "kindergarten" else "learners"
    years = {p.year for p in spec.programmes} | {g.year for g in spec.groups}
    by_year = {p.year: p for p in spec.programmes}
    for year in sorted(years):
        p = by_year.get(year, ProgrammeSpec(year))
        programme = Programme(
            org_id=org_id,
            academic_year=year,
            regime=regime,
            polozhenie_status=p.polozhenie.status,
            polozhenie_order_no=p.polozhenie.number,
            polozhenie_order_date=p.polozhenie.on,
            programma_status=p.programma.status,
            programma_order_no=p.programma.number,
            programma_order_date=p.programma.on,
        )
        db.add(programme)
        await db.flush()
        programmes[year] = programme
        for i, issued_on in enumerate(p.pairs_orders):
            db.add(
                MentoringOrder(
                    org_id=org_id,
                    programme_id=programme.id,
                    kind="pairs_formation",
                    number=f"{i + 1}-п-{year}",
                    issued_on=issued_on,
                )
            )
    group_ids = []
    for g in spec.groups:
        starts_on, ends_on = g.term()
        group = MentoringGroup(
            org_id=org_id,
            id=uuid.uuid4(),
            programme_id=programmes[g.year].id,
            form_code=g.form,
            kind_code=g.kind,
            starts_on=starts_on,
            ends_on=ends_on,
            status=g.status,
            reasons=[],
        )
        db.add(group)
        await db.flush()
        group_ids.append(group.id)
        for mentor_id in mentors[: g.mentors]:
            db.add(GroupMember(org_id=org_id, group_id=group.id, person_id=mentor_id, role="mentor"))
        for key in dict.fromkeys(g.mentor_keys):
            db.add(GroupMember(org_id=org_id, group_id=group.id, person_id=mentees[key], role="mentor"))
        for key in dict.fromkeys(g.mentees):
            db.add(GroupMember(org_id=org_id, group_id=group.id, person_id=mentees[key], role="mentee"))
    await _fill_methodical(db, org_id, spec.methodical, mentees)
    await db.flush()
    await _fill_partners(db, org_id, spec, group_ids)


async def _fill_partners(
    db: AsyncSession, org_id: uuid.UUID, spec: OrgSpec, group_ids: list[uuid.UUID]
) -> None:
    """The colleges plugin's rows: partners by agreement date, internships of the spec's groups."""
    partners = [
        Partner(
            org_id=org_id,
            name=f"Предприятие {n}",
            inn=with_inn_check_digit(f"9{secrets.randbelow(10**8):08d}"),
            activity="Промышленность",
            agreement_number=f"{n}-П" if on else None,
            agreement_date=on,
        )
        for n, on in enumerate(spec.agreements or ([None] if spec.internships else []), start=1)
    ]
    db.add_all(partners)
    await db.flush()
    db.add_all(
        Internship(
            org_id=org_id,
            group_id=group_ids[index],
            partner_id=partners[0].id,
            place="Цех",
            starts_on=starts_on,
            ends_on=ends_on,
        )
        for index, starts_on, ends_on in spec.internships
    )
    await db.flush()


async def _fill_methodical(
    db: AsyncSession, org_id: uuid.UUID, associations: list[AssociationSpec], people: dict[str, uuid.UUID]
) -> None:
    for n, spec in enumerate(associations):
        starts_on = date(spec.year, 10, 1 + n % 20)
        association = Association(
            org_id=org_id,
            id=uuid.uuid4(),
            shape=spec.shape,
            academic_year=spec.year,
            name=f"{spec.shape} {n}",
            starts_on=starts_on if spec.shape == "decade" else None,
            ends_on=starts_on + timedelta(days=9) if spec.shape == "decade" else None,
        )
        db.add(association)
        await db.flush()
        for role, keys in (("member", spec.members), ("responsible", spec.responsible)):
            db.add_all(
                AssociationMember(
                    org_id=org_id, association_id=association.id, person_id=people[k], role=role
                )
                for k in dict.fromkeys(keys)
            )
        for event_spec in spec.events:
            event = AssociationEvent(
                org_id=org_id,
                id=uuid.uuid4(),
                association_id=association.id,
                held_on=starts_on,
                topic="Тема",
                form=event_spec.form,
                status=event_spec.status,
            )
            db.add(event)
            await db.flush()
            for role, keys in (
                ("attendee", event_spec.attendees),
                ("observer", event_spec.observers),
                ("learner", event_spec.learners),
            ):
                db.add_all(
                    EventParticipant(
                        org_id=org_id,
                        event_id=event.id,
                        person_id=people[k],
                        role=role,
                        place="winner" if role == "learner" and k in event_spec.winners else None,
                    )
                    for k in dict.fromkeys(keys)
                )
