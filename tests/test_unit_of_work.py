"""One commit point per request: Practice commits after a successful request and rolls back
after an error or a refused form, standalone and mounted in a host alike; views and
services never commit or roll back themselves."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice import Practice
from practice.db import session
from practice.models import User
from practice.services import PracticeError, accounts
from practice.setup import prepare_database
from tests.helpers.host import Visitor, host_app
from tests.helpers.people import PASSWORD, Browser

ROOT = Path(__file__).resolve().parents[1]
SETUP = {
    "practice_name": "Harbour Couples Therapy",
    "name": "Olive Owner",
    "email": "owner@example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
}


def _people(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(User.id)))


REAL_CREATE_OWNER = accounts.create_owner


def _writes_then(failure):
    """create_owner that writes the owner, flushes, and then fails."""

    def create_owner(*args, **kwargs):
        REAL_CREATE_OWNER(*args, **kwargs)
        session.flush()
        raise failure

    return create_owner


def _refused_then_kept(app, post, monkeypatch):
    monkeypatch.setattr(
        accounts, "create_owner", _writes_then(PracticeError("Refused.", "practice_name"))
    )
    refused = post()
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert "Refused." in page and "Harbour Couples Therapy" in page  # what was typed stays
    assert _people(app) == 0
    monkeypatch.setattr(accounts, "create_owner", _writes_then(RuntimeError("a crash")))
    assert post().status_code == 500
    assert _people(app) == 0
    monkeypatch.undo()
    assert post().status_code == 302
    assert _people(app) == 1


def test_a_refused_form_or_an_error_keeps_nothing_a_success_commits(app, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    visitor = Browser(app)
    _refused_then_kept(app, lambda: visitor.post("/setup", SETUP), monkeypatch)


def test_mounted_in_a_host_the_commit_point_is_the_same(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'host-practice.sqlite3'}"
    with host_app(tmp_path, PRACTICE_DATABASE_URL=url) as host:
        Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
        visitor = Visitor(host)

        def post():
            return visitor.post("/practice/setup", SETUP, form_url="/practice/setup")

        _refused_then_kept(host, post, monkeypatch)


def _calls(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr in names)
            or (isinstance(node.func, ast.Name) and node.func.id in names)
        )
    ]


@pytest.mark.parametrize("where", ["views", "services"])
def test_views_and_services_never_commit_or_roll_back(where):
    if where == "views":
        files = [*ROOT.glob("practice/*/views.py"), *ROOT.glob("practice/*/two_factor.py")]
        files += [ROOT / "practice" / name for name in ("assigning.py", "autosave.py")]
    else:
        files = list(ROOT.glob("practice/services/*.py"))
    assert files
    found = [call for path in files for call in _calls(path, {"commit", "rollback"})]
    assert found == []
