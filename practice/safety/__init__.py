"""The private safety screen (clients) and the practitioner's side of it."""

from practice.safety.views import bp, owner_bp, staff_bp

__all__ = ["bp", "owner_bp", "staff_bp"]
