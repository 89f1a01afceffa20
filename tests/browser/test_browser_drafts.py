"""A practitioner's words are never lost: the session note and the feedback on a reflection
keep a draft while they are written (on the server, and on this device when the server
cannot take it), the session ending mid-note loses nothing, and signing in again brings
every word back. The note's format switches in place; a refused signature is shown where
the practitioner is looking."""

import json
import re

import pytest

from tests.helpers.pages import submit_reflection
from tests.helpers.people import age_sign_ins, build_world, signed_session

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

KEPT = re.compile(r"Your text is kept \(\d\d:\d\d\); .*press “Save")
ENDED = "Your session ended; sign in again and your text will be here."
FIRST = "Both arrived on time and sat close."
MORE = " Harper asked for the Tuesday call to stay; Riley agreed 🌱."


class Practice:
    """build_world's practice on the live server, with one submitted reflection."""

    def __init__(self, app):
        self.app = app
        self.world = build_world(app)
        self.reflection_id = submit_reflection(
            app, self.world, self.world.recovering_id, "weekly-openness-log"
        )

    def _read(self, model, value):
        """``value(row)`` of every row of ``model`` the server holds now."""
        from sqlalchemy import select

        from practice.db import session

        with self.app.app_context():
            found = [value(row) for row in session.scalars(select(model))]
            session.remove()
            return found

    def drafts(self) -> dict[str, dict]:
        """Alice's drafts on the server, by what they are for."""
        from practice.models import PractitionerDraft

        return dict(self._read(PractitionerDraft, lambda d: (d.key, d.fields)))

    def notes(self) -> list[dict]:
        from practice.models import SessionNote

        return self._read(SessionNote, lambda n: dict(n.sections))

    def feedback(self) -> list[str]:
        from practice.models import Feedback

        return self._read(Feedback, lambda f: f.body)

    def alice_id(self) -> int:
        from practice.models import User

        return dict(self._read(User, lambda u: (u.email, u.id)))[self.world.alice]


@pytest.fixture
def practice(live_server) -> Practice:
    return Practice(live_server.app)


def _status(page):
    return page.locator("[data-autosave-status]")


def _kept_here(page, form) -> dict | None:
    key = form.get_attribute("data-draft-key")
    kept = page.evaluate("(key) => localStorage.getItem(key)", key)
    return None if kept is None else json.loads(kept)["fields"]


def _new_note(people, practice):
    """Alice on the new-note page of her couple; the page's path."""
    path = f"/couples/{practice.world.couple_id}/sessions/new"
    return _alice(people, practice, path), path


def _alice(people, practice, path):
    alice = people.open("alice")
    alice.sign_in(practice.world.alice)
    alice.goto(path)
    return alice


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_note_survives_the_session_ending_mid_note(people_at, practice, size):
    alice, path = _new_note(people_at(size), practice)
    page = alice.page
    dialogs: list[str] = []  # any "leave this page?" the browser would ask
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    form = page.locator("form[data-draft-key]")
    note = page.get_by_label("Note", exact=True)
    alice.check("note-new")
    note.fill(FIRST)
    expect(_status(page)).to_have_text(KEPT)
    assert practice.drafts()[path]["note"] == [FIRST]
    assert practice.notes() == [], "a kept draft is not the note"

    page.context.clear_cookies()  # the session ends while Alice writes
    note.press_sequentially(MORE)
    expect(_status(page)).to_have_text(ENDED)
    assert _kept_here(page, form)["note"] == FIRST + MORE
    assert practice.drafts()[path]["note"] == [FIRST]
    alice.check("note-session-ended")

    _status(page).get_by_role("link", name="sign in again").click()
    assert dialogs == [], "the text is safe on this device: following the link asks nothing"
    expect(page).to_have_url(re.compile(r"/login\?next="))
    alice.sign_in(practice.world.alice)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(note).to_have_value(FIRST + MORE)
    expect(_status(page)).to_have_text(re.compile(r"^Restored what you typed on this device\."))
    expect(_status(page)).to_have_text(KEPT)
    assert practice.drafts()[path]["note"] == [FIRST + MORE]
    alice.check("note-restored")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Session with"))).to_be_visible()
    assert practice.notes() == [{"note": FIRST + MORE}]
    assert practice.drafts() == {}, "saving the note ends its draft"
    key = f"practice-draft:{practice.alice_id()}:couples:{practice.world.couple_id}:sessions:new"
    assert page.evaluate("(key) => localStorage.getItem(key)", key) is None


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_feedback_survives_the_session_ending_mid_sentence(people_at, practice, size):
    people = people_at(size)
    path = f"/review/{practice.reflection_id}"
    alice = _alice(people, practice, path)
    page = alice.page
    form = page.locator("form[data-draft-key]")
    feedback = page.get_by_label("Feedback for the author")
    feedback.fill("Thank you for naming Tuesday.")
    expect(_status(page)).to_have_text(KEPT)
    alice.check("feedback-kept")

    page.context.clear_cookies()
    feedback.press_sequentially(" It took courage.")
    expect(_status(page)).to_have_text(ENDED)
    assert _kept_here(page, form)["feedback"] == "Thank you for naming Tuesday. It took courage."

    _status(page).get_by_role("link", name="sign in again").click()
    alice.sign_in(practice.world.alice)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(feedback).to_have_value("Thank you for naming Tuesday. It took courage.")
    expect(_status(page)).to_have_text(KEPT)
    alice.check("feedback-restored")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved. The author sees your feedback")).to_be_visible()
    assert practice.feedback() == ["Thank you for naming Tuesday. It took courage."]
    assert practice.drafts() == {}


