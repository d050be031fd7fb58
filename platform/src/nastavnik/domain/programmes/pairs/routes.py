"""Pairs and groups of a programme, matching suggestions and orders: JSON API and pages."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.orders import ORDER_TITLES
from nastavnik.domain.programmes import completion, services as programmes
from nastavnik.domain.programmes.pairs import orders, services as pairs, suggestions as pair_suggestions
from nastavnik.domain.programmes.pairs.models import GroupStatus, MentoringGroup, MentoringOrder
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.types import Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, confirmed, decode_form, ticked
from nastavnik.web.outputs import shown_as
from nastavnik.web.params import Db, Id, Org, Rt
from nastavnik.web.rendering import Pages, Render

Code = Annotated[str, msgspec.Meta(max_length=64)]


class PersonRef(msgspec.Struct):
    id: uuid.UUID
    full_name: str


class GroupOut(msgspec.Struct):
    id: uuid.UUID
    status: str
    status_title: str
    mentors: list[PersonRef]
    mentees: list[PersonRef]
    form_code: str
    form_title: str
    kind_code: str
    kind_title: str
    role_model_code: str | None
    starts_on: date
    ends_on: date
    score: float | None
    reasons: list[str]
    order_ids: list[uuid.UUID]
    version: int


class GroupIn(msgspec.Struct, forbid_unknown_fields=True):
    mentor_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)]
    mentee_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=40)]
    form_code: Code
    kind_code: Code
    starts_on: date
    ends_on: date
    role_model_code: Code | None = None


class GroupEditIn(GroupIn, forbid_unknown_fields=True):
    version: Version = 0


class SuggestionOut(msgspec.Struct):
    mentee: PersonRef
    mentor: PersonRef
    score: float
    form_code: str
    form_title: str
    reasons: list[str]


class UnmatchedOut(msgspec.Struct):
    mentee: PersonRef
    reason: str


class SuggestionsOut(msgspec.Struct):
    suggestions: list[SuggestionOut]
    unmatched: list[UnmatchedOut]


class PairRef(msgspec.Struct, forbid_unknown_fields=True):
    mentee_id: uuid.UUID
    mentor_id: uuid.UUID


class MatchingIn(msgspec.Struct, forbid_unknown_fields=True):
    exclude: Annotated[list[PairRef], msgspec.Meta(max_length=5000)] = []


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    pairs: Annotated[list[PairRef], msgspec.Meta(max_length=5000)]
    starts_on: date
    ends_on: date


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Code
    number: Annotated[str, msgspec.Meta(max_length=50)]
    issued_on: date
    group_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=5000)]


class CompleteIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    result: Annotated[str, msgspec.Meta(max_length=5000)]
    ended_on: date


class EndEarlyIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    reason: Annotated[str, msgspec.Meta(max_length=5000)]
    ended_on: date


class OrderOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    number: str
    issued_on: date
    group_ids: list[uuid.UUID]


def person_ref(person: Person) -> PersonRef:
    return PersonRef(person.id, person.full_name)


def group_out(view: pairs.GroupView) -> GroupOut:
    return shown_as(
        GroupOut,
        view.group,
        status_title=view.status_title,
        mentors=[person_ref(p) for p in view.mentors],
        mentees=[person_ref(p) for p in view.mentees],
        form_title=view.form_title,
        kind_title=view.kind_title,
        reasons=[str(r) for r in view.group.reasons],
        order_ids=view.order_ids,
    )


def order_out(view: orders.OrderView) -> OrderOut:
    o = view.order
    return OrderOut(o.id, o.kind, view.title, o.number, o.issued_on, [g.group.id for g in view.groups])


def suggestions_out(shown: pair_suggestions.SuggestionsView) -> SuggestionsOut:
    people = shown.people
    return SuggestionsOut(
        suggestions=[
            SuggestionOut(
                mentee=person_ref(people[s.mentee_id]),
                mentor=person_ref(people[s.mentor_id]),
                score=s.score,
                form_code=s.form_code,
                form_title=s.form_title,
                reasons=list(s.reasons),
            )
            for s in shown.result.suggestions
        ],
        unmatched=[UnmatchedOut(person_ref(people[m]), reason) for m, reason in shown.result.unmatched],
    )


def draft_of(data: GroupIn) -> pairs.GroupDraft:
    return pairs.GroupDraft(
        mentor_ids=data.mentor_ids,
        mentee_ids=data.mentee_ids,
        form_code=data.form_code,
        kind_code=data.kind_code,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        role_model_code=data.role_model_code,
    )


async def _document(
    db: AsyncSession, runtime: Runtime, org: OrgContext, programme_id: uuid.UUID, order_id: uuid.UUID
) -> Response[bytes]:
    dictionaries = await dictionaries_for(db, runtime.plugins, org)
    name, content = await orders.order_document(
        db, org, programme_id, order_id, dictionaries, runtime.plugins
    )
    return attachment(content, DOCX, name, f"order-{order_id}.docx")


async def create_group(
    db: AsyncSession, runtime: Runtime, org: OrgContext, programme_id: uuid.UUID, data: GroupIn
) -> MentoringGroup:
    entries = await dictionaries_for(db, runtime.plugins, org)
    (group,) = await pairs.create_groups(db, org, programme_id, entries, [draft_of(data)])
    return group


async def suggest(
    db: AsyncSession, runtime: Runtime, org: OrgContext, programme_id: uuid.UUID, data: MatchingIn
) -> pair_suggestions.SuggestionsView:
    entries = await dictionaries_for(db, runtime.plugins, org)
    rejected = [(p.mentee_id, p.mentor_id) for p in data.exclude]
    return await pair_suggestions.suggest(db, org, programme_id, entries, rejected)


async def accept_pairs(
    db: AsyncSession, runtime: Runtime, org: OrgContext, programme_id: uuid.UUID, data: AcceptIn
) -> list[MentoringGroup]:
    entries = await dictionaries_for(db, runtime.plugins, org)
    accepted = [pair_suggestions.AcceptedPair(p.mentee_id, p.mentor_id) for p in data.pairs]
    return await pair_suggestions.accept(
        db, org, programme_id, entries, accepted, data.starts_on, data.ends_on
    )


async def finish(
    db: AsyncSession,
    org: OrgContext,
    programme_id: uuid.UUID,
    group_id: uuid.UUID,
    data: CompleteIn | EndEarlyIn,
) -> None:
    """Complete the pair with its results, or end it early with the reason."""
    if isinstance(data, CompleteIn):
        status, text = GroupStatus.COMPLETED, data.result
    else:
        status, text = GroupStatus.ENDED_EARLY, data.reason
    await completion.end_group(
        db, org, programme_id, group_id, data.version, status=status, ended_on=data.ended_on, text=text
    )


async def issue_order(
    db: AsyncSession, org: OrgContext, programme_id: uuid.UUID, data: OrderIn
) -> MentoringOrder:
    draft = orders.OrderDraft(data.kind, data.number, data.issued_on, data.group_ids)
    return await orders.issue_order(db, org, programme_id, draft)


class PairsApi(Controller):
    path = "/api/o/{slug:str}/programmes/{programme_id:uuid}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Наставнические пары и группы"]

    @get("/groups", summary="Пары и группы программы (наставник и наставляемый видят только свои)")
    async def index(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> list[GroupOut]:
        entries = await dictionaries_for(db, runtime.plugins, org)
        return [group_out(v) for v in await pairs.list_groups(db, org, programme_id, entries)]

    @post("/groups", summary="Сформировать пару или группу", status_code=HTTP_201_CREATED)
    async def create(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, data: JSONBody[GroupIn]
    ) -> GroupOut:
        group = await create_group(db, runtime, org, programme_id, data)
        return await _group(db, runtime, org, programme_id, group.id)

    @get("/groups/{group_id:uuid}", summary="Пара или группа")
    async def show(self, db: Db, runtime: Rt, org: Org, programme_id: Id, group_id: Id) -> GroupOut:
        return await _group(db, runtime, org, programme_id, group_id)

    @put("/groups/{group_id:uuid}", summary="Изменить пару или группу (с номером версии)")
    async def update(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, group_id: Id, data: JSONBody[GroupEditIn]
    ) -> GroupOut:
        entries = await dictionaries_for(db, runtime.plugins, org)
        await pairs.update_group(db, org, programme_id, group_id, entries, draft_of(data), data.version)
        return group_out(await pairs.get_group(db, org, programme_id, group_id, entries))

    @delete(
        "/groups/{group_id:uuid}",
        summary="Расформировать пару, ещё не названную в приказе",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove(self, db: Db, org: Org, programme_id: Id, group_id: Id) -> None:
        await pairs.delete_group(db, org, programme_id, group_id)

    @post("/groups/{group_id:uuid}/complete", summary="Завершить пару с итогами", status_code=HTTP_200_OK)
    async def complete(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, group_id: Id, data: JSONBody[CompleteIn]
    ) -> GroupOut:
        await finish(db, org, programme_id, group_id, data)
        return await _group(db, runtime, org, programme_id, group_id)

    @post(
        "/groups/{group_id:uuid}/end-early",
        summary="Завершить пару досрочно с причиной",
        status_code=HTTP_200_OK,
    )
    async def end_early(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, group_id: Id, data: JSONBody[EndEarlyIn]
    ) -> GroupOut:
        await finish(db, org, programme_id, group_id, data)
        return await _group(db, runtime, org, programme_id, group_id)

    @post("/matching", summary="Предложить пары: оценка по критериям с объяснением", status_code=HTTP_200_OK)
    async def matching(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, data: JSONBody[MatchingIn]
    ) -> SuggestionsOut:
        return suggestions_out(await suggest(db, runtime, org, programme_id, data))

    @post("/matching/accept", summary="Принять предложенные пары", status_code=HTTP_201_CREATED)
    async def accept(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, data: JSONBody[AcceptIn]
    ) -> list[GroupOut]:
        created = await accept_pairs(db, runtime, org, programme_id, data)
        shown = await pairs.views(db, org, await _dictionaries(db, org, runtime, programme_id), created)
        return [group_out(v) for v in shown]

    @get("/orders", summary="Приказы программы")
    async def orders_index(self, db: Db, runtime: Rt, org: Org, programme_id: Id) -> list[OrderOut]:
        entries = await dictionaries_for(db, runtime.plugins, org)
        return [order_out(v) for v in await orders.list_orders(db, org, programme_id, entries)]

    @post(
        "/orders",
        summary="Издать приказ (о назначении наставника или о формировании пар)",
        status_code=HTTP_201_CREATED,
    )
    async def issue(self, db: Db, org: Org, programme_id: Id, data: JSONBody[OrderIn]) -> OrderOut:
        order = await issue_order(db, org, programme_id, data)
        return OrderOut(
            order.id,
            order.kind,
            ORDER_TITLES[OrderKind(order.kind)],
            order.number,
            order.issued_on,
            list(dict.fromkeys(data.group_ids)),
        )

    @get("/orders/{order_id:uuid}/document.docx", media_type=DOCX, summary="Скачать приказ (.docx)")
    async def document(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, order_id: Id
    ) -> Response[bytes]:
        return await _document(db, runtime, org, programme_id, order_id)


async def _group(
    db: AsyncSession, runtime: Runtime, org: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> GroupOut:
    entries = await dictionaries_for(db, runtime.plugins, org)
    return group_out(await pairs.get_group(db, org, programme_id, group_id, entries))


async def _dictionaries(
    db: Any, org: OrgContext, runtime: Runtime, programme_id: uuid.UUID
) -> pairs.Dictionaries:
    programme = await programmes.get_programme(db, org, programme_id)
    return pairs.Dictionaries.of(await dictionaries_for(db, runtime.plugins, org), programme.regime)


def pair_refs(data: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """Ticked pairs named ``<prefix><mentee id>_<mentor id>``, as the API's pair references."""
    return [
        dict(zip(("mentee_id", "mentor_id"), value.partition("_")[::2], strict=True))
        for value in ticked(data, prefix)
    ]


