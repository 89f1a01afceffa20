"""Paced steps: the couple moves through the program together, one step opening the next."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from practice.db import commit, session
from practice.forms import CSRF_MESSAGE
from practice.models import Couple, Exercise, Partner, Reflection, StepOpening, User
from practice.services import assignments, pacing, reflections
from tests.helpers.database import counted_queries
from tests.helpers.pages import (
    Form,
    Page,
    assert_kept,
    assert_refused,
    assert_unchanged,
    snapshot,
)
from tests.helpers.people import Browser, assign_exercises


def assign(app, world, *slugs, couple_id=None) -> list[int]:
    return assign_exercises(app, couple_id or world.couple_id, *slugs)


def submit(browser: Browser, assignment_id: int, words: str) -> None:
    url = f"/my/assignments/{assignment_id}"
    response = browser.post(url, {"answer_0": words, "action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)


def said(browser: Browser, url: str) -> str:
    """The page's words as a person reads them: tags dropped, white space collapsed."""
    text = re.sub(r"<[^>]+>", " ", browser.text(url))
    return re.sub(r"\s+", " ", html.unescape(text))


def reflection_ids(app) -> list[int]:
    with app.app_context():
        return list(session.scalars(select(Reflection.id).order_by(Reflection.id)))


def review(alice: Browser, reflection_id: int) -> None:
    response = alice.post(f"/review/{reflection_id}", {"feedback": "", "mark_reviewed": "y"})
    assert response.status_code == 302


def open_step(app, world) -> int:
    with app.app_context():
        return pacing.open_step(session.get(Couple, world.couple_id))


@pytest.fixture
def people(app, world):
    return (
        Browser(app).login(world.alice),
        Browser(app).login(world.recovering),
        Browser(app).login(world.hurt),
    )


def test_step_one_is_open_from_the_start_and_the_rest_are_locked(app, world, people):
    _alice, riley, _harper = people
    assert open_step(app, world) == 1
    home = said(riley, "/my/")
    assert "Step 1: Transparency (open now)" in home
    assert "Step 2: Ownership (locked)" in home
    assert "Opens after step 2." in home
    assert "Alice Adler to choose the exercises for step 1" in home


def test_next_step_waits_for_both_submissions_and_the_review_then_opens_on_the_last_review(
    app, world, people
):
    alice, riley, harper = people
    both, recovering_only = assign(app, world, "finding-the-right-amount", "weekly-openness-log")
    (later,) = assign(app, world, "understanding-the-impact")

    home = said(riley, "/my/")
    assert (
        "Waiting for: your reflection on “Finding the right amount”; your reflection on "
        "“Weekly openness log”; Harper Hurt finishing their part; Alice Adler's review." in home
    )
    # Harper never learns the title of an exercise meant for Riley alone.
    harper_home = said(harper, "/my/")
    assert "Weekly openness log" not in harper_home
    assert (
        "your reflection on “Finding the right amount”; Riley Recovering finishing their part"
        in (harper_home)
    )
    # Step 2's work is listed as waiting, not as something to do now.
    assert "Ready for when it opens: “Understanding the impact”." in home
    assert f'href="/my/assignments/{later}"' not in riley.text("/my/")

    submit(riley, both, "Sundays suit me.")
    submit(riley, recovering_only, "I told her about Tuesday.")
    assert open_step(app, world) == 1
    assert "Harper Hurt finishing their part; Alice Adler's review." in said(riley, "/my/")
    submit(harper, both, "Sunday evenings, then.")
    first, second, third = reflection_ids(app)
    assert "your reflection" not in said(riley, "/my/")
    assert "Waiting for: Alice Adler's review." in said(riley, "/my/")

    review(alice, first)
    review(alice, second)
    assert open_step(app, world) == 1, "one reflection is still unreviewed"
    review(alice, third)
    assert open_step(app, world) == 2

    with app.app_context():
        opening = session.scalar(select(StepOpening))
        assert (opening.step_position, opening.early, opening.reason) == (2, False, "")
        assert session.get(User, opening.opened_by_id).email == world.alice
        assert session.get(Couple, world.couple_id).current_step == 2
    home = said(riley, "/my/")
    assert "Step 2: Ownership (open now)" in home
    assert f'href="/my/assignments/{later}"' in riley.text("/my/")
    assert "Ready for when it opens" not in home


