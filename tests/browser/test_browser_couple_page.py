"""The couple page laid out for a session, the session brief, and every table on a phone:
in real Chromium at 1280 and 390 wide, each page held to the suite's bar (axe included)."""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

from tests.helpers.people import build_world  # noqa: E402
from tests.helpers.sessionprep import RILEY_NEW, prepare_between_sessions  # noqa: E402


@pytest.fixture
def between(live_server):
    """Alice's couple between two sessions: new reflections, check-ins, a flag, a disclosure."""
    world = build_world(live_server.app)
    prepare_between_sessions(live_server.app, world)
    return world


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_practitioner_prepares_a_session_from_the_couple_page(people_at, between, size):
    world = between
    alice = people_at(size).open("alice")
    page = alice.page
    alice.sign_in(world.alice)
    alice.goto(f"/couples/{world.couple_id}")
    alice.check("couple")
    # The summary comes first, in view without scrolling.
    summary = page.get_by_role("heading", name="Summary", exact=True)
    expect(summary).to_be_in_viewport()
    expect(page.locator("#summary")).to_contain_text("Waiting for review")
    # The in-page menu reaches each section without a script; a heading reached through it
    # is not hidden under the menu.
    menu = page.get_by_role("navigation", name="On this page")
    menu.get_by_role("link", name="Sessions").click()
    assert page.url.endswith("#sessions")
    heading = page.locator("#sessions-heading")
    expect(heading).to_be_in_viewport()
    top = heading.bounding_box()["y"]
    if size == "desktop":
        bar = menu.bounding_box()
        assert bar["y"] == 0, "the menu stays at the top of the screen"
        assert top >= bar["height"] - 1, "the heading shows below the menu"
    alice.check("couple-sessions")

    page.get_by_role("link", name="Prepare for a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Before the session"))
    alice.check("brief")
    row = page.locator(".brief-row").filter(has_text=RILEY_NEW)
    first, second = (row.locator(".answer-card").nth(i).bounding_box() for i in (0, 1))
    if size == "desktop":
        assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"], "side by side"
    else:
        assert second["y"] > first["y"], "one under the other on a phone"

    page.get_by_role("link", name="Start a DAP note").click()
    data = page.get_by_label("Data", exact=True)
    expect(data).to_have_value(re.compile(r"^Since the last session \("))
    expect(data).to_have_value(re.compile(r"Harper Hurt, trust: 5 → 4/10\."))
    alice.check("note-from-brief")


_TABLES = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('table')];
  return {
    tables: tables.length,
    scrollWidth: document.scrollingElement.scrollWidth,
    width,
    wide: tables.map((t) => [t.querySelector('caption')?.textContent.trim() || t.className,
                             Math.round(t.getBoundingClientRect().right)])
                .filter(([, right]) => right > width + 1),
  };
}"""


def test_every_table_fits_a_phone(people_at, between):
    world = between
    people = people_at("phone")
    alice, owner = people.open("alice"), people.open("owner")
    alice.sign_in(world.alice)
    owner.sign_in(world.owner)
    couple = f"/couples/{world.couple_id}"
    pages = [
        (alice, "/dashboard", "caseload"),
        (alice, "/review/", "review-queue"),
        (alice, couple, "couple-tables"),
        (alice, f"{couple}/check-ins", "checkins"),
        (alice, f"{couple}/brief", "brief-tables"),
        (alice, f"{couple}/disclosure/", "disclosure"),
        (alice, "/account/devices", "devices"),
        (owner, "/admin/practitioners", "practitioners"),
        (owner, "/admin/two-factor", "two-factor"),
        (owner, "/admin/audit/", "audit-log"),
    ]
    measured = {}
    for person, path, label in pages:
        person.goto(path)
        facts = person.page.evaluate(_TABLES)
        assert facts["tables"], f"{path}: no table to measure"
        assert facts["width"] == 390
        assert facts["scrollWidth"] <= facts["width"], f"{path}: {facts}"
        assert not facts["wide"], f"{path}: tables wider than the screen: {facts['wide']}"
        measured[path] = facts["scrollWidth"]
        person.check(label)  # with every <details> open: chart tables, policy texts
    print("scrollWidth at 390:", measured)
