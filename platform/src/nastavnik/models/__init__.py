"""The core's data model. Importing this package registers every table on ``Base.metadata``."""

from nastavnik.models.audit import AuditEvent
from nastavnik.models.bases import MenteeProfile, MentorProfile
from nastavnik.models.headcount import Headcount
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.onboarding import OnboardingStatus, OrgOnboarding
from nastavnik.models.pairs import (
    GroupMember,
    GroupStatus,
    MemberRole,
    MentoringGroup,
    MentoringOrder,
    OrderGroup,
    OrderKind,
)
from nastavnik.models.people import Person, PersonCategory, PersonRole, PersonStatus, ProgrammeRole
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.models.programme import STAGES, DocumentStatus, Programme, RoadmapItem
from nastavnik.models.reference import AcademicYear, Municipality, Organisation, OrgStatus, Region
from nastavnik.models.statistics import (
    AreaScope,
    ReportStatus,
    StatAreaSnapshot,
    StatAreaValue,
    StatOrgSnapshot,
    StatOrgValue,
    StatReport,
    StatRun,
    StatTarget,
)

__all__ = [
    "STAGES",
    "AcademicYear",
    "AreaScope",
    "AuditEvent",
    "DocumentStatus",
    "GroupMember",
    "GroupStatus",
    "Headcount",
    "Identity",
    "MemberRole",
    "MenteeProfile",
    "MentorProfile",
    "MentoringGroup",
    "MentoringOrder",
    "Municipality",
    "OnboardingStatus",
    "OrderGroup",
    "OrderKind",
    "OrgOnboarding",
    "OrgPluginSetting",
    "OrgStatus",
    "Organisation",
    "Person",
    "PersonCategory",
    "PersonRole",
    "PersonStatus",
    "Programme",
    "ProgrammeRole",
    "Region",
    "ReportStatus",
    "RoadmapItem",
    "StaffAssignment",
    "StaffRole",
    "StatAreaSnapshot",
    "StatAreaValue",
    "StatOrgSnapshot",
    "StatOrgValue",
    "StatReport",
    "StatRun",
    "StatTarget",
]
