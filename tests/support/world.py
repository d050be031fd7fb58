"""A small region of several tenants, each seeded with canary strings that must never leak.

Two regions: «R1» with municipalities M1 and M2 holding two schools and a kindergarten
(the isolation suite's three tenants), and «R2» with one school, so that the region's
own scope is tested too. Each region words its dictionaries with a canary of its own (an added
role model), which only that region's organisations may ever show. R2 also has its own template
of the thank-you letters carrying its canary (R1 keeps the standard templates: other tests read
R1's documents).
"""

from __future__ import annotations

import io
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import docx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.domain.accounts.models import AccountBatch, AccountEntry
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.dictionaries.models import RegionDictionaryEntry
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.domain.methodical.models import (
    Association,
    AssociationEvent,
    AssociationMember,
    EventParticipant,
)
from nastavnik.domain.notifications.models import Notification
from nastavnik.domain.programmes.models import Programme, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup, MentoringOrder, OrderGroup
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireCampaign,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.statistics.headcount_models import Headcount
from nastavnik.domain.work.models import JournalEntry, PlanItem
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity, StaffAssignment
from nastavnik.models.people import Person, PersonRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.models.reference import Municipality, Organisation, Region
from nastavnik.runtime import Runtime
from tests.support.dates import TIMEZONE, region_today, region_year

PROGRAMME_ROLES = ("curator", "mentor", "mentee")


@dataclass
class OrgWorld:
    key: str
    id: uuid.UUID
    slug: str
    type: str
    municipality_id: uuid.UUID
    region_id: uuid.UUID
    canary: str
    identities: dict[str, uuid.UUID] = field(default_factory=dict)  # role -> identity
    persons: dict[str, uuid.UUID] = field(default_factory=dict)  # role -> person
    learner_id: uuid.UUID | None = None
    decade_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    roadmap_item_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    plan_item_id: uuid.UUID | None = None
    journal_entry_id: uuid.UUID | None = None
    assignment_id: uuid.UUID | None = None
    """The mentee's start questionnaire of the pair, answered, the canary in its free text."""
    account_batch_id: uuid.UUID | None = None
    club_id: uuid.UUID | None = None
    """The young teachers' club of the year: the mentor leads it, the mentee is a member, the canary its name."""
    club_event_id: uuid.UUID | None = None
    """The club's meeting (the canary its topic), which the mentee attended."""
    notification_id: uuid.UUID | None = None
    """The curator's notification (the canary in its parameters), already past e-mail (no address)."""


@dataclass
class World:
    orgs: dict[str, OrgWorld]
    staff: dict[str, uuid.UUID]  # region, municipality, auditor, outsider, region2 -> identity
    regions: dict[str, uuid.UUID]
    municipalities: dict[str, uuid.UUID]
    year: int
    template_id: uuid.UUID | None = None
    """A platform questionnaire template (shared data) and its first version, for global routes."""
    version_id: uuid.UUID | None = None
    region_canaries: dict[str, str] = field(default_factory=dict)  # region code -> its dictionary canary

    @property
    def canaries(self) -> dict[str, str]:
        return {k: o.canary for k, o in self.orgs.items()}


ORG_SPECS = (
    # key, type, municipality, region
    ("school_a", "school", "M1", "R1"),
    ("school_b", "school", "M2", "R1"),
    ("kindergarten_c", "kindergarten", "M2", "R1"),
    ("school_x", "school", "M3", "R2"),
    ("school_h", "school", "M1", "R1"),  # the role x route harness's own: its data gets changed
)


def _inn(n: int) -> str:
    return with_inn_check_digit(f"{770000000 + n:09d}")


def _identity(label: str) -> Identity:
    return Identity(issuer="test-issuer", subject=f"{label}-{secrets.token_hex(4)}", display_name=label)


