"""A consistent copy of the embedded SQLite database, taken while the app runs."""

import contextlib
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(Exception):
    """The backup was not made; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    integrity: str


def backup_sqlite(engine: Engine, out: Path, *, force: bool = False) -> BackupResult:
    """Copy the database with SQLite's online backup, which sees one committed state.

    The copy is written next to ``out`` under a temporary name, checked with
    ``PRAGMA integrity_check``, and only then moved into place, so an existing file is
    never half-replaced and a failed backup leaves nothing behind.
    """
    if engine.dialect.name != "sqlite":
        raise BackupError(
            f"Practice's database is on {engine.dialect.name}, and the backup command copies "
            "only the embedded SQLite database. Back it up with pg_dump, for example:\n"
            "  pg_dump -Fc -f practice.dump DATABASE_URL\n"
            "and restore with pg_restore (see 'Backups' in the README)."
        )
    source = engine.url.database
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupError("Practice's SQLite database is not a file on disk: nothing to copy.")
    out = out.expanduser()
    if out.is_dir():
        raise BackupError(f"{out} is a folder. Give the backup a file name.")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists. Choose another name, or add --force.")
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist.")
    if out.resolve() == Path(source).resolve():
        raise BackupError("That is the database itself. Write the backup somewhere else.")

    temporary = out.with_name(f".{out.name}.{secrets.token_hex(6)}.partial")
    # The copy holds everything the database does: readable by its owner only.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        # A read-only connection of our own: the copy never waits on the app's pool.
        with (
            contextlib.closing(
                sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            ) as reader,
            contextlib.closing(sqlite3.connect(temporary)) as copy,
        ):
            # pages=-1: the whole database in one step, under one read transaction.
            reader.backup(copy, pages=-1)
            integrity = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise BackupError(f"The copy failed SQLite's integrity check ({integrity}).")
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return BackupResult(out, out.stat().st_size, integrity)
