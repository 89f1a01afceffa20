"""The Practice extension: mounts Practice into any Flask app under a URL prefix."""

import sqlite3
import threading
import weakref
from dataclasses import dataclass, field

import click
from flask import Blueprint, Flask, appcontext_pushed, current_app
from flask_sqlalchemy import SQLAlchemy
from jinja2 import FileSystemLoader, PrefixLoader
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from practice import config, paths
from practice.encryption import Keyring
from practice.identity import HostIdentity

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
        # The wait first: switching to WAL needs the database to itself, and another
        # process starting at the same moment may be migrating it (sqlite3's own wait is 5 s).
        cursor.execute("PRAGMA busy_timeout=15000")
        in_memory = cursor.execute("PRAGMA database_list").fetchone()[2] == ""
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
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

    url_prefix: str
    # The host's sign-in, when Practice accepts it (``Practice(app, identity=...)``).
    identity: "HostIdentity | None" = None
    # Built on first use (practice.encryption.keyring), then kept for the app's life.
    keyring: "Keyring | None" = None
    # This process's background mail sender, made when a request first queues mail.
    sender: "BackgroundSender | None" = None  # noqa: F821
    # The host's CSRFProtect that Practice's blueprints are exempted from, once they are.
    csrf_exempted_from: object = None
    # The app this state belongs to, for settling the database outside any app context.
    app: "weakref.ref[Flask] | None" = None
    _db: SQLAlchemy | None = None
    _settling: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def db(self) -> SQLAlchemy:
        """The Flask-SQLAlchemy instance Practice's tables live on (``settle``)."""
        if self._db is None:
            self.settle(self.app() if self.app else current_app._get_current_object())
        return self._db

    def settle(self, app: Flask, database: SQLAlchemy | None = None) -> None:
        """Choose Practice's database once: ``database`` when given, else the host's
        Flask-SQLAlchemy when it has one by now, else Practice's own. Called at set-up when
        the choice is already clear, else when the app's first context is pushed (before
        its first request or command), so a host may call ``db.init_app`` after
        ``Practice(app)`` as well as before."""
        with self._lock:
            if self._db is not None or self._settling:
                return
            self._settling = True  # binding the listeners pushes a context of its own
            try:
                database = database or app.extensions.get("sqlalchemy")
                if database is None:
                    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app))
                    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
                        # A pooled connection a database restart ended is replaced before
                        # use, not handed to a request that then fails (practice.kept's
                        # pool inherits it).
                        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
                        options.setdefault("pool_pre_ping", True)
                    db.init_app(app)
                    database = db
                _bind_listeners(app, database)
                self._db = database
            finally:
                self._settling = False


def _settle_on_first_context(app: Flask, **_extra) -> None:
    state = app.extensions.get("practice")
    if state is not None and state._db is None:
        state.settle(app)


def _leave_csrf_to_practices_forms(_endpoint, _values) -> None:
    """A host's Flask-WTF CSRFProtect refuses a stale token with a bare 400 before any view
    runs; Practice's forms check the same token themselves (``practice.forms``) and answer a
    stale one with the form again, what was typed kept, and autosave with a fresh token. So
    Practice's blueprints are exempted from the host's check, once, at their first request:
    url_value_preprocessors run before every before_request hook, the host's included,
    whichever was set up first."""
    csrf = current_app.extensions.get("csrf")
    state = current_app.extensions["practice"]
    if csrf is None or state.csrf_exempted_from is csrf:
        return
    for name, blueprint in current_app.blueprints.items():
        if name == "practice" or name.startswith("practice."):
            csrf.exempt(blueprint)
    state.csrf_exempted_from = csrf


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
        history,
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
    from practice.measures import views as measures_views

    parent = _TemplatesBlueprint(
        "practice", __name__, static_folder=paths.STATIC_DIR, static_url_path="/assets"
    )
    # Before any hook of the app's (a host's CSRFProtect): Practice's forms check their own.
    parent.url_value_preprocessor(_leave_csrf_to_practices_forms)
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
        history,
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
    parent.register_blueprint(measures_views.bp)

    parent.register_blueprint(safety.owner_bp)
    return parent


