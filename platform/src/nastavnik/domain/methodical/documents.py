"""The methodical work's documents as .docx, filled from the building block's own data whenever asked for.

A club's plan and year's report and the council's plan are an association's; the plan of the year's
decades and the order creating the year's creative groups gather every association of their shape; a
decade's closing note (справка) and the order on its results name its learners. Each is filled by
``documents.services.fill``, so a region's or a plugin's template replaces the platform's, and a
replacement that cannot be filled is a 422 naming the document, never a 500. The texts use the offering
plugin's words (a college's decades are «Недели предметно-цикловых комиссий»).

Who reads the shape may download its plans, its report and the creative groups' order (organisational
documents naming teachers). What names a decade's learners is children's personal data, named only
inside the organisation: only a manager, the decade's leader and its responsible teachers download it,
and each learner named is recorded in the audit log as an export of their data. Every download is an
audited export. Plans leave out what was cancelled; the report lists everything with its status.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases.services import class_names
from nastavnik.domain.documents import methodical as docs
from nastavnik.domain.documents.names import PersonName, name_of
from nastavnik.domain.documents.services import fill
from nastavnik.domain.documents.signers import role_holder
from nastavnik.domain.methodical.access import (
    association_in,
    current_year,
    readable_shape,
    reads_results,
    year_title,
)
from nastavnik.domain.methodical.associations import of_the_year
from nastavnik.domain.methodical.members import MemberView, member_views
from nastavnik.domain.methodical.models import Association
from nastavnik.domain.methodical.participants import PLACE_TITLES
from nastavnik.domain.methodical.people import people_by_id
from nastavnik.domain.methodical.views import AssociationView, EventView, gathered
from nastavnik.domain.programmes.pairs.orders import CURATOR_POSITION
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import Person, ProgrammeRole
from nastavnik.models.reference import AcademicYear
from nastavnik.plugins import Plugins
from nastavnik.tenancy import Forbidden, NotFound, OrgContext
from nastavnik.types import AssociationKind, AssociationShape

NUMBER_MAX = 50
"""The longest order number, as the programme's orders take it."""
PLACES = ("winner", "prize_winner")
"""Places in the order the documents list them: winners, then prize-winners."""
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

Document = tuple[str, bytes]
"""(file name, .docx): what a download gives."""


def _file_name(*parts: str) -> str:
    """A file name of the words given, without the characters a file system refuses."""
    return _UNSAFE.sub("_", " ".join(p for p in parts if p)).strip() + ".docx"


def _file_year(year: int) -> str:
    return f"{year}-{year + 1}"


def _heading(ctx: OrgContext, year: int) -> dict[str, Any]:
    """What every document states at its head (``DocumentHeading``)."""
    return {
        "organisation_full_name": ctx.org.full_name,
        "organisation_short_name": ctx.org.short_name,
        "academic_year_title": year_title(year),
    }


def _optional(person: Person | None) -> PersonName | None:
    return name_of(person) if person is not None else None


def _not_cancelled(events: Iterable[EventView]) -> list[EventView]:
    """What a plan lists: an event cancelled is no longer planned."""
    return [e for e in events if e.event.status != "cancelled"]


async def _exported(
    db: AsyncSession,
    ctx: OrgContext,
    code: str,
    object_id: uuid.UUID | int,
    learners: Iterable[uuid.UUID] = (),
) -> None:
    """Record the export of the ``code`` document and of each learner it names (whose data left); commit."""
    for learner in sorted(set(learners)):
        await audit.record_in(
            db,
            ctx,
            "export",
            audit.ObjectKind.METHODICAL_DOCUMENT,
            object_id,
            subject_person_id=learner,
            details={"document": code},
        )
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.METHODICAL_DOCUMENT, object_id, details={"document": code}
    )


# --- the order's number and date ---------------------------------------------------------------


