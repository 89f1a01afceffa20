"""How Practice encrypts what people write: the one home for it.

- ``keys``: where the keys come from and the per-app keyring (MultiFernet) built from them;
- ``types``: the SQLAlchemy column types that store values as Fernet tokens;
- ``rotation``: re-encrypting every encrypted column with a new key (``rotate-key``).

Models import the column types from here. ``rotation`` reads Practice's metadata, so it is
imported by its full name (``practice.encryption.rotation``) to keep models free of a cycle.
"""

from practice.encryption.keys import (
    EncryptionKeyError,
    Keyring,
    UnreadableValue,
    keyring,
    new_key,
    parse_keys,
)
from practice.encryption.types import EncryptedJSON, EncryptedText, EncryptedType

__all__ = [
    "EncryptedJSON",
    "EncryptedText",
    "EncryptedType",
    "EncryptionKeyError",
    "Keyring",
    "UnreadableValue",
    "keyring",
    "new_key",
    "parse_keys",
]
