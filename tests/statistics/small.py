"""A small region for the job tests: three organisations, a few pairs, one headcount missing."""

from __future__ import annotations

from datetime import date

from tests.statistics.spec import GroupSpec, MenteeSpec, OrgSpec, RegionSpec

YEAR = 2026
AS_OF = date(2026, 11, 20)


def small_region(orgs: int = 3) -> RegionSpec:
    specs = []
    for i in range(orgs):
        learners = [MenteeSpec(f"L{i}-{j}", "learner", birth_date=date(2012, 1, 1 + j)) for j in range(i + 2)]
        specs.append(
            OrgSpec(
                f"O{i}",
                "M1" if i % 2 == 0 else "M2",
                "school",
                headcounts={YEAR: (10 * (i + 1), 2)} if i != 1 else {},
                mentors=1,
                mentees=learners,
                groups=[GroupSpec(YEAR, "active", [m.key]) for m in learners],
            )
        )
    return RegionSpec(["M1", "M2"], specs)
