"""A practitioner's words survive: session notes, feedback and addenda keep a draft while
they are written (practice.js's autosave, JSON only), shown again on return, ended when the
work is saved; an autosave after the session ended gets 401 JSON, and a plain "Save" posted
just after an idle sign-out keeps its words for after signing in again."""

import re
import time

import pytest
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import Addendum, Feedback, PractitionerDraft, SessionNote, User
from practice.services import drafts
from tests.helpers.database import counted_queries
from tests.helpers.pages import submit_reflection
from tests.helpers.people import PASSWORD, Browser, age_sign_ins, signed_session

FETCH = {"X-Requested-With": "fetch"}
NOTE = "Both arrived calm. Riley named Tuesday first; Harper listened without interrupting."


def _drafts(app) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = session.scalars(select(PractitionerDraft).order_by(PractitionerDraft.id))
        found = [(d.key, d.fields) for d in rows]
        session.remove()
        return found


def _count(app, model) -> int:
    with app.app_context():
        total = session.scalar(select(func.count()).select_from(model))
        session.remove()
        return total


def _note_fields(world, **changes) -> dict:
    return {
        "day": "2026-11-20",
        "start": "17:00",
        "duration_minutes": "50",
        "kind": "joint",
        "attendees": [str(world.recovering_id), str(world.hurt_id)],
        "note_format": "free",
        "note": NOTE,
        "action": "save",
        **changes,
    }


@pytest.fixture
def reflection_id(app, world) -> int:
    return submit_reflection(app, world, world.recovering_id, "weekly-openness-log")


def test_a_new_note_keeps_its_draft_until_it_is_saved(app, world):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    # Even a half-typed form (no date yet) is kept: it is a draft, not the note.
    response = alice.post(url, _note_fields(world, day=""), headers=FETCH)
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json["saved"])
    assert _count(app, SessionNote) == 0, "an autosave is a draft, never the note itself"
    [(key, fields)] = _drafts(app)
    assert key == url
    assert fields["note"] == [NOTE]
    assert fields["attendees"] == [str(world.recovering_id), str(world.hurt_id)]
    assert "csrf_token" not in fields

    page = alice.text(url)
    assert NOTE in page
    assert "Restored your draft from" in page
    assert 'data-draft-key="practice-draft:' in page

    response = alice.post(url, _note_fields(world))
    assert response.status_code == 302
    assert _drafts(app) == [], "saving the note ends its draft"
    # The next page tells the browser to forget its copy too.
    assert "data-forget-draft=" in alice.text(response.location)
    assert NOTE not in alice.text(url), "a new note starts empty again"


def test_editing_a_note_keeps_a_draft_over_the_saved_version(app, world):
    alice = Browser(app).login(world.alice)
    response = alice.post(f"/couples/{world.couple_id}/sessions/new", _note_fields(world))
    note_id = int(response.location.rsplit("/", 1)[1])
    edit = f"/sessions/{note_id}/edit"
    token = alice.token(edit)
    changed = _note_fields(world, note="Rewritten while the phone rang.", csrf_token=token)
    assert alice.client.post(edit, data=changed, headers=FETCH).status_code == 200
    with app.app_context():
        assert session.get(SessionNote, note_id).sections["note"] == NOTE, "the note as saved"
    assert "Rewritten while the phone rang." in alice.text(edit)

    # Throwing the draft away brings back the saved version; its button is in a form of its
    # own, so Enter in a box of the note never presses it; from elsewhere, nothing happens.
    page = alice.text(edit)
    assert 'form="discard-draft"' in page
    assert page.index('id="discard-draft"') > page.index("Save draft</button>")
    response = alice.client.post(edit, data={"action": "discard", "csrf_token": "forged"})
    assert response.status_code == 302
    assert "Rewritten while the phone rang." in alice.text(edit)
    response = alice.post(edit, {"action": "discard"})
    assert response.status_code == 302
    assert _drafts(app) == []
    page = alice.text(edit)
    assert NOTE in page and "Rewritten" not in page


