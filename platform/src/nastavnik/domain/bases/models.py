"""The bases of mentees and mentors: what the programme needs to know about a person, and no more.

Mentees: learners (birth date and class) or young teachers (the date they entered the profession),
with their requests and difficulties; a learner under 18 takes part only with the recorded consent
of a legal representative. Mentors: competencies, subjects, experience, capacity, status, training,
and their written consent (Labour Code art. 351.8); of a learner who mentors a peer, and of nobody
else, the birth date. Leaving the organisation or the profession is
recorded with its date: the region follows whether young teachers stay.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk


class MenteeProfile(TenantMixin, Timestamps, Base):
    __tablename__ = "mentee_profile"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        CheckConstraint("kind IN ('learner', 'young_pedagogue')", name="kind_known"),
        CheckConstraint(
            "left_reason IS NULL OR left_reason IN ('organisation', 'profession')", name="reason_known"
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    class_name: Mapped[str | None] = mapped_column(String(20))
    profession_since: Mapped[date | None] = mapped_column(Date)
    requests: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    guardian_consent_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(String(16))


class MentorProfile(TenantMixin, Timestamps, Base):
    __tablename__ = "mentor_profile"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        CheckConstraint("status IN ('current', 'reserve')", name="status_known"),
        CheckConstraint("capacity BETWEEN 1 AND 20", name="capacity_range"),
        CheckConstraint("experience_years BETWEEN 0 AND 70", name="experience_range"),
        CheckConstraint("birth_date IS NULL OR birth_date > DATE '1900-01-01'", name="birth_date_sensible"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    competencies: Mapped[str] = mapped_column(Text, default="")
    subjects: Mapped[str] = mapped_column(Text, default="")
    experience_years: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="current")
    training: Mapped[str] = mapped_column(Text, default="")
    """The free text of the time before training records: kept and shown as «прежняя запись»."""
    consent_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    birth_date: Mapped[date | None] = mapped_column(Date)
    """A learner mentor's only (a peer's mentor): their age decides whether they count in the federal
    indicator of learners involved; an adult mentor's birth date is not collected (152-FZ)."""


class ImportColumnChoice(TenantMixin, Timestamps, Base):
    """What a curator said a column of their file holds, remembered for the organisation's next import.

    Keyed by the header's words (case, «ё» and punctuation aside); ``field`` None means «not used».
    """

    __tablename__ = "import_column_choice"
    __table_args__ = (CheckConstraint("base IN ('mentees', 'mentors')", name="base_known"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    base: Mapped[str] = mapped_column(String(16), primary_key=True)
    header: Mapped[str] = mapped_column(String(200), primary_key=True)
    field: Mapped[str | None] = mapped_column(String(32))


class MentorTraining(TenantMixin, Versioned, Timestamps, Base):
    """A course a mentor took (stage 4 of a programme): курс, организация, часы, даты, номер удостоверения,
    and optionally the scan of the certificate itself (PDF, JPEG or PNG, at most 5 MB).

    The scan is personal data kept with the record (bytea, loaded only when it is downloaded: deferred);
    destroying the person destroys their trainings.
    """

    __tablename__ = "mentor_training"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        CheckConstraint("hours BETWEEN 1 AND 2000", name="hours_range"),
        CheckConstraint("finished_on >= started_on", name="dates_ordered"),
        CheckConstraint(
            "(certificate IS NULL) = (certificate_type IS NULL)"
            " AND (certificate_type IS NULL OR certificate_type IN ('pdf', 'jpeg', 'png'))",
            name="certificate_typed",
        ),
        Index("ix_mentor_training_person", "org_id", "person_id", "finished_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID]
    course: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    hours: Mapped[int]
    started_on: Mapped[date] = mapped_column(Date)
    finished_on: Mapped[date] = mapped_column(Date)
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    certificate_type: Mapped[str | None] = mapped_column(String(8))
    certificate_name: Mapped[str | None] = mapped_column(String(200))
    certificate: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