def test_a_closed_exercise_no_longer_holds_the_step_back(app, world, people):
    alice, riley, harper = people
    both, recovering_only = assign(app, world, "finding-the-right-amount", "weekly-openness-log")
    submit(riley, both, "Sundays.")
    submit(harper, both, "Sundays, yes.")
    for reflection_id in reflection_ids(app):
        review(alice, reflection_id)
    assert open_step(app, world) == 1, "Riley's own exercise is still open"
    alice.post(
        f"/couples/{world.couple_id}/assignments/{recovering_only}/close",
        form_url=f"/couples/{world.couple_id}",
    )
    assert open_step(app, world) == 2


def test_a_locked_steps_exercise_shows_but_cannot_be_saved(app, world, people):
    _alice, riley, _harper = people
    (later,) = assign(app, world, "understanding-the-impact")
    url = f"/my/assignments/{later}"
    page = riley.text(url)
    assert "belongs to step 2, which has not opened yet" in page
    assert 'name="answer_0"' not in page
    before = snapshot(app)
    typed = {"answer_0": "Words I wrote anyway 🌱", "answer_1": "", "answer_2": ""}
    page = Page(riley.post(url, {**typed, "action": "submit"}, form_url="/my/"))
    assert page.status == 200
    assert any("has not opened yet" in e for e in page.page_errors), page.page_errors
    assert_kept(page, typed)
    assert_unchanged(app, before)
    response = riley.post(
        url, {**typed, "action": "save"}, form_url="/my/", headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 422
    assert "has not opened yet" in response.json["errors"]["form"][0]
    assert_unchanged(app, before)


def test_the_practitioner_opens_the_next_step_early_with_a_reason_that_is_kept(app, world, people):
    alice, riley, _harper = people
    couple_page = alice.text(f"/couples/{world.couple_id}")
    assert "Open now: step 1, Transparency." in couple_page
    assert f'href="/couples/{world.couple_id}/steps/open-early">Open step 2 early' in couple_page
    url = f"/couples/{world.couple_id}/steps/open-early"
    response = alice.post(url, {"reason": "They did this work with me in session."})
    assert response.status_code == 302
    assert open_step(app, world) == 2
    with app.app_context():
        opening = session.scalar(select(StepOpening))
        assert opening.early is True
        assert opening.reason == "They did this work with me in session."
    couple_page = alice.text(f"/couples/{world.couple_id}")
    assert "Open now: step 2, Ownership." in couple_page
    assert "They did this work with me in session." in couple_page
    # The reason is the practitioner's; the couple never sees it.
    assert "They did this work" not in riley.text("/my/")
    assert "Step 2: Ownership (open now)" in said(riley, "/my/")


def test_opening_early_is_recorded_in_the_audit_trail(app, world, people, monkeypatch):
    from practice.services import audit

    entries = []
    monkeypatch.setattr(audit, "record", lambda action, **kw: entries.append((action, kw)))
    alice, _riley, _harper = people
    alice.post(f"/couples/{world.couple_id}/steps/open-early", {"reason": "Ready."})
    assert [(a, kw["subject_id"], kw["detail"]) for a, kw in entries] == [
        ("step.opened_early", world.couple_id, "Step 2")
    ]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Write a short reason"),
        ("   \n  ", "Write a short reason"),
        ("ב" * 2001, "keep it to 2,000"),
    ],
)
def test_opening_early_without_a_good_reason_is_refused_and_opens_nothing(
    app, world, people, reason, message
):
    alice, _riley, _harper = people
    before = snapshot(app)
    page = Page(alice.post(f"/couples/{world.couple_id}/steps/open-early", {"reason": reason}))
    assert_refused(page, "reason", message)
    if reason.strip():
        assert_kept(page, {"reason": reason})
    assert_unchanged(app, before)


def test_opening_early_when_every_step_is_open_says_so(app, world, people):
    alice, _riley, _harper = people
    url = f"/couples/{world.couple_id}/steps/open-early"
    for _ in range(6):
        assert alice.post(url, {"reason": "Moving on."}).status_code == 302
    assert open_step(app, world) == 7
    before = snapshot(app)
    page = Page(alice.post(url, {"reason": "One more?"}))
    assert page.status == 200
    assert "Every step is already open for this couple." in page.page_errors
    assert_kept(page, {"reason": "One more?"})
    assert_unchanged(app, before)


