"""The safety net for clients: where to turn straight away (the owner's list, on a Help now
page every client page links to, and after words that may mean risk), Leave quickly on every
client page, the private questions again from the menu and every few weeks, and a page
before reading the other partner's disclosure part with a private check-in after it."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from practice.db import commit, session
from practice.models import AfterReading, CrisisLine, Partner, SafetyScreen, utcnow
from practice.services import safety
from tests.helpers.crawl import crawl
from tests.helpers.disclosing import mine, release, start, write
from tests.helpers.pages import Page, assert_kept, assert_refused, assert_unchanged, snapshot
from tests.helpers.people import Browser, assign_exercises

LINES = (
    "Samaritans | 116 123 | | https://www.samaritans.org | Day and night\n"
    "Shout | | Text SHOUT to 85258 | | Day and night\n"
)
AROUND_THE_CLOCK = "Nobody watches messages here around the clock."
RISKY = "Some nights I feel they would be better off dead without me."


def set_lines(app, world, country="the UK", lines=LINES):
    owner = Browser(app).login(world.owner)
    return owner, owner.post("/admin/help-now/", {"country": country, "lines": lines})


def test_the_owner_lists_helplines_and_every_client_page_links_to_them(app, world):
    owner, response = set_lines(app, world)
    assert response.status_code == 302
    assert "Samaritans" in owner.text("/admin/help-now/")
    riley = Browser(app).login(world.recovering)
    page = riley.text("/my/safety/help")
    assert "In the UK, these can talk with you today" in page
    assert '<a href="tel:116123">116 123</a>' in page
    assert "Text SHOUT to 85258" in page
    assert 'href="https://www.samaritans.org"' in page
    assert AROUND_THE_CLOCK in page
    visit = crawl(riley.client, start="/my/")
    pages = [p for p in visit.pages.values() if p.mimetype == "text/html"]
    assert len(pages) >= 4
    for path, response in visit.pages.items():
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        assert 'href="/my/safety/help"' in html, path
        assert 'href="https://www.bbc.com/weather"' in html and "data-quick-exit" in html, path
        assert 'href="/my/safety/"' in html, f"{path}: the private questions are in the menu"


def test_without_a_list_the_help_page_still_says_where_to_turn(app, world):
    riley = Browser(app).login(world.recovering)
    page = riley.text("/my/safety/help")
    assert "call your local emergency number" in page
    assert AROUND_THE_CLOCK in page


@pytest.mark.parametrize(
    ("country", "lines", "field", "message"),
    [
        ("the UK", "Samaritans | 116 123 | | | | extra", "lines", "Line 1: at most five parts"),
        ("the UK", "Samaritans", "lines", "Line 1: give a phone number"),
        ("the UK", " | 116 123", "lines", "Line 1: start with a name."),
        ("the UK", "Ok | 116 123\nBad | call me", "lines", "Line 2: 'call me' is not a phone"),
        ("the UK", "Site | | | javascript:alert(1)", "lines", "not a web address"),
        ("", "Samaritans | 116 123", "country", "Say which country these numbers are for."),
        ("x" * 81, "Samaritans | 116 123", "country", "Keep it to 80 characters."),
    ],
)
def test_bad_helpline_lines_are_refused_by_the_field_and_kept(
    app, world, country, lines, field, message
):
    set_lines(app, world)
    before = snapshot(app)
    _owner, response = set_lines(app, world, country, lines)
    page = Page(response)
    assert_refused(page, field, message)
    assert_kept(page, {"country": country})
    assert lines in page.html or lines.replace("'", "&#39;") in page.html
    assert_unchanged(app, before)


def test_only_the_owner_edits_the_list(app, world):
    for email in (world.alice, world.recovering):
        who = Browser(app).login(email)
        assert who.get("/admin/help-now/").status_code == 404
    with app.app_context():
        assert session.scalar(select(CrisisLine)) is None


def test_risky_words_lead_to_the_help_page_and_ordinary_words_home(app, world):
    set_lines(app, world)
    first, second = assign_exercises(
        app, world.couple_id, "finding-the-right-amount", "weekly-openness-log"
    )
    riley = Browser(app).login(world.recovering)
    calm = riley.post(f"/my/assignments/{first}", {"answer_0": "A calm week.", "action": "submit"})
    assert calm.status_code == 302 and calm.location.endswith("/my/")
    risky = riley.post(f"/my/assignments/{second}", {"answer_0": RISKY, "action": "submit"})
    assert risky.status_code == 302 and risky.location.endswith("/my/safety/help")
    page = riley.text("/my/safety/help")
    assert "Submitted. Your practitioner will read it." in page
    assert "you don&#39;t have to wait for your practitioner" in page
    assert "Samaritans" in page and AROUND_THE_CLOCK in page


def test_risky_words_in_a_disclosure_part_lead_to_the_help_page(app, world):
    riley = Browser(app).login(world.recovering)
    alice = Browser(app).login(world.alice)
    start(alice, world)
    response = write(riley, 1, "I have thought about ending my life.")
    assert response.status_code == 302 and response.location.endswith("/my/safety/help")


def test_the_private_questions_can_be_answered_again_from_the_menu(app, world):
    harper = Browser(app).login(world.hurt)
    assert "Private questions" in harper.text("/my/")
    answers = {"afraid": "no", "hurt": "no", "controlled": "yes", "safe_together": "no"}
    assert harper.post("/my/safety/", answers).status_code == 302
    with app.app_context():
        screens = session.scalars(
            select(SafetyScreen).where(SafetyScreen.partner_id == world.hurt_id)
        ).all()
        assert len(screens) == 2 and screens[-1].concerning
        assert session.get(Partner, world.hurt_id).screened_at == screens[-1].taken_at


def _last_screened(app, world, weeks_ago: float) -> None:
    with app.app_context():
        session.execute(
            update(Partner)
            .where(Partner.id == world.hurt_id)
            .values(screened_at=utcnow() - timedelta(weeks=weeks_ago))
        )
        commit()


OFFER = "Answer the few private questions again"


def test_the_questions_are_offered_again_every_few_weeks(app, world):
    app.config["PRACTICE_SAFETY_SCREEN_WEEKS"] = 6
    harper = Browser(app).login(world.hurt)
    assert OFFER not in harper.text("/my/")
    _last_screened(app, world, 5.9)
    assert OFFER not in harper.text("/my/")
    _last_screened(app, world, 6.1)
    assert OFFER in harper.text("/my/")
    assert OFFER not in Browser(app).login(world.recovering).text("/my/"), "Riley's is recent"
    harper.post(
        "/my/safety/", {"afraid": "no", "hurt": "no", "controlled": "no", "safe_together": "yes"}
    )
    assert OFFER not in harper.text("/my/"), "answered: the next offer is weeks away"
    _last_screened(app, world, 60)
    app.config["PRACTICE_SAFETY_SCREEN_WEEKS"] = 0
    assert OFFER not in harper.text("/my/"), "0: only from the menu"


def test_the_quick_exit_goes_where_the_practice_says(app, world):
    app.config["PRACTICE_QUICK_EXIT_URL"] = "https://weather.example.org/"
    riley = Browser(app).login(world.recovering)
    page = riley.text("/my/")
    assert 'href="https://weather.example.org/"' in page
    assert "quick_exit.js" in page
    alice = Browser(app).login(world.alice)
    assert "data-quick-exit" not in alice.text("/dashboard"), "for clients' pages"


@pytest.fixture
def part_one_released(app, world):
    riley = Browser(app).login(world.recovering)
    alice = Browser(app).login(world.alice)
    start(alice, world)
    write(riley, 1, "What I did, in my words.")
    release(alice, world, 1, "app")
    return riley, alice, Browser(app).login(world.hurt)


def test_a_page_before_the_part_says_what_to_expect_and_a_check_in_follows(
    app, world, part_one_released
):
    set_lines(app, world)
    riley, alice, harper = part_one_released
    first = harper.get(mine(1))
    assert first.status_code == 302 and first.location.endswith("/my/disclosure/parts/1/before")
    before = harper.text(mine(1) + "/before")
    for words in ("What to expect", "You can stop at any time", "Who to contact", "Samaritans"):
        assert words in before
    assert "What I did, in my words." not in before
    assert harper.post(mine(1) + "/before").status_code == 302
    page = harper.text(mine(1))
    assert "What I did, in my words." in page and "How are you now?" in page

    response = harper.post(
        mine(1) + "/after",
        {"feeling": "struggling", "note": "HARPER-AFTER it hit hard"},
        form_url=mine(1),
    )
    assert response.status_code == 302 and response.location.endswith("/my/safety/help")
    overview = alice.text(f"/couples/{world.couple_id}/disclosure/")
    assert "After reading" in overview
    assert "struggling" in overview and "HARPER-AFTER it hit hard" in overview
    # Riley, who wrote the part, never meets Harper's answer.
    visit = crawl(riley.client, start="/my/")
    for path, shown in visit.pages.items():
        assert "HARPER-AFTER" not in shown.get_data(as_text=True), path
    # Riley's own part needs no preparation, and has no check-in.
    own = riley.text(mine(1))
    assert "How are you now?" not in own


def test_the_check_in_needs_an_answer_and_keeps_the_note(app, world, part_one_released):
    _riley, _alice, harper = part_one_released
    harper.post(mine(1) + "/before")
    before = snapshot(app)
    page = Page(harper.post(mine(1) + "/after", {"note": "kept words"}, form_url=mine(1)))
    assert_refused(page, "feeling", "Choose the answer closest to how you feel.")
    assert_kept(page, {"note": "kept words"})
    assert_unchanged(app, before)
    page = Page(
        harper.post(mine(1) + "/after", {"feeling": "okay", "note": "x" * 2001}, form_url=mine(1))
    )
    assert_refused(page, "note", "Keep it to 2,000 characters.")
    assert_unchanged(app, before)
    okay = harper.post(mine(1) + "/after", {"feeling": "okay"}, form_url=mine(1))
    assert okay.status_code == 302 and okay.location.endswith("/my/disclosure/")
    with app.app_context():
        (reading,) = session.scalars(select(AfterReading)).all()
        assert reading.feeling == "okay" and reading.partner_id == world.hurt_id


def test_the_preparation_and_check_in_pages_are_not_for_the_parts_writer(
    app, world, part_one_released
):
    riley, _alice, _harper = part_one_released
    assert riley.get(mine(1) + "/before").status_code == 404
    token = riley.token(mine(1))
    response = riley.client.post(mine(1) + "/after", data={"feeling": "okay", "csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        assert not safety.readings_of(
            session.get(Partner, world.recovering_id).couple,
            session.get(Partner, world.recovering_id).user,
        )