class PairsPages(Controller):
    path = "/o/{slug:str}/programmes/{programme_id:uuid}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: пары и группы"]

    @staticmethod
    async def _page(render: Pages, programme_id: uuid.UUID, **extra: Any) -> Template:
        db, runtime, org = render.db, render.runtime, render.org
        assert org is not None, "the organisation's pages render inside it"
        entries = await dictionaries_for(db, runtime.plugins, org)
        programme = await programmes.get_programme(db, org, programme_id)
        can_manage = org.has_role(*pairs.MANAGERS)
        groups = await pairs.list_groups(db, org, programme.id, entries)
        dictionaries = pairs.Dictionaries.of(entries, programme.regime)
        starts_on, ends_on = AcademicYear.bounds(programme.academic_year)
        mentors, mentees = await pair_suggestions.choices(db, org, programme.id) if can_manage else ([], [])
        return await render(
            "core/pairs.html",
            programme=programme,
            groups=groups,
            orders=await orders.list_orders(db, org, programme.id, entries) if can_manage else [],
            order_titles=ORDER_TITLES,
            dictionaries=dictionaries,
            can_manage=can_manage,
            free_mentors=mentors,
            free_mentees=mentees,
            today=org.today(),
            default_term=(max(starts_on, org.today()), ends_on.replace(month=5, day=31)),
            **extra,
        )

    @staticmethod
    def _back(org: OrgContext, programme_id: uuid.UUID) -> Redirect:
        return Redirect(path=f"/o/{org.org.slug}/programmes/{programme_id}/groups")

    @get("/groups", summary="Пары и группы, предложения и приказы")
    async def index(self, render: Render, programme_id: Id) -> Template:
        return await self._page(render, programme_id)

    @post("/matching", summary="Подобрать пары (форма; отмеченные отклонить)")
    async def matching(
        self, render: Render, db: Db, runtime: Rt, org: Org, programme_id: Id, data: Form
    ) -> Template:
        wanted = decode_form({"exclude": pair_refs(data, "reject_")}, MatchingIn)
        shown = await suggest(db, runtime, org, programme_id, wanted)
        return await self._page(
            render,
            programme_id,
            suggestions=suggestions_out(shown),
            rejected=[f"{p.mentee_id}_{p.mentor_id}" for p in wanted.exclude],
        )

    @post("/matching/accept", summary="Принять отмеченные предложения (форма)")
    async def accept(self, db: Db, runtime: Rt, org: Org, programme_id: Id, data: Form) -> Redirect:
        await accept_pairs(
            db,
            runtime,
            org,
            programme_id,
            decode_form({**data, "pairs": pair_refs(data, "accept_")}, AcceptIn),
        )
        return self._back(org, programme_id)

    @post("/groups", summary="Сформировать пару или группу вручную (форма)")
    async def create(self, db: Db, runtime: Rt, org: Org, programme_id: Id, data: Form) -> Redirect:
        chosen = {"mentor_ids": ticked(data, "mentor_"), "mentee_ids": ticked(data, "mentee_")}
        await create_group(db, runtime, org, programme_id, decode_form({**data, **chosen}, GroupIn))
        return self._back(org, programme_id)

    @post("/groups/{group_id:uuid}/delete", summary="Расформировать пару (форма, с подтверждением)")
    async def remove(self, db: Db, org: Org, programme_id: Id, group_id: Id, data: Form) -> Redirect:
        confirmed(data, "Подтвердите, что пару нужно расформировать.")
        await pairs.delete_group(db, org, programme_id, group_id)
        return self._back(org, programme_id)

    @post("/groups/{group_id:uuid}/complete", summary="Завершить пару с итогами (форма)")
    async def complete(self, db: Db, org: Org, programme_id: Id, group_id: Id, data: Form) -> Redirect:
        await finish(db, org, programme_id, group_id, decode_form(data, CompleteIn))
        return self._back(org, programme_id)

    @post("/groups/{group_id:uuid}/end-early", summary="Завершить пару досрочно (форма)")
    async def end_early(self, db: Db, org: Org, programme_id: Id, group_id: Id, data: Form) -> Redirect:
        await finish(db, org, programme_id, group_id, decode_form(data, EndEarlyIn))
        return self._back(org, programme_id)

    @post("/orders", summary="Издать приказ (форма)")
    async def issue(self, db: Db, org: Org, programme_id: Id, data: Form) -> Redirect:
        await issue_order(
            db, org, programme_id, decode_form({**data, "group_ids": ticked(data, "group_")}, OrderIn)
        )
        return self._back(org, programme_id)

    @get("/orders/{order_id:uuid}/document.docx", media_type=DOCX, summary="Скачать приказ (.docx)")
    async def document(
        self, db: Db, runtime: Rt, org: Org, programme_id: Id, order_id: Id
    ) -> Response[bytes]:
        return await _document(db, runtime, org, programme_id, order_id)
