"""The regional indicators of the methodical work, written once for every plugin that offers it.

The tables are the building block's (``nastavnik.domain.methodical``); the indicators are contributed by
the plugins that offer its shapes, since an indicator is computed only where its plugin is active and
serves the organisation's type, and its title speaks the plugin's words. So each plugin returns
:func:`methodical_statistics` of its own shapes, and the SQL below is the one definition all of them
share. It lives in the kernel as text: plugins may import only ``nastavnik``, and the kernel imports no
domain (it names the domain's tables in SQL, as the aggregator's grants of migration 0018 do).

Every query counts aggregates over the columns the aggregator may read (shapes, years, statuses, forms,
roles): never a name, a topic or a text. «Held» is what the organisation marked: an event with the
status «проведено», whatever its date, so the organisation's page and the region count the same rows on
any day. The academic year is the association's own (``academic_year``, its start year).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nastavnik.plugin_data import PluginDataError
from nastavnik.types import AssociationKind, AssociationShape, IndicatorKind, StatisticContributor

YEAR = "CAST(:academic_year AS integer)"


def _of_the_year(shape: str) -> str:
    """The associations ``a`` of a shape and of the academic year, in the scope's organisations."""
    return f"a.shape = '{shape}' AND a.academic_year = {YEAR} AND a.org_id IN (SELECT org_id FROM scope_org)"


HELD = "e.org_id = a.org_id AND e.association_id = a.id AND e.status = 'held'"
"""The association ``a``'s held events ``e``."""
MEMBER = "m.org_id = a.org_id AND m.association_id = a.id AND m.role = 'member'"
"""The association ``a``'s members ``m`` (its leader is no member unless made one)."""

# Members of the year's club against the organisation's headcount of young teachers for the year, as the
# core's «young teachers with a mentor» (no headcount: no denominator, «нет данных»).
CLUB_MEMBERS_SHARE = f"""
SELECT s.org_id, coalesce(c.members, 0), h.young_pedagogues, NULL
  FROM scope_org s
  LEFT JOIN headcount h ON h.org_id = s.org_id AND h.academic_year = {YEAR}
  LEFT JOIN (
        SELECT a.org_id, count(DISTINCT m.person_id) AS members
          FROM methodical_association a
          JOIN methodical_member m ON {MEMBER}
         WHERE {_of_the_year("club")}
         GROUP BY a.org_id
       ) c ON c.org_id = s.org_id"""

# The club's meetings held against those held or still planned; a cancelled one counts in neither.
CLUB_MEETINGS_HELD = f"""
SELECT a.org_id, count(*) FILTER (WHERE e.status = 'held'), count(*), NULL
  FROM methodical_association a
  JOIN methodical_event e ON e.org_id = a.org_id AND e.association_id = a.id
                         AND e.status IN ('held', 'planned')
 WHERE {_of_the_year("club")}
 GROUP BY a.org_id"""

# The members' marks of attendance at the held meetings against the members times the held meetings
# (none held or no members: no denominator); a guest is no member and counts in neither.
CLUB_ATTENDANCE = f"""
SELECT c.org_id, sum(c.attended), NULLIF(sum(c.members * c.held), 0), NULL
  FROM (
        SELECT a.org_id,
               (SELECT count(*)
                  FROM methodical_event e
                  JOIN methodical_participant p ON p.org_id = e.org_id AND p.event_id = e.id
                                               AND p.role = 'attendee'
                  JOIN methodical_member m ON {MEMBER} AND m.person_id = p.person_id
                 WHERE {HELD}) AS attended,
               (SELECT count(*) FROM methodical_member m WHERE {MEMBER}) AS members,
               (SELECT count(*) FROM methodical_event e WHERE {HELD}) AS held
          FROM methodical_association a
         WHERE {_of_the_year("club")}
       ) c
 GROUP BY c.org_id"""

# The year's decades with at least one held event.
DECADES_HELD = f"""
SELECT a.org_id, count(*), NULL, NULL
  FROM methodical_association a
 WHERE {_of_the_year("decade")}
   AND EXISTS (SELECT 1 FROM methodical_event e WHERE {HELD})
 GROUP BY a.org_id"""

# The held open lessons of the year's decades.
DECADE_OPEN_LESSONS = f"""
SELECT a.org_id, count(*), NULL, NULL
  FROM methodical_association a
  JOIN methodical_event e ON {HELD} AND e.form = 'open_lesson'
 WHERE {_of_the_year("decade")}
 GROUP BY a.org_id"""

# Distinct learners taking part in the held events of the year's decades: one in three olympiads is one.
DECADE_LEARNERS = f"""
SELECT a.org_id, count(DISTINCT p.person_id), NULL, NULL
  FROM methodical_association a
  JOIN methodical_event e ON {HELD}
  JOIN methodical_participant p ON p.org_id = e.org_id AND p.event_id = e.id AND p.role = 'learner'
 WHERE {_of_the_year("decade")}
 GROUP BY a.org_id"""


