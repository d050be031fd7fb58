"""The catalogue of indicators is exactly what ``register_statistics`` returns, the core's own included.

No list of indicators exists beside the hook: a plugin module that returns a new indicator is computed
by the regional recompute and read on the organisation's page without any other registration, and an
indicator the core's default plugin stops returning is gone from the catalogue and from the stored
figures.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from nastavnik import StatisticContributor, clock, hookimpl
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.default_plugins import core as default_plugin
from nastavnik.domain.statistics.definitions import (
    GROUPS,
    LEARNERS_COVERED,
    LEARNERS_INVOLVED,
    MODEL_INTRODUCED,
    PLAN_COMPLETION,
    SATISFACTION_MENTEES,
    SATISFACTION_MENTORS,
    TEACHERS_INVOLVED,
    YOUNG_TEACHERS_MENTORED,
    YOUNG_TEACHERS_RETAINED,
    Kind,
)
from nastavnik.domain.statistics.indicators import catalogue
from nastavnik.domain.statistics.models import StatOrgValue
from nastavnik.domain.statistics.organisation import organisation_figures
from nastavnik.domain.statistics.recompute import ScopeKind, Snapshot, recompute
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.plugins import Plugins, load_plugins
from nastavnik.runtime import Runtime
from nastavnik.tenancy import load_actor, resolve_org_context
from tests.statistics.spec import OrgSpec, RegionSpec, build_region
from tests.statistics.stored import org_rows
from tests.support.plugins import plugin_module

CORE_REGIONAL = [
    TEACHERS_INVOLVED,
    LEARNERS_INVOLVED,
    LEARNERS_COVERED,
    YOUNG_TEACHERS_MENTORED,
    MODEL_INTRODUCED,
    YOUNG_TEACHERS_RETAINED,
    PLAN_COMPLETION,
    SATISFACTION_MENTORS,
    SATISFACTION_MENTEES,
    GROUPS,
]
"""The core's regional indicators in the dashboards' order: the two federal involvement indicators first,
then the eight in the order the dashboards have always shown them."""

YEAR, AS_OF = 2026, date(2026, 11, 20)
INSTANT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # noon in the region (UTC+5)

# Seven of something in every organisation: no table of its own, nothing to grant the aggregator.
SEVEN = "SELECT org_id, 7, NULL, NULL FROM scope_org"
# Two parts of a share, one per breakdown key, in every organisation of the scope.
PARTS = """
SELECT s.org_id, p.breakdown, p.numerator::bigint, 4::bigint, NULL::bigint
  FROM scope_org s CROSS JOIN (VALUES ('', 3), ('part:a', 1)) AS p(breakdown, numerator)"""


def extra_plugin() -> types.ModuleType:
    """A plugin module that only returns indicators: a count for every type it serves, and a share with
    breakdowns for schools alone."""

    @hookimpl
    def register_statistics() -> Iterable[StatisticContributor]:
        return [
            StatisticContributor("extra.seven", "Семь", "Семь в каждой организации.", SEVEN),
            StatisticContributor(
                "extra.parts",
                "Доля частей",
                "Три четверти, из них одна по части «a».",
                PARTS,
                kind="share",
                organisation_types=("school",),
                breakdowns=True,
                default_target=50.0,
                on_home_page=False,
            ),
        ]

    return plugin_module(
        "extra",
        serves=("school", "college"),
        verbose_name="Дополнительные показатели",
        hooks={"register_statistics": register_statistics},
    )


def without_core(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """The core's default plugin, returning every indicator but ``key``."""
    returned = default_plugin.register_statistics

    @hookimpl
    def register_statistics() -> Iterable[StatisticContributor]:
        return [c for c in returned() if c.key != key]

    monkeypatch.setattr(default_plugin, "register_statistics", register_statistics)


def contributed(plugins: Plugins) -> list[tuple[str, str]]:
    return [(plugin.name, contributor.key) for plugin, contributor in plugins.statistics()]


