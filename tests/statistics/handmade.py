"""The hand-made region: two municipalities, five organisations, every edge the definitions name.

Snapshot: academic year 2026/2027 (``YEAR``), as of 15 November 2026 (``AS_OF``). The expected figures
are in test_indicators.py as literals, with their arithmetic.
"""

from __future__ import annotations

from datetime import date

from tests.statistics.spec import (
    AssociationSpec,
    DocumentSpec,
    EventSpec,
    GroupSpec,
    MenteeSpec,
    OrgSpec,
    ProgrammeSpec,
    RegionSpec,
    held_decade,
)

YEAR = 2026
AS_OF = date(2026, 11, 15)
LATE = date(2026, 12, 1)  # a pair that starts after the snapshot date

APPROVED = DocumentSpec("approved", "12-од", date(2026, 9, 1))


def _learner(key: str, born: date | None, left_on: date | None = None) -> MenteeSpec:
    return MenteeSpec(key, "learner", birth_date=born, left_on=left_on)


def _young(key: str, since: date, left_on: date | None = None, reason: str | None = None) -> MenteeSpec:
    return MenteeSpec(key, "young_pedagogue", profession_since=since, left_on=left_on, left_reason=reason)


def _pair(key: str, status: str = "active", year: int = YEAR, **kw: object) -> GroupSpec:
    return GroupSpec(year, status, [key], **kw)  # type: ignore[arg-type]


def _tt(key: str, status: str = "active", year: int = YEAR) -> GroupSpec:
    return GroupSpec(year, status, [key], form="teacher_teacher")


A1 = OrgSpec(
    "A1",
    "MA",
    "school",
    headcounts={YEAR: (10, 4)},
    mentors=3,
    mentees=[
        _learner("L1", date(2016, 11, 15)),  # 10 today: counted
        _learner("L2", date(2016, 11, 16)),  # 9: not
        _learner("L3", date(2008, 11, 16)),  # 17 (18 tomorrow): counted
        _learner("L4", date(2007, 11, 16)),  # 18 (19 tomorrow): counted
        _learner("L5", date(2007, 11, 15)),  # 19 today: not
        _learner("L6", date(2012, 1, 1)),  # only in a pair ended early: not
        _learner("L7", date(2012, 1, 1)),  # only in a draft: not
        _learner("L8", date(2012, 1, 1)),  # the pair starts after the snapshot date: not
        _learner("L9", date(2012, 1, 1), left_on=date(2026, 10, 1)),  # left before: not
        _learner("L10", date(2012, 1, 1)),  # only in last year's pair: not
        _learner("L11", date(2012, 1, 1)),  # in two groups this year: counted once
        _learner("L12", None),  # no birth date: not
        # 15, mentors the peer L2: involved, not covered; the base of mentees' birth date goes before the
        # base of mentors' (a mistaken 6 there changes nothing)
        MenteeSpec("L13", "learner", birth_date=date(2011, 1, 1), mentor_birth_date=date(2020, 1, 1)),
        _young("Y1", date(2026, 9, 1)),  # 0 years: counted
        _young("Y2", date(2022, 11, 16)),  # 3 years 364 days: counted
        _young("Y3", date(2022, 11, 15)),  # 4 years today: not
        _young("Y4", date(2026, 11, 16)),  # starts tomorrow: not
        _young("Y5", date(2025, 9, 1), left_on=AS_OF, reason="organisation"),  # left today: not
        _young(
            "Y6", date(2025, 9, 1), left_on=date(2026, 11, 16), reason="profession"
        ),  # leaves later: counted
        _young("Y7", date(2025, 9, 1)),  # no pair: not
        _young("R1", date(2024, 9, 1)),  # last year's cohort: stayed
        _young("R2", date(2024, 9, 1), left_on=date(2026, 6, 30), reason="profession"),  # left the profession
        _young("R3", date(2024, 9, 1), left_on=date(2026, 6, 30), reason="organisation"),  # stayed elsewhere
        _young("R4", date(2024, 9, 1), left_on=date(2026, 12, 1), reason="profession"),  # not yet: stayed
        _young("R5", date(2024, 9, 1)),  # last year's pair ended early: not in the cohort
    ],
    groups=[
        _pair("L1"),
        _pair("L2", mentors=0, mentor_keys=["L13"]),  # «ученик – ученик»: a learner mentors
        _pair("L3", "completed"),
        GroupSpec(YEAR, "active", ["L4", "L5"], kind="group"),
        _pair("L6", "ended_early"),
        _pair("L7", "draft"),
        _pair("L8", starts_on=LATE),
        _pair("L9"),
        _pair("L11"),
        _pair("L11", "completed"),
        _pair("L12"),
        _tt("Y1"),
        _tt("Y2", "completed"),
        _tt("Y3"),
        _tt("Y4"),
        _tt("Y5"),
        _tt("Y6"),
        _pair("L10", year=YEAR - 1),
        _tt("R1", "completed", YEAR - 1),
        _tt("R2", "completed", YEAR - 1),
        _tt("R3", "completed", YEAR - 1),
        _tt("R4", "completed", YEAR - 1),
        _tt("R5", "ended_early", YEAR - 1),
    ],
    programmes=[ProgrammeSpec(YEAR, APPROVED, APPROVED, [date(2026, 9, 10)])],
    methodical=[
        # The club: 3 members (the leader is none) of the 4 young teachers counted; 3 meetings held, 2
        # planned, 1 cancelled; attendance 3 + 2 + 1 of 3 members × 3 meetings (R1 is a guest, and a mark on
        # a planned meeting is no attendance).
        AssociationSpec(
            "club",
            YEAR,
            members=["Y1", "Y2", "Y7"],
            events=[
                EventSpec(attendees=["Y1", "Y2", "Y7"]),
                EventSpec(attendees=["Y1", "Y2", "R1"]),
                EventSpec(form="master_class", attendees=["Y1"]),
                EventSpec("planned", attendees=["Y7"]),
                EventSpec("planned"),
                EventSpec("cancelled", attendees=["Y1", "Y2"]),
            ],
        ),
        AssociationSpec(
            "club", YEAR - 1, members=["R1", "R2", "R3", "R4"], events=[EventSpec(attendees=["R1"])]
        ),
        # Decades: D1 and D5 held something, D2 only planned, D3 has no events, last year's D4 is not counted.
        # Open lessons held: 2 (the cancelled one is not); learners: L1, L3, L4, L11 (L1 twice; L5 only in a
        # planned contest; Y1 observed a lesson).
        held_decade(
            YEAR,
            EventSpec(form="open_lesson", observers=["Y1"]),
            EventSpec(form="open_lesson"),
            EventSpec("cancelled", "open_lesson"),
            EventSpec(form="olympiad", learners=["L1", "L3", "L4"], winners=["L4"]),
            EventSpec("planned", "contest", learners=["L5"]),
        ),
        AssociationSpec("decade", YEAR, events=[EventSpec("planned", "open_lesson")]),
        AssociationSpec("decade", YEAR),
        held_decade(YEAR - 1, EventSpec(form="olympiad", learners=["L6"])),
        held_decade(YEAR, EventSpec(form="extracurricular", learners=["L1", "L11"])),
        AssociationSpec("council", YEAR, members=["R1"], events=[EventSpec(attendees=["R1"])]),
    ],
)

