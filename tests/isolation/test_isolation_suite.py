"""Every route of the OpenAPI document, called by a member of one organisation with another's
slugs and ids: 404 and no canary. Run twice: with the service layer's checks, and with them
switched off, where PostgreSQL's row-level security alone must hold.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import func, select

from nastavnik.domain.accounts.models import AccountBatch, AccountEntry
from nastavnik.domain.dictionaries.models import RegionDictionaryEntry
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup, MentoringOrder
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireCampaign,
)
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.domain.statistics.models import StatOrgValue
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.runtime import Runtime
from nastavnik.testing import app_routes, app_with, client_for, cross_tenant_problems, fill, readable
from tests.isolation.routes import (
    BODIES,
    DOCX_ROUTES,
    GLOBAL_ROUTES,
    NOT_PROBED,
    OBJECT_IDS,
    PARAMS,
    SHAPE_OF,
    VALIDATING_POSTS,
)
from tests.support.world import OrgWorld, World

pytestmark = pytest.mark.isolation

# (attacker, victim): a school against a school (plugin routes exist on both sides) and a
# kindergarten against a school (the plugin is not even active for the attacker).
PAIRS = (("school_a", "school_b"), ("kindergarten_c", "school_b"), ("school_b", "school_x"))


def values_of(world: World, victim: OrgWorld, shape: str | None = None) -> dict[str, str]:
    """Every path parameter the suite knows, naming the victim's objects; with ``shape``, the methodical
    work's shape called (and for a decade, the victim's decade)."""
    values = {name: value(world, victim) for name, value in PARAMS.items()}
    if shape is not None:
        values["shape"] = shape
    if shape == "decade":
        values["association_id"] = str(victim.decade_id)
    return values


async def snapshot(runtime: Runtime, org: OrgWorld) -> dict[str, Any]:
    """What the victim owns, read as the owner: it must not change under attack."""
    async with runtime.owner_sessions() as db:
        people = sorted(
            (p.id, p.last_name, p.version)
            for p in await db.scalars(select(Person).where(Person.org_id == org.id))
        )
        roles = sorted(
            (r.person_id, r.role)
            for r in await db.scalars(select(PersonRole).where(PersonRole.org_id == org.id))
        )
        counts = sorted(
            (h.academic_year, h.learners_total)
            for h in await db.scalars(select(Headcount).where(Headcount.org_id == org.id))
        )
        plugins = sorted(
            (s.plugin, s.enabled)
            for s in await db.scalars(select(OrgPluginSetting).where(OrgPluginSetting.org_id == org.id))
        )
        groups = sorted(
            (g.id, g.status, g.version)
            for g in await db.scalars(select(MentoringGroup).where(MentoringGroup.org_id == org.id))
        )
        members = await db.scalar(
            select(func.count()).select_from(GroupMember).where(GroupMember.org_id == org.id)
        )
        orders = sorted(
            (o.id, o.number)
            for o in await db.scalars(select(MentoringOrder).where(MentoringOrder.org_id == org.id))
        )
        plan = sorted(
            (i.id, i.task, i.done, i.version)
            for i in await db.scalars(select(PlanItem).where(PlanItem.org_id == org.id))
        )
        journal = sorted(
            (e.id, e.topic, e.met_on, e.version)
            for e in await db.scalars(select(JournalEntry).where(JournalEntry.org_id == org.id))
        )
        assignments = sorted(
            (a.id, a.version_id, a.completed_at)
            for a in await db.scalars(
                select(QuestionnaireAssignment).where(QuestionnaireAssignment.org_id == org.id)
            )
        )
        campaigns = sorted(
            (c.id, c.purpose, c.academic_year, c.version_id)
            for c in await db.scalars(
                select(QuestionnaireCampaign).where(QuestionnaireCampaign.org_id == org.id)
            )
        )
        answers = sorted(
            (a.assignment_id, a.item_key, a.score, a.text)
            for a in await db.scalars(select(QuestionnaireAnswer).where(QuestionnaireAnswer.org_id == org.id))
        )
        batches = await db.scalar(
            select(func.count()).select_from(AccountBatch).where(AccountBatch.org_id == org.id)
        )
        accounts = sorted(
            (a.batch_id, a.person_id, a.status, a.username, a.delivered_at)
            for a in await db.scalars(select(AccountEntry).where(AccountEntry.org_id == org.id))
        )
        emails = sorted(
            (p.id, p.email, p.identity_id)
            for p in await db.scalars(select(Person).where(Person.org_id == org.id))
        )
        # Shared, but the victim's region's own: nobody inside an organisation may change it.
        wording = sorted(
            (w.kind, w.regime, w.code, w.organisation_type or "", w.title or "", w.hidden, w.version)
            for w in await db.scalars(
                select(RegionDictionaryEntry).where(RegionDictionaryEntry.region_id == org.region_id)
            )
        )
        figures = sorted(
            (v.academic_year, v.as_of, v.indicator, v.breakdown, v.numerator, v.denominator)
            for v in await db.scalars(select(StatOrgValue).where(StatOrgValue.org_id == org.id))
        )
        templates = sorted(
            (t.code, t.file_name, hashlib.sha256(t.content).hexdigest(), t.uploaded_at, t.uploaded_by)
            for t in await db.scalars(
                select(RegionDocumentTemplate).where(RegionDocumentTemplate.region_id == org.region_id)
            )
        )
        methodical = await _methodical(db, org)
    return {
        "methodical": methodical,
        "people": people,
        "emails": emails,
        "account_batches": batches,
        "accounts": accounts,
        "roles": roles,
        "headcounts": counts,
        "plugins": plugins,
        "groups": groups,
        "members": members,
        "orders": orders,
        "plan": plan,
        "journal": journal,
        "questionnaire_assignments": assignments,
        "questionnaire_answers": answers,
        "questionnaire_campaigns": campaigns,
        "region_dictionaries": wording,
        "figures": figures,
        "region_document_templates": templates,
    }


async def _methodical(db: Any, org: OrgWorld) -> dict[str, list[Any]]:
    """The victim's clubs, decades, councils and groups, their members, events and participants."""
    return {
        "associations": sorted(
            (a.id, a.name, a.summary, a.leader_id, a.version)
            for a in await db.scalars(select(Association).where(Association.org_id == org.id))
        ),
        "members": sorted(
            (m.association_id, m.person_id, m.role, m.position)
            for m in await db.scalars(select(AssociationMember).where(AssociationMember.org_id == org.id))
        ),
        "events": sorted(
            (e.id, e.topic, e.held_on, e.status, e.version)
            for e in await db.scalars(select(AssociationEvent).where(AssociationEvent.org_id == org.id))
        ),
        "participants": sorted(
            (p.event_id, p.person_id, p.role, p.place or "")
            for p in await db.scalars(select(EventParticipant).where(EventParticipant.org_id == org.id))
        ),
    }


