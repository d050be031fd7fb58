"""Public types that plugins return from their hooks. Frozen dataclasses (and frozen structs where a data
file is read into them): plugins describe, the core acts."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler


# Bounds of the whole numbers the API and the page forms accept. A number outside PostgreSQL's
# ``integer`` reached the database and came back a 500; with these it is refused first, as a 422
# naming the field and the bound. Body fields take the msgspec types below; path and query
# parameters take nastavnik.web.params' twins built from the same bounds.
INT4_MAX = 2_147_483_647
YEAR_MIN, YEAR_MAX = 2000, 2100
"""The academic years the platform knows (the start year of «2025/2026» is 2025)."""
STAGE_MIN, STAGE_MAX = 1, 7
"""The seven stages of a mentoring programme."""
PAGE_MAX = 100_000
HEADCOUNT_MAX = 1_000_000
"""People of one kind in one organisation: far above any school, far below what the sums can hold."""

AcademicYearStart = Annotated[
    int, msgspec.Meta(ge=YEAR_MIN, le=YEAR_MAX, description="Год начала учебного года, 2000–2100")
]
Headcount = Annotated[int, msgspec.Meta(ge=0, le=HEADCOUNT_MAX, description="Человек, от 0 до миллиона")]
Version = Annotated[int, msgspec.Meta(ge=0, le=INT4_MAX, description="Версия записи, прочитанная клиентом")]
Stage = Annotated[int, msgspec.Meta(ge=STAGE_MIN, le=STAGE_MAX, description="Этап программы, 1–7")]
Int32 = Annotated[int, msgspec.Meta(ge=-INT4_MAX - 1, le=INT4_MAX)]
"""Any whole number a PostgreSQL ``integer`` holds; the service checks the narrower rule."""
PersonName = Annotated[str, msgspec.Meta(max_length=100)]
"""A person's name; an empty one is refused by the service, in Russian, with the other wrong fields."""
Email = Annotated[str, msgspec.Meta(max_length=254)]


class Regime(StrEnum):
    """The two mentoring regimes of the target model."""

    LEARNERS = "learners"
    PEDAGOGUES = "pedagogues"


class DictionaryKind(StrEnum):
    """The four dictionaries that describe mentoring (docs/dictionaries.md)."""

    FORM = "form"
    ROLE_MODEL = "role_model"
    KIND = "kind"
    DURATION = "duration"


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What a plugin declares about itself, validated when the platform starts (NetBox-style).

    A plugin module exposes it as the module attribute ``PLUGIN``. Versions are PEP 440 versions
    (``packaging.version``): the plugin loads where ``min_core_version <= core < max_core_version``.
    """

    name: str
    verbose_name: str
    version: str
    min_core_version: str
    max_core_version: str | None = None
    organisation_types: tuple[str, ...] = ()
    org_settings: type[msgspec.Struct] | None = None
    """The plugin's settings per organisation: a ``msgspec.Struct`` whose every field has a default and is a
    ``bool``, ``int``, ``float`` or ``str`` (bounds and a Russian ``title`` through ``msgspec.Meta``). A
    curator edits them on the organisation's «Модули» page or ``PUT /api/o/{slug}/plugins/{name}``; every
    field is validated there; the plugin reads them as ``ctx.settings`` (:class:`nastavnik.PluginContext`)."""
    required_settings: tuple[str, ...] = ()
    """Process-wide settings the plugin cannot start without, each the environment variable
    ``NASTAVNIK_PLUGIN_<NAME>_<SETTING>`` (upper case); a missing one refuses to start, naming the
    variable. The plugin reads them as ``ctx.config["<setting>"]``."""


@dataclass(frozen=True, slots=True)
class OrganisationType:
    code: str
    title: str
    """Russian name shown to users, e.g. «Общеобразовательная организация»."""
    regimes: tuple[Regime, ...]


@dataclass(frozen=True, slots=True)
class DictionaryEntry:
    """One entry of a mentoring dictionary, offered to the organisation types listed."""

    kind: DictionaryKind
    code: str
    title: str
    regime: Regime
    organisation_types: tuple[str, ...]
    description: str = ""
    mentor_categories: tuple[str, ...] = ()
    """For forms: the person categories (pedagogue, learner, staff) that may mentor under it; empty: anyone,
    e.g. a partner's employee or student who joined the organisation by invitation. Matching reads it."""


