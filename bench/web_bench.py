"""How fast Practice's pages are, beside a plain Flask page, at 100 and 10,000 couples.

    python bench/web_bench.py [--backend sqlite|postgres|both] [--sizes 100,10000]
                              [--duration 10] [--connections 16] [--data DIR] [--reuse]
                              [--mix-clients 40] [--mix-seconds 60] [--no-mix]

Needs gunicorn (`pip install -e '.[server]'`) and wrk (`apt-get install wrk`; without it a
slower Python client drives the load and says so).

For each backend and size the bench makes a practice with seed-load (SQLite: a file under
DIR; PostgreSQL: a database of its own, `practice_web_bench_<couples>`, on the server of
PRACTICE_TEST_POSTGRES_URL), or reuses one made earlier with --reuse. It starts Practice in
gunicorn with 2 workers and, beside it in the same run, the plain Flask app of
bench/baseline (a 24 KB Jinja page of 50 items) in gunicorn with 2 workers. It signs in
through the real sign-in form as the practitioner with the most couples and as one of
their clients, checks each page answers 200 with what a person would see, then drives
each page with wrk for --duration seconds at --connections connections (and again at 2
connections for the HTML pages): dashboard, review queue, couple page, client home, an
exercise page, an autosave POST, a submit POST (each a first submission of its own, by
the practitioner's clients, through a Python client), a session note PDF and a handout
PDF. Then it checks the work it submitted shows in the review queue and on the
dashboard, and runs the mix: --mix-clients clients saving drafts and submitting for
--mix-seconds, after which every submitted answer must read back as its author last
saved it, once.

Prints, per page: req/s, p50, p95, p99, req/s as a ratio to the baseline's, and the
growth of p50 from the smallest to the largest size; then the targets of issue 11, each
marked ok or MISSED; then RSS per worker after the whole run.
"""

