"""Accountability check-ins, the partner's summary, and each client's reminder setting."""

from practice.checkins.views import bp

__all__ = ["bp"]
