"""The practitioner's caseload: the dashboard, couples, invitations and assigning work."""

from practice.caseload.views import bp

__all__ = ["bp"]
