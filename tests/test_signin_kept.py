"""What a refused sign-in leaves behind (the throttle's count, the wrong two-factor code, the
audit row) stays even when the request's transaction is rolled back, and the throttle holds
across several app instances (workers) sharing one database."""

import threading
import time

import pyotp
import pytest
from sqlalchemy import func, select, update

from practice import kept, signin
from practice.db import commit, session
from practice.models import AuditEntry, ThrottleEvent, TwoFactor, TwoFactorAttempt, User, utcnow
from practice.services import PracticeError
from practice.services import two_factor as service
from tests.helpers.database import make_app
from tests.helpers.people import PASSWORD, Browser

WRONG = "not the right harbour walk"
CHALLENGE = "/login/two-factor"
TOO_MANY = "Too many attempts."


def _count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        total = session.scalar(query)
        session.remove()
        return total


@pytest.fixture
def undo_commits(app, monkeypatch):
    """From the call on, every commit of the request's session rolls back instead: as if
    each request ended in the rollback the commit point gives a refused form."""
    scoped = app.extensions["practice"].db.session
    return lambda: monkeypatch.setattr(scoped, "commit", scoped.rollback)


def _sign_in(person: Browser, email: str, password: str = WRONG) -> str:
    response = person.post("/login", {"email": email, "password": password})
    return response.get_data(as_text=True)


def test_a_failed_sign_in_then_a_rollback_still_leaves_its_count_and_audit_row(app, world):
    with app.test_request_context(
        "/login", method="POST", environ_base={"REMOTE_ADDR": "192.0.2.40"}
    ):
        with pytest.raises(PracticeError, match="do not match"):
            signin.check_credentials(world.alice, WRONG)
        session.rollback()  # what the request's commit point does with a refused form
    assert _count(app, ThrottleEvent, email=world.alice, address="192.0.2.40") == 1
    assert _count(app, AuditEntry, action="signin.failed", detail=world.alice) == 1


def test_refused_sign_ins_through_the_page_are_kept_and_the_throttle_still_blocks(
    app, world, browser, undo_commits
):
    undo_commits()
    person = browser()
    for _ in range(5):
        assert "do not match an account" in _sign_in(person, world.alice)
    assert _count(app, ThrottleEvent, email=world.alice) == 5
    assert _count(app, AuditEntry, action="signin.failed") == 5
    assert TOO_MANY in _sign_in(person, world.alice, PASSWORD)
    assert _count(app, AuditEntry, action="signin.throttled") == 1
    assert person.get("/dashboard").status_code == 302, "nobody is signed in"


def test_a_wrong_current_password_on_the_account_page_is_kept_too(
    app, world, browser, undo_commits
):
    undo_commits()
    alice = browser().login(world.alice)
    new = "a new sentence of mine"
    for _ in range(5):
        alice.post("/account", {"current_password": WRONG, "password": new, "confirm": new})
    assert _count(app, ThrottleEvent, email=world.alice) == 5
    assert TOO_MANY in _sign_in(browser(), world.alice, PASSWORD)


def _switch_on(app, email: str) -> str:
    with app.app_context():
        user = session.scalar(select(User).where(User.email == email))
        secret = pyotp.random_base32()
        session.add(TwoFactor(user_id=user.id, secret=secret, enabled_at=utcnow()))
        commit()
        return secret


def test_five_wrong_codes_end_the_pending_sign_in_although_each_request_rolls_back(
    app, world, browser, undo_commits
):
    secret = _switch_on(app, world.alice)
    undo_commits()
    valid = {pyotp.TOTP(secret).at(time.time() + 30 * step) for step in range(-2, 3)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid)
    alice = browser()
    assert alice.post("/login", {"email": world.alice, "password": PASSWORD}).location.endswith(
        CHALLENGE
    )
    for _ in range(4):
        assert alice.post(CHALLENGE, {"code": wrong}).status_code == 200
    response = alice.post(CHALLENGE, {"code": wrong})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert _count(app, TwoFactorAttempt) == 5
    assert _count(app, AuditEntry, action="twofactor.failed") == 5
    again = browser()
    again.post("/login", {"email": world.alice, "password": PASSWORD})
    assert again.get(CHALLENGE).location.endswith("/login"), "no more guesses for now"


