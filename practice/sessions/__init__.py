"""Session records with a couple, and their PDF."""

from practice.sessions.views import bp

__all__ = ["bp"]