def test_the_catalogue_is_what_register_statistics_returns() -> None:
    plugins = load_plugins(extra_modules=[extra_plugin()])
    queries = catalogue(plugins)
    assert [(q.indicator.source, q.indicator.key) for q in queries] == contributed(plugins)
    keys = [q.indicator.key for q in queries]
    # The core's default plugin loads first and returns its ten regional indicators first.
    assert keys[:10] == CORE_REGIONAL
    assert {q.indicator.source for q in queries[:12]} == {"core"}
    assert keys[-2:] == ["extra.seven", "extra.parts"]  # the last plugin loaded: last
    by_key = {q.indicator.key: q for q in queries}
    # What the core's ten declare: breakdowns, the coverage's and involvement's targets, not on the home page.
    assert by_key[LEARNERS_COVERED].indicator.default_target == 70.0
    assert by_key[TEACHERS_INVOLVED].indicator.default_target == 70.0
    assert by_key[LEARNERS_INVOLVED].indicator.default_target == 70.0
    assert by_key[GROUPS].indicator.kind is Kind.BREAKDOWN
    assert not any(by_key[key].on_home_page for key in CORE_REGIONAL)
    assert [k for k, q in by_key.items() if not q.nested_loops] == [
        SATISFACTION_MENTORS,
        SATISFACTION_MENTEES,
    ]
    # A plugin's: typed, filtered to the types it serves.
    parts = by_key["extra.parts"]
    assert (parts.indicator.kind, parts.indicator.default_target) == (Kind.SHARE, 50.0)
    assert (parts.organisation_types, by_key["extra.seven"].organisation_types) == (
        ("school",),
        ("school", "college"),
    )


def test_an_indicator_the_default_plugin_does_not_return_is_not_in_the_catalogue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_core(monkeypatch, PLAN_COMPLETION)
    plugins = load_plugins()
    keys = [q.indicator.key for q in catalogue(plugins)]
    assert PLAN_COMPLETION not in keys
    assert keys == [key for _, key in contributed(plugins)]
    assert keys[:9] == [k for k in CORE_REGIONAL if k != PLAN_COMPLETION]


async def test_the_regional_recompute_computes_exactly_the_registered_indicators(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new plugin's indicators are computed, stored and read on the organisation's page with no other
    registration; the core's indicator its default plugin no longer returns is neither computed nor stored."""
    without_core(monkeypatch, PLAN_COMPLETION)
    plugins = load_plugins(extra_modules=[extra_plugin()])
    built = await build_region(
        runtime,
        RegionSpec(
            ["M1"], [OrgSpec("S1", "M1", "school"), OrgSpec("S2", "M1"), OrgSpec("C1", "M1", "college")]
        ),
    )
    async with runtime.owner_sessions() as db:  # S2 switches the plugin off
        db.add(OrgPluginSetting(org_id=built.orgs["S2"], plugin="extra", enabled=False, settings={}))
        await db.commit()
    result = await recompute(
        runtime.aggregator_engine, plugins, Snapshot(ScopeKind.REGION, built.id, YEAR, AS_OF)
    )
    assert result.indicators == [key for _, key in contributed(plugins)]
    assert "extra.seven" in result.indicators
    assert PLAN_COMPLETION not in result.indicators

    stored = {key: await org_rows(runtime, org_id, YEAR, AS_OF) for key, org_id in built.orgs.items()}
    extra = {
        key: {k: v for k, v in rows.items() if k[0].startswith("extra.")} for key, rows in stored.items()
    }
    assert extra == {
        "S1": {
            ("extra.seven", ""): (7, None, None),
            ("extra.parts", ""): (3, 4, None),
            ("extra.parts", "part:a"): (1, 4, None),
        },
        "S2": {},  # switched off
        "C1": {("extra.seven", ""): (7, None, None)},  # the share is for schools only
    }
    async with runtime.owner_sessions() as db:
        plans = await db.scalar(
            select(StatOrgValue.indicator).where(
                StatOrgValue.org_id.in_(built.orgs.values()), StatOrgValue.indicator == PLAN_COMPLETION
            )
        )
    assert plans is None
    assert all((GROUPS, "") in rows for rows in stored.values())  # the core's others are still there

    # The organisation's own page reads the new indicators from the same definition.
    async with scoped_session(runtime.app_sessions, DbScope(identity_id=built.curators["S1"])) as db:
        actor = await load_actor(db, built.curators["S1"])
        assert actor is not None
        ctx = await resolve_org_context(db, actor, built.slugs["S1"], plugins)
        with clock.pinned(INSTANT):
            own = await organisation_figures(db, catalogue(plugins), ctx, academic_year=YEAR, as_of=AS_OF)
    assert PLAN_COMPLETION not in own
    mine = {
        (f.indicator.key, f.breakdown): (f.numerator, f.denominator, f.respondents)
        for key in ("extra.seven", "extra.parts")
        for f in own[key]
    }
    assert mine == extra["S1"]
