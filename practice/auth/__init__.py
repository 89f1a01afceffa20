"""Signing in and out, the first-run owner set-up, and accepting invitations."""

from practice.auth.views import bp

__all__ = ["bp"]
