"""The private safety screen (clients) and the practitioner's side of it."""

from practice.safety.views import bp, staff_bp

__all__ = ["bp", "staff_bp"]
