"""The rules of Practice. Services flush and never commit; views own the transaction."""

from practice.services.errors import PracticeError

__all__ = ["PracticeError"]
