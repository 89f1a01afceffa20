"""The client's side: what is due, writing and submitting reflections, feedback."""

from practice.client.views import bp

__all__ = ["bp"]
