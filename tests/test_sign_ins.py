"""Sign-ins are kept on the server (practice.session_store): a copy of a cookie is worth
nothing once its sign-in ended, whichever way it ended, on every worker; a person sees
where they are signed in and ends any of it; the CSRF secret is new with every sign-in."""

import hashlib
import re

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from practice import session_store
from practice.db import session
from practice.forms import CSRF_MESSAGE
from practice.models import AuditEntry, SignIn, User, utcnow
from practice.signin import SIGN_IN
from tests.helpers.database import counted_queries
from tests.helpers.people import CSRF, PASSWORD, Browser, age_sign_ins

SIGNED_OUT = "You were signed out to keep your information private."
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _cookie(person: Browser) -> str:
    return person.client.get_cookie("session").value


def _with_cookie(app, value: str) -> Browser:
    """Another browser holding a copy of a saved session cookie."""
    thief = Browser(app)
    thief.client.set_cookie("session", value)
    return thief


def _signed_out(person: Browser, url: str = "/dashboard") -> bool:
    response = person.get(url)
    return response.status_code == 302 and "/login" in response.location


def _sign_ins(app, email: str) -> list[SignIn]:
    with app.app_context():
        user_id = session.scalar(select(User.id).where(User.email == email))
        rows = session.scalars(select(SignIn).where(SignIn.user_id == user_id)).all()
        session.expunge_all()
        return list(rows)


def _ended_entries(app, email: str) -> list[str]:
    with app.app_context():
        user_id = session.scalar(select(User.id).where(User.email == email))
        return list(
            session.scalars(
                select(AuditEntry.detail)
                .where(AuditEntry.action == "signin.ended", AuditEntry.subject_id == user_id)
                .order_by(AuditEntry.id)
            )
        )


# --- signing out ends the sign-in itself -------------------------------------------------


@pytest.mark.parametrize(
    ("who", "home"), [("alice", "/dashboard"), ("recovering", "/my/")], ids=["staff", "client"]
)
def test_a_cookie_saved_before_signing_out_opens_nothing_afterwards(app, world, browser, who, home):
    person = browser().login(getattr(world, who))
    saved = _cookie(person)
    assert _with_cookie(app, saved).get(home).status_code == 200, "the copy works until then"

    assert person.post("/logout", form_url=home).status_code == 302
    replay = _with_cookie(app, saved)
    assert _signed_out(replay, home)
    assert SIGNED_OUT in replay.text("/login")
    assert _signed_out(_with_cookie(app, saved), "/account")
    assert _ended_entries(app, getattr(world, who)) == ["signed out"]


def test_the_cookie_carries_only_a_key_whose_hash_alone_is_stored(app, world, browser):
    alice = browser().login(world.alice)
    with alice.client.session_transaction() as cookie:
        key = cookie[SIGN_IN]
        assert not {"practice_last_seen", "practice_signed_in"} & set(cookie)
    [row] = _sign_ins(app, world.alice)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    # The stored hash used as a key signs nobody in: a copy of the database is no cookie.
    with alice.client.session_transaction() as cookie:
        cookie[SIGN_IN] = row.key_hash
    assert _signed_out(alice)


def test_a_remember_me_cookie_revives_no_ended_sign_in(app, world, browser):
    alice = browser().login(world.alice)
    saved = _cookie(alice)
    alice.post("/logout", form_url="/dashboard")
    alice_id = _sign_ins(app, world.alice)[0].user_id
    with app.test_request_context():
        remember = encode_cookie(str(alice_id))  # Flask-Login's own remember-me cookie
    for person in (alice, _with_cookie(app, saved)):
        person.client.set_cookie("remember_token", remember)
        assert _signed_out(person)
        assert _signed_out(person), "and stays out"


def test_a_sign_out_on_one_worker_holds_on_every_other(app, world, new_app, database_url, tmp_path):
    """Two app instances on one database, as gunicorn workers or servers are."""
    other_worker = new_app(database_url, tmp_path)
    alice = Browser(app).login(world.alice)
    saved = _cookie(alice)
    assert _with_cookie(other_worker, saved).get("/dashboard").status_code == 200
    alice.post("/logout", form_url="/dashboard")
    assert _signed_out(_with_cookie(other_worker, saved))


# --- the limits are the server's ----------------------------------------------------------


