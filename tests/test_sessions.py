"""Session notes: drafts, signing, the lock, addenda, homework, handouts and the record."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import Addendum, Assignment, Couple, Exercise, SessionNote, SignedNoteLocked
from practice.services import PracticeError, assignments, reflections, review, sessions
from tests.helpers.people import PASSWORD, Browser, record_session


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def make_session(app, world, **changes) -> int:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note = record_session(couple, couple.practitioner, **changes)
        commit()
        return note.id


def sign(app, note_id) -> None:
    with app.app_context():
        note = session.get(SessionNote, note_id)
        sessions.sign(note, note.practitioner, PASSWORD)
        commit()


def test_signing_needs_the_practitioners_password(app, world):
    note_id = make_session(app, world)
    alice = Browser(app).login(world.alice)
    page = alice.post(
        f"/sessions/{note_id}/sign",
        {"password": "not my password"},
        form_url=f"/sessions/{note_id}",
    )
    assert "That is not your password; nothing was signed." in page.get_data(as_text=True)
    with app.app_context():
        assert session.get(SessionNote, note_id).signed_at is None
    response = alice.post(
        f"/sessions/{note_id}/sign", {"password": PASSWORD}, form_url=f"/sessions/{note_id}"
    )
    assert response.status_code == 302
    page = alice.text(f"/sessions/{note_id}")
    assert "Signed by Alice Adler" in page and "Locked." in page


def test_a_signed_note_cannot_change_by_route_form_or_model(app, world):
    note_id = make_session(app, world, sections={"note": "The signed words."})
    sign(app, note_id)
    alice = Browser(app).login(world.alice)

    # Routes: the edit page sends back to the note; a posted edit changes nothing.
    assert alice.get(f"/sessions/{note_id}/edit").status_code == 302
    token = alice.token(f"/sessions/{note_id}")
    alice.client.post(
        f"/sessions/{note_id}/edit",
        data={
            "csrf_token": token,
            "day": "2026-11-21",
            "start": "09:00",
            "duration_minutes": "30",
            "kind": "joint",
            "note_format": "free",
            "note": "Rewritten",
            "action": "save",
        },
    )
    assert alice.get(f"/sessions/{note_id}/homework").status_code == 302
    assert (
        alice.post(
            f"/sessions/{note_id}/sign", {"password": PASSWORD}, form_url=f"/sessions/{note_id}"
        ).status_code
        == 200
    )

    with app.app_context():
        note = session.get(SessionNote, note_id)
        assert note.sections == {"note": "The signed words."} and note.duration_minutes == 50
        # The service refuses, with a message for the person.
        with pytest.raises(PracticeError, match="signed"):
            sessions.save_session(
                note,
                note.couple,
                note.practitioner,
                sessions.SessionInput(
                    starts_at=note.starts_at,
                    duration_minutes=20,
                    kind="joint",
                    individual_partner_id=None,
                    attendee_ids=[p.id for p in note.attendees],
                    note_format="free",
                    sections={"note": "x"},
                    reflection_ids=[],
                ),
            )
        with pytest.raises(PracticeError, match="signed"):
            exercise = session.scalar(select(Exercise))
            assignments.assign(
                note.couple,
                [exercise],
                audience="both",
                repeat="once",
                due_on=None,
                note="",
                by=note.practitioner,
                today=note.starts_at.date(),
                set_in=note,
            )
        # The model refuses whatever code path tries: attributes, collections, deletion.
        for change in (
            lambda n: setattr(n, "sections", {"note": "changed"}),
            lambda n: setattr(n, "duration_minutes", 10),
            lambda n: n.attendees.pop(),
            lambda n: session.delete(n),
        ):
            session.rollback()
            note = session.get(SessionNote, note_id)
            change(note)
            with pytest.raises(SignedNoteLocked):
                session.flush()
        session.rollback()
        assert session.get(SessionNote, note_id).sections == {"note": "The signed words."}


def test_addenda_are_dated_signed_appended_and_never_edited(app, world):
    note_id = make_session(app, world, sections={"note": "Original words."})
    alice = Browser(app).login(world.alice)
    refused = alice.post(
        f"/sessions/{note_id}/addenda",
        {"text": "Too early", "password": PASSWORD},
        form_url=f"/sessions/{note_id}",
    )
    assert "addenda are for signed notes" in refused.get_data(as_text=True)
    sign(app, note_id)
    wrong = alice.post(
        f"/sessions/{note_id}/addenda",
        {"text": "Correction with the wrong password", "password": "nope nope"},
        form_url=f"/sessions/{note_id}",
    )
    assert "That is not your password" in wrong.get_data(as_text=True)
    assert "Correction with the wrong password" in wrong.get_data(as_text=True), "text kept"
    for text in ("First correction: the session ran 55 minutes.", "Second correction."):
        response = alice.post(
            f"/sessions/{note_id}/addenda",
            {"text": text, "password": PASSWORD},
            form_url=f"/sessions/{note_id}",
        )
        assert response.status_code == 302
    page = alice.text(f"/sessions/{note_id}")
    assert page.index("First correction") < page.index("Second correction.")
    assert "Original words." in page
    with app.app_context():
        first = session.scalar(select(Addendum).order_by(Addendum.id))
        first.text = "edited"
        with pytest.raises(SignedNoteLocked):
            session.flush()


def test_two_tabs_editing_one_draft_never_overwrite_each_other(app, world):
    note_id = make_session(app, world, sections={"note": "Start."})
    tab_one, tab_two = Browser(app).login(world.alice), Browser(app).login(world.alice)

    def opened(tab):
        page = tab.text(f"/sessions/{note_id}/edit")
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        return {
            "csrf_token": tab.token(f"/sessions/{note_id}/edit"),
            "version": version,
            "day": "2026-11-20",
            "start": "17:00",
            "duration_minutes": "50",
            "kind": "joint",
            "attendees": [str(world.recovering_id), str(world.hurt_id)],
            "note_format": "free",
            "action": "save",
        }

    first, second = opened(tab_one), opened(tab_two)
    saved = tab_one.client.post(
        f"/sessions/{note_id}/edit", data={**first, "note": "Words from tab one."}
    )
    assert saved.status_code == 302
    clash = tab_two.client.post(
        f"/sessions/{note_id}/edit", data={**second, "note": "Words from tab two."}
    )
    page = clash.get_data(as_text=True)
    assert clash.status_code == 200
    assert "saved elsewhere" in page
    assert "Words from tab two." in page, "the second tab's text is kept"
    assert "Words from tab one." in page, "and the saved version is shown beside it"
    with app.app_context():
        assert session.get(SessionNote, note_id).sections == {"note": "Words from tab one."}


def test_switching_note_format_moves_the_words_and_loses_none(app, world):
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    response = alice.post(
        url,
        {
            "day": "2026-11-20",
            "start": "17:00",
            "duration_minutes": "50",
            "kind": "joint",
            "attendees": [str(world.recovering_id)],
            "note_format": "soap",
            "note": "Free words typed first.",
            "action": "format",
        },
    )
    page = response.get_data(as_text=True)
    assert "Subjective" in page and "Objective" in page and "Free words typed first." in page
    with app.app_context():
        assert session.scalar(select(func.count(SessionNote.id))) == 0


def test_homework_set_in_a_session_reaches_the_couple(app, world):
    note_id = make_session(app, world)
    alice = Browser(app).login(world.alice)
    with app.app_context():
        exercise_id = session.scalar(select(Exercise.id).where(Exercise.slug == "small-victories"))
    response = alice.post(
        f"/sessions/{note_id}/homework",
        {
            "exercises": [exercise_id],
            "audience": "as-written",
            "repeat": "weekly",
            "due_on": "",
            "note": "Sunday evenings.",
        },
    )
    assert response.status_code == 302
    assert "Noticing small victories" in alice.text(f"/sessions/{note_id}")
    riley = Browser(app).login(world.recovering)
    assert "Noticing small victories" in riley.text("/my/")
    with app.app_context():
        assert session.scalar(select(Assignment.session_id)) == note_id


def test_an_individual_session_is_only_ever_the_partners_own(app, world):
    note_id = make_session(
        app,
        world,
        kind="individual",
        individual_partner_id=world.hurt_id,
        attendee_ids=[world.hurt_id],
        sections={"note": "HARPER-ALONE"},
    )
    sign(app, note_id)
    harper, riley = Browser(app).login(world.hurt), Browser(app).login(world.recovering)
    assert f"/my/handouts/{note_id}/pdf" in harper.text("/my/")
    assert f"/my/handouts/{note_id}/pdf" not in riley.text("/my/")
    assert riley.get(f"/my/handouts/{note_id}/pdf").status_code == 404
    handout = harper.get(f"/my/handouts/{note_id}/pdf")
    assert handout.status_code == 200
    assert "HARPER-ALONE" not in pdf_text(handout.data), "handouts never carry the note"
    with app.app_context(), pytest.raises(PracticeError, match="only that partner"):
        couple = session.get(Couple, world.couple_id)
        record_session(
            couple,
            couple.practitioner,
            kind="individual",
            individual_partner_id=world.hurt_id,
            attendee_ids=[world.hurt_id, world.recovering_id],
        )


def _reflect(app, world, partner_id, words, shared, feedback=None):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        partner = next(p for p in couple.partners if p.id == partner_id)
        exercise = session.scalar(select(Exercise).where(Exercise.slug == "small-victories"))
        (assignment,) = assignments.assign(
            couple,
            [exercise],
            audience="both",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=couple.created_at.date(),
        )
        reflection, _ = reflections.save(
            partner,
            assignment,
            answers=[words, "", ""],
            ratings={"hope": 6},
            shared=shared,
            submit=True,
            today=couple.created_at.date(),
        )
        if feedback:
            review.respond(
                reflection,
                couple.practitioner,
                feedback=feedback,
                mark_reviewed=True,
                flag_for_session=True,
            )
        commit()
        return reflection.id


def test_pdfs_carry_what_each_reader_may_see_and_nothing_more(app, world):
    riley_words = _reflect(
        app, world, world.recovering_id, "RILEY-SHARED-WORDS", True, feedback="FEEDBACK-FOR-RILEY"
    )
    harper_words = _reflect(
        app, world, world.hurt_id, "HARPER-PRIVATE-WORDS", False, feedback="FEEDBACK-FOR-HARPER"
    )
    note_id = make_session(
        app,
        world,
        sections={"note": "CLINICAL-NOTE-TEXT"},
        reflection_ids=[riley_words, harper_words],
    )
    with app.app_context():
        note = session.get(SessionNote, note_id)
        exercise = session.scalar(select(Exercise).where(Exercise.slug == "support-map"))
        assignments.assign(
            note.couple,
            [exercise],
            audience="both",
            repeat="once",
            due_on=None,
            note="",
            by=note.practitioner,
            today=note.starts_at.date(),
            set_in=note,
        )
        commit()
    sign(app, note_id)
    alice = Browser(app).login(world.alice)
    riley, harper = Browser(app).login(world.recovering), Browser(app).login(world.hurt)

    full = pdf_text(alice.get(f"/sessions/{note_id}/pdf").data)
    for expected in (
        "CLINICAL-NOTE-TEXT",
        "RILEY-SHARED-WORDS",
        "HARPER-PRIVATE-WORDS",
        "Private to Harper",
        "Our support map",
        "Signed by",
    ):
        assert expected.lower() in full.lower(), expected
    assert "DRAFT" not in full

    readers = {
        "riley (own)": riley.get(f"/my/handouts/{note_id}/pdf?reflections=1"),
        "harper (own)": harper.get(f"/my/handouts/{note_id}/pdf?reflections=1"),
        "riley (by practitioner)": alice.get(
            f"/sessions/{note_id}/handouts/{world.recovering_id}/pdf?reflections=1"
        ),
    }
    allowed = {
        "riley (own)": {"RILEY-SHARED-WORDS", "FEEDBACK-FOR-RILEY"},
        "harper (own)": {"HARPER-PRIVATE-WORDS", "FEEDBACK-FOR-HARPER"},
        "riley (by practitioner)": {"RILEY-SHARED-WORDS", "FEEDBACK-FOR-RILEY"},
    }
    markers = {
        "CLINICAL-NOTE-TEXT",
        "RILEY-SHARED-WORDS",
        "HARPER-PRIVATE-WORDS",
        "FEEDBACK-FOR-RILEY",
        "FEEDBACK-FOR-HARPER",
    }
    for reader, response in readers.items():
        assert response.status_code == 200, reader
        text = pdf_text(response.data)
        assert "Our support map" in text, f"{reader}: homework is in the handout"
        for marker in markers:
            assert (marker in text) == (marker in allowed[reader]), f"{reader}: {marker}"


def test_a_signed_note_reads_the_same_on_every_download(app, world):
    note_id = make_session(app, world, sections={"note": "Same every time."})
    alice = Browser(app).login(world.alice)
    draft = pdf_text(alice.get(f"/sessions/{note_id}/pdf").data)
    assert "DRAFT" in draft
    sign(app, note_id)
    first = pdf_text(alice.get(f"/sessions/{note_id}/pdf").data)
    _reflect(app, world, world.recovering_id, "Later words", True)  # the couple moves on
    second = pdf_text(alice.get(f"/sessions/{note_id}/pdf").data)
    assert first == second
    assert "DRAFT" not in first


def test_the_record_has_every_signed_session_in_order_with_addenda(app, world, runner, tmp_path):
    first = make_session(app, world, sections={"note": "FIRST-SESSION"})
    make_session(app, world, sections={"note": "UNSIGNED-DRAFT"})
    second = make_session(app, world, sections={"note": "SECOND-SESSION"})
    with app.app_context():
        session.get(SessionNote, second).starts_at = session.get(
            SessionNote, first
        ).starts_at.replace(day=27)
        commit()
    for note_id in (first, second):
        sign(app, note_id)
    with app.app_context():
        note = session.get(SessionNote, first)
        sessions.add_addendum(note, note.practitioner, "ADDENDUM-TO-FIRST", PASSWORD)
        commit()
    alice = Browser(app).login(world.alice)
    text = pdf_text(alice.get(f"/couples/{world.couple_id}/record/pdf").data)
    assert text.index("FIRST-SESSION") < text.index("ADDENDUM-TO-FIRST")
    assert text.index("ADDENDUM-TO-FIRST") < text.index("SECOND-SESSION")
    assert "UNSIGNED-DRAFT" not in text

    out = tmp_path / "record.pdf"
    result = runner.invoke(args=["export-record", str(world.couple_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 signed sessions" in result.output
    exported = pdf_text(out.read_bytes())
    assert "FIRST-SESSION" in exported and "UNSIGNED-DRAFT" not in exported
    missing = runner.invoke(args=["export-record", "999999", "--out", str(out)])
    assert missing.exit_code != 0 and "no couple with id 999999" in missing.output
    nowhere = runner.invoke(
        args=[
            "export-record",
            str(world.couple_id),
            "--out",
            str(tmp_path / "no" / "such" / "dir.pdf"),
        ]
    )
    assert nowhere.exit_code != 0 and "does not exist" in nowhere.output
