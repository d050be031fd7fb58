"""Default plugin: the core's routes, navigation, templates, indicators, dictionaries and jobs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from arq import Retry
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.audit import OBJECT_TITLES
from nastavnik.default_plugins import routes as core_routes
from nastavnik.domain import template_dirs
from nastavnik.domain.accounts.provisioning import run_batch
from nastavnik.domain.accounts.services import ACCOUNTS_JOB
from nastavnik.domain.administration.provisioning import APPOINT_JOB
from nastavnik.domain.documents.plugin_templates import check_offered_templates
from nastavnik.domain.methodical import offers as methodical_offers
from nastavnik.domain.notifications.delivery import DELIVERY_JOB, deliver
from nastavnik.domain.organisations.onboarding import (
    ONBOARD_JOB,
    SYNC_ACCESS_JOB,
    run_onboarding,
    sync_access,
)
from nastavnik.domain.organisations.realm import KeycloakUnavailable, retry_delay
from nastavnik.domain.questionnaires.models import Moment
from nastavnik.domain.questionnaires.plugin_defaults import check_offered_questionnaires
from nastavnik.domain.questionnaires.services import assign_questionnaires
from nastavnik.domain.statistics.indicators import (
    groups,
    learners_covered,
    learners_involved,
    model_introduced,
    plan_completion,
    satisfaction,
    teachers_involved,
    young_teachers_mentored,
    young_teachers_retained,
)
from nastavnik.fresh_figures import FRESH_JOB
from nastavnik.hookspecs import hookimpl
from nastavnik.models.people import ProgrammeRole
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext
from nastavnik.types import (
    AuditTitles,
    DictionaryEntry,
    DictionaryKind,
    JobSpec,
    NavigationContext,
    NavItem,
    PluginInfo,
    PluginRoutes,
    QuestionnairePurpose,
    Regime,
    StatisticContributor,
    TemplateDir,
)
from nastavnik.web.errors import FIELD_LABELS

PLUGIN = PluginInfo(
    name="core",
    verbose_name="Ядро платформы",
    version="0.1.0",
    min_core_version="0.1.0",
)

TEMPLATES = Path(str(files("nastavnik.web") / "templates"))
"""The layout every page extends; each domain adds its own folder (nastavnik.domain.template_dirs)."""
HEARTBEAT_KEY = "worker:heartbeat"

MANAGERS = frozenset({ProgrammeRole.CURATOR.value, ProgrammeRole.DIRECTOR.value})
PAIR_MEMBERS = frozenset({ProgrammeRole.MENTOR.value, ProgrammeRole.MENTEE.value})


@hookimpl
def register_routes() -> PluginRoutes:
    # The core's API and pages keep their own paths: they are mounted at the root, which only a default
    # plugin may do; every other plugin's routes live under its namespace.
    return PluginRoutes(root_api=core_routes.API, root_pages=core_routes.PAGES)


@hookimpl
def register_template_dirs() -> Iterable[TemplateDir]:
    return [TemplateDir(namespace="core", path=path) for path in (TEMPLATES, *template_dirs())]


@hookimpl
def register_navigation(context: NavigationContext) -> Iterable[NavItem]:
    base = f"/o/{context.org_slug}"
    items = [
        NavItem(title="Главная", href=f"{base}/", order=0),
        NavItem(title="Моё наставничество", href=f"{base}/my", order=3, roles=PAIR_MEMBERS),
        NavItem(title="Программа наставничества", href=f"{base}/programmes", order=5),
        NavItem(title="Люди", href=f"{base}/people", order=10, roles=MANAGERS),
        NavItem(title="Наставляемые", href=f"{base}/bases/mentees", order=12, roles=MANAGERS),
        NavItem(title="Наставники", href=f"{base}/bases/mentors", order=14, roles=MANAGERS),
        NavItem(title="Численность", href=f"{base}/headcounts", order=20, roles=MANAGERS),
        NavItem(title="Анкеты", href=f"{base}/questionnaires", order=30),
        NavItem(title="Показатели", href=f"{base}/statistics", order=25, roles=MANAGERS),
        NavItem(title="Модули", href=f"{base}/plugins", order=90, roles=MANAGERS),
        *methodical_offers.navigation(context),
    ]
    if QuestionnairePurpose.DIAGNOSTICS in context.offered_questionnaires:
        # The diagnostics' template is a plugin's: shown only where an active plugin offers one.
        items.append(NavItem("Диагностика затруднений", f"{base}/diagnostics", order=32, roles=MANAGERS))
    return items


# Kinds and durations of mentoring apply to every organisation type and both regimes (the target model).
_KINDS = (
    ("traditional", "Традиционное (один на один)", "Длительное взаимодействие пары, 3–12 месяцев."),
    ("group", "Групповое", "Один наставник работает с группой наставляемых."),
    ("virtual", "Виртуальное (дистанционное)", "Взаимодействие с помощью дистанционных технологий."),
    ("short_term", "Краткосрочное (целеполагающее)", "Встречи по заранее поставленным целям."),
    ("reverse", "Реверсивное", "Младший по возрасту или опыту учит старшего в своей области."),
    ("situational", "Ситуационное", "Помощь в конкретной ситуации."),
    ("flash", "Флэш-наставничество (скоростное)", "Разовые встречи для обмена опытом."),
)
_DURATIONS = (
    ("short", "Краткосрочное (до 3 месяцев)"),
    ("medium", "Среднесрочное (3–6 месяцев)"),
    ("long", "Долгосрочное (6–12 месяцев)"),
)


@hookimpl
def register_dictionaries() -> Iterable[DictionaryEntry]:
    entries = []
    for regime in Regime:
        entries += [
            DictionaryEntry(DictionaryKind.KIND, code, title, regime, (), description)
            for code, title, description in _KINDS
        ]
        entries += [
            DictionaryEntry(DictionaryKind.DURATION, code, title, regime, ()) for code, title in _DURATIONS
        ]
    return entries


@hookimpl
def register_audit_titles() -> AuditTitles:
    return AuditTitles(objects=OBJECT_TITLES, fields=FIELD_LABELS)


@hookimpl
def register_statistics() -> Iterable[StatisticContributor]:
    """The core's indicators, in the order the dashboards show them: the ten regional ones (their SQL
    and written definitions in :mod:`nastavnik.domain.statistics.indicators`), the two federal involvement
    indicators first, then the two of the organisation's home page."""
    return [
        teachers_involved.STATISTIC,
        learners_involved.STATISTIC,
        learners_covered.STATISTIC,
        young_teachers_mentored.STATISTIC,
        model_introduced.STATISTIC,
        young_teachers_retained.STATISTIC,
        plan_completion.STATISTIC,
        satisfaction.MENTORS,
        satisfaction.MENTEES,
        groups.STATISTIC,
        StatisticContributor(
            key="core.people",
            title="Участников в базе",
            description="Люди организации в статусе «работает/учится».",
            sql="SELECT org_id, count(*), NULL, NULL FROM person"
            " WHERE status = 'active' AND org_id IN (SELECT org_id FROM scope_org) GROUP BY org_id",
        ),
        StatisticContributor(
            key="core.mentors",
            title="Наставников",
            description="Люди организации с ролью наставника.",
            sql="SELECT org_id, count(*), NULL, NULL FROM person_role"
            " WHERE role = 'mentor' AND org_id IN (SELECT org_id FROM scope_org) GROUP BY org_id",
        ),
    ]


