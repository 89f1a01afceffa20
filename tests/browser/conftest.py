"""Browser tests: the real app on a live server, driven through Debian's Chromium.

Every page a test hands to ``Person.check`` is held to the same bar: no horizontal
overflow, every control on screen, text big enough to read, no request to another origin,
under 100 KB transferred, no script error or Content-Security-Policy violation, and no
serious or critical axe-core violation of WCAG 2.2 AA. Each checked page is also
screenshotted (``PRACTICE_SCREENSHOTS``, default ``test-output/screenshots``).
"""

import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser import html_validation
from tests.helpers.database import TemplateDatabase
from tests.helpers.people import PASSWORD, build_world

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(
    os.environ.get("PRACTICE_AXE_JS", HERE / "vendor" / "node_modules" / "axe-core" / "axe.min.js")
)
SCREENSHOTS = Path(os.environ.get("PRACTICE_SCREENSHOTS", ROOT / "test-output" / "screenshots"))
REPORT = SCREENSHOTS.parent / "browser-pages.json"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGE_BUDGET_BYTES = 100 * 1024
# What the app must work under: no inline script or style, nothing from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Short for tests that are not about the delay itself; one test checks the real 3 s.
FAST_AUTOSAVE = "window.practiceAutosaveDelayMs = 400;"

# Every checked page, for the report written at the end of the run.
PAGES: list[dict] = []


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """The browser suite runs on SQLite only (it tests pages, not SQL dialects)."""
    return TemplateDatabase("sqlite", tmp_path_factory.mktemp("browser-template"))


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 at a free port, from a background thread."""

    @app.after_request
    def strict_csp(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def pytest_sessionfinish(session):
    if PAGES:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(PAGES, indent=1))


_PAGE_FACTS = """(expectedWidth) => {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth, expectedWidth);
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const describe = (el) => el.outerHTML.slice(0, 120);
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter((el) => !el.classList.contains('skip') && visible(el));
  const offscreen = controls.filter((el) => {
    const r = el.getBoundingClientRect();
    return r.left < -1 || r.right > width + 1;
  }).map(describe);
  const small = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || el.closest('.visually-hidden, .skip')) continue;
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    if (el instanceof SVGElement && el.ownerSVGElement) {
      // SVG text scales with its drawing: measure what reaches the screen.
      const svg = el.ownerSVGElement;
      const scale = svg.getBoundingClientRect().width / (svg.viewBox.baseVal.width || 1);
      if (parseFloat(getComputedStyle(el).fontSize) * scale < 12) small.push(describe(el));
    } else if (parseFloat(getComputedStyle(el).fontSize) < 13) {
      small.push(describe(el));
    }
  }
  const jumps = [];
  let previous = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) jumps.push(`h${previous} to h${level}: ${h.textContent.trim()}`);
    previous = level;
  }
  return {
    headingJumps: jumps,
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    width,
    offscreen,
    small,
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
  };
}"""

_AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations']}).then((r) => ({
    passed: r.passes.length,
    incomplete: r.incomplete.map((v) => v.id),
    violations: r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary)}))}))"""


