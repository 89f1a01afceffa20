"""Harbour (examples/host) accepts its own sign-in for staff linked to a Practice person:
they sign in once, at Harbour; Practice's rules (roles, two-factor, idle log-off) still hold.
Clients and anyone unlinked sign in to Practice itself."""

import pytest
from sqlalchemy import select

from practice.db import session
from practice.models import AuditEntry, User
from tests.helpers.harbour import Visitor, add_member, harbour_app
from tests.helpers.people import age_sign_ins, build_world
from tests.helpers.two_factor import code_now, switch_on

ALICE_AT_HARBOUR = "alice.adler@harbour.example"


@pytest.fixture
def harbour(tmp_path):
    app = harbour_app(tmp_path)
    world = build_world(app)
    add_member(app, ALICE_AT_HARBOUR, "Alice at Harbour")
    add_member(app, "bob.brand@harbour.example", "Bob at Harbour")
    yield app, world
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def linked_alice(app, world) -> None:
    """Alice, signed in to both on one browser, links her Harbour account on her account page."""
    alice = Visitor(app).login(world.alice).harbour_login(ALICE_AT_HARBOUR)
    page = alice.text("/practice/account")
    assert "Sign in through Harbour Clinic from now on" in page
    response = alice.post("/practice/account/host-link", form_url="/practice/account")
    assert response.status_code == 302
    assert "Signing in to Harbour Clinic now signs you in here too." in alice.text(
        "/practice/account"
    )


def test_linked_staff_sign_in_once_at_the_host(harbour):
    app, world = harbour
    linked_alice(app, world)

    alice = Visitor(app).harbour_login(ALICE_AT_HARBOUR)
    dashboard = alice.get("/practice/dashboard")
    assert dashboard.status_code == 200
    assert "Riley" in dashboard.get_data(as_text=True), "her own caseload"
    assert "Olive Owner" not in alice.text("/practice/account")
    assert "Alice Adler, signed in as alice@example.org" in alice.text("/practice/account")
    # Practice's roles still decide: Alice is no owner, Bob's couple is not hers.
    assert alice.get("/practice/admin/practitioners").status_code == 404
    assert alice.get(f"/practice/couples/{world.other_couple_id}").status_code == 404

    with app.app_context():
        entries = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "signin.succeeded")
        ).all()
    assert "through the host's sign-in" in entries, "the audit log says how she came in"

    # Signing out of Harbour signs her out of Practice too.
    alice.harbour_logout()
    response = alice.get("/practice/dashboard")
    assert response.status_code == 302 and "/practice/login" in response.location


def test_an_unlinked_host_account_is_asked_to_sign_in_to_practice(harbour):
    app, world = harbour
    linked_alice(app, world)
    bob = Visitor(app).harbour_login("bob.brand@harbour.example")
    response = bob.get("/practice/dashboard")
    assert response.status_code == 302 and "/practice/login" in response.location
    assert "signed in to Harbour Clinic, but that account is not linked" in bob.text(
        response.location
    )
    assert "sign in at Harbour Clinic" in Visitor(app).text("/practice/login")


def test_a_host_account_is_linked_to_one_practice_person_only(harbour):
    app, world = harbour
    linked_alice(app, world)
    bob = Visitor(app).login(world.bob).harbour_login(ALICE_AT_HARBOUR)
    bob.post("/practice/account/host-link", form_url="/practice/account")
    assert "already linked to someone else" in bob.text("/practice/account")
    with app.app_context():
        assert session.scalar(select(User.host_key).where(User.email == world.bob)) is None


def test_two_factor_still_asks_for_the_code(harbour):
    app, world = harbour
    linked_alice(app, world)
    secret, _codes = switch_on(app, world.alice)

    alice = Visitor(app).harbour_login(ALICE_AT_HARBOUR)
    response = alice.get("/practice/dashboard")
    assert response.status_code == 302
    assert response.location.endswith("/practice/login/two-factor")
    assert alice.get("/practice/couples/new").status_code == 302, "nothing before the code"
    response = alice.post("/practice/login/two-factor", {"code": code_now(secret)})
    assert response.status_code == 302
    assert response.location.endswith("/practice/dashboard")
    assert alice.get("/practice/dashboard").status_code == 200


def test_idle_log_off_ends_the_host_sign_in_too(harbour):
    app, world = harbour
    linked_alice(app, world)
    alice = Visitor(app).harbour_login(ALICE_AT_HARBOUR)
    assert alice.get("/practice/dashboard").status_code == 200
    age_sign_ins(app, world.alice, idle=16 * 60)

    response = alice.get("/practice/dashboard")
    assert response.status_code == 302 and "/practice/login" in response.location
    assert "You were signed out" in alice.text(response.location)
    # Not straight back in: Harbour's sign-in ended with it, so she signs in there again.
    assert alice.get("/members").status_code == 302
    assert alice.get("/practice/dashboard").status_code == 302
    alice.harbour_login(ALICE_AT_HARBOUR)
    assert alice.get("/practice/dashboard").status_code == 200
    with app.app_context():
        ended = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "signin.ended")
        ).all()
    assert "idle limit" in ended


def test_without_identity_the_host_sign_in_is_never_taken(tmp_path):
    app = harbour_app(tmp_path, HARBOUR_STAFF_THROUGH_HARBOUR=False)
    world = build_world(app)
    add_member(app, ALICE_AT_HARBOUR, "Alice at Harbour")
    both = Visitor(app).login(world.alice).harbour_login(ALICE_AT_HARBOUR)
    assert "Harbour Clinic" not in both.text("/practice/account")
    assert both.post("/practice/account/host-link", form_url="/practice/account").status_code == 302
    with app.app_context():
        assert session.scalar(select(User.host_key).where(User.email == world.alice)) is None
        app.extensions["sqlalchemy"].engine.dispose()