@dataclass(frozen=True, slots=True)
class PluginRoutes:
    """A plugin's route handlers. The core mounts them under ``/o/{slug}/p/<plugin>`` (pages) and
    ``/api/o/{slug}/p/<plugin>`` (API), behind the organisation context and the plugin's activation,
    so a plugin cannot register a path outside its namespace or reach an organisation it does not serve."""

    pages: Sequence[ControllerRouterHandler] = ()
    api: Sequence[ControllerRouterHandler] = ()
    root_pages: Sequence[ControllerRouterHandler] = ()
    """Default plugins only (the core's own pages): mounted at the site's root with their own paths,
    left out of the OpenAPI document. Another plugin that returns any refuses to start."""
    root_api: Sequence[ControllerRouterHandler] = ()
    """Default plugins only (the core's own JSON API): mounted at the root with their own paths and
    described in the OpenAPI document. Another plugin that returns any refuses to start."""


@dataclass(frozen=True, slots=True)
class TemplateDir:
    """A folder of Jinja templates, reachable as ``<namespace>/<file>``."""

    namespace: str
    path: Path


@dataclass(frozen=True, slots=True)
class NavigationContext:
    """Where the navigation is being built: always inside one organisation."""

    org_slug: str
    org_type: str
    roles: frozenset[str]
    offered_questionnaires: frozenset[str] = frozenset()
    """The purposes (:class:`QuestionnairePurpose`) of the questionnaires the plugins active in the
    organisation offer for its type (``register_questionnaire_templates``): a menu item of one is shown
    only where it can be given."""
    active_plugins: tuple[str, ...] = ()
    """The plugins active in the organisation (serving its type and not switched off there)."""
    category: str = ""
    """The person's category there: ``pedagogue``, ``learner`` or ``staff``."""
    associations: tuple[AssociationKind, ...] = ()
    """The shapes of the methodical work the organisation has (offered for its type by an active plugin),
    in menu order (``nav_order``)."""


@dataclass(frozen=True, slots=True)
class NavItem:
    title: str
    href: str
    order: int = 100
    roles: frozenset[str] | None = None
    """Programme roles that see the item; ``None`` means everyone in the organisation."""


IndicatorKind = Literal["count", "share", "average", "breakdown"]
"""How an indicator's numerator and denominator are read: ``count`` (the numerator, summed over an area),
``share`` (numerator over denominator, a percentage), ``average`` (numerator over denominator, shown
only over at least five respondents) or ``breakdown`` (counts by breakdown key, shown as a chart and
not in the tables; needs ``breakdowns``)."""


