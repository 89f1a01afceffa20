"""Reading a form page as a person sees it, and checking a refused form changed nothing."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

from markupsafe import escape
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Base, Exercise, Partner, User
from practice.services import accounts, assignments, clock, reflections
from tests.helpers.people import PASSWORD, Browser, World, build_world, record_session

LOGIN_MISMATCH = "That e-mail and password do not match an account."
# Tables a request may legitimately write to even when the form is refused (sign-ins: the
# server's session state, made by signing in and kept up to date by any request).
UNTRACKED = re.compile(r"audit|attempt|throttl|login|sign_ins", re.IGNORECASE)


# --- reading the page ---------------------------------------------------------------


@dataclass
class Box:
    """A ``.field`` div or fieldset: the inputs it holds and the errors shown in it."""

    names: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """What a person sees of a form page: inputs and their values, messages by field."""

    def __init__(self, response):
        super().__init__(convert_charrefs=True)
        self.status = response.status_code
        self.location = response.location
        self.html = response.get_data(as_text=True)
        self.inputs: list[dict[str, str | None]] = []
        self.textareas: dict[str, str] = {}
        self.selected: dict[str, list[str]] = {}
        self.boxes: list[Box] = []
        self.page_errors: list[str] = []
        self._open: list[tuple[str, Box | None, bool]] = []  # (tag, field box, is .errors)
        self._text: list[str] | None = None
        self._text_goes_to: str | None = None  # "textarea:<name>", "error" or "page"
        self._select: str | None = None
        self.feed(self.html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("div", "fieldset"):
            box = Box() if "field" in classes else None
            if box is not None:
                self.boxes.append(box)
            self._open.append((tag, box, "errors" in classes))
        elif tag == "input":
            self.inputs.append(attrs)
            self._name_in_boxes(attrs.get("name"))
        elif tag == "textarea":
            self._name_in_boxes(attrs.get("name"))
            self._text, self._text_goes_to = [], f"textarea:{attrs.get('name')}"
        elif tag == "select":
            self._select = attrs.get("name") or ""
            self._name_in_boxes(self._select)
            self.selected.setdefault(self._select, [])
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self.selected[self._select].append(attrs.get("value") or "")
        elif tag == "p" and "error" in classes:
            self._text, self._text_goes_to = [], "error"
        elif tag == "p" and any(is_errors for _t, _b, is_errors in self._open):
            self._text, self._text_goes_to = [], "page"

    def handle_endtag(self, tag):
        if tag in ("div", "fieldset"):
            while self._open and self._open.pop()[0] != tag:
                pass
        elif tag == "select":
            self._select = None
        elif tag in ("textarea", "p") and self._text is not None:
            text, goes_to = "".join(self._text), self._text_goes_to
            self._text = self._text_goes_to = None
            if goes_to.startswith("textarea:"):
                # The first newline after <textarea> is not part of the value.
                self.textareas[goes_to.removeprefix("textarea:")] = re.sub(r"^\r?\n", "", text)
            elif goes_to == "error":
                for _tag, box, _is_errors in self._open:
                    if box is not None:
                        box.errors.append(text.strip())
            else:
                self.page_errors.append(text.strip())

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def _name_in_boxes(self, name):
        for _tag, box, _is_errors in self._open:
            if box is not None and name:
                box.names.add(name)

    # What the tests ask.

    def errors_for(self, name: str) -> list[str]:
        """The messages shown in the same field box as the input called ``name``."""
        return [e for box in self.boxes if name in box.names for e in box.errors]

    def error_for(self, name: str) -> str:
        return " ".join(self.errors_for(name))

    def all_field_errors(self) -> list[str]:
        return [e for box in self.boxes for e in box.errors]

    def value(self, name: str) -> str | None:
        """What the input or textarea called ``name`` holds, as the browser shows it."""
        if name in self.textareas:
            return self.textareas[name]
        for attrs in self.inputs:
            if attrs.get("name") == name and attrs.get("type") not in ("checkbox", "radio"):
                return attrs.get("value")
        return None

    def checked(self, name: str) -> set[str]:
        return {
            a.get("value") or "" for a in self.inputs if a.get("name") == name and "checked" in a
        }


def assert_refused(page: Page, field_name: str, message: str) -> None:
    """The form came back (not a 400, 500 or redirect) with the message by the field."""
    assert page.status == 200, f"expected the form again, got {page.status}\n{page.html[:2000]}"
    assert message in page.error_for(field_name), (
        f"{message!r} not next to {field_name!r}; field errors: {page.all_field_errors()}, "
        f"page errors: {page.page_errors}"
    )


def assert_kept(page: Page, typed: dict) -> None:
    """Every typed text is back in its input, escaped exactly as Jinja escapes it.

    A one-line field made only of spaces comes back empty: spaces alone are not a name.
    """
    for name, value in typed.items():
        if not value.strip() and "\n" not in value:
            assert page.value(name) in ("", value), f"{name}: shown {page.value(name)!r}"
            continue
        assert page.value(name) == value, (
            f"{name}: typed {value[:80]!r}, shown {(page.value(name) or '')[:80]!r}"
        )
        assert str(escape(value)) in page.html, f"{name} is not shown escaped once"


# --- the database -----------------------------------------------------------------


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table (but audit, login-attempt and sign-in records), to compare."""
    with app.app_context():
        rows = {}
        for table in Base.metadata.sorted_tables:
            if UNTRACKED.search(table.name):
                continue
            result = session.execute(select(table)).all()
            rows[table.name] = sorted(tuple(map(repr, row)) for row in result)
        session.remove()
        return rows


