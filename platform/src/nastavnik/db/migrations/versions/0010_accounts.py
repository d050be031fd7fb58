"""accounts for the people of the bases: an optional e-mail per person, batches and their entries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_tenant_rls

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.add_column("person", sa.Column("email", sa.String(length=254), nullable=True))
    op.create_index(
        "uq_person_org_email",
        "person",
        ["org_id", "email"],
        unique=True,
        postgresql_where=sa.text("email IS NOT NULL"),
    )
    op.create_table(
        "account_batch",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_account_batch_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["identity.id"], name=op.f("fk_account_batch_requested_by_identity")
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_account_batch")),
    )
    op.create_table(
        "account_entry",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("keycloak_user_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'created', 'invited', 'linked', 'failed')",
            name=op.f("ck_account_entry_status_known"),
        ),
        sa.CheckConstraint(
            "delivery IS NULL OR delivery IN ('email', 'password')",
            name=op.f("ck_account_entry_delivery_known"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "batch_id"],
            ["account_batch.org_id", "account_batch.id"],
            name=op.f("fk_account_entry_org_id_batch_id_account_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "person_id"],
            ["person.org_id", "person.id"],
            name=op.f("fk_account_entry_org_id_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "batch_id", "person_id", name=op.f("pk_account_entry")),
    )
    op.create_index("ix_account_entry_person", "account_entry", ["org_id", "person_id"])
    for table in ("account_batch", "account_entry"):
        enable_tenant_rls(table)


def downgrade() -> None:
    op.drop_index("ix_account_entry_person", table_name="account_entry")
    op.drop_table("account_entry")
    op.drop_table("account_batch")
    op.drop_index("uq_person_org_email", table_name="person")
    op.drop_column("person", "email")
