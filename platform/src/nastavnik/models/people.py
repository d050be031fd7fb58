"""People inside an organisation and their programme roles (tenant-owned, personal data)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk


class PersonCategory(StrEnum):
    PEDAGOGUE = "pedagogue"
    LEARNER = "learner"
    STAFF = "staff"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class ProgrammeRole(StrEnum):
    """Roles granted inside the platform, per organisation."""

    DIRECTOR = "director"
    CURATOR = "curator"
    MENTOR = "mentor"
    MENTEE = "mentee"


ROLE_TITLES = {
    ProgrammeRole.DIRECTOR: "руководитель",
    ProgrammeRole.CURATOR: "куратор",
    ProgrammeRole.MENTOR: "наставник",
    ProgrammeRole.MENTEE: "наставляемый",
}
"""Each programme role as the pages name it."""

EMAIL_MAX = 254


def clean_email(value: str) -> tuple[str | None, str | None]:
    """An address as typed on a person's card or in a base's import: (the address in lower case or None
    when empty, the mistake in Russian or None)."""
    email = value.strip().lower()
    if not email:
        return None, None
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    if (
        not local
        or len(email) > EMAIL_MAX
        or any(c.isspace() for c in email)
        or "@" in domain
        or len(labels) < 2
        or not all(labels)
    ):
        return None, "укажите адрес вида имя@school.ru"
    return email, None


class Person(TenantMixin, Versioned, Timestamps, Base):
    """A person as one organisation knows them; linked to a login identity when they sign in.

    The row is also the membership: an identity may enter an organisation only
    through an active person record there (checked by ``nastavnik_current_org()``).
    """

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("category IN ('pedagogue', 'learner', 'staff')", name="category_known"),
        CheckConstraint("status IN ('active', 'left')", name="status_known"),
        Index(
            "uq_person_org_identity",
            "org_id",
            "identity_id",
            unique=True,
            postgresql_where="identity_id IS NOT NULL",
        ),
        Index("ix_person_identity", "identity_id"),
        # Keycloak keeps e-mails unique in the realm: two people of one organisation cannot share one.
        Index("uq_person_org_email", "org_id", "email", unique=True, postgresql_where="email IS NOT NULL"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    identity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity.id"))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    """Where an invitation to set a password goes; without it the curator hands out a one-time password."""
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=PersonStatus.ACTIVE)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class PersonRole(TenantMixin, Base):
    __tablename__ = "person_role"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        CheckConstraint("role IN ('director', 'curator', 'mentor', 'mentee')", name="role_known"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
