"""import column choices: what a curator said a column of their file holds, per organisation and base

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import enable_tenant_rls

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_column_choice",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("base", sa.String(length=16), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        *[
            sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
            for name in ("created_at", "updated_at")
        ],
        sa.CheckConstraint("base IN ('mentees', 'mentors')", name=op.f("ck_import_column_choice_base_known")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_import_column_choice_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("org_id", "base", "header", name=op.f("pk_import_column_choice")),
    )
    enable_tenant_rls("import_column_choice")


def downgrade() -> None:
    op.drop_table("import_column_choice")
