"""Measures in a real browser at 1280 and 390 wide, with axe: the practitioner schedules
one, a partner answers it alone (a missed question keeps the other choices), and the
scores are charted on the couple page."""

from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

from tests.helpers.people import build_world  # noqa: E402

HARBOUR = Path(__file__).parents[1] / "data" / "harbour_calm.toml"


@pytest.fixture
def practice_with_measures(live_server):
    from practice.db import commit
    from practice.services import measures

    app = live_server.app
    world = build_world(app)
    with app.app_context():
        measures.load_built_in()
        measures.load_measure(measures.read_measure_file(HARBOUR))
        commit()
    return world


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_scheduling_answering_and_the_chart(people_at, practice_with_measures, size):
    world = practice_with_measures
    people = people_at(size)

    alice = people.open("alice-measures")
    alice.sign_in(world.alice)
    alice.goto(f"/couples/{world.couple_id}/measures")
    alice.check("schedule-form")
    alice.page.get_by_label("Measure", exact=True).select_option(label="Harbour Calm Scale")
    alice.page.get_by_label("Every few weeks").check()
    alice.page.get_by_label("Every how many weeks").fill("2")
    alice.page.get_by_role("button", name="Schedule").click()
    expect(alice.page.get_by_text("The measure is scheduled.")).to_be_visible()
    expect(alice.page.get_by_text("Harbour Calm Scale: every 2 weeks")).to_be_visible()

    riley = people.open("riley-measures")
    riley.sign_in(world.recovering)
    expect(riley.page.get_by_role("heading", name="A few questions for you")).to_be_visible()
    riley.check("home-with-questions")
    riley.page.get_by_role("link", name="Answer", exact=True).click()
    riley.page.get_by_role("link", name="Answer now").click()
    expect(riley.page.get_by_role("heading", name="Harbour Calm Scale")).to_be_visible()
    riley.check("answer-form")
    page = riley.page
    page.get_by_role("group", name="I felt calm at home.").get_by_label("Quite a bit").check()
    page.get_by_role("group", name="I slept well enough.").get_by_label("A little").check()
    page.get_by_role("group", name="I felt tense around my partner.").get_by_label(
        "Very much"
    ).check()
    page.get_by_role("button", name="Save my answers").click()
    # The question left out says so beside it; the others keep what was chosen.
    expect(page.get_by_text("Please choose one answer here.")).to_be_visible()
    expect(
        page.get_by_role("group", name="I felt calm at home.").get_by_label("Quite a bit")
    ).to_be_checked()
    riley.check("answer-form-refused")
    page.get_by_role(
        "group", name="I had thoughts that worried me about my own safety."
    ).get_by_label("Not at all").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("Thank you. Your answers are saved.")).to_be_visible()
    expect(page.get_by_text("Steadiness (Harbour Calm Scale, 0 to 9)")).to_be_visible()
    riley.check("my-scores")

    alice.goto(f"/couples/{world.couple_id}")
    expect(alice.page.get_by_text("Steadiness (Harbour Calm Scale, 0 to 9)")).to_be_visible()
    expect(alice.page.locator("svg rect.band").first).to_be_attached()
    alice.check("couple-page-with-scores")
    alice.goto(f"/couples/{world.couple_id}/measures")
    alice.check("measures-with-answers")
