"""The practitioner's review queue and feedback on reflections."""

from practice.review import release  # noqa: F401  (its routes join the blueprint)
from practice.review.views import bp

__all__ = ["bp"]
