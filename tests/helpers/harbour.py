"""The example host app, examples/host (Harbour Clinic), for the tests that mount Practice in
it: made in this process, or run as its own ``flask`` command."""

import os
import subprocess
import sys
from pathlib import Path

import practice
from tests.helpers.people import PASSWORD, Browser

ROOT = Path(practice.__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "host"
SECRET = "harbour-test-secret"


def harbour():
    """The example's package, importable as a host's would be."""
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    import harbour

    return harbour


def harbour_app(tmp_path: Path, database_url: str | None = None, **config):
    """Harbour on a database of its own in ``tmp_path``, with its members' table and
    Practice's tables and founding program in it (made from the models, as the test
    templates are; the migrations are tested by running them)."""
    from practice.db import commit
    from practice.models import Base
    from practice.programs.loader import load_founding_program

    app = harbour().create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": str(tmp_path / "harbour-instance"),
            "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'harbour.db'}",
            "PRACTICE_MAIL_BACKGROUND": False,
            **config,
        }
    )
    with app.app_context():
        database = app.extensions["sqlalchemy"]
        database.create_all()
        Base.metadata.create_all(database.engine)
        load_founding_program()
        commit()
    return app


def add_member(app, email: str, name: str, password: str = PASSWORD) -> None:
    from harbour.models import Member, db

    with app.app_context():
        member = Member(email=email, name=name)
        member.set_password(password)
        db.session.add(member)
        db.session.commit()


class Visitor(Browser):
    """One browser on Harbour: its own sign-in, and Practice's under /practice."""

    def login(self, email, password=PASSWORD):
        """Practice's own sign-in form."""
        response = self.post("/practice/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def harbour_login(self, email, password=PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def harbour_logout(self):
        return self.post("/logout", form_url="/members")


def run_flask(*args: str, database_url: str, instance: Path) -> subprocess.CompletedProcess:
    """``flask --app harbour ARGS`` in the example's folder, as its developer runs it."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)]),
        "HARBOUR_SECRET_KEY": SECRET,
        "HARBOUR_SQLALCHEMY_DATABASE_URI": database_url,
        "HARBOUR_INSTANCE_PATH": str(instance),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "harbour", *args],
        cwd=EXAMPLE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
