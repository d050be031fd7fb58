"""Questionnaires (анкеты): versioned templates as shared data, and the tenants' assignments and answers.

A template (code, audience, regime, moment, title) belongs to a region, or to the platform when
``region_id`` is NULL (the defaults). A region edits a default by copy-on-write: it gets its own
template with the same code and makes versions of it. A version's items live in JSONB; a
published version never changes (a database trigger refuses it), so every answer is read
against the wording it was given under. Templates and versions hold no personal data.

Assignments and answers are tenant data: who was asked, under which version, and what they said. A
pair's member is given a questionnaire at the start and the end of the pair (``group_id``); a young teacher
is given the diagnostics of their difficulties through the organisation's campaign of the academic year
(``campaign_id``): exactly one of the two.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, new_id, tenant_fk


class Audience(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class TemplateRegime(StrEnum):
    LEARNERS = "learners"
    PEDAGOGUES = "pedagogues"
    BOTH = "both"


class Moment(StrEnum):
    START = "start"
    END = "end"
    YEAR = "year"
    """Once an academic year, through a campaign: the templates plugins offer (the diagnostics)."""


class CampaignPurpose(StrEnum):
    DIAGNOSTICS = "diagnostics"
    """«Диагностика затруднений молодых педагогов» (nastavnik.types.QuestionnairePurpose)."""


class VersionStatus(StrEnum):
    DRAFT = "draft"
    """Being edited by the region; never assigned, so never answered."""
    PUBLISHED = "published"
    """Assigned from now on; immutable."""


class ItemKind(StrEnum):
    SCALE = "scale"
    TEXT = "text"


class QuestionnaireTemplate(Base):
    __tablename__ = "questionnaire_template"
    __table_args__ = (
        CheckConstraint("audience IN ('mentor', 'mentee')", name="audience_known"),
        CheckConstraint("regime IN ('learners', 'pedagogues', 'both')", name="regime_known"),
        CheckConstraint("moment IN ('start', 'end', 'year')", name="moment_known"),
        # One template per code for the platform, and one per code for each region.
        Index(
            "uq_questionnaire_template_default_code",
            "code",
            unique=True,
            postgresql_where="region_id IS NULL",
        ),
        Index(
            "uq_questionnaire_template_region_code",
            "region_id",
            "code",
            unique=True,
            postgresql_where="region_id IS NOT NULL",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("region.id"))
    """The owning region; NULL for the platform's defaults."""
    code: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(16))
    regime: Mapped[str] = mapped_column(String(16))
    moment: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("template_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("jsonb_typeof(items) = 'array'", name="items_array"),
        # A template has at most one draft at a time: saving the draft again replaces it.
        Index(
            "uq_questionnaire_version_one_draft",
            "template_id",
            unique=True,
            postgresql_where="status = 'draft'",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaire_template.id"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    """[{key, text, kind: scale|text, min, max, required}] in the order they are asked."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuestionnaireCampaign(TenantMixin, Base):
    """An organisation's giving of a yearly questionnaire (the diagnostics) in one academic year.

    Its version is fixed when it is first given: everyone of the year answers the same questions, so the
    year's results compare item by item; a version the region publishes later is given from the next
    year's campaign (or in an organisation that has not started this year's).
    """

    __tablename__ = "questionnaire_campaign"
    __table_args__ = (
        CheckConstraint("purpose IN ('diagnostics')", name="purpose_known"),
        CheckConstraint("academic_year BETWEEN 2000 AND 2100", name="year_range"),
        # Giving the diagnostics twice in a year adds people to the year's campaign, never a second one.
        UniqueConstraint("org_id", "purpose", "academic_year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaire_version.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class QuestionnaireAssignment(TenantMixin, Base):
    """A questionnaire given to a member of a group, or to a young teacher through a campaign, under the
    version current at that moment (a campaign's: the one it was started with)."""

    __tablename__ = "questionnaire_assignment"
    __table_args__ = (
        tenant_fk("group_id", "mentoring_group"),
        tenant_fk("person_id", "person"),
        tenant_fk("campaign_id", "questionnaire_campaign"),
        CheckConstraint("role IN ('mentor', 'mentee')", name="role_known"),
        CheckConstraint("moment IN ('start', 'end', 'year')", name="moment_known"),
        # A pair's questionnaire (start or end) or a campaign's (once a year): exactly one of the two.
        CheckConstraint(
            "(group_id IS NOT NULL AND campaign_id IS NULL AND moment IN ('start', 'end'))"
            " OR (group_id IS NULL AND campaign_id IS NOT NULL AND moment = 'year')",
            name="pair_or_campaign",
        ),
        # Assigning twice (an order re-run, the curator pressing again) changes nothing.
        UniqueConstraint("org_id", "group_id", "person_id", "moment"),
        UniqueConstraint("org_id", "campaign_id", "person_id"),
        Index("ix_questionnaire_assignment_person", "org_id", "person_id"),
        Index("ix_questionnaire_assignment_version", "org_id", "version_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID | None]
    campaign_id: Mapped[uuid.UUID | None]
    person_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(16))
    moment: Mapped[str] = mapped_column(String(16))
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaire_version.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuestionnaireAnswer(TenantMixin, Base):
    """One item's answer: a score on the item's scale, or free text."""

    __tablename__ = "questionnaire_answer"
    __table_args__ = (
        tenant_fk("assignment_id", "questionnaire_assignment"),
        CheckConstraint("(score IS NULL) <> (text IS NULL)", name="score_or_text"),
        CheckConstraint("score BETWEEN 1 AND 10", name="score_range"),
    )

    assignment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
