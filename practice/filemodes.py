"""Files only their owner reads: what Practice keeps on disk holds e-mail addresses,
password hashes, encrypted client words and the keys to them.

The instance folder is 0700; the SQLite database and the files SQLite makes beside it
(``-wal``, ``-shm``, ``-journal``), the encryption keys, the secret key and backups are 0600.
Files Practice writes itself are created with that mode; the database file is created
empty with it just before SQLite opens it (SQLite gives its companions the database file's
own mode), and a file or folder an older version left readable is tightened at start-up.
"""

import contextlib
import os
import secrets
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)


def private_folder(path: Path) -> None:
    """Make the folder (readable by its owner only), or tighten it if it is already there."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    """Tighten a file that is already there to 0600."""
    _tighten(path, FILE_MODE)


def sqlite_path(database: str) -> Path | None:
    """The file of a SQLite database as the driver is given it; None in memory or as a URI."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def private_sqlite(database: Path) -> None:
    """Before SQLite opens the database: create it empty with mode 0600 when it is not there
    yet (SQLite takes an empty file for a new database), and tighten it and its companions
    when an older version left them readable."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for path in (database, *(Path(f"{database}{end}") for end in SQLITE_COMPANIONS)):
        private_file(path)


def write_private_file(path: Path, content: str, *, only_if_missing: bool = False) -> bool:
    """Write a file whole (mode 0600): into a temporary file beside it, then into place, so
    no reader ever sees it empty or half-written. True when this call's content is there.

    only_if_missing: made once for every process (a worker starting beside others): the
    temporary file is linked in only when the file is still missing, so the first process
    to get there wins and every other keeps what it wrote (False for them).
    """
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if not only_if_missing:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