def test_idle_and_lifetime_limits_are_read_from_the_server_and_end_the_row(app, world, browser):
    alice = browser().login(world.alice)
    age_sign_ins(app, world.alice, idle=15 * 60 + 30)
    assert _signed_out(alice)
    [row] = _sign_ins(app, world.alice)
    assert row.end_reason == "idle" and row.ended_at is not None
    riley = browser().login(world.recovering)
    age_sign_ins(app, world.recovering, idle=60, lived=12 * 3600 + 60)
    assert _signed_out(riley, "/my/")
    assert _ended_entries(app, world.alice) == ["idle limit"]
    assert _ended_entries(app, world.recovering) == ["time limit"]


def test_last_seen_is_written_at_most_once_a_minute(app, world, browser):
    alice = browser().login(world.alice)
    writes = re.compile(r"^UPDATE practice_sign_ins\b", re.IGNORECASE)
    with counted_queries(app) as statements:
        for _ in range(3):
            assert alice.get("/dashboard").status_code == 200
    assert not [s for s in statements if writes.match(s)], "not on every request"
    age_sign_ins(app, world.alice, idle=14 * 60)
    with counted_queries(app) as statements:
        for _ in range(3):
            assert alice.get("/dashboard").status_code == 200
    assert len([s for s in statements if writes.match(s)]) == 1
    [row] = _sign_ins(app, world.alice)
    assert (utcnow() - row.last_seen_at).total_seconds() < 60, "and it says the person is here"


# --- a person's signed-in devices -----------------------------------------------------------


def _devices(app, email: str) -> tuple[Browser, Browser]:
    phone = Browser(app)
    phone.client.environ_base["HTTP_USER_AGENT"] = FIREFOX_ANDROID
    laptop = Browser(app)
    laptop.client.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    return phone.login(email), laptop.login(email)


def test_the_devices_page_lists_where_the_person_is_signed_in(app, world, browser):
    phone, other = _devices(app, world.alice)
    bob = browser().login(world.bob)
    page = phone.text("/account/devices")
    assert "Firefox on Android</strong> (this device)" in page
    assert "Safari on iPhone</strong>" in page and "Safari on iPhone</strong> (this" not in page
    assert page.count("<tr>") == 3, "a header and two sign-ins: not Bob's"
    assert "Signed-in devices" in bob.text("/account")


def test_signing_out_everywhere_else_ends_the_other_browser_at_once(app, world):
    phone, laptop = _devices(app, world.recovering)
    response = phone.post("/account/devices/others/end", form_url="/account/devices")
    assert response.status_code == 302
    assert "Signed out everywhere else (1 device)." in phone.text("/account/devices")
    assert phone.get("/my/").status_code == 200, "this one stays"
    assert _signed_out(laptop, "/my/")
    assert _ended_entries(app, world.recovering) == ["signed out everywhere else"]


def test_one_device_ended_from_the_list_is_signed_out_and_no_one_elses_can_be(app, world):
    phone, laptop = _devices(app, world.alice)
    bob = Browser(app).login(world.bob)
    page = phone.text("/account/devices")
    [end_laptop] = re.findall(r'action="(/account/devices/\d+/end)"', page)
    bob_sign_in = _sign_ins(app, world.bob)[0].id
    # Bob's sign-in is out of Alice's reach: 404, and Bob stays signed in.
    assert (
        phone.post(f"/account/devices/{bob_sign_in}/end", form_url="/account/devices").status_code
        == 404
    )
    assert bob.get("/dashboard").status_code == 200

    assert phone.post(end_laptop, form_url="/account/devices").status_code == 302
    assert "Signed out on Safari on iPhone." in phone.text("/account/devices")
    assert _signed_out(laptop)
    assert phone.get("/dashboard").status_code == 200
    assert phone.post(end_laptop, form_url="/account/devices").status_code == 404, "ended"


def test_ending_this_device_from_the_list_signs_out_here(app, world):
    phone, laptop = _devices(app, world.alice)
    here = next(r.id for r in _sign_ins(app, world.alice) if r.device == "Firefox on Android")
    response = phone.post(f"/account/devices/{here}/end", form_url="/account/devices")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert _signed_out(phone)
    assert laptop.get("/dashboard").status_code == 200


