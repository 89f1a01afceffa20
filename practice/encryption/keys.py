"""Practice's encryption keys: where they come from, and the MultiFernet built from them.

Keys come from PRACTICE_ENCRYPTION_KEYS (comma-separated Fernet keys, the first one
current) when it is set, otherwise from ``encryption_keys`` in the app's instance folder,
made with one fresh key on first use (mode 600), like the secret key. A host app that
mounts Practice works the same way: its config, or its own instance folder.

The keyring is built once per app and kept in ``app.extensions["practice"]``. When the
keys live in the instance file, writing checks the file's identity (a stat, no read) so a
worker that was running during ``rotate-key`` encrypts with the new key at once, and a
value that no key reads makes it look at the file once more before giving up.
"""

import re
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from practice import filemodes

KEYS_FILE = "encryption_keys"
CONFIG_KEY = "PRACTICE_ENCRYPTION_KEYS"
FILE_HEADER = (
    "# Practice's encryption keys, one a line: the first encrypts, every one decrypts.\n"
    "# Keep a copy apart from your database backups: without these keys they cannot be read.\n"
)


class EncryptionKeyError(ValueError):
    """A configured or given key is not a usable Fernet key."""


class UnreadableValue(RuntimeError):
    """A stored value that none of the keys decrypts: missing keys, or altered data."""


def parse_keys(value, *, source: str = CONFIG_KEY) -> list[bytes]:
    """Fernet keys from a comma/space/line-separated string (or a list), checked, in order."""
    if isinstance(value, list | tuple):
        parts = [str(part) for part in value]
    else:
        lines = [line for line in str(value).splitlines() if not line.lstrip().startswith("#")]
        parts = re.split(r"[,\s]+", "\n".join(lines))
    keys = [part.strip() for part in parts if part.strip()]
    if not keys:
        raise EncryptionKeyError(f"{source} holds no encryption key.")
    checked: list[bytes] = []
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # Never echo the key itself: it may be a real key with one character wrong.
            raise EncryptionKeyError(
                f"Key {number} in {source} is not a Fernet key: a key is 44 characters of "
                "URL-safe base64, like the ones `flask --app practice rotate-key` makes."
            ) from None
        if key.encode() not in checked:
            checked.append(key.encode())
    return checked


def new_key() -> bytes:
    return Fernet.generate_key()


def write_keys_file(path: Path, keys: list[bytes], *, only_if_missing: bool = False) -> None:
    """Write the keys file whole (mode 600), never leaving a half-written file behind.

    only_if_missing: the first run; if another worker made the file a moment earlier, its
    key wins and this one is dropped, so every worker ends up with the same key.
    """
    # A folder made here is the owner's alone; a host's existing folder keeps its mode.
    content = FILE_HEADER + "".join(key.decode() + "\n" for key in keys)
    filemodes.write_private_file(path, content, only_if_missing=only_if_missing)


def _stamp(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class Keyring:
    """The app's keys and the MultiFernet over them (first key current)."""

    def __init__(self, keys: list[bytes], path: Path | None = None):
        self.path = path
        self._lock = threading.Lock()
        self._set(keys, _stamp(path) if path else None)

    @classmethod
    def from_file(cls, path: Path) -> "Keyring":
        if not path.exists():
            write_keys_file(path, [new_key()], only_if_missing=True)
        else:
            filemodes.private_file(path)
        return cls(_read_file(path), path)

    @property
    def from_config(self) -> bool:
        return self.path is None

    @property
    def current(self) -> bytes:
        return self.keys[0]

    def _set(self, keys: list[bytes], stamp) -> None:
        self.keys = list(keys)
        self.fernet = MultiFernet([Fernet(key) for key in keys])
        self._file_stamp = stamp

    def reload(self) -> bool:
        """Read the keys file again if it changed since; True if it did."""
        if self.path is None:
            return False
        with self._lock:
            try:
                stamp = _stamp(self.path)
            except FileNotFoundError:
                # Moved away for a moment (an editor, a restore): keep the keys we have.
                return False
            if stamp == self._file_stamp:
                return False
            self._set(_read_file(self.path), stamp)
            return True

    def encrypt(self, data: bytes) -> str:
        self.reload()
        return self.fernet.encrypt(data).decode("ascii")

    def decrypt(self, token: str) -> bytes:
        try:
            return self.fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            if self.reload():
                return self.decrypt(token)
        where = CONFIG_KEY if self.from_config else str(self.path)
        raise UnreadableValue(
            f"A stored value could not be decrypted with any of Practice's encryption keys "
            f"({where}). The keys may be missing or replaced (restored from another "
            "install?), or the stored value was altered."
        )


def _read_file(path: Path) -> list[bytes]:
    return parse_keys(path.read_text(), source=str(path))


def load_keyring(app: Flask) -> Keyring:
    configured = app.config.get(CONFIG_KEY)
    if configured:
        return Keyring(parse_keys(configured))
    return Keyring.from_file(Path(app.instance_path) / KEYS_FILE)


def keyring(app: Flask | None = None) -> Keyring:
    """The app's keyring, built on first use and then kept for the app's life."""
    app = app or current_app._get_current_object()
    state = app.extensions["practice"]
    if state.keyring is None:
        state.keyring = load_keyring(app)
    return state.keyring
