"""The methodical work's JSON bodies: what the API (and, decoded alike, the page forms) takes and gives."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec

from nastavnik.domain.methodical import associations, events, members, participants, views
from nastavnik.domain.methodical.access import year_title
from nastavnik.domain.methodical.events import STATUS_TITLES
from nastavnik.domain.methodical.models import Association
from nastavnik.domain.methodical.participants import PLACE_TITLES, ROLE_TITLES
from nastavnik.domain.programmes.pairs.routes import PersonRef, person_ref
from nastavnik.models.people import Person
from nastavnik.types import AcademicYearStart, AssociationKind, Version

# A hard cap against abuse only: the domain's limits, with their Russian messages, are the services'.
Text = Annotated[str, msgspec.Meta(max_length=20000)]
Code = Annotated[str, msgspec.Meta(max_length=40)]
Ids = Annotated[list[uuid.UUID], msgspec.Meta(max_length=2000)]


class AssociationFields(msgspec.Struct, forbid_unknown_fields=True):
    """What a club, a decade, the council or a creative group is told; which fields count: its shape."""

    name: Text = ""
    """The club's own name («Звёзды будущего»), the decade's or the group's title; a club or a council
    without one is called as the organisation calls it."""
    subject_area: Text = ""
    """A decade's methodical association or subject area; a creative group's topic."""
    leader_id: uuid.UUID | None = None
    starts_on: date | None = None
    """A decade's first day (the other shapes last the academic year)."""
    ends_on: date | None = None
    summary: Text = ""
    """The year's conclusions; a decade's analytic note (справка по итогам)."""
    products: Text = ""
    """What a creative group produced."""


class AssociationIn(AssociationFields, kw_only=True):
    academic_year: AcademicYearStart


class AssociationEditIn(AssociationFields, kw_only=True):
    """A change as last read (``version``): the leader may change only ``summary`` and ``products``."""

    version: Version


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    person_id: uuid.UUID
    position: Text = ""
    """What the person does in it (e.g. «председатель», «секретарь» of the council)."""


class MemberEditIn(msgspec.Struct, forbid_unknown_fields=True):
    position: Text = ""


class EventIn(msgspec.Struct, forbid_unknown_fields=True):
    held_on: date
    topic: Text
    """The meeting's topic, the council's agenda, the lesson's or the contest's title."""
    form: Code
    """A code of the shape's event forms (``GET /api/o/{slug}/methodical`` lists them with their titles)."""
    classes: Text = ""
    responsible_id: uuid.UUID | None = None
    status: Code = "planned"
    """planned, held or cancelled."""
    outcome: Text = ""
    """What the meeting came to; the council's decisions."""


class EventEditIn(EventIn, kw_only=True):
    version: Version


class ParticipantsIn(msgspec.Struct, forbid_unknown_fields=True):
    """The event's whole set of participants, replacing what was recorded: a meeting's attendees (members
    only); a decade's observers (of an open lesson), learners taking part, and winners and prize-winners
    among those learners."""

    attendees: Ids = msgspec.field(default_factory=list)
    observers: Ids = msgspec.field(default_factory=list)
    learners: Ids = msgspec.field(default_factory=list)
    winners: Ids = msgspec.field(default_factory=list)
    prize_winners: Ids = msgspec.field(default_factory=list)


class OrderDocumentIn(msgspec.Struct):
    """The number and date an order of the methodical work is drawn up under (the pages' form; the API
    takes them in the query), and for the creative groups' order its academic year (by default the one under
    way). The services check them, in Russian."""

    number: Text = ""
    issued_on: date | None = None
    year: AcademicYearStart | None = None


class FormOut(msgspec.Struct):
    code: str
    title: str


class KindOut(msgspec.Struct):
    shape: str
    title: str
    plural: str
    event_forms: list[FormOut]
    member_limit_years: int | None


class AssociationOut(msgspec.Struct):
    id: uuid.UUID
    shape: str
    academic_year: int
    academic_year_title: str
    name: str
    subject_area: str
    leader: PersonRef | None
    starts_on: date | None
    ends_on: date | None
    summary: str
    products: str
    version: int


class AssociationRowOut(msgspec.Struct):
    association: AssociationOut
    members: int
    events: int
    held: int


class YearOut(msgspec.Struct):
    kind: KindOut
    academic_year: int
    closed: bool
    can_manage: bool
    associations: list[AssociationRowOut]


