"""Practice: step-based homework, reflections, reviews and session notes for couples work."""

from practice.app import create_app
from practice.extension import Practice

__all__ = ["Practice", "create_app"]