async def heartbeat(ctx: dict[str, Any]) -> str:
    """Record that a worker is alive; the health page shows when it last ran."""
    runtime = ctx["runtime"]
    now = clock.now().isoformat()
    await runtime.redis.set(runtime.redis_key(HEARTBEAT_KEY), now, ex=3600)
    return now


async def retrying_while_keycloak_is_down(ctx: dict[str, Any], job: Awaitable[str]) -> str:
    """Run a job that talks to Keycloak; while Keycloak is unreachable, arq runs it again later."""
    try:
        return await job
    except KeycloakUnavailable:
        raise Retry(defer=retry_delay(int(ctx.get("job_try", 1)))) from None


async def onboard_organisation(ctx: dict[str, Any], org_id: str) -> str:
    """Bring an organisation into the realm; while Keycloak is unreachable, try again later."""
    return await retrying_while_keycloak_is_down(ctx, run_onboarding(ctx["runtime"], uuid.UUID(org_id)))


async def sync_organisation_access(ctx: dict[str, Any], org_id: str) -> str:
    """Carry a deactivation (of the organisation, or of people who left) over to Keycloak."""
    return await retrying_while_keycloak_is_down(ctx, sync_access(ctx["runtime"], uuid.UUID(org_id)))


async def provision_staff(ctx: dict[str, Any], appointment_id: str) -> str:
    """Make a region's staff member's account, realm role, invitation and grant."""
    from nastavnik.domain.administration.provisioning import run_appointment

    job = run_appointment(ctx["runtime"], uuid.UUID(appointment_id))
    return await retrying_while_keycloak_is_down(ctx, job)


