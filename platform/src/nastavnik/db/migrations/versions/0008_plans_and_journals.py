"""the work of pairs: development plan items and the mentor's journal

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_tenant_rls

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _group_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id", "group_id"],
        ["mentoring_group.org_id", "mentoring_group.id"],
        name=op.f(f"fk_{table}_org_id_group_id_mentoring_group"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "plan_item",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("mentee_id", sa.Uuid(), nullable=False),
        sa.Column("goal", sa.String(length=500), nullable=False),
        sa.Column("task", sa.String(length=1000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=2000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("done = (done_on IS NOT NULL)", name=op.f("ck_plan_item_done_dated")),
        _group_fk("plan_item"),
        sa.ForeignKeyConstraint(
            ["org_id", "mentee_id"],
            ["person.org_id", "person.id"],
            name=op.f("fk_plan_item_org_id_mentee_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_plan_item")),
    )
    op.create_index("ix_plan_item_group_mentee", "plan_item", ["org_id", "group_id", "mentee_id"])
    op.create_table(
        "journal_entry",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("content", sa.String(length=5000), nullable=False),
        sa.Column("result", sa.String(length=2000), nullable=False),
        sa.Column("assignment", sa.String(length=2000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        _group_fk("journal_entry"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_journal_entry")),
    )
    # The entry outlives its author's person record. A plain SET NULL on the composite key would
    # clear org_id too (NOT NULL: the person could then never be deleted), so the column list of
    # PostgreSQL 15 names only author_id; SQLAlchemy's DDL does not accept that form.
    op.execute(
        "ALTER TABLE journal_entry ADD CONSTRAINT fk_journal_entry_org_id_author_id_person"
        " FOREIGN KEY (org_id, author_id) REFERENCES person (org_id, id) ON DELETE SET NULL (author_id)"
    )
    op.create_index("ix_journal_entry_group", "journal_entry", ["org_id", "group_id", "met_on"])
    for table in ("plan_item", "journal_entry"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_index("ix_journal_entry_group", table_name="journal_entry")
    op.drop_table("journal_entry")
    op.drop_index("ix_plan_item_group_mentee", table_name="plan_item")
    op.drop_table("plan_item")
