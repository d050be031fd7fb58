"""The kernel's data model: the tenancy every domain stands on.

Regions, municipalities and organisations (the tenants), identities and their staff grants, the
people of an organisation with their programme roles, the plugins switched on per organisation and
the audit log. Each domain keeps its own tables in ``nastavnik.domain.<name>.models``;
:func:`nastavnik.domain.load_models` registers them all on ``Base.metadata``.
"""

from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.people import Person, PersonCategory, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.models.reference import AcademicYear, Municipality, Organisation, OrgStatus, Region

__all__ = [
    "AcademicYear",
    "AuditEvent",
    "Identity",
    "Municipality",
    "OrgPluginSetting",
    "OrgStatus",
    "Organisation",
    "Person",
    "PersonCategory",
    "PersonRole",
    "PersonStatus",
    "ProgrammeRole",
    "Region",
    "StaffAssignment",
    "StaffRole",
]
