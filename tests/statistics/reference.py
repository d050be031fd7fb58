"""The indicators computed in plain Python from a RegionSpec: what the SQL aggregation must agree with.

Written from docs/statistics.md, not from the SQL, so that a mistake in either shows as a difference.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from tests.statistics.spec import DocumentSpec, OrgSpec, RegionSpec

Key = tuple[str, str]  # (indicator, breakdown)
Value = tuple[int, int | None, int | None]  # numerator, denominator, respondents
# The plugin offering the methodical work to each organisation type, and the shapes it offers there.
METHODICAL = {
    "school": ("schools", ("club", "decade")),
    "college": ("colleges", ("club", "decade")),
    "kindergarten": ("kindergartens", ("club",)),
}
DECADE_COUNTS = ("decades_held", "decade_open_lessons", "decade_learners")
COUNT_KINDS = {
    "groups",
    "core.people",
    "core.mentors",
    "colleges.partners_with_agreement",
    "colleges.students_on_internship",
    *(
        f"{plugin}.{code}"
        for plugin, shapes in METHODICAL.values()
        if "decade" in shapes
        for code in DECADE_COUNTS
    ),
}


def whole_years(since: date, on: date) -> int:
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def _left(mentee_left_on: date | None, as_of: date) -> bool:
    return mentee_left_on is not None and mentee_left_on <= as_of


def involvement(org: OrgSpec, year: int, as_of: date) -> dict[str, dict[str, set[str]]]:
    """Who the two involvement indicators count, by indicator and role: the members of the pairs and groups
    of the year's programmes, active or completed, started by the snapshot date, whose term reaches
    1 September; a mentee who has not left the base of mentees, a mentor who has not left the base of
    mentors; teachers by the person's category, learners aged 10–18 by the birth date of a learner's record
    in the base of mentees, or, for a learner mentor without one, by the birth date in the base of mentors.
    The anonymous mentors (``OrgSpec.mentors``) are pedagogues who never left."""
    people = {m.key: m for m in org.mentees}
    found: dict[str, dict[str, set[str]]] = {
        "teachers_involved": {"mentor": set(), "mentee": set()},
        "learners_involved": {"mentor": set(), "mentee": set()},
    }
    for g in org.groups:
        starts_on, ends_on = g.term()
        if not (
            g.year == year
            and g.status in ("active", "completed")
            and starts_on <= as_of
            and ends_on >= date(year, 9, 1)
        ):
            continue
        found["teachers_involved"]["mentor"] |= {f"mentor#{i}" for i in range(min(g.mentors, org.mentors))}
        members = [("mentee", k) for k in g.mentees] + [("mentor", k) for k in g.mentor_keys]
        for role, key in members:
            person = people[key]
            if _left(person.left_on if role == "mentee" else person.mentor_left_on, as_of):
                continue
            if person.person_category == "pedagogue":
                found["teachers_involved"][role].add(key)
            # A learner's age: from the base of mentees where it has a learner's record, else, as a mentor,
            # from the birth date the base of mentors keeps for a learner.
            born = person.birth_date if person.in_mentee_base and person.kind == "learner" else None
            if born is None and role == "mentor" and person.person_category == "learner":
                born = person.mentor_birth_date
            if born is not None and 10 <= whole_years(born, as_of) <= 18:
                found["learners_involved"][role].add(key)
    return found


def involvement_values(org: OrgSpec, year: int, as_of: date) -> dict[Key, Value]:
    headcount = org.headcounts.get(year)
    denominators = {
        "teachers_involved": org.pedagogues.get(year, headcount[1] + 10) if headcount else None,
        "learners_involved": headcount[0] if headcount else None,
    }
    values: dict[Key, Value] = {}
    for indicator, roles in involvement(org, year, as_of).items():
        values[(indicator, "")] = (len(roles["mentor"] | roles["mentee"]), denominators[indicator], None)
        for role, keys in roles.items():
            values[(indicator, f"role:{role}")] = (len(keys), denominators[indicator], None)
    return values


def org_values(org: OrgSpec, year: int, as_of: date) -> dict[Key, Value]:
    mentees = {m.key: m for m in org.mentees}
    this_year = [g for g in org.groups if g.year == year]
    running = [
        g
        for g in this_year
        if g.status in ("active", "completed") and (g.starts_on or date(year, 9, 15)) <= as_of
    ]
    headcount = org.headcounts.get(year)
    covered = {
        key
        for g in running
        for key in g.mentees
        if mentees[key].in_mentee_base
        and mentees[key].kind == "learner"
        and mentees[key].birth_date is not None
        and 10 <= whole_years(mentees[key].birth_date, as_of) <= 18  # type: ignore[arg-type]
        and not _left(mentees[key].left_on, as_of)
    }
    young = {
        key
        for g in running
        for key in g.mentees
        if mentees[key].kind == "young_pedagogue"
        and mentees[key].profession_since is not None
        and mentees[key].profession_since <= as_of  # type: ignore[operator]
        and whole_years(mentees[key].profession_since, as_of) <= 3  # type: ignore[arg-type]
        and not _left(mentees[key].left_on, as_of)
    }
    values: dict[Key, Value] = {
        ("learners_covered", ""): (len(covered), headcount[0] if headcount else None, None),
        ("young_teachers_mentored", ""): (len(young), headcount[1] if headcount else None, None),
        **involvement_values(org, year, as_of),
    }
    cohort = {
        key
        for g in org.groups
        if g.year == year - 1 and g.status in ("active", "completed")
        for key in g.mentees
        if mentees[key].kind == "young_pedagogue"
    }
    stayed = [
        k
        for k in cohort
        if not (
            mentees[k].left_reason == "profession"
            and (mentees[k].left_on is None or mentees[k].left_on <= as_of)  # type: ignore[operator]
        )
    ]
    values[("young_teachers_retained", "")] = (len(stayed), len(cohort) or None, None)
    programmes = [p for p in org.programmes if p.year == year]

    def approved(doc: DocumentSpec) -> bool:
        return doc.status == "approved" and bool(doc.number) and doc.on is not None and doc.on <= as_of

    flags = {
        "curator": org.curator == "active",
        "polozhenie": any(approved(p.polozhenie) for p in programmes),
        "programma": any(approved(p.programma) for p in programmes),
        "pairs_order": any(d <= as_of for p in programmes for d in p.pairs_orders),
    }
    values[("model_introduced", "")] = (int(all(flags.values())), 1, None)
    for name, flag in flags.items():
        values[("model_introduced", name)] = (int(flag), 1, None)
    counts: dict[str, int] = defaultdict(int)
    for g in this_year:
        mentors = min(g.mentors, org.mentors) + len(set(g.mentor_keys))
        shape = "pair" if mentors == 1 and len(set(g.mentees)) == 1 else "group"
        for breakdown in (f"form:{g.form}", f"kind:{g.kind}", f"status:{g.status}", f"shape:{shape}"):
            counts[breakdown] += 1
    values[("groups", "")] = (len(this_year), None, None)
    for breakdown, n in counts.items():
        values[("groups", breakdown)] = (n, None, None)
    people = (1 if org.curator == "active" else 0) + org.mentors + len(org.mentees)
    values[("core.people", "")] = (people, None, None)
    keyed_mentors = {k for g in org.groups for k in g.mentor_keys}
    values[("core.mentors", "")] = (org.mentors + len(keyed_mentors), None, None)
    start, end = date(year, 9, 1), date(year + 1, 8, 31)
    if org.type == "college":
        values.update(college_values(org, start, min(end, as_of)))
    values.update(methodical_values(org, year))
    return values


def methodical_values(org: OrgSpec, year: int) -> dict[Key, Value]:
    """The methodical work's indicators (docs/statistics.md): the year's club and decades, «held» by the
    events' marks; a share without a denominator (no headcount, nothing held) has none."""
    plugin, shapes = METHODICAL[org.type]
    of_the_year = [a for a in org.methodical if a.year == year]
    clubs = [a for a in of_the_year if a.shape == "club"]
    members = {k for c in clubs for k in c.members}
    meetings = [e for c in clubs for e in c.events]
    held = [e for e in meetings if e.status == "held"]
    planned = [e for e in meetings if e.status == "planned"]
    headcount = org.headcounts.get(year)
    attended = sum(
        len(set(e.attendees) & set(c.members)) for c in clubs for e in c.events if e.status == "held"
    )
    places = sum(len(set(c.members)) * sum(e.status == "held" for e in c.events) for c in clubs)
    values: dict[Key, Value] = {
        (f"{plugin}.club_members_share", ""): (len(members), headcount[1] if headcount else None, None),
        (f"{plugin}.club_meetings_held", ""): (len(held), len(held) + len(planned) or None, None),
        (f"{plugin}.club_attendance", ""): (attended, places or None, None),
    }
    if "decade" in shapes:
        decades = [a for a in of_the_year if a.shape == "decade"]
        events = [e for d in decades for e in d.events if e.status == "held"]
        values[(f"{plugin}.decades_held", "")] = (
            sum(any(e.status == "held" for e in d.events) for d in decades),
            None,
            None,
        )
        values[(f"{plugin}.decade_open_lessons", "")] = (
            sum(e.form == "open_lesson" for e in events),
            None,
            None,
        )
        values[(f"{plugin}.decade_learners", "")] = (len({k for e in events for k in e.learners}), None, None)
    return values


