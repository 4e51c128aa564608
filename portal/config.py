"""Settings read from the environment, with safe defaults for a single machine."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Where the code, templates and the shipped content/ are: read from, never written to (a copy of the
# project, or an installed package, must not write into the tree it came from).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_instance_path() -> Path:
    """Writable data (database, secret key, uploads): PORTAL_INSTANCE_PATH, else ./instance."""
    return Path(os.environ.get("PORTAL_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _secret_key(instance_path: Path) -> str:
    """Use PORTAL_SECRET_KEY, else a key generated once and kept in the instance folder."""
    given = os.environ.get("PORTAL_SECRET_KEY")
    if given:
        return given
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(instance_path: Path) -> dict:
    if not instance_path.exists():
        instance_path.mkdir(parents=True, mode=0o700)
        instance_path.chmod(0o700)  # the mode given to mkdir is filtered by the umask
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'portal.db'}"
        ),
        "UPLOAD_DIR": os.environ.get("PORTAL_UPLOAD_DIR", str(instance_path / "uploads")),
        "SEARCH_INDEX_DIR": os.environ.get(
            "PORTAL_SEARCH_INDEX_DIR", str(Path.cwd().resolve() / "search_index")
        ),
        "CONTENT_DIR": os.environ.get("PORTAL_CONTENT_DIR", str(PROJECT_ROOT / "content")),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(os.environ.get("PORTAL_SESSION_HOURS", "8"))
        ),
        # A signed-in session unused this long ends (portal/security/sessions.py), within the above.
        "IDLE_MINUTES": int(os.environ.get("PORTAL_IDLE_MINUTES", "30")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PORTAL_SECURE_COOKIES", "") == "1",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Reverse proxies in front that set X-Forwarded-For (login throttling needs the client address).
        "PROXY_HOPS": int(os.environ.get("PORTAL_PROXY_HOPS", "0")),
        "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's default; tests set a cheap one
        # Statement errors never print their parameters (people's text) into logs: portal/errorlog.py.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Reminder emails are sent only when a mail relay is configured.
        "SMTP_HOST": os.environ.get("PORTAL_SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("PORTAL_SMTP_PORT", "25")),
        "SMTP_DOMAIN": os.environ.get("PORTAL_SMTP_DOMAIN", ""),
        "SMTP_FROM": os.environ.get("PORTAL_SMTP_FROM", ""),
        # The outbox's other channels (portal/outbox): office-wide 企业微信/钉钉 group robots (a unit without
        # its own robot set in the portal uses these), the 钉钉 signing secret, and the SMS gateway.
        "WECOM_WEBHOOK": os.environ.get("PORTAL_WECOM_WEBHOOK", ""),
        "DINGTALK_WEBHOOK": os.environ.get("PORTAL_DINGTALK_WEBHOOK", ""),
        "DINGTALK_SECRET": os.environ.get("PORTAL_DINGTALK_SECRET", ""),
        "SMS_URL": os.environ.get("PORTAL_SMS_URL", ""),
        # The portal's address as people reach it (https://portal.example.gov.cn): links in messages.
        "BASE_URL": os.environ.get("PORTAL_BASE_URL", "").rstrip("/"),
        "REPORT_DUE_DAY": int(os.environ.get("PORTAL_REPORT_DUE_DAY", "25")),
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        # The search warm-up thread at start (portal/search): off where a process forks after loading
        # the app (gunicorn.conf.py sets PORTAL_SEARCH_WARM=0; each worker warms its own search).
        **({"SEARCH_WARM": os.environ["PORTAL_SEARCH_WARM"] != "0"} if "PORTAL_SEARCH_WARM" in os.environ else {}),
    }
