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
from sqlalchemy import select

from practice.db import commit, session
from practice.models import OutboxMail, Reflection
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


# --- history and search ----------------------------------------------------------------------


def _history_urls(ids) -> list[str]:
    couple = ids["couple"]
    return [
        f"/couples/{couple}/history",
        f"/couples/{couple}/history?partner={ids['harper']}",
        f"/couples/{couple}/history/search?q=Harper+keeps",
        f"/couples/{couple}/history/partners/{ids['harper']}/exercise?exercise=1",
        f"/history/reflections/{ids['private']}",
        f"/history/reflections/{ids['shared']}",
        "/search?q=harper",
    ]


@pytest.mark.parametrize("person", ["riley", "harper", "bob"])
def test_nobody_but_the_couples_practitioner_reaches_its_history_or_search(app, ids, person):
    who = Browser(app).login(ids["emails"][person])
    missing = _without_token(who.client.get("/couples/999999/history"))
    for url in _history_urls(ids):
        response = who.client.get(url)
        text, title = everything_shown(response)
        if url.startswith("/search") and person == "bob":
            # Bob has a search of his own caseload, which never holds Alice's couples.
            assert response.status_code == 200
            assert "0 couples" in text and "Harper" not in text, url
            continue
        assert response.status_code == 404, url
        for words in NEVER["riley"] + NEVER["harper"] + NOTES + ["Riley", "Harper"]:
            assert words not in text and words not in title, (url, words)
        if url.startswith("/couples/") and "?" not in url:
            # The same answer as for a couple that does not exist at all.
            assert _without_token(response) == missing, url


def test_another_practitioners_search_finds_none_of_the_couple(app, ids):
    bob = Browser(app).login(ids["emails"]["bob"])
    for term in ("riley", "harper@example", "example.org", "Recovering"):
        page = bob.text(f"/search?q={term}")
        assert "Riley" not in page and "Harper" not in page, term
    assert f'/couples/{ids["couple"]}"' not in bob.text("/search?status=waiting")


def test_the_history_and_its_search_never_hold_a_partners_draft(app, ids):
    alice = Browser(app).login(ids["emails"]["alice"])
    couple = ids["couple"]
    pages = [
        alice.text(f"/couples/{couple}/history"),
        alice.text(f"/couples/{couple}/history/search?q=drafts"),
    ]
    found = alice.text(f"/couples/{couple}/history/search?q=keeps")
    assert "Harper <mark>keeps</mark> this" in found
    for page in pages:
        assert "Riley drafts" not in page and "Harper drafts questions" not in page
        assert f'/history/reflections/{ids["draft"]}"' not in page
    assert alice.get(f"/history/reflections/{ids['draft']}").status_code == 404


# --- release through the practitioner -------------------------------------------------------

WAITING = ["RILEY-WAITS-FOR-ALICE", "RILEY-KEPT-FOR-SESSION", "RILEY-REVEAL-HELD"]


@pytest.fixture
def held(app, populated):
    """Couple A's shares wait for Alice: Riley shared one reflection that waits, one kept for
    the session, and a reveal-together answer that waits while Harper's is released; each
    was discussed in a signed session, and reminders went out."""
    from datetime import date

    from practice.models import Couple, Exercise
    from practice.services import assignments, pacing, reflections, reminders
    from tests.helpers.people import signed_session

    ids = populated
    with app.app_context():
        couple = session.get(Couple, ids["couple"])
        couple.shares_wait_for_release = True
        alice = couple.practitioner
        riley, harper = couple.partners
        while pacing.open_step(couple) < 2:
            pacing.open_early(couple, alice, "Worked on this in session.")
        exercises = {e.slug: e for e in session.scalars(select(Exercise))}
        slugs = ["finding-the-right-amount", "finding-the-right-amount", "hearing-and-being-heard"]
        made = assignments.assign(
            couple,
            [exercises[s] for s in slugs],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=alice,
            today=date.today(),
        )
        written = []
        for assignment, words in zip(made, WAITING, strict=True):
            reflection, _ = reflections.save(
                riley,
                assignment,
                answers=[words] + [""] * (len(assignment.prompts) - 1),
                ratings={},
                shared=True,
                submit=True,
                today=date.today(),
            )
            written.append(reflection)
        answer, _ = reflections.save(
            harper,
            made[2],
            answers=["Harper answers too"] + [""] * (len(made[2].prompts) - 1),
            ratings={},
            shared=False,
            submit=True,
            today=date.today(),
        )
        reflections.release(written[1], alice, "session")
        reflections.release(answer, alice, "app")
        commit()
        discussed = [r.id for r in written]
        couple_id = couple.id
    signed_session(app, couple_id, reflection_ids=discussed)
    # Reminders queued as send-reminders queues them (the outbox keeps their words), to a
    # mail server that is never reached: nothing is sent.
    app.config["PRACTICE_MAIL_SERVER"] = "mail.invalid"
    with app.app_context():
        for due in reminders.due_reminders():
            reminders.queue(due, "https://practice.example/my/", "https://practice.example/a")
        commit()
    return ids


