"""Nothing typed is lost: practice.js saves drafts as the client writes, keeps the text in
the browser when the server cannot be reached or the session has ended, and saves it when
it can. The form itself works without the script (tests/test_flow.py posts it plainly)."""

import json
import re
import time

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
expect = sync_api.expect

SAVED = re.compile(r"Saved \d\d:\d\d$")
FIRST_PROMPT = "How often would you like updates"


def _open_exercise(people, assigned, name="riley", email=None):
    person = people.open(name)
    person.sign_in(email or assigned.world.recovering)
    person.goto(assigned.path)
    expect(person.page.get_by_role("heading", name="Finding the right amount")).to_be_visible()
    return person


def _status(page):
    return page.locator("[data-autosave-status]")


def _kept(page) -> dict | None:
    """What the browser keeps for this form, from the key the page names."""
    key = page.locator("form.reflection-form").get_attribute("data-draft-key")
    kept = page.evaluate("(key) => localStorage.getItem(key)", key)
    return None if kept is None else json.loads(kept)["fields"]


def _dialogs(page) -> list[str]:
    seen: list[str] = []

    def dismiss(dialog):
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


def test_a_draft_saves_itself_a_few_seconds_after_typing_stops(people_at, assigned):
    people = people_at("desktop", fast_autosave=False)
    riley = _open_exercise(people, assigned)
    page = riley.page
    dialogs = _dialogs(page)
    riley.check("assignment-autosave")
    answer = page.get_by_label(FIRST_PROMPT)
    answer.press_sequentially("Sunday evenings, after dinner.")

    # Still typing, in effect: nothing is sent before the pause, and the text is kept here.
    time.sleep(1.5)
    expect(_status(page)).to_have_text("")
    assert assigned.draft_of(assigned.world.recovering) is None
    assert _kept(page)["answer_0"] == "Sunday evenings, after dinner."

    # Leaving now asks first.
    page.get_by_role("link", name="Back to my exercises").click()
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(re.escape(assigned.path) + "$"))

    expect(_status(page)).to_have_text(SAVED, timeout=6_000)
    assert assigned.draft_of(assigned.world.recovering)[0] == "Sunday evenings, after dinner."
    assert _kept(page) is None, "the browser's copy is cleared once the server has the text"
    riley.check("assignment-autosaved")

    # Saved: leaving asks nothing, and the draft is there on return.
    page.get_by_role("link", name="Back to my exercises").click()
    expect(page.get_by_role("heading", name="Hello, Riley Recovering")).to_be_visible()
    assert dialogs == ["beforeunload"]
    riley.goto(assigned.path)
    expect(page.get_by_label(FIRST_PROMPT)).to_have_value("Sunday evenings, after dinner.")


def test_offline_text_is_kept_in_the_browser_and_saved_when_back_online(people_at, assigned):
    people = people_at("desktop")
    riley = _open_exercise(people, assigned)
    page, context = riley.page, riley.context
    answer = page.get_by_label(FIRST_PROMPT)
    answer.fill("Sunday evenings.")
    expect(_status(page)).to_have_text(SAVED)

    context.set_offline(True)
    answer.press_sequentially(" Not at night.")
    expect(_status(page)).to_contain_text("offline")
    expect(_status(page)).to_contain_text("kept on this device")
    assert _kept(page)["answer_0"] == "Sunday evenings. Not at night."
    assert assigned.draft_of(assigned.world.recovering)[0] == "Sunday evenings."

    context.set_offline(False)
    expect(_status(page)).to_have_text(SAVED)
    assert assigned.draft_of(assigned.world.recovering)[0] == "Sunday evenings. Not at night."
    assert _kept(page) is None

    # Offline again, and the tab is closed: the next visit restores the text and saves it.
    context.set_offline(True)
    page.get_by_role("group", name="How hopeful do you feel").get_by_label("8").check()
    answer.press_sequentially(" Short updates.")
    expect(_status(page)).to_contain_text("offline")
    page.close()
    context.set_offline(False)
    page = riley.page = context.new_page()
    riley.goto(assigned.path)
    expect(page.get_by_label(FIRST_PROMPT)).to_have_value(
        "Sunday evenings. Not at night. Short updates."
    )
    expect(
        page.get_by_role("group", name="How hopeful do you feel").get_by_label("8")
    ).to_be_checked()
    # The closing tab may have got its retry through as the network came back (the text then
    # reached the server first, and there is nothing to restore); otherwise this device
    # restores it and saves it. Either way the server ends with every word.
    full = "Sunday evenings. Not at night. Short updates."
    if assigned.draft_of(assigned.world.recovering)[0] != full:
        expect(_status(page)).to_contain_text("Restored what you typed on this device.")
        expect(_status(page)).to_have_text(re.compile(r"Saved \d\d:\d\d$"))
    deadline = time.monotonic() + 5
    while (
        _kept(page) is not None or assigned.draft_of(assigned.world.recovering)[0] != full
    ) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    draft = assigned.draft_of(assigned.world.recovering)
    assert draft[0] == "Sunday evenings. Not at night. Short updates."
    assert _kept(page) is None


