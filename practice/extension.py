"""The Practice extension: mounts Practice into any Flask app under a URL prefix."""

import sqlite3
from dataclasses import dataclass

import click
from flask import Blueprint, Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import FileSystemLoader, PrefixLoader
from sqlalchemy import event

from practice import paths
from practice.config import apply_defaults
from practice.encryption import Keyring

# One Flask-SQLAlchemy instance for every app that lets Practice own its database.
db = SQLAlchemy()


def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite checks foreign keys only when asked, per connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _sqlite_tuning(dbapi_connection, _record):
    """For the SQLite database Practice owns (never a host's): write-ahead logging, so pages
    being read never hold up a write and a write never holds up a page; a commit that
    waits for the disk only at checkpoints (still safe against a crash of the app, as
    SQLite documents for WAL); and a writer that waits its turn for up to 15 s rather than
    failing with "database is locked"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        in_memory = cursor.execute("PRAGMA database_list").fetchone()[2] == ""
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def _sqlite_file_private(_dialect, _record, cargs, cparams):
    """Before Practice's own SQLite database is opened: the file, and so the -wal, -shm and
    -journal files SQLite makes with the database file's mode, readable by its owner only
    (``practice.filemodes``). Returns None: the driver then connects as usual."""
    from practice import filemodes

    database = cargs[0] if cargs else cparams.get("database", "")
    path = filemodes.sqlite_path(str(database))
    if path is not None and path.parent.is_dir():
        filemodes.private_sqlite(path)


def _bind_listeners(app: Flask, database: SQLAlchemy) -> None:
    """Practice's SQLAlchemy listeners, on Practice's engine and sessions and nowhere else.

    - Foreign keys on for each SQLite connection of the engine Practice's tables live on
      (the host's, when Practice shares the host's database: its tables need them); WAL, the
      other tuning and a file only its owner reads on Practice's own SQLite engine only (a
      host's file keeps its mode).
    - The audit trail and the signed-note lock on ``database.session``, whose sessionmaker
      has a Session class of its own, so sessions made elsewhere (a host's plain Session,
      another Flask-SQLAlchemy instance) never run them. On a shared instance they see the
      host's writes too and pass over everything that is not Practice's (see each one).
    """
    from practice.models.sessions import keep_signed_notes_locked
    from practice.services import audit

    with app.app_context():
        engine = database.engine
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
        if database is db and not event.contains(engine, "connect", _sqlite_tuning):
            event.listen(engine, "connect", _sqlite_tuning)
            event.listen(engine, "do_connect", _sqlite_file_private)
    audit.listen(database.session)
    keep_signed_notes_locked(database.session)


@dataclass
class PracticeState:
    """What Practice keeps per app, in app.extensions["practice"]."""

    db: SQLAlchemy
    url_prefix: str
    # Built on first use (practice.encryption.keyring), then kept for the app's life.
    keyring: "Keyring | None" = None
    # This process's background mail sender, made when a request first queues mail.
    sender: "BackgroundSender | None" = None  # noqa: F821


class _TemplatesBlueprint(Blueprint):
    """Serves Practice's templates under the name prefix "practice/".

    A host's own "base.html" or "auth/login.html" never shadows ours, and a host can
    still override one of ours on purpose with templates/practice/<feature>/<page>.html.
    """

    @property
    def jinja_loader(self):
        return PrefixLoader({"practice": FileSystemLoader(paths.TEMPLATES_DIR)})


def _make_blueprint() -> Blueprint:
    from practice import (
        account,
        admin,
        audit,
        auth,
        caseload,
        checkins,
        client,
        disclosure,
        mail,
        pacing,
        review,
        safety,
        sessions,
        web,
    )
    from practice import db as unit_of_work
    from practice.audit import reads
    from practice.auth import two_factor

    parent = _TemplatesBlueprint(
        "practice", __name__, static_folder=paths.STATIC_DIR, static_url_path="/assets"
    )
    # First, so that it runs last: the commit follows every other after-request hook.
    unit_of_work.install(parent)
    mail.install(parent)
    web.install(parent)
    reads.install(parent)
    for feature in (
        auth,
        account,
        admin,
        audit,
        caseload,
        pacing,
        review,
        sessions,
        client,
        safety,
        checkins,
    ):
        parent.register_blueprint(feature.bp)
    parent.register_blueprint(disclosure.bp)
    parent.register_blueprint(disclosure.client_bp)
    two_factor.install(parent)
    parent.register_blueprint(safety.staff_bp)
    return parent


class Practice:
    """Practice as a Flask extension.

    The plugin contract, decided once:
    - Database: Practice uses the host's Flask-SQLAlchemy instance if the host has one
      (its tables carry a ``practice_`` prefix), or its own bound to
      ``PRACTICE_DATABASE_URL``. Its migrations keep their own version table, so a host's
      Alembic history and Practice's never touch; ``flask practice upgrade-db`` applies them.
    - Sign-in: Practice owns Flask-Login on the app. A host that already has a
      LoginManager is refused at start-up rather than silently overwritten.
    - CLI: commands go under ``flask practice ...`` (the standalone app puts them at the
      top level: ``flask --app practice demo``).
    - SQLAlchemy listeners (SQLite foreign keys, the audit trail, the signed-note lock)
      are bound to Practice's engine and Practice's ``db.session`` only, never to every
      Engine or Session in the process; on a host's shared instance they act on
      Practice's own models alone (``_bind_listeners``).
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        url_prefix: str | None = None,
        database: SQLAlchemy | None = None,
        cli_group: str | None = "practice",
    ):
        self._url_prefix = url_prefix
        self._database = database
        self._cli_group = cli_group
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        # Refuse before changing anything, so a refused host is left as it was.
        if "practice" in app.extensions:
            raise RuntimeError("Practice is already registered on this app.")
        if getattr(app, "login_manager", None) is not None:
            raise RuntimeError(
                "Practice signs people in with Flask-Login and this app already has a "
                "LoginManager; mount Practice on an app without one."
            )
        apply_defaults(app.config)
        prefix = self._url_prefix
        if prefix is None:
            prefix = app.config.get("PRACTICE_URL_PREFIX", "")
        prefix = prefix.rstrip("/")

        database = self._database or app.extensions.get("sqlalchemy")
        if database is None:
            app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app))
            if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
                # A pooled connection a database restart ended is replaced before use, not
                # handed to a request that then fails (practice.kept's pool inherits it).
                options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
                options.setdefault("pool_pre_ping", True)
            db.init_app(app)
            database = db
        app.extensions["practice"] = PracticeState(db=database, url_prefix=prefix)
        _bind_listeners(app, database)

        self._init_login(app)
        app.register_blueprint(_make_blueprint(), url_prefix=prefix or None)
        self._init_cli(app)

    def _init_login(self, app: Flask) -> None:
        from practice import signin

        signin.init_login(app)

    def _init_cli(self, app: Flask) -> None:
        from practice.cli import COMMANDS

        if self._cli_group is None:
            for command in COMMANDS:
                app.cli.add_command(command)
            return
        group = click.Group(self._cli_group, help="Practice: couples practice management.")
        for command in COMMANDS:
            group.add_command(command)
        app.cli.add_command(group)


def database_url(app: Flask) -> str:
    """PRACTICE_DATABASE_URL, or the embedded SQLite database in the instance folder."""
    configured = app.config.get("PRACTICE_DATABASE_URL")
    if configured:
        # Heroku-style URLs name the old driver; psycopg 3 is what Practice installs.
        if configured.startswith("postgres://"):
            configured = "postgresql://" + configured.removeprefix("postgres://")
        if configured.startswith("postgresql://"):
            configured = "postgresql+psycopg://" + configured.removeprefix("postgresql://")
        return configured
    return f"sqlite:///{app.instance_path}/practice.sqlite3"


def is_embedded_default(app: Flask) -> bool:
    return (
        not app.config.get("PRACTICE_DATABASE_URL")
        and app.config.get("SQLALCHEMY_DATABASE_URI", "")
        == f"sqlite:///{app.instance_path}/practice.sqlite3"
    )
