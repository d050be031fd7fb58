"""The methodical work's JSON API: every shape at ``/api/o/{slug}/methodical/{shape}``, where ``shape`` is an
``AssociationShape`` value (club, decade, council, creative_group) the organisation has; any other is 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.methodical import associations, events, members, offers, participants, views
from nastavnik.domain.methodical.access import require_reader
from nastavnik.domain.methodical.models import Association, AssociationEvent
from nastavnik.domain.methodical.people import people_by_id
from nastavnik.domain.methodical.schemas import (
    AssociationDetailOut,
    AssociationEditIn,
    AssociationIn,
    AssociationOut,
    EventEditIn,
    EventIn,
    EventOut,
    KindOut,
    MemberAddedOut,
    MemberEditIn,
    MemberIn,
    MemberOut,
    ParticipantsIn,
    WarningOut,
    YearOut,
    association_draft,
    association_out,
    detail_out,
    event_draft,
    event_out,
    kind_out,
    member_out,
    participants_draft,
    year_out,
)
from nastavnik.tenancy import OrgContext
from nastavnik.types import YEAR_MAX, YEAR_MIN
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.params import Db, Id, Org

Shape = FromPath[str]
"""The shape named in the path: club, decade, council or creative_group."""
Year = Annotated[
    int | None, QueryParameter(name="year", ge=YEAR_MIN, le=YEAR_MAX, description="Год начала учебного года")
]
SHAPED = "/{shape:str}/{association_id:uuid}"


async def shown_association(db: AsyncSession, org: OrgContext, association: Association) -> AssociationOut:
    leaders = await people_by_id(db, org, [association.leader_id])
    return association_out(association, leaders.get(association.leader_id) if association.leader_id else None)


async def shown_event(db: AsyncSession, org: OrgContext, shape: str, event: AssociationEvent) -> EventOut:
    (shown,) = await views.event_views(db, org, offers.kind_of(org, shape), [event])
    return event_out(shown)


class MethodicalApi(Controller):
    path = "/api/o/{slug:str}/methodical"
    dependencies = ORG_DEPENDENCIES
    tags = ["Методическая работа: клуб, декады, методический совет, творческие группы"]

    @get("/", summary="Что из методической работы есть в организации и как это называется")
    async def offered(self, org: Org) -> list[KindOut]:
        require_reader(org)
        return [kind_out(offer.kind) for offer in offers.offered(org).values()]

    @get("/{shape:str}", summary="Клуб, декады, совет или творческие группы учебного года")
    async def year(self, db: Db, org: Org, shape: Shape, year: Year = None) -> YearOut:
        return year_out(await associations.list_associations(db, org, shape, year))

    @post(
        "/{shape:str}",
        summary="Создать клуб, декаду, совет или группу (куратор, директор)",
        status_code=HTTP_201_CREATED,
    )
    async def create(self, db: Db, org: Org, shape: Shape, data: JSONBody[AssociationIn]) -> AssociationOut:
        created = await associations.create_association(
            db, org, shape, data.academic_year, association_draft(data)
        )
        return await shown_association(db, org, created)

    @get(SHAPED, summary="Состав, план мероприятий, посещаемость и итоги")
    async def show(self, db: Db, org: Org, shape: Shape, association_id: Id) -> AssociationDetailOut:
        return detail_out(await views.association_view(db, org, shape, association_id))

    @put(SHAPED, summary="Изменить (с номером версии; руководитель — только итоги и продукты)")
    async def edit(
        self, db: Db, org: Org, shape: Shape, association_id: Id, data: JSONBody[AssociationEditIn]
    ) -> AssociationOut:
        changed = await associations.update_association(
            db, org, shape, association_id, association_draft(data), data.version
        )
        return await shown_association(db, org, changed)

    @delete(SHAPED, summary="Удалить вместе с составом и мероприятиями", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, org: Org, shape: Shape, association_id: Id) -> None:
        await associations.delete_association(db, org, shape, association_id)

    @post(
        f"{SHAPED}/members",
        summary="Добавить в состав (с предупреждением о не молодом педагоге)",
        status_code=HTTP_201_CREATED,
    )
    async def add_member(
        self, db: Db, org: Org, shape: Shape, association_id: Id, data: JSONBody[MemberIn]
    ) -> MemberAddedOut:
        admitted = await members.add_member(db, org, shape, association_id, data.person_id, data.position)
        return MemberAddedOut(
            member=member_out(admitted.view),
            warnings=[WarningOut(w.field, w.message) for w in admitted.warnings],
        )

    @put(f"{SHAPED}/members/{{member_id:uuid}}", summary="Изменить должность в составе")
    async def edit_member(
        self, db: Db, org: Org, shape: Shape, association_id: Id, member_id: Id, data: JSONBody[MemberEditIn]
    ) -> MemberOut:
        return member_out(
            await members.update_member(db, org, shape, association_id, member_id, data.position)
        )

    @delete(
        f"{SHAPED}/members/{{member_id:uuid}}",
        summary="Исключить из состава",
        status_code=HTTP_204_NO_CONTENT,
    )
    async def remove_member(self, db: Db, org: Org, shape: Shape, association_id: Id, member_id: Id) -> None:
        await members.remove_member(db, org, shape, association_id, member_id)

    @post(f"{SHAPED}/events", summary="Запланировать мероприятие", status_code=HTTP_201_CREATED)
    async def add_event(
        self, db: Db, org: Org, shape: Shape, association_id: Id, data: JSONBody[EventIn]
    ) -> EventOut:
        event = await events.add_event(db, org, shape, association_id, event_draft(data))
        return await shown_event(db, org, shape, event)

    @put(
        f"{SHAPED}/events/{{event_id:uuid}}",
        summary="Изменить мероприятие, его состояние и итог (с номером версии)",
    )
    async def edit_event(
        self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id, data: JSONBody[EventEditIn]
    ) -> EventOut:
        event = await events.update_event(
            db, org, shape, association_id, event_id, event_draft(data), data.version
        )
        return await shown_event(db, org, shape, event)

    @delete(
        f"{SHAPED}/events/{{event_id:uuid}}", summary="Удалить мероприятие", status_code=HTTP_204_NO_CONTENT
    )
    async def remove_event(self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id) -> None:
        await events.delete_event(db, org, shape, association_id, event_id)

    @put(
        f"{SHAPED}/events/{{event_id:uuid}}/participants",
        summary="Посещаемость; наблюдатели, участники, победители и призёры (целиком, с проверкой всех)",
    )
    async def set_participants(
        self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id, data: JSONBody[ParticipantsIn]
    ) -> EventOut:
        draft = participants_draft(data)
        event = await participants.set_participants(db, org, shape, association_id, event_id, draft)
        return await shown_event(db, org, shape, event)