def order_details(
    number: str | None, issued_on: date | None, today: date, earliest: date, latest: date, why: str
) -> tuple[str, date]:
    """The order's number (spaces tidied) and date as the person gave them, or InvalidInput naming each
    wrong field; the date within ``earliest``–``latest`` (``why`` says what bounds it) and not after today."""
    errors: list[FieldError] = []
    cleaned = " ".join((number or "").split())
    if not cleaned:
        errors.append(FieldError("number", "укажите номер приказа"))
    elif len(cleaned) > NUMBER_MAX:
        errors.append(FieldError("number", f"номер не длиннее {NUMBER_MAX} знаков"))
    if issued_on is None:
        errors.append(FieldError("issued_on", "укажите дату приказа"))
    elif issued_on > today:
        errors.append(FieldError("issued_on", "дата приказа не может быть в будущем"))
    elif not earliest <= issued_on <= latest:
        errors.append(FieldError("issued_on", f"{why}: {earliest:%d.%m.%Y} – {latest:%d.%m.%Y}"))
    if errors or issued_on is None:
        raise InvalidInput("Приказ не сформирован: исправьте ошибки.", errors)
    return cleaned, issued_on


async def _order_heading(
    db: AsyncSession, ctx: OrgContext, year: int, number: str, issued_on: date
) -> dict[str, Any]:
    """What an order states at its head besides its subject (``OrderHeading``)."""
    return {
        **_heading(ctx, year),
        "number": number,
        "issued_on": issued_on,
        "director": await role_holder(db, ctx, ProgrammeRole.DIRECTOR),
        "curator": await role_holder(db, ctx, ProgrammeRole.CURATOR),
        "curator_position": CURATOR_POSITION,
    }


# --- the young teachers' club ----------------------------------------------------------------------


def _club(ctx: OrgContext, shown: AssociationView) -> dict[str, Any]:
    """What the club's plan and report both state: its heading, title, name, leader and members (with their
    mentors); a club without a name of its own is called by its title alone."""
    club = shown.association
    return {
        **_heading(ctx, club.academic_year),
        "kind_title": shown.kind.title,
        "club_name": club.name if club.name != shown.kind.title else "",
        "leader": _optional(shown.leader),
        "members": [
            docs.ClubMember(name_of(m.person), name_of(m.mentors[0]) if m.mentors else None)
            for m in shown.members
        ],
    }


async def _club_plan(db: AsyncSession, ctx: OrgContext, plugins: Plugins, shown: AssociationView) -> bytes:
    data = docs.ClubPlanData(
        **_club(ctx, shown),
        meetings=[
            docs.ClubMeeting(e.event.held_on, e.event.topic, e.form_title, _optional(e.responsible))
            for e in _not_cancelled(shown.events)
        ],
        difficulties=shown.suggested_topics,
    )
    return await fill(db, ctx, plugins, docs.CLUB_PLAN, lambda t: docs.render_club_plan(data, t))


def attendance_percent(shown: AssociationView) -> int | None:
    """The members' marks of attendance at the held meetings against the members times the held meetings,
    in per cent (the indicator ``club_attendance``'s definition); None when no meeting was held or nobody
    is a member."""
    members = {m.person.id for m in shown.members if m.member.role == "member"}
    held = [e for e in shown.events if e.event.status == "held"]
    attended = sum(len(e.ids_of("attendee") & members) for e in held)
    possible = len(members) * len(held)
    return round(100 * attended / possible) if possible else None


async def _club_report(db: AsyncSession, ctx: OrgContext, plugins: Plugins, shown: AssociationView) -> bytes:
    members = {m.person.id for m in shown.members}
    data = docs.ClubReportData(
        **_club(ctx, shown),
        meetings=[
            docs.ClubMeetingResult(
                e.event.held_on,
                e.event.topic,
                e.form_title,
                e.status_title,
                len(e.ids_of("attendee") & members),
                e.event.outcome,
            )
            for e in shown.events
        ],
        # As the indicator «meetings held against planned»: a cancelled meeting counts in neither.
        planned_count=len(_not_cancelled(shown.events)),
        held_count=sum(1 for e in shown.events if e.event.status == "held"),
        attendance_percent=attendance_percent(shown),
        summary=shown.association.summary,
        drawn_up_on=ctx.today(),
    )
    return await fill(db, ctx, plugins, docs.CLUB_REPORT, lambda t: docs.render_club_report(data, t))