async def create_accounts(ctx: dict[str, Any], org_id: str, batch_id: str) -> str:
    """Create the Keycloak accounts a curator asked for, person by person."""
    return await retrying_while_keycloak_is_down(
        ctx, run_batch(ctx["runtime"], uuid.UUID(org_id), uuid.UUID(batch_id))
    )


async def deliver_notifications(ctx: dict[str, Any]) -> str:
    """E-mail the notifications that are due, each at most once (docs/notifications.md)."""
    report = await deliver(ctx["runtime"])
    return f"sent {report.sent}, skipped {report.skipped}, failed {report.failed}, retried {report.retried}"


@hookimpl
def register_jobs() -> Iterable[JobSpec]:
    from nastavnik.domain.reminders import jobs as reminders
    from nastavnik.domain.statistics import fresh, jobs as statistics, reports

    return [
        JobSpec(
            name=statistics.RECOMPUTE_JOB,
            function=statistics.recompute_job,
            max_tries=3,
            timeout_seconds=statistics.RECOMPUTE_TIMEOUT,
            keep_result_seconds=0,  # the id de-duplicates while queued or running, never after
        ),
        JobSpec(
            name=FRESH_JOB,
            function=fresh.fresh_job,
            max_tries=3,
            timeout_seconds=statistics.RECOMPUTE_TIMEOUT,
            keep_result_seconds=0,  # scheduled by nastavnik.fresh_figures, de-duplicated there
        ),
        JobSpec(
            name=statistics.NIGHTLY_JOB,
            function=statistics.nightly_job,
            # Hourly: the job recomputes the regions whose own clock shows the night hour (a setting).
            cron_minutes=frozenset({0}),
            max_tries=3,
            timeout_seconds=120,
            keep_result_seconds=0,
        ),
        JobSpec(
            name=statistics.REPORT_JOB,
            function=reports.report_job,
            max_tries=3,
            timeout_seconds=statistics.REPORT_TIMEOUT,
            keep_result_seconds=0,
        ),
        JobSpec(
            name=reminders.REMINDERS_JOB,
            function=reminders.reminders_job,
            # Hourly: each organisation is scanned when its region's clock shows the reminders' hour.
            cron_minutes=frozenset({10}),
            max_tries=3,
            timeout_seconds=300,
            keep_result_seconds=0,
        ),
        JobSpec(name="core.heartbeat", function=heartbeat, cron_minutes=frozenset(range(0, 60, 5))),
        JobSpec(
            name=ONBOARD_JOB,
            function=onboard_organisation,
            max_tries=20,
            timeout_seconds=60,
            keep_result_seconds=0,  # a retry requested after a failure must be able to run
        ),
        JobSpec(
            name=ACCOUNTS_JOB,
            function=create_accounts,
            max_tries=20,
            timeout_seconds=120,
            keep_result_seconds=0,  # a retry or a password reset of the same batch must be able to run
        ),
        JobSpec(
            name=APPOINT_JOB,
            function=provision_staff,
            max_tries=20,
            timeout_seconds=60,
            keep_result_seconds=0,  # a retry after a failure must be able to run
        ),
        JobSpec(
            name=SYNC_ACCESS_JOB,
            function=sync_organisation_access,
            max_tries=20,
            timeout_seconds=60,
            keep_result_seconds=0,  # every later change must be carried over too
        ),
        JobSpec(
            name=DELIVERY_JOB,
            function=deliver_notifications,
            # Every minute; two runs at once share the work (rows are claimed with SKIP LOCKED) and a run
            # that failed is simply the next minute's: a retry could never send twice anyway.
            cron_minutes=frozenset(range(60)),
            max_tries=1,
            timeout_seconds=240,
            keep_result_seconds=0,
        ),
    ]


@hookimpl
async def group_started(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> None:
    """A pair that starts working gets its start questionnaires, in the order's transaction."""
    await assign_questionnaires(db, ctx, programme_id, group_id, Moment.START)


@hookimpl
async def group_ended(
    db: AsyncSession, ctx: OrgContext, programme_id: uuid.UUID, group_id: uuid.UUID
) -> None:
    """A pair that ended, completed or early, gets its final questionnaires."""
    await assign_questionnaires(db, ctx, programme_id, group_id, Moment.END)


@hookimpl
def plugins_loaded(plugins: Plugins) -> None:
    """Every plugin's document templates name a known document and fill with its sample data; its
    questionnaire templates are ones a region's editor would accept."""
    check_offered_templates(plugins)
    check_offered_questionnaires(plugins)
