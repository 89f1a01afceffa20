"""Bad input gets a clear message next to the field, keeps what the user typed, and
changes nothing else: every form of the app, on SQLite and on PostgreSQL.

Each form is reached as a person reaches it (signed in, CSRF token scraped from the
page). A bad submission must answer 200 with the form again, the message inside the
same ``.field`` box as the input it concerns, every typed value back in its input or
textarea as Jinja escapes it, and the database exactly as it was before the request.
"""

from datetime import date, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from practice.db import session
from practice.forms import CSRF_MESSAGE
from practice.models import Reflection, ReflectionStatus
from tests.helpers.pages import (
    LOGIN_MISMATCH,
    Page,
    assert_kept,
    assert_refused,
    assert_unchanged,
    assign_form,
    couple_form,
    feedback_form,
    invitation_form,
    login_form,
    practitioners_form,
    reflection_form,
    session_edit_form,
    session_form,
    setup_form,
    snapshot,
)
from tests.helpers.people import PASSWORD, Browser

UNICODE_ANSWERS = [
    "Today felt lighter 🙂🌊 and I said so. 👩‍❤️‍👨 <b>&</b> \"quoted\" 'too'",
    "שלום, אני כאן. مرحبا، أنا هنا. (right-to-left, mixed with English)",
    "我们慢慢来。ゆっくり。천천히. Ελπίδα και εμπιστοσύνη — καλημέρα.",
]


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