# --- the methodical council ------------------------------------------------------------------------

_CHAIR = re.compile(r"(?<!\w)председатель(?!\w)")
"""«Председатель» as a word of its own: «председатель совета», never «заместитель председателя»."""


def chair_of(shown: AssociationView) -> Person | None:
    """The council's chair: the member whose position says «председатель» (not «заместитель председателя»),
    else its leader."""
    chairs = [m.person for m in shown.members if _CHAIR.search(m.member.position.casefold())]
    return chairs[0] if chairs else shown.leader


async def _council_plan(db: AsyncSession, ctx: OrgContext, plugins: Plugins, shown: AssociationView) -> bytes:
    data = docs.CouncilPlanData(
        **_heading(ctx, shown.association.academic_year),
        chair=_optional(chair_of(shown)),
        members=[docs.CouncilMember(name_of(m.person), m.member.position or None) for m in shown.members],
        meetings=[
            docs.CouncilMeeting(e.event.held_on, e.event.topic, _optional(e.responsible), e.event.outcome)
            for e in _not_cancelled(shown.events)
        ],
    )
    return await fill(db, ctx, plugins, docs.COUNCIL_PLAN, lambda t: docs.render_council_plan(data, t))


async def association_plan(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, shape: str, association_id: uuid.UUID
) -> Document:
    """The plan of a club or of the council (for whoever reads the shape); NotFound for other shapes."""
    kind, association = await association_in(db, ctx, shape, association_id)
    shown = await gathered(db, ctx, kind, association)
    year = _file_year(association.academic_year)
    if kind.shape is AssociationShape.CLUB:
        content = await _club_plan(db, ctx, plugins, shown)
        name, code = _file_name("План работы —", kind.title, year), docs.CLUB_PLAN
    elif kind.shape is AssociationShape.COUNCIL:
        content = await _council_plan(db, ctx, plugins, shown)
        name, code = _file_name("План работы —", kind.title, year), docs.COUNCIL_PLAN
    else:
        raise NotFound
    await _exported(db, ctx, code, association.id)
    return name, content


async def association_report(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, shape: str, association_id: uuid.UUID
) -> Document:
    """The year's report of a club (for whoever reads it); NotFound for other shapes."""
    kind, association = await association_in(db, ctx, shape, association_id)
    if kind.shape is not AssociationShape.CLUB:
        raise NotFound
    content = await _club_report(db, ctx, plugins, await gathered(db, ctx, kind, association))
    await _exported(db, ctx, docs.CLUB_REPORT, association.id)
    return _file_name("Отчёт о работе —", kind.title, _file_year(association.academic_year)), content


# --- subject decades -------------------------------------------------------------------------------


def _responsible(shown: AssociationView) -> list[Person]:
    return [m.person for m in shown.members if m.member.role == "responsible"]


def _decade(shown: AssociationView) -> docs.Decade:
    decade = shown.association
    assert decade.starts_on is not None  # a decade always has its dates (associations._decade_dates)
    assert decade.ends_on is not None
    return docs.Decade(
        decade.subject_area,
        decade.name,
        decade.starts_on,
        decade.ends_on,
        [name_of(p) for p in _responsible(shown)],
    )


def _planned_event(e: EventView) -> docs.DecadeEvent:
    return docs.DecadeEvent(
        e.event.held_on, e.event.topic, e.form_title, e.event.classes, _optional(e.responsible)
    )


