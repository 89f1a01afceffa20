"""Invitation links: only for an account with no password yet (never a way into an active
one), kept on the server and shown to whoever made them until used, cancelled or replaced,
with how long they work, and e-mailed through the outbox at the site's public address."""

import logging
import re
from html import unescape

from sqlalchemy import func, select, text

from practice import privacy
from practice.db import commit, session
from practice.models import AuditEntry, Couple, Invitation, OutboxMail, User
from practice.services import couples
from tests.helpers.database import counted_queries
from tests.helpers.mailing import deliver, outbox
from tests.helpers.pages import couple_form
from tests.helpers.people import CSRF, PASSWORD, Browser, build_world

BASE = "https://practice.example.org"
NEW_PASSWORD = "our kitchen table at seven"
LINK = re.compile(r'Invitation link for ([^<]+)</label>\s*<input[^>]*value="([^"]+)"')


def links_on(page: str) -> dict[str, str]:
    return {name: unescape(url) for name, url in LINK.findall(page)}


def flashes(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="flash [a-z]+">([^<]*)</p>', page)]


def invitation_count(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(Invitation.id)))


def new_couple(app):
    """Alice creates Jordan and Morgan through the form; her browser and the couple page."""
    form = couple_form(app)
    response = form.browser.post(form.url, form.data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return form.browser, response.location, form.world


def accept(app, link: str, password: str = PASSWORD, **extra):
    """The invited person follows the link and chooses a password."""
    path = re.sub(r"^https?://[^/]+", "", link)
    # The token from a page that is always there: a dead link answers 404 itself.
    data = {"password": password, "confirm": password, **extra}
    return Browser(app).post(path, data, form_url="/login")


# --- item 2: no invitation for an account in use ------------------------------------


def test_a_practitioner_cannot_take_over_a_signed_up_partner_with_a_new_invitation(app):
    world = build_world(app)
    alice = Browser(app).login(world.alice)
    before = invitation_count(app)
    url = f"/couples/{world.couple_id}/partners/{world.recovering_id}/invitation"
    response = alice.post(url, form_url=f"/couples/{world.couple_id}")
    assert response.status_code == 302
    page = alice.text(response.location)
    assert any("has already chosen a password" in f for f in flashes(page)), flashes(page)
    assert "Forgot your password?" in page
    assert links_on(page) == {} and invitation_count(app) == before, "nothing was issued"
    assert "New invitation link for Riley" not in page, "no button for a signed-up partner"
    Browser(app).login(world.recovering, PASSWORD)


def test_the_owner_cannot_take_over_an_active_practitioner_with_a_new_invitation(app):
    world = build_world(app)
    owner = Browser(app).login(world.owner)
    with app.app_context():
        alice_id = session.scalar(select(User.id).where(User.email == world.alice))
    before = invitation_count(app)
    response = owner.post(
        f"/admin/practitioners/{alice_id}/invitation", form_url="/admin/practitioners"
    )
    assert response.status_code == 302
    page = owner.text("/admin/practitioners")
    assert any("Alice Adler has already chosen a password" in f for f in flashes(page))
    assert links_on(page) == {} and invitation_count(app) == before
    assert "New invitation link for Alice" not in page
    Browser(app).login(world.alice, PASSWORD)


def test_a_link_made_before_its_account_had_a_password_opens_nothing_after(app):
    browser, couple_url, _world = new_couple(app)
    link = links_on(browser.text(couple_url))["Jordan Lee"]
    with app.app_context():  # Jordan chose a password some other way (an older link, say)
        jordan = session.scalar(select(User).where(User.email == "jordan@example.org"))
        jordan.set_password(PASSWORD)
        commit()
    path = re.sub(r"^https?://[^/]+", "", link)
    assert Browser(app).get(path).status_code == 404
    response = accept(app, link, NEW_PASSWORD, agree="y")
    assert response.status_code == 404
    Browser(app).login("jordan@example.org", PASSWORD)


# --- item 13: links kept on the server, shown to their maker --------------------------


def test_links_stay_on_the_server_and_show_on_the_couple_page_until_used(app):
    browser, couple_url, _world = new_couple(app)
    cookie = browser.client.get_cookie("session").value
    page = browser.text(couple_url)
    links = links_on(page)
    assert set(links) == {"Jordan Lee", "Morgan Lee"}
    tokens = [link.rsplit("/", 1)[1] for link in links.values()]
    with app.app_context():
        readable = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert not any(t in repr(readable) or t in cookie for t in tokens), "no link in the cookie"
    assert "It works once, until" in page
    assert links_on(browser.text(couple_url)) == links, "still there on the next visit"
    with app.app_context():
        stored = session.execute(text("SELECT token FROM practice_invitations")).scalars().all()
    assert stored and not any(t in s for t in tokens for s in stored if s), "kept encrypted"

    assert accept(app, links["Jordan Lee"], agree="y").status_code == 302
    after = browser.text(couple_url)
    assert set(links_on(after)) == {"Morgan Lee"}, "a used link is no longer shown"
    with app.app_context():
        kept = session.scalar(
            select(Invitation.token).join(User).where(User.email == "jordan@example.org")
        )
    assert kept is None, "a used link's token is erased"


def test_cancelling_a_link_stops_it_and_a_new_one_can_be_made(app):
    browser, couple_url, _world = new_couple(app)
    couple_id = int(couple_url.rsplit("/", 1)[1])
    link = links_on(browser.text(couple_url))["Morgan Lee"]
    with app.app_context():
        morgan = session.scalar(select(User).where(User.email == "morgan@example.org"))
        partner_id = morgan.partner.id
    base = f"/couples/{couple_id}/partners/{partner_id}/invitation"
    response = browser.post(f"{base}/cancel", form_url=couple_url)
    assert response.status_code == 302
    page = browser.text(couple_url)
    assert "The invitation link for Morgan Lee no longer works." in flashes(page)
    assert "Morgan Lee" not in links_on(page) and "No invitation link works now." in page
    assert accept(app, link, agree="y").status_code == 404
    with app.app_context():
        assert (
            session.scalar(select(Invitation.token).where(Invitation.user_id == morgan.id)) is None
        )
        assert session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "invitation.cancelled")
        )

    assert browser.post(base, form_url=couple_url).status_code == 302
    fresh = links_on(browser.text(couple_url))["Morgan Lee"]
    assert fresh != link
    assert accept(app, fresh, agree="y").status_code == 302


