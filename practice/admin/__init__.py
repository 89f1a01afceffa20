"""The owner's pages: the practice's practitioners and its sign-in rule."""

from practice.admin import two_factor  # noqa: F401 - registers its routes on bp
from practice.admin.views import bp

__all__ = ["bp"]
