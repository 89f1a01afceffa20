"""What encryption at rest costs: per value, per page, and for a whole key rotation.

    python bench/crypto_bench.py [--couples 20] [--rounds 6]

Builds a practice in a temporary SQLite database (the test suite's world, grown the way
tests/test_queries.py grows it), then prints:
- the cost of decrypting one answer-sized value (Fernet, AES-128-CBC + HMAC-SHA256);
- for each busy page: its median time, how many values it decrypted, and the time spent
  decrypting (the page time encryption adds);
- how long `rotate-key` takes over every encrypted value.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from practice.db import commit  # noqa: E402
from practice.encryption import Keyring  # noqa: E402
from practice.models import Base  # noqa: E402
from practice.programs.loader import load_founding_program  # noqa: E402
from tests.helpers.database import make_app  # noqa: E402
from tests.helpers.people import Browser, build_world  # noqa: E402
from tests.test_queries import PAGES, grow  # noqa: E402


def per_value_us(runs: int = 5000) -> tuple[float, float]:
    fernet = Fernet(Fernet.generate_key())
    answer = ("I noticed I wanted to hide my phone again, and told you instead. " * 8).encode()
    token = fernet.encrypt(answer)
    start = time.perf_counter()
    for _ in range(runs):
        fernet.encrypt(answer)
    encrypt = (time.perf_counter() - start) / runs * 1e6
    start = time.perf_counter()
    for _ in range(runs):
        fernet.decrypt(token)
    decrypt = (time.perf_counter() - start) / runs * 1e6
    return encrypt, decrypt


class Meter:
    """Counts Keyring.decrypt calls and the time spent in them."""

    def __init__(self):
        self.calls = 0
        self.seconds = 0.0
        self._original = Keyring.decrypt
        meter = self

        def decrypt(keyring, token):
            start = time.perf_counter()
            try:
                return meter._original(keyring, token)
            finally:
                meter.calls += 1
                meter.seconds += time.perf_counter() - start

        Keyring.decrypt = decrypt

    def reset(self):
        self.calls, self.seconds = 0, 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--couples", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    encrypt, decrypt = per_value_us()
    print(f"one ~500-character answer: encrypt {encrypt:.1f} us, decrypt {decrypt:.1f} us")

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        engine = create_engine(url)
        with engine.begin() as connection:
            Base.metadata.create_all(connection)
        engine.dispose()
        app = make_app(url, Path(folder))
        with app.app_context():
            load_founding_program()
            commit()
        world = build_world(app)
        grow(app, world, extra_couples=args.couples, rounds=args.rounds)

        meter = Meter()
        alice, riley = Browser(app).login(world.alice), Browser(app).login(world.recovering)
        print(f"\n{'page':42} {'median ms':>9} {'values':>7} {'decrypt ms':>10} {'share':>6}")
        for page in PAGES:
            person = riley if page.startswith("/my/") else alice
            url = page.format(couple=world.couple_id)
            times, calls, spent = [], 0, 0.0
            for _ in range(args.runs):
                meter.reset()
                start = time.perf_counter()
                assert person.get(url).status_code == 200, url
                times.append(time.perf_counter() - start)
                calls, spent = meter.calls, meter.seconds
            median = statistics.median(times) * 1000
            share = spent * 1000 / median if median else 0
            print(f"{url:42} {median:9.1f} {calls:7d} {spent * 1000:10.2f} {share:6.1%}")

        runner = app.test_cli_runner()
        start = time.perf_counter()
        result = runner.invoke(args=["rotate-key"])
        elapsed = time.perf_counter() - start
        rows = result.output.split("Re-encrypted ")[1].split(" ")[0]
        print(f"\nrotate-key: {rows} rows re-encrypted in {elapsed:.2f} s")
        with app.app_context():
            app.extensions["practice"].db.engine.dispose()


if __name__ == "__main__":
    main()