def test_a_new_link_replaces_the_one_before(app):
    browser, couple_url, _world = new_couple(app)
    couple_id = int(couple_url.rsplit("/", 1)[1])
    first = links_on(browser.text(couple_url))["Jordan Lee"]
    with app.app_context():
        partner_id = session.scalar(
            select(User).where(User.email == "jordan@example.org")
        ).partner.id
    browser.post(f"/couples/{couple_id}/partners/{partner_id}/invitation", form_url=couple_url)
    second = links_on(browser.text(couple_url))["Jordan Lee"]
    assert second != first
    assert accept(app, first, agree="y").status_code == 404
    assert accept(app, second, agree="y").status_code == 302


def test_the_owner_sees_a_new_practitioners_link_until_it_is_used_or_cancelled(app):
    world = build_world(app)
    owner = Browser(app).login(world.owner)
    owner.post("/admin/practitioners", {"name": "Dana Doe", "email": "dana@example.org"})
    page = owner.text("/admin/practitioners")
    assert set(links_on(page)) == {"Dana Doe"} and "It works once, until" in page
    assert set(links_on(owner.text("/admin/practitioners"))) == {"Dana Doe"}
    with app.app_context():
        dana_id = session.scalar(select(User.id).where(User.email == "dana@example.org"))
    owner.post(f"/admin/practitioners/{dana_id}/invitation/cancel", form_url="/admin/practitioners")
    assert links_on(owner.text("/admin/practitioners")) == {}
    owner.post(f"/admin/practitioners/{dana_id}/invitation", form_url="/admin/practitioners")
    link = links_on(owner.text("/admin/practitioners"))["Dana Doe"]
    assert accept(app, link).status_code == 302
    assert links_on(owner.text("/admin/practitioners")) == {}


def test_only_whoever_answers_for_the_account_may_see_its_link(app):
    world = build_world(app)
    with app.app_context():
        people = {u.email: u for u in session.scalars(select(User))}
        alice, bob, owner = people[world.alice], people[world.bob], people[world.owner]
        riley = people[world.recovering]
        riley.password_hash = None  # as if not signed up yet
        invitation = Invitation(
            user=riley, token_hash="x" * 64, token="t", expires_at=riley.created_at
        )
        assert privacy.may_read_invitation(alice, invitation)
        assert not privacy.may_read_invitation(bob, invitation)
        assert not privacy.may_read_invitation(owner, invitation), "not the owner's couple"
        assert not privacy.may_read_invitation(people[world.hurt], invitation)
        staff = Invitation(user=bob, token_hash="y" * 64, token="t", expires_at=bob.created_at)
        bob.password_hash = None
        assert privacy.may_read_invitation(owner, staff)
        assert not privacy.may_read_invitation(alice, staff)
        riley.set_password(PASSWORD)
        assert not privacy.may_read_invitation(alice, invitation), "not once it has a password"
        session.rollback()


