"""Pairs and groups of a programme, matching suggestions and orders: JSON API and pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.documents.kinds import OrderKind
from nastavnik.domain.documents.orders import ORDER_TITLES
from nastavnik.domain.people.services import parse_id
from nastavnik.domain.programmes import completion, services as programmes
from nastavnik.domain.programmes.pairs import orders, services as pairs, suggestions as pair_suggestions
from nastavnik.errors import InvalidInput
from nastavnik.models.people import Person
from nastavnik.models.reference import AcademicYear
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext
from nastavnik.types import Version
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.downloads import DOCX, attachment
from nastavnik.web.forms import Form, form_date, form_int
from nastavnik.web.params import CurrentActor, Db, Org, Rt
from nastavnik.web.rendering import page

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
    g = view.group
    return GroupOut(
        id=g.id,
        status=g.status,
        status_title=view.status_title,
        mentors=[person_ref(p) for p in view.mentors],
        mentees=[person_ref(p) for p in view.mentees],
        form_code=g.form_code,
        form_title=view.form_title,
        kind_code=g.kind_code,
        kind_title=view.kind_title,
        role_model_code=g.role_model_code,
        starts_on=g.starts_on,
        ends_on=g.ends_on,
        score=g.score,
        reasons=[str(r) for r in g.reasons],
        order_ids=view.order_ids,
        version=g.version,
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
    db: Any, runtime: Runtime, org: OrgContext, programme_id: str, order_id: str
) -> Response[bytes]:
    name, content = await orders.order_document(
        db,
        org,
        parse_id(programme_id),
        parse_id(order_id),
        await dictionaries_for(db, runtime.plugins, org),
        runtime.plugins,
    )
    return attachment(content, DOCX, name, f"order-{order_id}.docx")


class PairsApi(Controller):
    path = "/api/o/{slug:str}/programmes/{programme_id:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Наставнические пары и группы"]

    @get("/groups", summary="Пары и группы программы (наставник и наставляемый видят только свои)")
    async def index(self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str]) -> list[GroupOut]:
        shown = await pairs.list_groups(
            db, org, parse_id(programme_id), await dictionaries_for(db, runtime.plugins, org)
        )
        return [group_out(v) for v in shown]

    @post("/groups", summary="Сформировать пару или группу", status_code=HTTP_201_CREATED)
    async def create(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], data: JSONBody[GroupIn]
    ) -> GroupOut:
        entries = await dictionaries_for(db, runtime.plugins, org)
        pid = parse_id(programme_id)
        (group,) = await pairs.create_groups(db, org, pid, entries, [draft_of(data)])
        return group_out(await pairs.get_group(db, org, pid, group.id, entries))

    @get("/groups/{group_id:str}", summary="Пара или группа")
    async def show(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], group_id: FromPath[str]
    ) -> GroupOut:
        entries = await dictionaries_for(db, runtime.plugins, org)
        return group_out(await pairs.get_group(db, org, parse_id(programme_id), parse_id(group_id), entries))

    @put("/groups/{group_id:str}", summary="Изменить пару или группу (с номером версии)")
    async def update(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[GroupEditIn],
    ) -> GroupOut:
        entries = await dictionaries_for(db, runtime.plugins, org)
        pid, gid = parse_id(programme_id), parse_id(group_id)
        await pairs.update_group(db, org, pid, gid, entries, draft_of(data), data.version)
        return group_out(await pairs.get_group(db, org, pid, gid, entries))

    @delete(
        "/groups/{group_id:str}",
        summary="Расформировать пару, ещё не названную в приказе",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove(self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str]) -> None:
        await pairs.delete_group(db, org, parse_id(programme_id), parse_id(group_id))

    @post("/groups/{group_id:str}/complete", summary="Завершить пару с итогами", status_code=HTTP_200_OK)
    async def complete(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[CompleteIn],
    ) -> GroupOut:
        pid, gid = parse_id(programme_id), parse_id(group_id)
        await completion.complete_group(
            db, org, pid, gid, data.version, result=data.result, ended_on=data.ended_on
        )
        return group_out(
            await pairs.get_group(db, org, pid, gid, await dictionaries_for(db, runtime.plugins, org))
        )

    @post(
        "/groups/{group_id:str}/end-early",
        summary="Завершить пару досрочно с причиной",
        status_code=HTTP_200_OK,
    )
    async def end_early(
        self,
        db: Db,
        runtime: Rt,
        org: Org,
        programme_id: FromPath[str],
        group_id: FromPath[str],
        data: JSONBody[EndEarlyIn],
    ) -> GroupOut:
        pid, gid = parse_id(programme_id), parse_id(group_id)
        await completion.end_group_early(
            db, org, pid, gid, data.version, reason=data.reason, ended_on=data.ended_on
        )
        return group_out(
            await pairs.get_group(db, org, pid, gid, await dictionaries_for(db, runtime.plugins, org))
        )

    @post("/matching", summary="Предложить пары: оценка по критериям с объяснением", status_code=HTTP_200_OK)
    async def matching(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], data: JSONBody[MatchingIn]
    ) -> SuggestionsOut:
        shown = await pair_suggestions.suggest(
            db,
            org,
            parse_id(programme_id),
            await dictionaries_for(db, runtime.plugins, org),
            [(p.mentee_id, p.mentor_id) for p in data.exclude],
        )
        return suggestions_out(shown)

    @post("/matching/accept", summary="Принять предложенные пары", status_code=HTTP_201_CREATED)
    async def accept(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], data: JSONBody[AcceptIn]
    ) -> list[GroupOut]:
        entries = await dictionaries_for(db, runtime.plugins, org)
        pid = parse_id(programme_id)
        accepted = [pair_suggestions.AcceptedPair(p.mentee_id, p.mentor_id) for p in data.pairs]
        created = await pair_suggestions.accept(db, org, pid, entries, accepted, data.starts_on, data.ends_on)
        shown = await pairs.views(db, org, await _dictionaries(db, org, runtime, pid), created)
        return [group_out(v) for v in shown]

    @get("/orders", summary="Приказы программы")
    async def orders_index(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str]
    ) -> list[OrderOut]:
        shown = await orders.list_orders(
            db, org, parse_id(programme_id), await dictionaries_for(db, runtime.plugins, org)
        )
        return [order_out(v) for v in shown]

    @post(
        "/orders",
        summary="Издать приказ (о назначении наставника или о формировании пар)",
        status_code=HTTP_201_CREATED,
    )
    async def issue(self, db: Db, org: Org, programme_id: FromPath[str], data: JSONBody[OrderIn]) -> OrderOut:
        draft = orders.OrderDraft(data.kind, data.number, data.issued_on, data.group_ids)
        order = await orders.issue_order(db, org, parse_id(programme_id), draft)
        return OrderOut(
            order.id,
            order.kind,
            ORDER_TITLES[OrderKind(order.kind)],
            order.number,
            order.issued_on,
            list(dict.fromkeys(data.group_ids)),
        )

    @get("/orders/{order_id:str}/document.docx", media_type=DOCX, summary="Скачать приказ (.docx)")
    async def document(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], order_id: FromPath[str]
    ) -> Response[bytes]:
        return await _document(db, runtime, org, programme_id, order_id)


async def _dictionaries(
    db: Any, org: OrgContext, runtime: Runtime, programme_id: uuid.UUID
) -> pairs.Dictionaries:
    programme = await programmes.get_programme(db, org, programme_id)
    return pairs.Dictionaries.of(await dictionaries_for(db, runtime.plugins, org), programme.regime)


def _checked(data: dict[str, str], prefix: str) -> list[str]:
    """Values of the form's ticked checkboxes named ``<prefix><value>``."""
    return [name[len(prefix) :] for name, value in data.items() if name.startswith(prefix) and value == "on"]


