"""The practitioner's review queue and feedback on reflections."""

from practice.review.views import bp

__all__ = ["bp"]
