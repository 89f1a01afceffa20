"""A couple's history, reread: every kind by step, partner and date, filtered and paged; a
reviewed reflection readable again with its feedback; the progress table's cells linking to
it; the search across the caseload and within one couple's record; and "next in queue"."""

from datetime import UTC, datetime

from sqlalchemy import select

from practice.db import commit, session
from practice.models import AuditEntry, Couple, Exercise, SessionNote, User
from tests.helpers.history import (
    CHECKIN_TRIGGERS,
    FEEDBACK,
    HARPER_DRAFT,
    HARPER_PRIVATE,
    RILEY_SHARED,
    grow_history,
    make_history,
)
from tests.helpers.people import Browser


def test_the_history_lists_every_kind_and_never_a_draft(app, world):
    made = make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    page = alice.text(f"/couples/{world.couple_id}/history")
    assert "6 items" in page
    assert f"/history/reflections/{made.shared}" in page
    assert f"/history/reflections/{made.private}" in page
    assert f"/history/reflections/{made.draft}" not in page
    assert f"/history/reflections/{made.shared}#feedback-{made.feedback}" in page
    assert "Check-in by Riley Recovering: urges 3/10" in page
    assert CHECKIN_TRIGGERS in page
    assert "disclosure part by Riley Recovering" in page
    assert f"/sessions/{made.session}" in page
    assert "Reviewed" in page and "Waiting for review" in page
    # A draft's words appear nowhere, not even on the search of the record.
    assert HARPER_DRAFT not in page


def test_the_history_filters_by_kind_partner_and_step(app, world):
    made = make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    base = f"/couples/{world.couple_id}/history"
    only_feedback = alice.text(f"{base}?kind=feedback")
    assert "1 item matching" in only_feedback and "Feedback on" in only_feedback
    assert f'/history/reflections/{made.private}"' not in only_feedback
    harper = alice.text(f"{base}?partner={world.hurt_id}")
    assert f"/history/reflections/{made.private}" in harper
    assert f'/history/reflections/{made.shared}"' not in harper
    assert "Check-in by" not in harper
    # A joint session is with both partners: it is listed under either.
    assert f"/sessions/{made.session}" in harper
    step_three = alice.text(f"{base}?step=3")
    assert f"/history/reflections/{made.private}" in step_three
    assert f'/history/reflections/{made.shared}"' not in step_three
    assert "Check-in by" not in step_three


def test_a_filter_from_an_edited_link_says_what_is_wrong(app, world):
    make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    response = alice.get(f"/couples/{world.couple_id}/history?kind=secrets&partner=99999")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Choose from the list.") == 2
    assert "items" not in page.split("</form>")[-1]


def test_the_history_is_paged(app, world):
    make_history(app, world.couple_id)
    grow_history(app, world.couple_id, rounds=30)
    alice = Browser(app).login(world.alice)
    first = alice.text(f"/couples/{world.couple_id}/history?kind=reflection")
    assert "Page 1 of 2" in first
    assert first.count("/history/reflections/") == 50
    second = alice.text(f"/couples/{world.couple_id}/history?kind=reflection&page=2")
    assert "Page 2 of 2" in second and "kind=reflection" in second
    assert second.count("/history/reflections/") == 62 - 50


def test_a_reviewed_reflection_stays_readable_with_its_feedback(app, world):
    made = make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    assert f"/review/{made.shared}" not in alice.text("/review/")
    page = alice.text(f"/history/reflections/{made.shared}")
    assert RILEY_SHARED in page and FEEDBACK in page
    assert "Reviewed" in page and "Shared with their partner" in page
    assert "Write more feedback" in page
    waiting = alice.text(f"/history/reflections/{made.private}")
    assert HARPER_PRIVATE in waiting and "Private: their partner cannot read it" in waiting
    assert "Review it" in waiting
    # A draft is the client's own: not found, as anything out of reach.
    assert alice.get(f"/history/reflections/{made.draft}").status_code == 404


