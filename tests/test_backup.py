"""`flask --app practice backup --out FILE`: a consistent copy while the app runs."""

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice.db import session
from practice.models import Base, Reflection, SessionNote
from tests.helpers.therapy import ANSWER, NOTE, write_therapy


def database_file(app) -> Path:
    with app.app_context():
        engine = app.extensions["practice"].db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("copies the embedded SQLite database only")
        return Path(engine.url.database)


def counts(connection) -> dict[str, int]:
    return {
        table.name: connection.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]  # noqa: S608
        for table in Base.metadata.sorted_tables
    }


def test_backup_while_another_connection_writes_is_whole_and_consistent(
    new_app,  # noqa: F811 (the fixture imported above)
    app,
    world,
    tmp_path,
):
    ids = write_therapy(app, world)
    source = database_file(app)
    with closing(sqlite3.connect(source)) as reader:
        before = counts(reader)
    stop = threading.Event()
    written = []

    def keep_writing():
        # Another process's connection, committing row after row during the backup.
        writer = sqlite3.connect(source, timeout=30)
        try:
            while not stop.is_set():
                writer.execute(
                    "INSERT INTO practice_profile (name, created_at) VALUES (?, ?)",
                    (f"Practice {len(written)}", "2026-11-23 12:00:00"),
                )
                writer.commit()
                written.append(1)
                # A breath between commits, as a real app's requests have: a writer in a
                # tight loop starves every other writer (the backup's audit entry) of the lock.
                stop.wait(0.002)
        finally:
            writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        out = tmp_path / "copy.sqlite3"
        result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
        during = len(written)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert during > 20  # the writer really was busy while the copy was made

    with closing(sqlite3.connect(out)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = counts(copy)
    # Every row committed before the copy began is there; the rest, up to one moment.
    profiles_before, profiles = before.pop("practice_profile"), after.pop("practice_profile")
    assert profiles_before + 20 <= profiles <= profiles_before + during
    assert after == before
    assert out.stat().st_mode & 0o777 == 0o600

    # With the keys, the copy is the practice as it was: the app reads it as usual.
    restored = new_app(
        f"sqlite:///{out}", Path(app.instance_path).parent, PRACTICE_AUTO_SETUP=False
    )
    with restored.app_context():
        assert session.get(Reflection, ids["reflection"]).answers[0] == ANSWER
        assert session.get(SessionNote, ids["session"]).sections == {"note": NOTE}
        assert session.scalar(select(func.count()).select_from(Reflection)) == 1


def test_backup_reminds_to_keep_the_keys_apart(app, tmp_path):
    database_file(app)
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "useless without the keys" in result.output
    assert str(Path(app.instance_path) / "encryption_keys") in result.output


def test_backup_refuses_to_overwrite_unless_forced(app, world, tmp_path):
    database_file(app)
    out = tmp_path / "precious.sqlite3"
    out.write_bytes(b"yesterday's backup")
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "--force" in result.output
    assert out.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out), "--force"])
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(out)) as copy:
        assert copy.execute("SELECT count(*) FROM practice_users").fetchone()[0] == 7


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing-folder/copy.sqlite3", "does not exist"),
        (".", "is a folder"),
    ],
)
def test_backup_to_a_bad_place_says_why(app, tmp_path, where, message):
    database_file(app)
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / where)])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "missing-folder").exists()


def test_backup_never_writes_over_the_database_itself(app, world):
    source = database_file(app)
    size = source.stat().st_size
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(source), "--force"])
    assert result.exit_code == 1
    assert "the database itself" in result.output
    assert source.stat().st_size == size


def test_backup_on_postgresql_points_to_pg_dump(app, tmp_path):
    with app.app_context():
        if app.extensions["practice"].db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
    out = tmp_path / "copy.dump"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1
    assert "pg_dump -Fc" in result.output
    assert "pg_restore" in result.output
    assert not out.exists()
