"""Plan completion and satisfaction, counted from the plans' ticks and the final questionnaires' scores.

A fresh school of region R1 with one group of five young teachers: three plan tasks (two ticked by
the snapshot date, one of them after it), final questionnaires answered by the five mentees and the
mentor, and a start questionnaire that must not count.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup
from nastavnik.domain.questionnaires.models import QuestionnaireAnswer, QuestionnaireAssignment
from nastavnik.domain.statistics.figures import Figure
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.domain.work.models import PlanItem
from nastavnik.runtime import Runtime
from tests.statistics.stored import org_rows
from tests.support.dates import RegionDates
from tests.support.tenant import Named, add_mentee, add_mentor, new_tenant
from tests.support.world import World, default_version


async def test_plan_completion_and_satisfaction_of_a_school(
    runtime: Runtime, world: World, dates: RegionDates
) -> None:
    year = dates.year
    as_of = date(year, 12, 1)
    before = datetime(year, 11, 20, 12, tzinfo=UTC)
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), capacity=5)
    mentees = [await add_mentee(runtime, tenant, Named(f"Молодая{n}", "Анна", "Ивановна")) for n in range(5)]
    async with runtime.owner_sessions() as db:
        programme = Programme(org_id=tenant.id, id=uuid.uuid4(), academic_year=year, regime="pedagogues")
        db.add(programme)
        await db.flush()
        group = MentoringGroup(
            org_id=tenant.id,
            id=uuid.uuid4(),
            programme_id=programme.id,
            form_code="teacher_teacher",
            kind_code="group",
            starts_on=date(year, 9, 1),
            ends_on=date(year + 1, 5, 31),
            status="completed",
            reasons=[],
        )
        db.add(group)
        await db.flush()
        db.add(GroupMember(org_id=tenant.id, group_id=group.id, person_id=mentor, role="mentor"))
        db.add_all(
            GroupMember(org_id=tenant.id, group_id=group.id, person_id=m, role="mentee") for m in mentees
        )
        for done_on in (
            date(year, 10, 1),
            date(year, 12, 10),
            None,
        ):  # the second is ticked after the snapshot
            db.add(
                PlanItem(
                    org_id=tenant.id,
                    id=uuid.uuid4(),
                    group_id=group.id,
                    mentee_id=mentees[0],
                    goal="Цель",
                    task="Задача",
                    due_on=date(year + 1, 3, 1),
                    done=done_on is not None,
                    done_on=done_on,
                )
            )
        _, mentee_end = await default_version(db, "mentee_end_pedagogues")
        _, mentee_start = await default_version(db, "mentee_start_pedagogues")
        _, mentor_end = await default_version(db, "mentor_end")

        def answered(
            person: uuid.UUID, role: str, version: uuid.UUID, moment: str, when: datetime
        ) -> uuid.UUID:
            assignment = QuestionnaireAssignment(
                org_id=tenant.id,
                id=uuid.uuid4(),
                group_id=group.id,
                person_id=person,
                role=role,
                moment=moment,
                version_id=version,
                completed_at=when,
            )
            db.add(assignment)
            return assignment.id

        scores = (6, 7, 8, 9, 10)
        given = [answered(m, "mentee", mentee_end, "end", before) for m in mentees]
        late = answered(mentees[0], "mentee", mentee_start, "start", before)
        mentors = answered(mentor, "mentor", mentor_end, "end", before)
        await db.flush()
        for assignment, score in zip(given, scores, strict=True):
            db.add(
                QuestionnaireAnswer(
                    org_id=tenant.id, assignment_id=assignment, item_key="usefulness", score=score
                )
            )
            db.add(
                QuestionnaireAnswer(org_id=tenant.id, assignment_id=assignment, item_key="comfort", score=10)
            )
            db.add(
                QuestionnaireAnswer(
                    org_id=tenant.id, assignment_id=assignment, item_key="wishes", text="Спасибо"
                )
            )
        db.add(QuestionnaireAnswer(org_id=tenant.id, assignment_id=late, item_key="expected", score=1))
        db.add(
            QuestionnaireAnswer(org_id=tenant.id, assignment_id=mentors, item_key="usefulness_self", score=9)
        )
        await db.commit()

    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.ORGANISATION, tenant.id, year, as_of)
    )
    rows = await org_rows(runtime, tenant.id, year, as_of)
    # Three tasks; one ticked by 01.12, one ticked on 10.12 (after the snapshot), one open: 1 of 3.
    assert rows[("plan_completion", "")] == (1, 3, None)
    # Mentees' end questionnaire: «usefulness» 6+7+8+9+10 = 40 over 5 scores by 5 people; «comfort»
    # 5 × 10 = 50; overall 90 over 10 scores. The free-text answer and the start questionnaire do not count.
    assert rows[("satisfaction_mentees", "item:usefulness")] == (40, 5, 5)
    assert rows[("satisfaction_mentees", "item:comfort")] == (50, 5, 5)
    assert rows[("satisfaction_mentees", "")] == (90, 10, 5)
    # One mentor: counted, but an average over one respondent is never shown.
    assert rows[("satisfaction_mentors", "")] == (9, 1, 1)
    indicators = {q.indicator.key: q.indicator for q in catalogue(runtime.plugins)}
    assert Figure(indicators["satisfaction_mentees"], 40, 5, 5).text == "8,00"
    assert Figure(indicators["satisfaction_mentors"], 9, 1, 1).value is None
    assert Figure(indicators["plan_completion"], 1, 3, None).text == "33,3\u00a0%"

    # Over a municipality the satisfaction queries are planned without nested loops: the same figures.
    await recompute(
        runtime.aggregator_engine,
        runtime.plugins,
        Snapshot(ScopeKind.MUNICIPALITY, world.municipalities["M1"], year, as_of),
    )
    assert await org_rows(runtime, tenant.id, year, as_of) == rows
