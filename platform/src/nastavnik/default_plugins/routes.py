"""The core's own route handlers, which the default plugin contributes through ``register_routes``
(``nastavnik.default_plugins.core``): the JSON API at its own paths (in the OpenAPI document) and the
pages (not in it). Each domain's come from its ``routes`` modules; the kernel's are sign-in, health, the
root's redirect and the audit log. Controllers of different domains may share a path prefix
(``/api/o/{slug}``, ``/o/{slug}``): each brings its own handlers under it."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from nastavnik.auth import routes as sign_in
from nastavnik.domain.accounts import routes as accounts
from nastavnik.domain.bases import routes as bases
from nastavnik.domain.dictionaries import routes as dictionaries
from nastavnik.domain.documents import routes as region_templates
from nastavnik.domain.methodical import (
    downloads as methodical_documents,
    pages as methodical_pages,
    routes as methodical,
)
from nastavnik.domain.notifications import routes as notifications
from nastavnik.domain.organisations import routes as organisations
from nastavnik.domain.people import routes as people
from nastavnik.domain.programmes import routes as programmes
from nastavnik.domain.programmes.pairs import routes as pairs
from nastavnik.domain.questionnaires import (
    diagnostics_routes as diagnostics,
    region_routes as region_questionnaires,
    routes as questionnaires,
)
from nastavnik.domain.reports import routes as programme_documents
from nastavnik.domain.statistics import headcount_routes as headcounts, routes as statistics
from nastavnik.domain.work import routes as work
from nastavnik.web import audit_routes, health, home

API: tuple[ControllerRouterHandler, ...] = (
    health.live,
    health.ready,
    organisations.OrganisationApi,
    people.PeopleApi,
    headcounts.HeadcountsApi,
    dictionaries.OrgDictionariesApi,
    statistics.OrgIndicatorsApi,
    programmes.ProgrammeApi,
    bases.BasesApi,
    bases.BasesTransferApi,
    pairs.PairsApi,
    work.WorkApi,
    work.MyApi,
    questionnaires.QuestionnairesApi,
    diagnostics.DiagnosticsApi,
    region_questionnaires.RegionQuestionnairesApi,
    programme_documents.ProgrammeDocumentsApi,
    accounts.AccountsApi,
    accounts.AccountApi,
    organisations.OversightApi,
    headcounts.OversightHeadcountsApi,
    audit_routes.AuditApi,
    dictionaries.RegionDictionaryApi,
    statistics.StatisticsApi,
    statistics.OrgStatisticsApi,
    region_templates.RegionTemplatesApi,
    methodical.MethodicalApi,
    methodical_documents.MethodicalDownloadsApi,
    notifications.NotificationsApi,
    notifications.RegionNotificationsApi,
)

PAGES: tuple[ControllerRouterHandler, ...] = (
    sign_in.SignInController,
    home.HomeController,
    organisations.OversightPages,
    audit_routes.AuditPages,
    organisations.OrganisationPages,
    people.PeoplePages,
    headcounts.HeadcountPages,
    bases.BasesPages,
    bases.ProfilePages,
    programmes.ProgrammePages,
    pairs.PairsPages,
    work.WorkPages,
    work.MyPages,
    questionnaires.QuestionnairesPages,
    diagnostics.DiagnosticsPages,
    region_questionnaires.RegionQuestionnairesPages,
    programme_documents.ProgrammeDocumentsPages,
    accounts.AccountsPages,
    dictionaries.RegionDictionaryPages,
    statistics.RegionStatisticsPages,
    statistics.MunicipalityStatisticsPages,
    statistics.OrgStatisticsPages,
    region_templates.RegionTemplatesPages,
    methodical_pages.MethodicalPages,
    methodical_documents.MethodicalDownloadsPages,
    notifications.NotificationsPages,
    notifications.UnsubscribeController,
    notifications.RegionNotificationsPages,
)
