"""Archiving (discharging) a couple: read-only afterwards for every write route, off the
caseload and the review queue, both partners signed out and told plainly; reopening brings
it all back. Audited both ways."""

import re

import pytest
from flask import url_for
from sqlalchemy import select

from practice.db import commit, session
from practice.models import AuditEntry, Couple, SessionNote
from practice.services import archive, sessions
from tests.helpers.access_matrix import build_cases, csrf_token, row_counts
from tests.helpers.people import PASSWORD, Browser, assign_exercises

ARCHIVE_FORM = {"reason": "completed", "confirm": "y"}
# What a client reads when their couple is archived: plain, no clinical wording.
CLOSED = "Your space here is closed for now"


def _archive(app, couple_id: int) -> None:
    """Archive through the real service, its unsigned notes signed first."""
    with app.app_context():
        couple = session.get(Couple, couple_id)
        for note in archive.unsigned_notes(couple):
            sessions.sign(note, couple.practitioner, PASSWORD)
        archive.archive(couple, couple.practitioner, "completed")
        commit()


def _archived_at(app, couple_id: int):
    with app.app_context():
        return session.get(Couple, couple_id).archived_at


def test_the_archive_page_asks_for_a_reason_and_a_tick_and_keeps_what_was_chosen(app, world):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/archive"
    page = alice.text(url)
    assert "record is read-only" in page and "both partners are signed out now" in page
    response = alice.post(url, {"reason": "completed"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tick this to confirm; nothing is archived until you do." in page
    assert re.search(r'checked id="reason-0"[^>]*value="completed"', page), "choice kept"
    response = alice.post(url, {"confirm": "y"})
    assert "Choose why the couple is archived." in response.get_data(as_text=True)
    response = alice.post(url, {"reason": "bored", "confirm": "y"})
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _archived_at(app, world.couple_id) is None


def test_a_couple_with_an_unsigned_note_is_not_archived_until_it_is_signed(app, populated):
    alice = Browser(app).login(populated["emails"]["alice"])
    url = f"/couples/{populated['couple']}/archive"
    assert "Sign this session note first" in alice.text(url)
    response = alice.post(url, ARCHIVE_FORM)
    page = response.get_data(as_text=True)
    assert "first: an archived record is read-only." in page
    assert _archived_at(app, populated["couple"]) is None


def test_archiving_takes_the_couple_off_the_caseload_and_queue_and_reopening_brings_it_back(
    app, populated
):
    alice = Browser(app).login(populated["emails"]["alice"])
    couple_url = f"/couples/{populated['couple']}"
    dashboard = alice.text("/dashboard")
    assert "Riley &amp; Harper" in dashboard and "Waiting for your review (2)" in dashboard
    with app.app_context():
        note = session.get(SessionNote, populated["session"])
        sessions.sign(note, note.practitioner, PASSWORD)
        commit()
    response = alice.post(f"{couple_url}/archive", ARCHIVE_FORM)
    assert response.status_code == 302
    page = alice.text(couple_url)
    assert "is archived: read-only, off your caseload, both partners signed out." in page
    assert "Discharged: the work is completed" in page
    dashboard = alice.text("/dashboard")
    assert "Riley &amp; Harper" not in dashboard
    assert "Waiting for your review (0)" in dashboard
    assert "Riley shares this" not in alice.text("/review/")
    archived = alice.text("/dashboard?show=archived")
    assert "Archived couples (1)" in archived and "Riley &amp; Harper" in archived

    response = alice.post(f"{couple_url}/reopen", form_url=couple_url)
    assert response.status_code == 302
    assert "is open again" in alice.text(couple_url)
    dashboard = alice.text("/dashboard")
    assert "Riley &amp; Harper" in dashboard and "Waiting for your review (2)" in dashboard
    with app.app_context():
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.couple_id == populated["couple"])
            .where(AuditEntry.action.startswith("couple."))
            .order_by(AuditEntry.id)
        ).all()
    assert [a for a in actions if a in ("couple.archived", "couple.reopened")] == [
        "couple.archived",
        "couple.reopened",
    ]


