"""All models, imported here so Alembic and create_all() see every table."""
from portal.models.assessment import AssessmentSettings
from portal.models.audit import AuditEntry
from portal.models.board import IndicatorValue
from portal.models.certificates import Certificate, TrainingArrangement
from portal.models.duties import (
    ChecklistItem,
    Duty,
    DutyCooperator,
    DutyInstance,
    DutyNote,
    DutyPeriod,
    DutySnapshot,
    Evidence,
    ExtensionRequest,
)
from portal.models.favourites import Favourite, FavouriteFolder
from portal.models.jobs import ImportJob
from portal.models.notices import Notice
from portal.models.org import Unit
from portal.models.outbox import ChannelChoice, OutboxAttachment, OutboxDelivery, OutboxMessage, RobotWebhook
from portal.models.plans import Plan, PlanDraftDuty, UnitAlias
from portal.models.policy import (
    LibraryImport,
    PolicyChange,
    PolicyCitation,
    PolicyClause,
    PolicyDocument,
    PolicyEdition,
    RegulationEntry,
)
from portal.models.refdata import RefdataStamp
from portal.models.reports import MonthlyReport, ReportRevision
from portal.models.supervision import (
    Acknowledgement,
    AssignedMatter,
    NoticeRead,
    SupervisionSettings,
    UnitLeader,
    Urge,
)
from portal.models.training import (
    Assignment,
    CohortRule,
    Completion,
    QuizAttempt,
    SignInSheet,
    Trainee,
    TrainingModule,
    TrainingPlace,
    TrainingTally,
)
from portal.models.training_courses import TrainingCourse
from portal.models.training_feedback import TrainingFeedback
from portal.models.training_signin import SheetPhoto, SheetSeat
from portal.models.users import EndedSession, LoginFailure, RecoveryCode, User, UserRole

__all__ = [
    "ChecklistItem", "Duty", "DutyCooperator", "DutyInstance", "DutyNote", "DutyPeriod", "DutySnapshot", "Evidence",
    "ExtensionRequest", "AssessmentSettings", "Favourite", "FavouriteFolder", "ImportJob", "LibraryImport", "MonthlyReport", "Notice", "ChannelChoice", "OutboxAttachment",
    "OutboxDelivery", "OutboxMessage", "RobotWebhook", "ReportRevision",
    "AuditEntry", "IndicatorValue", "LoginFailure", "PolicyChange", "PolicyCitation", "PolicyClause", "PolicyDocument",
    "PolicyEdition",
    "EndedSession", "Plan", "PlanDraftDuty", "UnitAlias", "RecoveryCode", "RefdataStamp", "RegulationEntry", "Unit", "User", "UserRole",
    "Assignment", "SignInSheet", "CohortRule", "Completion", "QuizAttempt", "Trainee", "TrainingPlace",
    "TrainingModule", "TrainingTally", "Certificate", "TrainingArrangement",
    "Acknowledgement", "AssignedMatter", "NoticeRead", "SupervisionSettings", "UnitLeader", "Urge",
    "SheetPhoto", "SheetSeat", "TrainingFeedback", "TrainingCourse",
]
