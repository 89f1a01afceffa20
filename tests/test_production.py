"""Practice deployed as an operator deploys it (issue 14): gunicorn with several workers,
several processes starting at once, two app servers on one database, several practices
behind one server, and a database that drops its connections."""

import json
import threading
import uuid

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from werkzeug.test import Client

from practice import config, create_app, startup
from practice.db import session
from practice.models import Role, User
from practice.services.accounts import ALREADY_OWNED
from tests.helpers.database import BACKENDS, POSTGRES_URL
from tests.helpers.people import (
    FIRST_OWNER,
    NEW_COUPLE,
    PASSWORD,
    SAFE_ANSWERS,
    Browser,
    invitation_link,
)
from tests.helpers.production import (
    FIRST_REVISION,
    KEY_MAKER,
    Gunicorn,
    booted_workers,
    database_at_revision,
    empty_database,
    get,
    start_together,
    upgrades,
)

# --- many workers ------------------------------------------------------------------------


def _served_by_every_worker(server: Gunicorn, workers: int) -> None:
    assert server.wait_until_ready(), server.log
    for _ in range(3 * workers):
        status, body = get(server.url + "/healthz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "keys": "ok"}
    assert get(server.url + "/setup")[0] == 200
    server.stop()
    assert booted_workers(server.log) == workers, server.log
    assert upgrades(server.log) == 1, server.log
    assert "Traceback" not in server.log and "Worker failed" not in server.log, server.log


def test_four_gunicorn_workers_start_on_an_empty_instance_and_migrate_once(tmp_path):
    instance = tmp_path / "instance"
    with Gunicorn(tmp_path, workers=4, PRACTICE_INSTANCE_PATH=instance) as server:
        _served_by_every_worker(server, 4)
    key = (instance / "secret_key").read_text()
    assert len(key) == 64


def test_four_gunicorn_workers_start_after_an_upgrade_and_migrate_once(tmp_path):
    instance = tmp_path / "instance"
    database_at_revision(instance, FIRST_REVISION)
    with Gunicorn(tmp_path, workers=4, PRACTICE_INSTANCE_PATH=instance) as server:
        _served_by_every_worker(server, 4)


def test_the_request_log_has_one_line_per_request_and_never_a_query_or_a_token(tmp_path):
    with Gunicorn(
        tmp_path, workers=1, PRACTICE_INSTANCE_PATH=tmp_path / "instance", PRACTICE_LOG_JSON="on"
    ) as server:
        assert server.wait_until_ready(), server.log
        get(server.url + "/login?next=/secret-in-the-query")
        get(server.url + "/invitation/a-secret-token")
        get(server.url + "/no/such/page")
        server.stop()
    lines = [json.loads(line) for line in server.log.splitlines() if line.startswith("{")]
    requests = [line for line in lines if "method" in line]
    assert [(r["method"], r["path"], r["status"]) for r in requests[-4:]] == [
        ("GET", "/login", 302),
        ("GET", "/setup", 200),  # where /login led
        ("GET", "/invitation/<token>", 404),
        ("GET", "<unmatched>", 404),
    ]
    assert all(isinstance(r["duration_ms"], int | float) for r in requests)
    assert "secret" not in server.log


_RACER = """
import json, sys, time
from pathlib import Path
from practice import startup
from practice.app import create_app

ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.005)
app = create_app()
print(json.dumps({"upgraded": startup.state(app).upgraded, "secret": app.config["SECRET_KEY"]}))
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_processes_reaching_set_up_together_migrate_once(backend, tmp_path):
    with empty_database(backend, tmp_path) as url:
        results = start_together(
            tmp_path,
            2,
            _RACER,
            PRACTICE_INSTANCE_PATH=tmp_path / "instance",
            PRACTICE_DATABASE_URL=url,
            PRACTICE_AUTO_SETUP="true",
        )
    assert sorted(r["upgraded"] for r in results) == [False, True]
    assert results[0]["secret"] == results[1]["secret"]


def test_eight_processes_starting_together_share_one_secret_key_and_one_encryption_key(tmp_path):
    (tmp_path / "instance").mkdir(mode=0o700)
    results = start_together(tmp_path, 8, KEY_MAKER)
    assert len({r["secret"] for r in results}) == 1 and len(results[0]["secret"]) == 64
    assert len({tuple(r["keys"]) for r in results}) == 1 and len(results[0]["keys"]) == 1
    assert not [p.name for p in (tmp_path / "instance").iterdir() if p.name.startswith(".")]


def test_four_people_submitting_set_up_at_once_make_one_owner(app):
    people = [Browser(app) for _ in range(4)]
    tokens = [person.token("/setup") for person in people]
    together = threading.Barrier(len(people))
    answers: list = [None] * len(people)

    def submit(number):
        form = {**FIRST_OWNER, "email": f"owner{number}@example.org", "csrf_token": tokens[number]}
        together.wait()
        answers[number] = people[number].client.post("/setup", data=form)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(302) == 1 and max(statuses) < 500, statuses
    for answer in answers:
        if answer.status_code == 200:
            assert ALREADY_OWNED in answer.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(func.count()).where(User.role == Role.OWNER)) == 1
        # And the database itself refuses a second owner, whatever code writes it.
        session.add(User(email="second@example.org", name="Second", role=Role.OWNER))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


# --- the instance folder and settings ----------------------------------------------------


def test_on_and_off_settings_read_false_as_false():
    for word in ("False", "false", "off", "0", "no", "OFF"):
        settings = {}
        config.from_environment(settings, {"PRACTICE_HTTPS": word, "PRACTICE_LOG_JSON": word})
        assert settings == {"PRACTICE_HTTPS": False, "PRACTICE_LOG_JSON": False}
    settings = {}
    config.from_environment(settings, {"PRACTICE_HTTPS": "on", "PRACTICE_AUTO_SETUP": "1"})
    assert settings == {"PRACTICE_HTTPS": True, "PRACTICE_AUTO_SETUP": True}


def test_an_unreadable_on_off_setting_says_what_to_set_and_changes_nothing():
    settings = {"PRACTICE_NAME": "Harbour"}
    with pytest.raises(config.StartupError, match="PRACTICE_HTTPS is 'maybe'.*true or false"):
        config.from_environment(settings, {"PRACTICE_HTTPS": "maybe", "PRACTICE_NAME": "Other"})
    assert settings == {"PRACTICE_NAME": "Harbour"}


def test_practice_https_false_in_the_environment_leaves_cookies_for_plain_http(
    tmp_path, monkeypatch
):
    for key in [k for k in __import__("os").environ if k.startswith("PRACTICE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PRACTICE_HTTPS", "False")
    app = create_app()
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is False
        assert "Strict-Transport-Security" not in app.test_client().get("/setup").headers
    finally:
        with app.app_context():
            app.extensions["practice"].db.engine.dispose()


# --- two app servers on one database -------------------------------------------------


class TwoServers:
    """Two app servers behind one address, taking turns: each request goes to the other
    one than the last. ``served`` counts each one's requests."""

    def __init__(self, *apps):
        self.apps = apps
        self.served = [0] * len(apps)
        self._turn = 0

    def __call__(self, environ, start_response):
        number = self._turn % len(self.apps)
        self._turn += 1
        self.served[number] += 1
        return self.apps[number](environ, start_response)

    def test_client(self):
        return Client(self)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_app_servers_on_one_database_serve_the_whole_flow_in_turns(backend, tmp_path, new_app):
    keys = Fernet.generate_key().decode()
    shared = {"PRACTICE_ENCRYPTION_KEYS": keys, "SECRET_KEY": "one secret for both servers"}
    with empty_database(backend, tmp_path) as url:
        first = new_app(url, tmp_path / "first", **shared)
        # Before `upgrade-db` every page says what to run; /healthz says what is missing.
        page = first.test_client().get("/")
        assert page.status_code == 503 and startup.UPGRADE_COMMAND in page.get_data(as_text=True)
        health = first.test_client().get("/healthz")
        assert health.status_code == 503 and health.json["checks"]["database"] == "ok"
        assert startup.UPGRADE_COMMAND in health.json["checks"]["migrations"]
        result = first.test_cli_runner().invoke(args=["upgrade-db"])
        assert result.exit_code == 0, result.output
        second = new_app(url, tmp_path / "second", **shared)
        servers = TwoServers(first, second)
        for _ in servers.apps:
            assert servers.test_client().get("/healthz").json["status"] == "ok"

        owner = Browser(servers)
        assert owner.post("/setup", FIRST_OWNER).status_code == 302
        owner.post(
            "/admin/practitioners",
            {"name": "Alice Adler", "email": "alice@example.org", "credentials": "LMFT"},
        )
        alice = Browser(servers)
        link = invitation_link(owner.text("/admin/practitioners"), "Alice Adler")
        assert alice.post(link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
        response = alice.post("/couples/new", NEW_COUPLE)
        couple_url = response.location
        riley = Browser(servers)
        link = invitation_link(alice.text(couple_url), "Riley")
        answer = riley.post(link, {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
        assert answer.location.endswith("/my/")
        answer = riley.post(
            "/my/safety/", dict.fromkeys(SAFE_ANSWERS, "no") | {"safe_together": "yes"}
        )
        assert answer.location.endswith("/my/")
        assert "signed up" in alice.text(couple_url)
        for _ in servers.apps:  # signed in on both servers
            assert alice.get("/dashboard").status_code == 200

        # Signing out on one server ends the sign-in on both: a copy of the cookie is dead.
        copy = Browser(servers)
        for cookie in alice.client._cookies.values():
            copy.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        assert copy.get("/dashboard").status_code == 200
        assert alice.post("/logout", form_url="/dashboard").status_code == 302
        for _ in servers.apps:
            assert copy.get("/dashboard").location.startswith("/login")
        assert min(servers.served) > 10

        # A third server with other keys refuses to start, saying what to set.
        with pytest.raises(startup.StartupError, match="set PRACTICE_ENCRYPTION_KEYS"):
            new_app(
                url,
                tmp_path / "third",
                PRACTICE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                SECRET_KEY="one secret for both servers",
            )


# --- a database that drops its connections -----------------------------------------------


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: it ends connections")
def test_a_database_ending_every_pooled_connection_costs_no_request(tmp_path, new_app):
    with empty_database("postgres", tmp_path) as url:
        name = f"practice-test-{uuid.uuid4().hex[:8]}"
        app = new_app(
            url,
            tmp_path,
            PRACTICE_AUTO_SETUP=True,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": name}},
        )
        owner = Browser(app)
        assert owner.post("/setup", FIRST_OWNER).status_code == 302
        pages = ["/dashboard", "/account/devices", "/healthz"]
        for page in pages:
            assert owner.get(page).status_code == 200
        owner.post("/logout", form_url="/dashboard")
        owner.login(FIRST_OWNER["email"])  # the kept writes' own pool holds connections too

        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            ended = connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": name},
            )
        admin.dispose()
        assert ended >= 2, "the app's pools held no connection to end"

        statuses = [owner.get(page).status_code for page in pages * 3]
        owner.post("/logout", form_url="/dashboard")
        owner.login(FIRST_OWNER["email"])
        assert max(statuses) < 500, statuses


# --- several practices behind one server --------------------------------------------------


def test_several_practices_behind_one_server_keep_their_owners_and_cookies_apart(
    tmp_path, monkeypatch
):
    from practice.practices import several

    for key in [k for k in __import__("os").environ if k.startswith(("PRACTICE_", "FLASK_"))]:
        monkeypatch.delenv(key)
    folders = {name: tmp_path / name for name in ("north", "south")}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
        # Even one secret key for both: their cookies still never cross.
        (folder / "config.py").write_text('SECRET_KEY = "the same secret everywhere"\n')
    both = several({name: str(folder) for name, folder in folders.items()}, environ={})
    try:
        north = Browser(TwoServers(both))
        assert north.get("/north/").location.endswith("/north/setup")
        assert north.post("/north/setup", FIRST_OWNER).status_code == 302
        assert north.get("/north/dashboard").status_code == 200
        (cookie,) = north.client._cookies.values()
        assert (cookie.key, cookie.path) == ("practice_north", "/north")
        assert (folders["north"] / "practice.sqlite3").exists()

        # The south practice has nobody yet: the north owner is not its owner.
        assert north.get("/south/").location.endswith("/south/setup")
        south = Browser(TwoServers(both))
        assert south.post("/south/setup", {**FIRST_OWNER, "name": "Sam"}).status_code == 302
        # The north owner's cookie, under the south's name and path, opens nothing there.
        thief = Browser(TwoServers(both))
        thief.client.set_cookie("practice_south", cookie.value, path="/south")
        assert thief.get("/south/dashboard").location.startswith("/south/login")
        assert north.get("/south/dashboard").location.startswith("/south/login")
        assert north.get("/north/dashboard").status_code == 200
        assert get_status(both, "/elsewhere") == 404
    finally:
        for app in both.mounts.values():
            with app.app_context():
                app.extensions["practice"].db.engine.dispose()


def get_status(wsgi, path: str) -> int:
    return Client(wsgi).get(path).status_code


def test_several_practices_refuse_one_database_for_all():
    from practice.practices import several

    with pytest.raises(startup.StartupError, match="in each practice's instance folder"):
        several({"north": "/srv/north"}, environ={"PRACTICE_DATABASE_URL": "sqlite://"})
