"""Forgotten passwords: a single-use, one-hour link by e-mail, the same answer for every
e-mail typed (and no SMTP server waited for inside the request, for either), a link built
from the site's configured address whatever Host the request named, and a new password
that ends the person's other sessions."""

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import OutboxMail, PasswordReset, User
from tests.helpers.mailing import deliver, outbox
from tests.helpers.pages import Page, assert_kept, assert_refused, assert_unchanged, snapshot
from tests.helpers.people import CSRF, PASSWORD, Browser, build_world

NEW_PASSWORD = "our kitchen table at seven"
BASE = "https://practice.example.org"
LINK = re.compile(re.escape(BASE) + r"(/password/reset/[A-Za-z0-9_\-]+)")


@pytest.fixture
def reset_app(mail_app):
    app, mailbox = mail_app
    app.config["PRACTICE_BASE_URL"] = BASE
    return app, mailbox, build_world(app)


def _ask(app, email: str, person: Browser | None = None):
    """Ask for a link, then let the outbox send it (as the app does after the response)."""
    person = person or Browser(app)
    response = person.post("/password/forgot", {"email": email})
    deliver(app)
    return person, response


def _ask_from(app, base_url: str, email: str):
    """Ask through a request naming another site in its Host header, as an attacker does."""
    visitor = app.test_client()
    page = visitor.get("/password/forgot", base_url=base_url)
    if page.status_code != 200:
        return page
    match = CSRF.search(page.get_data(as_text=True))
    return visitor.post(
        "/password/forgot",
        data={"email": email, "csrf_token": match.group(1) or match.group(2)},
        base_url=base_url,
    )


def _link(mailbox, email: str, nth: int = -1) -> str:
    message = mailbox.to(email)[nth]
    match = LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)


def _reset(person: Browser, link: str, password: str = NEW_PASSWORD):
    # The token from a page that is always there: a used link answers 404 itself.
    return person.post(
        link, {"password": password, "confirm": password}, form_url="/password/forgot"
    )


def test_the_link_sets_a_new_password_once_and_signs_the_person_in(reset_app):
    app, mailbox, world = reset_app
    assert "Forgot your password?" in Browser(app).text("/login")
    person, response = _ask(app, world.recovering)
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "a link to choose a new password is on its way" in person.text("/login")

    [message] = mailbox.to(world.recovering)
    link = _link(mailbox, world.recovering)
    assert person.get(link).status_code == 200
    response = _reset(person, link)
    assert response.status_code == 302 and response.location.endswith("/my/")
    assert "Your new password is set" in person.text("/my/")

    assert person.get(link).status_code == 404, "a link works once"
    assert _reset(Browser(app), link, "another fine sentence here").status_code == 404
    assert (
        Browser(app).post("/login", {"email": world.recovering, "password": PASSWORD}).status_code
        == 200
    )
    Browser(app).login(world.recovering, NEW_PASSWORD)


def test_the_mail_says_nothing_about_therapy_or_the_partner(reset_app):
    app, mailbox, world = reset_app
    _ask(app, world.hurt)
    [message] = mailbox.to(world.hurt)
    text = (message["Subject"] + message.get_content()).lower()
    for word in ("couple", "therapy", "harbour", "riley", "recover", "trust"):
        assert word not in text
    assert "hello harper hurt" in text


def test_an_unknown_e_mail_gets_the_same_answer_and_no_mail(reset_app):
    app, mailbox, world = reset_app
    answers = []
    for email in (world.alice, "nobody@example.org"):
        person, response = _ask(app, email)
        page = re.sub(r'value="[^"]*"', "", person.text("/login"))  # the form's own token
        answers.append((response.status_code, response.location, page))
    assert answers[0] == answers[1]
    assert len(mailbox.messages) == 1 and mailbox.to(world.alice)


def test_a_disabled_account_gets_no_mail(reset_app):
    app, mailbox, world = reset_app
    with app.app_context():
        session.scalar(select(User).where(User.email == world.bob)).disabled = True
        commit()
    _, response = _ask(app, world.bob)
    assert response.status_code == 302
    assert mailbox.to(world.bob) == []


def test_a_link_expires_after_an_hour(reset_app):
    app, mailbox, world = reset_app
    _ask(app, world.alice)
    link = _link(mailbox, world.alice)
    with app.app_context():
        reset = session.scalar(select(PasswordReset))
        assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(hours=1)
        reset.expires_at = reset.created_at - timedelta(seconds=1)
        commit()
    assert Browser(app).get(link).status_code == 404
    assert _reset(Browser(app), link).status_code == 404
    Browser(app).login(world.alice, PASSWORD)


