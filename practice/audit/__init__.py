"""The owner's audit log pages, and the recording of who read which client record."""

from practice.audit.views import bp

__all__ = ["bp"]
