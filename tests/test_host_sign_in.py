"""Practice mounted in a host that signs its own people in with Flask-Login: neither side's
sign-in reaches the other's pages, whichever was set up first."""

import pytest
from flask import request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from sqlalchemy import select

from practice import Practice
from practice.setup import prepare_database
from tests.helpers.host import Visitor, host_app
from tests.helpers.people import PASSWORD, build_world


class HostMember(UserMixin):
    """The host's own account: id 1, the same id as Practice's first person."""

    def __init__(self, member_id: int, name: str):
        self.id = member_id
        self.name = name


MEMBERS = {1: HostMember(1, "Hana Host")}


def add_host_sign_in(host) -> LoginManager:
    manager = LoginManager(host)
    manager.login_view = "host_login"
    manager.user_loader(lambda member_id: MEMBERS.get(int(member_id)))

    @host.get("/host/login")
    def host_login():
        return "host sign-in page"

    @host.post("/host/login")
    def host_sign_in():
        login_user(MEMBERS[int(request.form["member"])])
        return "host signed in"

    @host.get("/host/members")
    @login_required
    def members_only():
        return f"members only: {current_user.name}"

    return manager


@pytest.fixture(params=["practice-first", "host-first"])
def mounted(request, tmp_path):
    """A host with its own Flask-Login, Practice mounted before or after it, and Practice's
    standard world (owner, Alice and Bob practitioners, a couple) in Practice's database."""
    database_file = tmp_path / "practice.sqlite3"
    with host_app(tmp_path, PRACTICE_DATABASE_URL=f"sqlite:///{database_file}") as host:
        if request.param == "practice-first":
            Practice(host, url_prefix="/practice")
            add_host_sign_in(host)
        else:
            add_host_sign_in(host)
            Practice(host, url_prefix="/practice")
        with host.app_context():
            prepare_database()
        yield host, build_world(host)


def sign_in_to_practice(host, email: str) -> Visitor:
    visitor = Visitor(host)
    response = visitor.post("/practice/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return visitor


def test_practices_sign_in_opens_no_host_page(mounted):
    host, world = mounted
    owner = sign_in_to_practice(host, world.owner)
    assert owner.get("/practice/dashboard").status_code == 200

    response = owner.get("/host/members")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/host/login")


def test_the_hosts_sign_in_opens_no_practice_page(mounted):
    host, _world = mounted
    member = Visitor(host)
    response = member.client.post("/host/login", data={"member": "1"})
    assert response.get_data(as_text=True) == "host signed in", "the host's login_user works"
    assert member.get("/host/members").get_data(as_text=True) == "members only: Hana Host"

    response = member.get("/practice/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/practice/login")


def test_both_signed_in_on_one_browser_each_side_sees_its_own_person(mounted):
    """Practice's owner has id 1 as the host's member does: each side still sees its own."""
    from practice.db import session
    from practice.models import User

    host, world = mounted
    with host.app_context():
        assert session.scalar(select(User.id).where(User.email == world.owner)) == 1
    both = sign_in_to_practice(host, world.owner)
    both.client.post("/host/login", data={"member": "1"})

    assert both.get("/host/members").get_data(as_text=True) == "members only: Hana Host"
    assert both.get("/practice/dashboard").status_code == 200
    account = both.get("/practice/account").get_data(as_text=True)
    assert "Olive Owner, signed in as owner@example.org" in account
    assert "Hana Host" not in account

    # Signing out of Practice leaves the host's sign-in as it was, and the reverse.
    assert both.post("/practice/logout", {}, form_url="/practice/dashboard").status_code == 302
    assert both.get("/practice/dashboard").status_code == 302
    assert both.get("/host/members").get_data(as_text=True) == "members only: Hana Host"
