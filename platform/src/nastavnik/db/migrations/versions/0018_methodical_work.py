"""the methodical work: associations, members, events, participants

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

One set of tenant tables for the building block the plugins offer (clubs, decades, councils, creative
groups). References to people are per organisation; where a record outlives the person (a leader, an
event's responsible teacher) the key is cleared with PostgreSQL 15's ``SET NULL (column)``, since a
plain SET NULL on the composite key would clear ``org_id`` too. The statistics aggregator reads the
counted columns only: shapes, years, dates, forms, statuses, roles and places, never names or texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import disable_aggregator_read, enable_aggregator_read, enable_tenant_rls

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("methodical_association", "methodical_member", "methodical_event", "methodical_participant")
AGGREGATED = {
    "methodical_association": ("org_id", "id", "shape", "academic_year", "starts_on", "ends_on"),
    "methodical_member": ("org_id", "association_id", "person_id", "role"),
    "methodical_event": ("org_id", "id", "association_id", "held_on", "form", "status"),
    "methodical_participant": ("org_id", "event_id", "person_id", "role", "place"),
}


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _tenant_fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id", column],
        [f"{target}.org_id", f"{target}.id"],
        name=op.f(f"fk_{table}_org_id_{column}_{target}"),
        ondelete="CASCADE",
    )


def _clearing_fk(table: str, column: str) -> None:
    op.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_org_id_{column}_person"
        f" FOREIGN KEY (org_id, {column}) REFERENCES person (org_id, id) ON DELETE SET NULL ({column})"
    )


def upgrade() -> None:
    op.create_table(
        "methodical_association",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("shape", sa.String(length=16), nullable=False),
        sa.Column("academic_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("subject_area", sa.String(length=300), nullable=False),
        sa.Column("leader_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("products", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "shape IN ('club', 'decade', 'council', 'creative_group')",
            name=op.f("ck_methodical_association_shape_known"),
        ),
        sa.CheckConstraint(
            "academic_year BETWEEN 2000 AND 2100", name=op.f("ck_methodical_association_year_range")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_methodical_association_ordered")),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_methodical_association")),
    )
    _clearing_fk("methodical_association", "leader_id")
    op.create_index(
        "ix_methodical_association_year", "methodical_association", ["org_id", "shape", "academic_year"]
    )
    op.create_index(
        "uq_methodical_association_single",
        "methodical_association",
        ["org_id", "shape", "academic_year"],
        unique=True,
        postgresql_where=sa.text("shape IN ('club', 'council')"),
    )
    op.create_table(
        "methodical_member",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("role IN ('member', 'responsible')", name=op.f("ck_methodical_member_role_known")),
        _tenant_fk("methodical_member", "association_id", "methodical_association"),
        _tenant_fk("methodical_member", "person_id", "person"),
        sa.PrimaryKeyConstraint("org_id", "association_id", "person_id", name=op.f("pk_methodical_member")),
    )
    op.create_index("ix_methodical_member_person", "methodical_member", ["org_id", "person_id"])
    op.create_table(
        "methodical_event",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("classes", sa.String(length=200), nullable=False),
        sa.Column("responsible_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'cancelled')", name=op.f("ck_methodical_event_status_known")
        ),
        _tenant_fk("methodical_event", "association_id", "methodical_association"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_methodical_event")),
    )
    _clearing_fk("methodical_event", "responsible_id")
    op.create_index(
        "ix_methodical_event_association", "methodical_event", ["org_id", "association_id", "held_on"]
    )
    op.create_table(
        "methodical_participant",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("place", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "role IN ('attendee', 'observer', 'learner')", name=op.f("ck_methodical_participant_role_known")
        ),
        sa.CheckConstraint(
            "place IS NULL OR (role = 'learner' AND place IN ('winner', 'prize_winner'))",
            name=op.f("ck_methodical_participant_place_of_learner"),
        ),
        _tenant_fk("methodical_participant", "event_id", "methodical_event"),
        _tenant_fk("methodical_participant", "person_id", "person"),
        sa.PrimaryKeyConstraint(
            "org_id", "event_id", "person_id", "role", name=op.f("pk_methodical_participant")
        ),
    )
    op.create_index("ix_methodical_participant_person", "methodical_participant", ["org_id", "person_id"])
    for table in TABLES:
        enable_tenant_rls(table)
        enable_aggregator_read(table, AGGREGATED[table])


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_aggregator_read(table)
        op.drop_table(table)
