"""What the standalone app keeps on disk is its owner's alone: the instance folder 0700; the
SQLite database with its -wal and -shm files, the keys, the secret key and backups 0600.
Under the usual umask (022) the database was created 0644 in a 0755 folder: any local user
could read e-mails, password hashes and the audit log."""

import os
import stat

import pytest

from practice import create_app
from practice.encryption import keyring
from tests.helpers.database import close_practice_database
from tests.helpers.people import FIRST_OWNER, Browser

PRIVATE = ["practice.sqlite3", "practice.sqlite3-wal", "practice.sqlite3-shm"]
PRIVATE += ["secret_key", "encryption_keys", "backup.sqlite3"]


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(instance) -> dict[str, int]:
    return {"instance": mode(instance), **{name: mode(instance / name) for name in PRIVATE}}


EXPECTED = {"instance": 0o700, **dict.fromkeys(PRIVATE, 0o600)}


@pytest.fixture
def usual_umask():
    before = os.umask(0o022)
    yield
    os.umask(before)


def _first_run(instance):
    app = create_app({"PRACTICE_INSTANCE_PATH": str(instance), "TESTING": True})
    keyring(app)  # the keys file, made on first use
    return app


def test_a_first_run_keeps_every_file_to_its_owner(tmp_path, usual_umask):
    instance = tmp_path / "instance"
    app = _first_run(instance)
    try:
        response = Browser(app).post(
            "/setup",
            FIRST_OWNER,
        )
        assert response.status_code == 302
        result = app.test_cli_runner().invoke(
            args=["backup", "--out", str(instance / "backup.sqlite3")]
        )
        assert result.exit_code == 0, result.output
        assert modes(instance) == EXPECTED
    finally:
        close_practice_database(app)

    # An install an older version made readable to everyone is tightened at the next start
    # (the -wal and -shm files went with the last connection; they come back 0600).
    instance.chmod(0o755)
    for path in instance.iterdir():
        path.chmod(0o644)
    again = create_app({"PRACTICE_INSTANCE_PATH": str(instance), "TESTING": True})
    try:
        keyring(again)
        assert Browser(again).login("olive@example.org")
        assert modes(instance) == {**EXPECTED, "backup.sqlite3": 0o644}, "backups are the owner's"
    finally:
        close_practice_database(again)
