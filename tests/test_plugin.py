"""Practice mounted in someone else's Flask app under /practice, used through real forms."""

import re

import pytest
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from practice import Practice, paths
from practice.models import AuditEntry
from practice.setup import prepare_database
from tests.helpers.host import Visitor, host_app

PASSWORD = "a calm walk by the harbour"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
INVITATION_LINK = re.compile(r'value="(https?://[^"]*/practice/invitation/[^"]+)"')


def test_practice_works_mounted_under_a_prefix(tmp_path):
    database_file = tmp_path / "host-practice.sqlite3"
    with host_app(tmp_path, PRACTICE_DATABASE_URL=f"sqlite:///{database_file}") as host:
        Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
        assert database_file.is_file()

        owner = Visitor(host)
        response = owner.get("/practice/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/practice/setup"
        setup_page = owner.get("/practice/setup").get_data(as_text=True)
        assert "Set up your practice" in setup_page
        assert "HOST BASE LAYOUT" not in setup_page
        assert 'href="/practice/assets/practice.css' in setup_page
        with owner.get("/practice/assets/practice.css") as stylesheet:
            assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"

        response = owner.post(
            "/practice/setup",
            {
                "practice_name": "Harbour Couples Therapy",
                "name": "Olive Owner",
                "email": "owner@example.org",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].startswith("/practice/")
        # Setup is a one-time page.
        assert owner.get("/practice/setup").status_code == 404

        response = owner.post(
            "/practice/couples/new",
            {
                "name": "Riley & Harper",
                "first_name": "Riley Recovering",
                "first_email": "riley@example.org",
                "first_role": "recovering",
                "second_name": "Harper Hurt",
                "second_email": "harper@example.org",
                "second_role": "hurt",
                "policy": "no-secrets",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        couple_url = response.headers["Location"]
        assert re.fullmatch(r"/practice/couples/\d+", couple_url), couple_url

        couple_page = owner.get(couple_url).get_data(as_text=True)
        assert "Riley Recovering" in couple_page and "Harper Hurt" in couple_page
        links = INVITATION_LINK.findall(couple_page)
        assert len(links) == 2, f"expected two invitation links on {couple_url}"

        riley = Visitor(host)
        invitation = re.sub(r"^https?://[^/]+", "", links[0])
        assert invitation.startswith("/practice/invitation/")
        response = riley.post(invitation, {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"] == "/practice/my/"
        assert riley.get("/practice/my/").headers["Location"] == "/practice/my/safety/"
        answers = {"afraid": "no", "hurt": "no", "controlled": "no", "safe_together": "yes"}
        response = riley.post("/practice/my/safety/", answers)
        assert response.headers["Location"] == "/practice/my/"
        home = riley.get("/practice/my/")
        assert home.status_code == 200
        assert "Hello, Riley Recovering" in home.get_data(as_text=True)

        # The owner's page now shows Riley as signed up; the link does not work twice.
        assert "signed up" in owner.get(couple_url).get_data(as_text=True)
        assert Visitor(host).get(invitation).status_code == 404

        # The host's own pages are untouched.
        response = host.test_client().get("/")
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "host home"

        result = host.test_cli_runner().invoke(
            args=["practice", "program", "load", str(paths.FOUNDING_PROGRAM)]
        )
        assert result.exit_code == 0, result.output
        assert "unchanged" in result.output


def test_practice_shares_the_hosts_flask_sqlalchemy_database(tmp_path):
    host_file = tmp_path / "host.sqlite3"
    practice_file = tmp_path / "not-used.sqlite3"
    with host_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{host_file}",
        PRACTICE_DATABASE_URL=f"sqlite:///{practice_file}",
    ) as host:
        host_db = SQLAlchemy()
        host_db.init_app(host)
        with host.app_context(), host_db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE host_orders (id INTEGER PRIMARY KEY)"))
            connection.execute(text("INSERT INTO host_orders (id) VALUES (42)"))

        Practice(host, url_prefix="/practice")
        assert host.extensions["practice"].db is host_db
        with host.app_context():
            prepare_database()
            tables = set(inspect(host_db.engine).get_table_names())
            with host_db.engine.connect() as connection:
                orders = list(connection.scalars(text("SELECT id FROM host_orders")))

        assert {"practice_users", "practice_programs", "practice_alembic_version"} <= tables
        assert "host_orders" in tables and orders == [42]
        assert not practice_file.exists(), "Practice opened a database of its own"

        response = host.test_client().get("/practice/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/practice/setup"


# --- SQLAlchemy listeners stay on Practice's own engine and sessions ---------------------


class HostBase(DeclarativeBase):
    """A host's own models, on a metadata that Practice knows nothing of."""


class HostOrder(HostBase):
    __tablename__ = "host_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Names that Practice's audit looks for on its own models: here they mean nothing.
    note: Mapped[str] = mapped_column(String(50))
    signed_at: Mapped[str | None] = mapped_column(String(30))


def practice_session_listeners():
    from practice.models.sessions import _keep_signed_notes_locked
    from practice.services import audit

    return [
        ("before_flush", audit._refuse_changes_to_the_trail),
        ("do_orm_execute", audit._refuse_bulk_changes_to_the_trail),
        ("after_flush", audit._record_changes),
        ("before_flush", _keep_signed_notes_locked),
    ]


def audit_rows(host) -> int:
    with host.app_context():
        database = host.extensions["practice"].db
        return database.session.scalar(select(func.count(AuditEntry.id)))


def host_writes(session) -> None:
    """A host's insert, update and delete, each committed."""
    order = HostOrder(id=7, note="first", signed_at="2026-01-01")
    session.add(order)
    session.commit()
    order.note, order.signed_at = "changed after signing", None
    session.commit()
    session.delete(order)
    session.commit()


def spy_on_audit(monkeypatch) -> list:
    """Every model the audit listener looks at: empty means it never ran."""
    from practice.services import audit

    seen: list = []
    real = audit.audit_spec
    monkeypatch.setattr(audit, "audit_spec", lambda model: seen.append(model) or real(model))
    return seen


def practice_still_guards_its_own_writes(host) -> None:
    """Practice's own writes are audited, its signed notes refuse changes, and its SQLite
    connections check foreign keys."""
    from practice.db import commit
    from practice.models import Couple, SessionNote, SignedNoteLocked, User
    from practice.services import sessions
    from tests.helpers.people import build_world, record_session

    before = audit_rows(host)
    world = build_world(host)
    assert audit_rows(host) > before, "Practice's writes are audited"
    with host.app_context():
        database = host.extensions["practice"].db
        couple = database.session.get(Couple, world.couple_id)
        alice = database.session.scalar(select(User).where(User.email == world.alice))
        note = record_session(couple, alice)
        sessions.sign(note, alice, PASSWORD)
        commit()
        note = database.session.get(SessionNote, note.id)
        note.duration_minutes = 5
        with pytest.raises(SignedNoteLocked):
            database.session.flush()
        database.session.rollback()
        if database.engine.dialect.name == "sqlite":
            assert database.session.scalar(text("PRAGMA foreign_keys")) == 1


def test_a_hosts_own_sqlalchemy_session_runs_none_of_practices_listeners(tmp_path, monkeypatch):
    """The host keeps its own engine and plain Session on another SQLite file."""
    from practice import extension

    host_engine = create_engine(f"sqlite:///{tmp_path / 'host-own.sqlite3'}")
    HostBase.metadata.create_all(host_engine)
    practice_file = tmp_path / "practice.sqlite3"
    with host_app(tmp_path, PRACTICE_DATABASE_URL=f"sqlite:///{practice_file}") as host:
        Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
            practice_db = host.extensions["practice"].db
        for name, listener in practice_session_listeners():
            assert not event.contains(Session, name, listener), "not on every Session"
            assert event.contains(practice_db.session, name, listener), "on Practice's"
        assert not event.contains(Engine, "connect", extension._sqlite_pragmas)

        audited_before = audit_rows(host)
        seen = spy_on_audit(monkeypatch)
        with Session(host_engine) as host_session:
            host_writes(host_session)
            assert host_session.scalar(text("PRAGMA foreign_keys")) == 0, "the host's choice"
        assert seen == [], "the audit listener never looked at the host's writes"
        assert audit_rows(host) == audited_before
        monkeypatch.undo()

        practice_still_guards_its_own_writes(host)
    host_engine.dispose()


def test_on_a_shared_flask_sqlalchemy_practices_listeners_pass_over_the_hosts_models(
    tmp_path,
):
    """Practice on the host's Flask-SQLAlchemy instance: one session class for both, so the
    listeners run for the host's flushes too, and leave every host model alone."""
    host_file = tmp_path / "host.sqlite3"
    with host_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{host_file}") as host:
        host_db = SQLAlchemy()
        host_db.init_app(host)
        Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
            HostBase.metadata.create_all(host_db.engine)
        audited_before = audit_rows(host)
        with host.app_context():
            host_writes(host_db.session)  # no lock error, though it "changes after signing"
        assert audit_rows(host) == audited_before, "the host's rows are not Practice's to audit"
        practice_still_guards_its_own_writes(host)
