"""Mentoring pairs and groups of a programme (stage 5): forming, editing, and who may see them.

Who may be in a group is decided here: mentors from the base with written consent who have not
left, mentees of the programme's regime who may take part; a mentee in one open group of a
programme at a time; a mentor never above their capacity, which belongs to the person: it is
counted over every open group of every open programme of the organisation, learners' and
teachers' alike. The curator and the director see every group; a mentor or a mentee only their
own, and another's answers 404 like a missing one.

Forming and changing groups first takes ``lock_for_forming``: two curators submitting at the same
moment are checked one after the other, so neither can place a mentee twice or push a mentor over
their capacity (the second is refused with the usual message).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.db.locks import lock_for_transaction
from nastavnik.domain.bases.models import MenteeProfile, MentorProfile
from nastavnik.domain.bases.services import KIND_FOR_REGIME, mentee_participation
from nastavnik.domain.dictionaries.catalogue import OrgDictionaries
from nastavnik.domain.programmes.models import Programme
from nastavnik.domain.programmes.pairs.models import (
    GroupMember,
    GroupStatus,
    MemberRole,
    MentoringGroup,
    OrderGroup,
)
from nastavnik.domain.programmes.services import get_programme, managed_programme
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person, PersonStatus, ProgrammeRole
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import NotFound, OrgContext
from nastavnik.types import DictionaryEntry, DictionaryKind

MANAGERS = (ProgrammeRole.CURATOR, ProgrammeRole.DIRECTOR)
OPEN_STATUSES = (GroupStatus.DRAFT, GroupStatus.ACTIVE)
OPEN_PROGRAMME = "open"
STATUS_TITLES = {
    GroupStatus.DRAFT: "сформирована, ждёт приказа",
    GroupStatus.ACTIVE: "действует",
    GroupStatus.COMPLETED: "завершена",
    GroupStatus.ENDED_EARLY: "завершена досрочно",
}


@dataclass(frozen=True, slots=True)
class GroupDraft:
    mentor_ids: Sequence[uuid.UUID]
    mentee_ids: Sequence[uuid.UUID]
    form_code: str
    kind_code: str
    starts_on: date
    ends_on: date
    role_model_code: str | None = None
    score: float | None = None
    reasons: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class GroupView:
    group: MentoringGroup
    mentors: list[Person]
    mentees: list[Person]
    form_title: str
    kind_title: str
    role_model_title: str | None
    order_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def status_title(self) -> str:
        return STATUS_TITLES.get(GroupStatus(self.group.status), self.group.status)


@dataclass(frozen=True, slots=True)
class Dictionaries:
    """The programme's regime's entries of the organisation's dictionaries, by kind and code.

    ``forms``, ``kinds`` and ``role_models`` are what new groups may use; ``hidden`` holds what the
    region has hidden since, by (kind, code): existing groups keep their codes and titles.
    """

    forms: dict[str, DictionaryEntry]
    kinds: dict[str, DictionaryEntry]
    role_models: dict[str, DictionaryEntry]
    hidden: dict[tuple[str, str], DictionaryEntry] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[DictionaryEntry], regime: str) -> Dictionaries:
        """From an organisation's dictionaries (hidden entries kept apart), or plain entries, all offered."""
        hidden = entries.hidden if isinstance(entries, OrgDictionaries) else ()
        by_kind: dict[DictionaryKind, dict[str, DictionaryEntry]] = defaultdict(dict)
        for entry in entries:
            if entry.regime == regime:
                by_kind[entry.kind][entry.code] = entry
        return cls(
            by_kind[DictionaryKind.FORM],
            by_kind[DictionaryKind.KIND],
            by_kind[DictionaryKind.ROLE_MODEL],
            {(str(e.kind), e.code): e for e in hidden if e.regime == regime},
        )

    def title(self, kind: DictionaryKind, code: str | None) -> str:
        """The title of a code, hidden or not; the code itself if no dictionary knows it any more."""
        if code is None:
            return ""
        entry = self._offered(kind).get(code) or self.hidden.get((str(kind), code))
        return entry.title if entry else code

    def _offered(self, kind: DictionaryKind) -> dict[str, DictionaryEntry]:
        return {DictionaryKind.FORM: self.forms, DictionaryKind.KIND: self.kinds}.get(kind, self.role_models)

    def keeping(self, group: MentoringGroup) -> Dictionaries:
        """These dictionaries with the group's own codes still valid for it, even if hidden since."""

        def plus(kind: DictionaryKind, code: str | None) -> dict[str, DictionaryEntry]:
            offered = self._offered(kind)
            entry = self.hidden.get((str(kind), code)) if code else None
            return {**offered, entry.code: entry} if entry is not None else offered

        return Dictionaries(
            plus(DictionaryKind.FORM, group.form_code),
            plus(DictionaryKind.KIND, group.kind_code),
            plus(DictionaryKind.ROLE_MODEL, group.role_model_code),
            self.hidden,
        )