def test_an_expired_session_keeps_the_text_until_the_client_signs_in_again(people_at, assigned):
    people = people_at("desktop")
    riley = _open_exercise(people, assigned)
    page, context = riley.page, riley.context
    dialogs = _dialogs(page)
    answer = page.get_by_label(FIRST_PROMPT)
    answer.fill("Sunday evenings.")
    expect(_status(page)).to_have_text(SAVED)

    context.clear_cookies()  # the session ends while Riley writes
    answer.press_sequentially(" And a short call on Wednesdays.")
    expect(_status(page)).to_have_text(
        "Your session ended; sign in again and your text will be here."
    )
    assert _kept(page)["answer_0"] == "Sunday evenings. And a short call on Wednesdays."
    assert assigned.draft_of(assigned.world.recovering)[0] == "Sunday evenings."
    riley.check("assignment-session-ended")

    _status(page).get_by_role("link", name="sign in again").click()
    assert dialogs == [], "the text is safe on this device: following the link asks nothing"
    expect(page).to_have_url(re.compile(r"/login\?next="))
    riley.check("login-again")
    riley.sign_in(assigned.world.recovering)
    expect(page).to_have_url(re.compile(re.escape(assigned.path) + "$"))
    expect(page.get_by_label(FIRST_PROMPT)).to_have_value(
        "Sunday evenings. And a short call on Wednesdays."
    )
    expect(_status(page)).to_have_text(
        re.compile(r"^Restored what you typed on this device\. Saved \d\d:\d\d$")
    )
    draft = assigned.draft_of(assigned.world.recovering)
    assert draft[0] == "Sunday evenings. And a short call on Wednesdays."
    assert _kept(page) is None
    riley.check("assignment-restored")


def test_text_kept_on_a_shared_device_never_reaches_the_partner(people_at, assigned):
    people = people_at("desktop")
    riley = _open_exercise(people, assigned)
    page, context = riley.page, riley.context
    answer = page.get_by_label(FIRST_PROMPT)
    context.clear_cookies()
    answer.fill("Something only for me and my therapist.")
    expect(_status(page)).to_contain_text("Your session ended")

    # Harper signs in on the same browser and opens the same exercise.
    harper_page = context.new_page()
    harper_page.goto(assigned.path)
    harper_page.get_by_label("E-mail").fill(assigned.world.hurt)
    harper_page.get_by_label("Password").fill("a calm walk by the harbour")
    harper_page.get_by_role("button", name="Sign in").click()
    expect(harper_page.get_by_role("heading", name="Finding the right amount")).to_be_visible()
    expect(harper_page.get_by_label(FIRST_PROMPT)).to_have_value("")
    expect(_status(harper_page)).to_have_text("")

    # Riley's page, still open, now talks to a server where Harper is signed in.
    answer.press_sequentially(" More.")
    expect(_status(page)).to_contain_text("Someone else is signed in on this browser")
    time.sleep(0.6)
    assert assigned.draft_of(assigned.world.hurt) is None
    assert assigned.draft_of(assigned.world.recovering) is None
    assert _kept(page)["answer_0"] == "Something only for me and my therapist. More."
    harper_page.close()