class Practice:
    """Practice as a Flask extension.

    The plugin contract, decided once (README, "Mounting in a host app"):
    - Set-up in any order: ``Practice(app)`` may come before or after the host's
      Flask-SQLAlchemy, Flask-Login, CSRFProtect and Flask-Migrate.
    - Database: Practice uses the host's Flask-SQLAlchemy instance if the host has one by
      the app's first context (its tables carry a ``practice_`` prefix), or its own bound to
      ``PRACTICE_DATABASE_URL``. Its migrations keep their own version table, so a host's
      Alembic history and Practice's never touch; ``flask practice upgrade-db`` applies them,
      and ``practice.migrating.leave_practice_alone`` hides Practice's tables from the host's.
    - Sign-in: Practice's own, kept apart from any the host has: its own key in the session
      and its own ``current_user`` (``practice.identity``), no Flask-Login ``LoginManager``.
      With ``identity=`` (a ``practice.identity.HostIdentity``), people linked to a host
      account are signed in from the host's sign-in, Practice's rules still applied.
    - Settings: the app's config, then ``PRACTICE_*`` environment variables (unless
      ``from_environment=False``), then Practice's defaults; ``PRACTICE_PROXIES`` applies to
      Practice's requests, ``PRACTICE_HTTPS`` makes the session cookie Secure.
    - CSRF: Practice's forms check their own token, so a host's CSRFProtect leaves Practice's
      pages to them: a stale token gets the form again with what was typed, not a bare 400.
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
        identity: HostIdentity | None = None,
        cli_group: str | None = "practice",
        from_environment: bool = True,
    ):
        if identity is not None and not isinstance(identity, HostIdentity):
            raise TypeError("identity must be a practice.identity.HostIdentity")
        self._url_prefix = url_prefix
        self._database = database
        self._identity = identity
        self._cli_group = cli_group
        self._from_environment = from_environment
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        # Refuse before changing anything, so a refused host is left as it was.
        if "practice" in app.extensions:
            raise RuntimeError("Practice is already registered on this app.")
        if self._from_environment:
            config.from_environment(app.config)
        config.apply_defaults(app.config)
        prefix = self._url_prefix
        if prefix is None:
            prefix = app.config.get("PRACTICE_URL_PREFIX", "")
        prefix = prefix.rstrip("/")

        state = PracticeState(url_prefix=prefix, identity=self._identity, app=weakref.ref(app))
        app.extensions["practice"] = state
        database = self._database or app.extensions.get("sqlalchemy")
        if database is not None:
            state.settle(app, database)
        else:
            appcontext_pushed.connect(_settle_on_first_context, sender=app)

        _protect_session_cookie(app)
        _trust_proxies(app, prefix)
        app.register_blueprint(_make_blueprint(), url_prefix=prefix or None)
        self._init_cli(app)

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


def _protect_session_cookie(app: Flask) -> None:
    """The session cookie carries Practice's sign-in, whoever's app it is: never readable by
    scripts, never sent cross-site, and only over HTTPS under ``PRACTICE_HTTPS``. (Flask's
    own defaults are already in app.config, so these are set, not setdefault; a host's
    stricter choice, SameSite=Strict or Secure, stands.)"""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(
        app.config.get("SESSION_COOKIE_SECURE") or app.config["PRACTICE_HTTPS"]
    )


class _PracticeProxyFix:
    """``X-Forwarded-*`` from ``PRACTICE_PROXIES`` proxies, for requests under Practice's
    prefix only (every request when Practice is at the root, as standalone): the throttle
    and the audit see the client's address, and the host's own requests are left as the host
    has them. Werkzeug's ProxyFix reads the headers, not what an earlier fix set, so a host
    whose own ProxyFix trusts as many proxies gets the same answer from both."""

    def __init__(self, wsgi_app, hops: int, prefix: str):
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        self.prefix = prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not self.prefix or path == self.prefix or path.startswith(self.prefix + "/"):
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


def _trust_proxies(app: Flask, prefix: str) -> None:
    hops = int(app.config["PRACTICE_PROXIES"] or 0)
    if hops:
        app.wsgi_app = _PracticeProxyFix(app.wsgi_app, hops, prefix)


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
