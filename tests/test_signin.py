"""Signed-in sessions end: after idle minutes, after an absolute lifetime; cookies stay private."""

import time

import pytest

from practice.signin import LAST_SEEN, SIGNED_IN
from tests.conftest import make_app


def _age(person, key, seconds):
    with person.client.session_transaction() as cookie_session:
        cookie_session[key] = int(time.time()) - seconds


@pytest.mark.parametrize(
    ("who", "idle_minutes"), [("alice", 15), ("recovering", 60)], ids=["practitioner", "client"]
)
def test_idle_sign_in_ends_and_says_why(world, browser, who, idle_minutes):
    person = browser().login(getattr(world, who))
    home = "/dashboard" if who == "alice" else "/my/"
    _age(person, LAST_SEEN, idle_minutes * 60 - 30)
    assert person.get(home).status_code == 200, "still inside the idle limit"
    _age(person, LAST_SEEN, idle_minutes * 60 + 30)
    response = person.get(home)
    assert response.status_code == 302 and "/login?next=" in response.location
    page = person.text("/login")
    assert "You were signed out to keep your information private." in page
    assert person.get(home).status_code == 302, "and stays signed out"


def test_an_autosave_after_idle_log_off_gets_json_so_the_script_keeps_the_text(world, browser):
    riley = browser().login(world.recovering)
    _age(riley, LAST_SEEN, 61 * 60)
    response = riley.client.post(
        "/my/assignments/1", headers={"X-Requested-With": "fetch"}, data={"action": "save"}
    )
    assert response.status_code == 401
    assert response.is_json and "/login" in response.json["login"]


def test_a_sign_in_lasts_at_most_its_lifetime_however_active(world, browser):
    alice = browser().login(world.alice)
    _age(alice, SIGNED_IN, 12 * 3600 + 60)
    assert alice.get("/dashboard").status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_behind_https(database_url, tmp_path, world):
    app = make_app(database_url, tmp_path / "https", PRACTICE_HTTPS=True)
    try:
        assert app.config["SESSION_COOKIE_HTTPONLY"] is True
        assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert app.config["SESSION_COOKIE_SECURE"] is True
    finally:
        with app.app_context():
            app.extensions["practice"].db.engine.dispose()
