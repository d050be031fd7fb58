"""questionnaires: versioned templates (shared, region-owned), assignments and answers (tenant)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from nastavnik.db.rls import enable_tenant_rls, grant_shared_read, migration_roles

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _scale(key: str, text: str) -> dict[str, Any]:
    return {"key": key, "text": text, "kind": "scale", "min": 1, "max": 10, "required": True}


def _free(key: str, text: str) -> dict[str, Any]:
    return {"key": key, "text": text, "kind": "text", "min": None, "max": None, "required": False}


STAY = _scale("stay_in_profession", "Насколько вы уверены, что останетесь в профессии?")
MENTEE_END = [
    _scale("meetings_useful", "Насколько полезными были встречи с наставником?"),
    _scale("communication_comfort", "Насколько комфортным было общение с наставником?"),
    _scale("expectations_met", "Насколько оправдались ваши ожидания?"),
    _scale("continue_wish", "Хотели бы вы продолжить работу с наставником?"),
]
MENTEE_END_COMMENT = _free("comment", "Что было самым полезным и что стоило бы изменить?")
MENTEE_EXPECTATIONS = _free("expectations", "Чего вы ожидаете от работы с наставником?")

# The platform's default questionnaires (the target model's monitoring), as data: a region
# edits them by making its own versions, never by changing code. Codes are stable; wording is not.
DEFAULTS: tuple[tuple[str, str, str, str, str, list[dict[str, Any]]], ...] = (
    (
        "mentee_start_learners",
        "mentee",
        "learners",
        "start",
        "Анкета наставляемого в начале программы",
        [
            _scale(
                "expected_usefulness", "Насколько полезной, по вашему ожиданию, будет работа с наставником?"
            ),
            _scale(
                "expected_help",
                "Насколько вы рассчитываете, что наставник поможет вам справиться с вашими трудностями?",
            ),
            _scale(
                "expected_interest", "Насколько интересными, по вашему ожиданию, будут встречи с наставником?"
            ),
            MENTEE_EXPECTATIONS,
        ],
    ),
    (
        "mentee_start_pedagogues",
        "mentee",
        "pedagogues",
        "start",
        "Анкета молодого педагога в начале программы",
        [
            _scale(
                "expected_usefulness", "Насколько полезной, по вашему ожиданию, будет работа с наставником?"
            ),
            _scale(
                "expected_help",
                "Насколько вы рассчитываете, что наставник поможет вам справиться с профессиональными"
                " трудностями?",
            ),
            STAY,
            MENTEE_EXPECTATIONS,
        ],
    ),
    (
        "mentee_end_learners",
        "mentee",
        "learners",
        "end",
        "Анкета наставляемого по итогам программы",
        [*MENTEE_END, MENTEE_END_COMMENT],
    ),
    (
        "mentee_end_pedagogues",
        "mentee",
        "pedagogues",
        "end",
        "Анкета молодого педагога по итогам программы",
        [*MENTEE_END, STAY, MENTEE_END_COMMENT],
    ),
    (
        "mentor_start",
        "mentor",
        "both",
        "start",
        "Анкета наставника в начале программы",
        [
            _scale(
                "expected_usefulness_self",
                "Насколько полезным, по вашему ожиданию, будет наставничество для вас самих?",
            ),
            _scale(
                "expected_progress", "Насколько вы уверены, что наставляемый достигнет поставленных целей?"
            ),
            _scale("readiness", "Насколько вы чувствуете себя готовым к роли наставника?"),
            _free("expectations", "Чего вы ожидаете от наставничества?"),
        ],
    ),
    (
        "mentor_end",
        "mentor",
        "both",
        "end",
        "Анкета наставника по итогам программы",
        [
            _scale("usefulness_self", "Насколько полезным было наставничество для вас самих?"),
            _scale("communication_comfort", "Насколько комфортным было общение с наставляемым?"),
            _scale("mentee_progress", "Насколько заметен прогресс наставляемого?"),
            _scale("continue_wish", "Хотели бы вы продолжить работу с этим наставляемым?"),
            _scale("mentor_again", "Хотели бы вы снова стать наставником?"),
            _free("comment", "Что помогало и что мешало работе пары?"),
        ],
    ),
)

# Regions whose staff the acting identity is (region role): the only ones whose templates it may write.
STAFF_REGIONS_FUNCTION = """
CREATE FUNCTION nastavnik_staff_regions() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT s.region_id
      FROM public.staff_assignment s
     WHERE s.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
       AND s.role = 'region'
$$
"""

# The acting person of the current organisation, and whether they run its programme: the answers'
# policy reads them, so a mentor cannot read a mentee's answers even if a service forgot to check.
CURRENT_PERSON_FUNCTION = """
CREATE FUNCTION nastavnik_current_person() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT p.id
      FROM public.person p
     WHERE p.org_id = public.nastavnik_current_org()
       AND p.identity_id = NULLIF(current_setting('nastavnik.identity_id', true), '')::uuid
       AND p.status = 'active'
     LIMIT 1