def test_both_partners_are_signed_out_and_told_plainly_on_their_next_visit(app, world):
    riley = Browser(app).login(world.recovering)
    harper = Browser(app).login(world.hurt)
    assert riley.get("/my/").status_code == 200
    alice = Browser(app).login(world.alice)
    alice.post(f"/couples/{world.couple_id}/archive", ARCHIVE_FORM)
    for person, email in ((riley, world.recovering), (harper, world.hurt)):
        response = person.get("/my/")
        assert response.status_code == 302 and "/login" in response.location, "signed out"
        page = person.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": person.token("/login")},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert CLOSED in page and "get in touch with your practitioner" in page
        for clinical in ("discharg", "archiv", "treatment", "terminat"):
            assert clinical not in page.lower()
        assert "Sign out" not in page, "no longer signed in"
        response = person.get("/my/")
        assert response.status_code == 302 and "/login" in response.location
    # The other couple's partners are not touched.
    quinn = Browser(app).login(world.outsider)
    assert quinn.get("/my/").status_code == 200


@pytest.fixture
def archived(app, populated):
    _archive(app, populated["couple"])
    return populated


def _answers(who: Browser, method: str, url: str, token: str):
    if method == "GET":
        response = who.client.get(url)
    else:
        response = who.client.post(url, data={"csrf_token": token})
    response.close()
    return response


# Writes an archived couple still takes: a dated addendum to a signed note, and reopening.
OPEN_WHEN_ARCHIVED = {"practice.sessions.add_addendum", "practice.caseload.reopen_couple"}


def test_every_write_route_of_an_archived_couple_is_refused_for_its_practitioner(app, archived):
    """Walks the access matrix (every route of the app): each route of the archived couple
    that writes (every POST, and each GET that is only a form) answers 409 and changes
    nothing; its reading pages and downloads still answer."""
    ids = archived
    alice = Browser(app).login(ids["emails"]["alice"])
    token = csrf_token(alice)
    with app.test_request_context():
        cases = [
            (case, url_for(case.endpoint, **case.values), app.view_functions[case.endpoint])
            for case in build_cases(ids)
            if case.audience == {"alice"}  # the routes of Alice's couple (it is archived)
        ]
    writes = [
        (case, url)
        for case, url, view in cases
        if (case.method == "POST" or getattr(view, "practice_form_page", False))
        and case.endpoint not in OPEN_WHEN_ARCHIVED
    ]
    assert len(writes) >= 20, [url for _, url in writes]
    wrong = []
    for case, url in writes:
        before = row_counts(app)
        response = _answers(alice, case.method, url, token)
        if response.status_code != 409:
            wrong.append(f"{case.method} {url}: {response.status_code}, expected 409")
        if row_counts(app) != before:
            wrong.append(f"{case.method} {url}: changed the database")
    reads = [(c, u) for c, u, v in cases if (c, u) not in writes and c.method == "GET"]
    for case, url in reads:
        response = _answers(alice, case.method, url, token)
        if response.status_code != case.ok:
            wrong.append(f"{case.method} {url}: {response.status_code}, expected {case.ok}")
    assert not wrong, "\n".join(wrong)
    # The refusal says why and how to change it.
    page = alice.text(f"/couples/{ids['couple']}/assign")
    assert "is archived" in page and "reopen the couple first" in page


