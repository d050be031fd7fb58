"""The tables of the methodical work: associations, their members, their events and who took part.

One set of tables serves every shape (:class:`~nastavnik.types.AssociationShape`): a column a shape does
not use stays empty. People are the organisation's own (``tenant_fk``): a club member, an open lesson's
observer or a decade's winner is a person record of the same organisation, so a learner is named only
inside it. Destroying a person (152-FZ) removes their membership and participation; the association
and its events outlive a leader or a responsible teacher, who are then cleared.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, clearing_fk, new_id, tenant_fk

SHAPES = "('club', 'decade', 'council', 'creative_group')"


class Association(TenantMixin, Versioned, Timestamps, Base):
    """A club, a decade, a council or a creative group of one academic year."""

    __tablename__ = "methodical_association"
    __table_args__ = (
        CheckConstraint(f"shape IN {SHAPES}", name="shape_known"),
        CheckConstraint("academic_year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("ends_on >= starts_on", name="ordered"),
        # The association outlives its leader's person record: deleting the person clears leader_id.
        clearing_fk("leader_id", "person"),
        Index("ix_methodical_association_year", "org_id", "shape", "academic_year"),
        # One club and one council a year per organisation; decades and creative groups are many.
        Index(
            "uq_methodical_association_single",
            "org_id",
            "shape",
            "academic_year",
            unique=True,
            postgresql_where="shape IN ('club', 'council')",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    shape: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    """The academic year's start year (2026 for 2026/2027)."""
    name: Mapped[str] = mapped_column(String(300))
    """The club's own name («Звёзды будущего»), the decade's or the group's title."""
    subject_area: Mapped[str] = mapped_column(String(300), default="")
    """A decade's methodical association or subject area; a creative group's topic."""
    leader_id: Mapped[uuid.UUID | None]
    starts_on: Mapped[date | None] = mapped_column(Date)
    """A decade's first day (the other shapes last the academic year)."""
    ends_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    """The analytic note (справка) of a decade, the conclusions of a club's or a council's year."""
    products: Mapped[str] = mapped_column(Text, default="")
    """What a creative group produced (methodical developments, publications, …)."""


class AssociationMember(TenantMixin, Timestamps, Base):
    """A member of an association, or one of a decade's responsible teachers."""

    __tablename__ = "methodical_member"
    __table_args__ = (
        tenant_fk("association_id", "methodical_association"),
        tenant_fk("person_id", "person"),
        CheckConstraint("role IN ('member', 'responsible')", name="role_known"),
        Index("ix_methodical_member_person", "org_id", "person_id"),
    )

    association_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="member")
    position: Mapped[str] = mapped_column(String(200), default="")
    """What the member does in it (e.g. «секретарь» of the council), shown in the documents."""


class AssociationEvent(TenantMixin, Versioned, Timestamps, Base):
    """A planned or held event: a club's meeting, a decade's open lesson or olympiad, a council's meeting."""

    __tablename__ = "methodical_event"
    __table_args__ = (
        tenant_fk("association_id", "methodical_association"),
        clearing_fk("responsible_id", "person"),
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status_known"),
        Index("ix_methodical_event_association", "org_id", "association_id", "held_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    association_id: Mapped[uuid.UUID]
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(500))
    """The meeting's topic, the council's agenda, the lesson's or the contest's title."""
    form: Mapped[str] = mapped_column(String(40))
    """A code of the shape's event forms (``open_lesson``, ``seminar``…), titled by the offering plugin."""
    classes: Mapped[str] = mapped_column(String(200), default="")
    """The classes or study groups taking part («5А, 6Б»)."""
    responsible_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    outcome: Mapped[str] = mapped_column(Text, default="")
    """What the meeting came to; the council's decisions."""


class EventParticipant(TenantMixin, Base):
    """Who took part in an event: a member who attended, an open lesson's observer, a learner taking part.

    A learner's place (winner, prize-winner) is recorded on their participation: a winner is always
    among the event's participants.
    """

    __tablename__ = "methodical_participant"
    __table_args__ = (
        tenant_fk("event_id", "methodical_event"),
        tenant_fk("person_id", "person"),
        CheckConstraint("role IN ('attendee', 'observer', 'learner')", name="role_known"),
        CheckConstraint(
            "place IS NULL OR (role = 'learner' AND place IN ('winner', 'prize_winner'))",
            name="place_of_learner",
        ),
        Index("ix_methodical_participant_person", "org_id", "person_id"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    place: Mapped[str | None] = mapped_column(String(16))
