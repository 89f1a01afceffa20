"""The JSON answers the reflection page gives practice.js's autosave (X-Requested-With: fetch):
saved, refused with the errors by field, or 401 when the session has ended, never a page."""

import re

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise, Reflection, User
from practice.services import assignments, clock
from tests.helpers.people import Browser

FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture
def exercise_url(app, world):
    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        made = assignments.assign(
            session.get(Couple, world.couple_id),
            [session.scalar(select(Exercise).where(Exercise.slug == "finding-the-right-amount"))],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=alice,
            today=clock.today_for(alice),
        )
        commit()
        return f"/my/assignments/{made[0].id}"


def _answers(**changes):
    return {"answer_0": "Sundays.", "answer_1": "", "answer_2": "", "action": "save", **changes}


def _drafts(app):
    with app.app_context():
        return [r.answers for r in session.scalars(select(Reflection))]


def test_an_autosave_answers_with_the_time_it_was_saved(app, world, exercise_url):
    riley = Browser(app).login(world.recovering)
    response = riley.post(exercise_url, _answers(), headers=FETCH)
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json["saved"])
    assert isinstance(response.json["savedAt"], int)
    assert response.headers["Cache-Control"] == "no-store"
    assert _drafts(app) == [["Sundays.", "", ""]]
    page = riley.text(exercise_url)
    assert 'data-draft-key="practice-draft:' in page
    assert "Sundays." in page


def test_an_autosave_with_bad_input_gets_the_errors_by_field(app, world, exercise_url):
    riley = Browser(app).login(world.recovering)
    too_long = "x" * (app.config["PRACTICE_MAX_ANSWER_CHARS"] + 1)
    response = riley.post(exercise_url, _answers(answer_1=too_long), headers=FETCH)
    assert response.status_code == 422
    assert "the limit is" in response.json["errors"]["answer_1"][0]
    response = riley.post(exercise_url, _answers(rating_hope="11"), headers=FETCH)
    assert response.status_code == 422
    assert response.json["errors"]["rating_hope"]
    assert _drafts(app) == []


def test_an_autosave_whose_form_outlived_its_token_gets_a_fresh_one(app, world, exercise_url):
    riley = Browser(app).login(world.recovering)
    stale = {**_answers(), "csrf_token": "expired"}
    response = riley.client.post(exercise_url, data=stale, headers=FETCH)
    assert response.status_code == 422
    assert "csrf_token" in response.json["errors"]
    fresh = response.json["csrf_token"]
    response = riley.client.post(exercise_url, data={**stale, "csrf_token": fresh}, headers=FETCH)
    assert response.status_code == 200


def test_an_autosave_after_the_session_ended_gets_401_not_the_sign_in_page(
    app, world, exercise_url
):
    riley = Browser(app).login(world.recovering)
    token = riley.token(exercise_url)
    riley.client.delete_cookie("session")
    response = riley.client.post(
        exercise_url, data={**_answers(), "csrf_token": token}, headers=FETCH
    )
    assert response.status_code == 401
    assert response.json["message"].startswith("Your session ended")
    assert response.json["login"] == f"/login?next={exercise_url}"
    # Without the script, the page still sends people to sign in.
    assert riley.client.post(exercise_url, data=_answers()).status_code == 302
    assert _drafts(app) == []


def test_an_autosave_is_never_saved_under_someone_else(app, world, exercise_url):
    harper = Browser(app).login(world.hurt)
    with app.app_context():
        riley_id = session.scalar(select(User.id).where(User.email == world.recovering))
    response = harper.post(
        exercise_url, _answers(), headers={**FETCH, "X-Practice-Author": str(riley_id)}
    )
    assert response.status_code == 401
    assert "Someone else is signed in" in response.json["message"]
    assert _drafts(app) == []


def test_an_autosave_after_submitting_leaves_the_submission_as_it_was(app, world, exercise_url):
    riley = Browser(app).login(world.recovering)
    riley.post(exercise_url, _answers(action="submit"))
    response = riley.post(
        exercise_url, _answers(answer_0="changed"), form_url="/my/", headers=FETCH
    )
    assert response.status_code == 409
    assert response.json["reflection"].startswith("/my/reflections/")
    assert _drafts(app) == [["Sundays.", "", ""]]
