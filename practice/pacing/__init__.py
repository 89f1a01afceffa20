"""Paced steps: the practitioner's side (opening a step early)."""

from practice.pacing.views import bp

__all__ = ["bp"]