# --- item 1: invitation mails at the public address, or plainly not sent --------------


def test_each_partner_is_mailed_their_own_link_at_the_public_address(mail_app):
    app, mailbox = mail_app
    app.config["PRACTICE_BASE_URL"] = BASE
    form = couple_form(app)
    response = form.browser.post(form.url, form.data)  # to http://localhost
    assert response.status_code == 302
    assert mailbox.conversations == 0, "no SMTP inside the request"
    page = form.browser.text(response.location)
    assert "An e-mail with their own link is on its way to each of them." in flashes(page)
    shown = links_on(page)
    assert all(link.startswith(f"{BASE}/invitation/") for link in shown.values())
    deliver(app)
    for name, email in (("Jordan Lee", "jordan@example.org"), ("Morgan Lee", "morgan@example.org")):
        [message] = mailbox.to(email)
        body = message.get_content()
        assert shown[name] in body and "localhost" not in body
        assert body.startswith(f"Hello {name.split()[0]},")
        other = "Morgan" if name == "Jordan Lee" else "Jordan"
        assert other not in body and "couple" not in body.lower()
    assert "E-mailed to jordan@example.org on" in form.browser.text(response.location)


def test_without_a_public_address_the_maker_is_told_and_still_gets_the_link(mail_app, caplog):
    app, mailbox = mail_app
    with caplog.at_level(logging.WARNING):
        browser, couple_url, _world = new_couple(app)
    page = browser.text(couple_url)
    [told] = [f for f in flashes(page) if "could not be e-mailed" in f]
    assert "no public web address" in told and "PRACTICE_BASE_URL" in told
    assert "send each their own" in told
    assert set(links_on(page)) == {"Jordan Lee", "Morgan Lee"}
    assert "It was not e-mailed: send it to jordan@example.org yourself." in page
    assert outbox(app) == [] and "not e-mailed" in caplog.text
    deliver(app)
    assert mailbox.messages == []


def test_under_trusted_hosts_the_mailed_link_names_the_host_flask_let_through(mail_app):
    app, mailbox = mail_app
    app.config["TRUSTED_HOSTS"] = ["practice.example.org"]
    world = build_world(app)
    owner = app.test_client()
    page = owner.get("/login", base_url=BASE).get_data(as_text=True)
    token = CSRF.search(page)
    owner.post(
        "/login",
        data={
            "email": world.owner,
            "password": PASSWORD,
            "csrf_token": token.group(1) or token.group(2),
        },
        base_url=BASE,
    )
    page = owner.get("/admin/practitioners", base_url=BASE).get_data(as_text=True)
    token = CSRF.search(page)
    response = owner.post(
        "/admin/practitioners",
        data={
            "name": "Dana Doe",
            "email": "dana@example.org",
            "csrf_token": token.group(1) or token.group(2),
        },
        base_url=BASE,
    )
    assert response.status_code == 302
    deliver(app)
    [message] = mailbox.to("dana@example.org")
    assert f"{BASE}/invitation/" in message.get_content()
    with app.app_context():
        assert session.scalar(select(OutboxMail.kind)) == "invitation"


def test_with_mail_off_the_maker_is_told_to_pass_the_link_on(app):
    browser, couple_url, _world = new_couple(app)
    page = browser.text(couple_url)
    assert any("mail is not set up for this practice" in f for f in flashes(page))
    assert set(links_on(page)) == {"Jordan Lee", "Morgan Lee"}


def test_showing_the_links_costs_the_couple_page_one_query_at_any_size(app):
    browser, couple_url, world = new_couple(app)
    signed_up = f"/couples/{world.couple_id}"

    def queries(url):
        browser.get(url)  # the same visit once before, as the page is usually seen
        with counted_queries(app) as statements:
            assert browser.get(url).status_code == 200
        return len(statements)

    before = (queries(signed_up), queries(couple_url))
    assert before[1] == before[0] + 1, "one query for the links and their mails"
    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        program = session.get(Couple, world.couple_id).program
        for n in range(8):
            partners = [
                couples.NewPartner(f"P{n}a", f"p{n}a@example.org", "recovering"),
                couples.NewPartner(f"P{n}b", f"p{n}b@example.org", "hurt"),
            ]
            couples.create_couple(alice, program, partners)
        commit()
    assert (queries(signed_up), queries(couple_url)) == before