def test_an_archived_couples_signed_note_still_takes_an_addendum_and_downloads(app, archived):
    ids = archived
    alice = Browser(app).login(ids["emails"]["alice"])
    note_url = f"/sessions/{ids['signed']}"
    response = alice.post(
        f"{note_url}/addenda",
        {"text": "A late correction.", "password": PASSWORD},
        form_url=note_url,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "A late correction." in alice.text(note_url)
    for url in (f"{note_url}/pdf", f"/couples/{ids['couple']}/record/pdf"):
        response = alice.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_every_client_route_of_an_archived_couple_shows_the_closed_page(app, archived):
    ids = archived
    with app.test_request_context():
        cases = [
            (case, url_for(case.endpoint, **case.values))
            for case in build_cases(ids)
            if "riley" in case.audience
            and "alice" not in case.audience
            and case.endpoint not in {"practice.auth.logout", "practice.account.index"}
            and not case.endpoint.startswith("practice.account.")
        ]
    assert len(cases) >= 8
    wrong = []
    for case, url in cases:
        riley = Browser(app).login(ids["emails"]["riley"])
        before = row_counts(app)
        # Their account page still answers (it is theirs, not the couple's): a CSRF token.
        response = _answers(riley, case.method, url, riley.token("/account"))
        page = response.get_data(as_text=True)
        if response.status_code != 200 or CLOSED not in page:
            wrong.append(f"{case.method} {url}: {response.status_code}")
        after = row_counts(app)
        # Only the sign-in's end is written (its row, and its audit entry).
        if sum(after) - sum(before) > 1:
            wrong.append(f"{case.method} {url}: wrote more than the sign-out")
    assert not wrong, "\n".join(wrong)


def test_an_archived_couples_partners_get_no_reminders(app, populated):
    from practice.services import reminders

    with app.app_context():
        before = {due.email for due in reminders.due_reminders()}
    assert "riley@example.org" in before
    _archive(app, populated["couple"])
    with app.app_context():
        after = {due.email for due in reminders.due_reminders()}
    assert "riley@example.org" not in after and "harper@example.org" not in after


def test_the_archive_pages_query_counts_do_not_grow_with_the_caseload(app, world):
    """The archive form, the archived couples' list, an archived couple's page and the
    account page: the same number of queries with 2 couples (1 archived) as with 13 (7)."""
    from tests.helpers.database import counted_queries
    from tests.helpers.growth import grow

    alice = Browser(app).login(world.alice)

    def archive_some(count: int) -> int:
        """Archive ``count`` more of Alice's open couples (not the world's); one of them."""
        with app.app_context():
            mine = session.get(Couple, world.couple_id).practitioner_id
            open_ = session.scalars(
                select(Couple)
                .where(Couple.practitioner_id == mine, Couple.archived_at.is_(None))
                .where(Couple.id != world.couple_id)
                .order_by(Couple.id)
            ).all()
            for couple in open_[:count]:
                archive.archive(couple, couple.practitioner, "no-contact")
            commit()
            return open_[0].id

    def counts(archived_id: int) -> dict[str, int]:
        found = {}
        for url in (
            f"/couples/{world.couple_id}/archive",
            "/dashboard?show=archived",
            f"/couples/{archived_id}",
            "/account",
        ):
            with counted_queries(app) as statements:
                assert alice.get(url).status_code == 200, url
            found[url.replace(str(archived_id), "{archived}")] = len(statements)
        return found

    grow(app, world, extra_couples=1, rounds=1)
    small = counts(archive_some(1))
    grow(app, world, extra_couples=11, rounds=3)
    archive_some(6)
    large = counts(_first_archived(app, world))
    assert small == large, (small, large)


def _first_archived(app, world) -> int:
    with app.app_context():
        return session.scalar(
            select(Couple.id).where(Couple.archived_at.is_not(None)).order_by(Couple.id).limit(1)
        )


def test_an_autosave_after_archiving_gets_json_and_keeps_its_text_in_the_browser(app, world):
    (assignment_id,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    riley = Browser(app).login(world.recovering)
    url = f"/my/assignments/{assignment_id}"
    token = riley.token(url)
    _archive(app, world.couple_id)
    response = riley.client.post(
        url,
        data={"csrf_token": token, "answer_0": "typed", "action": "save"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 401 and response.is_json
    assert "/login" in response.get_json()["login"]
    with app.app_context():
        from practice.models import Reflection

        assert session.scalar(select(Reflection.id)) is None, "nothing saved"
