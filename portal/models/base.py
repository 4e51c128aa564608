from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: the same value round-trips on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