def college_values(org: OrgSpec, start: date, until: date) -> dict[Key, Value]:
    """Partners with an agreement signed by the date; students of pairs whose internship overlaps the year
    up to that date, each once."""
    signed = sum(1 for on in org.agreements if on is not None and on <= until)
    practising = {
        key
        for index, starts_on, ends_on in org.internships
        if starts_on <= until and ends_on >= start
        for key in org.groups[index].mentees
    }
    return {
        ("colleges.partners_with_agreement", ""): (signed, None, None),
        ("colleges.students_on_internship", ""): (len(practising), None, None),
    }


AreaKey = tuple[
    str, str, str, str, str
]  # scope, municipality ('' for the region), org_type, indicator, breakdown
AreaValue = tuple[int, int | None, int | None, int]  # numerator, denominator, respondents, reporting


def area_values(region: RegionSpec, year: int, as_of: date) -> dict[AreaKey, AreaValue]:
    per_org = {o.key: org_values(o, year, as_of) for o in region.orgs if o.active}
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for org in region.orgs:
        if not org.active:
            continue
        for scope, muni in (("municipality", org.municipality), ("region", "")):
            for org_type in ("", org.type):
                groups[(scope, muni, org_type)].append(org.key)
    result: dict[AreaKey, AreaValue] = {}
    for (scope, muni, org_type), keys in groups.items():
        rows: dict[Key, list[Value]] = defaultdict(list)
        for key in keys:
            for k, v in per_org[key].items():
                rows[k].append(v)
        for (indicator, breakdown), values in rows.items():
            counted = [v for v in values if v[1] is not None or indicator in COUNT_KINDS]
            denominators = [v[1] for v in counted if v[1] is not None]
            respondents = [v[2] for v in counted if v[2] is not None]
            result[(scope, muni, org_type, indicator, breakdown)] = (
                sum(v[0] for v in counted),
                sum(denominators) if denominators else None,
                sum(respondents) if respondents else None,
                len(counted),
            )
    return result