@dataclass(frozen=True, slots=True)
class StatisticContributor:
    """An indicator, defined once: ``sql`` yields its figures per organisation.

    The organisation's own page runs ``sql`` for that one organisation inside its tenant scope (the
    application role under row-level security); the regional recompute runs the same ``sql`` over the
    organisations of a municipality or a region as the aggregator role. Both read the one definition, so
    the two figures cannot disagree.

    ``sql`` is a ``SELECT`` returning the columns ``org_id, numerator, denominator, respondents`` (in that
    order; NULL where one does not apply), at most one row per organisation, for the organisations of the
    CTE ``scope_org (org_id, municipality_id, org_type)`` (filter with
    ``org_id IN (SELECT org_id FROM scope_org)``). It may use the parameters ``:academic_year`` (the year
    it starts in) and ``:as_of`` (the date the figure is for). An organisation without a row counts 0.
    With ``breakdowns`` it returns a breakdown column too (see there). It must return aggregates only,
    never a person's data; the aggregator reads a plugin's tables only where the plugin's migration grants
    them (``enable_aggregator_read``), column by column.

    Every field after ``sql`` has a default that keeps an indicator as plugins have always declared it: a
    count per organisation, without breakdowns or target, on the organisation's home page.
    """

    key: str
    """Unique over every loaded plugin; the stored figures and the region's targets are keyed by it."""
    title: str
    """Russian, as the pages, the reports and the API show it."""
    description: str
    """Russian, one sentence: what is counted (shown beside the figure and in the reports' definitions)."""
    sql: str
    """The indicator's only definition (see above)."""
    kind: IndicatorKind = "count"
    """How the figure reads and sums (:data:`IndicatorKind`)."""
    organisation_types: tuple[str, ...] | None = None
    """Where it applies, among the types the plugin serves (None: all of them)."""
    breakdowns: bool = False
    """True: ``sql`` returns ``org_id, breakdown, numerator, denominator, respondents``, one row per
    organisation and breakdown key: ``''`` for the indicator's own figure, a key such as ``form:<code>``
    (or ``item:<code>``) for a part of it. Its rows are taken as they come: an organisation without a row
    for the key has no figure («нет данных»), not 0, so return a row of 0 where nothing was counted.
    False: the four columns above, and the core gives every organisation a row (0 where none came)."""
    default_target: float | None = None
    """For a ``share``: the target in percent (0–100) the regional dashboard and reports compare the
    figure with until the region sets its own; None: no target until then. Refused on another kind."""
    on_home_page: bool = True
    """Shown on the home page of the organisations it applies to and at ``GET /api/o/{slug}/indicators``
    (computed there from ``sql`` for the organisation's today); False: only in the regional statistics
    and on the organisation's statistics page (the stored snapshot)."""
    nested_loops: bool = True
    """False: over a municipality or a region the recompute plans ``sql`` without nested loops
    (``enable_nestloop`` off for that one statement), for a query whose composite-key joins the planner
    underestimates by orders of magnitude; one organisation keeps them. A planner hint: the figures are
    the same either way."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A background job for the arq worker; ``cron_minutes`` makes it periodic (e.g. ``{0, 30}``)."""

    name: str
    function: Callable[..., Awaitable[Any]]
    cron_minutes: frozenset[int] | None = None
    cron_hours: frozenset[int] | None = None
    max_tries: int = 3
    timeout_seconds: int = 60
    keep_result_seconds: int | None = None
    """How long arq keeps the result; while it does, the same job id cannot run again (0: do not keep)."""


@dataclass(frozen=True, slots=True)
class MigrationBranch:
    """A plugin's own Alembic branch: a versions folder whose base revision carries ``branch_labels``."""

    label: str
    versions_dir: Path


@dataclass(frozen=True, slots=True)
class DocumentTemplate:
    """A plugin's own .docx template for one of the documents the platform generates.

    ``code`` names the document (``pairs_formation``, ``mentor_assignment``, ``development_plan``,
    ``mentor_journal``, ``programme_report``, ``thank_you_letters``); ``path`` is the committed
    template file; ``organisation_types`` limits it to some of the types the plugin serves (empty:
    all of them). A region's own upload still takes precedence over it.
    """

    code: str
    path: Path
    organisation_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditTitles:
    """Russian words for what a plugin writes to the audit log and names in its refusals.

    ``objects`` titles the audited object types the plugin passes to ``audit_record``
    (``{"contests.entry": "участие в конкурсе"}``), shown in the auditor's log and its export;
    a plugin's object types start with its own name and a dot. ``fields`` labels the fields of its
    forms and API bodies (``{"contest": "Конкурс"}``), shown beside a refused field on
    a page. A key that the core or another plugin already titles is refused at start-up.
    """

    objects: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)


class AssociationShape(StrEnum):
    """The shapes of the methodical work the core's building block runs (``nastavnik.domain.methodical``)."""

    CLUB = "club"
    """The young teachers' club of the academic year: leader, members, meetings and their attendance."""
    DECADE = "decade"
    """A subject decade (a college's week of a subject-cycle commission): dates, responsible teachers,
    events with classes and observers, learners taking part and their places, the analytic note."""
    COUNCIL = "council"
    """The methodical council of the academic year: members, meetings with agenda and decisions."""
    CREATIVE_GROUP = "creative_group"
    """A creative group of teachers: topic, leader, members, products."""


