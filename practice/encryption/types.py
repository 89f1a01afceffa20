"""Column types that keep what people write about their therapy encrypted at rest.

Use them like any other type: ``body: Mapped[str] = mapped_column(EncryptedText)``,
``answers: Mapped[list] = mapped_column(EncryptedJSON)``. The database holds a Fernet
token in a Text column; Python sees the plain value. Tokens differ every time, so these
columns can never be filtered, sorted or searched in SQL: keep anything a query needs
(a flag, a count) in a separate plain column, computed in Python when the value is saved.
A value that no key decrypts raises UnreadableValue, never junk.
"""

import json

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from practice.encryption.keys import UnreadableValue, keyring

__all__ = ["EncryptedJSON", "EncryptedText", "EncryptedType", "UnreadableValue"]


class EncryptedType(TypeDecorator):
    """A value stored as a Fernet token with the app's current key."""

    impl = Text
    cache_ok = True

    def to_bytes(self, value) -> bytes:
        raise NotImplementedError

    def from_bytes(self, data: bytes):
        raise NotImplementedError

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(self.to_bytes(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.from_bytes(keyring().decrypt(value))


class EncryptedText(EncryptedType):
    """A str, encrypted."""

    cache_ok = True  # SQLAlchemy reads it from each class's own attributes

    def to_bytes(self, value) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText stores str, not {type(value).__name__}")
        return value.encode("utf-8")

    def from_bytes(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedJSON(EncryptedType):
    """Any JSON-serialisable value (list, dict, str, number), encrypted."""

    cache_ok = True

    def to_bytes(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def from_bytes(self, data: bytes):
        return json.loads(data.decode("utf-8"))
