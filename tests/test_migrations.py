"""Practice's Alembic migrations, run the way the app runs them, build exactly the models.

Every test starts from an EMPTY database (never the conftest fixtures, which use
create_all): a fresh SQLite file, and, with PRACTICE_TEST_POSTGRES_URL set, a fresh
PostgreSQL schema made for the test and dropped afterwards.
"""

import json
import os
import pprint
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from practice import create_app, paths
from practice.models import Base
from practice.setup import alembic_config, upgrade_database
from tests.helpers.database import fresh_postgres_schema

POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
VERSION_TABLE = "practice_alembic_version"


def include_name(name, type_, _parent_names):
    """What migrations/env.py looks at: Practice's own tables, never its version table."""
    if type_ == "table":
        return name is not None and name.startswith("practice_") and name != VERSION_TABLE
    return True


def schema_diff(engine, include=include_name) -> list:
    """Differences between the database and the models, compared as migrations/env.py does."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include, "compare_type": True}
        )
        return compare_metadata(context, Base.metadata)


def head_revision() -> str:
    return ScriptDirectory(str(paths.MIGRATIONS_DIR)).get_current_head()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/empty.sqlite3"


@contextmanager
def practice_app(url, tmp_path):
    """The standalone app on ``url``, not set up: the test runs the migrations itself."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PRACTICE_AUTO_SETUP": False,
            "PRACTICE_DATABASE_URL": url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    try:
        with app.app_context():
            yield app, app.extensions["practice"].db.engine
    finally:
        with app.app_context():
            app.extensions["practice"].db.session.remove()
            app.extensions["practice"].db.engine.dispose()


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def practice_versions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM practice_alembic_version")))


def triggers(engine) -> dict[str, str]:
    """The database's triggers on Practice's tables, by name, as the database states them."""
    if engine.dialect.name == "sqlite":
        query = "SELECT name, sql, '' FROM sqlite_master WHERE type = 'trigger'"
    else:
        # This schema's own, named without the schema (each test has a schema of its own).
        query = (
            "SELECT tgname, pg_get_triggerdef(t.oid), current_schema() || '.' FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
            "AND c.relnamespace = current_schema()::regnamespace"
        )
    with engine.connect() as connection:
        rows = connection.execute(text(query))
        return {name: " ".join(sql.replace(schema, "", 1).split()) for name, sql, schema in rows}


