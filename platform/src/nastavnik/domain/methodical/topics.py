"""Topics suggested for a club's meetings: what the young teachers' difficulties call for.

They come from the academic year's diagnostics of young teachers' difficulties (the questionnaires
domain): its areas the most difficult first, as short topics, for whoever may read its results — the
curator, the director and the club's leader of that year, the people who plan the club's meetings.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.questionnaires.diagnostics import has_diagnostics, may_read_diagnostics
from nastavnik.domain.questionnaires.diagnostics_results import difficulty_ranking
from nastavnik.tenancy import OrgContext


def short_topic(area: str) -> str:
    """An area's wording as a meeting's topic: what comes before its explanation («Планирование урока: цели,
    содержание…» — «Планирование урока»)."""
    return area.split(":", 1)[0].strip() or area.strip()


async def reads_diagnostics(db: AsyncSession, ctx: OrgContext, academic_year: int) -> bool:
    """Whether the organisation has the diagnostics and the acting person may read that year's results."""
    return has_diagnostics(ctx) and await may_read_diagnostics(db, ctx, academic_year)


async def suggested_topics(db: AsyncSession, ctx: OrgContext, academic_year: int) -> list[str]:
    """Topics for the club's plan of the academic year, most wanted first; the meeting form offers them.

    The areas of the year's diagnostics the most difficult first (``difficulty_ranking``) that at least one
    young teacher rated hard: an area nobody finds hard is no difficulty to plan a meeting on, nor to list
    in the club's plan. None where the figures are withheld (fewer than five answered), where the
    diagnostics was not given, or for someone who may not read its results. Reading them is audited as a
    read of the results (and committed).
    """
    if not await reads_diagnostics(db, ctx, academic_year):
        return []
    ranking = await difficulty_ranking(db, ctx, academic_year)
    return list(dict.fromkeys(short_topic(d.text) for d in ranking if d.hard))
