"""Fixtures: an app per test on a database of its own (SQLite, and PostgreSQL when asked)."""

import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import pytest
from sqlalchemy import create_engine, event, make_url, text
from werkzeug.security import generate_password_hash

from practice import create_app
from practice.db import commit
from practice.models import Base

POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
PASSWORD = "a calm walk by the harbour"
# The safety screen answered with nothing of concern.
SAFE_ANSWERS = {"afraid": False, "hurt": False, "controlled": False, "safe_together": True}


@pytest.fixture(autouse=True)
def quick_password_hashing(request, monkeypatch):
    """Scrypt costs most of a test's time and is the subject of one test only: hash cheaply
    everywhere else (mark a test ``real_password_hashing`` to keep scrypt)."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    import practice.models.users

    monkeypatch.setattr(
        practice.models.users,
        "generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1000"),
    )


class TemplateDatabase:
    """One backend's template, built once per run and xdist worker: the schema and the
    founding program. Every test starts from a copy of it.

    SQLite copies the template's file into the test's own folder. PostgreSQL keeps two
    schemas per worker, the template and the one tests use, and copies the template's rows
    and sequence positions into the second in one statement batch (about 3 ms, where
    emptying with TRUNCATE and loading the program took about 300 ms, and a
    ``CREATE DATABASE ... TEMPLATE`` per test about 400 ms). Names carry a random part, so
    two workers or two runs at once never meet.
    """

    def __init__(self, backend: str, folder):
        self.backend = backend
        self.admin = None
        if backend == "sqlite":
            self.path = folder / "template.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.admin = create_engine(POSTGRES_URL)
            suffix = uuid.uuid4().hex[:10]
            self.template, self.schema = f"practice_template_{suffix}", f"practice_test_{suffix}"
            self.url = self._url_of(self.template)
            for schema in (self.template, self.schema):
                with self.admin.begin() as connection:
                    connection.execute(text(f"CREATE SCHEMA {schema}"))
                self._create_tables(self._url_of(schema))
        if backend == "sqlite":
            self._create_tables(self.url)
        app = make_app(self.url, folder)
        with app.app_context():
            from practice.programs.loader import load_founding_program

            load_founding_program()
            commit()
            app.extensions["practice"].db.session.remove()
            app.extensions["practice"].db.engine.dispose()
        if self.admin is not None:
            self._copy = self._copy_script()

    @staticmethod
    def _create_tables(url: str) -> None:
        engine = create_engine(url)
        with engine.begin() as connection:
            Base.metadata.create_all(connection)
        engine.dispose()

    @staticmethod
    def _url_of(schema: str) -> str:
        return (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

    def _copy_script(self) -> str:
        """Empty the test schema and fill it with the template's rows and sequence positions.
        Replica mode skips the audit log's append-only trigger and the foreign-key checks
        (the rows come from a consistent copy)."""
        tables = [t.name for t in Base.metadata.sorted_tables]
        with self.admin.connect() as connection:
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                {"schema": self.template},
            ).all()
        # Schema, table and sequence names come from this class and our metadata only.
        script = ["SET LOCAL session_replication_role = replica"]
        schema, template = self.schema, self.template
        script += [f"DELETE FROM {schema}.{table}" for table in reversed(tables)]  # noqa: S608
        script += [
            f"INSERT INTO {schema}.{table} SELECT * FROM {template}.{table}"  # noqa: S608
            for table in tables
        ]
        script += [
            f"SELECT setval('{schema}.{name}', last_value, is_called) FROM {template}.{name}"  # noqa: S608
            for name in sequences
        ]
        return ";\n".join(script)

    def copy(self, tmp_path) -> str:
        """A database holding what the template holds, for one test; its URL."""
        if self.backend == "sqlite":
            target = tmp_path / "practice-test.sqlite3"
            shutil.copyfile(self.path, target)
            return f"sqlite:///{target}"
        with self.admin.begin() as connection:
            connection.exec_driver_sql(self._copy)
        return self._url_of(self.schema)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.begin() as connection:
                for schema in (self.template, self.schema):
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            self.admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def template_database(request, tmp_path_factory):
    template = TemplateDatabase(request.param, tmp_path_factory.mktemp("template"))
    yield template
    template.close()


@pytest.fixture
def database_url(template_database, tmp_path):
    """This test's own database: a copy of the template (schema and founding program)."""
    return template_database.copy(tmp_path)


