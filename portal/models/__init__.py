"""All models, imported here so Alembic and create_all() see every table."""
from portal.models.audit import AuditEntry
from portal.models.org import Unit
from portal.models.users import LoginFailure, User, UserRole

__all__ = ["AuditEntry", "LoginFailure", "Unit", "User", "UserRole"]
