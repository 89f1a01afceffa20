"""Practice mounted in Harbour Clinic (examples/host), in Chromium at 1280 and 390 wide: a
Harbour member and a Practice client, side by side, each reach only their own pages."""

import pytest

from tests.helpers.harbour import add_member, harbour_app
from tests.helpers.people import build_world

HANA = "hana@harbour.example"


@pytest.fixture
def app(tmp_path):
    """The live server serves Harbour, with Practice at /practice."""
    harbour = harbour_app(tmp_path)
    yield harbour
    with harbour.app_context():
        harbour.extensions["sqlalchemy"].engine.dispose()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_host_member_and_a_practice_client_each_reach_only_their_own_pages(
    people_at, live_server, size
):
    app = live_server.app
    world = build_world(app)
    add_member(app, HANA, "Hana Host")
    crowd = people_at(size)

    hana = crowd.open("hana")
    hana.sign_in(HANA)  # Harbour's own sign-in page, at /login
    assert hana.page.url.endswith("/members")
    assert hana.page.get_by_text("Signed in to Harbour as Hana Host").is_visible()
    hana.check("harbour-members")
    # Practice does not take Harbour's sign-in for someone it does not know.
    hana.goto("/practice/my/")
    assert "/practice/login" in hana.page.url
    assert hana.page.get_by_role("heading", name="Sign in").is_visible()
    hana.check("practice-asks-hana-to-sign-in")

    riley = crowd.open("riley")
    riley.goto("/practice/login")
    riley.sign_in(world.recovering)
    assert riley.page.url.endswith("/practice/my/")
    assert riley.page.get_by_role("heading", name="Hello, Riley Recovering").is_visible()
    riley.check("practice-client-home")
    # Harbour does not take Practice's sign-in.
    riley.goto("/members")
    assert "/login" in riley.page.url and "/practice" not in riley.page.url
    assert riley.page.get_by_role("heading", name="Sign in to Harbour").is_visible()
    riley.check("harbour-asks-riley-to-sign-in")

    # Each still has their own side: Hana's members' page, Riley's Practice home.
    hana.goto("/members")
    assert hana.page.get_by_text("Signed in to Harbour as Hana Host").is_visible()
    riley.goto("/practice/my/")
    assert riley.page.get_by_role("heading", name="Hello, Riley Recovering").is_visible()
