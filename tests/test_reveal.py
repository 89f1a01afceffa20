"""Mutual reveal: each partner answers alone; both see both only once both have submitted."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Assignment, Couple, Exercise, Reflection, User
from practice.programs.loader import ProgramFileError, parse_program
from practice.services import pacing, reflections, safety
from tests.helpers.database import counted_queries
from tests.helpers.people import (
    SAFE_ANSWERS,
    Browser,
    assign_exercises,
    signed_session,
)

RILEY_WORDS = "RILEY-HEARD-THE-APOLOGY"
HARPER_WORDS = "HARPER-NEEDS-QUIET-EVENINGS"
FETCH = {"X-Requested-With": "fetch"}


def open_steps_to(app, world, position: int) -> None:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        while pacing.open_step(couple) < position:
            pacing.open_early(couple, couple.practitioner, "Worked on this in session.")
        commit()


def assign(app, world, slug="hearing-and-being-heard", audience="as-written") -> int:
    (made,) = assign_exercises(app, world.couple_id, slug, audience=audience)
    return made


@pytest.fixture
def reveal(app, world):
    open_steps_to(app, world, 2)
    aid = assign(app, world)
    return aid, Browser(app).login(world.recovering), Browser(app).login(world.hurt)


def submit(browser, assignment_id, words, **extra):
    return browser.post(
        f"/my/assignments/{assignment_id}",
        {"answer_0": words, "action": "submit", **extra},
        form_url="/my/",
    )


def reflection_of(app, email) -> Reflection:
    with app.app_context():
        reflection = session.scalar(
            select(Reflection)
            .join(Reflection.author)
            .join(User)
            .where(User.email == email)
            .order_by(Reflection.id)
        )
        session.expunge_all()
        return reflection


def everything_harper_can_open(app, world, harper, aid, riley_reflection_id) -> str:
    """Every page, JSON answer and PDF Harper can reach about this exercise, as text."""
    pages = [harper.text(url) for url in ("/my/", "/my/shared", f"/my/assignments/{aid}")]
    autosave = harper.post(
        f"/my/assignments/{aid}", {"answer_0": "my draft", "action": "save"}, headers=FETCH
    )
    pages.append(autosave.get_data(as_text=True))
    denied = harper.get(f"/my/reflections/{riley_reflection_id}")
    pages.append(f"{denied.status_code}")
    pages.append(denied.get_data(as_text=True))
    note_id = signed_session(app, world.couple_id, reflection_ids=[riley_reflection_id])
    for query in ("", "?reflections=1"):
        pdf = harper.get(f"/my/handouts/{note_id}/pdf{query}")
        assert pdf.status_code == 200
        reader = PdfReader(io.BytesIO(pdf.data))
        pages.append("\n".join(p.extract_text() for p in reader.pages))
        pages.append(str(reader.metadata))
    return "\n".join(pages)


def test_the_founding_program_marks_exercises_for_both_to_reveal_together(app):
    with app.app_context():
        marked = session.scalars(
            select(Exercise).where(Exercise.reveal_together.is_(True)).order_by(Exercise.id)
        ).all()
        assert [e.slug for e in marked] == ["hearing-and-being-heard", "hopes-fears-dreams"]
        assert {e.audience for e in marked} == {"both"}


def test_the_loader_refuses_reveal_together_on_an_exercise_for_one_role():
    text = """
