"""Release through the practitioner in a real browser: the author told that a share waits,
the other partner seeing nothing of it, the practitioner releasing it; 1280 and 390 wide,
with axe."""

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

WORDS = "We could keep Sunday evenings for the updates."


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_share_waits_until_the_practitioner_releases_it(people_at, assigned, size):
    people = people_at(size)
    world = assigned.world
    alice, riley, harper = (people.open(n) for n in ("alice", "riley", "harper"))

    alice.sign_in(world.alice)
    alice.goto(f"/couples/{world.couple_id}")
    alice.page.get_by_label("Waits until you have read it and released it").check()
    section = alice.page.locator("section", has=alice.page.locator("#release-heading"))
    section.get_by_role("button", name="Save").click()
    expect(
        alice.page.get_by_text("What a partner shares waits until you release it.")
    ).to_be_visible()
    alice.check("couple-release-setting")

    riley.sign_in(world.recovering)
    riley.goto(assigned.path)
    riley.page.get_by_label("How often would you like updates to happen").fill(WORDS)
    riley.page.get_by_label("Let my partner read this after I submit it").check()
    riley.page.get_by_role("button", name="Submit").click()
    expect(riley.page.get_by_text("It waits for your practitioner")).to_be_visible()
    riley.check("home-after-waiting-share")
    riley.page.get_by_role("link", name="Finding the right amount").last.click()
    expect(riley.page.get_by_text("Waiting for your practitioner.")).to_be_visible()
    riley.check("reflection-waiting")

    harper.sign_in(world.hurt)
    harper.goto("/my/shared")
    expect(harper.page.get_by_text("Nothing shared with you yet.")).to_be_visible()
    assert WORDS not in harper.page.content()

    alice.goto(f"/couples/{world.couple_id}")
    expect(alice.page.get_by_text("1 waiting for your release")).to_be_visible()
    alice.page.locator("#release-heading ~ ul").get_by_role("link").first.click()
    expect(alice.page.get_by_text("Waiting for your release.")).to_be_visible()
    alice.check("review-waiting")
    alice.page.get_by_role("button", name="Release it to read in the app").click()
    expect(alice.page.get_by_text("Released: their partner can read it now.")).to_be_visible()
    alice.check("review-released")

    harper.goto("/my/shared")
    harper.page.get_by_role("link", name="Finding the right amount").click()
    expect(harper.page.get_by_text(WORDS)).to_be_visible()
    harper.check("reads-released")
