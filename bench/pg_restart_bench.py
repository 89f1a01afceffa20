"""A real PostgreSQL restart under load (issue 14): no failed request once it is back.

    python bench/pg_restart_bench.py [--seconds 12] [--threads 4]

Starts a PostgreSQL server of its own (initdb in a temporary folder, as the postgres user,
on a free port: the shared server others test on is never touched), serves Practice on it
with `gunicorn -c gunicorn.conf.py -w 2 practice.wsgi:app`, and has a few threads request
pages that read the database (/login, /healthz) without pause. Midway the database is
restarted (`pg_ctl restart -m fast`: every connection ends, as in a failover). Counts the
answers before the restart, while it is down, and after it is back (from the moment
pg_isready answers), once with Practice's pool_pre_ping and once without it
(FLASK_SQLALCHEMY_ENGINE_OPTIONS), so the difference shows. Prints counts, no times.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.production import Gunicorn, free_port, get  # noqa: E402

BIN = Path(sorted(Path("/usr/lib/postgresql").iterdir())[-1]) / "bin"


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)


class OwnPostgres:
    def __init__(self, folder: Path):
        self.data = folder / "pgdata"
        self.data.mkdir()
        shutil.chown(folder, "postgres")
        shutil.chown(self.data, "postgres")
        self.port = free_port()
        as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.options = f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1"
        self.log = folder / "postgres.log"
        self._pg_ctl("start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, action: str, *extra: str) -> None:
        """pg_ctl on this server's data, port and log, waiting until it has done."""
        as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", self.options,
            "-l", str(self.log), *extra, "-w", action,
        )

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


PHASES = ("before", "down", "back after an idle restart", "back after a restart under load")


def run(folder: Path, seconds: float, threads: int, pre_ping: bool) -> dict[str, Counter]:
    database = OwnPostgres(folder)
    settings = {
        "PRACTICE_INSTANCE_PATH": folder / "instance",
        "PRACTICE_DATABASE_URL": database.url,
        "PRACTICE_AUTO_SETUP": "true",
    }
    if not pre_ping:
        settings["FLASK_SQLALCHEMY_ENGINE_OPTIONS"] = '{"pool_pre_ping": false}'
    phase = ["before"]
    counts = {name: Counter() for name in PHASES}
    stop, paused = threading.Event(), threading.Event()

    def load(server: Gunicorn):
        pages = ["/login", "/healthz"]
        turn = 0
        while not stop.is_set():
            if paused.is_set():
                time.sleep(0.01)
                continue
            started = phase[0]
            try:
                status = get(server.url + pages[turn % 2], timeout=10)[0]
            except OSError as error:
                status = type(error).__name__
            # A request that began in one phase and ended in another was in the restart.
            counts[started if phase[0] == started else "down"][status] += 1
            turn += 1

    try:
        with Gunicorn(folder, workers=2, **settings) as server:
            assert server.wait_until_ready(), server.log
            workers = [threading.Thread(target=load, args=(server,)) for _ in range(threads)]
            for worker in workers:
                worker.start()
            time.sleep(seconds / 3)
            # Restarted while no request runs: every pooled connection is dead and none knows.
            paused.set()
            time.sleep(0.5)
            database.restart()  # returns once the server accepts connections again
            phase[0] = PHASES[2]
            paused.clear()
            time.sleep(seconds / 3)
            phase[0] = "down"
            database.restart()
            phase[0] = PHASES[3]
            time.sleep(seconds / 3)
            stop.set()
            for worker in workers:
                worker.join()
    finally:
        database.stop()
    return counts


def failures(counted: Counter) -> int:
    return sum(n for status, n in counted.items() if not (isinstance(status, int) and status < 500))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    for pre_ping in (True, False):
        with tempfile.TemporaryDirectory() as folder:
            counts = run(Path(folder), args.seconds, args.threads, pre_ping)
        label = "with pool_pre_ping (Practice's setting)" if pre_ping else "without pool_pre_ping"
        print(label)
        for name, counted in counts.items():
            answers = ", ".join(f"{status}: {n}" for status, n in sorted(counted.items(), key=str))
            print(
                f"    {name}: {sum(counted.values())} requests, "
                f"{failures(counted)} failed ({answers})"
            )
        failed_back = failures(counts[PHASES[2]]) + failures(counts[PHASES[3]])
        verdict = "ok" if failed_back == 0 else "MISSED"
        if not pre_ping:
            verdict = "(for comparison)"
        print(f"    once back: {failed_back} failed requests {verdict}")


if __name__ == "__main__":
    main()
