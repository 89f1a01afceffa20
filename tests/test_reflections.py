"""Doing the work: repeats, due dates, risk words, and the partner's privacy."""

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import Couple, Exercise, Reflection
from practice.services import PracticeError, assignments, reflections
from practice.services.risk import risk_terms
from tests.helpers.pages import make_assignment
from tests.helpers.people import Browser


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Some nights I think about suicide.", ["suicide"]),
        ("I wanted to HURT   MYSELF after the call", ["hurt myself"]),
        ("He hit me once, years ago.", ["hit me"]),
        ("We talked about self-harm in group.", ["self-harm"]),
        ("The gunnels of the boat; a shotgun wedding joke", []),
        ("I felt hurt by what you said", []),
        ("Suicidal thoughts came back; also violence on TV", ["suicidal", "violence"]),
    ],
)
def test_risk_terms_match_whole_words_only(text, found):
    assert risk_terms(text) == found


def _assign(app, world, slug, repeat, today, due_on=None):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        exercise = session.scalar(select(Exercise).where(Exercise.slug == slug))
        (made,) = assignments.assign(
            couple,
            [exercise],
            audience="both",
            repeat=repeat,
            due_on=due_on,
            note="",
            by=couple.practitioner,
            today=today,
        )
        commit()
        return made.id


def _answer(app, world, assignment_id, today, submit=True, words="words"):
    from practice.models import Assignment

    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        assignment = session.get(Assignment, assignment_id)
        partner = couple.partners[0]
        result = reflections.save(
            partner,
            assignment,
            answers=[words] * len(assignment.prompts),
            ratings={},
            shared=False,
            submit=submit,
            today=today,
        )
        commit()
        return result[1]


def _count(app):
    with app.app_context():
        return session.scalar(select(func.count(Reflection.id)))


def test_daily_exercise_asks_once_a_day(app, world):
    monday = date(2026, 11, 2)
    aid = _assign(app, world, "small-victories", "daily", monday)
    assert _answer(app, world, aid, monday) == "submitted"
    assert _answer(app, world, aid, monday) == "already-submitted"
    assert _answer(app, world, aid, monday + timedelta(days=1)) == "submitted"
    assert _count(app) == 2


def test_weekly_exercise_asks_once_a_week_until_its_due_date(app, world):
    start = date(2026, 11, 2)
    aid = _assign(app, world, "small-victories", "weekly", start, due_on=date(2026, 11, 20))
    assert _answer(app, world, aid, start + timedelta(days=3)) == "submitted"
    assert _answer(app, world, aid, start + timedelta(days=6)) == "already-submitted"
    assert _answer(app, world, aid, start + timedelta(days=8)) == "submitted"
    with pytest.raises(PracticeError, match="closed"):
        _answer(app, world, aid, date(2026, 11, 21))
    assert _count(app) == 2


def test_agenda_shows_what_is_due_soonest_first_and_hides_what_is_done(app, world):
    today = date(2026, 11, 2)
    later = _assign(app, world, "small-victories", "once", today, due_on=date(2026, 11, 30))
    sooner = _assign(app, world, "support-map", "once", today, due_on=date(2026, 11, 5))
    undated = _assign(app, world, "comfort-and-pace", "once", today)
    with app.app_context():
        partner = session.get(Couple, world.couple_id).partners[0]
        due = [item.assignment.id for item in reflections.agenda(partner, today).due]
    assert due == [sooner, later, undated]
    _answer(app, world, sooner, today)
    with app.app_context():
        partner = session.get(Couple, world.couple_id).partners[0]
        agenda = reflections.agenda(partner, today)
        assert [item.assignment.id for item in agenda.due] == [later, undated]
        assert [r.assignment_id for r in agenda.done] == [sooner]


def test_an_assignment_keeps_the_text_it_was_given(app, world):
    today = date.today()
    aid = _assign(app, world, "small-victories", "once", today)
    from practice.models import Assignment

    with app.app_context():
        exercise = session.scalar(select(Exercise).where(Exercise.slug == "small-victories"))
        original = exercise.title
        exercise.title = "Renamed later"
        exercise.prompts = ["A new question?"]
        commit()
        assignment = session.get(Assignment, aid)
        assert assignment.title == original
        assert assignment.prompts != ["A new question?"]


def test_submitting_needs_at_least_one_answer_but_a_draft_may_be_empty(app, world):
    today = date.today()
    aid = _assign(app, world, "small-victories", "once", today)
    assert _answer(app, world, aid, today, submit=False, words="") == "saved"
    with pytest.raises(PracticeError, match="at least one question"):
        _answer(app, world, aid, today, submit=True, words="   ")


def test_two_submits_at_once_the_first_stands_and_the_second_is_told(app, world, monkeypatch):
    """Two tabs submit the same exercise at the same moment. The submit reads the draft,
    works on the answers and writes: the second must not overwrite the first."""
    assignment_id = make_assignment(app, world, "finding-the-right-amount")
    url = f"/my/assignments/{assignment_id}"
    tabs = [Browser(app).login(world.recovering) for _ in range(2)]
    # A draft was saved earlier (autosave makes one within seconds of typing).
    draft = tabs[0].post(url, {"answer_0": "A first draft", "action": "save"})
    assert draft.status_code == 302
    tokens = [tab.token(url) for tab in tabs]
    # Each submit pauses between reading the draft and writing the answers, so both are
    # under way at once whatever the machine's speed.
    slow = reflections.risk_terms

    def slowly(*answers):
        time.sleep(0.3)
        return slow(*answers)

    monkeypatch.setattr(reflections, "risk_terms", slowly)
    start = threading.Barrier(2)
    answered = [None, None]

    def submit(i):
        start.wait()
        data = {"csrf_token": tokens[i], "answer_0": f"Tab {i} words", "action": "submit"}
        answered[i] = tabs[i].client.post(url, data=data, follow_redirects=True)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    pages = [response.get_data(as_text=True) for response in answered]
    assert [response.status_code for response in answered] == [200, 200]
    firsts = [i for i, page in enumerate(pages) if "Submitted. Your practitioner" in page]
    seconds = [i for i, page in enumerate(pages) if "already submitted" in page.lower()]
    assert len(firsts) == 1 and len(seconds) == 1, pages
    with app.app_context():
        (reflection,) = session.scalars(
            select(Reflection).where(Reflection.assignment_id == assignment_id)
        ).all()
        assert reflection.answers[0] == f"Tab {firsts[0]} words"
        assert reflection.submitted_at is not None
