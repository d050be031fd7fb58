"""The core's services for plugins (:class:`nastavnik.plugin_services.CoreServices`), put together here
because they reach into the domains, which the kernel's plugin context may not import."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.dictionaries.catalogue import dictionaries_for
from nastavnik.domain.people import invitations
from nastavnik.domain.people.services import summaries_of
from nastavnik.domain.programmes.pairs import summaries
from nastavnik.errors import FieldError
from nastavnik.plugin_services import (
    BeforeCommit,
    InvitedMentor,
    MentoringPair,
    MentorInvitation,
    PersonSummary,
)
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext


class PluginServices:
    """What every plugin context of this process may ask the core for; holds the runtime out of sight."""

    __slots__ = ("_runtime",)

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    async def invite_mentor(
        self,
        db: AsyncSession,
        ctx: OrgContext,
        invitation: MentorInvitation,
        before_commit: BeforeCommit | None,
        errors: Sequence[FieldError],
    ) -> InvitedMentor:
        return await invitations.invite_mentor(db, ctx, self._runtime, invitation, before_commit, errors)

    async def people(
        self, db: AsyncSession, ctx: OrgContext, person_ids: Collection[uuid.UUID]
    ) -> list[PersonSummary]:
        return await summaries_of(db, ctx, person_ids)

    async def mentoring_pairs(
        self,
        db: AsyncSession,
        ctx: OrgContext,
        *,
        group_ids: Collection[uuid.UUID] | None,
        mentor_ids: Collection[uuid.UUID] | None,
        form_codes: Collection[str] | None,
    ) -> list[MentoringPair]:
        dictionaries = await dictionaries_for(db, self._runtime.plugins, ctx)
        return await summaries.mentoring_pairs(
            db, ctx, dictionaries, group_ids=group_ids, mentor_ids=mentor_ids, form_codes=form_codes
        )
