"""Privacy between partners, as its own test set.

What one partner kept private (an unshared reflection, a draft, an individual session,
feedback meant for them) never reaches the other partner: not in any page the other can
walk to, not in any download, not in a page title, not in an error page reached by
guessing the address. Session notes never reach a client at all.
"""

import io
import re

import pytest
from flask import url_for
from pypdf import PdfReader

from practice.db import commit, session
from practice.models import Reflection
from practice.services import review
from tests.helpers.crawl import crawl
from tests.helpers.people import CSRF, Browser

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


@pytest.fixture
def ids(app, populated):
    """The access-matrix world plus feedback written for each partner alone."""
    ids = populated
    with app.app_context():
        for key, words in (("private", "Feedback meant for Harper"), ("shared", "For Riley")):
            reflection = session.get(Reflection, ids[key])
            review.respond(
                reflection,
                reflection.assignment.couple.practitioner,
                feedback=words,
                mark_reviewed=True,
                flag_for_session=False,
            )
        commit()
    return ids


# What each partner must never meet: the other's private words, and every note's text.
NEVER = {
    "riley": ["Harper keeps this", "Feedback meant for Harper", "Harper alone"],
    "harper": ["Riley drafts", "For Riley"],
}
NOTES = ["Session text", "Joint, signed", "Harper alone"]


def everything_shown(response) -> tuple[str, str]:
    """(the words a person can read, the page title) of a page or a PDF."""
    if response.mimetype == "application/pdf":
        reader = PdfReader(io.BytesIO(response.data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        return text, reader.metadata.title or ""
    html = response.get_data(as_text=True)
    title = TITLE.search(html)
    return html, title.group(1) if title else ""


@pytest.mark.parametrize("person", sorted(NEVER))
def test_a_partner_never_meets_the_others_private_words_anywhere(app, ids, person):
    who = Browser(app)
    who.login(ids["emails"][person])
    visit = crawl(who.client)
    assert len(visit.pages) >= 5
    assert any(r.mimetype == "application/pdf" for r in visit.pages.values())
    leaks = []
    for path, response in visit.pages.items():
        text, title = everything_shown(response)
        for words in NEVER[person] + NOTES:
            if words in text or words in title:
                leaks.append(f"{path}: {words!r}")
    assert not leaks, leaks
    # What is theirs, or shared with them, is there.
    seen = "".join(everything_shown(r)[0] for r in visit.pages.values())
    assert "Riley shares this" in seen


@pytest.mark.parametrize(
    ("person", "endpoint", "key"),
    [
        ("riley", "practice.client.reflection", "private"),
        ("harper", "practice.client.reflection", "draft"),
        ("riley", "practice.client.handout", "alone"),
        ("riley", "practice.sessions.view", "alone"),
        ("harper", "practice.sessions.pdf", "session"),
        ("riley", "practice.review.reflection", "private"),
    ],
)
def test_guessing_the_address_of_the_others_things_says_nothing(app, ids, person, endpoint, key):
    who = Browser(app)
    who.login(ids["emails"][person])
    name = "reflection_id" if "reflection" in endpoint else "session_id"
    with app.test_request_context():
        url = url_for(endpoint, **{name: ids[key]})
    response = who.client.get(url)
    assert response.status_code == 404
    text, title = everything_shown(response)
    for words in NEVER[person] + NOTES + ["Riley", "Harper"]:
        assert words not in title
    for words in NEVER[person] + NOTES:
        assert words not in text
    # The same answer as for something that does not exist at all. (The sign-out form's
    # CSRF token carries the time in seconds, so two pages a second apart differ there.)
    with app.test_request_context():
        missing = url_for(endpoint, **{name: 999_999})
    assert _without_token(who.client.get(missing)) == _without_token(response)


def _without_token(response) -> str:
    return CSRF.sub("csrf_token", response.get_data(as_text=True))


def test_the_practitioner_reads_both_partners_private_words(app, ids):
    who = Browser(app)
    who.login(ids["emails"]["alice"])
    with app.test_request_context():
        urls = [
            url_for("practice.review.reflection", reflection_id=ids["private"]),
            url_for("practice.sessions.view", session_id=ids["alone"]),
        ]
    seen = "".join(who.text(url) for url in urls)
    for words in ["Harper keeps this", "Feedback meant for Harper", "Harper alone"]:
        assert words in seen


# --- safety net ---


def test_the_after_reading_check_in_and_alerts_never_reach_the_other_partner(app, world):
    """Harper reads Riley's disclosure part and says how she is; she answers the private
    questions with a worry, which alerts Alice. Riley meets none of it anywhere, and his
    Help now page is word for word a calm couple's."""
    from practice.models import Partner
    from practice.services import alerts, safety
    from tests.helpers.disclosing import mine, release, start, write
    from tests.helpers.people import SAFE_ANSWERS

    alice, riley, harper = (
        Browser(app).login(e) for e in (world.alice, world.recovering, world.hurt)
    )
    start(alice, world)
    write(riley, 1, "What happened, told plainly.")
    release(alice, world, 1, "app")
    assert harper.post(mine(1) + "/before").status_code == 302
    answer = {"feeling": "struggling", "note": "HARPER-AFTER-WORDS"}
    assert harper.post(mine(1) + "/after", answer, form_url=mine(1)).status_code == 302
    with app.app_context():
        safety.take_screen(session.get(Partner, world.hurt_id), {**SAFE_ANSWERS, "afraid": True})
        commit()
        assert len(alerts.due_alerts()) == 1
    assert "HARPER-AFTER-WORDS" in alice.text(f"/couples/{world.couple_id}/disclosure/")

    visit = crawl(riley.client, start="/my/")
    assert len(visit.pages) >= 5
    for path, response in visit.pages.items():
        text, title = everything_shown(response)
        for words in (
            "HARPER-AFTER-WORDS",
            "struggling",
            "How are you now?",
            "needs your attention",
        ):
            assert words not in text and words not in title, f"{path}: {words!r}"
    for url in (mine(1) + "/before", mine(1) + "/after"):
        assert riley.get(url).status_code in (404, 405)
    token = riley.token(mine(1))
    posted = riley.client.post(mine(1) + "/after", data={"feeling": "okay", "csrf_token": token})
    assert posted.status_code == 404
    quinn = Browser(app).login(world.outsider)

    def calm(html: str) -> str:
        return re.sub(r"practice-draft:\d+:", "", _without_token_text(html))

    assert calm(riley.text("/my/safety/help")) == calm(quinn.text("/my/safety/help"))


def _without_token_text(html: str) -> str:
    return CSRF.sub("csrf_token", html)
