"""Fixtures: an app per test on a database of its own (SQLite, and PostgreSQL when asked).

What the fixtures are made of lives in tests/helpers/ (database.py, people.py), which test
modules import; this file only holds the fixtures."""

import copy
from dataclasses import dataclass

import pytest

from tests.browser import html_validation
from tests.helpers.database import (
    BACKENDS,
    TemplateDatabase,
    close_practice_database,
    fresh_postgres_schema,
    make_app,
)
from tests.helpers.people import Browser, World, quick_password_hash

# The HTML of every page the browser tests visit is validated once, when the whole run ends,
# by the process that started it (under xdist, the controller; the workers only keep pages).


def _starts_the_run(config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config):
    if _starts_the_run(config):
        html_validation.start_run()


def pytest_sessionfinish(session):
    if not _starts_the_run(session.config):
        return
    outcome = html_validation.validate()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    say = reporter.write_line if reporter is not None else print
    if isinstance(outcome, str):
        say(outcome)
        if html_validation.REQUIRED:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        return
    checked, errors = outcome
    if not checked:
        return
    if errors:
        say(f"Nu HTML Checker: {len(errors)} kind(s) of error on the {checked} pages visited:")
        for line in errors:
            say("  " + line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        say(f"Nu HTML Checker: the {checked} pages visited are valid HTML")


@pytest.fixture(autouse=True)
def quick_password_hashing(request, monkeypatch):
    """Scrypt costs most of a test's time and is the subject of one test only: hash cheaply
    everywhere else (mark a test ``real_password_hashing`` to keep scrypt)."""
    if request.node.get_closest_marker("real_password_hashing"):
        return
    import practice.models.users

    monkeypatch.setattr(practice.models.users, "generate_password_hash", quick_password_hash)


@pytest.fixture(scope="session", params=BACKENDS)
def template_database(request, tmp_path_factory):
    template = TemplateDatabase(request.param, tmp_path_factory.mktemp("template"))
    yield template
    template.close()


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """The URL of a database with nothing in it (no schema, no program), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.sqlite3"
    else:
        with fresh_postgres_schema() as url:
            yield url


@pytest.fixture
def database_url(request, template_database, tmp_path):
    """This test's own database: a copy of a template. The schema and the founding program,
    and the standard world or the populated one already in it when the test asks for the
    ``world`` or ``populated`` fixture."""
    names = request.fixturenames
    name = "populated" if "populated" in names else "world" if "world" in names else "program"
    return template_database.copy(tmp_path, name)


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    yield app
    close_practice_database(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def browser(app):
    return lambda: Browser(app)


@pytest.fixture
def world(app, template_database) -> World:
    """The standard world (tests/helpers/people.py), already in this test's database."""
    return copy.deepcopy(template_database.template("world").made)


@pytest.fixture
def populated(app, template_database) -> dict:
    """The populated world's ids (tests/helpers/worlds.py), already in this test's database."""
    return copy.deepcopy(template_database.template("populated").made)


@dataclass
class Mailbox:
    """What a real local SMTP server (aiosmtpd) received during a test, and how many SMTP
    conversations (EHLO or HELO) were held with it."""

    messages: list
    conversations: int = 0

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
        async def handle_EHLO(self, _server, session, _envelope, hostname, responses):  # noqa: N802
            session.host_name = hostname
            mailbox.conversations += 1
            return responses

        async def handle_HELO(self, _server, session, _envelope, hostname):  # noqa: N802
            session.host_name = hostname
            mailbox.conversations += 1
            return f"250 {hostname}"

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
    close_practice_database(app)


@pytest.fixture
def new_app():
    """make_app for a second app (another worker, a restart); its engine closed afterwards."""
    made = []

    def make(*args, **config):
        made.append(make_app(*args, **config))
        return made[-1]

    yield make
    for app in made:
        close_practice_database(app)
