"""How long `flask --app practice seed-load` takes at the size of a real practice.

    python bench/seed_bench.py [--backend sqlite|postgres|both] [--practitioners 50]
                               [--couples 10000] [--reflections 500000]

Each backend gets a fresh database: SQLite a file in a temporary folder; PostgreSQL a schema
of its own in the database at PRACTICE_TEST_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards. The schema comes from
the migrations and the founding program (`upgrade-db`), then seed-load runs as a user runs
it, in a process of its own, with real password hashing. Prints the command's own figure
(from the start of seeding to the commit), the process's wall time, and the database's
size. Targets at full size: under 3 minutes on SQLite, under 5 on PostgreSQL.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "PRACTICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGETS = {"sqlite": 180, "postgres": 300}  # seconds, at 10,000 couples


def flask(args: list[str], url: str, instance: Path) -> tuple[float, str]:
    env = {
        **os.environ,
        "PRACTICE_DATABASE_URL": url,
        "PRACTICE_INSTANCE_PATH": str(instance),
        "FLASK_SECRET_KEY": "seed-bench",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "practice", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return wall, done.stdout


def seed(url: str, instance: Path, sizes: list[str]) -> tuple[float, float, str]:
    flask(["upgrade-db"], url, instance)
    wall, output = flask(["seed-load", *sizes], url, instance)
    figure = float(re.search(r"Seeded in ([\d.]+) s", output).group(1))
    return figure, wall, output


def run_sqlite(sizes: list[str]) -> tuple[float, float, str, str]:
    with tempfile.TemporaryDirectory(prefix="seed-bench-") as folder:
        database = Path(folder) / "practice.sqlite3"
        figure, wall, output = seed(f"sqlite:///{database}", Path(folder) / "instance", sizes)
        size = f"{database.stat().st_size / 1e6:,.0f} MB"
    return figure, wall, output, size


def run_postgres(sizes: list[str]) -> tuple[float, float, str, str]:
    schema = f"seed_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = (
        make_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        with tempfile.TemporaryDirectory(prefix="seed-bench-") as folder:
            figure, wall, output = seed(url, Path(folder) / "instance", sizes)
        with admin.connect() as connection:
            size = connection.scalar(
                text(
                    "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relkind = 'r'"
                ),
                {"schema": schema},
            )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    return figure, wall, output, f"{int(size) / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--practitioners", type=int, default=50)
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--reflections", type=int, default=500_000)
    options = parser.parse_args()
    sizes = [
        "--practitioners",
        str(options.practitioners),
        "--couples",
        str(options.couples),
        "--reflections",
        str(options.reflections),
    ]
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    print(
        f"seed-load: {options.practitioners:,} practitioners, {options.couples:,} couples, "
        f"{options.reflections:,} reflections"
    )
    for backend in backends:
        run = run_sqlite if backend == "sqlite" else run_postgres
        figure, wall, output, size = run(sizes)
        target = TARGETS[backend] * options.couples / 10_000
        verdict = "ok" if figure <= target else "SLOWER THAN TARGET"
        print(f"\n{backend}: {figure:.1f} s seeding, {wall:.1f} s for the whole command")
        print(f"  target {target:.0f} s: {verdict}; database {size}")
        print("\n".join("  | " + line for line in output.splitlines()))


if __name__ == "__main__":
    main()
