"""mentoring pairs and groups, their members, and the orders that activate them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.db.rls import enable_tenant_rls

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPS = (
    ("created_at", sa.text("now()")),
    ("updated_at", sa.text("now()")),
)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=False)
        for name, default in TIMESTAMPS
    ]


def _programme_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id", "programme_id"],
        ["programme.org_id", "programme.id"],
        name=op.f(f"fk_{table}_org_id_programme_id_programme"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "mentoring_group",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("form_code", sa.String(length=64), nullable=False),
        sa.Column("role_model_code", sa.String(length=64), nullable=True),
        sa.Column("kind_code", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'completed', 'ended_early')",
            name=op.f("ck_mentoring_group_status_known"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_mentoring_group_term_ordered")),
        _programme_fk("mentoring_group"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_mentoring_group")),
    )
    op.create_index("ix_mentoring_group_programme", "mentoring_group", ["org_id", "programme_id"])
    op.create_table(
        "group_member",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint("role IN ('mentor', 'mentee')", name=op.f("ck_group_member_role_known")),
        sa.ForeignKeyConstraint(
            ["org_id", "group_id"],
            ["mentoring_group.org_id", "mentoring_group.id"],
            name=op.f("fk_group_member_org_id_group_id_mentoring_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "person_id"],
            ["person.org_id", "person.id"],
            name=op.f("fk_group_member_org_id_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "group_id", "person_id", name=op.f("pk_group_member")),
    )
    op.create_index("ix_group_member_person", "group_member", ["org_id", "person_id"])
    op.create_table(
        "mentoring_order",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "kind IN ('mentor_assignment', 'pairs_formation')", name=op.f("ck_mentoring_order_kind_known")
        ),
        _programme_fk("mentoring_order"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_mentoring_order")),
        sa.UniqueConstraint(
            "org_id",
            "kind",
            "number",
            "issued_on",
            name=op.f("uq_mentoring_order_org_id_kind_number_issued_on"),
        ),
    )
    op.create_table(
        "order_group",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id", "order_id"],
            ["mentoring_order.org_id", "mentoring_order.id"],
            name=op.f("fk_order_group_org_id_order_id_mentoring_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "group_id"],
            ["mentoring_group.org_id", "mentoring_group.id"],
            name=op.f("fk_order_group_org_id_group_id_mentoring_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "order_id", "group_id", name=op.f("pk_order_group")),
    )
    for table in ("mentoring_group", "group_member", "mentoring_order", "order_group"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_table("order_group")
    op.drop_table("mentoring_order")
    op.drop_index("ix_group_member_person", table_name="group_member")
    op.drop_table("group_member")
    op.drop_index("ix_mentoring_group_programme", table_name="mentoring_group")
    op.drop_table("mentoring_group")
