"""colleges: partner enterprises, their representatives, internships of pairs

Revision ID: colleges_0001
Revises:
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik import enable_tenant_rls

revision: str = "colleges_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("colleges",)
depends_on: str | Sequence[str] | None = "0006"  # person (0001) and mentoring_group (0006) are referenced

TABLES = ("colleges_partner", "colleges_representative", "colleges_internship")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _tenant_fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id", column],
        [f"{target}.org_id", f"{target}.id"],
        name=op.f(f"fk_{table}_org_id_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "colleges_partner",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("inn", sa.String(length=12), nullable=False),
        sa.Column("activity", sa.String(length=300), nullable=False),
        sa.Column("agreement_number", sa.String(length=50), nullable=True),
        sa.Column("agreement_date", sa.Date(), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "(agreement_number IS NULL) = (agreement_date IS NULL)",
            name=op.f("ck_colleges_partner_agreement_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_colleges_partner_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_colleges_partner")),
        sa.UniqueConstraint("org_id", "inn", name="uq_colleges_partner_inn"),
    )
    op.create_table(
        "colleges_representative",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        _tenant_fk("colleges_representative", "person_id", "person", "CASCADE"),
        _tenant_fk("colleges_representative", "partner_id", "colleges_partner", "RESTRICT"),
        sa.PrimaryKeyConstraint("org_id", "person_id", name=op.f("pk_colleges_representative")),
    )
    op.create_index("ix_colleges_representative_partner", "colleges_representative", ["org_id", "partner_id"])
    op.create_table(
        "colleges_internship",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_colleges_internship_ordered")),
        _tenant_fk("colleges_internship", "group_id", "mentoring_group", "CASCADE"),
        _tenant_fk("colleges_internship", "partner_id", "colleges_partner", "RESTRICT"),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_colleges_internship")),
    )
    op.create_index("ix_colleges_internship_partner", "colleges_internship", ["org_id", "partner_id"])
    op.create_index("ix_colleges_internship_group", "colleges_internship", ["org_id", "group_id"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
