"""A newcomer's first run: instance folder, secret key, database and program, then set-up."""

import os
import stat

from sqlalchemy import func, select

from practice import create_app
from practice.db import session
from practice.models import Program, Step
from tests.helpers.people import FIRST_OWNER, Browser


def _dispose(app):
    with app.app_context():
        app.extensions["practice"].db.session.remove()
        app.extensions["practice"].db.engine.dispose()


def test_first_run_creates_everything_and_asks_for_the_owner(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(instance))
    for key in [k for k in os.environ if k.startswith("PRACTICE_") and "INSTANCE" not in k]:
        monkeypatch.delenv(key)
    app = create_app()
    try:
        key_file = instance / "secret_key"
        assert key_file.exists() and len(key_file.read_text()) == 64
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert app.config["SECRET_KEY"] == key_file.read_text()
        assert (instance / "practice.sqlite3").exists()
        with app.app_context():
            program = session.scalar(select(Program).order_by(Program.id))
            assert program.slug == "rebuilding-trust"
            steps = select(func.count(Step.id)).where(Step.program_id == program.id)
            assert session.scalar(steps) == 7
            # The founding program's second edition and the second program load with it.
            assert session.scalar(select(func.count(Program.id))) == 3

        visitor = Browser(app)
        assert visitor.get("/").location.endswith("/setup")
        assert visitor.get("/login").location.endswith("/setup")
        response = visitor.post(
            "/setup",
            FIRST_OWNER,
        )
        assert response.location.endswith("/dashboard")
        assert Browser(app).get("/").location.endswith("/login")
        assert Browser(app).get("/setup").status_code == 404
    finally:
        _dispose(app)

    # A restart keeps the same key and data, and loads nothing twice.
    again = create_app()
    try:
        assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]
        with again.app_context():
            assert session.scalar(select(func.count(Program.id))) == 3
        Browser(again).login("olive@example.org")
    finally:
        _dispose(again)


def test_two_instances_get_different_secret_keys(tmp_path, monkeypatch):
    keys = []
    for name in ("one", "two"):
        monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path / name))
        app = create_app()
        keys.append(app.config["SECRET_KEY"])
        _dispose(app)
    assert keys[0] != keys[1]


def test_unknown_address_shows_the_practice_not_found_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "This page is not here" in response.get_data(as_text=True)


def test_a_crash_rolls_back_and_shows_a_calm_page(app):
    from sqlalchemy import func, select

    from practice.models import PracticeProfile

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/crash")
    def crash():
        session.add(PracticeProfile(name="half-done"))
        session.flush()
        raise RuntimeError("boom")

    response = app.test_client().get("/crash")
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(func.count(PracticeProfile.id))) == 0


def test_pages_forbid_inline_script_and_framing_and_are_never_cached(world, browser):
    alice = browser().login(world.alice)
    page = alice.get("/dashboard")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    stylesheet = alice.get("/assets/practice.css")
    assert stylesheet.headers.get("Cache-Control") != "no-store", "our own CSS may be cached"
    stylesheet.close()
