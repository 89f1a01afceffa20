"""Passwords are judged by how guessable they are (zxcvbn), not by composition rules, and a
change of password ends the person's other sessions."""

import pytest
from sqlalchemy import select

from practice import signin
from practice.db import session
from practice.models import User
from practice.services import PracticeError, accounts
from tests.helpers.pages import (
    Page,
    assert_kept,
    assert_refused,
    assert_unchanged,
    invitation_form,
    setup_form,
    snapshot,
)
from tests.helpers.people import PASSWORD, Browser, build_world

NEW_PASSWORD = "our kitchen table at seven"
GUESSABLE = "easy to guess"


def _user(app, email) -> User:
    with app.app_context():
        user = session.scalar(select(User).where(User.email == email))
        session.expunge(user)
        return user


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "one of the passwords people use most"),
        ("qwertyuiop12", "one of the passwords people use most"),
        ("aaaaaaaaaaaa", "repeated letters or words"),
        ("abcdefghijk1", "runs like abc"),
        ("Harbour Couples Therapy", "your name, your e-mail or the practice's name"),
        ("olive@example.org", "your name, your e-mail or the practice's name"),
    ],
    ids=["common", "keyboard-ish", "repeated", "sequence", "practice-name", "own-email"],
)
def test_setup_refuses_a_guessable_password_saying_why_and_keeps_the_rest(app, password, reason):
    form = setup_form(app)
    before = snapshot(app)
    page = form.send(password=password, confirm=password)
    assert_refused(page, "password", GUESSABLE)
    assert reason in page.error_for("password")
    assert_kept(page, {k: form.data[k] for k in ("practice_name", "name", "email")})
    assert page.value("password") in (None, ""), "a password is never sent back"
    assert_unchanged(app, before)


def test_the_founding_test_password_and_a_plain_sentence_pass(app):
    with app.app_context():
        for password in (PASSWORD, NEW_PASSWORD, "x" * 3 + " my own long sentence " * 50):
            accounts.check_password_rules(password, ("Olive Owner", "olive@example.org"))


def test_the_persons_own_words_are_what_makes_a_password_weak(app):
    """The same password passes for a stranger and fails for the person it names."""
    with app.app_context():
        accounts.check_password_rules("Harbour Couples Therapy")
        with pytest.raises(PracticeError, match="practice's name") as refused:
            accounts.check_password_rules(
                "Harbour Couples Therapy", ("Olive", "o@example.org", "Harbour Couples Therapy")
            )
        assert refused.value.field == "password"


def test_invitation_refuses_a_password_built_from_the_invited_persons_name(app):
    form = invitation_form(app)
    before = snapshot(app)
    page = form.send(password="Ines Invited Ines", confirm="Ines Invited Ines")
    assert_refused(page, "password", "your name, your e-mail")
    assert "Welcome, Ines Invited" in page.html
    assert_unchanged(app, before)
    assert form.send().status == 302, "the link still takes a good password"


# --- the account page ----------------------------------------------------------------


def _account(person: Browser, **data) -> Page:
    fields = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return Page(person.post("/account", {**fields, **data}))


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"current_password": ""}, "current_password", "Enter your current password."),
        (
            {"current_password": "not my harbour walk"},
            "current_password",
            "That is not your current password.",
        ),
        ({"password": "", "confirm": ""}, "password", "Choose a password."),
        ({"password": "short", "confirm": "short"}, "password", "Use 10 to 1024 characters"),
        ({"password": "password1234", "confirm": "password1234"}, "password", GUESSABLE),
        ({"password": "Alice Adler 2024", "confirm": "Alice Adler 2024"}, "password", "name"),
        ({"password": PASSWORD, "confirm": PASSWORD}, "password", "different from the current"),
        ({"confirm": NEW_PASSWORD + "!"}, "confirm", "The two passwords differ."),
    ],
    ids=["no-current", "wrong-current", "empty", "short", "common", "own-name", "same", "differ"],
)
def test_changing_the_password_with_bad_input_says_why_and_changes_nothing(
    app, changes, field_name, message
):
    world = build_world(app)
    alice = Browser(app).login(world.alice)
    before = snapshot(app)
    page = _account(alice, **changes)
    assert_refused(page, field_name, message)
    assert_unchanged(app, before)
    Browser(app).login(world.alice, PASSWORD)


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(app):
    world = build_world(app)
    here = Browser(app).login(world.alice)
    elsewhere = Browser(app).login(world.alice)
    other_person = Browser(app).login(world.bob)
    assert elsewhere.get("/dashboard").status_code == 200

    response = here.post(
        "/account",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert "Your password is changed" in here.text("/account")
    assert here.get("/dashboard").status_code == 200, "the session that changed it stays"

    ended = elsewhere.get("/dashboard")
    assert ended.status_code == 302 and "/login" in ended.location
    assert "You were signed out" in elsewhere.text("/login")
    assert elsewhere.get("/dashboard").status_code == 302, "and stays signed out"
    assert other_person.get("/dashboard").status_code == 200, "nobody else is signed out"

    assert (
        Browser(app).post("/login", {"email": world.alice, "password": PASSWORD}).status_code == 200
    )
    Browser(app).login(world.alice, NEW_PASSWORD)


def test_a_client_changes_their_password_too(app):
    world = build_world(app)
    riley = Browser(app).login(world.recovering)
    assert "Account" in riley.text("/my/")
    assert _account(riley).status == 302
    Browser(app).login(world.recovering, NEW_PASSWORD)


def test_the_account_page_shows_only_the_signed_in_person(app):
    world = build_world(app)
    page = Browser(app).login(world.hurt).text("/account")
    assert "harper@example.org" in page
    assert "riley@example.org" not in page and "Riley" not in page


def test_a_cookie_from_before_the_session_store_is_asked_to_sign_in_again(app):
    """Cookies made before sign-ins were kept on the server carry a user id, not a key."""
    world = build_world(app)
    alice = Browser(app).login(world.alice)
    with alice.client.session_transaction() as cookie:
        cookie[signin.SIGN_IN] = str(_user(app, world.alice).id)
    response = alice.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
    assert "You were signed out" in alice.text("/login")


@pytest.mark.real_password_hashing
def test_passwords_are_stored_as_scrypt_hashes_only(app):
    """The rest of the suite hashes cheaply for speed; the app itself uses scrypt."""
    from practice.db import commit

    with app.app_context():
        accounts.create_owner("Harbour", "Olive Owner", "owner@example.org", PASSWORD)
        commit()
    owner = _user(app, "owner@example.org")
    assert owner.password_hash.startswith("scrypt:")
    assert PASSWORD not in owner.password_hash
    with app.app_context():
        assert signin.authenticate("owner@example.org", PASSWORD) is not None