[program]
slug = "p"
name = "P"
version = 1
roles = [{key = "a", label = "A"}, {key = "b", label = "B"}]
[[steps]]
slug = "s"
title = "S"
[[steps.exercises]]
slug = "e"
title = "E"
audience = "a"
reveal_together = true
instructions = "Do it."
prompts = ["Why?"]
[[steps.exercises]]
slug = "f"
title = "F"
audience = "both"
reveal_together = "yes"
instructions = "Do it."
prompts = ["Why?"]
"""
    with pytest.raises(ProgramFileError) as caught:
        parse_program(text, "p.toml")
    assert caught.value.problems == [
        "line 14: steps[0].exercises[0].reveal_together: only an exercise meant for both "
        "partners can be revealed together",
        "line 21: steps[0].exercises[1].reveal_together: expected bool",
    ]


def test_assigned_to_one_role_only_a_reveal_exercise_is_an_ordinary_one(app, world):
    open_steps_to(app, world, 2)
    one = assign(app, world, audience="hurt")
    both = assign(app, world)
    with app.app_context():
        assert session.get(Assignment, one).reveal_together is False
        assert session.get(Assignment, both).reveal_together is True


def test_the_page_explains_the_reveal_and_offers_no_share_box(app, world, reveal):
    aid, riley, _harper = reveal
    page = riley.text(f"/my/assignments/{aid}")
    assert "You each answer this alone." in page
    assert 'name="shared_with_partner"' not in page


def test_before_both_submit_the_partner_sees_nothing_of_the_answer(app, world, reveal):
    aid, riley, harper = reveal
    assert submit(riley, aid, RILEY_WORDS, shared_with_partner="y").status_code == 302
    mine = reflection_of(app, world.recovering)
    assert mine.shared_with_partner is False, "the share box is not offered, nor obeyed"
    page = riley.text(f"/my/reflections/{mine.id}")
    assert "Waiting for your partner." in page
    assert HARPER_WORDS not in page

    seen = everything_harper_can_open(app, world, harper, aid, mine.id)
    assert "\n404\n" in seen
    assert RILEY_WORDS not in seen


def test_once_both_have_submitted_both_see_both(app, world, reveal):
    aid, riley, harper = reveal
    submit(riley, aid, RILEY_WORDS)
    submit(harper, aid, HARPER_WORDS)
    riley_reflection = reflection_of(app, world.recovering)
    harper_reflection = reflection_of(app, world.hurt)

    riley_page = riley.text(f"/my/reflections/{riley_reflection.id}")
    harper_page = harper.text(f"/my/reflections/{harper_reflection.id}")
    assert RILEY_WORDS in riley_page and HARPER_WORDS in riley_page
    assert HARPER_WORDS in harper_page and RILEY_WORDS in harper_page
    assert "You have both submitted, so you both see both answers." in harper_page
    # The partner's reflection opens on its own too, as from a link.
    other = harper.get(f"/my/reflections/{riley_reflection.id}")
    assert other.status_code == 200
    assert RILEY_WORDS in other.get_data(as_text=True)
    # Feedback stays with its author.
    assert "Feedback from your practitioner" not in other.get_data(as_text=True)


def test_a_submitted_answer_cannot_be_changed_before_or_after_the_reveal(app, world, reveal):
    aid, riley, harper = reveal
    submit(riley, aid, RILEY_WORDS)
    again = submit(riley, aid, "A second thought")
    assert again.status_code == 302 and "/my/reflections/" in again.location
    autosave = riley.post(
        f"/my/assignments/{aid}",
        {"answer_0": "A draft over it", "action": "save"},
        form_url="/my/",
        headers=FETCH,
    )
    assert autosave.status_code == 409
    assert "your first submission stands" in autosave.json["errors"]["form"][0]
    assert reflection_of(app, world.recovering).answers[0] == RILEY_WORDS

    submit(harper, aid, HARPER_WORDS)
    response = submit(riley, aid, "Now that I read Harper's")
    assert response.status_code == 302
    assert "/my/reflections/" in response.location
    assert reflection_of(app, world.recovering).answers[0] == RILEY_WORDS
    with app.app_context():
        riley_partner = session.get(Couple, world.couple_id).partners[0]
        assignment = session.get(Assignment, aid)
        reflection, outcome = reflections.save(
            riley_partner,
            assignment,
            answers=["Through the service", "", ""],
            ratings={},
            shared=True,
            submit=True,
            today=date.today(),
        )
        assert outcome == "already-submitted"
        assert reflection.answers[0] == RILEY_WORDS


def test_with_joint_features_off_nothing_is_revealed(app, world, reveal):
    # A concerning safety answer turns joint features off, through the real screen.
    aid, riley, harper = reveal
    with app.app_context():
        hurt = session.get(Couple, world.couple_id).partners[1]
        safety.take_screen(hurt, {**SAFE_ANSWERS, "afraid": True})
        commit()
    submit(riley, aid, RILEY_WORDS)
    submit(harper, aid, HARPER_WORDS)
    riley_reflection = reflection_of(app, world.recovering)
    harper_reflection = reflection_of(app, world.hurt)
    page = riley.text(f"/my/reflections/{riley_reflection.id}")
    assert "Not available right now." in page
    assert HARPER_WORDS not in page
    assert "Waiting for your partner" not in page
    assert harper.get(f"/my/reflections/{riley_reflection.id}").status_code == 404
    assert RILEY_WORDS not in harper.text(f"/my/reflections/{harper_reflection.id}")


def test_the_reflection_page_makes_as_many_queries_with_more_revealed_work(app, world):
    open_steps_to(app, world, 6)
    riley, harper = Browser(app).login(world.recovering), Browser(app).login(world.hurt)

    def answer_both(times):
        for _ in range(times):
            aid = assign(app, world, slug="hopes-fears-dreams")
            submit(riley, aid, RILEY_WORDS)
            submit(harper, aid, HARPER_WORDS)

    def counts():
        first = reflection_of(app, world.recovering)
        result = []
        for url in (f"/my/reflections/{first.id}", "/my/"):
            with counted_queries(app) as statements:
                assert riley.get(url).status_code == 200
            result.append(len(statements))
        return result

    answer_both(1)
    small = counts()
    answer_both(5)
    assert counts() == small