@contextmanager
def empty_like(engine, tmp_path):
    """Another empty database of the same kind as ``engine``'s: its URL."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path}/other.sqlite3"
    else:
        with fresh_postgres_schema() as url:
            yield url


def test_auto_setup_is_off_so_the_database_starts_empty(empty_url, tmp_path):
    # Guards the other tests: the app must not have created anything on its own.
    with practice_app(empty_url, tmp_path) as (_app, engine):
        assert table_names(engine) == set()


def test_upgrading_an_empty_database_gives_exactly_the_models(empty_url, tmp_path):
    with practice_app(empty_url, tmp_path) as (_app, engine):
        upgrade_database()

        diff = schema_diff(engine)
        assert diff == [], "migrations and models differ:\n" + pprint.pformat(diff)
        model_tables = set(Base.metadata.tables)
        assert table_names(engine) == model_tables | {VERSION_TABLE}
        assert practice_versions(engine) == [head_revision()]

        # The triggers too (the audit log's append-only ones): the same as create_all's.
        with empty_like(engine, tmp_path) as other_url:
            other = create_engine(other_url)
            with other.begin() as connection:
                Base.metadata.create_all(connection)
            made = triggers(other)
            other.dispose()
        assert "practice_audit_no_update" in made or "practice_audit_no_change" in made
        assert triggers(engine) == made


def test_the_comparison_would_notice_a_missing_table(sqlite_url, tmp_path):
    # The check above is only worth something if a schema that lags the models fails it.
    with practice_app(sqlite_url, tmp_path) as (_app, engine):
        upgrade_database()
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE practice_session_reflections"))

        diff = schema_diff(engine)
        assert [(d[0], d[1].name) for d in diff] == [("add_table", "practice_session_reflections")]


def test_upgrading_twice_changes_nothing(sqlite_url, tmp_path):
    with practice_app(sqlite_url, tmp_path) as (_app, engine):
        upgrade_database()
        upgrade_database()

        assert practice_versions(engine) == [head_revision()]
        assert schema_diff(engine) == []


def test_downgrade_to_base_then_upgrade_again(sqlite_url, tmp_path):
    with practice_app(sqlite_url, tmp_path) as (_app, engine):
        upgrade_database()

        command.downgrade(alembic_config(), "base")
        left = table_names(engine)
        assert left <= {VERSION_TABLE}, f"downgrade left tables behind: {sorted(left)}"
        if left:
            assert practice_versions(engine) == []

        upgrade_database()
        diff = schema_diff(engine)
        assert diff == [], "after downgrade and upgrade:\n" + pprint.pformat(diff)
        assert practice_versions(engine) == [head_revision()]


def test_host_tables_and_alembic_history_are_left_alone(empty_url, tmp_path):
    with practice_app(empty_url, tmp_path) as (_app, engine):
        # A host app sharing the database, with its own table and its own Alembic history.
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE host_notes (id INTEGER PRIMARY KEY, body VARCHAR(50) NOT NULL)")
            )
            connection.execute(text("INSERT INTO host_notes (id, body) VALUES (1, 'keep me')"))
            connection.execute(
                text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
            )
            connection.execute(text("INSERT INTO alembic_version VALUES ('hostrev0001')"))

        upgrade_database()

        tables = table_names(engine)
        assert VERSION_TABLE in tables
        assert {"host_notes", "alembic_version"} <= tables
        assert practice_versions(engine) == [head_revision()]
        with engine.connect() as connection:
            assert list(connection.execute(text("SELECT id, body FROM host_notes"))) == [
                (1, "keep me")
            ]
            host_history = connection.scalars(text("SELECT version_num FROM alembic_version"))
            assert list(host_history) == ["hostrev0001"]
        host_columns = {c["name"] for c in inspect(engine).get_columns("host_notes")}
        assert host_columns == {"id", "body"}

        diff = schema_diff(engine)
        assert diff == [], "host tables leaked into the comparison:\n" + pprint.pformat(diff)
        # Without the filter the host's table does show up: the filter is what hides it.
        # (Alembic itself always skips a table named alembic_version when comparing.)
        unfiltered = {
            d[1].name for d in schema_diff(engine, include=None) if d[0] == "remove_table"
        }
        assert {"host_notes", VERSION_TABLE} <= unfiltered


def test_session_notes_written_before_note_formats_keep_their_words(empty_url, tmp_path):
    """Upgrading moves an old note's text into sections["note"]; downgrading moves it back."""
    with practice_app(empty_url, tmp_path) as (_app, engine):
        upgrade_database("fb0e2b934351")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO practice_users (id, email, name, role, credentials, timezone, "
                "disabled, created_at) VALUES (1, 'a@example.org', 'A', 'owner', '', 'UTC', "
                "false, '2026-01-01')",
                "INSERT INTO practice_programs (id, slug, name, description, version, roles, "
                "created_at, updated_at) VALUES (1, 'p', 'P', '', 1, '[]', '2026-01-01', "
                "'2026-01-01')",
                "INSERT INTO practice_couples (id, name, practitioner_id, program_id, "
                "current_step, created_at) VALUES (1, 'C', 1, 1, 1, '2026-01-01')",
                "INSERT INTO practice_session_notes (id, couple_id, practitioner_id, starts_at, "
                "duration_minutes, note, created_at, updated_at) VALUES (1, 1, 1, "
                "'2026-01-01', 50, 'Words from before formats', '2026-01-01', '2026-01-01')",
            ):
                connection.execute(text(statement))
        upgrade_database("4f9061f9a9ba")
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT kind, note_format, sections, version FROM practice_session_notes")
            ).one()
        sections = row.sections if isinstance(row.sections, dict) else json.loads(row.sections)
        assert (row.kind, row.note_format, sections, row.version) == (
            "joint",
            "free",
            {"note": "Words from before formats"},
            1,
        )
        # The next revision encrypts what was written before it; the app reads it the same.
        upgrade_database()
        with engine.connect() as connection:
            stored = connection.scalar(text("SELECT sections FROM practice_session_notes"))
        assert "Words from before formats" not in stored
        from practice.models import SessionNote

        with _app.app_context():
            db = _app.extensions["practice"].db
            assert db.session.get(SessionNote, 1).sections == {"note": "Words from before formats"}
            db.session.remove()
        command.downgrade(alembic_config(), "fb0e2b934351")
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT note FROM practice_session_notes")) == (
                "Words from before formats"
            )