def test_ending_a_device_needs_the_forms_csrf_token(app, world):
    phone, laptop = _devices(app, world.alice)
    laptop_id = next(r.id for r in _sign_ins(app, world.alice) if r.device == "Safari on iPhone")
    phone.client.post(f"/account/devices/{laptop_id}/end", data={})
    phone.client.post("/account/devices/others/end", data={"csrf_token": "forged"})
    assert laptop.get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (FIREFOX_ANDROID, "Firefox on Android"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            "Firefox on Linux",
        ),
        ("curl/8.5.0", "An unknown browser"),
        ("", "An unknown browser"),
    ],
)
def test_a_device_is_named_as_a_person_would_say_it(agent, name):
    assert session_store.device_name(agent) == name


# --- a new password, a disabled account -----------------------------------------------------


def test_the_owner_disabling_a_practitioner_signs_them_out_at_once(app, world, browser):
    alice = browser().login(world.alice)
    saved = _cookie(alice)
    owner = browser().login(world.owner)
    alice_id = _sign_ins(app, world.alice)[0].user_id
    page = owner.text("/admin/practitioners")
    assert f'action="/admin/practitioners/{alice_id}/disable"' in page
    owner.post(f"/admin/practitioners/{alice_id}/disable", form_url="/admin/practitioners")
    assert "Alice Adler can no longer sign in, and is signed out everywhere." in owner.text(
        "/admin/practitioners"
    )
    assert _signed_out(alice) and _signed_out(_with_cookie(app, saved))
    refused = browser().post("/login", {"email": world.alice, "password": PASSWORD})
    assert refused.status_code == 200, "and cannot sign in again"
    assert _ended_entries(app, world.alice) == ["account disabled"]

    owner.post(f"/admin/practitioners/{alice_id}/enable", form_url="/admin/practitioners")
    assert "Alice Adler can sign in again." in owner.text("/admin/practitioners")
    assert _signed_out(_with_cookie(app, saved)), "an ended sign-in stays ended"
    assert browser().login(world.alice).get("/dashboard").status_code == 200


def test_a_new_password_ends_the_other_sign_ins_in_the_store(app, world, browser):
    here, elsewhere = browser().login(world.alice), browser().login(world.alice)
    new = "our kitchen table at seven"
    here.post("/account", {"current_password": PASSWORD, "password": new, "confirm": new})
    assert _signed_out(elsewhere)
    assert here.get("/dashboard").status_code == 200
    reasons = sorted(r.end_reason or "live" for r in _sign_ins(app, world.alice))
    assert reasons == ["live", "password_set"]


def test_a_sign_in_past_its_idle_limit_is_no_longer_listed(app, world, browser):
    browser().login(world.alice)
    browser().login(world.alice)
    age_sign_ins(app, world.alice, idle=20 * 60)
    alice = browser().login(world.alice)
    page = alice.text("/account/devices")
    assert page.count("(this device)") == 1 and page.count("<tr>") == 2
    assert "Sign out everywhere else" not in page, "nothing else is live"


# --- the CSRF secret is the sign-in's --------------------------------------------------------


def _csrf_from(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) or match.group(2)


def test_a_csrf_token_taken_before_signing_in_does_not_work_after(app, world):
    person = Browser(app)
    before = person.token("/login")
    with person.client.session_transaction() as cookie:
        secret_before = cookie["csrf_token"]
    response = person.client.post(
        "/login", data={"email": world.alice, "password": PASSWORD, "csrf_token": before}
    )
    assert response.status_code == 302
    with person.client.session_transaction() as cookie:
        assert cookie.get("csrf_token") != secret_before

    new = "our kitchen table at seven"
    form = {"current_password": PASSWORD, "password": new, "confirm": new}
    refused = person.client.post("/account", data={**form, "csrf_token": before})
    assert refused.status_code == 200 and CSRF_MESSAGE in refused.get_data(as_text=True)
    # A sign-out forged with it does nothing either.
    person.client.post("/logout", data={"csrf_token": before})
    assert person.get("/dashboard").status_code == 200
    fresh = _csrf_from(person.text("/account"))
    assert fresh != before
    assert person.client.post("/account", data={**form, "csrf_token": fresh}).status_code == 302


def test_a_csrf_token_of_one_sign_in_does_not_work_in_the_next(app, world):
    person = Browser(app).login(world.alice)
    signed_in_token = person.token("/dashboard")
    person.post("/logout", form_url="/dashboard")
    person.login(world.bob)
    person.client.post("/logout", data={"csrf_token": signed_in_token})
    assert person.get("/dashboard").status_code == 200, "Bob is still signed in"
