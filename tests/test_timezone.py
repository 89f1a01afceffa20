"""A time zone per account, chosen on the account page: validated against the zone
database, the practice's by default, and every time shown in it (pages, the audit CSV)."""

import csv
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from practice.db import commit, session
from practice.models import AuditEntry, User
from tests.helpers.people import Browser, signed_session


def _zone_of(app, email: str) -> str:
    with app.app_context():
        return session.scalar(select(User.timezone).where(User.email == email))


def test_choosing_a_time_zone_shows_every_time_in_it(app, world):
    note_id = signed_session(app, world.couple_id)  # 20 Nov 2026, 17:00 UTC
    alice = Browser(app).login(world.alice)
    assert "Fri 20 Nov 2026, 17:00" in alice.text(f"/sessions/{note_id}")
    page = alice.text("/account")
    assert "Times are shown to you in <strong>UTC</strong>, the practice's time zone" in page
    assert '<option value="Europe/Berlin">' in page and 'list="zone-names"' in page

    response = alice.post("/account/timezone", {"timezone": "europe/berlin"}, form_url="/account")
    assert response.status_code == 302
    assert "Times are shown to you in Europe/Berlin now." in alice.text("/account")
    assert _zone_of(app, world.alice) == "Europe/Berlin"
    page = alice.text(f"/sessions/{note_id}")
    assert "Fri 20 Nov 2026, 18:00" in page and "17:00" not in page
    # Nobody else's times move.
    bob = Browser(app).login(world.bob)
    assert _zone_of(app, world.bob) == "UTC"
    assert "Times are shown to you in <strong>UTC</strong>" in bob.text("/account")


def test_a_zone_that_does_not_exist_is_refused_beside_the_field_and_kept(app, world):
    alice = Browser(app).login(world.alice)
    response = alice.post(
        "/account/timezone", {"timezone": "Mars/Olympus_Mons"}, form_url="/account"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(
        r'<p class="error" id="timezone-error">That is not a time zone we know\.', page
    )
    assert 'value="Mars/Olympus_Mons"' in page and 'aria-invalid="true"' in page
    assert _zone_of(app, world.alice) == "UTC"
    response = alice.post("/account/timezone", {"timezone": "x" * 80}, form_url="/account")
    assert "at most 64 characters" in response.get_data(as_text=True)
    assert _zone_of(app, world.alice) == "UTC"


def test_an_empty_zone_is_the_practices(app, world):
    app.config["PRACTICE_TIMEZONE"] = "America/New_York"
    alice = Browser(app).login(world.alice)
    alice.post("/account/timezone", {"timezone": "Asia/Tokyo"}, form_url="/account")
    assert _zone_of(app, world.alice) == "Asia/Tokyo"
    alice.post("/account/timezone", {"timezone": ""}, form_url="/account")
    assert _zone_of(app, world.alice) == "America/New_York"
    assert "America/New_York</strong>, the practice's time zone" in alice.text("/account")


def test_a_client_chooses_their_own_zone_too(app, world):
    riley = Browser(app).login(world.recovering)
    response = riley.post(
        "/account/timezone", {"timezone": "Australia/Sydney"}, form_url="/account"
    )
    assert response.status_code == 302
    assert _zone_of(app, world.recovering) == "Australia/Sydney"
    assert _zone_of(app, world.hurt) == "UTC"


def test_the_audit_csv_gives_times_in_the_readers_zone_and_names_it(app, world):
    with app.app_context():
        session.add(
            AuditEntry(
                at=datetime(2026, 7, 1, 12, tzinfo=UTC),
                user_name="Alice Adler",
                user_role="practitioner",
                action="couple.viewed",
                subject="couple",
                subject_id=7001,
            )
        )
        commit()
    owner = Browser(app).login(world.owner)
    owner.post("/account/timezone", {"timezone": "America/Los_Angeles"}, form_url="/account")
    rows = list(csv.reader(io.StringIO(owner.text("/admin/audit/export.csv?action=couple.viewed"))))
    header, *body = rows
    assert header[0] == "when (America/Los_Angeles)"
    (row,) = [r for r in body if r[8] == "7001"]
    assert row[0] == "2026-07-01 05:00:00"
    assert "Wed 1 Jul 2026, 05:00" in owner.text("/admin/audit/?action=couple.viewed")


def test_the_couple_pages_rating_charts_give_dates_in_the_readers_zone(app, world):
    from datetime import date

    from practice.models import Couple, Reflection
    from practice.services import reflections
    from tests.helpers.people import assign_exercises

    (assignment_id,) = assign_exercises(app, world.couple_id, "weekly-openness-log")
    with app.app_context():
        from practice.models import Assignment

        assignment = session.get(Assignment, assignment_id)
        riley = session.get(Couple, world.couple_id).partners[0]
        ratings = {q["key"]: 6 for q in assignment.ratings}
        reflection, _ = reflections.save(
            riley,
            assignment,
            answers=["words"] * len(assignment.prompts),
            ratings=ratings,
            shared=False,
            submit=True,
            today=date.today(),
        )
        session.get(Reflection, reflection.id).submitted_at = datetime(
            2026, 11, 20, 23, 30, tzinfo=UTC
        )
        commit()
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}"
    assert "20 Nov 23:30" in alice.text(url)
    alice.post("/account/timezone", {"timezone": "Asia/Tokyo"}, form_url="/account")
    page = alice.text(url)
    assert "21 Nov 08:30" in page and "20 Nov 23:30" not in page