A2 = OrgSpec(
    "A2",
    "MA",
    "college",
    headcounts={YEAR: (5, 2)},
    mentors=1,
    mentees=[
        _learner("K1", date(2011, 5, 5)),  # 15: counted
        _learner("K2", date(2011, 6, 6)),  # 15: counted
        _young("K3", date(2024, 9, 1)),  # counted
    ],
    groups=[_pair("K1"), _pair("K2"), _tt("K3")],
    programmes=[ProgrammeSpec(YEAR, APPROVED, DocumentSpec("draft", None, None), [date(2026, 9, 10)])],
    # Partners: an agreement of today (counted), one of tomorrow (not), one without. K1's internship starts
    # today (counted); K2's ended in August, before the year (not).
    agreements=[AS_OF, date(2026, 11, 16), None],
    internships=[(0, AS_OF, date(2026, 12, 15)), (1, date(2026, 8, 1), date(2026, 8, 31))],
    # The college's school of young lecturers: K3 of 2 young teachers, one meeting held without anyone marked.
    methodical=[AssociationSpec("club", YEAR, members=["K3"], events=[EventSpec()])],
)

B1 = OrgSpec(
    "B1",
    "MB",
    "school",
    headcounts={},  # gave no headcount: its shares read «нет данных»
    curator="left",  # the curator has left: no curator
    mentors=1,
    mentees=[_learner("S1", date(2014, 2, 2)), _young("S2", date(2025, 9, 1))],
    groups=[_pair("S1"), _tt("S2")],
    programmes=[ProgrammeSpec(YEAR, APPROVED, APPROVED, [date(2026, 10, 1)])],
    # No headcount: the club's share reads «нет данных»; one meeting held (S2 came), one planned; one
    # decade with a held open lesson in which the learner S1 took part.
    methodical=[
        AssociationSpec(
            "club", YEAR, members=["S2"], events=[EventSpec(attendees=["S2"]), EventSpec("planned")]
        ),
        held_decade(YEAR, EventSpec(form="open_lesson", learners=["S1"], winners=["S1"])),
    ],
)

B2 = OrgSpec(
    "B2",
    "MB",
    "kindergarten",
    headcounts={YEAR: (0, 3)},  # no learners 10–18 in a kindergarten: 0 of 0 reads «нет данных»
    mentors=2,
    mentees=[
        _young("D1", date(2025, 9, 1)),  # counted
        _young("D2", date(2024, 9, 1)),  # only in a pair ended early: not
        _young("D3", date(2023, 9, 1)),  # last year's cohort: stayed
    ],
    groups=[
        GroupSpec(YEAR, "active", ["D1"], mentors=2, form="teacher_teacher"),  # two mentors: a group
        _tt("D2", "ended_early"),
        _tt("D3", "completed", YEAR - 1),
    ],
    programmes=[
        ProgrammeSpec(
            YEAR,
            DocumentSpec("approved", "3-од", date(2026, 11, 20)),  # approved after the snapshot date
            APPROVED,
            [date(2026, 11, 10)],
        )
    ],
    methodical=[AssociationSpec("club", YEAR, members=["D1", "D2", "D3"])],  # no meetings yet
)

B3 = OrgSpec(
    "B3",
    "MB",
    "school",
    active=False,  # deactivated: counted nowhere
    headcounts={YEAR: (100, 10)},
    mentees=[_learner("X1", date(2012, 1, 1))],
    groups=[_pair("X1")],
    methodical=[held_decade(YEAR)],
)

REGION = RegionSpec(["MA", "MB"], [A1, A2, B1, B2, B3])
