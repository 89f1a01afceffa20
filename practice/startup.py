"""Starting the standalone app on many workers, many servers and several practices at once.

- The instance folder is chosen on purpose: ``PRACTICE_INSTANCE_PATH``, or ``instance/``
  beside a source checkout; an installed copy refuses to guess (a folder inside the virtual
  environment would be lost, keys and all, with every rebuild of it).
- The secret key file is made whole, once, whichever process gets there first
  (``filemodes.write_private_file``), like the encryption keys file.
- Migrations and the founding program run under a lock every process of every server
  shares: a file lock beside an SQLite database, an advisory lock on PostgreSQL. The first
  process upgrades, the others wait and find nothing left to do.
- The key check (``models.KeyCheck``): written once the database is prepared, read at every
  start; a server whose keys do not read it refuses to start, saying what to set.
- Until the database is prepared (PostgreSQL before ``upgrade-db``) pages answer 503 with
  the command to run, instead of a bare 500.
"""

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, request
from sqlalchemy import Text, column, inspect, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from practice import filemodes, paths
from practice.config import StartupError

__all__ = ["StartupError"]

log = logging.getLogger("practice.startup")

UPGRADE_COMMAND = "flask --app practice upgrade-db"
# What the key check holds, encrypted; any other plaintext means another practice's row.
KEY_CHECK_PLAINTEXT = "Practice key check"
KEYS_DIFFER = (
    "This server's encryption keys do not read this practice's database: its key check "
    "(table practice_key_check) was written with other keys. Every server of one practice "
    "needs the same keys: set PRACTICE_ENCRYPTION_KEYS to the value the other servers use, "
    "or give this server a copy of their encryption_keys file{where}, then start again. "
    "Nothing was changed."
)
INSTALLED_WITHOUT_A_HOME = (
    "Practice is installed as a package (not run from a source checkout), so it has no "
    "instance folder of its own, and one inside the virtual environment would be lost with "
    "every rebuild of it. Set PRACTICE_INSTANCE_PATH to a folder that outlives deploys "
    "(for example /var/lib/practice): the database, secret key and encryption keys are kept "
    "there. Or keep nothing on disk: set PRACTICE_DATABASE_URL, PRACTICE_ENCRYPTION_KEYS "
    "and FLASK_SECRET_KEY."
)
NO_HOME_NEEDS = ("PRACTICE_DATABASE_URL", "PRACTICE_ENCRYPTION_KEYS")


@dataclass
class StartupState:
    """What start-up learnt, in app.extensions["practice_startup"]."""

    # Whether the database is ready to serve (tables there, at the newest revision).
    ready: bool = False
    # Whether this process ran the migrations (of every process starting at once, one does).
    upgraded: bool = False
    # The practice's id from its key check; its session cookies are signed with it.
    practice_id: str = ""


def state(app: Flask | None = None) -> StartupState:
    app = app or current_app
    return app.extensions.setdefault("practice_startup", StartupState())


# --- the instance folder --------------------------------------------------------------


def instance_path(settings: Mapping) -> str | None:
    """Where the app keeps its files: PRACTICE_INSTANCE_PATH when set; ``instance/`` beside
    a source checkout; None (nothing kept on disk) for an installed copy whose database,
    keys and secret all come from settings; otherwise a StartupError saying what to set."""
    configured = settings.get("PRACTICE_INSTANCE_PATH")
    if configured:
        return str(configured)
    if paths.SOURCE_CHECKOUT:
        return str(paths.PACKAGE_DIR.parent / "instance")
    secret = settings.get("SECRET_KEY") or settings.get("FLASK_SECRET_KEY")
    if secret and all(settings.get(name) for name in NO_HOME_NEEDS):
        return None
    raise StartupError(INSTALLED_WITHOUT_A_HOME)


def secret_key(path: Path) -> str:
    """The app's secret key: made at random once, whole, by whichever process is first,
    kept in the instance folder (mode 600)."""
    if not path.exists():
        filemodes.write_private_file(path, secrets.token_hex(32), only_if_missing=True)
    filemodes.private_file(path)
    key = path.read_text().strip()
    if not key:
        raise StartupError(
            f"{path} is empty (an older version could leave it so when several workers "
            "started at once). Delete it and start again: a new secret key signs everyone "
            "out once and loses nothing else."
        )
    return key


# --- one process at a time ------------------------------------------------------------


