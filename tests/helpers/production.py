"""Practice as an operator runs it: real gunicorn, real processes, empty databases.

Shared by tests/test_production.py and the bench scripts (bench/boot_bench.py)."""

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parent.parent.parent
POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
# The first migration on main: an upgrade from a database made there is the longest one.
FIRST_REVISION = "fb0e2b934351"


def clean_environment(**settings) -> dict:
    """This process's environment without any PRACTICE_ or FLASK_ setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update({k: str(v) for k, v in settings.items()})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def empty_database(backend: str, folder: Path):
    """The URL of a database with nothing in it: a new SQLite file's, or a new PostgreSQL
    schema's (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'empty.sqlite3'}"
        return
    admin = create_engine(POSTGRES_URL)
    schema = f"practice_empty_{secrets.token_hex(5)}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py practice.wsgi:app`` as the README says, on a free port;
    its log (gunicorn's and Practice's lines) in ``log``."""

    def __init__(self, folder: Path, workers: int = 4, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"gunicorn-{self.port}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(REPO / "gunicorn.conf.py"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "practice.wsgi:app",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=REPO, env=clean_environment(**settings), stdout=log, stderr=log
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_until_ready(self, deadline: float = 90) -> bool:
        """Poll /healthz until it answers 200 (True), or the server exits or the deadline
        passes (False). A wait for readiness, not a measure of speed."""
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                return False
            try:
                if get(self.url + "/healthz", timeout=5)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()


def booted_workers(log: str) -> int:
    return log.count("Booting worker with pid")


def upgrades(log: str) -> int:
    """How many processes brought the database up to date (Practice logs it once each)."""
    return log.count("Practice's database was brought up to date")


def database_at_revision(instance: Path, revision: str) -> None:
    """An instance whose embedded database stands at an older revision, as an earlier
    version of Practice left it (run in a process of its own, like that version was)."""
    script = (
        "import sys\n"
        "from practice.app import create_app\n"
        "from practice.setup import upgrade_database\n"
        "app = create_app({'PRACTICE_INSTANCE_PATH': sys.argv[1], 'PRACTICE_AUTO_SETUP': False,"
        " 'SECRET_KEY': 'made-by-an-older-version'})\n"
        "with app.app_context():\n"
        "    upgrade_database(sys.argv[2])\n"
    )
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", script, str(instance), revision],
        cwd=REPO,
        env=clean_environment(),
        check=True,
        capture_output=True,
    )


def start_together(tmp_path: Path, count: int, script: str, **settings) -> list[dict]:
    """Run ``script`` in ``count`` processes that wait for each other, then go at once."""
    go = tmp_path / "go"
    processes, ready = [], []
    for number in range(count):
        ready.append(tmp_path / f"ready-{number}")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", script, str(ready[-1]), str(go)],
                cwd=REPO,
                env=clean_environment(**settings),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    while not all(path.exists() for path in ready):
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        threading.Event().wait(0.01)
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


# Makes the secret key and the encryption keys file, as every worker does at start-up.
KEY_MAKER = """
import json, sys, time
from pathlib import Path
from practice import startup
from practice.encryption.keys import Keyring

ready, go = Path(sys.argv[1]), Path(sys.argv[2])
instance = ready.parent / "instance"
ready.touch()
while not go.exists():
    time.sleep(0.001)
secret = startup.secret_key(instance / "secret_key")
keys = Keyring.from_file(instance / "encryption_keys").keys
print(json.dumps({"secret": secret, "keys": [k.decode() for k in keys]}))
"""