async def decade_plan(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, shape: str, year: int | None
) -> Document:
    """The plan of the academic year's decades (by default the year under way), for whoever reads them;
    NotFound for other shapes. A year without decades gives the plan's empty table."""
    kind = readable_shape(ctx, shape)
    if kind.shape is not AssociationShape.DECADE:
        raise NotFound
    year = current_year(ctx) if year is None else year
    decades = [await gathered(db, ctx, kind, a) for a in await of_the_year(db, ctx, shape, year)]
    data = docs.DecadePlanData(
        **_heading(ctx, year),
        kind_title=kind.plural,
        decades=[
            docs.PlannedDecade(
                **vars(_decade(d)), events=[_planned_event(e) for e in _not_cancelled(d.events)]
            )
            for d in decades
        ],
    )
    content = await fill(db, ctx, plugins, docs.DECADE_PLAN, lambda t: docs.render_decade_plan(data, t))
    await _exported(db, ctx, docs.DECADE_PLAN, year)
    return _file_name("План проведения —", kind.plural, _file_year(year)), content


async def _decade_results(
    db: AsyncSession, ctx: OrgContext, shape: str, association_id: uuid.UUID
) -> tuple[AssociationKind, AssociationView]:
    """A decade for someone who may read what names its learners; NotFound for another shape, Forbidden
    for a reader who is neither a manager, nor its leader, nor one of its responsible teachers."""
    kind, association = await association_in(db, ctx, shape, association_id)
    if kind.shape is not AssociationShape.DECADE:
        raise NotFound
    shown = await gathered(db, ctx, kind, association)
    if not reads_results(ctx, association, {p.id for p in _responsible(shown)}):
        raise Forbidden
    return kind, shown


async def _winners(db: AsyncSession, ctx: OrgContext, held: list[EventView]) -> list[docs.DecadeWinner]:
    """The winners, then the prize-winners, of each held event in its order, with their classes where the
    base of mentees records them."""
    placed = [
        (e, p, place)
        for e in held
        for place in PLACES
        for p in e.of_role("learner")
        if p.participant.place == place
    ]
    classes = await class_names(db, ctx, [p.person.id for _, p, _ in placed])
    return [
        docs.DecadeWinner(name_of(p.person), classes.get(p.person.id), PLACE_TITLES[place], e.event.topic)
        for e, p, place in placed
    ]


def _held(shown: AssociationView) -> list[EventView]:
    return [e for e in shown.events if e.event.status == "held"]


def _named_learners(held: list[EventView]) -> set[uuid.UUID]:
    return {p.person.id for e in held for p in e.of_role("learner") if p.participant.place}


async def decade_note(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, shape: str, association_id: uuid.UUID
) -> Document:
    """A decade's closing note: its held events with their participants and observers, its winners and
    prize-winners (named), its conclusions; each learner named is an audited export of their data."""
    kind, shown = await _decade_results(db, ctx, shape, association_id)
    held = _held(shown)
    data = docs.DecadeNoteData(
        **_heading(ctx, shown.association.academic_year),
        kind_title=kind.plural,
        decade=_decade(shown),
        events=[
            docs.HeldDecadeEvent(
                **vars(_planned_event(e)),
                participants=len(e.of_role("learner")),
                observers=[name_of(p.person) for p in e.of_role("observer")],
            )
            for e in held
        ],
        winners=await _winners(db, ctx, held),
        # Distinct learners, as the indicator «learners taking part»: one in three olympiads is one.
        participants_total=len({p.person.id for e in held for p in e.of_role("learner")}),
        summary=shown.association.summary,
        author=await role_holder(db, ctx, ProgrammeRole.CURATOR),
        drawn_up_on=ctx.today(),
    )
    content = await fill(db, ctx, plugins, docs.DECADE_NOTE, lambda t: docs.render_decade_note(data, t))
    await _exported(db, ctx, docs.DECADE_NOTE, shown.association.id, _named_learners(held))
    return _file_name("Справка по итогам —", shown.association.name), content