@dataclass(frozen=True, slots=True)
class AssociationKind:
    """One shape of the methodical work as a plugin offers it, in its organisations' words.

    ``title`` names one (the club: «Клуб молодых учителей»; a decade: «Предметная декада»), ``plural``
    the menu item and the list page («Предметные декады»). ``event_forms`` maps the forms of its events,
    by code, to their titles, in the order a form offers them; the codes the building block counts
    (``open_lesson``, ``olympiad``, ``contest``, ``extracurricular`` of a decade) keep their meaning
    whatever they are called. ``organisation_types`` limits the offer to some of the plugin's types
    (empty: all of them). ``member_limit_years``: a club's members are young teachers of at most that
    many years in the profession; anybody else is admitted with a warning (by the club's decision).
    ``indicator_titles`` words the shape's regional indicators (:func:`nastavnik.methodical_statistics`)
    by their code, where the plugin says it better than the titles built from ``title`` and ``plural``.
    """

    shape: AssociationShape
    title: str
    plural: str
    event_forms: Mapping[str, str]
    organisation_types: tuple[str, ...] = ()
    member_limit_years: int | None = None
    nav_order: int = 60
    indicator_titles: Mapping[str, str] = field(default_factory=dict)


class QuestionnairePurpose(StrEnum):
    """What a plugin's questionnaire template is for: how the platform gives it and reads its results."""

    DIAGNOSTICS = "diagnostics"
    """«Диагностика затруднений молодых педагогов»: the curator gives it once an academic year to the
    organisation's young teachers; its scale items are areas of work, rated by how hard each is
    (the lowest score: no difficulty; the highest: a serious one)."""


class QuestionnaireItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question of a plugin's questionnaire template: ``key`` (latin lower case, digits and ``_``,
    stable across versions: answers and results are kept by it), the Russian ``text``, and its ``kind``:
    a score on a scale (``min``–``max``, 1–10 unless given; required unless told) or free text (optional
    unless told). A frozen ``msgspec.Struct`` rather than a dataclass: a TOML file is read straight into it,
    an unknown or mistyped field refused by name."""

    key: str
    text: str
    kind: Literal["scale", "text"] = "scale"
    min: int | None = None
    max: int | None = None
    required: bool | None = None


class QuestionnaireDefault(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A plugin's default questionnaire template: it becomes one of the platform's default templates,
    which a region edits copy-on-write like the others (docs/questionnaires.md).

    ``code`` starts with the plugin's name and ``_`` and is stable: a region's copy and every answer refer
    to it (a changed wording or item list is published as the template's next version). ``title`` is what
    people see; ``audience`` who answers it (``mentee``: the young teachers for the diagnostics);
    ``organisation_types`` limits it to some of the plugin's types (empty: all of them); ``purpose`` says
    how the platform gives it. Keep the items as data, one file per template: :meth:`from_toml`.
    """

    code: str
    title: str
    items: tuple[QuestionnaireItem, ...]
    organisation_types: tuple[str, ...] = ()
    audience: Literal["mentor", "mentee"] = "mentee"
    purpose: QuestionnairePurpose = QuestionnairePurpose.DIAGNOSTICS

    @classmethod
    def from_toml(cls, path: Path) -> QuestionnaireDefault:
        """The template a TOML file describes: the fields above at the top level, then one ``[[items]]``
        table per question (``key``, ``text``, optional ``kind``, ``min``, ``max``, ``required``).
        A file that cannot be read or does not fit refuses to start (``PluginError``), naming the file."""
        # plugin_info imports this module: the error type is reached when it is needed.
        from nastavnik.plugin_info import PluginError

        try:
            return msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), cls)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
            raise PluginError(f"the questionnaire template {path}: {exc}") from exc
