"""Answering the new prompt kinds in a real browser, on a desktop and a phone, with axe: a
short text, yes/no and a choice by keyboard and pointer; a required prompt left empty is
named beside it on submit, and what was typed stays."""

import pytest

from tests.helpers.pages import make_assignment
from tests.helpers.people import build_world
from tests.helpers.programs import WITH_KINDS

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect


@pytest.fixture
def kinds_assigned(live_server):
    from practice.db import commit, session
    from practice.programs.loader import load_program, parse_program

    app = live_server.app
    world = build_world(app)
    with app.app_context():
        load_program(parse_program(WITH_KINDS))
        commit()
        session.remove()
    assignment_id = make_assignment(app, world, "finding-the-right-amount")
    return app, world, assignment_id


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_each_new_kind_is_answered_and_a_required_one_is_named(people_at, kinds_assigned, size):
    app, world, assignment_id = kinds_assigned
    people = people_at(size)
    riley = people.open("riley")
    riley.sign_in(world.recovering)
    riley.goto(f"/my/assignments/{assignment_id}")
    page = riley.page
    expect(page.get_by_role("heading", name="Finding the right amount")).to_be_visible()
    riley.check("prompt-kinds")

    short = page.get_by_label("In a few words, how did this week feel?")
    expect(short).to_have_attribute("maxlength", "300")
    yes_no = page.get_by_role("group", name="Did you keep to the update time you agreed?")
    choice = page.get_by_role("group", name="Which evening suits you best?")
    # By keyboard: into the choice group, then an arrow moves to the next option.
    choice.get_by_role("radio", name="Sunday").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(choice.get_by_role("radio", name="Wednesday")).to_be_checked()
    page.get_by_label("What did you agree on together").fill("Sunday talks after dinner.")

    # Submitted with both required prompts empty: a message beside each, nothing lost.
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#answer_0-error")).to_contain_text("needs an answer")
    expect(page.locator("#answer_1-error")).to_contain_text("needs an answer")
    expect(page.get_by_label("What did you agree on together")).to_have_value(
        "Sunday talks after dinner."
    )
    expect(choice.get_by_role("radio", name="Wednesday")).to_be_checked()
    riley.check("prompt-kinds-required")

    # By pointer: the whole option is the target.
    page.get_by_label("In a few words, how did this week feel?").fill("Steadier")
    yes_no.get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted.")).to_be_visible()

    from sqlalchemy import select

    from practice.db import session
    from practice.models import Reflection

    with app.app_context():
        reflection = session.scalars(select(Reflection)).one()
        assert reflection.answers == [
            "Steadier",
            "yes",
            "Wednesday",
            "Sunday talks after dinner.",
        ]
        reflection_id = reflection.id
        session.remove()
    riley.goto(f"/my/reflections/{reflection_id}")
    expect(page.locator(".answer", has_text="Yes")).to_be_visible()
    riley.check("prompt-kinds-read-back")