async def add_held_decade(db: AsyncSession, ow: OrgWorld, learner_id: uuid.UUID, year: int) -> uuid.UUID:
    """A subject decade of the academic year, the canary in its titles, the mentor responsible, with an
    open lesson held in which the learner took part: the school's methodical work for the isolation suite
    and its indicators."""
    decade = Association(
        org_id=ow.id,
        id=uuid.uuid4(),
        shape="decade",
        academic_year=year,
        name=f"Декада {ow.canary}",
        subject_area=f"{ow.canary} математика",
        starts_on=date(year, 11, 10),
        ends_on=date(year, 11, 20),
    )
    lesson = AssociationEvent(
        org_id=ow.id,
        id=uuid.uuid4(),
        association_id=decade.id,
        held_on=date(year, 11, 12),
        topic=f"Открытый урок {ow.canary}",
        form="open_lesson",
        status="held",
    )
    db.add(decade)
    await db.flush()
    db.add(lesson)
    await db.flush()
    db.add(EventParticipant(org_id=ow.id, event_id=lesson.id, person_id=learner_id, role="learner"))
    db.add(
        AssociationMember(
            org_id=ow.id, association_id=decade.id, person_id=ow.persons["mentor"], role="responsible"
        )
    )
    await db.flush()
    return decade.id


async def add_notification(db: AsyncSession, ow: OrgWorld, role: str = "curator") -> uuid.UUID:
    """An unread notification of the person of ``role``, the canary in the stage it names, already past
    e-mail (the world's people have no address); flushed."""
    notification = Notification(
        org_id=ow.id,
        id=uuid.uuid4(),
        person_id=ow.persons[role],
        kind="stage_waiting",
        params={"stage_title": f"{ow.canary} этап"},
        dedup_key=f"world:{uuid.uuid4()}",
        created_at=clock.now(),
        email_state="skipped",
        email_due_at=clock.now(),
    )
    db.add(notification)
    await db.flush()
    return notification.id