async def decade_order(
    db: AsyncSession,
    ctx: OrgContext,
    plugins: Plugins,
    shape: str,
    association_id: uuid.UUID,
    number: str | None,
    issued_on: date | None,
) -> Document:
    """The order on a decade's results under the number and date the person gives: its winners and
    prize-winners awarded, its responsible teachers thanked; each learner named is an audited export."""
    _, shown = await _decade_results(db, ctx, shape, association_id)
    decade = _decade(shown)
    _, year_ends = AcademicYear.bounds(shown.association.academic_year)
    cleaned, on = order_details(
        number,
        issued_on,
        ctx.today(),
        decade.starts_on,
        year_ends,
        "с первого дня декады до конца учебного года",
    )
    held = _held(shown)
    data = docs.DecadeOrderData(
        **await _order_heading(db, ctx, shown.association.academic_year, cleaned, on),
        decade=decade,
        awards=await _winners(db, ctx, held),
        thanked=decade.responsible,
    )
    content = await fill(db, ctx, plugins, docs.DECADE_ORDER, lambda t: docs.render_decade_order(data, t))
    await _exported(db, ctx, docs.DECADE_ORDER, shown.association.id, _named_learners(held))
    return _file_name("Приказ об итогах —", shown.association.name, f"№ {cleaned} от {on:%d.%m.%Y}"), content


def may_read_results(ctx: OrgContext, shown: AssociationView) -> bool:
    """Whether the page offers the decade's note and order to this person."""
    return shown.kind.shape is AssociationShape.DECADE and reads_results(
        ctx, shown.association, {p.id for p in _responsible(shown)}
    )


# --- the creative groups ---------------------------------------------------------------------------


async def _creative_group(
    db: AsyncSession, ctx: OrgContext, kind: AssociationKind, group: Association, errors: list[FieldError]
) -> docs.CreativeGroup | None:
    members: list[MemberView] = await member_views(db, ctx, kind, group)
    leader = (
        (await people_by_id(db, ctx, [group.leader_id])).get(group.leader_id) if group.leader_id else None
    )
    if leader is None:
        errors.append(
            FieldError("leader_id", f"у группы «{docs.unquoted(group.name)}» не назначен руководитель")
        )
        return None
    return docs.CreativeGroup(
        group.name,
        group.subject_area,
        name_of(leader),
        [name_of(m.person) for m in members if m.person.id != leader.id],
        group.products,
    )


async def creative_groups_order(
    db: AsyncSession,
    ctx: OrgContext,
    plugins: Plugins,
    shape: str,
    year: int | None,
    number: str | None,
    issued_on: date | None,
) -> Document:
    """The order creating the academic year's creative groups (by default the year under way) under the
    number and date the person gives, for whoever reads them; NotFound for other shapes. Every group needs
    its leader (the order appoints them); a year without groups has no order."""
    kind = readable_shape(ctx, shape)
    if kind.shape is not AssociationShape.CREATIVE_GROUP:
        raise NotFound
    year = current_year(ctx) if year is None else year
    starts, ends = AcademicYear.bounds(year)
    cleaned, on = order_details(
        number,
        issued_on,
        ctx.today(),
        starts.replace(month=6, day=1),
        ends,
        "с июня перед учебным годом до его конца",
    )
    errors: list[FieldError] = []
    found = await of_the_year(db, ctx, shape, year)
    if not found:
        errors.append(FieldError("academic_year", f"на {year_title(year)} учебный год нет ни одной группы"))
    groups = [await _creative_group(db, ctx, kind, g, errors) for g in found]
    if errors:
        raise InvalidInput("Приказ не сформирован: исправьте ошибки.", errors)
    data = docs.CreativeGroupsOrderData(
        **await _order_heading(db, ctx, year, cleaned, on),
        groups=[g for g in groups if g is not None],
    )
    content = await fill(
        db, ctx, plugins, docs.CREATIVE_GROUPS_ORDER, lambda t: docs.render_creative_groups_order(data, t)
    )
    await _exported(db, ctx, docs.CREATIVE_GROUPS_ORDER, year)
    return (
        _file_name("Приказ о создании творческих групп педагогов", f"№ {cleaned} от {on:%d.%m.%Y}"),
        content,
    )