# The oldest revision a database may have been made at and still upgrade: the first one on
# main. Databases made before the history was rewritten (e.g. at ba155b5d039e) are not.
OLDEST_SUPPORTED = "fb0e2b934351"


def test_main_has_one_head_and_every_revision_descends_from_the_oldest_supported():
    script = ScriptDirectory(str(paths.MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert list(script.get_bases()) == [OLDEST_SUPPORTED]
    chain = [r.revision for r in script.walk_revisions("base", "heads")]
    assert chain[-1] == OLDEST_SUPPORTED
    assert len(chain) == len(set(chain)) == len(list(script.walk_revisions()))


def test_a_database_made_at_the_oldest_supported_revision_upgrades_with_its_data(
    empty_url, tmp_path
):
    """A practice with a couple, an assignment, a submitted reflection and its feedback,
    written at the first revision, reads the same through today's models after upgrading."""
    rows = (
        "INSERT INTO practice_users (id, email, name, role, credentials, timezone, disabled, "
        "created_at) VALUES (1, 'p@example.org', 'Pat', 'practitioner', '', 'UTC', false, :day)",
        "INSERT INTO practice_users (id, email, name, role, credentials, timezone, disabled, "
        "created_at) VALUES (2, 'r@example.org', 'Riley', 'client', '', 'UTC', false, :day)",
        "INSERT INTO practice_users (id, email, name, role, credentials, timezone, disabled, "
        "created_at) VALUES (3, 'h@example.org', 'Harper', 'client', '', 'UTC', false, :day)",
        "INSERT INTO practice_programs (id, slug, name, description, version, roles, "
        "created_at, updated_at) VALUES (1, 'p', 'P', '', 1, "
        '\'[{"key": "recovering", "label": "Recovering"}, {"key": "hurt", "label": "Hurt"}]\', '
        ":day, :day)",
        "INSERT INTO practice_couples (id, name, practitioner_id, program_id, current_step, "
        "created_at) VALUES (1, 'Riley & Harper', 1, 1, 1, :day)",
        "INSERT INTO practice_partners (id, couple_id, user_id, program_role) "
        "VALUES (1, 1, 2, 'recovering')",
        "INSERT INTO practice_partners (id, couple_id, user_id, program_role) "
        "VALUES (2, 1, 3, 'hurt')",
        "INSERT INTO practice_assignments (id, couple_id, assigned_by_id, step_position, "
        "step_title, title, instructions, prompts, ratings, audience, note, repeat, starts_on, "
        "status, created_at) VALUES (1, 1, 1, 1, 'Transparency', 'A first exercise', "
        "'Write.', '[\"What happened?\"]', '[]', 'both', 'Take your time', 'once', "
        ":on, 'active', :day)",
        "INSERT INTO practice_reflections (id, assignment_id, author_id, occurrence, answers, "
        "ratings, status, shared_with_partner, mentions_risk, risk_terms, flagged_for_session, "
        "created_at, updated_at, submitted_at) VALUES (1, 1, 1, "
        ":on, '[\"Words written long ago\"]', '{}', 'submitted', true, false, '[]', "
        "false, :day, :day, :day)",
        "INSERT INTO practice_feedback (id, reflection_id, author_id, body, created_at) "
        "VALUES (1, 1, 1, 'Feedback from then', :day)",
    )
    with practice_app(empty_url, tmp_path) as (app, engine):
        upgrade_database(OLDEST_SUPPORTED)
        with engine.begin() as connection:
            for statement in rows:
                connection.execute(
                    text(statement), {"day": datetime(2026, 1, 1), "on": date(2026, 1, 1)}
                )
        upgrade_database()
        assert practice_versions(engine) == [head_revision()]
        assert schema_diff(engine) == []
        from practice import privacy
        from practice.models import Assignment, Couple, Reflection, User

        db = app.extensions["practice"].db
        reflection = db.session.get(Reflection, 1)
        assert reflection.answers == ["Words written long ago"]
        assert [f.body for f in reflection.feedback] == ["Feedback from then"]
        assert db.session.get(Assignment, 1).note == "Take your time"
        couple = db.session.get(Couple, 1)
        assert [p.user.name for p in couple.partners] == ["Riley", "Harper"]
        harper = db.session.get(User, 3)
        # The rules still hold on old data: shared, so the other partner reads it.
        assert privacy.may_read(harper, reflection)
        with engine.connect() as connection:
            stored = connection.scalar(text("SELECT answers FROM practice_reflections"))
        assert "Words written long ago" not in stored
        db.session.remove()