def test_a_new_link_or_a_changed_password_ends_the_earlier_links(reset_app):
    app, mailbox, world = reset_app
    _ask(app, world.alice)
    _ask(app, world.alice)
    first, second = _link(mailbox, world.alice, 0), _link(mailbox, world.alice, 1)
    assert Browser(app).get(first).status_code == 404
    assert Browser(app).get(second).status_code == 200

    alice = Browser(app).login(world.alice)
    changed = alice.post(
        "/account",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert Browser(app).get(second).status_code == 404


def test_only_the_hash_of_a_token_is_stored(reset_app):
    app, mailbox, world = reset_app
    _ask(app, world.alice)
    token = _link(mailbox, world.alice).rsplit("/", 1)[1]
    with app.app_context():
        stored = session.scalar(select(PasswordReset.token_hash))
    assert token not in stored and len(stored) == 64


def test_resetting_signs_out_the_persons_other_sessions(reset_app):
    app, mailbox, world = reset_app
    elsewhere = Browser(app).login(world.alice)
    _ask(app, world.alice)
    person = Browser(app)
    assert _reset(person, _link(mailbox, world.alice)).status_code == 302
    assert person.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302


def test_a_link_followed_while_someone_else_is_signed_in_signs_in_its_owner(reset_app):
    app, mailbox, world = reset_app
    shared_device = Browser(app).login(world.recovering)
    _ask(app, world.hurt)
    assert _reset(shared_device, _link(mailbox, world.hurt)).status_code == 302
    page = shared_device.text("/account")
    assert world.hurt in page and world.recovering not in page


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("", "", "Choose a password."),
        ("short", "short", "Use 10 to 1024 characters"),
        ("password1234", "password1234", "easy to guess"),
        ("Alice Adler 2024", "Alice Adler 2024", "your name"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
    ],
    ids=["empty", "short", "common", "own-name", "differ"],
)
def test_a_bad_new_password_is_refused_and_the_link_still_works(
    reset_app, password, confirm, message
):
    app, mailbox, world = reset_app
    _ask(app, world.alice)
    link = _link(mailbox, world.alice)
    before = snapshot(app)
    page = Page(Browser(app).post(link, {"password": password, "confirm": confirm}))
    field_name = "confirm" if "differ" in message else "password"
    assert_refused(page, field_name, message)
    assert_unchanged(app, before)
    assert _reset(Browser(app), link).status_code == 302


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter an e-mail address."),
        ("alice.example.org", "Enter an e-mail address like name@example.org."),
        ("a" * 250 + "@example.org", "254 characters"),
    ],
    ids=["empty", "invalid", "too-long"],
)
def test_asking_with_a_bad_e_mail_says_why_and_sends_nothing(reset_app, email, message):
    app, mailbox, _world = reset_app
    before = snapshot(app)
    page = Page(Browser(app).post("/password/forgot", {"email": email}))
    assert_refused(page, "email", message)
    assert_kept(page, {"email": email})
    assert_unchanged(app, before)
    assert mailbox.messages == []


def test_asking_again_and_again_must_wait_whether_the_account_exists_or_not(reset_app):
    app, mailbox, world = reset_app
    for email in (world.alice, "nobody@example.org"):
        person = Browser(app)
        for _ in range(3):
            assert _ask(app, email, person)[1].status_code == 302
        page = Page(_ask(app, email, person)[1])
        assert page.page_errors == ["Too many attempts. Try again in 1 minute."]
        assert page.value("email") == email
    assert len(mailbox.to(world.alice)) == 3


def test_without_mail_configured_the_page_answers_the_same(app):
    world = build_world(app)
    person = Browser(app)
    response = person.post("/password/forgot", {"email": world.alice})
    assert response.status_code == 302
    assert "a link to choose a new password is on its way" in person.text("/login")


def test_a_link_asked_for_under_another_host_is_mailed_at_the_configured_address(reset_app):
    app, mailbox, world = reset_app
    response = _ask_from(app, "http://evil.example.com", world.alice)
    assert response.status_code == 302
    deliver(app)
    [message] = mailbox.to(world.alice)
    assert "evil.example.com" not in message.get_content()
    link = _link(mailbox, world.alice)
    assert _reset(Browser(app), link).status_code == 302, "the mailed link works on the site"


def test_under_trusted_hosts_another_host_is_refused_and_the_sites_own_is_used(reset_app):
    app, mailbox, world = reset_app
    app.config.update(PRACTICE_BASE_URL=None, TRUSTED_HOSTS=["practice.example.org"])
    assert _ask_from(app, "http://evil.example.com", world.alice).status_code == 400
    assert outbox(app) == []
    assert _ask_from(app, BASE, world.alice).status_code == 302
    deliver(app)
    assert _link(mailbox, world.alice).startswith("/password/reset/")


def test_without_a_public_address_no_link_is_mailed_and_the_log_says_why(reset_app, caplog):
    app, mailbox, world = reset_app
    app.config["PRACTICE_BASE_URL"] = None
    answers = []
    with caplog.at_level(logging.WARNING):
        for email in (world.alice, "nobody@example.org"):
            person, response = _ask(app, email)
            page = re.sub(r'value="[^"]*"', "", person.text("/login"))
            answers.append((response.status_code, response.location, page))
    assert answers[0] == answers[1], "the same neutral answer"
    assert outbox(app) == [] and mailbox.messages == []
    assert "no mail went out" in caplog.text and "PRACTICE_BASE_URL" in caplog.text


def test_asking_talks_to_no_smtp_server_inside_the_request_for_either_answer(reset_app):
    app, mailbox, world = reset_app
    for email in (world.alice, "nobody@example.org"):
        response = Browser(app).post("/password/forgot", {"email": email})
        assert response.status_code == 302
        assert mailbox.conversations == 0, f"an SMTP conversation inside the request ({email})"
    [queued] = outbox(app)
    assert queued.recipient == world.alice and queued.kind == "password_reset"
    deliver(app)
    assert mailbox.conversations == 1 and len(mailbox.to(world.alice)) == 1


def test_a_reset_mail_not_sent_within_the_hour_is_given_up(reset_app):
    app, mailbox, world = reset_app
    Browser(app).post("/password/forgot", {"email": world.alice})
    with app.app_context():
        queued = session.scalar(select(OutboxMail))
        reset = session.scalar(select(PasswordReset))
        assert queued.stale_at == reset.expires_at
        queued.stale_at = reset.expires_at = reset.created_at
        commit()
    assert deliver(app).sent == 0 and mailbox.messages == []