async def build_world(runtime: Runtime) -> World:
    token = secrets.token_hex(3)
    year = region_year()
    async with runtime.owner_sessions() as db:
        regions = {
            code: Region(code=f"{code}-{token}", name=f"Регион {code}", timezone=TIMEZONE)
            for code in ("R1", "R2")
        }
        db.add_all(regions.values())
        await db.flush()
        region_canaries = {code: f"CANARY-{code}-{secrets.token_hex(4)}" for code in regions}
        db.add_all(
            RegionDictionaryEntry(
                region_id=region.id,
                kind="role_model",
                regime="pedagogues",
                code="canary_role",
                organisation_type=None,
                title=region_canaries[code],
                hidden=False,
                added=True,
                description="",
                mentor_categories=[],
            )
            for code, region in regions.items()
        )
        municipalities = {
            "M1": Municipality(region_id=regions["R1"].id, name=f"Муниципалитет 1 {token}"),
            "M2": Municipality(region_id=regions["R1"].id, name=f"Муниципалитет 2 {token}"),
            "M3": Municipality(region_id=regions["R2"].id, name=f"Муниципалитет 3 {token}"),
        }
        db.add_all(municipalities.values())
        await db.flush()
        staff: dict[str, uuid.UUID] = {}
        for key, role, region, municipality in (
            ("region", "region", "R1", None),
            ("municipality", "municipality", "R1", "M1"),
            ("auditor", "auditor", "R1", None),
            ("region2", "region", "R2", None),
            ("outsider", None, None, None),
        ):
            identity = _identity(f"staff-{key}")
            db.add(identity)
            await db.flush()
            staff[key] = identity.id
            if role:
                db.add(
                    StaffAssignment(
                        identity_id=identity.id,
                        role=role,
                        region_id=regions[region].id,  # type: ignore[index]
                        municipality_id=municipalities[municipality].id if municipality else None,
                    )
                )
        db.add(
            RegionDocumentTemplate(
                region_id=regions["R2"].id,
                code="thank_you_letters",
                content=region_letters_template(region_canaries["R2"]),
                file_name="Благодарность R2.docx",
                uploaded_by=staff["region2"],
            )
        )
        orgs: dict[str, OrgWorld] = {}
        for n, (key, org_type, muni, region) in enumerate(ORG_SPECS, start=1):
            slug = f"{key.replace('_', '-')}-{token}"
            org = Organisation(
                municipality_id=municipalities[muni].id,
                type=org_type,
                full_name=f"Организация {key}",
                short_name=key,
                inn=_inn(int(token, 16) % 100000 * 10 + n),
                slug=slug,
            )
            db.add(org)
            await db.flush()
            canary = f"CANARY-{key}-{secrets.token_hex(4)}"
            ow = OrgWorld(key, org.id, slug, org_type, municipalities[muni].id, regions[region].id, canary)
            for role in PROGRAMME_ROLES:
                identity = _identity(f"{key}-{role}")
                db.add(identity)
                await db.flush()
                person = Person(
                    org_id=org.id,
                    identity_id=identity.id,
                    last_name=f"{canary}-{role}",
                    first_name="Имя",
                    middle_name=None,
                    category="pedagogue",
                )
                db.add(person)
                await db.flush()
                db.add(PersonRole(org_id=org.id, person_id=person.id, role=role))
                ow.identities[role], ow.persons[role] = identity.id, person.id
            learner = Person(
                org_id=org.id, last_name=f"{canary}-learner", first_name="Ученик", category="learner"
            )
            db.add(learner)
            db.add(
                Headcount(
                    org_id=org.id,
                    academic_year=year,
                    learners_total=100 * n,
                    learners_10_18=50 * n,
                    pedagogues=10 * n,
                    young_pedagogues=n,
                )
            )
            db.add(OrgPluginSetting(org_id=org.id, plugin="schools", enabled=True, settings={}))
            await db.flush()
            ow.learner_id = learner.id
            db.add(
                MenteeProfile(
                    org_id=org.id,
                    person_id=ow.persons["mentee"],
                    kind="young_pedagogue",
                    profession_since=date(year - 1, 9, 1),
                    requests=f"{canary} запрос",
                )
            )
            db.add(
                MentorProfile(
                    org_id=org.id,
                    person_id=ow.persons["mentor"],
                    competencies=f"{canary} методика",
                    capacity=2,
                    consent_on=date(year, 9, 1),
                )
            )
            programme = Programme(org_id=org.id, academic_year=year, regime="pedagogues")
            db.add(programme)
            await db.flush()
            item = RoadmapItem(
                org_id=org.id,
                programme_id=programme.id,
                stage=1,
                title=f"{canary} мероприятие",
                due_on=date(year, 10, 1),
                responsible="Куратор",
            )
            db.add(item)
            await db.flush()
            ow.programme_id, ow.roadmap_item_id = programme.id, item.id
            ow.group_id, ow.order_id = await add_ordered_pair(db, ow, programme.id, year)
            ow.plan_item_id, ow.journal_entry_id = await add_pair_work(db, ow, ow.group_id, year)
            ow.assignment_id = await add_answered_questionnaire(db, ow, ow.group_id)
            await add_answered_diagnostics(db, ow, year)
            ow.account_batch_id = await add_account_batch(db, ow, learner.id)
            ow.club_id, ow.club_event_id = await add_club(db, ow, year)
            ow.notification_id = await add_notification(db, ow)
            if org_type == "school":
                ow.decade_id = await add_held_decade(db, ow, learner.id, year)
            orgs[key] = ow
        template_id, version_id = await default_version(db, "mentor_end")
        await db.commit()
    # The organisations' figures exist too, so that the isolation suite has statistics to protect.
    from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute

    for built in regions.values():
        await recompute(
            runtime.aggregator_engine,
            runtime.plugins,
            Snapshot(ScopeKind.REGION, built.id, year, region_today()),
        )
    return World(
        orgs=orgs,
        staff=staff,
        regions={k: v.id for k, v in regions.items()},
        municipalities={k: v.id for k, v in municipalities.items()},
        year=year,
        template_id=template_id,
        version_id=version_id,
        region_canaries=region_canaries,
    )


