"""Mounted in a host, Practice behaves as it does standalone: its PRACTICE_* settings from
the environment, its proxies, its Secure cookie on HTTPS, its own answer to a stale form,
and any order of set-up."""

import pytest
from flask import request
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from practice import Practice
from practice.forms import CSRF_MESSAGE
from practice.setup import prepare_database
from practice.signin import MISMATCH
from tests.helpers.harbour import Visitor, harbour_app
from tests.helpers.host import host_app
from tests.helpers.people import assign_exercises, build_world

FETCH = {"X-Requested-With": "fetch"}


def dispose(app) -> None:
    with app.app_context():
        app.extensions["practice"].db.engine.dispose()


def test_settings_come_from_practice_variables_and_https_makes_the_cookie_secure(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("PRACTICE_HTTPS", "true")
    monkeypatch.setenv("PRACTICE_NAME", "Harbour Couples Work")
    app = harbour_app(tmp_path)
    try:
        response = app.test_client().get("/practice/setup")
        assert response.status_code == 200
        assert "Secure" in response.headers["Set-Cookie"]
        assert "HttpOnly" in response.headers["Set-Cookie"]
        assert "Strict-Transport-Security" in response.headers
        assert app.config["PRACTICE_NAME"] == "Harbour Couples Work"
    finally:
        dispose(app)


def test_behind_a_proxy_the_throttle_counts_each_clients_own_address(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICE_PROXIES", "1")
    monkeypatch.setenv("PRACTICE_LOGIN_LIMIT_ADDRESS", "2")
    app = harbour_app(tmp_path)

    @app.get("/address")
    def address():
        return request.remote_addr

    try:
        build_world(app)

        def sign_in_from(address: str, email: str) -> str:
            visitor = Visitor(app)
            forwarded = {"X-Forwarded-For": address}
            token = visitor.token("/practice/login")
            return visitor.client.post(
                "/practice/login",
                data={"email": email, "password": "not the password", "csrf_token": token},
                headers=forwarded,
            ).get_data(as_text=True)

        for email in ("a@example.org", "b@example.org"):
            assert MISMATCH in sign_in_from("203.0.113.5", email)
        assert "Too many attempts" in sign_in_from("203.0.113.5", "c@example.org")
        assert MISMATCH in sign_in_from("198.51.100.7", "d@example.org"), "another client"
        # The host's own pages keep the address the host's set-up gives them.
        response = app.test_client().get("/address", headers={"X-Forwarded-For": "203.0.113.5"})
        assert response.get_data(as_text=True) == "127.0.0.1"
    finally:
        dispose(app)


@pytest.fixture
def harbour_world(tmp_path):
    app = harbour_app(tmp_path)
    world = build_world(app)
    yield app, world
    dispose(app)


def test_a_stale_form_under_the_hosts_csrf_is_shown_again_with_what_was_typed(harbour_world):
    app, world = harbour_world
    visitor = Visitor(app)
    response = visitor.client.post(
        "/practice/login",
        data={"email": "riley@example.org", "password": "whatever", "csrf_token": "stale"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page
    assert 'value="riley@example.org"' in page
    # The host's own forms are still the host's CSRFProtect's.
    response = visitor.client.post(
        "/login", data={"email": "x@example.org", "password": "y", "csrf_token": "stale"}
    )
    assert response.status_code == 400


def test_an_autosave_with_a_stale_token_gets_a_fresh_one_and_saves_with_it(harbour_world):
    app, world = harbour_world
    [assignment_id] = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    url = f"/practice/my/assignments/{assignment_id}"
    riley = Visitor(app).login(world.recovering)
    answers = {"answer_0": "Sundays.", "answer_1": "", "answer_2": "", "action": "save"}
    response = riley.client.post(url, data={**answers, "csrf_token": "stale"}, headers=FETCH)
    assert response.status_code == 422
    fresh = response.json["csrf_token"]
    response = riley.client.post(url, data={**answers, "csrf_token": fresh}, headers=FETCH)
    assert response.status_code == 200 and response.json["saved"]
    assert "Sundays." in riley.text(url)


@pytest.mark.parametrize("practice_first", [True, False], ids=["practice-first", "host-first"])
def test_practice_joins_the_hosts_database_and_csrf_in_either_order(tmp_path, practice_first):
    host_file = tmp_path / "host.sqlite3"
    with host_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{host_file}") as host:
        host_db, csrf = SQLAlchemy(), CSRFProtect()
        if practice_first:
            Practice(host, url_prefix="/practice")
        host_db.init_app(host)
        csrf.init_app(host)
        if not practice_first:
            Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
            assert host.extensions["practice"].db is host_db
        assert not (tmp_path / "host-instance" / "practice.sqlite3").exists()

        response = host.test_client().post(
            "/practice/setup", data={"name": "Olive", "csrf_token": "stale"}
        )
        assert response.status_code == 200
        assert CSRF_MESSAGE in response.get_data(as_text=True)
