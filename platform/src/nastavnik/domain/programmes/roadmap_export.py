"""The programme's roadmap as «Дорожная карта внедрения целевой модели наставничества» (.docx).

Whoever reads the programme reads its roadmap on the page, so they may download it too; the download
is audited, as every export (the responsible may be named by a person's name).
"""

from __future__ import annotations

import uuid
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.documents.programme_report import REGIME_TITLES
from nastavnik.domain.documents.roadmap import ROADMAP, RoadmapData, RoadmapLine, RoadmapStage, render_roadmap
from nastavnik.domain.documents.services import fill
from nastavnik.domain.programmes.models import STAGES
from nastavnik.domain.programmes.services import get_programme, roadmap
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext


async def roadmap_document(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, plugins: Plugins
) -> tuple[str, bytes]:
    """(file name, .docx) of the programme's roadmap, stage by stage; the export is audited."""
    programme = await get_programme(db, ctx, programme_id)
    items = await roadmap(db, ctx, programme)  # by stage, then date
    year = f"{programme.academic_year}/{programme.academic_year + 1}"
    data = RoadmapData(
        organisation_full_name=ctx.org.full_name,
        organisation_short_name=ctx.org.short_name,
        academic_year_title=year,
        regime_title=REGIME_TITLES.get(programme.regime, programme.regime),
        order_number=programme.programma_order_no,
        order_on=programme.programma_order_date,
        stages=[
            RoadmapStage(
                stage,
                STAGES[stage - 1],
                [RoadmapLine(i.title, i.due_on, i.responsible, i.result, i.done) for i in lines],
            )
            for stage, lines in groupby(items, key=lambda i: i.stage)
        ],
    )
    content = await fill(db, ctx, plugins, ROADMAP, lambda template: render_roadmap(data, template))
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.ROADMAP, programme.id, details={"lines": len(items)}
    )
    name = f"Дорожная карта {programme.academic_year}-{programme.academic_year + 1}.docx"
    return name, content
