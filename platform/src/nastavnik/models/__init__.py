"""The core's data model. Importing this package registers every table on ``Base.metadata``."""

from nastavnik.models.accounts import AccountBatch, AccountEntry, AccountStatus, Delivery
from nastavnik.models.audit import AuditEvent
from nastavnik.models.bases import ImportColumnChoice, MenteeProfile, MentorProfile
from nastavnik.models.dictionaries import RegionDictionaryEntry
from nastavnik.models.document_templates import RegionDocumentTemplate
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
from nastavnik.models.questionnaires import (
    Audience,
    ItemKind,
    Moment,
    QuestionnaireAnswer,
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
    TemplateRegime,
    VersionStatus,
)
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
from nastavnik.models.work import JournalEntry, PlanItem

__all__ = [
    "STAGES",
    "AcademicYear",
    "AccountBatch",
    "AccountEntry",
    "AccountStatus",
    "AreaScope",
    "Audience",
    "AuditEvent",
    "Delivery",
    "DocumentStatus",
    "GroupMember",
    "GroupStatus",
    "Headcount",
    "Identity",
    "ImportColumnChoice",
    "ItemKind",
    "JournalEntry",
    "MemberRole",
    "MenteeProfile",
    "MentorProfile",
    "MentoringGroup",
    "MentoringOrder",
    "Moment",
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
    "PlanItem",
    "Programme",
    "ProgrammeRole",
    "QuestionnaireAnswer",
    "QuestionnaireAssignment",
    "QuestionnaireTemplate",
    "QuestionnaireVersion",
    "Region",
    "RegionDictionaryEntry",
    "RegionDocumentTemplate",
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
    "TemplateRegime",
    "VersionStatus",
]