@dataclass(frozen=True, slots=True)
class _Definition:
    """One indicator of a shape: its code (the key's tail and the entry of ``indicator_titles``), how it
    reads, its one SQL, and its title and description from the offered kind's words."""

    shape: AssociationShape
    code: str
    kind: IndicatorKind
    sql: str
    title: Callable[[AssociationKind], str]
    description: Callable[[AssociationKind], str]
    on_home_page: bool = False


def _open_lesson(kind: AssociationKind) -> str:
    return kind.event_forms.get("open_lesson", "Открытый урок")


DEFINITIONS = (
    _Definition(
        AssociationShape.CLUB,
        "club_members_share",
        "share",
        CLUB_MEMBERS_SHARE,
        lambda k: f"{k.title}: охват молодых педагогов",
        lambda k: (
            f"Члены объединения «{k.title}» учебного года от численности молодых педагогов"
            " организации за тот же год (без численности — нет данных)."
        ),
        on_home_page=True,
    ),
    _Definition(
        AssociationShape.CLUB,
        "club_meetings_held",
        "share",
        CLUB_MEETINGS_HELD,
        lambda k: f"{k.title}: проведено встреч из запланированных",
        lambda k: (
            f"Встречи объединения «{k.title}» учебного года, отмеченные проведёнными, от проведённых"
            " и запланированных; отменённые не считаются."
        ),
    ),
    _Definition(
        AssociationShape.CLUB,
        "club_attendance",
        "share",
        CLUB_ATTENDANCE,
        lambda k: f"{k.title}: посещаемость встреч",
        lambda k: (
            f"Отметки о присутствии членов объединения «{k.title}» на проведённых встречах учебного"
            " года от числа членов, умноженного на число проведённых встреч."
        ),
    ),
    _Definition(
        AssociationShape.DECADE,
        "decades_held",
        "count",
        DECADES_HELD,
        lambda k: f"{k.plural}, проведённые в учебном году",
        lambda k: f"{k.plural} учебного года, в которых хотя бы одно мероприятие отмечено проведённым.",
        on_home_page=True,
    ),
    _Definition(
        AssociationShape.DECADE,
        "decade_open_lessons",
        "count",
        DECADE_OPEN_LESSONS,
        lambda k: f"{k.plural}: проведено мероприятий «{_open_lesson(k)}»",
        lambda k: (
            f"Мероприятия формы «{_open_lesson(k)}», отмеченные проведёнными (раздел «{k.plural}»,"
            " учебный год)."
        ),
    ),
    _Definition(
        AssociationShape.DECADE,
        "decade_learners",
        "count",
        DECADE_LEARNERS,
        lambda k: f"{k.plural}: обучающиеся — участники",
        lambda k: (
            f"Обучающиеся, участвовавшие в проведённых мероприятиях (раздел «{k.plural}», учебный"
            " год): каждый считается один раз, сколько бы мероприятий ни было; только число, без имён."
        ),
    ),
)
"""Every indicator of the methodical work, in the order the dashboards show them."""


def methodical_statistics(plugin: str, kinds: Iterable[AssociationKind]) -> list[StatisticContributor]:
    """The regional indicators of the shapes a plugin offers, keyed ``<plugin>.<code>``: for a club its
    members against the young teachers' headcount (``club_members_share``), its meetings held against
    planned (``club_meetings_held``) and their attendance (``club_attendance``); for decades those held
    (``decades_held``), their held open lessons (``decade_open_lessons``) and the learners taking part
    (``decade_learners``). The other shapes have none yet.

    A plugin's ``register_statistics`` returns ``methodical_statistics(PLUGIN.name, kinds)`` with the kinds
    its ``register_associations`` offers: each indicator applies to the organisation types of its kind,
    is titled from the kind's words (or its ``indicator_titles``), and its SQL is the one definition
    above. A title for an indicator the shape does not have, or one shape offered twice (their keys would
    clash), is refused with :class:`~nastavnik.plugin_data.PluginDataError`.
    """
    contributors = []
    seen: set[AssociationShape] = set()
    for kind in kinds:
        if kind.shape in seen:
            raise PluginDataError(
                f"plugin {plugin!r} offers {kind.shape.value!r} twice: the keys would clash"
            )
        seen.add(kind.shape)
        own = [d for d in DEFINITIONS if d.shape is kind.shape]
        unknown = sorted(set(kind.indicator_titles) - {d.code for d in own})
        if unknown:
            raise PluginDataError(f"plugin {plugin!r}: {kind.shape.value!r} has no indicators {unknown}")
        contributors += [
            StatisticContributor(
                key=f"{plugin}.{d.code}",
                title=kind.indicator_titles.get(d.code) or d.title(kind),
                description=d.description(kind),
                sql=d.sql,
                kind=d.kind,
                organisation_types=kind.organisation_types or None,
                on_home_page=d.on_home_page,
            )
            for d in own
        ]
    return contributors
