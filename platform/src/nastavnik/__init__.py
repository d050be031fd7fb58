"""Nastavnik core: the public API for plugins.

Plugins import only from this module (a test enforces it): hook markers, the types
hooks return, the tenancy context, errors, the model base classes, the row-level
security helpers for their migrations, page rendering and reading page forms.
"""

from nastavnik.audit import record_in as audit_record, register_object_kind as register_audit_kind
from nastavnik.db.base import Base, TenantMixin, Timestamps, new_id
from nastavnik.db.rls import (
    disable_aggregator_read,
    enable_aggregator_read,
    enable_oversight_read,
    enable_tenant_rls,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.hookspecs import hookimpl
from nastavnik.runtime import Runtime
from nastavnik.tenancy import Actor, Forbidden, NotFound, OrgContext
from nastavnik.types import (
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
    Regime,
    StatisticContributor,
    TemplateDir,
)
from nastavnik.web.forms import decode_form
from nastavnik.web.params import CurrentActor, Db, Org, Rt
from nastavnik.web.rendering import page as render_page

__all__ = [
    "Actor",
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
    "JobSpec",
    "MigrationBranch",
    "NavItem",
    "NavigationContext",
    "NotFound",
    "Org",
    "OrgContext",
    "OrganisationType",
    "PluginInfo",
    "PluginRoutes",
    "Regime",
    "Rt",
    "Runtime",
    "StatisticContributor",
    "TemplateDir",
    "TenantMixin",
    "Timestamps",
    "audit_record",
    "decode_form",
    "disable_aggregator_read",
    "enable_aggregator_read",
    "enable_oversight_read",
    "enable_tenant_rls",
    "hookimpl",
    "new_id",
    "register_audit_kind",
    "render_page",
]