def make_app(database_url, tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PRACTICE_DATABASE_URL": database_url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance"),
            "PRACTICE_AUTO_SETUP": False,
            **config,
        }
    )


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    with app.app_context():
        app.extensions["practice"].db.session.remove()
        app.extensions["practice"].db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Browser:
    """A signed-in (or anonymous) person using the site through its forms, CSRF included."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, url) -> str:
        page = self.client.get(url)
        match = CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1) or match.group(2)

    def post(self, url, data=None, form_url=None, **kwargs):
        """Post like a browser: take a fresh CSRF token from the page holding the form."""
        data = {**(data or {}), "csrf_token": self.token(form_url or url)}
        return self.client.post(url, data=data, **kwargs)

    def login(self, email, password=PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def text(self, url) -> str:
        response = self.client.get(url)
        return response.get_data(as_text=True)


@pytest.fixture
def browser(app):
    return lambda: Browser(app)


@dataclass
class World:
    """A practice with two practitioners, each with one couple, all accounts active."""

    owner: str
    alice: str
    bob: str
    couple_id: int
    other_couple_id: int
    recovering: str
    hurt: str
    recovering_id: int
    hurt_id: int
    outsider: str
    outsider_id: int
    outsider_partner: str


def build_world(app) -> World:
    from sqlalchemy import select

    from practice.db import session
    from practice.models import Program
    from practice.services import accounts, couples, safety

    with app.app_context():
        program = session.scalar(select(Program))
        accounts.create_owner(
            "Harbour Couples Therapy", "Olive Owner", "owner@example.org", PASSWORD
        )
        alice, _ = accounts.add_practitioner("Alice Adler", "alice@example.org", "LMFT")
        bob, _ = accounts.add_practitioner("Bob Brand", "bob@example.org", "LPC")
        alice.set_password(PASSWORD)
        bob.set_password(PASSWORD)
        couple, _ = couples.create_couple(
            alice,
            program,
            [
                couples.NewPartner("Riley Recovering", "riley@example.org", "recovering"),
                couples.NewPartner("Harper Hurt", "harper@example.org", "hurt"),
            ],
        )
        other, _ = couples.create_couple(
            bob,
            program,
            [
                couples.NewPartner("Quinn Other", "quinn@example.org", "recovering"),
                couples.NewPartner("Sage Other", "sage@example.org", "hurt"),
            ],
        )
        for partner in couple.partners + other.partners:
            partner.user.set_password(PASSWORD)
            # Past their first sign-in: the private safety screen is answered, all well.
            safety.take_screen(partner, dict(SAFE_ANSWERS))
        commit()
        riley, harper = couple.partners
        return World(
            "owner@example.org",
            "alice@example.org",
            "bob@example.org",
            couple.id,
            other.id,
            "riley@example.org",
            "harper@example.org",
            riley.id,
            harper.id,
            "quinn@example.org",
            other.partners[0].id,
            "sage@example.org",
        )


@pytest.fixture
def world(app) -> World:
    return build_world(app)


@contextmanager
def counted_queries(app):
    """Collect the SQL statements run inside the block."""
    with app.app_context():
        engine = app.extensions["practice"].db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def assign_exercises(app, couple_id: int, *slugs: str, audience: str = "as-written") -> list[int]:
    """Assign program exercises (by slug) to a couple through the real service; their ids."""
    from datetime import date

    from sqlalchemy import select

    from practice.db import session
    from practice.models import Couple, Exercise
    from practice.services import assignments

    with app.app_context():
        couple = session.get(Couple, couple_id)
        exercises = [session.scalar(select(Exercise).where(Exercise.slug == s)) for s in slugs]
        made = assignments.assign(
            couple,
            exercises,
            audience=audience,
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=date.today(),
        )
        commit()
        return [a.id for a in made]


def record_session(couple, practitioner, **changes):
    """A session note through the real service, with sensible defaults (call in app context)."""
    from datetime import UTC, datetime

    from practice.services import sessions

    data = {
        "starts_at": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        "duration_minutes": 50,
        "kind": "joint",
        "individual_partner_id": None,
        "attendee_ids": [p.id for p in couple.partners],
        "note_format": "free",
        "sections": {"note": "Session text"},
        "reflection_ids": [],
    }
    data.update(changes)
    return sessions.save_session(None, couple, practitioner, sessions.SessionInput(**data))


@dataclass
class Mailbox:
    """What a real local SMTP server (aiosmtpd) received during a test."""

    messages: list

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port; yields (config, Mailbox)."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    mailbox = Mailbox([])

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            mailbox.messages.append(message)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {"PRACTICE_MAIL_SERVER": "127.0.0.1", "PRACTICE_MAIL_PORT": port}, mailbox
    finally:
        controller.stop()


@pytest.fixture
def mail_app(database_url, tmp_path, smtp_server):
    """An app whose mail goes to the local SMTP server; yields (app, Mailbox)."""
    config, mailbox = smtp_server
    app = make_app(database_url, tmp_path, **config)
    yield app, mailbox
    with app.app_context():
        app.extensions["practice"].db.session.remove()
        app.extensions["practice"].db.engine.dispose()


@pytest.fixture
def new_app():
    """make_app for a second app (another worker, a restart); its engine closed afterwards."""
    made = []

    def make(*args, **config):
        made.append(make_app(*args, **config))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            app.extensions["practice"].db.session.remove()
            app.extensions["practice"].db.engine.dispose()