def test_nothing_waiting_for_release_reaches_the_other_partner(app, held):
    harper = Browser(app)
    harper.login(held["emails"]["harper"])
    visit = crawl(harper.client)
    assert any(r.mimetype == "application/pdf" for r in visit.pages.values())
    assert any("/checkins" in path or "check-in" in path for path in visit.pages)
    leaks = [
        f"{path}: {words!r}"
        for path, response in visit.pages.items()
        for words in WAITING
        if any(words in shown for shown in everything_shown(response))
    ]
    assert not leaks, leaks
    with app.app_context():
        mails = session.scalars(select(OutboxMail)).all()
        assert mails, "the reminders went out"
        for message in mails:
            assert not any(words in (message.body or "") for words in WAITING)
    # The author reads their own, told that it waits.
    riley = Browser(app)
    riley.login(held["emails"]["riley"])
    seen = "".join(everything_shown(r)[0] for r in crawl(riley.client).pages.values())
    assert all(words in seen for words in WAITING)
    assert "Waiting for your practitioner." in seen


# --- the release copy of the couple's record ----------------------------------------------


@pytest.fixture
def discussed(app, ids):
    """A signed joint session that discussed both partners' shared and private reflections,
    and Harper's private ratings, given twice (a line a chart would draw)."""
    from datetime import date

    from practice.models import Couple, Exercise
    from practice.services import assignments, reflections, sessions
    from tests.helpers.people import PASSWORD, record_session

    with app.app_context():
        couple = session.get(Couple, ids["couple"])
        riley, harper = couple.partners
        exercise = session.scalar(
            select(Exercise).where(Exercise.slug == "finding-the-right-amount")
        )
        today = date.today()
        first, second, third = assignments.assign(
            couple,
            [exercise] * 3,
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
        )
        kept, _ = reflections.save(
            riley,
            first,
            answers=["Riley keeps this", "", ""],
            ratings={},
            shared=False,
            submit=True,
            today=today,
        )
        rated = [
            reflections.save(
                harper,
                a,
                answers=["Harper rates alone", "", ""],
                ratings={"connection": value},
                shared=False,
                submit=True,
                today=today,
            )[0]
            for a, value in ((second, 2), (third, 3))
        ]
        note = record_session(
            couple,
            couple.practitioner,
            sections={"note": "JOINT-DISCUSSED"},
            reflection_ids=[ids["shared"], ids["private"], kept.id, *(r.id for r in rated)],
        )
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
    return ids


# What each partner's copy must never hold: the other's private words and individual session.
NEVER_IN_COPY = {
    "riley": ["Harper keeps this", "Harper rates alone", "Harper alone", "Feedback meant"],
    "harper": ["Riley keeps this", "Riley drafts", "For Riley"],
}
OWN_IN_COPY = {
    "riley": ["Riley keeps this", "Riley shares this", "JOINT-DISCUSSED", "Joint, signed"],
    "harper": ["Harper keeps this", "Harper alone", "Riley shares this", "JOINT-DISCUSSED"],
}