import argparse
import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().parent / "baseline"
POSTGRES_URL = os.environ.get(
    "PRACTICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "seeded-practice-not-for-real-clients"  # seed-load's default
WORKERS = 2

# What issue 11 asks of each page, checked against this run's own figures.
HTML_RATIO = 0.5
COUPLE_PAGE_RATIO = 0.35
GROWTH = 1.2
P95_AT_TWO_MS = 50
MIX_P99_MS = {"sqlite": 1000, "postgres": 500}
RSS_MB = 200

WRK_SCRIPT = r"""
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then wrk.body = body end
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
local extra = os.getenv("BENCH_HEADERS") or ""
for name, value in string.gmatch(extra, "([^:\n]+): ([^\n]*)") do
  wrk.headers[name] = value
end
local codes = {}
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH {\"requests\": %d, \"duration_us\": %d, \"p50\": %d, \"p95\": %d, \"p99\": %d, "
    .. "\"errors\": %d, \"bad_status\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors.connect + errors.read + errors.write + errors.timeout,
    errors.status))
end
"""


# --- an HTTP client that signs in through the forms -------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """One person's cookies over one kept-alive connection; redirects are not followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None, headers=None) -> Answer:
        sent = {"Cookie": self.cookie_header(), "User-Agent": "web_bench"} | (headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # gunicorn closed a kept-alive connection between requests: open a new one.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val:
                    self.cookies[key.strip()] = val
                else:
                    self.cookies.pop(key.strip(), None)
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data,
                      seconds)

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: dict, **kwargs) -> Answer:
        return self.request("POST", path, form=form, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.get("/login")
        form = fields_of(page.text, "email")
        form.update(email=email, password=password)
        answer = self.post("/login", form)
        if answer.status != 302 or "/login" in answer.location:
            sys.exit(f"signing in as {email} failed: {answer.status}\n{answer.text[:2000]}")


class _Form:
    def __init__(self):
        self.fields: dict[str, list[str]] = {}
        self.choices: dict[str, list[str]] = {}  # selects and radio groups


class _Forms(HTMLParser):
    """Every POST form on a page, its fields as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = _Form()
            self.forms.append(self._form)
        form, name = self._form, attrs.get("name")
        if form is None:
            return
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "radio":
                form.choices.setdefault(name, []).append(attrs.get("value", ""))
                if "checked" in attrs:
                    form.fields[name] = [attrs.get("value", "")]
            elif kind == "checkbox":
                if "checked" in attrs:
                    form.fields.setdefault(name, []).append(attrs.get("value", "y"))
            elif kind not in ("submit", "button"):
                form.fields.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = [""]
        elif tag == "select" and name:
            self._select = name
            form.choices[name] = []
        elif tag == "option" and self._select:
            form.choices[self._select].append(attrs.get("value", ""))
            if "selected" in attrs:
                form.fields[self._select] = [attrs.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][0] += data


def form_with(page: str, field_name: str) -> _Form:
    """The POST form on the page that has the named field (not the sign-out button's)."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if field_name in form.fields:
            return form
    sys.exit(f"no form with a field {field_name!r} on the page:\n{page[:1500]}")


def fields_of(page: str, field_name: str) -> dict:
    form = form_with(page, field_name)
    return {name: values[0] if len(values) == 1 else values for name, values in form.fields.items()}


def answer_form(page: str, text: str) -> dict:
    """The exercise form filled in: every answer the given text, every rating chosen."""
    form = form_with(page, "answer_0")
    filled = {name: values[0] for name, values in form.fields.items()}
    for name in filled:
        if name.startswith("answer_"):
            filled[name] = text
    for name, options in form.choices.items():
        chosen = [value for value in options if value]
        if name.startswith("rating_") and chosen:
            filled[name] = chosen[len(chosen) // 2]
    return filled


def links(page: str, pattern: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', page):
        href = html.unescape(href)
        if re.fullmatch(pattern, href) and href not in found:
            found.append(href)
    return found


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with WORKERS sync workers; no worker recycling."""

    def __init__(self, app: str, env: dict, cwd: Path, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "300", "--log-level", "warning", app],
            cwd=cwd, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn {app} did not start; see {log}:\n{log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit(f"gunicorn {app} did not answer within 60 s; see {log}")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(kb / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- load ---------------------------------------------------------------------------------


@dataclass
class Figures:
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    requests: int
    errors: int = 0

    def line(self) -> str:
        return (f"{self.rps:8.1f} req/s  p50 {self.p50:7.1f}  p95 {self.p95:7.1f}  "
                f"p99 {self.p99:7.1f} ms")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def figures_from(latencies: list[float], seconds: float, errors: int) -> Figures:
    ms = [latency * 1000 for latency in latencies]
    return Figures(len(ms) / seconds, percentile(ms, 0.5), percentile(ms, 0.95),
                   percentile(ms, 0.99), len(ms), errors)


def drive(port: int, path: str, cookie: str, seconds: float, connections: int,
          method: str = "GET", body: str = "", headers: dict | None = None) -> Figures:
    """Load one URL: wrk when installed, else threads of http.client."""
    if shutil.which("wrk"):
        return _drive_wrk(port, path, cookie, seconds, connections, method, body, headers or {})
    return _drive_python(port, path, cookie, seconds, connections, method, body, headers or {})


def _drive_wrk(port, path, cookie, seconds, connections, method, body, headers) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body, "BENCH_COOKIE": cookie,
           "BENCH_HEADERS": "\n".join(f"{k}: {v}" for k, v in headers.items())}
    done = subprocess.run(
        ["wrk", "-t", str(min(2, connections)), "-c", str(connections),
         "-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", script.name, f"http://127.0.0.1:{port}{path}"],
        env=env, capture_output=True, text=True,
    )
    os.unlink(script.name)
    found = re.search(r"^BENCH (.*)$", done.stdout, re.M)
    if not found:
        sys.exit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    data = json.loads(found.group(1))
    seconds_run = data["duration_us"] / 1e6
    return Figures(data["requests"] / seconds_run, data["p50"] / 1000, data["p95"] / 1000,
                   data["p99"] / 1000, data["requests"], data["errors"] + data["bad_status"])


def in_threads(work: list) -> float:
    """Run each callable in a thread of its own; the seconds until the last one ended."""
    started = time.monotonic()
    threads = [threading.Thread(target=target) for target in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def _drive_python(port, path, cookie, seconds, connections, method, body, headers) -> Figures:
    latencies: list[float] = []
    errors = Counter()
    stop = time.monotonic() + seconds
    sent = {"Cookie": cookie, **headers}
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"

    def loop():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body or None, headers=sent)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                errors["io"] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            latencies.append(time.perf_counter() - started)
            if response.status >= 400:
                errors["status"] += 1

    seconds_run = in_threads([loop] * connections)
    return figures_from(latencies, seconds_run, sum(errors.values()))


# --- a practice to measure ------------------------------------------------------------------


@dataclass
class Practice:
    backend: str
    couples: int
    url: str
    instance: Path
    env: dict = field(default_factory=dict)


def sizes_for(couples: int) -> list[str]:
    """One practitioner holds every couple of a small practice; a large one has 50."""
    practitioners = 1 if couples <= 200 else 50
    return ["--practitioners", str(practitioners), "--couples", str(couples),
            "--reflections", str(couples * 51)]


def flask(args: list[str], env: dict, root: Path = ROOT) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "practice", *args],
                          cwd=root, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make_practice(backend: str, couples: int, data: Path, reuse: bool,
                  root: Path = ROOT) -> Practice:
    """The seeded practice of one backend and size, made by the code in root: with --compare,
    the older checkout, whose schema the newer code then upgrades on its own copy."""
    instance = data / f"{backend}-{couples}"
    if backend == "sqlite":
        url = f"sqlite:///{instance / 'practice.sqlite3'}"
    else:
        from sqlalchemy import make_url

        url = make_url(POSTGRES_URL).set(database=f"practice_web_bench_{couples}")
        url = url.render_as_string(hide_password=False)
    practice = Practice(backend, couples, url, instance,
                        {"PRACTICE_DATABASE_URL": url, "PRACTICE_INSTANCE_PATH": str(instance)})
    marker = instance / "seeded"
    if reuse and marker.exists():
        print(f"  reusing the {backend} practice of {couples:,} couples in {instance}")
        return practice
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    if backend == "postgres":
        _recreate_database(url)
    started = time.perf_counter()
    flask(["upgrade-db"], practice.env, root)
    flask(["seed-load", *sizes_for(couples)], practice.env, root)
    marker.write_text(time.strftime("%Y-%m-%d %H:%M"))
    print(f"  seeded {backend} with {couples:,} couples in {time.perf_counter() - started:.0f} s")
    return practice


def fresh_copy(practice: Practice) -> Practice:
    """A copy of the seeded practice for one run, so every run starts from the same data
    (each run submits work and saves drafts); the seeded one stays as it was made."""
    if practice.backend == "sqlite":
        source = practice.instance / "practice.sqlite3"
        target = practice.instance / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        import sqlite3

        with sqlite3.connect(source) as seeded, sqlite3.connect(target) as copy:
            seeded.backup(copy)
        url = f"sqlite:///{target}"
    else:
        from sqlalchemy import create_engine, make_url, text

        seeded = make_url(practice.url)
        url = seeded.set(database=f"{seeded.database}_run")
        admin = create_engine(seeded.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(
                text(f'CREATE DATABASE "{url.database}" TEMPLATE "{seeded.database}"'))
        admin.dispose()
        url = url.render_as_string(hide_password=False)
    return Practice(practice.backend, practice.couples, url, practice.instance,
                    {**practice.env, "PRACTICE_DATABASE_URL": url})


def _recreate_database(url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def people(practice: Practice) -> tuple[str, list[str]]:
    """The practitioner with the most couples, and their clients' e-mails (an in-process
    look at the database: which accounts to sign in as is the bench's choice, not a page's)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(practice.url)
    with engine.connect() as connection:
        practitioner_id, email = connection.execute(text(
            "SELECT u.id, u.email FROM practice_users u JOIN practice_couples c "
            "ON c.practitioner_id = u.id GROUP BY u.id, u.email "
            "ORDER BY count(*) DESC, u.id LIMIT 1")).one()
        clients = connection.execute(text(
            "SELECT u.email FROM practice_users u JOIN practice_partners p ON p.user_id = u.id "
            "JOIN practice_couples c ON c.id = p.couple_id "
            "WHERE c.practitioner_id = :id AND u.password_hash IS NOT NULL "
            "ORDER BY c.id, p.id"), {"id": practitioner_id}).scalars().all()
    engine.dispose()
    return email, list(clients)


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    html: bool = True
    method: str = "GET"
    body: str = ""
    headers: dict = field(default_factory=dict)
    who: str = "practitioner"


def open_exercise(client: Browser) -> tuple[str, str] | None:
    """An exercise the client can write in today: its URL and its page."""
    home = client.get("/my/")
    for path in links(home.text, r"/my/assignments/\d+"):
        page = client.get(path)
        if page.status == 200 and 'name="answer_0"' in page.text and "disabled" not in (
            re.search(r"<textarea[^>]*answer_0[^>]*>", page.text).group(0)
        ):
            return path, page.text
    return None


def pages_of(practitioner: Browser, client: Browser) -> list[Page]:
    dashboard = practitioner.get("/dashboard")
    couples = links(dashboard.text, r"/couples/\d+")
    if not couples:
        sys.exit("the dashboard shows no couples")
    client_home = client.get("/my/")
    couple_path = _couple_of(practitioner, couples)
    couple_page = practitioner.get(couple_path)
    session_pdfs = [p.removesuffix("/pdf") + "/pdf" for p in
                    links(couple_page.text, r"/sessions/\d+(/pdf)?")]
    handouts = links(client_home.text, r"/my/handouts/\d+/pdf")
    exercise = open_exercise(client)
    pages = [
        Page("practitioner dashboard", "/dashboard"),
        Page("review queue", "/review/"),
        Page("couple page", couple_path),
        Page("client home", "/my/", who="client"),
    ]
    if exercise:
        path, text = exercise
        me = re.search(r'data-author="(\d+)"', text)
        form = answer_form(text, "An autosaved draft from the benchmark.")
        headers = {"X-Requested-With": "fetch",
                   "Content-Type": "application/x-www-form-urlencoded"}
        if me:
            headers["X-Practice-Author"] = me.group(1)
        pages.append(Page("exercise page", path, who="client"))
        pages.append(Page("autosave POST", path, html=False, method="POST",
                          body=urllib.parse.urlencode(form), headers=headers, who="client"))
    else:
        print("  (the client has no exercise open today: exercise page and autosave skipped)")
    if session_pdfs:
        pages.append(Page("session PDF", session_pdfs[0], html=False))
    if handouts:
        pages.append(Page("handout PDF", handouts[0], html=False, who="client"))
    for page in pages:
        who = practitioner if page.who == "practitioner" else client
        answer = who.request(page.method, page.path,
                             form=urllib.parse.parse_qs(page.body) if page.body else None,
                             headers={k: v for k, v in page.headers.items()
                                      if k != "Content-Type"})
        if answer.status != 200:
            sys.exit(f"{page.name} ({page.path}) answered {answer.status} {answer.location}:\n"
                     f"{answer.text[:1500]}")
    return pages


def _couple_of(practitioner: Browser, couples: list[str]) -> str:
    """The couple with the most history among the first page of the caseload."""
    best, most = couples[0], -1
    for path in couples[:10]:
        size = len(practitioner.get(path).body)
        if size > most:
            best, most = path, size
    return best


def submits(port: int, emails: list[str], connections: int, limit: int) -> tuple[Figures, list]:
    """First submissions by the practitioner's clients, `connections` at a time."""
    ready = []
    for email in emails:
        if len(ready) >= limit:
            break
        browser = Browser(port)
        browser.sign_in(email)
        exercise = open_exercise(browser)
        if exercise:
            path, text = exercise
            marker = f"Submitted by the benchmark as {email} at {time.time():.6f}"
            form = answer_form(text, marker) | {"action": "submit"}
            ready.append((browser, path, form, marker))
    latencies, errors, done = [], Counter(), []
    lock = threading.Lock()
    work = list(ready)

    def loop():
        while True:
            with lock:
                if not work:
                    return
                browser, path, form, marker = work.pop()
            answer = browser.post(path, form)
            with lock:
                latencies.append(answer.seconds)
                if answer.status != 302:
                    errors[answer.status] += 1
                else:
                    done.append(marker)

    seconds_run = in_threads([loop] * connections)
    if not latencies:
        return Figures(0, 0, 0, 0, 0), done
    return figures_from(latencies, seconds_run, sum(errors.values())), done


def mix(port: int, emails: list[str], clients: int, seconds: float, backend: str) -> dict:
    """`clients` clients saving drafts (autosave) and now and then submitting; afterwards
    every submission must hold its author's last saved text, once."""
    people_ready = []
    for email in emails[:clients]:
        browser = Browser(port)
        browser.sign_in(email)
        people_ready.append((email, browser))
    latencies, statuses = [], Counter()
    last_saved: dict[tuple[str, str], str] = {}
    submitted: dict[tuple[str, str], str] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def person(email: str, browser: Browser):
        count = 0
        while time.monotonic() < stop:
            exercise = open_exercise(browser)
            if not exercise:
                return
            path, text = exercise
            me = re.search(r'data-author="(\d+)"', text)
            headers = {"X-Requested-With": "fetch"}
            if me:
                headers["X-Practice-Author"] = me.group(1)
            for _ in range(5):
                count += 1
                words = f"{email} draft {count} at {time.time():.6f}"
                answer = browser.post(path, answer_form(text, words), headers=headers)
                with lock:
                    latencies.append(answer.seconds)
                    statuses[answer.status] += 1
                    if answer.status == 200:
                        last_saved[(email, path)] = words
                if time.monotonic() >= stop:
                    return
            words = f"{email} submitted {count} at {time.time():.6f}"
            answer = browser.post(path, answer_form(text, words) | {"action": "submit"})
            with lock:
                latencies.append(answer.seconds)
                statuses[answer.status] += 1
                if answer.status == 302 and "/my/reflections/" not in answer.location:
                    submitted[(email, path)] = words

    elapsed = in_threads([lambda pair=pair: person(*pair) for pair in people_ready])
    figures = figures_from(latencies, elapsed, 0) if latencies else Figures(0, 0, 0, 0, 0)
    return {"figures": figures, "statuses": statuses, "submitted": submitted,
            "saved": last_saved, "backend": backend}


def check_mix(practice: Practice, result: dict) -> list[str]:
    """Every submission the mix was told of reads back as typed, exactly once."""
    from sqlalchemy import select

    from practice.app import create_app
    from practice.extension import db
    from practice.models import Reflection, User

    problems = []
    os.environ.update(practice.env)
    app = create_app()
    with app.app_context():
        for (email, path), words in result["submitted"].items():
            assignment_id = int(path.rsplit("/", 1)[1])
            user = db.session.scalar(select(User).where(User.email == email))
            rows = [r for r in db.session.scalars(
                select(Reflection).where(Reflection.assignment_id == assignment_id,
                                         Reflection.author_id == user.partner.id))
                    if r.is_submitted and words in (r.answers or [])]
            if len(rows) != 1:
                problems.append(f"{email} {path}: {len(rows)} submissions hold the text sent")
        db.session.remove()
    return problems


def run_one(practice: Practice, options, baseline: Server, log_dir: Path, root: Path = ROOT,
            mix_too: bool = True) -> dict:
    """Every page of one practice, served from the code in root (this checkout, or another
    commit's checkout given with --compare), on a fresh copy of its data."""
    practice = fresh_copy(practice)
    # The copy upgraded as a deployment of that code would be (a no-op when it is current),
    # then, on PostgreSQL, analysed as autovacuum would soon after (a table a migration made
    # has no statistics yet, and a server may run without autovacuum).
    flask(["upgrade-db"], practice.env, root)
    if practice.backend == "postgres":
        from sqlalchemy import create_engine, text

        engine = create_engine(practice.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    server = Server("practice.app:create_app()", practice.env, root,
                    log_dir / f"gunicorn-{practice.backend}-{practice.couples}-{root.name}.log")
    try:
        practitioner_email, clients = people(practice)
        practitioner = Browser(server.port)
        practitioner.sign_in(practitioner_email)
        client = Browser(server.port)
        client.sign_in(clients[len(clients) // 2])
        pages = pages_of(practitioner, client)
        results: dict[str, dict] = {}
        base = drive(baseline.port, "/", "", options.duration, options.connections)
        base_two = drive(baseline.port, "/", "", options.duration, 2)
        results["baseline page"] = {"many": base, "two": base_two}
        print(f"  {'baseline page':<24}{base.line()}")
        for page in pages:
            who = practitioner if page.who == "practitioner" else client
            # The baseline again just before each page: the ratio compares like with like
            # on a machine whose load drifts.
            near = drive(baseline.port, "/", "", options.duration / 2, options.connections)
            figures = drive(server.port, page.path, who.cookie_header(), options.duration,
                            options.connections, page.method, page.body, page.headers)
            two = None
            if page.html:
                two = drive(server.port, page.path, who.cookie_header(), options.duration, 2)
            results[page.name] = {"many": figures, "two": two, "base": near}
            extra = f"  at 2: p95 {two.p95:.1f} ms" if two else ""
            errors = f"  {figures.errors} ERRORS" if figures.errors else ""
            print(f"  {page.name:<24}{figures.line()}  {figures.rps / near.rps:6.3f}x of "
                  f"{near.rps:.0f}{extra}{errors}")
        # Submits: the last clients of the caseload, so the mix keeps the first ones.
        before = waiting_counts(practitioner)
        near = drive(baseline.port, "/", "", options.duration / 2, options.connections)
        figures, done = submits(server.port, clients[::-1][: options.submits * 2],
                                options.connections, options.submits)
        results["submit POST"] = {"many": figures, "two": None, "base": near}
        print(f"  {'submit POST':<24}{figures.line()}  {figures.rps / near.rps:6.3f}x of "
              f"{near.rps:.0f}  ({figures.requests} first submissions)")
        # Nothing cached past a write: what was just submitted waits in the queue at once.
        after = waiting_counts(practitioner)
        results["seen"] = (before, after, len(done))
        if mix_too and not options.no_mix:
            outcome = mix(server.port, clients, options.mix_clients, options.mix_seconds,
                          practice.backend)
            outcome["problems"] = check_mix(practice, outcome)
            results["mix"] = outcome
            statuses = ", ".join(f"{code}: {n}" for code, n in sorted(outcome["statuses"].items()))
            print(f"  {'mix of ' + str(options.mix_clients) + ' clients':<24}"
                  f"{outcome['figures'].line()}  ({statuses}; "
                  f"{len(outcome['submitted'])} submitted, {len(outcome['problems'])} wrong)")
        results["rss"] = server.rss_mb()
        return results
    finally:
        server.stop()


WAITING = re.compile(r"Waiting for your review \((\d+)\)")


def waiting_counts(practitioner: Browser) -> tuple[int, int]:
    """How many reflections the review queue and the dashboard say are waiting."""
    queue = WAITING.search(practitioner.get("/review/").text)
    dashboard = WAITING.search(practitioner.get("/dashboard").text)
    return int(queue.group(1)), int(dashboard.group(1))


# --- the report ----------------------------------------------------------------------------


def report(all_results: dict, options, compared: dict) -> None:
    if compared:
        print(f"\n## Before: {options.compare} (req/s, ratio to the baseline page; p50 ms)\n")
        summary(compared)
    print("\n## Summary (req/s, ratio to the baseline page in the same run; p50 ms)\n")
    summary(all_results)
    targets(all_results)


def page_names(all_results: dict) -> list[str]:
    names = []
    for results in all_results.values():
        for name, value in results.items():
            if isinstance(value, dict) and "many" in value and name not in names:
                names.append(name)
    return names


def summary(all_results: dict) -> None:
    backends = sorted({backend for backend, _ in all_results})
    sizes = sorted({couples for _, couples in all_results})
    names = page_names(all_results)
    header = "| page | " + " | ".join(f"{b}, {s:,}" for b in backends for s in sizes) + " |"
    print(header)
    print("|" + "---|" * (1 + len(backends) * len(sizes)))
    for name in names:
        cells = []
        for backend in backends:
            for couples in sizes:
                results = all_results.get((backend, couples), {})
                figures = results.get(name, {}).get("many")
                base = results.get(name, {}).get("base") or results.get(
                    "baseline page", {}).get("many")
                if not figures:
                    cells.append("-")
                elif name == "baseline page":
                    cells.append(f"{figures.rps:.0f}")
                else:
                    cells.append(f"{figures.rps:.0f} ({figures.rps / base.rps:.3f}x), "
                                 f"p50 {figures.p50:.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def targets(all_results: dict) -> None:
    backends = sorted({backend for backend, _ in all_results})
    sizes = sorted({couples for _, couples in all_results})
    names = page_names(all_results)
    print("\n## Targets\n")
    missed = 0

    def verdict(ok: bool, text: str) -> None:
        nonlocal missed
        missed += not ok
        print(f"  {'ok    ' if ok else 'MISSED'} {text}")

    for (backend, couples), results in sorted(all_results.items()):
        for name, value in results.items():
            if not (isinstance(value, dict) and "many" in value) or name == "baseline page":
                continue
            many, two, base = value["many"], value["two"], value["base"]
            if value["two"] is not None:
                want = COUPLE_PAGE_RATIO if name == "couple page" else HTML_RATIO
                verdict(many.rps / base.rps >= want,
                        f"{backend} {couples:,}: {name} {many.rps / base.rps:.3f}x >= {want}x")
                if couples >= 10_000:
                    verdict(two.p95 < P95_AT_TWO_MS,
                            f"{backend} {couples:,}: {name} p95 at 2 connections "
                            f"{two.p95:.1f} ms < {P95_AT_TWO_MS} ms")
            if many.errors:
                verdict(False, f"{backend} {couples:,}: {name}: {many.errors} errors")
        if "mix" in results:
            outcome = results["mix"]
            fives = sum(n for code, n in outcome["statuses"].items() if code >= 500)
            limit = MIX_P99_MS[backend]
            verdict(not outcome["problems"] and outcome["submitted"],
                    f"{backend} {couples:,}: mix: {len(outcome['submitted'])} submissions, "
                    f"nothing lost or doubled ({'; '.join(outcome['problems'][:3]) or 'none'})")
            verdict(fives == 0, f"{backend} {couples:,}: mix: {fives} answers 5xx")
            verdict(outcome["figures"].p99 < limit,
                    f"{backend} {couples:,}: mix p99 {outcome['figures'].p99:.0f} ms < {limit} ms")
        rss = results["rss"]
        verdict(max(rss) < RSS_MB, f"{backend} {couples:,}: RSS per worker after the run "
                f"{', '.join(f'{mb:.0f}' for mb in rss)} MB < {RSS_MB} MB")
        (queue, dashboard), (queue_after, dashboard_after), sent = results["seen"]
        verdict(queue_after == queue + sent and dashboard_after == dashboard + sent,
                f"{backend} {couples:,}: {sent} submitted, then waiting for review: queue "
                f"{queue} -> {queue_after}, dashboard {dashboard} -> {dashboard_after}")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for backend in backends:
            a, b = all_results.get((backend, small)), all_results.get((backend, large))
            if not (a and b):
                continue
            for name in names:
                if name == "baseline page" or name not in a or name not in b:
                    continue
                if a[name]["two"] is None and "PDF" not in name and "POST" not in name:
                    continue
                # p50 at 2 connections where there is one: at 16 a page's p50 is mostly
                # queueing behind the other connections.
                first = a[name]["two"] or a[name]["many"]
                last = b[name]["two"] or b[name]["many"]
                growth = last.p50 / first.p50 if first.p50 else float("inf")
                verdict(growth <= GROWTH, f"{backend}: {name} p50 {first.p50:.1f} -> "
                        f"{last.p50:.1f} ms from {small:,} to {large:,} couples: "
                        f"{growth:.2f}x <= {GROWTH}x")
    print(f"\n{missed} target(s) missed.")


PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# gunicorn's sync workers close every connection, so each request takes a new local port
# that then sits in TIME_WAIT for 60 s: a run makes well over 100,000 of them. With Linux's
# default range (32768-60999, 28,232 ports) the later measurements of a run meet ports still
# waiting, and a connection now and then stalls a second for a SYN to be sent again, which
# shows as p95 and p99 of hundreds of ms that no request spent in the app.
PORTS_WANTED = 60_000


def check_port_range() -> None:
    if not PORT_RANGE.exists():
        return
    low, high = map(int, PORT_RANGE.read_text().split())
    if high - low + 1 < PORTS_WANTED:
        print(f"  WARNING: only {high - low + 1:,} local ports ({low}-{high}): late "
              "measurements may wait for ports in TIME_WAIT (second-long tail latencies). "
              'Widen the range first: sysctl -w net.ipv4.ip_local_port_range="1024 65000"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--submits", type=int, default=60)
    parser.add_argument("--mix-clients", type=int, default=40)
    parser.add_argument("--mix-seconds", type=float, default=60)
    parser.add_argument("--no-mix", action="store_true")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "web-bench")
    parser.add_argument("--compare", type=Path,
                        help="a checkout of another commit (git worktree add DIR REV) to "
                        "measure first on the same practices, for a before/after table")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse practices seeded by an earlier run in --data")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: a Python client drives the load (apt-get install wrk)")
    sizes = [int(size) for size in options.sizes.split(",")]
    backends = ["sqlite", "postgres"] if options.backend == "both" else [options.backend]
    options.data.mkdir(parents=True, exist_ok=True)
    print(f"web_bench {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores; "
          f"{WORKERS} gunicorn workers; {options.connections} connections; "
          f"{options.duration:g} s per page")
    check_port_range()
    baseline = Server("app:app", {}, BASELINE, options.data / "gunicorn-baseline.log")
    all_results, compared = {}, {}
    try:
        for backend in backends:
            for couples in sizes:
                print(f"\n{backend}, {couples:,} couples")
                practice = make_practice(backend, couples, options.data, options.reuse,
                                         options.compare.resolve() if options.compare else ROOT)
                if options.compare:
                    print(f"  before: {options.compare}")
                    compared[(backend, couples)] = run_one(
                        practice, options, baseline, options.data, options.compare.resolve(),
                        mix_too=False)
                    print("  after: this checkout")
                all_results[(backend, couples)] = run_one(practice, options, baseline,
                                                          options.data)
    finally:
        baseline.stop()
    report(all_results, options, compared)


if __name__ == "__main__":
    main()
