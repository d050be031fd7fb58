"""A person from outside invited to mentor in the organisation (an enterprise's specialist for a college).

The core's own onboarding, in one transaction: the person's record, their entry in the base of mentors
(with their written consent if already given), and a request for their account, which the worker turns
into an invitation to their e-mail or a one-time password on the access sheet (docs/accounts.md). A
plugin asks for it through its context (``ctx.invite_mentor``) and may add its own rows to the same
transaction; a refusal writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.accounts import services as accounts
from nastavnik.domain.bases.models import MentorProfile
from nastavnik.domain.bases.services import MentorDraft, validate_mentor
from nastavnik.domain.people.services import MANAGERS, PersonDraft, add_person, validate_person
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.plugin_services import BeforeCommit, InvitedMentor, MentorInvitation
from nastavnik.runtime import Runtime
from nastavnik.tenancy import OrgContext


def _checked(ctx: OrgContext, invitation: MentorInvitation, found: Sequence[FieldError]) -> PersonDraft:
    """The person's draft cleaned, or every wrong field of the person, of the mentor's entry and of the
    plugin's own fields (``found``) at once."""
    errors = list(found)
    draft = PersonDraft(
        invitation.last_name,
        invitation.first_name,
        invitation.middle_name,
        invitation.category,
        email=invitation.email or "",
    )
    clean = draft
    try:
        clean = validate_person(draft)
    except InvalidInput as exc:
        errors += exc.errors
    try:
        validate_mentor(
            MentorDraft(capacity=invitation.capacity, consent_on=invitation.consent_on), ctx.today()
        )
    except InvalidInput as exc:
        errors += exc.errors
    if errors:
        raise InvalidInput("Наставник не приглашён: исправьте ошибки.", errors)
    return clean


async def invite_mentor(
    db: AsyncSession,
    ctx: OrgContext,
    runtime: Runtime,
    invitation: MentorInvitation,
    before_commit: BeforeCommit | None = None,
    errors: Sequence[FieldError] = (),
) -> InvitedMentor:
    """Invite a person to mentor: all of it committed together, then the account's job scheduled."""
    ctx.require_role(*MANAGERS)
    clean = _checked(ctx, invitation, errors)
    accounts.require_sso(runtime)  # without it nobody could be invited: refused before anything is written
    person = await add_person(db, ctx, clean)
    db.add(
        MentorProfile(
            org_id=ctx.org.id,
            person_id=person.id,
            capacity=invitation.capacity,
            consent_on=invitation.consent_on,
        )
    )
    if before_commit is not None:
        await before_commit(person.id)
    batch = await accounts.queue_accounts(db, ctx, [person.id])
    for kind in (audit.ObjectKind.PERSON, audit.ObjectKind.MENTOR_PROFILE):
        await audit.record_in(db, ctx, "create", kind, person.id, subject_person_id=person.id)
    await db.commit()
    await accounts.schedule(runtime, ctx.org.id, batch.id)
    return InvitedMentor(person.id, batch.id)
