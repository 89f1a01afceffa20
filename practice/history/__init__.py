"""A couple's history, reread, and search: across the caseload, and within one couple's record."""

from practice.history.views import bp

__all__ = ["bp"]
