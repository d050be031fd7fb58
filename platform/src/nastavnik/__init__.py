"""Nastavnik core: the public API for plugins.

Plugins import only from this module (a test enforces it): hook markers, the types
hooks return, the narrow context their handlers and jobs receive (``PluginContext``, which
also renders their pages), the programme roles and their check, errors (one ``FieldError`` per
refused field), reading page forms into the API's typed bodies (``decode_form``, ``confirmed``), the
model base classes and ``tenant_fk`` (a reference to another row of the organisation, the core's too),
the row-level security helpers for their migrations, ``valid_inn``, and the types of what the core does
on a plugin's request through its context (``ctx.invite_mentor``, ``ctx.people``,
``ctx.mentoring_pairs``), and the methodical work's shared pieces (its words read from a plugin's data
file, ``load_associations``; its indicators, ``methodical_statistics``). The process's runtime is not part
of it: a plugin reaches the database only through the organisation-scoped session of its context.
Their tests use ``nastavnik.testing`` (docs/plugins.md, "Testing your plugin").

"""

from nastavnik.audit import record_in as audit_record
from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk
from nastavnik.db.rls import (
    disable_aggregator_read,
    enable_aggregator_read,
    enable_oversight_read,
    enable_tenant_rls,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.hookspecs import hookimpl
from nastavnik.inn import valid_inn
from nastavnik.methodical_statistics import methodical_statistics
from nastavnik.models.people import ProgrammeRole
from nastavnik.plugin_context import JobContext, PluginContext
from nastavnik.plugin_data import PluginDataError, load_associations
from nastavnik.plugin_services import (
    InvitedMentor,
    MentoringPair,
    MentorInvitation,
    PairPerson,
    PersonSummary,
)
from nastavnik.tenancy import MANAGERS, Actor, Forbidden, NotFound, OrgContext, has_role, require_role
from nastavnik.types import (
    AssociationKind,
    AssociationShape,
    AuditTitles,
    DictionaryEntry,
    DictionaryKind,
    DocumentTemplate,
    JobSpec,
    MigrationBranch,
    NavigationContext,
    NavItem,
    OrganisationType,
    PluginInfo,
    PluginRoutes,
    QuestionnaireDefault,
    QuestionnaireItem,
    QuestionnairePurpose,
    Regime,
    StatisticContributor,
    TemplateDir,
)
from nastavnik.web.forms import confirmed, decode_form
from nastavnik.web.params import CurrentActor, Db, Org, PluginCtx

__all__ = [
    "MANAGERS",
    "Actor",
    "AssociationKind",
    "AssociationShape",
    "AuditTitles",
    "Base",
    "Conflict",
    "CurrentActor",
    "Db",
    "DictionaryEntry",
    "DictionaryKind",
    "DocumentTemplate",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "InvitedMentor",
    "JobContext",
    "JobSpec",
    "MentorInvitation",
    "MentoringPair",
    "MigrationBranch",
    "NavItem",
    "NavigationContext",
    "NotFound",
    "Org",
    "OrgContext",
    "OrganisationType",
    "PairPerson",
    "PersonSummary",
    "PluginContext",
    "PluginCtx",
    "PluginDataError",
    "PluginInfo",
    "PluginRoutes",
    "ProgrammeRole",
    "QuestionnaireDefault",
    "QuestionnaireItem",
    "QuestionnairePurpose",
    "Regime",
    "StatisticContributor",
    "TemplateDir",
    "TenantMixin",
    "Timestamps",
    "Versioned",
    "audit_record",
    "confirmed",
    "decode_form",
    "disable_aggregator_read",
    "enable_aggregator_read",
    "enable_oversight_read",
    "enable_tenant_rls",
    "has_role",
    "hookimpl",
    "load_associations",
    "methodical_statistics",
    "new_id",
    "require_role",
    "tenant_fk",
    "valid_inn",
]
