"""A signed-in person's own account: changing the password."""

from practice.account.views import bp

__all__ = ["bp"]