def test_the_throttle_holds_across_two_app_instances_on_one_database(
    app, world, database_url, tmp_path, monkeypatch
):
    other_app = make_app(database_url, tmp_path / "second-worker")
    for each in (app, other_app):  # both workers roll every request back
        scoped = each.extensions["practice"].db.session
        monkeypatch.setattr(scoped, "commit", scoped.rollback)
    try:
        first, second = Browser(app), Browser(other_app)
        for person in (first, second, first, second, first):
            assert "do not match an account" in _sign_in(person, world.alice)
        for person in (Browser(app), Browser(other_app)):
            assert TOO_MANY in _sign_in(person, world.alice, PASSWORD)
        assert _count(app, AuditEntry, action="signin.failed") == 5
    finally:
        with other_app.app_context():
            session.remove()
            other_app.extensions["practice"].db.engine.dispose()


def test_a_kept_write_never_waits_on_the_requests_own_write(app, world):
    """SQLite has one writer at a time: a kept write while the request is writing would wait
    for itself, so it is refused at once. PostgreSQL locks rows: it goes ahead, and stays."""
    with app.test_request_context("/login", method="POST"):
        session.execute(update(User).where(User.email == world.bob).values(name="Bob Busy"))
        if session.get_bind(mapper=User).dialect.name == "sqlite":
            assert kept.request_is_writing()
            with pytest.raises(kept.RequestHoldsTheWriteLock):
                service.claim_code_attempt(
                    session.scalar(select(User).filter_by(email=world.alice))
                )
        else:
            assert not kept.request_is_writing()
            alice = session.scalar(select(User).filter_by(email=world.alice))
            assert service.claim_code_attempt(alice) == 1
        session.rollback()
    assert _count(app, User, name="Bob Busy") == 0
    expected = 0 if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"] else 1
    assert _count(app, TwoFactorAttempt) == expected


# --- many at once ---------------------------------------------------------------------------

AT_ONCE = 30


def _all_at_once(send, times: int = AT_ONCE) -> list[str]:
    """``send(i)`` from ``times`` threads released together; the pages they got back."""
    start = threading.Barrier(times)
    pages: list[str] = [""] * times

    def run(i):
        start.wait()
        response = send(i)
        pages[i] = f"{response.status_code} {response.get_data(as_text=True)}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return pages


def test_thirty_wrong_passwords_at_once_check_no_more_than_the_limit(app, world):
    """An attacker sends 30 guesses for one account together. Checking the wait and counting
    the attempt are one step, so 5 passwords are checked (it was 18) and 25 are told to wait;
    the sixth guess never reaches the password, however the requests interleave."""
    people = [Browser(app) for _ in range(AT_ONCE)]
    tokens = [person.token("/login") for person in people]
    pages = _all_at_once(
        lambda i: people[i].client.post(
            "/login", data={"email": world.alice, "password": WRONG, "csrf_token": tokens[i]}
        )
    )
    checked = [page for page in pages if "do not match an account" in page]
    waiting = [page for page in pages if TOO_MANY in page]
    assert (len(checked), len(waiting)) == (5, AT_ONCE - 5), [page[:80] for page in pages]
    assert _count(app, ThrottleEvent, email=world.alice) == 5
    assert _count(app, AuditEntry, action="signin.failed") == 5
    assert TOO_MANY in _sign_in(Browser(app), world.alice, PASSWORD), "the right one waits too"


def test_thirty_wrong_codes_at_once_check_no_more_than_five(app, world, browser):
    """30 guesses of the code sent together with one pending sign-in's cookie: 5 are checked
    and counted (it was 19), the rest end the attempt unchecked, and the right code then
    no longer signs in."""
    secret = _switch_on(app, world.alice)
    valid = {pyotp.TOTP(secret).at(time.time() + 30 * step) for step in range(-2, 3)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid)
    alice = browser()
    assert alice.post("/login", {"email": world.alice, "password": PASSWORD}).location.endswith(
        CHALLENGE
    )
    token = alice.token(CHALLENGE)
    cookie = alice.client.get_cookie("session")
    guessers = []
    for _ in range(AT_ONCE):
        guesser = app.test_client()
        guesser.set_cookie("session", cookie.value, domain=cookie.domain)
        guessers.append(guesser)
    pages = _all_at_once(
        lambda i: guessers[i].post(CHALLENGE, data={"code": wrong, "csrf_token": token})
    )
    assert all(page.startswith(("200 ", "302 ")) for page in pages), [p[:60] for p in pages]
    assert _count(app, TwoFactorAttempt) == 5
    assert _count(app, AuditEntry, action="twofactor.failed") == 5
    right = alice.client.post(
        CHALLENGE, data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert right.status_code == 302 and right.location.endswith("/login")
    assert alice.get("/dashboard").status_code == 302, "nobody is signed in"