class MemberOut(msgspec.Struct):
    person: PersonRef
    role: str
    position: str
    warning: str | None
    """A club's note on a member who is not its young teacher (admitted by the club's decision)."""
    mentors: list[PersonRef]
    """The member's mentors in active or completed pairs of the teachers' regime."""


class WarningOut(msgspec.Struct):
    field: str
    message: str


class MemberAddedOut(msgspec.Struct):
    member: MemberOut
    warnings: list[WarningOut]


class ParticipantOut(msgspec.Struct):
    person: PersonRef
    role: str
    role_title: str
    place: str | None
    place_title: str | None


class EventOut(msgspec.Struct):
    id: uuid.UUID
    held_on: date
    topic: str
    form: str
    form_title: str
    classes: str
    responsible: PersonRef | None
    status: str
    status_title: str
    outcome: str
    version: int
    participants: list[ParticipantOut]


class AssociationDetailOut(msgspec.Struct):
    kind: KindOut
    association: AssociationOut
    closed: bool
    can_manage: bool
    can_steward: bool
    members: list[MemberOut]
    events: list[EventOut]
    suggested_topics: list[str]


def kind_out(kind: AssociationKind) -> KindOut:
    return KindOut(
        shape=kind.shape.value,
        title=kind.title,
        plural=kind.plural,
        event_forms=[FormOut(code, title) for code, title in kind.event_forms.items()],
        member_limit_years=kind.member_limit_years,
    )


def association_out(association: Association, leader: Person | None) -> AssociationOut:
    return AssociationOut(
        id=association.id,
        shape=association.shape,
        academic_year=association.academic_year,
        academic_year_title=year_title(association.academic_year),
        name=association.name,
        subject_area=association.subject_area,
        leader=person_ref(leader) if leader else None,
        starts_on=association.starts_on,
        ends_on=association.ends_on,
        summary=association.summary,
        products=association.products,
        version=association.version,
    )


def year_out(shown: associations.YearList) -> YearOut:
    return YearOut(
        kind=kind_out(shown.kind),
        academic_year=shown.academic_year,
        closed=shown.closed,
        can_manage=shown.can_manage,
        associations=[
            AssociationRowOut(association_out(r.association, r.leader), r.members, r.events, r.held)
            for r in shown.rows
        ],
    )


def member_out(shown: members.MemberView) -> MemberOut:
    return MemberOut(
        person=person_ref(shown.person),
        role=shown.member.role,
        position=shown.member.position,
        warning=shown.warning,
        mentors=[person_ref(p) for p in shown.mentors],
    )


def participant_out(shown: views.ParticipantView) -> ParticipantOut:
    place = shown.participant.place
    return ParticipantOut(
        person=person_ref(shown.person),
        role=shown.participant.role,
        role_title=ROLE_TITLES.get(shown.participant.role, shown.participant.role),
        place=place,
        place_title=PLACE_TITLES.get(place) if place else None,
    )


def event_out(shown: views.EventView) -> EventOut:
    event = shown.event
    return EventOut(
        id=event.id,
        held_on=event.held_on,
        topic=event.topic,
        form=event.form,
        form_title=shown.form_title,
        classes=event.classes,
        responsible=person_ref(shown.responsible) if shown.responsible else None,
        status=event.status,
        status_title=STATUS_TITLES.get(event.status, event.status),
        outcome=event.outcome,
        version=event.version,
        participants=[participant_out(p) for p in shown.participants],
    )


def detail_out(shown: views.AssociationView) -> AssociationDetailOut:
    return AssociationDetailOut(
        kind=kind_out(shown.kind),
        association=association_out(shown.association, shown.leader),
        closed=shown.closed,
        can_manage=shown.can_manage,
        can_steward=shown.can_steward,
        members=[member_out(m) for m in shown.members],
        events=[event_out(e) for e in shown.events],
        suggested_topics=shown.suggested_topics,
    )


def association_draft(data: AssociationIn | AssociationEditIn) -> associations.AssociationDraft:
    return associations.AssociationDraft(
        data.name,
        data.subject_area,
        data.leader_id,
        data.starts_on,
        data.ends_on,
        data.summary,
        data.products,
    )


def event_draft(data: EventIn | EventEditIn) -> events.EventDraft:
    return events.EventDraft(
        data.held_on, data.topic, data.form, data.classes, data.responsible_id, data.status, data.outcome
    )


def participants_draft(data: ParticipantsIn) -> participants.ParticipantsDraft:
    return participants.ParticipantsDraft(
        data.attendees, data.observers, data.learners, data.winners, data.prize_winners
    )
