"""What /password/forgot costs for an e-mail with an account and for one without.

    python bench/forgot_bench.py [--rounds 200]

Builds the test suite's world in a temporary SQLite database with mail going to a real
local SMTP server (aiosmtpd), then times POST /password/forgot for a known and an unknown
e-mail, alternating, and prints the median and 90th percentile of each, and the gap. The
reset throttle is raised so every request does its full work. A gap the size of an SMTP
conversation tells an attacker which e-mails have an account.
"""

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from practice.db import commit  # noqa: E402
from practice.models import Base  # noqa: E402
from practice.programs.loader import load_founding_program  # noqa: E402
from tests.helpers.database import make_app  # noqa: E402
from tests.helpers.people import CSRF, build_world  # noqa: E402


class Sink:
    received = 0

    async def handle_DATA(self, _server, _session, _envelope):  # noqa: N802
        Sink.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = make_app(
            url,
            Path(folder),
            PRACTICE_MAIL_SERVER="127.0.0.1",
            PRACTICE_MAIL_PORT=port,
            PRACTICE_BASE_URL="https://practice.example.org",
            PRACTICE_MAIL_BACKGROUND=False,
            PRACTICE_RESET_LIMIT_ACCOUNT=10**9,
            PRACTICE_RESET_LIMIT_ADDRESS=10**9,
        )
        with app.app_context():
            load_founding_program()
            commit()
        world = build_world(app)
        client = app.test_client()
        page = client.get("/password/forgot").get_data(as_text=True)
        match = CSRF.search(page)
        token = match.group(1) or match.group(2)
        times = {"known": [], "unknown": []}
        for n in range(rounds + 20):
            for kind, email in (("known", world.alice), ("unknown", "nobody@example.org")):
                start = time.perf_counter()
                response = client.post(
                    "/password/forgot", data={"email": email, "csrf_token": token}
                )
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 302, response.status_code
                if n >= 20:  # after warming up
                    times[kind].append(elapsed)
    controller.stop()
    print(f"POST /password/forgot, {rounds} rounds each, SQLite, local SMTP server:")
    for kind, values in times.items():
        values.sort()
        p90 = values[int(len(values) * 0.9)]
        print(f"  {kind:8} median {statistics.median(values):6.2f} ms   p90 {p90:6.2f} ms")
    gap = statistics.median(times["known"]) - statistics.median(times["unknown"])
    print(f"  gap      {gap:6.2f} ms (known minus unknown, medians)")
    print(f"  mails the SMTP server received during the requests: {Sink.received}")


if __name__ == "__main__":
    main()
