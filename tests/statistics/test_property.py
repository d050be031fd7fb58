"""Property: on generated regions, the SQL aggregation equals a plain Python computation of the definitions.

Dates are drawn around every boundary the definitions name (the 10th and 19th birthdays, the fourth
anniversary in the profession, leaving on the snapshot date, pairs starting after it, documents approved
after it, 29 February), statuses and kinds from their whole ranges, headcounts sometimes missing.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.runtime import Runtime
from tests.statistics.reference import area_values, org_values
from tests.statistics.spec import (
    AssociationSpec,
    DocumentSpec,
    EventSpec,
    GroupSpec,
    MenteeSpec,
    OrgSpec,
    ProgrammeSpec,
    RegionSpec,
    build_region,
)
from tests.statistics.stored import area_rows, org_rows


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@st.composite
def methodical(draw: st.DrawFn, year: int, keys: list[str]) -> list[AssociationSpec]:
    """A club (one a year at most), decades and a council of this year or the last; events of every
    status and form; attendees, observers and learners who are members and who are not."""
    if not keys:
        return []
    some = st.lists(st.sampled_from(keys), max_size=4)

    def events(min_size: int = 0) -> st.SearchStrategy[list[EventSpec]]:
        event = st.builds(
            EventSpec,
            status=st.sampled_from(["planned", "held", "held", "cancelled"]),
            form=st.sampled_from(["seminar", "open_lesson", "olympiad"]),
            attendees=some,
            observers=some,
            learners=some,
        )
        return st.lists(event, min_size=min_size, max_size=4)

    found = []
    for y in (year, year - 1):
        if draw(st.booleans()):
            found.append(AssociationSpec("club", y, members=draw(some), events=draw(events(1))))
    for y in draw(st.lists(st.sampled_from([year, year, year - 1]), min_size=1, max_size=3)):
        found.append(AssociationSpec("decade", y, responsible=draw(some), events=draw(events(1))))
    if draw(st.booleans()):
        found.append(AssociationSpec("council", year, members=draw(some), events=draw(events())))
    return found


@st.composite
def regions(draw: st.DrawFn) -> tuple[RegionSpec, int, date]:
    year = draw(st.sampled_from([2026, 2027]))
    as_of = draw(
        st.one_of(
            st.dates(date(year, 9, 1), date(year + 1, 8, 31)),
            st.just(date(2028, 2, 29)) if year == 2027 else st.just(date(year, 9, 1)),
        )
    )
    near = st.integers(-3, 3).map(lambda d: timedelta(days=d))

    def around(anchor: date) -> st.SearchStrategy[date]:
        return st.one_of(
            near.map(lambda d: anchor + d), st.just(date(2016, 2, 29)), st.just(date(2008, 2, 29))
        )

    municipalities = draw(st.lists(st.sampled_from(["M1", "M2", "M3"]), min_size=1, max_size=3, unique=True))
    orgs = []
    for n in range(draw(st.integers(1, 4))):
        mentees = []
        for i in range(draw(st.integers(0, 6))):
            left_on = draw(st.none() | around(as_of))
            if draw(st.booleans()):
                born = draw(st.none() | around(_years_before(as_of, 10)) | around(_years_before(as_of, 19)))
                mentees.append(
                    MenteeSpec(
                        f"m{i}",
                        "learner",
                        birth_date=born,
                        left_on=left_on,
                        in_mentee_base=draw(st.sampled_from([True, True, True, False])),
                        mentor_left_on=draw(st.none() | around(as_of)),
                        # What the base of mentors keeps for a learner who mentors (used where the base of
                        # mentees has no learner's record of them).
                        mentor_birth_date=draw(
                            st.none() | around(_years_before(as_of, 10)) | around(_years_before(as_of, 19))
                        ),
                    )
                )
            else:
                since = draw(around(_years_before(as_of, 4)) | around(as_of) | st.just(date(year - 1, 9, 1)))
                reason = draw(st.none() | st.sampled_from(["organisation", "profession"]))
                mentees.append(
                    MenteeSpec(
                        f"m{i}",
                        "young_pedagogue",
                        profession_since=since,
                        left_on=left_on,
                        left_reason=reason,
                        mentor_left_on=draw(st.none() | around(as_of)),
                    )
                )
        keys = [m.key for m in mentees]
        groups = []
        if keys:
            for _ in range(draw(st.integers(0, 5))):
                chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3))
                # Learners and young teachers who mentor too (never in a group they are mentored in).
                mentoring = draw(st.lists(st.sampled_from(keys), max_size=2))
                groups.append(
                    GroupSpec(
                        year=draw(st.sampled_from([year, year - 1])),
                        status=draw(st.sampled_from(["draft", "active", "completed", "ended_early"])),
                        mentees=chosen,
                        mentors=draw(st.integers(0, 2)),
                        mentor_keys=[k for k in dict.fromkeys(mentoring) if k not in chosen],
                        starts_on=draw(around(as_of)),
                        form=draw(st.sampled_from(["student_student", "teacher_teacher"])),
                        kind=draw(st.sampled_from(["traditional", "group"])),
                    )
                )

        def document() -> DocumentSpec:
            return DocumentSpec(
                draw(st.sampled_from(["absent", "draft", "approved"])),
                draw(st.sampled_from([None, "", "7-од"])),
                draw(st.none() | around(as_of)),
            )

        programmes = [
            ProgrammeSpec(y, document(), document(), draw(st.lists(around(as_of), max_size=2)))
            for y in sorted({year, *(g.year for g in groups)})
            if draw(st.booleans()) or y in {g.year for g in groups}
        ]
        orgs.append(
            OrgSpec(
                f"O{n}",
                draw(st.sampled_from(municipalities)),
                draw(st.sampled_from(["school", "college", "kindergarten"])),
                active=draw(st.booleans() | st.just(True)),
                headcounts=draw(
                    st.one_of(
                        st.just({}), st.tuples(st.integers(0, 12), st.integers(0, 6)).map(lambda h: {year: h})
                    )
                ),
                curator=draw(st.sampled_from(["active", "left", None])),
                mentors=draw(st.integers(1, 2)),
                mentees=mentees,
                groups=groups,
                programmes=programmes,
                methodical=draw(methodical(year, keys)),
            )
        )
    return RegionSpec(municipalities, orgs), year, as_of


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=regions())
async def test_sql_aggregation_equals_the_python_computation(
    runtime: Runtime, case: tuple[RegionSpec, int, date]
) -> None:
    spec, year, as_of = case
    built = await build_region(runtime, spec)
    await recompute(
        runtime.aggregator_engine, runtime.plugins, Snapshot(ScopeKind.REGION, built.id, year, as_of)
    )
    for org in spec.orgs:
        stored = await org_rows(runtime, built.orgs[org.key], year, as_of)
        assert stored == (org_values(org, year, as_of) if org.active else {}), org
    assert await area_rows(runtime, built, year, as_of) == area_values(spec, year, as_of)
