"""Signed-in sessions end: after idle minutes, after an absolute lifetime; cookies stay private."""

import pytest

from tests.helpers.database import make_app
from tests.helpers.people import age_sign_ins


@pytest.mark.parametrize(
    ("who", "idle_minutes"), [("alice", 15), ("recovering", 60)], ids=["practitioner", "client"]
)
def test_idle_sign_in_ends_and_says_why(app, world, browser, who, idle_minutes):
    person = browser().login(getattr(world, who))
    home = "/dashboard" if who == "alice" else "/my/"
    age_sign_ins(app, getattr(world, who), idle=idle_minutes * 60 - 30)
    assert person.get(home).status_code == 200, "still inside the idle limit"
    age_sign_ins(app, getattr(world, who), idle=idle_minutes * 60 + 30)
    response = person.get(home)
    assert response.status_code == 302 and "/login?next=" in response.location
    page = person.text("/login")
    assert "You were signed out to keep your information private." in page
    assert person.get(home).status_code == 302, "and stays signed out"


def test_an_autosave_after_idle_log_off_gets_json_so_the_script_keeps_the_text(app, world, browser):
    riley = browser().login(world.recovering)
    age_sign_ins(app, world.recovering, idle=61 * 60)
    response = riley.client.post(
        "/my/assignments/1", headers={"X-Requested-With": "fetch"}, data={"action": "save"}
    )
    assert response.status_code == 401
    assert response.is_json and "/login" in response.json["login"]


def test_a_sign_in_lasts_at_most_its_lifetime_however_active(app, world, browser):
    alice = browser().login(world.alice)
    age_sign_ins(app, world.alice, lived=12 * 3600 - 60)
    assert alice.get("/dashboard").status_code == 200, "active, and inside its lifetime"
    age_sign_ins(app, world.alice, lived=12 * 3600 + 60)
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


def test_signing_in_and_out_has_one_home():
    """Only practice/signin.py signs people in or out, and it does so without Flask-Login's
    (the host's) machinery; the only Flask-Login sign-out is the host's own, in the adapter
    for a host that signs its people in with it (practice/identity.py). The auth views and
    the two-factor views import signin, never each other."""
    import ast
    from pathlib import Path

    import practice

    package = Path(practice.__file__).parent
    host_adapter = package / "identity.py"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "flask_login"
            for alias in node.names
        }
        allowed = {"current_user", "logout_user"} if path == host_adapter else {"UserMixin"}
        assert names <= allowed, path
        if path.parent.name == "auth" and path.stem != "__init__":
            modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
            others = {f"practice.auth.{p.stem}" for p in path.parent.glob("*.py")} - {
                f"practice.auth.{path.stem}",
                "practice.auth.forms",
            }
            assert not modules & others, f"{path.name} imports another auth view module"
