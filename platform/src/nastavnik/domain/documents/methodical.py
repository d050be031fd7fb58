"""The documents of an organisation's methodical work: its young teachers' club, its subject decades,
its methodical council and its creative groups of teachers.

Each ``render_*`` fills the document's default template (``templates/<code>.docx``, built by
``nastavnik_dev.documents.build_methodical_templates``) or one a plugin or the region supplies instead
(``services.fill`` chooses). A template sees the attributes of the document's data class: the plans'
and the orders' heading as every document has it (:mod:`heading`: ``organisation_short_name`` in the
genitive), the club's and the creative groups' names without the quotes a person may have typed
around them (the templates put «» there), and in an order also ``title`` and ``acquainted`` (who signs
«С приказом ознакомлены»: the people it names, then the curator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.heading import (
    DocumentHeading,
    OrderHeading,
    heading_context,
    order_heading_context,
)
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES, default_template
from nastavnik.domain.documents.names import PersonName

CLUB_PLAN = "club_plan"
CLUB_REPORT = "club_report"
DECADE_PLAN = "decade_plan"
DECADE_NOTE = "decade_note"
DECADE_ORDER = "decade_order"
COUNCIL_PLAN = "council_plan"
CREATIVE_GROUPS_ORDER = "creative_groups_order"
METHODICAL_DOCUMENTS = (
    CLUB_PLAN,
    CLUB_REPORT,
    DECADE_PLAN,
    DECADE_NOTE,
    DECADE_ORDER,
    COUNCIL_PLAN,
    CREATIVE_GROUPS_ORDER,
)

_QUOTES = {"«": "»", '"': '"', "“": "”", "„": "“"}


def unquoted(name: str) -> str:
    """«Звёзды будущего» → Звёзды будущего: one pair of quotes around the whole name goes, since the
    documents quote names themselves; «Звёзды» и «Луна» keeps its quotes, they are not one pair."""
    name = name.strip()
    opening = name[:1]
    closing = _QUOTES.get(opening)
    if closing is None or len(name) < 2 or name[-1] != closing:
        return name
    inner = name[1:-1]
    if opening == closing:  # "…": another one inside cannot be told from the pair's end
        return name if opening in inner else inner.strip()
    depth = 0
    for ch in inner:
        depth += (ch == opening) - (ch == closing)
        if depth < 0:
            return name
    return inner.strip() if depth == 0 else name


@dataclass(frozen=True)
class Approval:
    """A plan's approval block: «ПРИНЯТ на заседании педагогического совета, протокол от … № …» and
    «УТВЕРЖДЁН приказом от … № …». What is not known yet is left blank, to be written in by hand."""

    council_on: date | None = None
    council_protocol: str | None = None
    order_on: date | None = None
    order_number: str | None = None


# --- the young teachers' club -------------------------------------------------------------------


@dataclass(frozen=True)
class ClubMember:
    name: PersonName
    mentor: PersonName | None  # the young teacher's mentor, if they have one


@dataclass(frozen=True)
class ClubMeeting:
    """A meeting as the plan lists it."""

    held_on: date
    topic: str
    form_title: str  # «Семинар», «Мастер-класс», «Взаимопосещение уроков», …
    responsible: PersonName | None


@dataclass(frozen=True)
class ClubMeetingResult:
    """A meeting as the report lists it."""

    held_on: date
    topic: str
    form_title: str
    status_title: str  # «проведено», «запланировано», «отменено»
    attended: int
    outcome: str  # may be empty


@dataclass(frozen=True)
class ClubPlanData(DocumentHeading):
    # «Клуб молодых учителей», «Школа молодого преподавателя», «Клуб молодого педагога»: the plan's
    # heading names it as it is («План работы: Клуб молодых учителей «Звёзды будущего» на …»).
    kind_title: str
    club_name: str  # «Звёзды будущего»; may be empty
    leader: PersonName | None
    members: list[ClubMember]
    meetings: list[ClubMeeting]
    difficulties: list[str]  # the most frequent difficulties the diagnostics found; may be empty
    approval: Approval = field(default_factory=Approval)


@dataclass(frozen=True)
class ClubReportData(DocumentHeading):
    kind_title: str
    club_name: str
    leader: PersonName | None
    members: list[ClubMember]
    meetings: list[ClubMeetingResult]
    planned_count: int
    held_count: int
    attendance_percent: int | None  # of the members, over the meetings held; None when none was held
    summary: str  # the leader's conclusions, free text; its lines are paragraphs
    drawn_up_on: date


# --- subject decades --------------------------------------------------------------------------


@dataclass(frozen=True)
class Decade:
    """A subject decade (a college's week of a subject commission): what, when and who answers for it."""

    subject_area: str  # «Математика и информатика»: the methodical association's subjects
    title: str  # «Декада математики и информатики», «Неделя ПЦК общепрофессиональных дисциплин»
    starts_on: date
    ends_on: date
    responsible: list[PersonName]


@dataclass(frozen=True)
class DecadeEvent:
    """An event of a decade as the plan lists it."""

    held_on: date
    topic: str
    form_title: str  # «Открытый урок», «Олимпиада», «Внеклассное мероприятие», …
    classes: str  # «5–7», «7 «А», 7 «Б»»; may be empty
    responsible: PersonName | None


@dataclass(frozen=True)
class PlannedDecade(Decade):
    events: list[DecadeEvent]


@dataclass(frozen=True)
class HeldDecadeEvent(DecadeEvent):
    """An event of a decade as its closing note lists it."""

    participants: int  # learners who took part
    observers: list[PersonName]  # teachers who attended it (взаимопосещение)


@dataclass(frozen=True)
class DecadeWinner:
    learner: PersonName
    class_name: str | None  # «7 «А»», a college's group; None if not known
    place_title: str  # «победитель», «призёр»
    event_topic: str


@dataclass(frozen=True)
class DecadePlanData(DocumentHeading):
    kind_title: str  # «Предметные декады», «Недели предметно-цикловых комиссий»
    decades: list[PlannedDecade]
    approval: Approval = field(default_factory=Approval)


@dataclass(frozen=True)
class DecadeNoteData(DocumentHeading):
    kind_title: str
    decade: Decade
    events: list[HeldDecadeEvent]
    winners: list[DecadeWinner]
    participants_total: int
    summary: str  # the analytic note's conclusions, free text; its lines are paragraphs
    author: PersonName | None  # the curator who signs the note
    drawn_up_on: date


@dataclass(frozen=True)
class DecadeOrderData(OrderHeading):
    decade: Decade
    awards: list[DecadeWinner]  # «наградить грамотами»
    thanked: list[PersonName]  # the responsible teachers: «объявить благодарность»


# --- the methodical council and the creative groups ---------------------------------------------


@dataclass(frozen=True)
class CouncilMember:
    name: PersonName
    position: str | None  # «учитель математики, руководитель МО»; None if not known


@dataclass(frozen=True)
class CouncilMeeting:
    held_on: date
    topic: str  # the agenda
    responsible: PersonName | None
    decisions: str  # the decisions it is to take; may be empty


@dataclass(frozen=True)
class CouncilPlanData(DocumentHeading):
    chair: PersonName | None
    members: list[CouncilMember]
    meetings: list[CouncilMeeting]
    approval: Approval = field(default_factory=Approval)


@dataclass(frozen=True)
class CreativeGroup:
    name: str  # «Цифровая школа»
    topic: str
    leader: PersonName
    members: list[PersonName]
    products: str  # what the group is to produce: «методические рекомендации», «банк заданий», …


@dataclass(frozen=True)
class CreativeGroupsOrderData(OrderHeading):
    groups: list[CreativeGroup]


# --- filling the templates ----------------------------------------------------------------------


def _render(code: str, context: Mapping[str, Any], template: bytes | Path | None) -> bytes:
    return render(default_template(code) if template is None else template, context)


def render_club_plan(data: ClubPlanData, template: bytes | Path | None = None) -> bytes:
    """The club's plan as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return _render(CLUB_PLAN, {**heading_context(data), "club_name": unquoted(data.club_name)}, template)


def render_club_report(data: ClubReportData, template: bytes | Path | None = None) -> bytes:
    """The club's report as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return _render(CLUB_REPORT, {**heading_context(data), "club_name": unquoted(data.club_name)}, template)


def render_decade_plan(data: DecadePlanData, template: bytes | Path | None = None) -> bytes:
    """The decades' plan as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return _render(DECADE_PLAN, heading_context(data), template)


def render_decade_note(data: DecadeNoteData, template: bytes | Path | None = None) -> bytes:
    """A decade's closing note as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return _render(DECADE_NOTE, heading_context(data), template)


def render_decade_order(data: DecadeOrderData, template: bytes | Path | None = None) -> bytes:
    """The order on a decade's results as .docx bytes; ``TemplateBroken`` if a supplied template cannot
    be filled. The teachers it thanks sign as acquainted with it."""
    context = order_heading_context(data, DOCUMENT_TITLES[DECADE_ORDER], data.thanked)
    return _render(DECADE_ORDER, context, template)


def render_council_plan(data: CouncilPlanData, template: bytes | Path | None = None) -> bytes:
    """The council's plan as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return _render(COUNCIL_PLAN, heading_context(data), template)


def render_creative_groups_order(
    data: CreativeGroupsOrderData, template: bytes | Path | None = None
) -> bytes:
    """The order creating the creative groups as .docx bytes; ``TemplateBroken`` if a supplied template
    cannot be filled. Every leader and member signs as acquainted with it."""
    named = [person for group in data.groups for person in (group.leader, *group.members)]
    context = order_heading_context(data, DOCUMENT_TITLES[CREATIVE_GROUPS_ORDER], named)
    context["groups"] = [replace(group, name=unquoted(group.name)) for group in data.groups]
    return _render(CREATIVE_GROUPS_ORDER, context, template)
