"""Bringing an organisation into the realm: its Keycloak organization and its curator's account.

One row per organisation, written by the region when it creates the organisation and worked
off by the worker, which retries while Keycloak is unreachable. It holds the curator's name and
e-mail until their person record exists, so it is tenant-owned like any personal data.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps


class OnboardingStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


class OrgOnboarding(TenantMixin, Timestamps, Base):
    __tablename__ = "org_onboarding"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'retrying', 'done', 'failed')", name="status_known"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    status: Mapped[str] = mapped_column(String(16), default=OnboardingStatus.PENDING)
    curator_last_name: Mapped[str] = mapped_column(String(100))
    curator_first_name: Mapped[str] = mapped_column(String(100))
    curator_middle_name: Mapped[str | None] = mapped_column(String(100))
    curator_email: Mapped[str] = mapped_column(String(254))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    keycloak_org_id: Mapped[str | None] = mapped_column(String(64))
    keycloak_user_id: Mapped[str | None] = mapped_column(String(64))
