"""schools: subject decades

Revision ID: schools_0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik import enable_tenant_rls

revision: str = "schools_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("schools",)
depends_on: str | Sequence[str] | None = "0001"


def upgrade() -> None:
    op.create_table(
        "schools_subject_decade",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_area", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_schools_subject_decade_ordered")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_schools_subject_decade_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_schools_subject_decade")),
    )
    enable_tenant_rls("schools_subject_decade")


def downgrade() -> None:
    op.drop_table("schools_subject_decade")