class Person:
    """One person in their own browser context (cookies, storage), at one screen size."""

    def __init__(self, people, name: str, context):
        self.people = people
        self.name = name
        self.context = context
        self.page = context.new_page()
        self.problems: list[str] = []
        self.current: list = []
        self.page.on("request", self._request)
        self.page.on("requestfinished", self._finished)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _request(self, request):
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.current = []

    def _finished(self, request):
        self.current.append(request)
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            response = request.response()
            # Redirects have no body; error pages are pages people see, so they count.
            if (
                response is not None
                and not 300 <= response.status < 400
                and "text/html" in response.headers.get("content-type", "")
            ):
                html_validation.keep(request.url, response.body())

    def _console(self, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if url.endswith("/favicon.ico"):
            return
        if "Failed to load resource" in message.text and url == self.page.url:
            return  # the page itself is an error page, visited on purpose
        self.problems.append(f"console error: {message.text} ({url})")

    def goto(self, path: str):
        return self.page.goto(self.people.server.url + path)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Through the sign-in form, from wherever the page is now (or /login)."""
        if "/login" not in self.page.url:
            self.goto("/login")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("load")

    def transferred(self) -> int:
        total = 0
        for request in self.current:
            if request.url.endswith("/favicon.ico"):
                continue
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total

    def check(self, label: str) -> dict:
        """Hold the page on screen now to the suite's bar, and screenshot it."""
        page = self.page
        page.wait_for_load_state("load")
        size = self.people.size
        width = SIZES[size]["viewport"]["width"]
        facts = page.evaluate(_PAGE_FACTS, width)
        weight = self.transferred()
        axe = page.evaluate(_AXE_RUN, WCAG_TAGS) if self.people.axe else None
        violations = None if axe is None else axe["violations"]
        self.people.shots += 1
        shot = (
            SCREENSHOTS
            / size
            / self.people.folder
            / f"{self.people.shots:02d}-{self.name}-{label}.png"
        )
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        record = {
            "size": size,
            "page": label,
            "who": self.name,
            "path": urlsplit(page.url).path,
            "kb": round(weight / 1024, 1),
            "axe": None
            if axe is None
            else {
                "violations": {v["id"]: v["impact"] for v in violations},
                "rules_passed": axe["passed"],
                "needs_review": axe["incomplete"],
            },
        }
        PAGES.append(record)

        where = f"{size} {self.name} {label} ({page.url})"
        assert facts["h1"], f"{where}: no h1"
        assert not facts["headingJumps"], f"{where}: headings skip a level: {facts['headingJumps']}"
        assert facts["scrollWidth"] <= facts["width"], f"{where}: overflows sideways: {facts}"
        assert not facts["offscreen"], f"{where}: controls off screen: {facts['offscreen']}"
        assert not facts["small"], f"{where}: text too small to read: {facts['small']}"
        assert weight < PAGE_BUDGET_BYTES, f"{where}: {weight} bytes transferred"
        assert not self.people.foreign, f"{where}: requests elsewhere: {self.people.foreign}"
        assert not self.problems, f"{where}: {self.problems}"
        if violations is not None:
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert not bad, f"{where}: axe: " + json.dumps(bad, indent=1)
        return record


@dataclass
class People:
    """Opens a browser context per person, and closes them all at the end of the test."""

    browser: object
    server: LiveServer
    size: str
    axe: bool
    folder: str
    fast_autosave: bool = True
    shots: int = 0
    opened: list = field(default_factory=list)
    foreign: list = field(default_factory=list)

    def open(self, name: str) -> Person:
        context = self.browser.new_context(
            **SIZES[self.size], base_url=self.server.url, accept_downloads=True
        )
        context.set_default_timeout(10_000)
        if self.axe:
            # An init script, unlike a <script> tag, is not blocked by the page's CSP.
            context.add_init_script(path=str(AXE_JS))
        if self.fast_autosave:
            context.add_init_script(FAST_AUTOSAVE)
        origin = self.server.url
        context.on("request", lambda request: self._elsewhere(request.url, origin))
        person = Person(self, name, context)
        self.opened.append(person)
        return person

    def _elsewhere(self, url: str, origin: str) -> None:
        if not re.match(r"(data|blob|about):", url) and not url.startswith(origin + "/"):
            self.foreign.append(url)

    def close(self) -> None:
        for person in self.opened:
            person.context.close()
        self.opened.clear()


@pytest.fixture
def people_at(chromium, live_server, request):
    """people_at("desktop" | "phone") -> People; contexts are closed after the test."""
    made: list[People] = []
    axe = AXE_JS.exists()

    def make(size: str, fast_autosave: bool = True) -> People:
        folder = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_browser_")
        crowd = People(chromium, live_server, size, axe, folder, fast_autosave)
        made.append(crowd)
        return crowd

    try:
        yield make
    finally:
        for crowd in made:
            crowd.close()
        foreign = [url for crowd in made for url in crowd.foreign]
        assert not foreign, f"requests to other origins: {foreign}"


@dataclass
class Assigned:
    """build_world's practice, with "Finding the right amount" assigned to Alice's couple."""

    app: object
    world: object
    assignment_id: int

    @property
    def path(self) -> str:
        return f"/my/assignments/{self.assignment_id}"

    def draft_of(self, email: str) -> list[str] | None:
        """What the server holds for that partner on this exercise, or None."""
        from sqlalchemy import select

        from practice.db import session
        from practice.models import Partner, Reflection, User

        with self.app.app_context():
            reflection = session.scalar(
                select(Reflection)
                .join(Partner, Reflection.author_id == Partner.id)
                .join(User, Partner.user_id == User.id)
                .where(User.email == email, Reflection.assignment_id == self.assignment_id)
            )
            answers = None if reflection is None else list(reflection.answers)
            session.remove()
            return answers


@pytest.fixture
def assigned(live_server) -> Assigned:
    from sqlalchemy import select

    from practice.db import commit, session
    from practice.models import Couple, Exercise, User
    from practice.services import assignments, clock

    app = live_server.app
    world = build_world(app)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        exercise = session.scalar(
            select(Exercise).where(Exercise.slug == "finding-the-right-amount")
        )
        alice = session.scalar(select(User).where(User.email == world.alice))
        made = assignments.assign(
            couple,
            [exercise],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=alice,
            today=clock.today_for(alice),
        )
        commit()
        assignment_id = made[0].id
        session.remove()
    return Assigned(app, world, assignment_id)
