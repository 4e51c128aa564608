"""All models, imported here so Alembic and create_all() see every table."""
from portal.models.audit import AuditEntry
from portal.models.board import IndicatorValue
from portal.models.certificates import Certificate, TrainingArrangement
from portal.models.duties import (
    ChecklistItem,
    Duty,
    DutyCooperator,
    DutyInstance,
    DutyNote,
    Evidence,
    ExtensionRequest,
)
from portal.models.jobs import ImportJob
from portal.models.notices import Notice
from portal.models.org import Unit
from portal.models.refdata import RefdataStamp
from portal.models.reports import MonthlyReport, ReportRevision
from portal.models.policy import (
    LibraryImport, PolicyChange, PolicyCitation, PolicyClause, PolicyDocument, PolicyEdition, RegulationEntry,
)
from portal.models.training import (
    Assignment,
    AttendanceSession,
    CohortRule,
    Completion,
    QuizAttempt,
    Trainee,
    TrainingArea,
    TrainingModule,
    TrainingTally,
)
from portal.models.users import EndedSession, LoginFailure, RecoveryCode, User, UserRole

__all__ = [
    "ChecklistItem", "Duty", "DutyCooperator", "DutyInstance", "DutyNote", "Evidence", "ExtensionRequest",
    "ImportJob", "LibraryImport", "MonthlyReport", "Notice", "ReportRevision",
    "AuditEntry", "IndicatorValue", "LoginFailure", "PolicyChange", "PolicyCitation", "PolicyClause", "PolicyDocument",
    "PolicyEdition",
    "EndedSession", "RecoveryCode", "RefdataStamp", "RegulationEntry", "Unit", "User", "UserRole",
    "Assignment", "AttendanceSession", "CohortRule", "Completion", "QuizAttempt", "Trainee", "TrainingArea",
    "TrainingModule", "TrainingTally", "Certificate", "TrainingArrangement",
]
