"""Two-factor sign-in: set-up with a QR code, the code step after the password, recovery
codes, switching off, and the owner's rule that every practitioner uses it.

Codes are computed here with pyotp from the real secret, as a phone app would.
"""

import re
import time

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import PracticeProfile, RecoveryCode, TwoFactor, User
from practice.services import accounts
from practice.services import two_factor as service
from practice.signin import PENDING
from tests.helpers.pages import Page, assert_kept, assert_refused, assert_unchanged, snapshot
from tests.helpers.people import PASSWORD
from tests.helpers.two_factor import code_now, switch_on

CHALLENGE = "/login/two-factor"
SETTINGS = "/account/two-factor"


def _user(email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def wrong_code(secret: str) -> str:
    valid = {code_now(secret, offset) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


def signed_in(person) -> bool:
    return person.get("/dashboard").status_code == 200


def password_step(browser, email: str):
    """A person who typed the right password; returns the browser, at the code step."""
    person = browser()
    response = person.post("/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith(CHALLENGE)
    return person


def is_on(app, email: str) -> bool:
    with app.app_context():
        return service.is_enabled(_user(email))


# --- set-up ---------------------------------------------------------------------------


def test_setup_draws_the_qr_code_as_svg_without_inline_style_and_shows_the_key(app, world, browser):
    alice = browser().login(world.alice)
    response = alice.get(SETTINGS)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and 'class="qr"' in html
    assert "style=" not in html, "the CSP forbids inline style attributes"
    assert "<script" not in html.replace('<script src="/assets/practice.js" defer></script>', ""), (
        "no inline script either"
    )
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)
    with app.app_context():
        record = session.scalar(select(TwoFactor))
        assert record.secret == secret and record.enabled_at is None
        uri = service.provisioning_uri(record, _user(world.alice), "Harbour Couples Therapy")
    assert uri.startswith("otpauth://totp/") and "issuer=Harbour%20Couples%20Therapy" in uri
    assert alice.text(SETTINGS).count(secret) == 1, "a reload shows the same key to scan"


def test_setup_is_switched_on_only_by_a_current_code_and_shows_ten_codes_once(app, world, browser):
    alice = browser().login(world.alice)
    html = alice.text(SETTINGS)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)

    page = Page(alice.post(SETTINGS, {"code": wrong_code(secret)}))
    assert_refused(page, "code", "That code does not match.")
    assert not is_on(app, world.alice)

    response = alice.post(SETTINGS, {"code": code_now(secret)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert is_on(app, world.alice)
    with app.app_context():
        stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}, (
        "only hashes are kept"
    )
    again = alice.text(SETTINGS)
    assert "Two-factor sign-in is <strong>on</strong>" in again
    assert not any(code in again for code in codes), "recovery codes are shown only once"


def test_setup_with_bad_input_says_so_by_the_field_keeps_it_and_changes_nothing(
    app, world, browser
):
    alice = browser().login(world.alice)
    alice.get(SETTINGS)
    before = snapshot(app)
    for typed, message in [
        ("", "Enter the 6-digit code from your app."),
        ("12ab56", "Enter the 6-digit code from your authenticator app."),
        ("9" * 65, "A code is 6 digits."),
    ]:
        page = Page(alice.post(SETTINGS, {"code": typed}))
        assert_refused(page, "code", message)
        assert_kept(page, {"code": typed})
    assert_unchanged(app, before)


def test_setup_without_a_valid_form_token_says_it_expired_and_keeps_the_code(app, world, browser):
    from practice.forms import CSRF_MESSAGE

    alice = browser().login(world.alice)
    alice.get(SETTINGS)
    page = Page(alice.client.post(SETTINGS, data={"code": "123456", "csrf_token": "stale"}))
    assert page.status == 200 and CSRF_MESSAGE in page.html
    assert_kept(page, {"code": "123456"})
    assert not is_on(app, world.alice)


# --- signing in -----------------------------------------------------------------------


def test_sign_in_with_a_real_code_after_the_password(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    assert not signed_in(alice), "a correct password alone does not sign in"
    page = alice.text(CHALLENGE)
    assert "Code from your app, or a recovery code" in page
    response = alice.post(CHALLENGE, {"code": code_now(secret)})
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    assert signed_in(alice)


def test_sign_in_returns_to_the_page_asked_for(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = browser()
    response = alice.post("/login?next=/review/", {"email": world.alice, "password": PASSWORD})
    assert response.location.endswith(CHALLENGE)
    response = alice.post(CHALLENGE, {"code": code_now(secret)})
    assert response.location.endswith("/review/")


def test_a_code_from_the_step_before_still_works_for_a_slow_phone(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    alice.post(CHALLENGE, {"code": code_now(secret, -1)})
    assert signed_in(alice)


def test_a_code_two_steps_old_is_refused(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    old = code_now(secret, -3)
    if old in {code_now(secret, offset) for offset in (-1, 0, 1)}:
        pytest.skip("the old code happens to equal a current one")
    page = Page(alice.post(CHALLENGE, {"code": old}))
    assert_refused(page, "code", "That code does not match.")
    assert not signed_in(alice)


def test_a_wrong_code_says_so_by_the_field_keeps_it_and_does_not_sign_in(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    before = snapshot(app)
    typed = wrong_code(secret)
    page = Page(alice.post(CHALLENGE, {"code": typed}))
    assert_refused(page, "code", "That code does not match.")
    assert_kept(page, {"code": typed})
    assert_unchanged(app, before)
    assert not signed_in(alice)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the code from your app, or a recovery code."),
        ("   ", "Enter the code from your app, or a recovery code."),
        ("x" * 65, "A code is 6 digits; a recovery code is 10 letters and digits."),
        ("שלום 🙂", "Enter the 6-digit code from your app, or a recovery code"),
        ("12345", "Enter the 6-digit code from your app, or a recovery code"),
        ("abcde-fghjk", "That recovery code does not match, or it was used already."),
    ],
    ids=["empty", "spaces", "too-long", "unicode", "five-digits", "unknown-recovery"],
)
def test_bad_codes_at_sign_in_are_messages_by_the_field(app, world, browser, typed, message):
    switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    before = snapshot(app)
    page = Page(alice.post(CHALLENGE, {"code": typed}))
    assert_refused(page, "code", message)
    assert_kept(page, {"code": typed})
    assert_unchanged(app, before)


def test_the_same_code_never_works_twice(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    code = code_now(secret)
    first = password_step(browser, world.alice)
    first.post(CHALLENGE, {"code": code})
    assert signed_in(first)
    second = password_step(browser, world.alice)
    page = Page(second.post(CHALLENGE, {"code": code}))
    assert_refused(page, "code", "That code was just used. Wait for the next one to appear.")
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(app, world, browser):
    _, codes = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    response = alice.post(CHALLENGE, {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert "You used a recovery code; 9 are left." in alice.text("/dashboard")
    again = password_step(browser, world.alice)
    page = Page(again.post(CHALLENGE, {"code": codes[3]}))
    assert_refused(page, "code", "That recovery code does not match, or it was used already.")
    assert not signed_in(again)
    other = password_step(browser, world.alice)
    other.post(CHALLENGE, {"code": codes[4]})
    assert signed_in(other)


def test_a_recovery_code_works_only_for_its_own_account(app, world, browser):
    _, alice_codes = switch_on(app, world.alice)
    switch_on(app, world.bob)
    bob = password_step(browser, world.bob)
    page = Page(bob.post(CHALLENGE, {"code": alice_codes[0]}))
    assert_refused(page, "code", "That recovery code does not match")
    assert not signed_in(bob)


def test_the_code_step_ends_after_five_minutes(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    token = alice.token(CHALLENGE)
    with alice.client.session_transaction() as cookie:
        cookie[PENDING] = {**cookie[PENDING], "at": int(time.time()) - 5 * 60 - 5}
    response = alice.client.post(CHALLENGE, data={"code": code_now(secret), "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "That took longer than 5 minutes, so please sign in again." in alice.text("/login")
    assert not signed_in(alice)
    assert alice.get(CHALLENGE).location.endswith("/login"), "the pending sign-in is gone"


def test_five_wrong_codes_end_the_sign_in_and_hold_off_more_guesses(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    wrong = wrong_code(secret)
    for _ in range(4):
        assert alice.post(CHALLENGE, {"code": wrong}).status_code == 200
    response = alice.post(CHALLENGE, {"code": wrong})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "Too many wrong codes." in alice.text("/login")
    # The password again does not buy more guesses, even with the right code.
    again = password_step(browser, world.alice)
    response = again.client.get(CHALLENGE)
    assert response.status_code == 302 and response.location.endswith("/login")
    assert not signed_in(again)


def test_a_wrong_code_count_resets_after_a_good_sign_in(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    for _ in range(4):
        alice.post(CHALLENGE, {"code": wrong_code(secret)})
    alice.post(CHALLENGE, {"code": code_now(secret)})
    assert signed_in(alice)
    with app.app_context():
        assert service.recent_wrong_codes(_user(world.alice)) == 0


def test_without_two_factor_the_password_still_signs_in(world, browser):
    alice = browser().login(world.alice)
    assert signed_in(alice)


def test_the_code_page_without_a_password_first_goes_to_sign_in(world, browser):
    person = browser()
    assert person.get(CHALLENGE).location.endswith("/login")


def test_the_code_page_shows_nothing_about_the_account(app, world, browser):
    switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    page = alice.text(CHALLENGE)
    assert world.alice not in page and "Alice" not in page


# --- clients never use it ----------------------------------------------------------------


@pytest.mark.parametrize("url", [SETTINGS, "/admin/two-factor"])
def test_a_client_cannot_reach_two_factor_pages(world, browser, url):
    riley = browser().login(world.recovering)
    assert riley.get(url).status_code == 404


def test_a_client_cannot_post_to_two_factor_pages(world, browser):
    riley = browser().login(world.recovering)
    token = riley.token("/my/")
    for url in (SETTINGS, SETTINGS + "/off", SETTINGS + "/recovery-codes"):
        assert riley.client.post(url, data={"csrf_token": token}).status_code == 404


def test_a_client_signs_in_with_the_password_alone_even_when_required(app, world, browser):
    with app.app_context():
        session.scalar(select(PracticeProfile)).require_two_factor = True
        commit()
    riley = browser().login(world.recovering)
    assert riley.get("/my/").status_code == 200


# --- switching off and new recovery codes -----------------------------------------------


def test_switching_off_needs_the_password_and_a_code(app, world, browser):
    secret, _ = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    alice.post(CHALLENGE, {"code": code_now(secret, -1)})
    before = snapshot(app)
    typed = code_now(secret)
    page = Page(
        alice.post(SETTINGS + "/off", {"password": "not it", "code": typed}, form_url=SETTINGS)
    )
    assert_refused(page, "password", "That is not your password.")
    assert_kept(page, {"code": typed})
    page = Page(
        alice.post(
            SETTINGS + "/off", {"password": PASSWORD, "code": wrong_code(secret)}, form_url=SETTINGS
        )
    )
    assert_refused(page, "code", "That code does not match.")
    assert_unchanged(app, before)
    assert is_on(app, world.alice)

    response = alice.post(
        SETTINGS + "/off", {"password": PASSWORD, "code": code_now(secret)}, form_url=SETTINGS
    )
    assert response.status_code == 302
    assert "Two-factor sign-in is off." in alice.text(SETTINGS)
    assert not is_on(app, world.alice)
    with app.app_context():
        assert session.scalar(select(RecoveryCode)) is None
    assert signed_in(browser().login(world.alice)), "the password alone signs in again"


def test_new_recovery_codes_need_the_password_and_replace_the_old(app, world, browser):
    secret, old_codes = switch_on(app, world.alice)
    alice = password_step(browser, world.alice)
    alice.post(CHALLENGE, {"code": code_now(secret, -1)})
    before = snapshot(app)
    page = Page(
        alice.post(SETTINGS + "/recovery-codes", {"current_password": ""}, form_url=SETTINGS)
    )
    assert_refused(page, "current_password", "Enter your password.")
    page = Page(
        alice.post(SETTINGS + "/recovery-codes", {"current_password": "nope"}, form_url=SETTINGS)
    )
    assert_refused(page, "current_password", "That is not your password.")
    assert_unchanged(app, before)

    html = alice.post(
        SETTINGS + "/recovery-codes", {"current_password": PASSWORD}, form_url=SETTINGS
    ).get_data(as_text=True)
    new_codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)
    assert len(new_codes) == 10
    late = password_step(browser, world.alice)
    page = Page(late.post(CHALLENGE, {"code": old_codes[0]}))
    assert_refused(page, "code", "That recovery code does not match")
    late.post(CHALLENGE, {"code": new_codes[0]})
    assert signed_in(late)


# --- the owner's rule -------------------------------------------------------------------


def test_owner_requires_it_and_a_practitioner_can_reach_nothing_else_until_set_up(
    app, world, browser
):
    owner = browser().login(world.owner)
    assert "Off" in owner.text("/admin/two-factor")
    response = owner.post("/admin/two-factor", {"require": "y"})
    assert response.status_code == 302
    assert "now required for every practitioner" in owner.text("/admin/two-factor")
    assert signed_in(owner), "the rule is for practitioners; the owner chooses for themself"

    alice = browser().login(world.alice)
    for url in ("/dashboard", "/review/", f"/couples/{world.couple_id}", "/couples/new"):
        response = alice.get(url)
        assert response.status_code == 302 and response.location.endswith(SETTINGS), url
    page = alice.text(SETTINGS)
    assert "Your practice asks every practitioner to sign in with a code" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    alice.post(SETTINGS, {"code": code_now(secret)})
    assert signed_in(alice)
    manage = alice.text(SETTINGS)
    assert "so it stays on" in manage and "Turn off two-factor sign-in" not in manage
    response = alice.post(
        SETTINGS + "/off", {"password": PASSWORD, "code": code_now(secret, 1)}, form_url=SETTINGS
    )
    assert is_on(app, world.alice), "it cannot be switched off while the practice requires it"
    assert response.status_code == 200


def test_a_new_practitioner_accepting_an_invitation_is_sent_to_set_up_when_required(
    app, world, browser
):
    with app.app_context():
        session.scalar(select(PracticeProfile)).require_two_factor = True
        _user_, token = accounts.add_practitioner("Nia New", "nia@example.org")
        commit()
    nia = browser()
    nia.post(f"/invitation/{token}", {"password": PASSWORD, "confirm": PASSWORD})
    response = nia.get("/dashboard")
    assert response.status_code == 302 and response.location.endswith(SETTINGS)


def test_owner_can_make_it_optional_again(app, world, browser):
    owner = browser().login(world.owner)
    owner.post("/admin/two-factor", {"require": "y"})
    owner.post("/admin/two-factor", {})
    assert "each practitioner&#39;s choice" in owner.text("/admin/two-factor")
    with app.app_context():
        assert session.scalar(select(PracticeProfile)).require_two_factor is False
    assert signed_in(browser().login(world.alice))


def test_the_owners_page_lists_who_uses_it(app, world, browser):
    switch_on(app, world.bob)
    html = browser().login(world.owner).text("/admin/two-factor")
    rows = dict(
        re.findall(r"<strong>([^<]+)</strong>.*?data-label=\"Two-factor\">(On|Off)", html, re.S)
    )
    assert rows == {"Alice Adler": "Off", "Bob Brand": "On", "Olive Owner": "Off"}
    assert "Riley" not in html, "clients are not staff"


# --- a password set through a link still needs the code --------------------------------------

NEW_PASSWORD = "our kitchen table at seven"
INVITATION = re.compile(r"(/invitation/[A-Za-z0-9_\-]+)")


def test_the_owners_new_invitation_for_a_two_factor_practitioner_reaches_no_couple(
    app, world, browser
):
    """The attack: the owner makes a new invitation link for a practitioner with two-factor
    on, follows it, and would be signed in as them, with their couples and notes. An
    invitation is only for an account not yet in use (item 2), so no link is made; a link
    that does set a password (a reset) still asks the code (the tests below)."""
    secret, _ = switch_on(app, world.alice)
    owner = browser().login(world.owner)
    with app.app_context():
        alice_id = _user(world.alice).id
    owner.post(f"/admin/practitioners/{alice_id}/invitation", form_url="/admin/practitioners")
    practitioners = owner.text("/admin/practitioners")
    assert not INVITATION.search(practitioners), "no link for an active account"
    assert owner.get(f"/couples/{world.couple_id}").status_code == 404
    assert "Riley" not in owner.text("/review/"), "Alice's couples stay hers"

    # Alice signs in with her own password and her code, as always.
    alice = browser()
    response = alice.post("/login", {"email": world.alice, "password": PASSWORD})
    assert response.location.endswith(CHALLENGE)
    alice.post(CHALLENGE, {"code": code_now(secret)})
    assert signed_in(alice)


def test_a_reset_link_for_a_two_factor_account_asks_the_code_or_a_recovery_code(
    app, world, browser
):
    _, codes = switch_on(app, world.alice)
    with app.app_context():
        _, token = accounts.issue_password_reset(_user(world.alice))
        commit()
    person = browser()
    link = f"/password/reset/{token}"
    response = person.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith(CHALLENGE)
    assert not signed_in(person)
    assert person.get(link).status_code == 404, "the link is used up all the same"
    page = Page(person.post(CHALLENGE, {"code": "000000"}))
    assert_refused(page, "code", "That code does not match")
    assert not signed_in(person)
    person.post(CHALLENGE, {"code": codes[0]})
    assert signed_in(person)


def test_a_link_without_two_factor_still_signs_in_at_once(app, world, browser):
    with app.app_context():
        _, token = accounts.issue_password_reset(_user(world.bob))
        commit()
    person = browser()
    response = person.post(
        f"/password/reset/{token}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    assert signed_in(person)
