"""Topics suggested for a club's meetings: what the young teachers' difficulties call for."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.tenancy import OrgContext


async def suggested_topics(db: AsyncSession, ctx: OrgContext, academic_year: int) -> list[str]:
    """Topics for the club's plan of the academic year, most wanted first; the meeting form offers them.

    The diagnostics of young teachers' difficulties will feed this list; until then there is nothing to
    suggest, and the form simply offers no topics.
    """
    return []
