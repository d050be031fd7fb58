"""«Свидетельство наставника» for one mentor, filled from their training records.

Drawn up by the curator or the director, or by the mentor for themself (who may read their trainings);
filled from the template ``documents.services.fill`` chooses (the region's, a plugin's or the platform's)
and audited as an export of the mentor's data.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases import training
from nastavnik.domain.documents.mentor_certificate import (
    TEMPLATE,
    MentorCertificateData,
    TrainingLine,
    render_mentor_certificate,
)
from nastavnik.domain.documents.services import fill
from nastavnik.domain.documents.signers import person_name, role_holder
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.models.people import ProgrammeRole
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext

NO_TRAINING = "Свидетельство не составлено: у наставника нет ни одной записи об обучении."


async def certificate_docx(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, person_id: uuid.UUID
) -> tuple[bytes, str]:
    """(.docx, file name) of the mentor's certificate; 422 in Russian when they have no training."""
    person, records, _ = await training.trainings_of(db, ctx, person_id)
    if not records:
        raise InvalidInput(NO_TRAINING, [FieldError("person_id", "нет записей об обучении")])
    lines = [
        TrainingLine(r.course, r.provider, r.hours, r.started_on, r.finished_on, r.certificate_no)
        for r in sorted(records, key=lambda r: (r.started_on, r.course))
    ]
    data = MentorCertificateData(
        organisation_full_name=ctx.org.full_name,
        organisation_short_name=ctx.org.short_name,
        issued_on=ctx.today(),
        mentor=person_name(person),
        trainings=lines,
        director=await role_holder(db, ctx, ProgrammeRole.DIRECTOR),
        curator=await role_holder(db, ctx, ProgrammeRole.CURATOR),
    )
    content = await fill(
        db, ctx, plugins, TEMPLATE, lambda template: render_mentor_certificate(data, template)
    )
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.MENTOR_CERTIFICATE, person.id, subject_person_id=person.id
    )
    return content, f"Свидетельство наставника {person.last_name}.docx"
