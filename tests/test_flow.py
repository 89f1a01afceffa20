"""The whole flow through the web pages, as each person uses it."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import session
from practice.models import Exercise, Reflection, User
from tests.helpers.people import NEW_COUPLE, PASSWORD, SAFE_ANSWERS, Browser, invitation_link


def _exercise_ids(app, *slugs):
    with app.app_context():
        rows = session.execute(
            select(Exercise.slug, Exercise.id).where(Exercise.slug.in_(slugs))
        ).all()
        return [dict(rows)[slug] for slug in slugs]


_link = invitation_link


def test_whole_flow_from_owner_to_session_pdf(app):
    # 1. The first visit leads to creating the owner account.
    owner = Browser(app)
    assert owner.get("/").location.endswith("/setup")
    response = owner.post(
        "/setup",
        {
            "practice_name": "Harbour Couples Therapy",
            "name": "Olive Owner",
            "email": "Olive@Example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert Browser(app).get("/").location.endswith("/login")

    # The owner adds a practitioner, who accepts the invitation.
    response = owner.post(
        "/admin/practitioners",
        {"name": "Alice Adler", "email": "alice@example.org", "credentials": "LMFT"},
    )
    page = owner.text("/admin/practitioners")
    link = re.search(r'value="http://localhost(/invitation/[^"]+)"', page).group(1)
    alice = Browser(app)
    assert "Welcome, Alice Adler" in alice.text(link)
    assert alice.post(link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert alice.get(link).status_code == 404, "an invitation works once"

    # 2. The practitioner creates a couple and gets one link per partner.
    response = alice.post(
        "/couples/new",
        NEW_COUPLE,
    )
    assert response.status_code == 302
    couple_url = response.location
    page = alice.text(couple_url)
    assert "Riley &amp; Harper" in page
    riley, harper = Browser(app), Browser(app)
    for person, name in ((riley, "Riley"), (harper, "Harper")):
        link = _link(page, name)
        response = person.post(link, {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
        assert response.location.endswith("/my/")
        # The private safety screen comes before any other client page.
        assert person.get("/my/").location.endswith("/my/safety/")
        response = person.post(
            "/my/safety/", dict.fromkeys(SAFE_ANSWERS, "no") | {"safe_together": "yes"}
        )
        assert response.location.endswith("/my/")
    assert "signed up" in alice.text(couple_url)

    # 3. Assign two exercises: one for both partners, one for the partner in recovery.
    couple_id = int(couple_url.rstrip("/").rsplit("/", 1)[1])
    both, mine = _exercise_ids(app, "finding-the-right-amount", "weekly-openness-log")
    response = alice.post(
        f"/couples/{couple_id}/assign",
        {
            "exercises": [both, mine],
            "audience": "as-written",
            "repeat": "once",
            "due_on": "",
            "note": "Take your time with this one.",
        },
    )
    assert response.status_code == 302
    assert "Finding the right amount" in riley.text("/my/")
    assert "Weekly openness log" in riley.text("/my/")
    assert "Weekly openness log" not in harper.text("/my/"), "meant for one role only"

    # 4. Riley drafts twice, then submits, shared; Harper submits privately.
    home = riley.text("/my/")
    assignment_url = re.search(
        r'href="(/my/assignments/\d+)">Finding the right amount', home
    ).group(1)
    for words in ("First thoughts", "Second thoughts, longer 🌱"):
        response = riley.post(
            assignment_url, {"answer_0": words, "answer_1": "", "answer_2": "", "action": "save"}
        )
        assert response.status_code == 302
    assert "Second thoughts, longer 🌱" in riley.text(assignment_url)
    submit = {
        "answer_0": "I can share weekly.",
        "answer_1": "Sunday evenings",
        "answer_2": "",
        "rating_connection": "6",
        "rating_hope": "7",
        "shared_with_partner": "y",
        "action": "submit",
    }
    assert riley.post(assignment_url, submit).location.endswith("/my/")
    again = riley.client.post(
        assignment_url, data={**submit, "answer_0": "changed", "csrf_token": riley.token("/my/")}
    )
    assert again.status_code == 302, "a second submit is harmless"
    harper_url = re.search(
        r'href="(/my/assignments/\d+)">Finding the right amount', harper.text("/my/")
    ).group(1)
    harper.post(
        harper_url,
        {
            "answer_0": "I feel frightened and want to die some nights.",
            "answer_1": "",
            "answer_2": "",
            "action": "submit",
        },
    )
    with app.app_context():
        submitted = session.scalars(
            select(Reflection).where(Reflection.status == "submitted").order_by(Reflection.id)
        ).all()
        assert len(submitted) == 2
        assert submitted[0].answers[0] == "I can share weekly."
        riley_reflection, harper_reflection = submitted[0].id, submitted[1].id

    # Privacy: Harper reads Riley's shared reflection; Riley never reads Harper's.
    assert f"/my/reflections/{riley_reflection}" in harper.text("/my/shared")
    assert "I can share weekly." in harper.text(f"/my/reflections/{riley_reflection}")
    assert riley.get(f"/my/reflections/{harper_reflection}").status_code == 404
    assert f"/my/reflections/{harper_reflection}" not in riley.text("/my/shared")

    # 5. The review queue puts the risk mention on top; feedback reaches its author only.
    queue = alice.text("/review/")
    assert queue.index(f"/review/{harper_reflection}") < queue.index(f"/review/{riley_reflection}")
    assert "Mentions risk" in queue
    alice.post(
        f"/review/{riley_reflection}",
        {"feedback": "Thank you, Riley: Sunday evenings sound right.", "mark_reviewed": "y"},
    )
    assert f"/review/{riley_reflection}" not in alice.text("/review/")
    assert "Sunday evenings sound right" in riley.text(f"/my/reflections/{riley_reflection}")
    assert "Sunday evenings sound right" not in harper.text(f"/my/reflections/{riley_reflection}")

    # 6. The couple page shows each exercise's state per partner and the ratings.
    page = alice.text(couple_url)
    assert "reviewed" in page and "submitted" in page
    assert "Connection (1 to 10)" in page and "<svg" in page

    # 7. A session with its note and the reflections discussed, as a PDF.
    response = alice.post(
        f"/couples/{couple_id}/sessions/new",
        {
            "day": "2026-11-20",
            "start": "17:00",
            "duration_minutes": "50",
            "attendees": [p for p in _partner_ids(app)],
            "note": "Agreed on Sunday check-ins.",
            "reflections": [riley_reflection],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session_url = response.location
    assert "Agreed on Sunday check-ins." in alice.text(session_url)
    pdf = alice.get(session_url + "/pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in (
        "Riley & Harper",
        "Agreed on Sunday check-ins.",
        "I can share weekly.",
        "20 Nov 2026",
        "50 minutes",
        "Harbour Couples Therapy",
        "Page 1",
    ):
        assert expected in text, expected
    assert "frightened" not in text, "only the reflections picked for the session"

    # Clients never reach practitioner pages; emails were stored normalised.
    assert riley.get(session_url).status_code == 404
    with app.app_context():
        assert (
            session.scalar(
                select(func.count()).select_from(User).where(User.email == "olive@example.org")
            )
            == 1
        )


def _partner_ids(app):
    from practice.models import Partner

    with app.app_context():
        return [str(i) for i in session.scalars(select(Partner.id).order_by(Partner.id))]


def test_wrong_password_does_not_say_which_part_was_wrong(world, browser):
    person = browser()
    wrong_password = person.post("/login", {"email": world.alice, "password": "not it at all"})
    unknown_email = person.post("/login", {"email": "nobody@example.org", "password": PASSWORD})
    message = "That e-mail and password do not match an account."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_email.get_data(as_text=True)


def test_login_next_stays_on_this_site(world, browser):
    person = browser()
    token = person.token("/login")
    response = person.client.post(
        "/login?next=https://evil.example/x",
        data={"email": world.alice, "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/dashboard"
    person = browser()
    token = person.token("/login")
    response = person.client.post(
        "/login?next=/review/",
        data={"email": world.alice, "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/review/"


def test_post_without_csrf_token_changes_nothing(world, browser):
    alice = browser().login(world.alice)
    response = alice.client.post(
        "/couples/new",
        data={
            "first_name": "Xavier",
            "first_email": "x@example.org",
            "first_role": "recovering",
            "second_name": "Yara",
            "second_email": "y@example.org",
            "second_role": "hurt",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form expired" in page and 'value="Xavier"' in page
    assert "Xavier" not in alice.text("/dashboard")