def test_a_plain_save_after_the_idle_sign_out_loses_nothing(people_at, practice):
    people = people_at("desktop")
    path = f"/couples/{practice.world.couple_id}/sessions/new"
    alice = _alice(people, practice, path)
    page = alice.page
    page.get_by_label("Note", exact=True).fill(FIRST + MORE)
    age_sign_ins(practice.app, practice.world.alice, idle=3 * 3600)
    # "Save" before the autosave had its turn: the plain post meets the ended sign-in.
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("What you wrote was kept")).to_be_visible()
    alice.check("login-after-idle")
    alice.sign_in(practice.world.alice)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_label("Note", exact=True)).to_have_value(FIRST + MORE)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Session with"))).to_be_visible()
    assert practice.notes() == [{"note": FIRST + MORE}]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_choosing_a_format_switches_the_sections_and_keeps_the_words(people_at, practice, size):
    alice, path = _new_note(people_at(size), practice)
    page = alice.page
    page.get_by_label("Note", exact=True).fill(FIRST)
    expect(page.get_by_role("button", name="Use this format")).to_be_hidden()
    page.get_by_label("Note format").select_option("dap")
    expect(page.get_by_label("Note", exact=True)).to_be_hidden()
    data = page.get_by_label("Data", exact=True)
    expect(data).to_have_value("Note: " + FIRST)
    expect(page.get_by_label("Assessment")).to_be_visible()
    page.get_by_label("Plan").fill("Weekly check-in.")
    alice.check("note-dap")
    page.get_by_label("Note format").select_option("soap")
    labels = page.locator("[data-sections] > div:not([hidden]) label").all_inner_texts()
    assert labels == ["Subjective", "Objective", "Assessment", "Plan"]
    expect(page.get_by_label("Subjective")).to_have_value("Data: Note: " + FIRST)
    expect(page.get_by_label("Plan")).to_have_value("Weekly check-in.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=re.compile("^Session with"))).to_be_visible()
    [saved] = practice.notes()
    assert saved["subjective"] == "Data: Note: " + FIRST
    assert saved["plan"] == "Weekly check-in."


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_wrong_password_on_sign_and_lock_is_shown_where_the_eye_is(people_at, practice, size):
    alice, path = _new_note(people_at(size), practice)
    page = alice.page
    page.get_by_label("Note", exact=True).fill(FIRST)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_label("Your password, to sign").fill("not my password")
    page.get_by_role("button", name="Sign and lock").click()
    password = page.get_by_label("Your password, to sign")
    expect(password).to_be_focused()
    expect(password).to_have_value("")
    expect(password).to_be_in_viewport()
    summary = page.locator("#refused")
    expect(summary).to_contain_text("Not signed.")
    expect(summary).to_contain_text("That is not your password")
    expect(page.get_by_text("what you typed is kept")).to_have_count(0)
    expect(page.get_by_text("Please type your password again below.")).to_be_visible()
    alice.check("sign-refused")
    password.fill("a calm walk by the harbour")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Signed. The note is now locked")).to_be_visible()


def test_an_addendum_survives_the_session_ending(people_at, practice):
    note_id = signed_session(practice.app, practice.world.couple_id)
    people = people_at("phone")
    path = f"/sessions/{note_id}"
    alice = _alice(people, practice, path)
    page = alice.page
    text = page.get_by_label("Addendum")
    text.fill("The next session is on 3 December.")
    page.get_by_label("Your password, to sign").fill("typed, never kept")
    expect(_status(page)).to_have_text(
        re.compile(r"^Your text is kept \(\d\d:\d\d\); it is added when you sign and append\.$")
    )
    assert practice.drafts() == {
        f"/sessions/{note_id}/addenda": {"text": ["The next session is on 3 December."]}
    }
    page.context.clear_cookies()
    text.press_sequentially(" Both agreed.")
    expect(_status(page)).to_have_text(ENDED)
    form = page.locator("form[data-draft-key]")
    assert "password" not in _kept_here(page, form)
    _status(page).get_by_role("link", name="sign in again").click()
    alice.sign_in(practice.world.alice)
    expect(page.get_by_label("Addendum")).to_have_value(
        "The next session is on 3 December. Both agreed."
    )
    # The autosave that met the ended session was answered 401, as it should be.
    alice.problems = [p for p in alice.problems if "status of 401" not in p]
    alice.check("addendum-restored")


def test_a_note_kept_on_this_device_comes_back_in_the_format_it_was_written_in(people_at, practice):
    people = people_at("desktop")
    path = f"/couples/{practice.world.couple_id}/sessions/new"
    alice = _alice(people, practice, path)
    page, context = alice.page, alice.context
    page.get_by_label("Note format").select_option("dap")
    page.get_by_label("Data", exact=True).fill(FIRST)
    expect(_status(page)).to_have_text(KEPT)
    assert practice.drafts()[path]["note_format"] == ["dap"]

    context.set_offline(True)  # the server cannot take the rest
    page.get_by_label("Note format").select_option("birp")
    page.get_by_label("Intervention").fill("Slowed the exchange down.")
    expect(_status(page)).to_contain_text("offline")
    page.close()
    context.set_offline(False)

    page = alice.page = context.new_page()
    alice.goto(path)
    expect(page.get_by_label("Behavior")).to_have_value("Data: " + FIRST)
    expect(page.get_by_label("Intervention")).to_have_value("Slowed the exchange down.")
    expect(page.get_by_label("Note format")).to_have_value("birp")
    expect(_status(page)).to_have_text(KEPT)
    assert practice.drafts()[path]["intervention"] == ["Slowed the exchange down."]
