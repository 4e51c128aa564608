from portal.timeutil import utcnow

__all__ = ["utcnow"]
