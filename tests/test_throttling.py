"""Repeated failed sign-ins make the account and the address wait, longer each time, with the
same answer for e-mails that have an account and e-mails that do not."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import ThrottleEvent
from practice.services import throttle
from tests.helpers.database import counted_queries, make_app
from tests.helpers.pages import LOGIN_MISMATCH, Page
from tests.helpers.people import PASSWORD, Browser, build_world

WRONG = "not the right harbour walk"


def _sign_in(person: Browser, email: str, password: str = WRONG, **kwargs) -> Page:
    return Page(person.post("/login", {"email": email, "password": password}, **kwargs))


def _fail(person: Browser, email: str, times: int, **kwargs) -> None:
    for _ in range(times):
        page = _sign_in(person, email, **kwargs)
        assert page.page_errors == [LOGIN_MISMATCH], page.page_errors


def _wait_passes(app, seconds: float) -> None:
    """As if time went by: every recorded attempt moves into the past."""
    with app.app_context():
        for event in session.scalars(select(ThrottleEvent)):
            event.created_at -= timedelta(seconds=seconds)
        commit()


def _waiting(page: Page) -> str:
    assert page.status == 200
    [message] = page.page_errors
    assert re.fullmatch(r"Too many attempts\. Try again in \d+ minutes?\.", message), message
    return message


def test_five_failures_make_the_account_wait_even_for_the_right_password(world, browser):
    person = browser()
    _fail(person, world.alice, 5)
    page = _sign_in(person, world.alice, PASSWORD)
    assert _waiting(page) == "Too many attempts. Try again in 1 minute."
    assert page.value("email") == world.alice
    assert person.get("/dashboard").status_code == 302, "nobody is signed in"


def test_the_wait_grows_with_each_failure_and_stops_at_an_hour(app, world, browser):
    person = browser()
    _fail(person, world.alice, 5)
    expected = [1, 1, 2, 4, 8, 16, 32, 60, 60]  # 30 s shows as 1 minute, then doubling
    for minutes in expected:
        unit = "minute" if minutes == 1 else "minutes"
        assert _waiting(_sign_in(person, world.alice)) == (
            f"Too many attempts. Try again in {minutes} {unit}."
        )
        _wait_passes(app, minutes * 60)
        assert _sign_in(person, world.alice).page_errors == [LOGIN_MISMATCH]


def test_attempts_while_waiting_do_not_check_the_password_or_count(app, world, browser):
    person = browser()
    _fail(person, world.alice, 5)
    with counted_queries(app) as statements:
        _sign_in(person, world.alice, PASSWORD)
    assert not any("password_hash" in s for s in statements), "the account was never loaded"
    for _ in range(5):
        _sign_in(person, world.alice)
    with app.app_context():
        assert len(session.scalars(select(ThrottleEvent)).all()) == 5
    _wait_passes(app, 31)
    Browser(app).login(world.alice)


def test_failures_older_than_fifteen_minutes_do_not_count(app, world, browser):
    person = browser()
    _fail(person, world.alice, 4)
    _wait_passes(app, 15 * 60 + 1)
    _fail(person, world.alice, 4)
    person.login(world.alice)


def test_a_quiet_spell_after_the_wait_starts_afresh(app, world, browser):
    person = browser()
    _fail(person, world.alice, 5)
    _wait_passes(app, 31)
    _fail(person, world.alice, 1)  # the sixth: a minute's wait
    _wait_passes(app, 60 + 15 * 60 + 1)
    _fail(person, world.alice, 4)
    person.login(world.alice)


def test_signing_in_clears_the_accounts_failures(world, browser):
    person = browser()
    _fail(person, world.alice, 4)
    person.login(world.alice)
    other = browser()
    _fail(other, world.alice, 4)
    other.login(world.alice)


def test_unknown_e_mails_are_throttled_and_answered_exactly_like_known_ones(world, browser):
    def answers(email: str) -> list[str]:
        person = browser()
        pages = [_sign_in(person, email) for _ in range(6)]
        # The only differences allowed: the e-mail typed and the form's own token.
        return [re.sub(r'value="[^"]*"', "", page.html).replace(email, "EMAIL") for page in pages]

    known, unknown = answers(world.bob), answers("nobody@example.org")
    assert known == unknown
    assert "Too many attempts" in known[-1] and LOGIN_MISMATCH in known[0]


def test_many_accounts_from_one_address_make_that_address_wait(app, world, browser):
    person = browser()
    emails = [f"guess{i}@example.org" for i in range(20)]
    for email in emails:
        _fail(person, email, 1)
    assert _waiting(_sign_in(person, world.alice, PASSWORD))
    elsewhere = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
    assert _sign_in(browser(), world.alice, PASSWORD, **elsewhere).status == 302, (
        "Alice, from her own address, is not locked out by someone else's guessing"
    )


def test_behind_a_proxy_the_forwarded_address_is_the_one_throttled(app, database_url, tmp_path):
    world = build_world(app)
    app = make_app(database_url, tmp_path / "proxied", PRACTICE_PROXIES=1)
    try:
        guesser = {"headers": {"X-Forwarded-For": "203.0.113.9"}}
        person = Browser(app)
        for i in range(20):
            _sign_in(person, f"guess{i}@example.org", **guesser)
        assert _waiting(_sign_in(person, world.alice, PASSWORD, **guesser))
        neighbour = {"headers": {"X-Forwarded-For": "203.0.113.10"}}
        assert _sign_in(Browser(app), world.alice, PASSWORD, **neighbour).status == 302
    finally:
        with app.app_context():
            session.remove()
            app.extensions["practice"].db.engine.dispose()


def test_a_wrong_current_password_on_the_account_page_counts_too(world, browser):
    alice = browser().login(world.alice)
    for _ in range(5):
        alice.post(
            "/account",
            {
                "current_password": WRONG,
                "password": "a new sentence of mine",
                "confirm": "a new sentence of mine",
            },
        )
    page = Page(
        alice.post(
            "/account",
            {
                "current_password": PASSWORD,
                "password": "a new sentence of mine",
                "confirm": "a new sentence of mine",
            },
        )
    )
    assert "Too many attempts" in page.error_for("current_password")
    assert _waiting(_sign_in(browser(), world.alice, PASSWORD))


@pytest.mark.parametrize(
    ("gaps_seconds", "limit", "waits_until"),
    [
        ([0, 1, 1, 1], 5, None),
        ([0, 1, 1, 1, 1], 5, 30),
        ([0, 1, 1, 1, 1, 40], 5, 60),
        ([0, 1, 1, 1, 1, 40, 70, 130, 250], 5, 480),
        ([0, 300, 300, 300, 301], 5, None),  # spread over more than 15 minutes
        ([0, 1, 1, 1, 1, 30 + 15 * 60 + 1], 5, None),  # a new run after a quiet spell
    ],
)
def test_the_waiting_rule(gaps_seconds, limit, waits_until):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moments, moment = [], start
    for gap in gaps_seconds:
        moment += timedelta(seconds=gap)
        moments.append(moment)
    ready = throttle._ready_at(moments, limit)
    if waits_until is None:
        assert ready is None
    else:
        assert ready == moments[-1] + timedelta(seconds=waits_until)
