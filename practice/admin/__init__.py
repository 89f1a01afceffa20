"""The owner's pages: the practice's practitioners."""

from practice.admin.views import bp

__all__ = ["bp"]
