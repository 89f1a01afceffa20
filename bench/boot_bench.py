"""Repeated production start-ups (issue 14): how many boot cleanly, and how many migrate.

    python bench/boot_bench.py [--runs 5] [--workers 4]

Each run starts `gunicorn -c gunicorn.conf.py -w N practice.wsgi:app` (the README's
command) on a fresh instance, and counts it OK when every worker booted, /healthz answers
200, exactly one process migrated and the log holds no traceback:
- on an empty SQLite instance;
- after an upgrade (an instance left at the first revision by an older version);
- on an empty PostgreSQL schema with PRACTICE_AUTO_SETUP=true (PRACTICE_TEST_POSTGRES_URL);
and then starts 8 processes at once on an empty instance folder, counting runs where they
all got one and the same non-empty secret key and encryption key. Prints counts, no times.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.production import (  # noqa: E402
    FIRST_REVISION,
    KEY_MAKER,
    POSTGRES_URL,
    Gunicorn,
    booted_workers,
    database_at_revision,
    empty_database,
    get,
    start_together,
    upgrades,
)


def boot(folder: Path, workers: int, **settings) -> tuple[bool, str]:
    with Gunicorn(folder, workers=workers, **settings) as server:
        ready = server.wait_until_ready()
        served = ready and all(get(server.url + "/healthz")[0] == 200 for _ in range(8))
        server.stop()
        log = server.log
    problems = []
    if not served:
        problems.append("not serving")
    if booted_workers(log) != workers:
        problems.append(f"{booted_workers(log)} workers booted")
    if upgrades(log) != 1:
        problems.append(f"{upgrades(log)} processes migrated")
    if "Traceback" in log:
        problems.append("traceback: " + log[log.index("Traceback") :][:300].replace("\n", " | "))
    return not problems, "; ".join(problems)


def empty_sqlite(folder: Path, workers: int):
    return boot(folder, workers, PRACTICE_INSTANCE_PATH=folder / "instance")


def after_upgrade(folder: Path, workers: int):
    database_at_revision(folder / "instance", FIRST_REVISION)
    return boot(folder, workers, PRACTICE_INSTANCE_PATH=folder / "instance")


def empty_postgres(folder: Path, workers: int):
    with empty_database("postgres", folder) as url:
        return boot(
            folder,
            workers,
            PRACTICE_INSTANCE_PATH=folder / "instance",
            PRACTICE_DATABASE_URL=url,
            PRACTICE_AUTO_SETUP="true",
        )


def key_files(folder: Path, _workers: int):
    (folder / "instance").mkdir(mode=0o700)
    results = start_together(folder, 8, KEY_MAKER)
    secrets = {r["secret"] for r in results}
    keys = {tuple(r["keys"]) for r in results}
    ok = len(secrets) == 1 and "" not in secrets and len(keys) == 1
    return ok, "" if ok else f"{len(secrets)} secrets, {len(keys)} key sets"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    cases = [
        ("gunicorn, empty SQLite instance", empty_sqlite),
        ("gunicorn, after an upgrade from the first revision", after_upgrade),
        ("8 processes making the secret key and keys at once", key_files),
    ]
    if POSTGRES_URL:
        cases.insert(2, ("gunicorn, empty PostgreSQL schema", empty_postgres))
    for label, case in cases:
        good, notes = 0, []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                ok, note = case(Path(folder), args.workers)
            good += ok
            if note:
                notes.append(note)
        print(f"{label} (-w {args.workers}): {good}/{args.runs} OK, {args.runs - good} failed")
        for note in notes:
            print(f"    {note}")


if __name__ == "__main__":
    main()