def test_each_done_cell_of_the_progress_table_links_to_its_reflection(app, world):
    made = make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    couple_page = alice.text(f"/couples/{world.couple_id}")
    assert f'/couples/{world.couple_id}/history"' in couple_page
    link = (
        f"/couples/{world.couple_id}/history/partners/{world.recovering_id}/exercise"
        f"?exercise={made.exercise_id}"
    )
    assert link in couple_page.replace("&amp;", "&")
    response = alice.get(link)
    assert response.status_code == 302
    assert response.location.endswith(f"/history/reflections/{made.shared}")
    # Harper never answered that exercise: her cell links nowhere, and the URL finds nothing.
    other = link.replace(f"/partners/{world.recovering_id}/", f"/partners/{world.hurt_id}/")
    assert other not in couple_page.replace("&amp;", "&")
    assert alice.get(other).status_code == 404


def test_a_cell_of_several_reflections_opens_the_history_of_that_exercise(app, world):
    make_history(app, world.couple_id)
    grow_history(app, world.couple_id, rounds=3)
    with app.app_context():
        exercise_id = session.scalar(select(Exercise.id).where(Exercise.slug == "small-victories"))
    alice = Browser(app).login(world.alice)
    url = (
        f"/couples/{world.couple_id}/history/partners/{world.hurt_id}/exercise"
        f"?exercise={exercise_id}"
    )
    response = alice.get(url)
    assert response.status_code == 302
    listing = alice.text(response.location)
    assert "Showing “Noticing small victories” only." in listing
    # Her three answers to it and the feedback on the first; her draft from before is hers.
    assert "4 items matching" in listing and listing.count("Feedback on") == 1


def test_the_record_search_finds_each_kind_with_a_snippet(app, world):
    made = make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    search = f"/couples/{world.couple_id}/history/search?q="
    for words, link in (
        ("HARBOUR", f"/history/reflections/{made.shared}"),
        ("lighthouse", f"/history/reflections/{made.private}"),
        ("tablet", "Check-in by Riley"),
        ("copper kettle", "disclosure part by"),
        ("juniper", f"/sessions/{made.session}"),
        # An addendum is part of its session's note.
        ("quince", f"/sessions/{made.session}"),
    ):
        page = alice.text(search + words)
        assert link in page, words
        assert "<mark>" in page, words
    harbour = alice.text(search + "harbour")
    # Riley's words and the feedback on them both hold it.
    assert "2 items hold" in harbour
    assert "by the <mark>harbour</mark> feel safe" in harbour
    assert f"#feedback-{made.feedback}" in harbour
    # A draft is never searched.
    assert "1 item" not in alice.text(search + "marigold")
    assert "Nothing in this record holds these words" in alice.text(search + "marigold")


def test_the_record_search_keeps_a_too_short_term_with_a_message(app, world):
    make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    page = alice.text(f"/couples/{world.couple_id}/history/search?q=a")
    assert "Type at least 2 characters to search for." in page
    assert 'value="a"' in page
    long = "x" * 101
    assert "at most 100 characters" in alice.text(
        f"/couples/{world.couple_id}/history/search?q={long}"
    )


def test_the_caseload_search_finds_clients_by_name_and_email(app, world):
    alice = Browser(app).login(world.alice)
    assert "/search" in alice.text("/dashboard")
    by_name = alice.text("/search?q=harp")
    assert "1 couple" in by_name and "<mark>Harper Hurt</mark>" in by_name
    assert f'/couples/{world.couple_id}"' in by_name
    by_email = alice.text("/search?q=RILEY@EXAMPLE")
    assert "<mark>Riley Recovering</mark>" in by_email
    # Bob's couple is not on Alice's caseload: never found, by name or by e-mail.
    assert "0 couples" in alice.text("/search?q=quinn")
    assert "Quinn" not in alice.text("/search?q=example.org")
    # % and _ are letters to find, not patterns.
    assert "0 couples" in alice.text("/search?q=%25")


def test_the_caseload_search_filters_by_status_and_step(app, world):
    make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    assert "1 couple" in alice.text("/search?status=waiting")
    assert "0 couples" in alice.text("/search?status=paused")
    assert "1 couple" in alice.text("/search?step=1")
    assert "0 couples" in alice.text("/search?step=2")
    with app.app_context():
        session.get(Couple, world.couple_id).current_step = 2
        commit()
    assert "1 couple" in alice.text("/search?step=2&q=riley")
    page = alice.text("/search?status=nonsense&step=99")
    assert page.count("Choose from the list.") == 2
    assert "Type part of a name" not in alice.text("/search")
    assert "Type part of a name or e-mail" in alice.text("/search?q=&status=&step=")


