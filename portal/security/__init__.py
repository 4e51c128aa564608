"""Security: response headers, password rules, login throttling (and its admin page), device tokens,
the second factor, and the session cookie's rules (ended sessions, idle timeout)."""
from flask import Blueprint

bp = Blueprint("security", __name__, url_prefix="/admin/login-protection")

from portal.security import views  # noqa: E402,F401