@pytest.mark.parametrize("person", sorted(NEVER_IN_COPY))
def test_a_release_copy_never_holds_the_other_partners_private_words(app, discussed, person):
    from tests.helpers.audit import entries

    ids = discussed
    alice = Browser(app).login(ids["emails"]["alice"])
    with app.test_request_context():
        url = url_for(
            "practice.sessions.release_copy", couple_id=ids["couple"], partner_id=ids[person]
        )
    response = alice.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, title = everything_shown(response)
    name = person.title()
    assert title.startswith(f"Release copy for {name}"), title
    assert f"Release copy for {name}" in text
    for words in NEVER_IN_COPY[person]:
        assert words not in text and words not in title, words
    for words in OWN_IN_COPY[person]:
        assert words in text, words
    # Harper's ratings are private: charted in Harper's copy, not in Riley's.
    assert ("Ratings over time" in text) == (person == "harper")
    logged = entries(app, action="record.released")
    assert [(row["couple_id"], row["detail"]) for row in logged] == [
        (ids["couple"], f"partner_id {ids[person]}")
    ]


def test_the_clinical_chart_holds_both_partners_words(app, discussed):
    ids = discussed
    alice = Browser(app).login(ids["emails"]["alice"])
    with app.test_request_context():
        url = url_for("practice.sessions.record", couple_id=ids["couple"])
    text, title = everything_shown(alice.get(url))
    assert title.startswith("Record: ")
    for words in NEVER_IN_COPY["riley"][:3] + NEVER_IN_COPY["harper"][:1]:
        assert words in text, words
    assert "Ratings over time" in text


# --- measures ---------------------------------------------------------------------------------

# Riley answered the relationship check in the populated world: a score table row, a line.
RILEYS_SCORES = ("<td>Riley Recovering</td>", 'data-partner="Riley Recovering"')


def _harper_meets_rileys_scores(app, ids) -> list[str]:
    who = Browser(app)
    who.login(ids["emails"]["harper"])
    visit = crawl(who.client)
    assert "/my/measures" in visit.pages
    return [
        f"{path}: {words!r}"
        for path, response in visit.pages.items()
        for words in RILEYS_SCORES
        if words in everything_shown(response)[0]
    ]


@pytest.mark.parametrize("agreed", [False, True])
def test_a_partner_meets_the_others_measure_scores_only_when_agreed(app, ids, agreed):
    from practice.models import MeasureSchedule

    with app.app_context():
        session.get(MeasureSchedule, ids["measure_schedule"]).scores_shared = agreed
        commit()
    met = _harper_meets_rileys_scores(app, ids)
    assert bool(met) == agreed, met
    if agreed:
        # The scores, never the answers as given (the option chosen for each question).
        page = Browser(app).login(ids["emails"]["harper"]).text("/my/measures")
        assert "How much do you trust your partner today?" not in page


# --- the session brief ---------------------------------------------------------------------


@pytest.mark.parametrize("person", sorted(NEVER))
def test_a_partner_never_reaches_the_session_brief(app, ids, person):
    """The brief holds both partners' words side by side: a partner asking for it gets the
    same answer as for a couple that does not exist."""
    who = Browser(app)
    who.login(ids["emails"][person])
    response = who.client.get(f"/couples/{ids['couple']}/brief")
    assert response.status_code == 404
    text, title = everything_shown(response)
    for words in NEVER[person] + NOTES + ["Riley shares this"]:
        assert words not in text and words not in title
    assert _without_token(who.client.get("/couples/999999/brief")) == _without_token(response)
    # Nor the new note it starts.
    started = who.client.get(f"/couples/{ids['couple']}/sessions/new?format=dap&prefill=brief")
    assert started.status_code == 404


def test_the_brief_shows_the_practitioner_both_partners_words_and_never_a_draft(app, ids):
    who = Browser(app)
    who.login(ids["emails"]["alice"])
    text, _title = everything_shown(who.client.get(f"/couples/{ids['couple']}/brief"))
    assert "Harper keeps this" in text and "Riley shares this" in text
    assert "Riley drafts" not in text


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
