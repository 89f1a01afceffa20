"""Walking the site as a person does: follow every link, read every form.

The hostile-input, fuzz and partner-privacy tests use this so that a page or form added
later is covered without anyone remembering to list it.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Links that end the visit or would change things by GET (none should), never followed.
# "prefill=brief": the new note started from the session brief is the new-note form the walk
# reaches already, with text in it.
SKIP = ("/logout", "/static/", "/assets/", "prefill=brief")


@dataclass
class Form:
    """A form as the page shows it: where it posts and the values a browser would send."""

    page: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    text: list[str] = field(default_factory=list)  # text-like inputs and textareas
    choices: dict[str, list[str]] = field(default_factory=dict)  # selects and radios
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # text-like name -> input type

    def key(self, app) -> tuple:
        return (endpoint_of(app, urlsplit(self.action).path), tuple(sorted(self.fields)))


class PageReader(HTMLParser):
    """Links, forms and the title of one HTML page."""

    TEXT_TYPES = {
        "text",
        "email",
        "password",
        "search",
        "url",
        "tel",
        "date",
        "time",
        "datetime-local",
        "number",
        None,
    }

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.title = ""
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "title":
            self._in_title = True
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            self._form = Form(self.url, action, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a["name"]
            if kind in ("checkbox", "radio"):
                bucket = self._form.checkboxes if kind == "checkbox" else self._form.choices
                bucket.setdefault(name, []).append(a.get("value") or "y")
                if "checked" in a:
                    self._form.fields[name] = a.get("value") or "y"
            elif kind in ("submit", "button"):
                return
            else:
                self._form.fields[name] = a.get("value") or ""
                if kind in self.TEXT_TYPES and name != "csrf_token":
                    self._form.text.append(name)
                    self._form.kinds[name] = kind
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields[a["name"]] = ""
            self._form.text.append(a["name"])
            self._form.kinds[a["name"]] = "textarea"
        elif tag == "select":
            self._select = a["name"]
            self._form.choices[a["name"]] = []
        elif tag == "option" and self._select is not None:
            self._form.choices[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in self._form.fields:
                self._form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            # As a browser reads it: one line break right after <textarea> is not content.
            text = self._form.fields[self._textarea] if self._form is not None else ""
            if self._form is not None and text.startswith(("\r\n", "\n")):
                self._form.fields[self._textarea] = text.removeprefix("\r").removeprefix("\n")
            self._textarea = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._textarea is not None and self._form is not None:
            self._form.fields[self._textarea] += data


def read_page(url: str, html: str) -> PageReader:
    reader = PageReader(url)
    reader.feed(html)
    return reader


def forms_on(client, page: str, action: str) -> list[Form]:
    """The forms posting to ``action`` on ``page`` as it is now (empty if it went away)."""
    response = client.get(page)
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    current = read_page(f"http://localhost{page}", response.get_data(as_text=True))
    return [form for form in current.forms if form.action == action]


def local_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or any(skip in path for skip in SKIP):
        return None
    return path


@dataclass
class Visit:
    """What one person reached: every page (HTML or download) and every form on them."""

    pages: dict[str, "Response"] = field(default_factory=dict)  # noqa: F821
    forms: list[Form] = field(default_factory=list)


def endpoint_of(app, path: str) -> str:
    from werkzeug.exceptions import HTTPException

    try:
        endpoint, _ = app.url_map.bind("localhost").match(urlsplit(path).path)
    except HTTPException:
        return path
    return endpoint


def crawl(client, start: str = "/", per_endpoint: int = 3) -> Visit:
    """Follow every same-site link from ``start``, at most ``per_endpoint`` pages of each
    route (so the walk stays the same size whatever the data); fail loudly on a 500."""
    visit = Visit()
    queue = [start]
    seen_forms: set = set()
    per: dict[str, int] = {}
    while queue:
        path = queue.pop(0)
        if path in visit.pages:
            continue
        endpoint = endpoint_of(client.application, path)
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        response = client.get(path, follow_redirects=True)
        # Read it all and close it: a streamed download (a CSV) holds its database
        # transaction until it is consumed.
        response.get_data()
        response.close()
        assert response.status_code < 500, f"GET {path}: {response.status_code}"
        visit.pages[path] = response
        if response.mimetype != "text/html":
            continue
        url = response.request.path if response.request else path
        page = read_page(f"http://localhost{url}", response.get_data(as_text=True))
        for form in page.forms:
            form.page = url  # where it is shown, after any redirect (a page before a part)
            key = form.key(client.application)
            if form.method == "post" and key not in seen_forms:
                seen_forms.add(key)
                visit.forms.append(form)
        for link in page.links:
            target = local_path(link)
            if target and target not in visit.pages and target not in queue:
                queue.append(target)
    return visit


FREE_TEXT = {"text", "textarea", "search"}
WORD_BOXES = FREE_TEXT | {"email"}


def submission(form: Form, value: str, everywhere: bool = False, password: str = "") -> dict:
    """What a browser sends with ``value`` typed into every free-text box (every box at all
    with ``everywhere``), password boxes holding ``password``, each choice at its first."""
    data = dict(form.fields)
    for name in form.text:
        kind = form.kinds.get(name)
        if kind == "password" and not everywhere:
            data[name] = password
        elif everywhere or kind in FREE_TEXT:
            data[name] = value
    for name, options in form.checkboxes.items():
        data[name] = options
    for name, options in form.choices.items():
        if options and name not in data:
            data[name] = options[0]
    return data


@dataclass(frozen=True)
class FoundForm:
    """One form one person reaches in the populated world, as found when tests are
    collected: who, the page that holds it and where it posts."""

    person: str
    page: str
    action: str
    has_text: bool
    # The boxes that take words (text, text areas, e-mail addresses), not passwords,
    # numbers, dates or times.
    text_boxes: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.person}{urlsplit(self.action).path}"


_FOUND: dict[tuple, list[FoundForm]] = {}


def forms_of_the_populated_world(people: tuple[str, ...]) -> list[FoundForm]:
    """Every form (sign-out aside) that a walk of the site finds for each of ``people`` in
    the populated world (tests/helpers/worlds.py), walked once per test process on a
    throwaway SQLite copy of the template. A test parametrized with these runs one item per
    form, so pytest-xdist spreads them, and a form added later is covered without being
    listed. Each test builds the same world again, so the ids in the pages match."""
    if people in _FOUND:
        return _FOUND[people]
    import tempfile
    from pathlib import Path
    from unittest import mock

    import practice.models.users
    from tests.helpers.database import TemplateDatabase, close_practice_database, make_app
    from tests.helpers.people import Browser, quick_password_hash

    found = []
    with (
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(practice.models.users, "generate_password_hash", quick_password_hash),
    ):
        template = TemplateDatabase("sqlite", Path(folder))
        app = make_app(template.copy(Path(folder), "populated"), Path(folder))
        app.config.update(PRACTICE_LOGIN_LIMIT_ACCOUNT=10_000, PRACTICE_LOGIN_LIMIT_ADDRESS=10_000)
        emails = template.template("populated").made["emails"]
        for person in people:
            who = Browser(app).login(emails[person])
            for form in crawl(who.client).forms:
                if not form.action.endswith("/logout"):
                    words = tuple(n for n in form.text if form.kinds.get(n) in WORD_BOXES)
                    found.append(FoundForm(person, form.page, form.action, bool(form.text), words))
        close_practice_database(app)
    # Sorted, so every xdist worker collects the same items in the same order.
    _FOUND[people] = sorted(found, key=lambda f: (people.index(f.person), f.id))
    return _FOUND[people]
