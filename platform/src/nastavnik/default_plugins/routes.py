"""The core's own route handlers, which the default plugin contributes through ``register_routes``
(``nastavnik.default_plugins.core``): the JSON API at its own paths (in the OpenAPI document) and the
pages (not in it)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from nastavnik.auth import routes as sign_in
from nastavnik.domain.accounts import routes as accounts
from nastavnik.domain.bases import routes as bases
from nastavnik.domain.dictionaries import routes as region_dictionaries
from nastavnik.domain.documents import routes as region_templates
from nastavnik.domain.programmes import routes as programmes
from nastavnik.domain.programmes.pairs import routes as pairs
from nastavnik.domain.questionnaires import region_routes as region_questionnaires, routes as questionnaires
from nastavnik.domain.reports import routes as programme_documents
from nastavnik.domain.statistics import routes as statistics
from nastavnik.domain.work import routes as work
from nastavnik.web import health
from nastavnik.web.controllers import api_global, api_org, pages

API: tuple[ControllerRouterHandler, ...] = (
    health.live,
    health.ready,
    api_org.OrganisationApi,
    programmes.ProgrammeApi,
    bases.BasesApi,
    bases.BasesTransferApi,
    pairs.PairsApi,
    work.WorkApi,
    work.MyApi,
    questionnaires.QuestionnairesApi,
    region_questionnaires.RegionQuestionnairesApi,
    programme_documents.ProgrammeDocumentsApi,
    accounts.AccountsApi,
    api_global.AccountApi,
    api_global.OversightApi,
    api_global.AuditApi,
    region_dictionaries.RegionDictionaryApi,
    statistics.StatisticsApi,
    statistics.OrgStatisticsApi,
    region_templates.RegionTemplatesApi,
)

PAGES: tuple[ControllerRouterHandler, ...] = (
    sign_in.SignInController,
    pages.HomeController,
    pages.OrganisationPages,
    bases.BasesPages,
    bases.ProfilePages,
    programmes.ProgrammePages,
    pairs.PairsPages,
    work.WorkPages,
    work.MyPages,
    questionnaires.QuestionnairesPages,
    region_questionnaires.RegionQuestionnairesPages,
    programme_documents.ProgrammeDocumentsPages,
    accounts.AccountsPages,
    region_dictionaries.RegionDictionaryPages,
    statistics.RegionStatisticsPages,
    statistics.MunicipalityStatisticsPages,
    statistics.OrgStatisticsPages,
    region_templates.RegionTemplatesPages,
)
