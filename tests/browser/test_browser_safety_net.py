"""The safety net in a real browser: the Help now page at both widths (axe-checked), and
Leave quickly (the button, and Escape pressed twice) swapping the page for a neutral site
and replacing it in the tab's history, so that Back does not return to Practice.

The harness fails a test on any request to another origin; the neutral site is answered
here by a stand-in page (Playwright's route), and only that address is let through."""

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

from practice.db import commit, session  # noqa: E402
from practice.models import User  # noqa: E402
from practice.services import safety  # noqa: E402

NEUTRAL = "https://www.bbc.com/weather"
STAND_IN = "<!doctype html><title>Weather</title><h1>Weather</h1><p>Sunny spells.</p>"


@pytest.fixture
def net_world(assigned):
    """build_world's practice with an exercise assigned, and the practice's helplines."""
    app = assigned.app
    made = assigned.world
    with app.app_context():
        owner = session.query(User).filter_by(email=made.owner).one()
        safety.set_crisis_resources(
            "the UK",
            "Samaritans | 116 123 | | https://www.samaritans.org | Day and night\n"
            "Shout | | Text SHOUT to 85258 | | Day and night",
            owner,
        )
        commit()
        session.remove()
    return made


def _neutral_allowed(people, context) -> None:
    """Answer the neutral site with a stand-in, and let that one address through."""
    context.route(
        NEUTRAL + "**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=STAND_IN),
    )


def _forget_neutral(people) -> None:
    people.foreign[:] = [url for url in people.foreign if not url.startswith(NEUTRAL)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_help_now_page_and_leaving_quickly(people_at, net_world, assigned, size):
    people = people_at(size, fast_autosave=False)  # the words are still unsaved on leaving
    riley = people.open("riley")
    _neutral_allowed(people, riley.context)
    riley.sign_in(net_world.recovering)
    riley.check("home")
    riley.page.get_by_role("link", name="Help now").click()
    riley.page.wait_for_load_state("load")
    assert riley.page.url.endswith("/my/safety/help")
    riley.check("help-now")
    page = riley.page
    assert page.get_by_role("link", name="116 123").get_attribute("href") == "tel:116123"
    assert page.get_by_text("Nobody watches messages here around the clock.").is_visible()

    # A tab that came from elsewhere to Practice: quick exit leaves no Practice page behind.
    tab = riley.context.new_page()
    tab.goto(NEUTRAL + "?before")
    tab.goto(people.server.url + "/my/")
    tab.keyboard.press("Escape")
    tab.wait_for_timeout(300)
    assert tab.url.startswith(people.server.url), "one Escape does nothing"
    tab.keyboard.press("Escape")
    tab.wait_for_url(NEUTRAL)
    assert tab.title() == "Weather"
    tab.go_back()
    tab.wait_for_load_state("load")
    assert tab.url == NEUTRAL + "?before", f"Back returned to {tab.url}"

    # The button, from a page with words typed and not yet saved: no prompt holds it back.
    tab.goto(people.server.url + "/my/safety/help")
    tab.goto(people.server.url + assigned.path)
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    tab.locator("textarea").first.type("Words not saved yet")
    tab.get_by_role("link", name="Leave quickly").click()
    tab.wait_for_url(NEUTRAL)
    tab.go_back()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("/my/safety/help"), "Back skips the page that was left"
    assert not dialogs, f"leaving asked first: {dialogs}"
    _forget_neutral(people)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_before_and_after_reading_a_disclosure_part_and_the_owners_list(
    people_at, net_world, assigned, size
):
    from practice.models import Couple
    from practice.services import disclosure

    app = assigned.app
    with app.app_context():
        couple = session.get(Couple, net_world.couple_id)
        started = disclosure.start(couple, couple.practitioner)
        riley = next(p for p in couple.partners if p.program_role == "recovering")
        disclosure.save(riley, started.parts[0], "What happened, told plainly.", submit=True)
        disclosure.release(started.parts[0], couple.practitioner, "app", couple)
        commit()
        session.remove()
    people = people_at(size)
    harper = people.open("harper")
    harper.sign_in(net_world.hurt)
    harper.goto("/my/disclosure/parts/1")
    assert harper.page.url.endswith("/my/disclosure/parts/1/before")
    harper.check("before-reading")
    harper.page.get_by_role("button", name="I'm ready to read it").click()
    harper.page.wait_for_load_state("load")
    assert harper.page.get_by_text("What happened, told plainly.").is_visible()
    harper.page.get_by_role("button", name="Send to my practitioner").click()
    harper.page.wait_for_load_state("load")
    harper.check("after-reading-refused")
    assert harper.page.get_by_text("Choose the answer closest to how you feel.").first.is_visible()
    harper.page.get_by_label("Shaken, but I can manage").check()
    harper.page.get_by_role("button", name="Send to my practitioner").click()
    harper.page.wait_for_load_state("load")
    assert harper.page.url.endswith("/my/disclosure/")

    owner = people.open("owner")
    owner.sign_in(net_world.owner)
    owner.goto("/admin/help-now/")
    owner.check("help-now-settings")
