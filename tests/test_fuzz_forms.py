"""Random data posted to every form (hypothesis): a page with field errors or a success,
never a server error, and the database keeps its rules after every single post.

The forms are the ones a walk of the site finds for a practitioner and both partners when
the tests are collected, so a new form is fuzzed without being listed; one test item per
form and person, so pytest-xdist spreads them, with the examples shared out among them.
Values are drawn per field: any Unicode text
(control characters and surrogates' neighbours included), the field's own choices, empty,
oversized, numbers and dates out of range, or the field left out altogether.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from practice.db import session
from practice.models import (
    Assignment,
    Couple,
    Partner,
    Reflection,
    ReflectionStatus,
    SessionNote,
)
from tests.helpers.crawl import forms_of_the_populated_world, forms_on
from tests.helpers.people import PASSWORD, Browser

FUZZERS = ("alice", "riley", "harper")
PEOPLE = ("owner", "alice", "riley", "harper")
# In CI the same examples every run (derandomized), so a red build is a real regression;
# about EXAMPLES in all per database, shared out among the forms;
# PRACTICE_FUZZ_EXAMPLES=2000 PRACTICE_FUZZ_RANDOM=1 explores further on a developer's machine.
EXAMPLES = int(os.environ.get("PRACTICE_FUZZ_EXAMPLES", "120"))
RANDOM = bool(os.environ.get("PRACTICE_FUZZ_RANDOM"))


def values_for(form, name):
    """What a person (or a script) might send in one field."""
    odd = st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "2026-02-30",
            "1900-01-01",
            "25:61",
            "nan",
            "\x00",
            "é" * 300,
            "x" * 70_000,
            PASSWORD,
        ]
    )
    text = st.text(max_size=300)
    own = form.choices.get(name) or form.checkboxes.get(name)
    choices = [text, odd]
    if own:
        choices.append(st.sampled_from(own))
        choices.append(st.lists(st.sampled_from(own), max_size=3))
    if name in form.fields:
        choices.append(st.just(form.fields[name]))
    return st.one_of(*choices)


def broken_rules(app) -> list[str]:
    """The rules the data must always keep, whatever was posted."""
    problems = []
    with app.app_context():
        for couple_id, partners in session.execute(
            select(Partner.couple_id, func.count()).group_by(Partner.couple_id)
        ):
            if partners != 2:
                problems.append(f"couple {couple_id} has {partners} partners")
        for reflection in session.scalars(select(Reflection)):
            author, assignment = reflection.author, reflection.assignment
            if author.couple_id != assignment.couple_id:
                problems.append(f"reflection {reflection.id} is in another couple's assignment")
            submitted = reflection.status != ReflectionStatus.DRAFT
            if submitted != (reflection.submitted_at is not None):
                problems.append(f"reflection {reflection.id}: status and time disagree")
            if reflection.reviewed_at is not None and not submitted:
                problems.append(f"reflection {reflection.id}: reviewed while a draft")
        for note in session.scalars(select(SessionNote)):
            if note.signed_at is not None and (note.snapshot is None or note.signed_by_id is None):
                problems.append(f"session {note.id}: signed without snapshot or signer")
            if not 5 <= note.duration_minutes <= 600:
                problems.append(f"session {note.id}: {note.duration_minutes} minutes")
            if note.individual_partner_id is not None:
                partner = session.get(Partner, note.individual_partner_id)
                if partner.couple_id != note.couple_id:
                    problems.append(f"session {note.id}: individual with another couple's partner")
        for assignment in session.scalars(select(Assignment)):
            if session.get(Couple, assignment.couple_id) is None:
                problems.append(f"assignment {assignment.id} without a couple")
        session.rollback()
    return problems


# The same walk as the hostile-input test's (one walk per process serves both).
FORMS = [f for f in forms_of_the_populated_world(PEOPLE) if f.person in FUZZERS]
# The examples are shared out among the forms: about EXAMPLES in all, per database.
PER_FORM = max(1, -(-EXAMPLES // max(1, len(FORMS))))


def test_the_walk_finds_forms_to_fuzz():
    assert len(FORMS) >= 10, [found.id for found in FORMS]
    assert {found.person for found in FORMS} == set(FUZZERS)


@pytest.mark.parametrize("found", FORMS, ids=[found.id for found in FORMS])
def test_random_posts_to_a_form_never_fail_and_keep_the_rules(app, populated, found):
    # Every person here signs in from one address and mistypes passwords on purpose;
    # throttling has its own tests (test_throttling.py).
    app.config.update(PRACTICE_LOGIN_LIMIT_ACCOUNT=10_000, PRACTICE_LOGIN_LIMIT_ADDRESS=10_000)
    ids = populated
    who = Browser(app)
    who.login(ids["emails"][found.person])
    (first,) = forms_on(who.client, found.page, found.action)[:1] or [None]
    assert first is not None, f"{found.page} no longer shows the form posting to {found.action}"
    names = sorted(set(first.fields) | set(first.choices) | set(first.checkboxes))
    posted = []

    @settings(
        max_examples=PER_FORM,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def post_something(data):
        # Draw from the form as first found (hypothesis needs the same draws to replay);
        # send it with the page's current token and hidden values, as a browser would.
        sent = {}
        for name in names:
            if name == "csrf_token" or data.draw(st.booleans(), label=f"omit {name}"):
                continue
            sent[name] = data.draw(values_for(first, name), label=name)
        current = forms_on(who.client, found.page, found.action)
        form = current[0] if current else first
        sent["csrf_token"] = form.fields.get("csrf_token", "")
        response = who.client.post(form.action, data=sent)
        assert response.status_code in (200, 302, 404), (
            f"{found.person} POST {form.action}: {response.status_code}"
        )
        posted.append(response.status_code)
        assert not broken_rules(app)
        assert who.client.get("/", follow_redirects=True).status_code == 200

    post_something()
    assert posted
