"""What the core does for a plugin beyond its own tables: invite a person as a mentor, read people and pairs.

A plugin calls these as methods of its narrow context (``await ctx.invite_mentor(...)``,
``await ctx.people(...)``, ``await ctx.mentoring_pairs(...)``, :class:`nastavnik.PluginContext`); the types
here are public (``from nastavnik import MentorInvitation``). The work is the domains' (people, accounts,
pairs), which the kernel never imports: the assembly hands the context an implementation of
:class:`CoreServices` (``nastavnik.default_plugins.services``), as it hands it the page renderer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.errors import FieldError
from nastavnik.tenancy import OrgContext

BeforeCommit = Callable[[uuid.UUID], Awaitable[None]]
"""Called with the invited person's id before the invitation commits: the plugin writes its own rows (its
link to the person) and its audit record through its context, and does not commit."""


@dataclass(frozen=True, slots=True)
class MentorInvitation:
    """A person from outside the organisation invited to mentor there (an enterprise's specialist).

    ``email``: where the invitation to set a password goes; without one the curator prints a one-time
    password on the access sheet. ``consent_on``: the date of their written consent to mentor, if already
    given (a pair needs it, Labour Code art. 351.8); ``capacity``: how many mentees they take at most.
    """

    last_name: str
    first_name: str
    middle_name: str | None = None
    email: str | None = None
    category: str = "staff"
    """The person's category in the organisation: ``staff`` (сотрудник), ``pedagogue`` or ``learner``."""
    consent_on: date | None = None
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class InvitedMentor:
    person_id: uuid.UUID
    """The new person of the organisation, in its base of mentors."""
    account_batch_id: uuid.UUID
    """Their account's request (``/o/<slug>/accounts/<id>``): the worker invites them, or sets a one-time
    password for the access sheet."""


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """A person of the organisation as a plugin's list shows them (the plugin keeps only their id)."""

    id: uuid.UUID
    full_name: str
    email: str | None
    active: bool
    """False once they left the organisation (their access ended)."""
    has_login: bool
    """Their account exists (created, or an invitation sent), linked to the person."""


@dataclass(frozen=True, slots=True)
class PairPerson:
    id: uuid.UUID
    full_name: str


@dataclass(frozen=True, slots=True)
class MentoringPair:
    """A mentoring pair or group of the organisation, as a plugin reads it (no one's personal data beyond
    the members' names)."""

    id: uuid.UUID
    programme_id: uuid.UUID
    academic_year: int
    """The programme's academic year, by its start year."""
    form_code: str
    form_title: str
    """The form as the organisation's region words it («Работодатель – студент»)."""
    status: str
    """``draft``, ``active``, ``completed`` or ``ended_early``."""
    status_title: str
    starts_on: date
    ends_on: date
    mentors: tuple[PairPerson, ...]
    mentees: tuple[PairPerson, ...]


class CoreServices(Protocol):
    """What the assembly provides to every plugin context (the kernel states it, the domains do it)."""

    async def invite_mentor(
        self,
        db: AsyncSession,
        ctx: OrgContext,
        invitation: MentorInvitation,
        before_commit: BeforeCommit | None,
        errors: Sequence[FieldError],
    ) -> InvitedMentor: ...

    async def people(
        self, db: AsyncSession, ctx: OrgContext, person_ids: Collection[uuid.UUID]
    ) -> list[PersonSummary]: ...

    async def mentoring_pairs(
        self,
        db: AsyncSession,
        ctx: OrgContext,
        *,
        group_ids: Collection[uuid.UUID] | None,
        mentor_ids: Collection[uuid.UUID] | None,
        form_codes: Collection[str] | None,
    ) -> list[MentoringPair]: ...