@contextlib.contextmanager
def one_at_a_time(app: Flask, name: str = "setup") -> Iterator[None]:
    """Hold a lock that every process using this app's database shares, workers and servers
    alike: a file lock beside an SQLite database file, a session-level advisory lock on
    PostgreSQL (held on a connection of its own, released however the block ends)."""
    engine = app.extensions["practice"].db.engine
    if engine.dialect.name == "sqlite":
        database = filemodes.sqlite_path(str(engine.url.database or ""))
        if database is None:  # in memory: one process only
            yield
            return
        database.parent.mkdir(mode=filemodes.FOLDER_MODE, parents=True, exist_ok=True)
        descriptor = os.open(f"{database}.{name}-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    from practice.kept import _lock_key

    key = _lock_key(f"startup:{name}")
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


# --- how far the database is ----------------------------------------------------------


def migration_state() -> str:
    """ "at head", "behind" (older revision), "empty" (no Practice tables) or "unversioned"
    (Practice's tables without a recorded revision: made by ``create_all``, as the test
    databases are). Raises SQLAlchemyError when the database cannot be reached."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from practice.db import session
    from practice.setup import VERSION_TABLE, alembic_config

    connection = session.connection()
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    current = set(context.get_current_heads())
    if current:
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        return "at head" if current == heads else "behind"
    return "unversioned" if inspect(connection).has_table("practice_users") else "empty"


# --- the key check --------------------------------------------------------------------


def _key_check_row():
    """The row as stored: the token as a plain string, decrypted by the caller."""
    from practice.db import session

    raw = table("practice_key_check", column("practice_id", Text), column("token", Text))
    return session.execute(select(raw.c.practice_id, raw.c.token)).first()


def read_key_check() -> tuple[str, str | None]:
    """("ok", practice id), ("missing", None) or ("unreadable", None), from the database."""
    from practice.encryption import UnreadableValue, keyring

    row = _key_check_row()
    if row is None:
        return "missing", None
    try:
        plain = keyring().decrypt(row.token).decode("utf-8", "replace")
    except UnreadableValue:
        return "unreadable", None
    return ("ok", row.practice_id) if plain == KEY_CHECK_PLAINTEXT else ("unreadable", None)


def keys_differ_message(app: Flask) -> str:
    from practice.encryption import keyring

    ring = keyring(app)
    return KEYS_DIFFER.format(where="" if ring.from_config else f" ({ring.path})")


def write_key_check() -> None:
    """Write the key check once (under the set-up lock), after making sure these keys read
    the encrypted values already stored: an older database gets its check from the keys
    that wrote it, never from a newcomer's."""
    from cryptography.fernet import InvalidToken

    from practice.db import session
    from practice.encryption import keyring
    from practice.encryption.rotation import encrypted_tables
    from practice.models import KeyCheck

    ring = keyring()
    for target in encrypted_tables():
        for name in target.columns:
            column = target.raw.c[name]
            token = session.scalar(select(column).where(column.is_not(None)).limit(1))
            if token is None:
                continue
            try:
                ring.fernet.decrypt(token.encode("ascii"))
            except (InvalidToken, UnicodeError):
                raise StartupError(keys_differ_message(current_app)) from None
    session.add(KeyCheck(id=1, practice_id=secrets.token_hex(16), token=KEY_CHECK_PLAINTEXT))
    session.flush()


def check(app: Flask) -> None:
    """At start-up: how far the database is, and, once it is ready, whether this server's
    keys read its key check (a StartupError if not). Nothing is written."""
    found = state(app)
    with app.app_context():
        from practice.db import session

        try:
            found.ready = migration_state() in ("at head", "unversioned")
            if found.ready:
                outcome, practice_id = read_key_check()
                if outcome == "unreadable":
                    raise StartupError(keys_differ_message(app))
                found.practice_id = practice_id or ""
        finally:
            session.remove()
    if not found.ready:
        log.warning("Practice's database is not up to date: run `%s`.", UPGRADE_COMMAND)


# --- pages before the database is ready -----------------------------------------------

NOT_READY_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Practice is not ready</title>"
    "<h1>Practice is not ready yet</h1><p>Its database has not been brought up to date. "
    f"On the server, run <code>{UPGRADE_COMMAND}</code>, then reload this page.</p></html>"
)


def install_gate(app: Flask) -> None:
    """Until the database is ready, every page but /healthz answers 503 saying what to run
    (looked at again on each request until then; nothing once it is)."""

    @app.before_request
    def answer_503_until_the_database_is_ready():
        found = state(app)
        if found.ready or request.endpoint == "practice_health.healthz":
            return None
        try:
            check(app)
        except (SQLAlchemyError, StartupError) as error:
            log.warning("Practice is not ready: %s", error)
        if found.ready:
            return None
        return NOT_READY_PAGE, 503, {"Retry-After": "30", "Cache-Control": "no-store"}
