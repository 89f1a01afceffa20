"""A host's own migrations beside Practice's, in one database: the host's ``flask db migrate``
and ``flask db check`` see nothing of Practice's tables (examples/host, run as its own
``flask`` command, on SQLite and PostgreSQL)."""

import shutil

from sqlalchemy import create_engine, inspect

from tests.helpers.harbour import EXAMPLE, run_flask


def test_the_hosts_autogenerate_and_check_see_nothing_of_practice(empty_url, tmp_path):
    # The host's migrations, copied: a migrate that did find something writes a file there.
    migrations = tmp_path / "migrations"
    shutil.copytree(
        EXAMPLE / "migrations", migrations, ignore=shutil.ignore_patterns("__pycache__")
    )
    before = sorted(p.name for p in (migrations / "versions").glob("*.py"))

    def flask(*args):
        done = run_flask(*args, database_url=empty_url, instance=tmp_path / "instance")
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    flask("db", "upgrade", "-d", str(migrations))
    flask("practice", "upgrade-db")
    engine = create_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"members", "alembic_version"} <= tables
    assert {"practice_users", "practice_sign_ins", "practice_alembic_version"} <= tables

    output = flask("db", "migrate", "-d", str(migrations), "-m", "after mounting Practice")
    assert "No changes in schema detected" in output
    assert "practice_" not in output
    assert sorted(p.name for p in (migrations / "versions").glob("*.py")) == before
    assert "No new upgrade operations detected" in flask("db", "check", "-d", str(migrations))
