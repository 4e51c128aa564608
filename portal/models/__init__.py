"""All models, imported here so Alembic and create_all() see every table."""
from portal.models.audit import AuditEntry
from portal.models.duties import (
    ChecklistItem,
    Duty,
    DutyCooperator,
    DutyInstance,
    DutyNote,
    Evidence,
    ExtensionRequest,
    MonthlyReport,
    Notice,
)
from portal.models.org import Unit
from portal.models.policy import (
    PolicyChange, PolicyCitation, PolicyClause, PolicyDocument, PolicyEdition, RegulationEntry,
)
from portal.models.users import LoginFailure, User, UserRole

__all__ = [
    "ChecklistItem", "Duty", "DutyCooperator", "DutyInstance", "DutyNote", "Evidence", "ExtensionRequest",
    "MonthlyReport", "Notice",
    "AuditEntry", "LoginFailure", "PolicyChange", "PolicyCitation", "PolicyClause", "PolicyDocument", "PolicyEdition",
    "RegulationEntry", "Unit", "User", "UserRole",
]