def alphabetical(person: Person) -> tuple[str, str, str]:
    """Russian alphabetical order: «Ё» stands with «Е», not before «А» as its code point would put it."""

    def fold(text: str | None) -> str:
        return (text or "").casefold().replace("ё", "е")

    return fold(person.last_name), fold(person.first_name), fold(person.middle_name)


def _error(message: str, field_name: str, detail: str) -> InvalidInput:
    return InvalidInput(message, [FieldError(field_name, detail)])


async def _people(db: AsyncSession, ctx: OrgContext, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.scalars(select(Person).where(Person.id.in_(wanted), ctx.owns(Person)))
    return {p.id: p for p in rows}


async def mentees_taken(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, *, besides: uuid.UUID | None = None
) -> set[uuid.UUID]:
    """Mentees already in a group of the programme (other than ``besides``) that is open or completed.

    A mentee whose pair completed had their mentoring this year; one whose pair ended early may
    get a new mentor.
    """
    query = (
        select(GroupMember.person_id)
        .join(
            MentoringGroup,
            (MentoringGroup.org_id == GroupMember.org_id) & (MentoringGroup.id == GroupMember.group_id),
        )
        .where(
            MentoringGroup.programme_id == programme_id,
            MentoringGroup.status.in_((*OPEN_STATUSES, GroupStatus.COMPLETED)),
            GroupMember.role == MemberRole.MENTEE,
            ctx.owns(GroupMember),
        )
    )
    if besides is not None:
        query = query.where(MentoringGroup.id != besides)
    return set(await db.scalars(query))


async def mentor_load(
    db: AsyncSession, ctx: OrgContext, *, besides: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """How many mentees each mentor already has: in open groups of every open programme of the
    organisation (both regimes), since a mentor's capacity is the person's, not a programme's."""
    mentor = GroupMember.__table__.alias("mentor")
    mentee = GroupMember.__table__.alias("mentee")
    query = (
        select(mentor.c.person_id, func.count(mentee.c.person_id.distinct()))
        .select_from(mentor)
        .join(mentee, (mentee.c.org_id == mentor.c.org_id) & (mentee.c.group_id == mentor.c.group_id))
        .join(
            MentoringGroup,
            (MentoringGroup.org_id == mentor.c.org_id) & (MentoringGroup.id == mentor.c.group_id),
        )
        .join(
            Programme,
            (Programme.org_id == MentoringGroup.org_id) & (Programme.id == MentoringGroup.programme_id),
        )
        .where(
            mentor.c.role == MemberRole.MENTOR,
            mentee.c.role == MemberRole.MENTEE,
            MentoringGroup.status.in_(OPEN_STATUSES),
            Programme.status == OPEN_PROGRAMME,
            ctx.owns(MentoringGroup),
        )
        .group_by(mentor.c.person_id)
    )
    if besides is not None:
        query = query.where(MentoringGroup.id != besides)
    return {person_id: int(count) for person_id, count in await db.execute(query)}


async def lock_for_forming(
    db: AsyncSession, ctx: OrgContext, programme: Programme, mentor_ids: Iterable[uuid.UUID]
) -> None:
    """Serialise forming groups: the programme's row (who is taken), then each mentor (capacity).

    A mentor's capacity spans programmes, so the programme's lock alone would let a learners' and
    a teachers' programme fill one mentor at once: each mentor gets a transaction-scoped advisory
    lock of their own. Mentors are locked in one sorted order after the programme, so two forming
    transactions never wait for each other in a cycle. Called before anything is read for the
    checks; the locks go with the transaction.
    """
    await db.execute(
        select(Programme.id).where(Programme.id == programme.id, ctx.owns(Programme)).with_for_update()
    )
    await lock_for_transaction(db, (f"mentor-capacity:{ctx.org.id}:{pid}" for pid in mentor_ids))


async def validate_drafts(
    db: AsyncSession,
    ctx: OrgContext,
    programme: Programme,
    dictionaries: Dictionaries,
    drafts: Sequence[GroupDraft],
    *,
    besides: uuid.UUID | None = None,
) -> None:
    """Check a batch of groups together: capacity and one open group per mentee hold across the batch.

    Errors name the group by its position in the batch («группа 2») when there are several.
    """
    starts, ends = AcademicYear.bounds(programme.academic_year)
    everyone = {pid for d in drafts for pid in (*d.mentor_ids, *d.mentee_ids)}
    people = await _people(db, ctx, everyone)
    mentor_rows = await db.scalars(
        select(MentorProfile).where(MentorProfile.person_id.in_(everyone), ctx.owns(MentorProfile))
    )
    mentors = {p.person_id: p for p in mentor_rows}
    mentee_rows = await db.scalars(
        select(MenteeProfile).where(MenteeProfile.person_id.in_(everyone), ctx.owns(MenteeProfile))
    )
    mentees = {p.person_id: p for p in mentee_rows}
    taken = await mentees_taken(db, ctx, programme.id, besides=besides)
    load = await mentor_load(db, ctx, besides=besides)
    already = dict(load)
    today = ctx.today()
    errors: list[FieldError] = []

    for n, draft in enumerate(drafts, start=1):
        where = f"группа {n}: " if len(drafts) > 1 else ""

        def fail(field_name: str, message: str, where: str = where) -> None:
            errors.append(FieldError(field_name, where + message))

        if not draft.mentor_ids:
            fail("mentor_ids", "выберите наставника")
        if not draft.mentee_ids:
            fail("mentee_ids", "выберите наставляемых")
        if set(draft.mentor_ids) & set(draft.mentee_ids):
            fail("mentee_ids", "один человек не может быть и наставником, и наставляемым")
        form = dictionaries.forms.get(draft.form_code)
        if form is None:
            fail("form_code", "такой формы наставничества нет для этой программы")
        if draft.kind_code not in dictionaries.kinds:
            fail("kind_code", "такого вида наставничества нет")
        if draft.role_model_code and draft.role_model_code not in dictionaries.role_models:
            fail("role_model_code", "такой ролевой модели нет для этой программы")
        if draft.ends_on < draft.starts_on:
            fail("ends_on", "срок окончания раньше начала")
        if not (starts <= draft.starts_on <= ends and starts <= draft.ends_on <= ends):
            fail("starts_on", f"срок в пределах учебного года: {starts:%d.%m.%Y} – {ends:%d.%m.%Y}")
        for pid in draft.mentor_ids:
            person, profile = people.get(pid), mentors.get(pid)
            if person is None or person.status != PersonStatus.ACTIVE:
                fail("mentor_ids", "наставник не найден среди работающих в организации")
            elif profile is None:
                fail("mentor_ids", f"{person.full_name} не внесён(а) в базу наставников")
            elif profile.left_on is not None:
                fail("mentor_ids", f"{person.full_name} выбыл(а) из базы наставников")
            elif profile.consent_on is None:
                fail("mentor_ids", f"{person.full_name}: нет письменного согласия наставника")
            elif (
                form is not None and form.mentor_categories and person.category not in form.mentor_categories
            ):
                fail("form_code", f"{person.full_name} не может быть наставником в форме «{form.title}»")
        for pid in draft.mentee_ids:
            person, mentee = people.get(pid), mentees.get(pid)
            if person is None or person.status != PersonStatus.ACTIVE:
                fail("mentee_ids", "наставляемый не найден среди обучающихся и работающих в организации")
                continue
            if mentee is None:
                fail("mentee_ids", f"{person.full_name} не внесён(а) в базу наставляемых")
                continue
            if mentee.kind != KIND_FOR_REGIME[programme.regime]:
                fail("mentee_ids", f"{person.full_name} не участвует в этом режиме наставничества")
            reason = mentee_participation(mentee, today)
            if reason is not None:
                fail("mentee_ids", f"{person.full_name}: {reason}")
            if pid in taken:
                fail("mentee_ids", f"{person.full_name} уже в другой паре или группе этой программы")
            taken.add(pid)
        for pid in draft.mentor_ids:
            load[pid] = load.get(pid, 0) + len(draft.mentee_ids)
    for pid, count in load.items():
        profile = mentors.get(pid)
        if profile is not None and pid in everyone and count > profile.capacity:
            name = people[pid].full_name if pid in people else "наставник"
            message = f"{name}: наставляемых {count}, а можно не больше {profile.capacity}"
            if already.get(pid):
                message += f" (уже {already[pid]} в парах и группах открытых программ организации)"
            errors.append(FieldError("mentor_ids", message))
    if errors:
        raise InvalidInput("Пара или группа не сформирована: исправьте ошибки.", errors)


def _members(group_id: uuid.UUID, org_id: uuid.UUID, draft: GroupDraft) -> list[GroupMember]:
    return [
        GroupMember(org_id=org_id, group_id=group_id, person_id=pid, role=MemberRole.MENTOR)
        for pid in dict.fromkeys(draft.mentor_ids)
    ] + [
        GroupMember(org_id=org_id, group_id=group_id, person_id=pid, role=MemberRole.MENTEE)
        for pid in dict.fromkeys(draft.mentee_ids)
    ]


async def create_groups(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
    drafts: Sequence[GroupDraft],
) -> list[MentoringGroup]:
    """Form several groups at once, all or none (accepting matching suggestions, or one by hand)."""
    programme = await managed_programme(db, ctx, programme_id)
    if not drafts:
        raise _error("Не выбрано ни одной пары.", "pairs", "выберите хотя бы одну пару")
    dictionaries = Dictionaries.of(dictionaries_of, programme.regime)
    await lock_for_forming(db, ctx, programme, (pid for d in drafts for pid in d.mentor_ids))
    await validate_drafts(db, ctx, programme, dictionaries, drafts)
    created = []
    for draft in drafts:
        group = MentoringGroup(
            org_id=ctx.org.id,
            id=uuid.uuid4(),
            programme_id=programme.id,
            form_code=draft.form_code,
            role_model_code=draft.role_model_code or None,
            kind_code=draft.kind_code,
            starts_on=draft.starts_on,
            ends_on=draft.ends_on,
            score=draft.score,
            reasons=list(draft.reasons),
        )
        db.add(group)
        created.append(group)
    await db.flush()
    for group, draft in zip(created, drafts, strict=True):
        db.add_all(_members(group.id, ctx.org.id, draft))
    await db.flush()
    for group in created:
        await audit.commit_in(db, ctx, "create", audit.ObjectKind.MENTORING_GROUP, group.id)
    return created


async def group_for(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> MentoringGroup:
    """A group of the programme as the acting person may see it: the curator any, a member their own."""
    group = await ctx.find(db, MentoringGroup, group_id, MentoringGroup.programme_id == programme_id)
    if not ctx.has_role(*MANAGERS):
        mine = await db.scalar(
            select(func.count())
            .select_from(GroupMember)
            .where(
                GroupMember.group_id == group.id,
                GroupMember.person_id == ctx.person_id,
                ctx.owns(GroupMember),
            )
        )
        if not mine:
            raise NotFound  # another pair's group is as unknown as a missing one
    return group


async def views(
    db: AsyncSession, ctx: OrgContext, dictionaries: Dictionaries, groups: Sequence[MentoringGroup]
) -> list[GroupView]:
    """Groups with their people and titles, in two more queries whatever their number."""
    ids = [g.id for g in groups]
    if not ids:
        return []
    members = list(
        await db.scalars(select(GroupMember).where(GroupMember.group_id.in_(ids), ctx.owns(GroupMember)))
    )
    people = await _people(db, ctx, (m.person_id for m in members))
    orders: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for order_id, group_id in await db.execute(
        select(OrderGroup.order_id, OrderGroup.group_id).where(
            OrderGroup.group_id.in_(ids), ctx.owns(OrderGroup)
        )
    ):
        orders[group_id].append(order_id)
    by_group: dict[uuid.UUID, dict[str, list[Person]]] = defaultdict(lambda: defaultdict(list))
    for member in members:
        if member.person_id in people:
            by_group[member.group_id][member.role].append(people[member.person_id])

    def ordered(found: list[Person]) -> list[Person]:
        return sorted(found, key=alphabetical)

    return [
        GroupView(
            group=g,
            mentors=ordered(by_group[g.id][MemberRole.MENTOR]),
            mentees=ordered(by_group[g.id][MemberRole.MENTEE]),
            form_title=dictionaries.title(DictionaryKind.FORM, g.form_code),
            kind_title=dictionaries.title(DictionaryKind.KIND, g.kind_code),
            role_model_title=dictionaries.title(DictionaryKind.ROLE_MODEL, g.role_model_code) or None,
            order_ids=orders[g.id],
        )
        for g in groups
    ]


async def list_groups(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, dictionaries_of: OrgDictionaries
) -> list[GroupView]:
    """The programme's groups: all of them for the curator, one's own for a mentor or a mentee."""
    programme = await get_programme(db, ctx, programme_id)
    query = select(MentoringGroup).where(
        MentoringGroup.programme_id == programme.id, ctx.owns(MentoringGroup)
    )
    if not ctx.has_role(*MANAGERS):
        query = query.where(
            MentoringGroup.id.in_(
                select(GroupMember.group_id).where(
                    GroupMember.person_id == ctx.person_id, ctx.owns(GroupMember)
                )
            )
        )
    groups = list(await db.scalars(query.order_by(MentoringGroup.created_at, MentoringGroup.id)))
    shown = await views(db, ctx, Dictionaries.of(dictionaries_of, programme.regime), groups)
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.MENTORING_GROUP_LIST, programme.id, details={"count": len(shown)}
    )
    return shown


async def get_group(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
) -> GroupView:
    programme = await get_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    (shown,) = await views(db, ctx, Dictionaries.of(dictionaries_of, programme.regime), [group])
    await audit.commit_in(db, ctx, "read", audit.ObjectKind.MENTORING_GROUP, group.id)
    return shown


async def update_group(
    db: AsyncSession,
    ctx: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    dictionaries_of: OrgDictionaries,
    draft: GroupDraft,
    expected_version: int,
) -> MentoringGroup:
    """Change a group's people, form or term; a second curator's stale edit is refused, not merged."""
    programme = await managed_programme(db, ctx, programme_id)
    # Locked before the group is read, so a concurrent edit's result is what the version check sees.
    await lock_for_forming(db, ctx, programme, draft.mentor_ids)
    group = await group_for(db, ctx, programme.id, group_id)
    if group.version != expected_version:
        raise Conflict("Пару уже изменил другой пользователь. Обновите страницу.", "version")
    if group.status not in OPEN_STATUSES:
        raise _error("Завершённую пару изменить нельзя.", "status", "пара завершена")
    # The group may keep a form or kind the region has hidden since it was formed.
    dictionaries = Dictionaries.of(dictionaries_of, programme.regime).keeping(group)
    await validate_drafts(db, ctx, programme, dictionaries, [draft], besides=group.id)
    group.form_code = draft.form_code
    group.kind_code = draft.kind_code
    group.role_model_code = draft.role_model_code or None
    group.starts_on, group.ends_on = draft.starts_on, draft.ends_on
    group.updated_at = func.now()  # a change of people alone must move the version on too
    await db.execute(delete(GroupMember).where(GroupMember.group_id == group.id, ctx.owns(GroupMember)))
    db.add_all(_members(group.id, ctx.org.id, draft))
    await db.flush()
    await audit.commit_in(db, ctx, "update", audit.ObjectKind.MENTORING_GROUP, group.id)
    return group


async def delete_group(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> None:
    """Disband a group that no order has named yet; once ordered, it ends (completes or ends early)."""
    programme = await managed_programme(db, ctx, programme_id)
    group = await group_for(db, ctx, programme.id, group_id)
    if group.status != GroupStatus.DRAFT:
        raise _error(
            "Пару, названную в приказе, нельзя удалить: её можно только завершить.",
            "status",
            "пара уже действует",
        )
    ordered = await db.scalar(
        select(func.count())
        .select_from(OrderGroup)
        .where(OrderGroup.group_id == group.id, ctx.owns(OrderGroup))
    )
    if ordered:
        raise _error(
            "Пара названа в приказе о назначении наставника: сначала выпустите новый приказ.",
            "status",
            "пара названа в приказе",
        )
    await db.delete(group)
    await audit.commit_in(db, ctx, "delete", audit.ObjectKind.MENTORING_GROUP, group.id)


async def group_count(db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, *statuses: str) -> int:
    query = (
        select(func.count())
        .select_from(MentoringGroup)
        .where(MentoringGroup.programme_id == programme_id, ctx.owns(MentoringGroup))
    )
    if statuses:
        query = query.where(MentoringGroup.status.in_(statuses))
    return int(await db.scalar(query) or 0)