def test_feedback_keeps_its_draft_until_it_is_saved(app, world, reflection_id):
    alice = Browser(app).login(world.alice)
    url = f"/review/{reflection_id}"
    typed = {"feedback": "Thank you for naming Tuesday", "flag_for_session": "y"}
    response = alice.post(url, typed, headers=FETCH)
    assert response.status_code == 200
    assert _count(app, Feedback) == 0
    page = alice.text(url)
    assert "Thank you for naming Tuesday</textarea>" in page
    assert re.search(
        r'name="flag_for_session"[^>]*checked|checked[^>]*name="flag_for_session"', page
    )
    assert not re.search(r'checked[^>]*name="mark_reviewed"|name="mark_reviewed"[^>]*checked', page)

    alice.post(url, {"feedback": "Thank you for naming Tuesday plainly.", "mark_reviewed": "y"})
    assert _count(app, Feedback) == 1
    assert _drafts(app) == []


def test_an_addendum_keeps_its_draft_but_never_the_password(app, world):
    note_id = signed_session(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    url = f"/sessions/{note_id}/addenda"
    typed = {"text": "The date of the next session was 3 December.", "password": PASSWORD}
    response = alice.post(url, typed, form_url=f"/sessions/{note_id}", headers=FETCH)
    assert response.status_code == 200
    [(key, fields)] = _drafts(app)
    assert key == url
    assert fields == {"text": ["The date of the next session was 3 December."]}
    page = alice.text(f"/sessions/{note_id}")
    assert "The date of the next session was 3 December.</textarea>" in page
    assert PASSWORD not in page

    response = alice.post(url, typed, form_url=f"/sessions/{note_id}")
    assert response.status_code == 302
    assert _count(app, Addendum) == 1
    assert _drafts(app) == []


@pytest.mark.parametrize("which", ["new note", "feedback", "addendum"])
def test_an_autosave_after_the_session_ended_gets_401_json(app, world, reflection_id, which):
    note_id = signed_session(app, world.couple_id)
    url, form_url = {
        "new note": (f"/couples/{world.couple_id}/sessions/new", None),
        "feedback": (f"/review/{reflection_id}", None),
        "addendum": (f"/sessions/{note_id}/addenda", f"/sessions/{note_id}"),
    }[which]
    alice = Browser(app).login(world.alice)
    token = alice.token(form_url or url)
    alice.client.delete_cookie("session")
    data = {"note": NOTE, "feedback": NOTE, "text": NOTE, "csrf_token": token}
    response = alice.client.post(url, data=data, headers=FETCH)
    assert response.status_code == 401
    assert response.json["message"].startswith("Your session ended")
    assert response.json["login"].startswith("/login?next=")
    assert _drafts(app) == []

    # Ended by the idle limit, with the cookie still there: 401 JSON as well.
    alice = Browser(app).login(world.alice)
    token = alice.token(form_url or url)
    age_sign_ins(app, world.alice, idle=3 * 3600)
    response = alice.client.post(url, data={**data, "csrf_token": token}, headers=FETCH)
    assert response.status_code == 401
    assert _drafts(app) == []


def test_an_autosave_is_never_kept_under_someone_else(app, world):
    bob = Browser(app).login(world.bob)
    with app.app_context():
        alice_id = session.scalar(select(User.id).where(User.email == world.alice))
    url = f"/couples/{world.other_couple_id}/sessions/new"
    response = bob.post(url, {"note": NOTE}, headers={**FETCH, "X-Practice-Author": str(alice_id)})
    assert response.status_code == 401
    assert "Someone else is signed in" in response.json["message"]
    assert _drafts(app) == []


def test_an_autosave_refused_says_why_and_keeps_nothing(app, world):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    too_long = "x" * (app.config["PRACTICE_MAX_NOTE_CHARS"] + 1)
    response = alice.post(url, {"note": too_long}, headers=FETCH)
    assert response.status_code == 422
    assert "longer than the limit" in response.json["errors"]["note"][0]
    response = alice.client.post(url, data={"note": NOTE, "csrf_token": "old"}, headers=FETCH)
    assert response.status_code == 422
    fresh = response.json["csrf_token"]
    response = alice.client.post(url, data={"note": NOTE, "csrf_token": fresh}, headers=FETCH)
    assert response.status_code == 200
    assert [fields["note"] for _key, fields in _drafts(app)] == [[NOTE]]


@pytest.mark.parametrize("which", ["new note", "feedback", "addendum"])
def test_a_plain_save_after_the_idle_sign_out_keeps_every_word(app, world, reflection_id, which):
    note_id = signed_session(app, world.couple_id)
    url, page_url, typed = {
        "new note": (
            f"/couples/{world.couple_id}/sessions/new",
            f"/couples/{world.couple_id}/sessions/new",
            _note_fields(world),
        ),
        "feedback": (f"/review/{reflection_id}", f"/review/{reflection_id}", {"feedback": NOTE}),
        "addendum": (
            f"/sessions/{note_id}/addenda",
            f"/sessions/{note_id}",
            {"text": NOTE, "password": PASSWORD},
        ),
    }[which]
    alice = Browser(app).login(world.alice)
    token = alice.token(page_url)
    age_sign_ins(app, world.alice, idle=3 * 3600)  # 15 minutes and more of typing

    response = alice.client.post(url, data={**typed, "csrf_token": token})
    assert response.status_code == 302
    assert "/login?next=" in response.location
    login = alice.text(response.location)
    assert "What you wrote was kept" in login
    assert _count(app, Feedback) + _count(app, Addendum) == 0
    assert _count(app, SessionNote) == 1, "nothing saved in a signed-out person's name"
    [(key, fields)] = _drafts(app)
    assert key == url and "password" not in fields

    # Signing in again leads back to the form, with every word on it.
    login_url = response.location.removeprefix("http://localhost")
    response = alice.post(login_url, {"email": world.alice, "password": PASSWORD})
    assert response.status_code == 302
    back = alice.client.get(response.location, follow_redirects=True)
    page = back.get_data(as_text=True)
    assert back.request.path == page_url
    assert NOTE in page
    assert "Restored your draft from" in page


def test_a_plain_post_after_signing_out_on_purpose_keeps_nothing(app, world, reflection_id):
    alice = Browser(app).login(world.alice)
    url = f"/review/{reflection_id}"
    token = alice.token(url)
    alice.post("/logout", form_url=url)
    response = alice.client.post(url, data={"feedback": NOTE, "csrf_token": token})
    assert response.status_code == 302
    assert _drafts(app) == []


def test_a_post_from_elsewhere_after_the_idle_sign_out_keeps_nothing(app, world, reflection_id):
    alice = Browser(app).login(world.alice)
    alice.token(f"/review/{reflection_id}")
    age_sign_ins(app, world.alice, idle=3 * 3600)
    response = alice.client.post(f"/review/{reflection_id}", data={"feedback": "planted"})
    assert response.status_code == 302
    assert _drafts(app) == [], "no token of this browser's own form: not kept"


def test_a_wrong_password_on_sign_and_lock_says_so_at_the_top_and_opens_at_the_form(app, world):
    alice = Browser(app).login(world.alice)
    response = alice.post(f"/couples/{world.couple_id}/sessions/new", _note_fields(world))
    note_id = int(response.location.rsplit("/", 1)[1])
    page = alice.post(
        f"/sessions/{note_id}/sign", {"password": "not it"}, form_url=f"/sessions/{note_id}"
    ).get_data(as_text=True)
    summary = page.index('id="refused"')
    assert summary < page.index("<h2"), "the summary comes before the note itself"
    assert "Not signed." in page[summary : summary + 300]
    assert 'href="#sign"' in page
    # The page returns at the form, its password box focused (which scrolls it into view).
    assert re.search(
        r'<input[^>]*autofocus[^>]*name="password"|name="password"[^>]*autofocus', page
    )
    assert "what you typed is kept" not in page
    assert "Please type your password again below." in page
    # Signing in again after a sign that found the session ended leads to the note.
    assert alice.get(f"/sessions/{note_id}/sign").location.endswith(f"/sessions/{note_id}#sign")


def test_choosing_a_format_without_the_script_moves_the_words_and_saving_never_drops_any(
    app, world
):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    page = alice.post(url, _note_fields(world, note_format="dap", action="format"))
    text = page.get_data(as_text=True)
    assert 'data-section="data"' in text and "Note: " + NOTE in text
    # Only the chosen format's sections are in the form; the script gets every format's.
    assert 'data-section="subjective"' not in text and 'name="note"' not in text
    assert "data-formats=" in text and "Subjective" in text and "data-format-button" in text
    # Text left in a section the chosen format lacks is carried into it on saving.
    response = alice.post(url, _note_fields(world, note_format="soap", data="Kept.", plan="P"))
    assert response.status_code == 302
    with app.app_context():
        note = session.scalars(select(SessionNote).order_by(SessionNote.id.desc())).first()
        assert note.note_format == "soap"
        assert "Data: Kept." in note.sections["subjective"]
        assert NOTE in note.sections["subjective"]


def test_a_plain_save_from_a_page_open_for_hours_still_keeps_its_words(app, world):
    app.config["WTF_CSRF_TIME_LIMIT"] = 1  # the page's token is past its time
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    token = alice.token(url)
    time.sleep(2)
    age_sign_ins(app, world.alice, idle=3 * 3600)
    assert alice.client.post(url, data={**_note_fields(world), "csrf_token": token}).status_code
    assert [fields["note"] for _key, fields in _drafts(app)] == [[NOTE]]


def test_a_page_reads_one_draft_however_many_there_are(app, world, reflection_id):
    alice = Browser(app).login(world.alice)
    pages = [f"/review/{reflection_id}", f"/couples/{world.couple_id}/sessions/new"]

    def counts() -> list[int]:
        found = []
        for url in pages:
            with counted_queries(app) as statements:
                assert alice.get(url).status_code == 200
            found.append(len(statements))
        return found

    before = counts()
    with app.app_context():
        users = {u.email: u for u in session.scalars(select(User))}
        for n in range(60):
            for who in (world.alice, world.bob):
                drafts.keep(users[who], f"/review/{10_000 + n}", {"feedback": ["words"]})
        for url in pages:  # and a draft on each page itself, restored there
            drafts.keep(users[world.alice], url, {"feedback": ["mine"], "note": ["mine"]})
        commit()
    assert counts() == before


def test_a_refused_addendum_keeps_its_text_and_asks_for_the_password_again(app, world):
    note_id = signed_session(app, world.couple_id)
    alice = Browser(app).login(world.alice)
    page = alice.post(
        f"/sessions/{note_id}/addenda",
        {"text": "A correction.", "password": "not it"},
        form_url=f"/sessions/{note_id}",
    ).get_data(as_text=True)
    assert "A correction.</textarea>" in page
    assert "what you wrote is kept, but a password must be typed again" in page
    assert page.index('id="refused"') < page.index("<h2")
    assert re.search(r'<input[^>]*autofocus[^>]*name="password"', page)


def test_two_saves_of_a_new_draft_at_once_keep_the_later_words(app, world, monkeypatch):
    """The second save finds no draft yet (the first is not committed when it looks), then
    meets the first one's row: it writes over it instead of failing."""
    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        drafts.keep(alice, "/sessions/new/1", {"data": "first words"})
        commit()
        looked = []
        real = session.scalar

        def misses_the_first_time(statement, *args, **kwargs):
            if not looked:
                looked.append(statement)
                return None
            return real(statement, *args, **kwargs)

        monkeypatch.setattr(session, "scalar", misses_the_first_time)
        kept = drafts.keep(alice, "/sessions/new/1", {"data": "later words"})
        monkeypatch.undo()
        commit()
        rows = session.scalars(select(PractitionerDraft)).all()
        assert looked and [r.id for r in rows] == [kept.id]
        assert rows[0].fields == {"data": "later words"}
