"""The history and search pages in a real browser, at a desktop and a phone size: the
practitioner goes from the couple page's progress table to a reviewed reflection, through
the history and its filters, searches the couple's record and the caseload, and after a
review is taken to the next reflection waiting. Every page goes through ``Person.check``
(overflow, reach, readable text, weight, no other origin, no script error, axe WCAG 2.2 AA).
"""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

from practice.db import session  # noqa: E402
from tests.helpers.history import (  # noqa: E402
    FEEDBACK,
    HARPER_PRIVATE,
    RILEY_SHARED,
    grow_history,
    make_history,
)
from tests.helpers.people import build_world  # noqa: E402


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_history_and_search_in_a_real_browser(people_at, live_server, size):
    app = live_server.app
    world = build_world(app)
    make_history(app, world.couple_id)
    grow_history(app, world.couple_id, rounds=2)
    with app.app_context():
        session.remove()
    people = people_at(size)
    alice = people.open("alice")
    alice.sign_in(world.alice)
    page = alice.page

    # The dashboard's search box finds a client by part of her e-mail.
    search_box = page.get_by_role("search", name="Search your caseload")
    search_box.get_by_label("Find a client or couple").fill("harper@")
    search_box.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 couple")).to_be_visible()
    expect(page.locator("mark")).to_have_text("Harper Hurt")
    alice.check("caseload-search")
    page.get_by_label("Status").select_option(label="Work waiting for your review")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 couple")).to_be_visible()

    # From the couple page's progress table to Riley's reviewed reflection.
    page.get_by_role("link", name="Riley & Harper", exact=True).click()
    page.locator("td.state.reviewed").get_by_role("link").first.click()
    expect(page.get_by_text(RILEY_SHARED).first).to_be_visible()
    expect(page.get_by_text(FEEDBACK)).to_be_visible()
    alice.check("reflection-reread")

    # The history, filtered to Harper, then to feedback only.
    page.get_by_role("link", name=re.compile("History of")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ items$"))).to_be_visible()
    alice.check("history")
    page.get_by_label("Partner").select_option(label="Harper Hurt")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Finding the right amount")).to_have_count(0)
    alice.check("history-harper")
    page.get_by_label("Kind").select_option(label="Feedback")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile("matching"))).to_be_visible()

    # The search within the record: a snippet with the words found.
    record = page.get_by_role("search", name="Search this couple's record")
    record.get_by_label("Find words in this record").fill("lighthouse")
    record.get_by_role("button", name="Search").click()
    expect(page.locator("mark")).to_have_text("lighthouse")
    alice.check("record-search")
    page.get_by_label("Words to find").fill("x")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Words to find")).to_have_accessible_description(
        re.compile("Type at least 2 characters")
    )
    alice.check("record-search-error")

    # Next in queue: after marking Harper's reflection reviewed, the next one waiting opens.
    page.get_by_label("Words to find").fill("lighthouse")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Our boundary agreement").first.click()
    expect(page.get_by_text(HARPER_PRIVATE).first).to_be_visible()
    page.get_by_role("link", name="Review it").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Here is the next reflection waiting for you.")).to_be_visible()
    alice.check("next-in-queue")
