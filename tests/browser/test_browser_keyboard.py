"""Keyboard only: a client signs in, opens an exercise, writes, saves and submits with Tab,
Enter, Space and typing, and every element that takes focus shows it."""

import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

from tests.helpers.people import PASSWORD  # noqa: E402

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
    shadow: s.boxShadow, onScreen: r.width > 0 && r.height > 0 && r.left >= 0,
  };
}"""


def _tab_to(page, wanted, steps: list, limit: int = 40) -> dict:
    """Press Tab until the focused element matches ``wanted``; each stop must show focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        assert focused is not None, f"focus fell back to the page after {steps[-3:]}"
        steps.append(focused)
        visible = (focused["outline"] != "none" and focused["outlineWidth"] > 0) or (
            focused["shadow"] != "none"
        )
        assert visible, f"no visible focus on {focused}"
        assert focused["onScreen"], f"focus on something off screen: {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached the element; focus went {steps[-limit:]}")


def _named(name):
    return lambda f: f["name"] == name


def _text(text):
    return lambda f: f["text"] == text


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_client_does_an_exercise_with_the_keyboard_alone(people_at, assigned, size):
    people = people_at(size)
    riley = people.open("riley-keyboard")
    page = riley.page
    steps: list[dict] = []
    riley.goto("/login")
    riley.check("login")

    _tab_to(page, _named("email"), steps)
    page.keyboard.type(assigned.world.recovering)
    _tab_to(page, _named("password"), steps)
    page.keyboard.type(PASSWORD)
    _tab_to(page, _text("Sign in"), steps)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Riley Recovering")).to_be_visible()

    _tab_to(page, _text("Finding the right amount"), steps)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Finding the right amount")).to_be_visible()

    _tab_to(page, _named("answer_0"), steps)
    page.keyboard.type("Sunday evenings suit us both.")
    _tab_to(page, _text("Save draft"), steps)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Draft saved at \d\d:\d\d"))).to_be_visible()
    assert assigned.draft_of(assigned.world.recovering)[0] == "Sunday evenings suit us both."

    _tab_to(page, _named("answer_1"), steps)
    page.keyboard.type("Short and factual.")
    _tab_to(page, _named("rating_connection"), steps)
    page.keyboard.press("Space")
    _tab_to(page, _named("rating_hope"), steps)
    page.keyboard.press("Space")
    _tab_to(page, _named("shared_with_partner"), steps)
    page.keyboard.press("Space")
    expect(page.get_by_label("Let my partner read this after I submit it")).to_be_checked()
    _tab_to(page, _text("Submit"), steps)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your partner can read it too.")).to_be_visible()
    riley.check("home-after-keyboard")
    assert {"a", "input", "textarea", "button"} <= {step["tag"] for step in steps}