def assert_unchanged(app, before: dict) -> None:
    after = snapshot(app)
    changed = {
        name: (len(before[name]), len(after.get(name, [])))
        for name in before
        if before[name] != after.get(name)
    }
    assert not changed, (
        f"a refused form changed the database (table: rows before, after): {changed}"
    )


def exercise_ids(app, *slugs) -> list[int]:
    with app.app_context():
        rows = dict(
            session.execute(
                select(Exercise.slug, Exercise.id).where(Exercise.slug.in_(slugs))
            ).all()
        )
        return [rows[slug] for slug in slugs]


def _user(email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def make_assignment(app, world: World, slug: str, couple_id: int | None = None) -> int:
    """One exercise assigned to a couple (Alice's unless told), as of today."""
    from practice.models import Couple

    with app.app_context():
        couple = session.get(Couple, couple_id or world.couple_id)
        practitioner = couple.practitioner
        exercise = session.scalar(select(Exercise).where(Exercise.slug == slug))
        made = assignments.assign(
            couple,
            [exercise],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=practitioner,
            today=clock.today_for(practitioner),
        )
        commit()
        return made[0].id


def submit_reflection(app, world: World, partner_id: int, slug: str, couple_id=None) -> int:
    """A submitted reflection by the partner on a new assignment of the exercise."""
    assignment_id = make_assignment(app, world, slug, couple_id)
    from practice.models import Assignment

    with app.app_context():
        partner = session.get(Partner, partner_id)
        assignment = session.get(Assignment, assignment_id)
        reflection, outcome = reflections.save(
            partner,
            assignment,
            answers=["I told the truth about Tuesday."] + [""] * (len(assignment.prompts) - 1),
            ratings={},
            shared=False,
            submit=True,
            today=clock.today_for(partner.user),
        )
        assert outcome == "submitted"
        commit()
        return reflection.id


# --- the forms ----------------------------------------------------------------------


@dataclass
class Form:
    """A form as one person sees it, with a submission that would be accepted."""

    browser: Browser
    url: str
    data: dict
    world: World | None = None
    ids: dict = field(default_factory=dict)

    def send(self, **changes) -> Page:
        """Post the good submission with some fields changed (None leaves a field out)."""
        data = {k: v for k, v in {**self.data, **changes}.items() if v is not None}
        return Page(self.browser.post(self.url, data))

    def send_with_token(self, token: str | None, **changes) -> Page:
        data = {k: v for k, v in {**self.data, **changes}.items() if v is not None}
        if token is not None:
            data["csrf_token"] = token
        return Page(self.browser.client.post(self.url, data=data))


def setup_form(app) -> Form:
    return Form(
        Browser(app),
        "/setup",
        {
            "practice_name": "Harbour Couples Therapy",
            "name": "Olive Owner",
            "email": "olive@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )


def login_form(app) -> Form:
    world = build_world(app)
    return Form(Browser(app), "/login", {"email": world.alice, "password": PASSWORD}, world)


def invitation_form(app) -> Form:
    world = build_world(app)
    with app.app_context():
        user, _first = accounts.add_practitioner("Ines Invited", "ines@example.org", "LCSW")
        token = accounts.issue_invitation(user)
        commit()
    return Form(
        Browser(app), f"/invitation/{token}", {"password": PASSWORD, "confirm": PASSWORD}, world
    )


def practitioners_form(app) -> Form:
    world = build_world(app)
    return Form(
        Browser(app).login(world.owner),
        "/admin/practitioners",
        {"name": "Dana Doe", "email": "dana@example.org", "credentials": "LPC"},
        world,
    )


def couple_form(app) -> Form:
    world = build_world(app)
    return Form(
        Browser(app).login(world.alice),
        "/couples/new",
        {
            "name": "",
            "first_name": "Jordan Lee",
            "first_email": "jordan@example.org",
            "first_role": "recovering",
            "second_name": "Morgan Lee",
            "second_email": "morgan@example.org",
            "second_role": "hurt",
            "policy": "limited-secrets",
        },
        world,
    )


def assign_form(app) -> Form:
    world = build_world(app)
    chosen = exercise_ids(app, "weekly-openness-log", "receiving-updates")
    return Form(
        Browser(app).login(world.alice),
        f"/couples/{world.couple_id}/assign",
        {
            "exercises": [str(i) for i in chosen],
            "audience": "both",
            "repeat": "weekly",
            "due_on": (date.today() + timedelta(days=30)).isoformat(),
            "note": "Take your time with these <both> of you & write plainly.",
        },
        world,
        {"exercises": chosen},
    )


def feedback_form(app) -> Form:
    world = build_world(app)
    reflection_id = submit_reflection(app, world, world.recovering_id, "weekly-openness-log")
    return Form(
        Browser(app).login(world.alice),
        f"/review/{reflection_id}",
        {"feedback": "Thank you for naming Tuesday plainly.", "mark_reviewed": "y"},
        world,
        {"reflection": reflection_id},
    )


def session_form(app) -> Form:
    world = build_world(app)
    mine = submit_reflection(app, world, world.recovering_id, "weekly-openness-log")
    theirs = submit_reflection(
        app, world, world.outsider_id, "weekly-openness-log", world.other_couple_id
    )
    return Form(
        Browser(app).login(world.alice),
        f"/couples/{world.couple_id}/sessions/new",
        {
            "day": "2025-05-06",
            "start": "10:30",
            "duration_minutes": "50",
            "attendees": [str(world.recovering_id), str(world.hurt_id)],
            "note": "D: both calm <today> & open.\nA: steady.\nP: weekly check-in.",
            "reflections": [str(mine)],
        },
        world,
        {"mine": mine, "theirs": theirs},
    )


def session_edit_form(app) -> Form:
    form = session_form(app)
    world = form.world
    from practice.models import Couple

    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note = record_session(
            couple,
            _user(world.alice),
            starts_at=datetime.combine(date(2025, 5, 6), time(10, 30), tzinfo=clock.zone("UTC")),
            attendee_ids=[world.recovering_id],
            sections={"note": "The signed words."},
        )
        commit()
        form.url = f"/sessions/{note.id}/edit"
        form.ids["session"] = note.id
    return form


def reflection_form(app) -> Form:
    world = build_world(app)
    assignment_id = make_assignment(app, world, "weekly-openness-log")
    return Form(
        Browser(app).login(world.recovering),
        f"/my/assignments/{assignment_id}",
        {
            "answer_0": "I told her about Tuesday before she asked.",
            "answer_1": "",
            "answer_2": "",
            "action": "save",
        },
        world,
        {"assignment": assignment_id},
    )