def region_letters_template(canary: str) -> bytes:
    """A region's own thank-you letter: its canary in the text, a page per mentor."""
    document = docx.Document()
    for line in ("{%p for letter in letters %}", f"{canary}: {{{{ letter.mentor|dat }}}}", "{%p endfor %}"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def add_ordered_pair(
    db: AsyncSession, org: OrgWorld, programme_id: uuid.UUID, year: int
) -> tuple[uuid.UUID, uuid.UUID]:
    """The organisation's mentor and mentee as an active pair, with the order that formed it."""
    group = MentoringGroup(
        org_id=org.id,
        id=uuid.uuid4(),
        programme_id=programme_id,
        form_code="teacher_teacher",
        kind_code="traditional",
        starts_on=date(year, 9, 15),
        ends_on=date(year + 1, 5, 31),
        status="active",
        reasons=[f"{org.canary} причина"],
    )
    order = MentoringOrder(
        org_id=org.id,
        id=uuid.uuid4(),
        programme_id=programme_id,
        kind="pairs_formation",
        number=f"{secrets.token_hex(3)}-од",
        issued_on=date(year, 9, 10),
    )
    db.add_all([group, order])
    await db.flush()
    db.add_all(
        [
            GroupMember(org_id=org.id, group_id=group.id, person_id=org.persons["mentor"], role="mentor"),
            GroupMember(org_id=org.id, group_id=group.id, person_id=org.persons["mentee"], role="mentee"),
            OrderGroup(org_id=org.id, order_id=order.id, group_id=group.id),
        ]
    )
    await db.flush()
    return group.id, order.id


async def add_pair_work(
    db: AsyncSession, org: OrgWorld, group_id: uuid.UUID, year: int
) -> tuple[uuid.UUID, uuid.UUID]:
    """A task of the mentee's development plan and a meeting in the journal, both carrying the canary."""
    item = PlanItem(
        org_id=org.id,
        id=uuid.uuid4(),
        group_id=group_id,
        mentee_id=org.persons["mentee"],
        goal="Освоить методику",
        task=f"{org.canary} задача",
        due_on=date(year + 1, 5, 20),
        done=False,
    )
    entry = JournalEntry(
        org_id=org.id,
        id=uuid.uuid4(),
        group_id=group_id,
        author_id=org.persons["mentor"],
        met_on=date(year, 9, 20),
        topic=f"{org.canary} тема",
    )
    db.add_all([item, entry])
    await db.flush()
    return item.id, entry.id


async def add_club(db: AsyncSession, org: OrgWorld, year: int) -> tuple[uuid.UUID, uuid.UUID]:
    """The year's young teachers' club led by the mentor, the mentee in it, and a meeting she attended."""
    club = Association(
        org_id=org.id,
        id=uuid.uuid4(),
        shape="club",
        academic_year=year,
        name=f"{org.canary} клуб",
        leader_id=org.persons["mentor"],
    )
    db.add(club)
    await db.flush()
    event = AssociationEvent(
        org_id=org.id,
        id=uuid.uuid4(),
        association_id=club.id,
        held_on=date(year, 9, 1),
        topic=f"{org.canary} встреча",
        form="seminar",
        status="held",
    )
    db.add_all(
        [event, AssociationMember(org_id=org.id, association_id=club.id, person_id=org.persons["mentee"])]
    )
    await db.flush()
    db.add(
        EventParticipant(org_id=org.id, event_id=event.id, person_id=org.persons["mentee"], role="attendee")
    )
    await db.flush()
    return club.id, event.id


async def default_version(db: AsyncSession, code: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(template, first version) of a platform questionnaire seeded by the migration."""
    row = (
        await db.execute(
            select(QuestionnaireTemplate.id, QuestionnaireVersion.id)
            .join(QuestionnaireVersion, QuestionnaireVersion.template_id == QuestionnaireTemplate.id)
            .where(
                QuestionnaireTemplate.code == code,
                QuestionnaireTemplate.region_id.is_(None),
                QuestionnaireVersion.number == 1,
            )
        )
    ).one()
    return row[0], row[1]


async def answered_by_mentee(
    db: AsyncSession, org: OrgWorld, version_id: uuid.UUID, answers: dict[str, int | str], **given_as: Any
) -> uuid.UUID:
    """The mentee's questionnaire of ``version_id``, filled in with ``answers`` (scores and texts);
    ``given_as`` places it: a pair's ``group_id`` and ``moment``, or a ``campaign_id`` and the moment «year»."""
    assignment = QuestionnaireAssignment(
        org_id=org.id,
        id=uuid.uuid4(),
        person_id=org.persons["mentee"],
        role="mentee",
        version_id=version_id,
        completed_at=clock.now(),
        **given_as,
    )
    db.add(assignment)
    await db.flush()
    db.add_all(
        QuestionnaireAnswer(
            org_id=org.id,
            assignment_id=assignment.id,
            item_key=key,
            score=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else None,
        )
        for key, value in answers.items()
    )
    await db.flush()
    return assignment.id


async def add_answered_questionnaire(db: AsyncSession, org: OrgWorld, group_id: uuid.UUID) -> uuid.UUID:
    """The mentee's start questionnaire of the pair, filled in; its free text carries the canary."""
    _, version_id = await default_version(db, "mentee_start_pedagogues")
    answers: dict[str, int | str] = {
        "expected_usefulness": 9,
        "expected_help": 8,
        "stay_in_profession": 7,
        "expectations": f"{org.canary} ожидания",
    }
    return await answered_by_mentee(db, org, version_id, answers, group_id=group_id, moment="start")


DIAGNOSTICS = {"school": "schools_diagnostics", "kindergarten": "kindergartens_diagnostics"}
"""The diagnostics template each plugin of the world's organisations offers (installed by db upgrade)."""


async def add_answered_diagnostics(db: AsyncSession, org: OrgWorld, year: int) -> uuid.UUID:
    """The year's diagnostics given to the mentee (a young teacher) and filled in: every area rated 9, the
    canary in its free text, which the pair's mentor and the curator read on the development plan."""
    _, version_id = await default_version(db, DIAGNOSTICS[org.type])
    campaign = QuestionnaireCampaign(
        org_id=org.id, id=uuid.uuid4(), purpose="diagnostics", academic_year=year, version_id=version_id
    )
    db.add(campaign)
    await db.flush()
    version = await db.get(QuestionnaireVersion, version_id)
    assert version is not None
    answers: dict[str, int | str] = {
        item["key"]: 9 if item["kind"] == "scale" else f"{org.canary} затруднение" for item in version.items
    }
    await answered_by_mentee(db, org, version_id, answers, campaign_id=campaign.id, moment="year")
    return campaign.id


async def add_account_batch(db: AsyncSession, org: OrgWorld, person_id: uuid.UUID) -> uuid.UUID:
    """A curator's request for an account for the learner that failed, with the canary in its reason."""
    batch = AccountBatch(org_id=org.id, id=uuid.uuid4())
    db.add(batch)
    await db.flush()
    db.add(
        AccountEntry(
            org_id=org.id,
            batch_id=batch.id,
            person_id=person_id,
            status="failed",
            username=f"learner.{secrets.token_hex(2)}",
            error=f"{org.canary} причина ошибки",
        )
    )
    await db.flush()
    return batch.id


async def throwaway_person(runtime: Runtime, org: OrgWorld) -> uuid.UUID:
    """A person nobody signs in as, for tests that may change or delete it."""
    async with runtime.owner_sessions() as db:
        person = Person(org_id=org.id, last_name="Временный", first_name="Тест", category="learner")
        db.add(person)
        await db.commit()
        return person.id