$$
"""
CURRENT_IS_MANAGER_FUNCTION = """
CREATE FUNCTION nastavnik_current_is_manager() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM public.person_role r
         WHERE r.org_id = public.nastavnik_current_org()
           AND r.person_id = public.nastavnik_current_person()
           AND r.role IN ('curator', 'director'))
$$
"""

# A published version is what answers were given under: nobody changes or removes it, not even
# the owner role by hand. A draft may be saved again and published once.
VERSION_GUARD = """
CREATE FUNCTION nastavnik_questionnaire_version_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'questionnaire version % is published and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.template_id <> OLD.template_id OR NEW.number <> OLD.number) THEN
        RAISE EXCEPTION 'a questionnaire version keeps its template and number'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
"""
# A template's identity (owner, code, audience, regime, moment) decides who is assigned it: fixed.
TEMPLATE_GUARD = """
CREATE FUNCTION nastavnik_questionnaire_template_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.region_id IS DISTINCT FROM OLD.region_id OR NEW.code <> OLD.code
       OR NEW.audience <> OLD.audience OR NEW.regime <> OLD.regime OR NEW.moment <> OLD.moment THEN
        RAISE EXCEPTION 'only the title of a questionnaire template may change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
"""

FUNCTIONS = (
    "nastavnik_staff_regions()",
    "nastavnik_current_person()",
    "nastavnik_current_is_manager()",
)


def upgrade() -> None:
    op.create_table(
        "questionnaire_template",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("moment", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "audience IN ('mentor', 'mentee')", name=op.f("ck_questionnaire_template_audience_known")
        ),
        sa.CheckConstraint(
            "regime IN ('learners', 'pedagogues', 'both')",
            name=op.f("ck_questionnaire_template_regime_known"),
        ),
        sa.CheckConstraint("moment IN ('start', 'end')", name=op.f("ck_questionnaire_template_moment_known")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_questionnaire_template_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_template")),
    )
    op.create_index(
        "uq_questionnaire_template_default_code",
        "questionnaire_template",
        ["code"],
        unique=True,
        postgresql_where="region_id IS NULL",
    )
    op.create_index(
        "uq_questionnaire_template_region_code",
        "questionnaire_template",
        ["region_id", "code"],
        unique=True,
        postgresql_where="region_id IS NOT NULL",
    )
    op.create_table(
        "questionnaire_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_questionnaire_version_status_known")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_questionnaire_version_number_positive")),
        sa.CheckConstraint(
            "jsonb_typeof(items) = 'array'", name=op.f("ck_questionnaire_version_items_array")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["questionnaire_template.id"],
            name=op.f("fk_questionnaire_version_template_id_questionnaire_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_version")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_questionnaire_version_template_id_number")
        ),
    )
    op.create_index(
        "uq_questionnaire_version_one_draft",
        "questionnaire_version",
        ["template_id"],
        unique=True,
        postgresql_where="status = 'draft'",
    )
    op.create_table(
        "questionnaire_assignment",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("moment", sa.String(length=16), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('mentor', 'mentee')", name=op.f("ck_questionnaire_assignment_role_known")
        ),
        sa.CheckConstraint(
            "moment IN ('start', 'end')", name=op.f("ck_questionnaire_assignment_moment_known")
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "group_id"],
            ["mentoring_group.org_id", "mentoring_group.id"],
            name=op.f("fk_questionnaire_assignment_org_id_group_id_mentoring_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "person_id"],
            ["person.org_id", "person.id"],
            name=op.f("fk_questionnaire_assignment_org_id_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["questionnaire_version.id"],
            name=op.f("fk_questionnaire_assignment_version_id_questionnaire_version"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_questionnaire_assignment")),
        sa.UniqueConstraint(
            "org_id",
            "group_id",
            "person_id",
            "moment",
            name=op.f("uq_questionnaire_assignment_org_id_group_id_person_id_moment"),
        ),
    )
    op.create_index("ix_questionnaire_assignment_person", "questionnaire_assignment", ["org_id", "person_id"])
    op.create_index(
        "ix_questionnaire_assignment_version", "questionnaire_assignment", ["org_id", "version_id"]
    )
    op.create_table(
        "questionnaire_answer",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(score IS NULL) <> (text IS NULL)", name=op.f("ck_questionnaire_answer_score_or_text")
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name=op.f("ck_questionnaire_answer_score_range")),
        sa.ForeignKeyConstraint(
            ["org_id", "assignment_id"],
            ["questionnaire_assignment.org_id", "questionnaire_assignment.id"],
            name=op.f("fk_questionnaire_answer_org_id_assignment_id_questionnaire_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "assignment_id", "item_key", name=op.f("pk_questionnaire_answer")),
    )
    _seed()
    _secure()


def _seed() -> None:
    templates = sa.table(
        "questionnaire_template",
        sa.column("id", sa.Uuid()),
        sa.column("region_id", sa.Uuid()),
        sa.column("code", sa.String()),
        sa.column("audience", sa.String()),
        sa.column("regime", sa.String()),
        sa.column("moment", sa.String()),
        sa.column("title", sa.String()),
    )
    versions = sa.table(
        "questionnaire_version",
        sa.column("id", sa.Uuid()),
        sa.column("template_id", sa.Uuid()),
        sa.column("number", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("items", postgresql.JSONB()),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    template_rows, version_rows = [], []
    for code, audience, regime, moment, title, items in DEFAULTS:
        template_id = uuid.uuid4()
        template_rows.append(
            {
                "id": template_id,
                "region_id": None,
                "code": code,
                "audience": audience,
                "regime": regime,
                "moment": moment,
                "title": title,
            }
        )
        version_rows.append(
            {
                "id": uuid.uuid4(),
                "template_id": template_id,
                "number": 1,
                "status": "published",
                "items": items,
                "published_at": sa.func.now(),
            }
        )
    op.bulk_insert(templates, template_rows)
    for row in version_rows:  # one by one: bulk_insert cannot take an SQL expression per row
        op.execute(versions.insert().values(**row))


def _secure() -> None:
    roles = migration_roles()
    op.execute(STAFF_REGIONS_FUNCTION)
    op.execute(CURRENT_PERSON_FUNCTION)
    op.execute(CURRENT_IS_MANAGER_FUNCTION)
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{roles.app}"')

    # Shared templates: everyone reads; region staff write their own region's only (the services check
    # it first; the policies hold even if a service forgot). Nobody deletes through the application.
    own_template = "region_id IN (SELECT nastavnik_staff_regions())"
    own_version = (
        "template_id IN (SELECT t.id FROM questionnaire_template t"
        " WHERE t.region_id IN (SELECT nastavnik_staff_regions()))"
    )
    for table, own in (("questionnaire_template", own_template), ("questionnaire_version", own_version)):
        grant_shared_read(table)
        op.execute(f'GRANT INSERT, UPDATE ON {table} TO "{roles.app}"')
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        readers = f'"{roles.app}", "{roles.auditor}"'
        op.execute(f"CREATE POLICY shared_read ON {table} FOR SELECT TO {readers} USING (true)")
        op.execute(f'CREATE POLICY region_insert ON {table} FOR INSERT TO "{roles.app}" WITH CHECK ({own})')
        op.execute(
            f'CREATE POLICY region_update ON {table} FOR UPDATE TO "{roles.app}"'
            f" USING ({own}) WITH CHECK ({own})"
        )
        op.execute(
            f'CREATE POLICY owner_maintenance ON {table} TO "{roles.owner}" USING (true) WITH CHECK (true)'
        )
    op.execute(VERSION_GUARD)
    op.execute(TEMPLATE_GUARD)
    op.execute(
        "CREATE TRIGGER immutable_when_published BEFORE UPDATE OR DELETE ON questionnaire_version"
        " FOR EACH ROW EXECUTE FUNCTION nastavnik_questionnaire_version_guard()"
    )
    op.execute(
        "CREATE TRIGGER identity_fixed BEFORE UPDATE ON questionnaire_template"
        " FOR EACH ROW EXECUTE FUNCTION nastavnik_questionnaire_template_guard()"
    )

    enable_tenant_rls("questionnaire_assignment")
    # Answers are given once and never edited: the application may read and insert, not change.
    enable_tenant_rls("questionnaire_answer", app_writes=False)
    op.execute(f'GRANT INSERT ON questionnaire_answer TO "{roles.app}"')
    # Inside the organisation, a person's answers are read by that person and its curator or director
    # only. Restrictive: it narrows the tenant policy. No oversight policy: the region never reads them.
    op.execute(
        "CREATE POLICY respondent_or_manager ON questionnaire_answer AS RESTRICTIVE"
        f' FOR SELECT TO "{roles.app}"'
        " USING ((SELECT nastavnik_current_is_manager()) OR assignment_id IN ("
        "SELECT a.id FROM questionnaire_assignment a"
        " WHERE a.person_id = (SELECT nastavnik_current_person())))"
    )


def downgrade() -> None:
    op.drop_table("questionnaire_answer")
    op.drop_index("ix_questionnaire_assignment_version", table_name="questionnaire_assignment")
    op.drop_index("ix_questionnaire_assignment_person", table_name="questionnaire_assignment")
    op.drop_table("questionnaire_assignment")
    op.drop_index("uq_questionnaire_version_one_draft", table_name="questionnaire_version")
    op.drop_table("questionnaire_version")
    op.drop_index("uq_questionnaire_template_region_code", table_name="questionnaire_template")
    op.drop_index("uq_questionnaire_template_default_code", table_name="questionnaire_template")
    op.drop_table("questionnaire_template")
    op.execute("DROP FUNCTION nastavnik_questionnaire_version_guard()")
    op.execute("DROP FUNCTION nastavnik_questionnaire_template_guard()")
    for function in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION {function}")