async def test_every_route_is_known_to_the_suite(app: Litestar, world: World) -> None:
    async with client_for(app, world.orgs["school_a"].identities["curator"]) as client:
        routes = await app_routes(client)
    assert routes, "the OpenAPI document lists no routes"
    unknown = [r for r in routes if "{slug}" not in r[1] and r not in GLOBAL_ROUTES]
    assert not unknown, f"routes outside an organisation must be classified in GLOBAL_ROUTES: {unknown}"
    writes_without_body = [r for r in routes if "{slug}" in r[1] and r[0] != "GET" and r not in BODIES]
    assert not writes_without_body, f"write routes need a body sample in BODIES: {writes_without_body}"
    undeclared_documents = [r for r in routes if r[1].endswith(".docx") and r not in DOCX_ROUTES]
    assert not undeclared_documents, f"list .docx downloads in DOCX_ROUTES: {undeclared_documents}"
    stale = [r for r in (*GLOBAL_ROUTES, *BODIES, *DOCX_ROUTES) if r not in routes]
    assert not stale, f"the suite lists routes that no longer exist: {stale}"


async def _attack(runtime: Runtime, app: Litestar, world: World, *, service_filter: bool) -> list[str]:
    problems: list[str] = []
    for attacker_key, victim_key in PAIRS:
        attacker, victim = world.orgs[attacker_key], world.orgs[victim_key]
        foreign_canaries = [c for k, c in world.canaries.items() if k != attacker_key] + [
            c for code, c in world.region_canaries.items() if world.regions[code] != attacker.region_id
        ]
        before = await snapshot(runtime, victim)
        async with client_for(app, attacker.identities["curator"]) as client:
            routes = [r for r in await app_routes(client) if r not in NOT_PROBED]
        by_shape: dict[str | None, list[tuple[str, str]]] = {}
        for route in routes:
            by_shape.setdefault(SHAPE_OF.get(route), []).append(route)
        for shape, shaped in by_shape.items():
            problems += await cross_tenant_problems(
                app,
                shaped,
                attacker=attacker.identities["curator"],
                attacker_slug=attacker.slug,
                victim=values_of(world, victim, shape),
                objects=OBJECT_IDS,
                bodies=BODIES,
                canaries=foreign_canaries,
                service_filter=service_filter,
                lenient=VALIDATING_POSTS,
                documents=DOCX_ROUTES,
            )
        after = await snapshot(runtime, victim)
        if before != after:
            problems.append(
                f"{victim_key}'s data changed under attack from {attacker_key}: {before} -> {after}"
            )
    return problems