def test_another_practitioner_cannot_open_a_step_for_a_couple_not_theirs(app, world):
    bob = Browser(app).login(world.bob)
    before = snapshot(app)
    response = bob.post(
        f"/couples/{world.couple_id}/steps/open-early",
        {"reason": "Not mine."},
        form_url=f"/couples/{world.other_couple_id}/steps/open-early",
    )
    assert response.status_code == 404
    assert_unchanged(app, before)


def test_steps_of_one_couple_never_open_another_couples(app, world):
    alice = Browser(app).login(world.alice)
    alice.post(f"/couples/{world.couple_id}/steps/open-early", {"reason": "Ready."})
    with app.app_context():
        assert pacing.open_step(session.get(Couple, world.other_couple_id)) == 1


def _grow(app, world, couples: int, reflections_each: int) -> None:
    """More couples on Alice's caseload, and more answered work on the open step."""
    from practice.services import couples as couple_service

    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        couple = session.get(Couple, world.couple_id)
        n = session.scalar(select(func.count(Couple.id)))
        for i in range(couples):
            couple_service.create_couple(
                alice,
                couple.program,
                [
                    couple_service.NewPartner(f"A{n}{i}", f"a{n}-{i}@example.org", "recovering"),
                    couple_service.NewPartner(f"B{n}{i}", f"b{n}-{i}@example.org", "hurt"),
                ],
            )
        exercise = session.scalar(select(Exercise).where(Exercise.slug == "receiving-updates"))
        for _ in range(reflections_each):
            (made,) = assignments.assign(
                couple,
                [exercise],
                audience="both",
                repeat="once",
                due_on=None,
                note="",
                by=alice,
                today=date.today(),
            )
            for partner in session.scalars(select(Partner).where(Partner.couple_id == couple.id)):
                reflections.save(
                    partner,
                    made,
                    answers=["words", "", ""],
                    ratings={},
                    shared=False,
                    submit=True,
                    today=date.today(),
                )
        pacing.open_early(couple, alice, "Growing the data.")
        commit()


def test_pages_showing_steps_make_as_many_queries_with_more_data(app, world):
    def counts():
        alice, riley = Browser(app).login(world.alice), Browser(app).login(world.recovering)
        result = {}
        for person, url in (
            (alice, f"/couples/{world.couple_id}"),
            (alice, f"/couples/{world.couple_id}/steps/open-early"),
            (riley, "/my/"),
        ):
            with counted_queries(app) as statements:
                assert person.get(url).status_code == 200
            result[url] = len(statements)
        return result

    _grow(app, world, couples=1, reflections_each=1)
    small = counts()
    _grow(app, world, couples=5, reflections_each=6)
    assert counts() == small


@pytest.mark.parametrize("token", [None, "", "not-a-real-token"])
def test_opening_early_without_a_valid_csrf_token_says_it_expired_and_keeps_the_reason(
    app, world, token
):
    form = Form(
        Browser(app).login(world.alice),
        f"/couples/{world.couple_id}/steps/open-early",
        {"reason": "Typed over a long lunch break. 我们 שלום"},
    )
    before = snapshot(app)
    page = form.send_with_token(token)
    assert page.status == 200
    assert CSRF_MESSAGE in page.page_errors
    assert_kept(page, {"reason": "Typed over a long lunch break. 我们 שלום"})
    assert_unchanged(app, before)


def test_a_nul_character_in_the_reason_is_dropped_never_a_server_error(app, world):
    alice = Browser(app).login(world.alice)
    response = alice.post(f"/couples/{world.couple_id}/steps/open-early", {"reason": "Re\x00ady"})
    assert response.status_code == 302
    with app.app_context():
        assert session.scalar(select(StepOpening.reason)) == "Ready"


def test_the_assign_page_says_which_steps_are_not_open_yet(app, world, people):
    alice, _riley, _harper = people
    page = said(alice, f"/couples/{world.couple_id}/assign")
    assert "Step 1: Transparency (not open yet" not in page
    assert "Step 2: Ownership (not open yet: the couple sees these once it opens)" in page
    assert "Hearing and being heard (both partners; answered alone, revealed to both)" in page