def _ids(values: list[str]) -> list[uuid.UUID]:
    return [parse_id(v) for v in values]


def _pair_refs(values: list[str]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    found = []
    for value in values:
        mentee, _, mentor = value.partition("_")
        found.append((parse_id(mentee), parse_id(mentor)))
    return found


def _term(data: dict[str, str]) -> tuple[date, date]:
    starts_on, ends_on = form_date(data, "starts_on"), form_date(data, "ends_on")
    if starts_on is None or ends_on is None:
        raise InvalidInput(
            "Укажите срок пары.",
            [{"field": "starts_on" if starts_on is None else "ends_on", "message": "укажите дату"}],
        )
    return starts_on, ends_on


def _ended_on(data: dict[str, str]) -> date:
    ended_on = form_date(data, "ended_on")
    if ended_on is None:
        raise InvalidInput("Укажите дату завершения.", [{"field": "ended_on", "message": "укажите дату"}])
    return ended_on


class PairsPages(Controller):
    path = "/o/{slug:str}/programmes/{programme_id:str}"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: пары и группы"]

    async def _page(
        self, db: Any, runtime: Runtime, actor: Any, org: OrgContext, programme_id: uuid.UUID, **extra: Any
    ) -> Template:
        entries = await dictionaries_for(db, runtime.plugins, org)
        programme = await programmes.get_programme(db, org, programme_id)
        can_manage = org.has_role(*pairs.MANAGERS)
        groups = await pairs.list_groups(db, org, programme.id, entries)
        dictionaries = pairs.Dictionaries.of(entries, programme.regime)
        starts_on, ends_on = AcademicYear.bounds(programme.academic_year)
        mentors, mentees = await pair_suggestions.choices(db, org, programme.id) if can_manage else ([], [])
        return await page(
            "core/pairs.html",
            db=db,
            runtime=runtime,
            actor=actor,
            org=org,
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

    @get("/groups", summary="Пары и группы, предложения и приказы")
    async def index(
        self, db: Db, runtime: Rt, actor: CurrentActor, org: Org, programme_id: FromPath[str]
    ) -> Template:
        return await self._page(db, runtime, actor, org, parse_id(programme_id))

    @post("/matching", summary="Подобрать пары (форма; отмеченные отклонить)")
    async def matching(
        self, db: Db, runtime: Rt, actor: CurrentActor, org: Org, programme_id: FromPath[str], data: Form
    ) -> Template:
        pid = parse_id(programme_id)
        rejected = _pair_refs(_checked(data, "reject_"))
        shown = await pair_suggestions.suggest(
            db, org, pid, await dictionaries_for(db, runtime.plugins, org), rejected
        )
        return await self._page(
            db,
            runtime,
            actor,
            org,
            pid,
            suggestions=suggestions_out(shown),
            rejected=[f"{a}_{b}" for a, b in rejected],
        )

    @post("/matching/accept", summary="Принять отмеченные предложения (форма)")
    async def accept(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], data: Form
    ) -> Redirect:
        pid = parse_id(programme_id)
        starts_on, ends_on = _term(data)
        accepted = [pair_suggestions.AcceptedPair(a, b) for a, b in _pair_refs(_checked(data, "accept_"))]
        await pair_suggestions.accept(
            db, org, pid, await dictionaries_for(db, runtime.plugins, org), accepted, starts_on, ends_on
        )
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @post("/groups", summary="Сформировать пару или группу вручную (форма)")
    async def create(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], data: Form
    ) -> Redirect:
        pid = parse_id(programme_id)
        starts_on, ends_on = _term(data)
        draft = pairs.GroupDraft(
            mentor_ids=_ids(_checked(data, "mentor_")),
            mentee_ids=_ids(_checked(data, "mentee_")),
            form_code=data.get("form_code", ""),
            kind_code=data.get("kind_code", ""),
            role_model_code=data.get("role_model_code") or None,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        await pairs.create_groups(db, org, pid, await dictionaries_for(db, runtime.plugins, org), [draft])
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @post("/groups/{group_id:str}/delete", summary="Расформировать пару (форма, с подтверждением)")
    async def remove(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], data: Form
    ) -> Redirect:
        pid = parse_id(programme_id)
        if data.get("confirm") != "yes":
            raise InvalidInput(
                "Подтвердите, что пару нужно расформировать.",
                [{"field": "confirm", "message": "отметьте подтверждение"}],
            )
        await pairs.delete_group(db, org, pid, parse_id(group_id))
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @post("/groups/{group_id:str}/complete", summary="Завершить пару с итогами (форма)")
    async def complete(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], data: Form
    ) -> Redirect:
        pid = parse_id(programme_id)
        await completion.complete_group(
            db,
            org,
            pid,
            parse_id(group_id),
            form_int(data, "version", ge=0),
            result=data.get("result", ""),
            ended_on=_ended_on(data),
        )
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @post("/groups/{group_id:str}/end-early", summary="Завершить пару досрочно (форма)")
    async def end_early(
        self, db: Db, org: Org, programme_id: FromPath[str], group_id: FromPath[str], data: Form
    ) -> Redirect:
        pid = parse_id(programme_id)
        await completion.end_group_early(
            db,
            org,
            pid,
            parse_id(group_id),
            form_int(data, "version", ge=0),
            reason=data.get("reason", ""),
            ended_on=_ended_on(data),
        )
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @post("/orders", summary="Издать приказ (форма)")
    async def issue(self, db: Db, org: Org, programme_id: FromPath[str], data: Form) -> Redirect:
        pid = parse_id(programme_id)
        issued_on = form_date(data, "issued_on")
        if issued_on is None:
            raise InvalidInput("Укажите дату приказа.", [{"field": "issued_on", "message": "укажите дату"}])
        draft = orders.OrderDraft(
            data.get("kind", ""), data.get("number", ""), issued_on, _ids(_checked(data, "group_"))
        )
        await orders.issue_order(db, org, pid, draft)
        return Redirect(path=f"/o/{org.org.slug}/programmes/{pid}/groups")

    @get("/orders/{order_id:str}/document.docx", media_type=DOCX, summary="Скачать приказ (.docx)")
    async def document(
        self, db: Db, runtime: Rt, org: Org, programme_id: FromPath[str], order_id: FromPath[str]
    ) -> Response[bytes]:
        return await _document(db, runtime, org, programme_id, order_id)
