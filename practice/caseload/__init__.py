"""The practitioner's caseload: the dashboard, couples, invitations and assigning work."""

from practice.caseload import release  # noqa: F401  (its routes join the blueprint)
from practice.caseload.views import bp

__all__ = ["bp"]