def test_next_in_queue_after_a_review(app, world):
    made = make_history(app, world.couple_id)
    grow_history(app, world.couple_id, rounds=2)
    alice = Browser(app).login(world.alice)
    queue = alice.text("/review/")
    assert f"/review/{made.private}" in queue
    response = alice.post(f"/review/{made.private}", {"feedback": "", "mark_reviewed": "y"})
    assert response.status_code == 302
    assert "/review/" in response.location and response.location != "/review/"
    following = alice.text(response.location)
    assert "Here is the next reflection waiting for you." in following
    # The last one: back to the queue, which says all is done.
    while response.location != "/review/":
        response = alice.post(response.location, {"feedback": "", "mark_reviewed": "y"})
    assert "You are up to date" in alice.text("/review/")


def test_the_history_and_searches_are_audited_without_the_words_searched(app, world):
    make_history(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    alice.text(f"/couples/{world.couple_id}/history")
    alice.text(f"/couples/{world.couple_id}/history/search?q=lighthouse")
    with app.app_context():
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["history.viewed", "record.searched"]))
        ).all()
        assert {e.action for e in entries} == {"history.viewed", "record.searched"}
        assert all(e.couple_id == world.couple_id for e in entries)
        assert not any("lighthouse" in (e.detail or "") for e in entries)


def test_the_caseload_search_sets_case_aside_beyond_ascii(app, world):
    from practice.services import couples

    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        program = session.get(Couple, world.couple_id).program
        couples.create_couple(
            alice,
            program,
            [
                couples.NewPartner("Émile Østergaard", "emile@example.org", "recovering"),
                couples.NewPartner("Zoë Ångström", "zoe@example.org", "hurt"),
            ],
        )
        commit()
    alice = Browser(app).login(world.alice)
    for typed in ("émile", "ÉMILE", "østergaard", "zoë ång"):
        page = alice.text(f"/search?q={typed}")
        assert "1 couple" in page, typed
        assert "<mark>" in page, typed
    # A couple is found by its own name too (here "Émile & Zoë").
    assert "1 couple" in alice.text("/search?q=%26 zoë")


def test_the_history_filters_by_date_in_the_readers_time_zone(app, world):
    made = make_history(app, world.couple_id)
    with app.app_context():
        note = session.get(SessionNote, made.session)
        # An evening in New York, already the next day in UTC (a signed note is locked, so
        # its time is moved under the ORM's lock).
        note_id = note.id
        session.execute(
            SessionNote.__table__.update()
            .where(SessionNote.id == note_id)
            .values(starts_at=datetime(2026, 3, 11, 2, 30, tzinfo=UTC))
        )
        session.get(User, note.practitioner_id).timezone = "America/New_York"
        commit()
    alice = Browser(app).login(world.alice)
    base = f"/couples/{world.couple_id}/history"
    page = alice.text(f"{base}?since=2026-03-10&until=2026-03-10")
    assert "1 item matching" in page and f"/sessions/{note_id}" in page
    assert "0 items matching" in alice.text(f"{base}?since=2026-03-11&until=2026-03-11")
    wrong = alice.text(f"{base}?since=2026-03-12&until=2026-03-10&kind=session")
    assert "The end date is before the start date." in wrong
    assert 'value="2026-03-12"' in wrong
    assert "Enter a date like 2026-11-23." in alice.text(f"{base}?since=yesterday")


def test_the_caseload_search_finds_an_archived_couple_and_marks_it(app, world):
    """A discharged client is still looked up by name; the status filter tells open from
    archived couples."""
    from practice.services import archive, sessions
    from tests.helpers.people import PASSWORD

    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        for note in archive.unsigned_notes(couple):
            sessions.sign(note, couple.practitioner, PASSWORD)
        archive.archive(couple, couple.practitioner, "completed")
        commit()
    alice = Browser(app).login(world.alice)
    found = alice.text("/search?q=harper")
    assert "1 couple" in found and '<span class="badge">Archived</span>' in found
    assert "1 couple" in alice.text("/search?status=archived")
    assert "0 couples" in alice.text("/search?status=open&q=harper")
