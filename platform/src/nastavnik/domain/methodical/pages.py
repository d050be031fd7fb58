"""The methodical work's pages: a shape's year, an association (its people and plan), an event (its
participants), and the confirmations before a delete. Each form posts the API's own body type, decoded by
``decode_form``; a refused one comes back filled in, each message beside its field."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from litestar import Controller, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.methodical import associations, documents, events, members, participants, views
from nastavnik.domain.methodical.access import association_in, current_year, require_manager, require_steward
from nastavnik.domain.methodical.events import STATUS_TITLES
from nastavnik.domain.methodical.participants import OPEN_LESSON, PLACE_TITLES
from nastavnik.domain.methodical.people import LEARNERS, TEACHERS, choosable
from nastavnik.domain.methodical.routes import Shape, Year
from nastavnik.domain.methodical.schemas import (
    AssociationEditIn,
    AssociationIn,
    EventEditIn,
    EventIn,
    MemberEditIn,
    MemberIn,
    ParticipantsIn,
    association_draft,
    event_draft,
    participants_draft,
)
from nastavnik.models.reference import AcademicYear
from nastavnik.tenancy import NotFound, OrgContext
from nastavnik.types import AssociationShape
from nastavnik.web.deps import ORG_DEPENDENCIES
from nastavnik.web.forms import Form, confirmed, decode_form, ticked
from nastavnik.web.params import Db, Id, Org
from nastavnik.web.rendering import Render

SHAPED = "/{shape:str}/{association_id:uuid}"
EVENT = f"{SHAPED}/events/{{event_id:uuid}}"


def _home(org: OrgContext, shape: str, *rest: object) -> str:
    return "/".join([f"/o/{org.org.slug}/methodical/{shape}", *(str(r) for r in rest)])


def _participants_form(data: Mapping[str, str]) -> ParticipantsIn:
    """The event page's ticks and places as the API's body: boxes ``<role>_<id>``, selects ``place_<id>``."""
    places = {key[len("place_") :]: value for key, value in data.items() if key.startswith("place_")}
    return decode_form(
        {
            "attendees": ticked(data, "attendee_"),
            "observers": ticked(data, "observer_"),
            "learners": ticked(data, "learner_"),
            "winners": [pid for pid, place in places.items() if place == "winner"],
            "prize_winners": [pid for pid, place in places.items() if place == "prize_winner"],
        },
        ParticipantsIn,
    )


async def _event_view(
    db: AsyncSession, org: OrgContext, shape: str, association_id: uuid.UUID, event_id: uuid.UUID
) -> tuple[views.AssociationView, views.EventView]:
    shown = await views.association_view(db, org, shape, association_id)
    event = shown.event(event_id)
    if event is None:
        raise NotFound
    return shown, event


class MethodicalPages(Controller):
    path = "/o/{slug:str}/methodical"
    dependencies = ORG_DEPENDENCIES
    tags = ["Страницы: методическая работа"]

    @get("/{shape:str}", summary="Клуб, декады, совет или творческие группы учебного года")
    async def year(self, render: Render, db: Db, org: Org, shape: Shape, year: Year = None) -> Template:
        shown = await associations.list_associations(db, org, shape, year)
        teachers = await choosable(db, org, TEACHERS) if shown.can_manage and not shown.closed else []
        return await render(
            "core/methodical_year.html",
            shown=shown,
            kind=shown.kind,
            teachers=teachers,
            bounds=AcademicYear.bounds(shown.academic_year),
            current=current_year(org),
            is_decade=shape == AssociationShape.DECADE.value,
        )

    @post("/{shape:str}", summary="Создать (форма)")
    async def create(self, db: Db, org: Org, shape: Shape, data: Form) -> Redirect:
        form = decode_form(data, AssociationIn)
        created = await associations.create_association(
            db, org, shape, form.academic_year, association_draft(form)
        )
        return Redirect(path=_home(org, shape, created.id))

    @get(SHAPED, summary="Состав, план мероприятий и итоги")
    async def show(self, render: Render, db: Db, org: Org, shape: Shape, association_id: Id) -> Template:
        shown = await views.association_view(db, org, shape, association_id)
        teachers = await choosable(db, org, TEACHERS) if shown.can_edit else []
        return await render(
            "core/methodical_association.html",
            v=shown,
            a=shown.association,
            kind=shown.kind,
            teachers=teachers,
            statuses=STATUS_TITLES,
            bounds=AcademicYear.bounds(shown.association.academic_year),
            is_decade=shape == AssociationShape.DECADE.value,
            results=documents.may_read_results(org, shown),
        )

    @post(SHAPED, summary="Изменить (форма)")
    async def edit(self, db: Db, org: Org, shape: Shape, association_id: Id, data: Form) -> Redirect:
        form = decode_form(data, AssociationEditIn)
        await associations.update_association(
            db, org, shape, association_id, association_draft(form), form.version
        )
        return Redirect(path=_home(org, shape, association_id))

    @get(f"{SHAPED}/delete", summary="Подтверждение удаления")
    async def confirm_delete(
        self, render: Render, db: Db, org: Org, shape: Shape, association_id: Id
    ) -> Template:
        _, association = await association_in(db, org, shape, association_id)
        require_manager(org)
        return await render(
            "core/methodical_delete.html",
            heading=f"Удалить «{association.name}»?",
            consequence="Будут удалены состав, все мероприятия, посещаемость и участники.",
            action=_home(org, shape, association_id, "delete"),
            back=_home(org, shape, association_id),
        )

    @post(f"{SHAPED}/delete", summary="Удалить (после подтверждения)")
    async def delete(self, db: Db, org: Org, shape: Shape, association_id: Id, data: Form) -> Redirect:
        if data.get("confirm") != "yes":
            return Redirect(path=_home(org, shape, association_id, "delete"))
        await associations.delete_association(db, org, shape, association_id)
        return Redirect(path=_home(org, shape))

    @post(f"{SHAPED}/members", summary="Добавить в состав (форма)")
    async def add_member(self, db: Db, org: Org, shape: Shape, association_id: Id, data: Form) -> Redirect:
        form = decode_form(data, MemberIn)
        await members.add_member(db, org, shape, association_id, form.person_id, form.position)
        return Redirect(path=_home(org, shape, association_id) + "#members")

    @post(f"{SHAPED}/members/{{member_id:uuid}}", summary="Изменить должность в составе (форма)")
    async def edit_member(
        self, db: Db, org: Org, shape: Shape, association_id: Id, member_id: Id, data: Form
    ) -> Redirect:
        form = decode_form(data, MemberEditIn)
        await members.update_member(db, org, shape, association_id, member_id, form.position)
        return Redirect(path=_home(org, shape, association_id) + "#members")

    @post(
        f"{SHAPED}/members/{{member_id:uuid}}/delete",
        summary="Исключить из состава (форма, с подтверждением)",
    )
    async def remove_member(
        self, db: Db, org: Org, shape: Shape, association_id: Id, member_id: Id, data: Form
    ) -> Redirect:
        confirmed(data, "Подтвердите, что человека нужно исключить из состава.")
        await members.remove_member(db, org, shape, association_id, member_id)
        return Redirect(path=_home(org, shape, association_id) + "#members")

    @post(f"{SHAPED}/events", summary="Запланировать мероприятие (форма)")
    async def add_event(self, db: Db, org: Org, shape: Shape, association_id: Id, data: Form) -> Redirect:
        await events.add_event(db, org, shape, association_id, event_draft(decode_form(data, EventIn)))
        return Redirect(path=_home(org, shape, association_id) + "#events")

    @get(EVENT, summary="Мероприятие: изменение, посещаемость, участники")
    async def event(
        self, render: Render, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id
    ) -> Template:
        shown, event = await _event_view(db, org, shape, association_id, event_id)
        decade = shape == AssociationShape.DECADE.value
        editing = shown.can_edit
        return await render(
            "core/methodical_event.html",
            v=shown,
            a=shown.association,
            e=event,
            kind=shown.kind,
            statuses=STATUS_TITLES,
            places=PLACE_TITLES,
            is_decade=decade,
            observed=event.event.form == OPEN_LESSON,
            teachers=await choosable(db, org, TEACHERS) if editing else [],
            learners=await choosable(db, org, LEARNERS) if editing and decade else [],
            bounds=AcademicYear.bounds(shown.association.academic_year),
        )

    @post(EVENT, summary="Изменить мероприятие (форма)")
    async def edit_event(
        self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id, data: Form
    ) -> Redirect:
        form = decode_form(data, EventEditIn)
        await events.update_event(db, org, shape, association_id, event_id, event_draft(form), form.version)
        return Redirect(path=_home(org, shape, association_id, "events", event_id))

    @get(f"{EVENT}/delete", summary="Подтверждение удаления мероприятия")
    async def confirm_event_delete(
        self, render: Render, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id
    ) -> Template:
        _, association = await association_in(db, org, shape, association_id)
        require_steward(org, association)
        event = await events.event_of(db, org, association, event_id)
        return await render(
            "core/methodical_delete.html",
            heading=f"Удалить мероприятие «{event.topic}» ({event.held_on:%d.%m.%Y})?",
            consequence="Будут удалены и его посещаемость, наблюдатели и участники.",
            action=_home(org, shape, association_id, "events", event_id, "delete"),
            back=_home(org, shape, association_id, "events", event_id),
        )

    @post(f"{EVENT}/delete", summary="Удалить мероприятие (после подтверждения)")
    async def delete_event(
        self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id, data: Form
    ) -> Redirect:
        if data.get("confirm") != "yes":
            return Redirect(path=_home(org, shape, association_id, "events", event_id, "delete"))
        await events.delete_event(db, org, shape, association_id, event_id)
        return Redirect(path=_home(org, shape, association_id) + "#events")

    @post(f"{EVENT}/participants", summary="Посещаемость или участники и места (форма)")
    async def set_participants(
        self, db: Db, org: Org, shape: Shape, association_id: Id, event_id: Id, data: Form
    ) -> Redirect:
        draft = participants_draft(_participants_form(data))
        await participants.set_participants(db, org, shape, association_id, event_id, draft)
        return Redirect(path=_home(org, shape, association_id, "events", event_id))