async def test_foreign_slugs_and_ids_answer_404_without_canaries(
    runtime: Runtime, app: Litestar, world: World
) -> None:
    problems = await _attack(runtime, app, world, service_filter=True)
    assert not problems, "\n".join(problems)


async def test_row_level_security_alone_holds(runtime: Runtime, world: World) -> None:
    """The service layer's tenant checks switched off: PostgreSQL must still refuse everything.

    Reads of lists may then answer 200 with nothing in them (RLS filters silently); no canary
    may appear, no write may be accepted, and the victims' rows must be unchanged.
    """
    problems = await _attack(
        runtime, app_with(runtime, service_tenant_filter=False), world, service_filter=False
    )
    assert not problems, "\n".join(problems)


async def test_own_organisation_still_works(app: Litestar, world: World) -> None:
    """The suite would pass vacuously if everything answered 404: the owners must see their data."""
    org = world.orgs["school_a"]
    report_route = ("GET", "/api/o/{slug}/programmes/{programme_id}/report.docx")
    async with client_for(app, org.identities["curator"]) as client:
        people = await client.get(f"/api/o/{org.slug}/people")
        report = await client.get(fill(report_route[1], values_of(world, org)))
        dictionaries = await client.get(f"/api/o/{org.slug}/dictionaries")
        club = await client.get(f"/api/o/{org.slug}/methodical/club/{org.club_id}")
        decade = await client.get(f"/api/o/{org.slug}/methodical/decade/{org.decade_id}")
        note = await client.get(f"/api/o/{org.slug}/methodical/decade/{org.decade_id}/note.docx")
    assert world.region_canaries["R1"] in dictionaries.text  # the region's own wording reaches its schools
    assert people.status_code == 200
    assert org.canary in people.text
    assert decade.status_code == 200
    assert org.canary in decade.text
    assert note.status_code == 200
    assert org.canary.lower() in readable(note, document=True)  # the decade's own name, in its note
    assert club.status_code == 200
    assert f"{org.canary} встреча" in club.text
    group = f"/api/o/{org.slug}/programmes/{org.programme_id}/groups/{org.group_id}"
    async with client_for(app, org.identities["mentee"]) as client:
        plan = await client.get(f"{group}/plan")
        journal = await client.get(f"{group}/journal")
    assert plan.status_code == 200
    assert f"{org.canary} задача" in plan.text
    assert journal.status_code == 200
    assert f"{org.canary} тема" in journal.text
    # The diagnostics: the curator reads its results, the pair's mentor what the mentee wrote in it.
    async with client_for(app, org.identities["mentor"]) as client:
        mentors_plan = await client.get(f"{group}/plan")
    assert f"{org.canary} затруднение" in mentors_plan.text
    async with client_for(app, org.identities["curator"]) as client:
        diagnostics = await client.get(f"/api/o/{org.slug}/diagnostics")
    assert diagnostics.status_code == 200
    assert diagnostics.json()["respondents"] == 1
    # The .docx reader sees the organisation's own names: the leak check on documents is not vacuous.
    assert report.status_code == 200
    assert org.canary.lower() in readable(report, document=True)
