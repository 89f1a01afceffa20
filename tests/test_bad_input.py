"""Bad input gets a clear message next to the field, keeps what the user typed, and
changes nothing else: every form of the app, on SQLite and on PostgreSQL.

Each form is reached as a person reaches it (signed in, CSRF token scraped from the
page). A bad submission must answer 200 with the form again, the message inside the
same ``.field`` box as the input it concerns, every typed value back in its input or
textarea as Jinja escapes it, and the database exactly as it was before the request.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import select

from practice.db import commit, session
from practice.forms import CSRF_MESSAGE
from practice.models import Base, Exercise, Partner, Reflection, ReflectionStatus, User
from practice.services import accounts, assignments, clock, reflections
from tests.conftest import PASSWORD, Browser, World, build_world, record_session

LOGIN_MISMATCH = "That e-mail and password do not match an account."
# Tables a request may legitimately write to even when the form is refused.
UNTRACKED = re.compile(r"audit|attempt|throttl|login", re.IGNORECASE)
UNICODE_ANSWERS = [
    "Today felt lighter 🙂🌊 and I said so. 👩‍❤️‍👨 <b>&</b> \"quoted\" 'too'",
    "שלום, אני כאן. مرحبا، أنا هنا. (right-to-left, mixed with English)",
    "我们慢慢来。ゆっくり。천천히. Ελπίδα και εμπιστοσύνη — καλημέρα.",
]


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
    """Every row of every table (but audit and login-attempt records), to compare."""
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


# --- /setup -------------------------------------------------------------------------


def test_setup_with_every_field_empty_names_each_field_and_creates_no_owner(app):
    form = setup_form(app)
    before = snapshot(app)
    page = form.send(practice_name="", name="", email="", password="", confirm="")
    assert_refused(page, "practice_name", "Name your practice.")
    assert_refused(page, "name", "Enter a name.")
    assert_refused(page, "email", "Enter an e-mail address.")
    assert_refused(page, "password", "Choose a password.")
    assert_refused(page, "confirm", "Type the password again.")
    assert_unchanged(app, before)
    assert Browser(app).get("/").location.endswith("/setup")


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"practice_name": "   "}, "practice_name", "Name your practice."),
        ({"practice_name": "Ħarbour " * 15 + "X"}, "practice_name", "120 characters"),
        ({"name": " \t "}, "name", "Enter a name."),
        ({"name": ("Olive Ørsted " * 11)[:121]}, "name", "120 characters"),
        ({"email": "olive.example.org"}, "email", "Enter an e-mail address like name@example.org."),
        ({"password": "short", "confirm": "short"}, "password", "Use 10 to 1024 characters"),
        ({"confirm": PASSWORD + "!"}, "confirm", "The two passwords differ."),
    ],
    ids=[
        "blank-practice-name",
        "long-practice-name",
        "blank-name",
        "long-name",
        "invalid-email",
        "short-password",
        "passwords-differ",
    ],
)
def test_setup_with_bad_input_keeps_what_was_typed_and_creates_no_owner(
    app, changes, field_name, message
):
    form = setup_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    typed = {**form.data, **changes}
    assert_kept(page, {k: typed[k] for k in ("practice_name", "name", "email")})
    assert_unchanged(app, before)


def test_setup_name_of_121_characters_is_refused_and_120_is_not(app):
    form = setup_form(app)
    page = form.send(name="é" * 121)
    assert_refused(page, "name", "120 characters")
    assert form.send(name="é" * 120).status == 302


# --- /login -------------------------------------------------------------------------


def test_login_wrong_password_and_unknown_email_get_the_same_message(app):
    form = login_form(app)
    before = snapshot(app)
    wrong_password = form.send(password="not the right harbour walk")
    unknown_email = form.send(email="nobody@example.org")
    for page, email in ((wrong_password, form.world.alice), (unknown_email, "nobody@example.org")):
        assert page.status == 200
        assert page.page_errors == [LOGIN_MISMATCH], page.page_errors
        assert page.all_field_errors() == [], "the message must not point at one field"
        assert page.value("email") == email
        assert page.value("password") in (None, ""), "a password is never sent back"
    assert "not registered" not in unknown_email.html.lower()
    assert "wrong password" not in wrong_password.html.lower()
    assert form.browser.get("/dashboard").status_code == 302, "nobody is signed in"
    assert_unchanged(app, before)


def test_login_with_empty_fields_asks_for_each(app):
    form = login_form(app)
    page = form.send(email="", password="")
    assert_refused(page, "email", "Enter your e-mail.")
    assert_refused(page, "password", "Enter your password.")


def test_login_with_a_very_long_email_is_a_message_not_an_error(app):
    form = login_form(app)
    long_email = "a" * 300 + "@example.org"
    page = form.send(email=long_email)
    assert page.status == 200
    assert page.value("email") == long_email
    assert page.all_field_errors() or page.page_errors


# --- /invitation/<token> ----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"password": "", "confirm": ""}, "password", "Choose a password."),
        (
            {"password": "too short", "confirm": "too short"},
            "password",
            "Use 10 to 1024 characters",
        ),
        ({"password": "x" * 1025, "confirm": "x" * 1025}, "password", "Use 10 to 1024 characters"),
        ({"confirm": "a calm walk by the harbor"}, "confirm", "The two passwords differ."),
    ],
    ids=["empty", "short", "too-long", "mismatched"],
)
def test_invitation_with_bad_password_keeps_the_link_usable_and_sets_nothing(
    app, changes, field_name, message
):
    form = invitation_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    assert "Welcome, Ines Invited" in page.html
    assert_unchanged(app, before)
    assert form.browser.get(form.url).status_code == 200, "the link still works"
    assert form.send().status == 302, "and accepts a good password afterwards"


# --- /admin/practitioners ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"name": ""}, "name", "Enter a name."),
        ({"name": "   "}, "name", "Enter a name."),
        ({"name": "Dana " + "D" * 116}, "name", "120 characters"),
        ({"email": ""}, "email", "Enter an e-mail address."),
        ({"email": "dana@"}, "email", "Enter an e-mail address like name@example.org."),
        ({"email": "d" * 250 + "@example.org"}, "email", "254 characters"),
        (
            {"email": "Alice@Example.org"},
            "email",
            "Someone in this practice already uses this e-mail.",
        ),
        ({"credentials": "LPC, " + "C" * 116}, "credentials", "120 characters"),
    ],
    ids=[
        "empty-name",
        "blank-name",
        "long-name",
        "empty-email",
        "invalid-email",
        "long-email",
        "duplicate-email",
        "long-credentials",
    ],
)
def test_adding_a_practitioner_with_bad_input_keeps_it_and_adds_nobody(
    app, changes, field_name, message
):
    form = practitioners_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    assert_kept(page, {**form.data, **changes})
    assert_unchanged(app, before)


# --- /couples/new -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"first_name": ""}, "first_name", "Enter a name."),
        ({"first_name": "    "}, "first_name", "Enter a name."),
        ({"second_name": "Morgan " + "L" * 114}, "second_name", "120 characters"),
        ({"name": "The Lees " * 13 + "!!!!"}, "name", "120 characters"),
        ({"first_email": ""}, "first_email", "Enter an e-mail address."),
        (
            {"first_email": "jordan at example.org"},
            "first_email",
            "Enter an e-mail address like name@example.org.",
        ),
        (
            {"second_email": "RILEY@example.org"},
            "second_email",
            "Someone in this practice already uses this e-mail.",
        ),
        (
            {"second_email": "Jordan@Example.org"},
            "second_email",
            "Each partner needs their own e-mail address.",
        ),
    ],
    ids=[
        "empty-name",
        "blank-name",
        "long-name",
        "long-couple-name",
        "empty-email",
        "invalid-email",
        "email-of-another-client",
        "same-email-twice",
    ],
)
def test_new_couple_with_bad_input_keeps_both_partners_and_creates_nothing(
    app, changes, field_name, message
):
    form = couple_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    typed = {**form.data, **changes}
    assert_kept(page, {k: v for k, v in typed.items() if not k.endswith(("_role", "policy"))})
    assert page.selected["first_role"] == ["recovering"]
    assert page.selected["second_role"] == ["hurt"]
    assert page.checked("policy") == {"limited-secrets"}
    assert_unchanged(app, before)


def test_new_couple_with_a_role_the_program_lacks_is_refused_by_the_field(app):
    form = couple_form(app)
    before = snapshot(app)
    page = form.send(second_role="villain")
    assert page.status == 200
    assert page.errors_for("second_role"), page.all_field_errors()
    assert_kept(page, {"first_name": "Jordan Lee", "second_name": "Morgan Lee"})
    assert_unchanged(app, before)


def test_new_couple_names_in_any_script_up_to_120_characters_save_exactly(app):
    form = couple_form(app)
    first = "😀" * 120
    second = "מורגן לי · مورغان · 莫根 · Μόργκαν"
    response = form.browser.post(
        form.url, {**form.data, "name": "Ω & 😀", "first_name": first, "second_name": second}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    couple_page = form.browser.text(response.location)
    assert str(escape(first)) in couple_page
    assert str(escape(second)) in couple_page
    assert "Ω &amp; 😀" in couple_page


def test_new_couple_with_two_long_partner_names_and_no_couple_name_is_no_server_error(app):
    # Each name is allowed (120 characters); the couple's name made of both must still fit.
    form = couple_form(app)
    first, second = ("Jordan " * 20)[:120], ("Morgan " * 20)[:120]
    before = snapshot(app)
    page = form.send(name="", first_name=first, second_name=second)
    assert page.status in (200, 302), f"{page.status}\n{page.html[:2000]}"
    if page.status == 200:
        assert page.errors_for("name"), page.all_field_errors()
        assert_kept(page, {"first_name": first, "second_name": second})
        assert_unchanged(app, before)
    else:
        from practice.models import Couple

        with app.app_context():
            couple = session.scalars(select(Couple).order_by(Couple.id.desc())).first()
            assert len(couple.name) <= 120, f"{len(couple.name)} characters in a 120 column"


# --- /couples/<id>/assign -----------------------------------------------------------


def test_assign_with_past_due_date_keeps_choices_and_assigns_nothing(app):
    form = assign_form(app)
    before = snapshot(app)
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    page = form.send(due_on=yesterday)
    assert_refused(page, "due_on", "The due date is in the past.")
    assert page.checked("exercises") == set(form.data["exercises"])
    assert page.checked("audience") == {"both"}
    assert page.checked("repeat") == {"weekly"}
    assert_kept(page, {"due_on": yesterday, "note": form.data["note"]})
    assert_unchanged(app, before)


def test_assign_with_no_exercise_chosen_keeps_the_rest_and_assigns_nothing(app):
    form = assign_form(app)
    before = snapshot(app)
    page = form.send(exercises=None)
    assert_refused(page, "exercises", "Choose at least one exercise.")
    assert page.checked("audience") == {"both"}
    assert page.checked("repeat") == {"weekly"}
    assert_kept(page, {"due_on": form.data["due_on"], "note": form.data["note"]})
    assert_unchanged(app, before)


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"due_on": "2031-02-30"}, "due_on", "date"),
        ({"due_on": "next Tuesday"}, "due_on", "date"),
        ({"note": "Slowly. " * 250 + "!"}, "note", "2000 characters"),
        ({"exercises": ["999999"]}, "exercises", ""),
        ({"audience": "everyone"}, "audience", ""),
        ({"repeat": "hourly"}, "repeat", ""),
    ],
    ids=[
        "impossible-date",
        "words-for-a-date",
        "long-note",
        "unknown-exercise",
        "unknown-audience",
        "unknown-repeat",
    ],
)
def test_assign_with_bad_input_keeps_what_was_typed_and_assigns_nothing(
    app, changes, field_name, message
):
    form = assign_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert page.status == 200, page.html[:2000]
    assert page.errors_for(field_name), page.all_field_errors()
    assert message in page.error_for(field_name)
    typed = {**form.data, **changes}
    assert_kept(page, {"due_on": typed["due_on"], "note": typed["note"]})
    assert_unchanged(app, before)


# --- /review/<reflection_id> ----------------------------------------------------------


def test_feedback_over_the_limit_names_it_keeps_the_text_and_saves_nothing(app):
    form = feedback_form(app)
    limit = app.config["PRACTICE_MAX_NOTE_CHARS"]
    long_feedback = "You named it plainly & kindly. " * (limit // 31) + "x" * 40
    assert len(long_feedback) > limit
    before = snapshot(app)
    page = form.send(feedback=long_feedback, flag_for_session="y")
    assert_refused(page, "feedback", f"limited to {limit:,} characters")
    assert_kept(page, {"feedback": long_feedback})
    assert page.checked("flag_for_session") == {"y"}
    assert_unchanged(app, before)
    queue = form.browser.text("/review/")
    assert f"/review/{form.ids['reflection']}" in queue, "still waiting for review"


def test_feedback_form_sent_with_nothing_to_do_asks_for_feedback_or_review(app):
    form = feedback_form(app)
    before = snapshot(app)
    page = form.send(feedback="   ", mark_reviewed=None)
    assert_refused(page, "feedback", "Write feedback, or mark the reflection reviewed.")
    assert_unchanged(app, before)


# --- /couples/<id>/sessions/new and /sessions/<id>/edit -------------------------------


SESSION_CASES = [
    ({"duration_minutes": "0"}, "duration_minutes", "Length is in minutes, from 5 to 600."),
    ({"duration_minutes": "601"}, "duration_minutes", "Length is in minutes, from 5 to 600."),
    ({"duration_minutes": ""}, "duration_minutes", "Enter the length in minutes."),
    ({"duration_minutes": "fifty"}, "duration_minutes", "5 to 600"),
    ({"attendees": None}, "attendees", "Tick who attended."),
    ({"day": ""}, "day", "Enter the session's date."),
    ({"day": "2025-13-40"}, "day", "date"),
    ({"start": ""}, "start", "Enter the start time."),
    ({"start": "25:99"}, "start", "time"),
]
SESSION_IDS = [
    "length-0",
    "length-601",
    "no-length",
    "length-in-words",
    "no-attendees",
    "no-date",
    "impossible-date",
    "no-start",
    "impossible-time",
]


@pytest.mark.parametrize(("changes", "field_name", "message"), SESSION_CASES, ids=SESSION_IDS)
def test_new_session_with_bad_input_keeps_the_note_and_records_nothing(
    app, changes, field_name, message
):
    form = session_form(app)
    before = snapshot(app)
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    typed = {**form.data, **changes}
    assert_kept(page, {k: typed[k] for k in ("day", "start", "duration_minutes", "note")})
    assert page.checked("attendees") == set(typed["attendees"] or [])
    assert page.checked("reflections") == {str(form.ids["mine"])}
    assert_unchanged(app, before)


def test_new_session_with_another_couples_reflection_is_refused_and_records_nothing(app):
    form = session_form(app)
    before = snapshot(app)
    page = form.send(reflections=[str(form.ids["mine"]), str(form.ids["theirs"])])
    assert page.status == 200, page.html[:2000]
    assert page.errors_for("reflections"), page.all_field_errors()
    assert_kept(page, {"note": form.data["note"]})
    assert page.checked("attendees") == set(form.data["attendees"])
    assert "Quinn" not in page.html, "nothing about the other couple shows"
    assert_unchanged(app, before)


def test_new_session_note_over_the_limit_names_it_and_keeps_the_text(app):
    form = session_form(app)
    limit = app.config["PRACTICE_MAX_NOTE_CHARS"]
    long_note = "S: steady & <calm>.\n" * (limit // 20) + "O: one more line."
    assert len(long_note) > limit
    before = snapshot(app)
    page = form.send(note=long_note)
    assert_refused(page, "note", f"limited to {limit:,} characters")
    assert_kept(page, {"note": long_note})
    assert_unchanged(app, before)


@pytest.mark.parametrize(("changes", "field_name", "message"), SESSION_CASES, ids=SESSION_IDS)
def test_editing_a_session_with_bad_input_keeps_the_new_text_and_the_old_record(
    app, changes, field_name, message
):
    form = session_edit_form(app)
    before = snapshot(app)
    changes = {"note": "A corrected note that must not be saved yet.", **changes}
    page = form.send(**changes)
    assert_refused(page, field_name, message)
    typed = {**form.data, **changes}
    assert_kept(page, {k: typed[k] for k in ("day", "start", "duration_minutes", "note")})
    assert_unchanged(app, before)
    view = form.browser.text(f"/sessions/{form.ids['session']}")
    assert "The signed words." in view and "50 minutes" in view


def test_editing_a_session_to_add_another_couples_reflection_changes_nothing(app):
    form = session_edit_form(app)
    before = snapshot(app)
    page = form.send(reflections=[str(form.ids["theirs"])])
    assert page.status == 200, page.html[:2000]
    assert page.errors_for("reflections"), page.all_field_errors()
    assert_unchanged(app, before)


# --- /my/assignments/<id> -----------------------------------------------------------


def test_answer_over_the_limit_names_the_limit_keeps_the_text_and_saves_nothing(app):
    form = reflection_form(app)
    limit = app.config["PRACTICE_MAX_ANSWER_CHARS"]
    long_answer = "I kept writing <because> it helped & it was true.\n" * (limit // 50) + "!"
    assert len(long_answer) == limit + 1
    before = snapshot(app)
    page = form.send(answer_0=long_answer, answer_1="A short second answer.")
    assert_refused(page, "answer_0", f"the limit is {limit:,}")
    assert f"{limit + 1:,} characters" in page.error_for("answer_0")
    assert_kept(page, {"answer_0": long_answer, "answer_1": "A short second answer."})
    assert_unchanged(app, before)


def test_answer_over_the_limit_leaves_the_saved_draft_as_it_was(app):
    form = reflection_form(app)
    assert form.send().status == 302
    before = snapshot(app)
    too_long = "y" * (app.config["PRACTICE_MAX_ANSWER_CHARS"] + 5)
    page = form.send(answer_0=too_long, action="submit")
    assert_refused(page, "answer_0", "the limit is")
    assert_kept(page, {"answer_0": too_long})
    assert_unchanged(app, before)
    draft = Page(form.browser.get(form.url))
    assert draft.value("answer_0") == form.data["answer_0"]


@pytest.mark.parametrize("rating", ["11", "0", "-3", "ten"])
def test_rating_outside_one_to_ten_is_refused_by_the_scale_and_saves_nothing(app, rating):
    form = reflection_form(app)
    before = snapshot(app)
    page = form.send(
        rating_honesty=rating,
        rating_calm="7",
        shared_with_partner="y",
        answer_1="Nothing held back this week.",
    )
    assert_refused(page, "rating_honesty", "1 to 10")
    assert page.checked("rating_calm") == {"7"}
    assert page.checked("shared_with_partner") == {"y"}
    assert_kept(
        page, {"answer_0": form.data["answer_0"], "answer_1": "Nothing held back this week."}
    )
    assert_unchanged(app, before)


def test_submitting_with_every_answer_empty_asks_for_one_and_submits_nothing(app):
    form = reflection_form(app)
    before = snapshot(app)
    page = form.send(answer_0="  ", action="submit", rating_calm="4")
    assert_refused(page, "answer_0", "Write something for at least one question before submitting.")
    assert page.checked("rating_calm") == {"4"}
    assert_unchanged(app, before)


def test_unicode_answers_save_as_a_draft_and_come_back_exactly(app):
    form = reflection_form(app)
    answers = {f"answer_{i}": text for i, text in enumerate(UNICODE_ANSWERS)}
    page = form.send(**answers, action="save")
    assert page.status == 302, page.html[:2000]
    again = Page(form.browser.get(form.url))
    assert again.status == 200
    assert_kept(again, answers)
    with app.app_context():
        saved = session.scalars(select(Reflection)).one()
        assert saved.answers == UNICODE_ANSWERS
        assert saved.status == ReflectionStatus.DRAFT


def test_submitting_twice_leaves_exactly_one_submitted_reflection(app):
    form = reflection_form(app)
    token = form.browser.token(form.url)
    first = {**form.data, "answer_0": UNICODE_ANSWERS[0], "action": "submit"}
    second = {**first, "answer_0": "A second click with other words."}
    responses = [
        form.browser.client.post(form.url, data={**data, "csrf_token": token})
        for data in (first, second)
    ]
    assert [r.status_code for r in responses] == [302, 302]
    with app.app_context():
        saved = session.scalars(select(Reflection)).all()
        assert len(saved) == 1
        assert saved[0].status == ReflectionStatus.SUBMITTED
        assert saved[0].answers[0] == UNICODE_ANSWERS[0], "the first submission stands"


# --- control characters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "field_name"),
    [
        (couple_form, "first_name"),
        (session_form, "note"),
        (reflection_form, "answer_0"),
        (feedback_form, "feedback"),
    ],
    ids=["couple-name", "session-note", "reflection-answer", "feedback"],
)
def test_a_nul_character_is_refused_or_dropped_never_a_server_error(app, builder, field_name):
    form = builder(app)
    typed = "Before\x00after"
    before = snapshot(app)
    page = form.send(**{field_name: typed})
    assert page.status in (200, 302), f"{page.status}\n{page.html[:2000]}"
    if page.status == 200:
        assert page.errors_for(field_name), page.all_field_errors()
        assert_unchanged(app, before)
    else:
        after = snapshot(app)
        assert not any("\\x00" in str(rows) for rows in after.values()), "NUL stored"


# --- CSRF ---------------------------------------------------------------------------


CSRF_FORMS = [
    (setup_form, "name", "Olive “Harbour” Owner"),
    (login_form, "email", "alice@example.org"),
    (practitioners_form, "name", "Dana <Doe> & Co"),
    (couple_form, "first_name", "Jordan 🌊 Lee"),
    (assign_form, "note", "A note typed before the token expired & more."),
    (feedback_form, "feedback", "Feedback typed over a long lunch break."),
    (session_form, "note", "A session note typed over an hour.\nשלום"),
    (session_edit_form, "note", "An edit typed slowly."),
    (reflection_form, "answer_0", "An answer typed over a whole evening. 我们"),
]
CSRF_IDS = [
    "setup",
    "login",
    "practitioners",
    "new-couple",
    "assign",
    "feedback",
    "new-session",
    "edit-session",
    "reflection",
]


@pytest.mark.parametrize(
    "token", [None, "", "not-a-real-token"], ids=["missing-token", "empty-token", "forged-token"]
)
@pytest.mark.parametrize(("builder", "field_name", "typed"), CSRF_FORMS, ids=CSRF_IDS)
def test_a_form_without_a_valid_csrf_token_says_it_expired_keeps_the_text_saves_nothing(
    app, builder, field_name, typed, token
):
    form = builder(app)
    before = snapshot(app)
    page = form.send_with_token(token, **{field_name: typed})
    assert page.status == 200, f"{page.status}\n{page.html[:2000]}"
    assert CSRF_MESSAGE in page.page_errors, page.page_errors
    assert "expired" in CSRF_MESSAGE
    assert_kept(page, {field_name: typed})
    assert_unchanged(app, before)
    if builder is login_form:
        assert form.browser.get("/dashboard").status_code == 302, "nobody is signed in"


def test_an_invitation_without_a_csrf_token_says_it_expired_and_keeps_the_link(app):
    form = invitation_form(app)
    before = snapshot(app)
    page = form.send_with_token(None)
    assert page.status == 200
    assert CSRF_MESSAGE in page.page_errors
    assert_unchanged(app, before)
    assert form.send().status == 302, "the link still works with the form sent again"
