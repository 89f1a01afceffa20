"""Structured disclosure: five parts in order, each opened by the practitioner's release;
the other partner reads a part only when it is released for the app, never when it is kept
for session, never before release, in no page, JSON answer or PDF."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import Couple, Disclosure, DisclosurePart, User
from practice.services import disclosure as disclosure_service
from practice.services import sessions
from tests.helpers.database import counted_queries
from tests.helpers.disclosing import mine, overview, practitioner_part, release, start, write
from tests.helpers.pages import (
    Page,
    assert_kept,
    assert_refused,
    assert_unchanged,
    snapshot,
)
from tests.helpers.people import PASSWORD, Browser, record_session

FETCH = {"X-Requested-With": "fetch"}
FACTS = "FACTS-7f3a: what I did, when, and for how long."
QUESTIONS = "QUESTIONS-2b9c: when did it start?"
ANSWERS = "ANSWERS-91d0: it started before we met."
IN_SESSION = "You will hear this together in session"


@pytest.fixture
def people(app, world):
    """Alice (the practitioner), Riley (in recovery) and Harper (hurt), signed in."""
    return (
        Browser(app).login(world.alice),
        Browser(app).login(world.recovering),
        Browser(app).login(world.hurt),
    )


def status(person, url: str) -> int:
    return person.get(url).status_code


def pdf_text(response) -> str:
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_parts_open_in_order_each_only_for_its_writer(app, world, people):
    alice, riley, harper = people
    assert "Nothing here yet" in riley.text("/my/disclosure/")
    assert status(riley, mine(1)) == 404
    start(alice, world)
    assert "Your turn to write: disclosure." in riley.text("/my/")

    # Part 1 is Riley's; Harper cannot open it, and nobody can open part 2 yet.
    assert status(riley, mine(1)) == 200
    assert status(harper, mine(1)) == 404
    assert harper.client.post(mine(1), data={"text": "not mine"}).status_code == 404
    for person in (riley, harper):
        assert status(person, mine(2)) == 404
    assert status(alice, practitioner_part(world, 1)) == 404, "a draft is its writer's own"

    assert write(riley, 1, FACTS).status_code == 302
    assert "Waiting for your practitioner" in riley.text("/my/disclosure/")
    assert "Waiting for your practitioner" in riley.text("/my/")
    # Submitted is not released: part 2 stays shut, and Harper reads nothing yet.
    assert status(harper, mine(2)) == 404
    assert status(harper, mine(1)) == 404
    assert FACTS in alice.text(practitioner_part(world, 1))
    assert "submitted" in alice.text(overview(world))

    release(alice, world, 1, "app")
    # Harper meets a page on what to expect first, and reads the part once she chooses to.
    first = harper.get(mine(1))
    assert first.status_code == 302 and first.location.endswith(mine(1) + "/before")
    assert FACTS not in harper.text(mine(1) + "/before")
    assert harper.post(mine(1) + "/before").status_code == 302
    assert FACTS in harper.text(mine(1))
    assert status(harper, mine(2)) == 200
    assert status(riley, mine(2)) == 404, "the questions are Harper's to write"
    assert riley.client.post(mine(2), data={"text": "x"}).status_code == 404
    assert status(riley, mine(3)) == 404, "answers open only after the questions are released"

    assert write(harper, 2, QUESTIONS).status_code == 302
    assert status(riley, mine(2)) == 404
    release(alice, world, 2, "app")
    page = riley.text(mine(3))
    assert QUESTIONS in page, "the answers page shows the questions being answered"
    assert status(harper, mine(3)) == 404
    assert status(harper, mine(4)) == 404

    page = alice.text(overview(world))
    assert page.count("released in the app") == 2 and "open" in page and "locked" in page


def test_a_part_released_for_session_never_reaches_the_other_partner(app, world, people):
    alice, riley, harper = people
    start(alice, world)
    write(riley, 1, FACTS)
    release(alice, world, 1, "session", comment="PRIVATE-NOTE-5e1: go slowly")

    page = harper.text(mine(1))
    assert IN_SESSION in page and FACTS not in page
    assert IN_SESSION in harper.text("/my/disclosure/")
    # Riley still reads their own words; neither partner sees the practitioner's note.
    assert FACTS in riley.text(mine(1))
    for person in (riley, harper):
        for url in ("/my/", "/my/disclosure/", mine(1), mine(2), "/my/shared"):
            assert "PRIVATE-NOTE-5e1" not in person.text(url)
    for url in ("/my/", "/my/shared", "/my/disclosure/", mine(2)):
        assert FACTS not in harper.text(url)
    # An autosave-style request gets no text back either.
    response = harper.client.post(mine(1), data={"text": "x"}, headers=FETCH)
    assert response.status_code == 404 and FACTS not in response.get_data(as_text=True)
    assert "PRIVATE-NOTE-5e1" in alice.text(practitioner_part(world, 1))
    # The next part opens all the same, and its writer is told where the words went.
    assert status(harper, mine(2)) == 200
    write(harper, 2, QUESTIONS)
    release(alice, world, 2, "session")
    page = riley.text(mine(3))
    assert "You will hear what your partner wrote together in session" in page
    assert QUESTIONS not in page
    assert QUESTIONS not in riley.text(mine(2)) and IN_SESSION in riley.text(mine(2))


def test_unreleased_and_session_only_texts_stay_out_of_every_pdf(app, world, people):
    alice, riley, harper = people
    start(alice, world)
    write(riley, 1, FACTS)
    release(alice, world, 1, "session")
    write(harper, 2, QUESTIONS)  # submitted, not released
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note = record_session(couple, couple.practitioner)
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        note_id = note.id

    for person in (riley, harper):
        for query in ("", "?reflections=1"):
            text = pdf_text(person.get(f"/my/handouts/{note_id}/pdf{query}"))
            assert "Handout" in text
            for secret in (FACTS, QUESTIONS, "FACTS-7f3a", "QUESTIONS-2b9c"):
                assert secret not in text
            assert "Disclosure" not in text

    session_pdf = pdf_text(alice.get(f"/sessions/{note_id}/pdf"))
    assert "Disclosure" in session_pdf
    assert "released for session" in session_pdf and "submitted" in session_pdf
    assert "FACTS-7f3a" not in session_pdf and "QUESTIONS-2b9c" not in session_pdf

    # The signed note keeps the status it was signed with.
    release(alice, world, 2, "app")
    again = pdf_text(alice.get(f"/sessions/{note_id}/pdf"))
    assert again.count("released for session") == 1 and "released in the app" not in again


def test_a_draft_session_pdf_shows_where_the_disclosure_stands_now(app, world, people):
    alice, riley, _harper = people
    start(alice, world)
    write(riley, 1, FACTS, action="save")
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note_id = record_session(couple, couple.practitioner).id
        commit()
    text = pdf_text(alice.get(f"/sessions/{note_id}/pdf"))
    assert "1. Disclosure" in text and "draft" in text and "locked" in text
    assert "FACTS-7f3a" not in text


def test_a_draft_is_kept_and_a_double_submit_is_harmless(app, world, people):
    alice, riley, _harper = people
    start(alice, world)
    assert write(riley, 1, "First thoughts", action="save").status_code == 302
    assert Page(riley.get(mine(1))).value("text") == "First thoughts"
    token = riley.token(mine(1))
    first = riley.client.post(
        mine(1), data={"text": FACTS, "action": "submit", "csrf_token": token}
    )
    second = riley.client.post(
        mine(1), data={"text": "changed", "action": "submit", "csrf_token": token}
    )
    assert first.status_code == second.status_code == 302
    page = riley.text(mine(1))
    assert FACTS in page and "changed" not in page and "Submitted" in page
    with app.app_context():
        part = session.scalar(select(DisclosurePart).where(DisclosurePart.position == 1))
        assert part.text == FACTS


def test_autosave_answers_json_to_the_writer_only(app, world, people):
    alice, riley, harper = people
    start(alice, world)
    token = riley.token(mine(1))
    response = riley.client.post(
        mine(1), data={"text": "saved by script", "csrf_token": token}, headers=FETCH
    )
    assert response.status_code == 200 and re.fullmatch(r"\d\d:\d\d", response.json["saved"])
    too_long = "z" * (app.config["PRACTICE_MAX_ANSWER_CHARS"] + 1)
    response = riley.client.post(
        mine(1), data={"text": too_long, "csrf_token": token}, headers=FETCH
    )
    assert response.status_code == 422 and "the limit is" in response.json["errors"]["text"][0]
    assert Page(riley.get(mine(1))).value("text") == "saved by script"
    assert harper.client.post(mine(1), data={"text": "x"}, headers=FETCH).status_code == 404


def test_empty_or_too_long_text_is_refused_next_to_the_field_and_kept(app, world, people):
    alice, riley, _harper = people
    start(alice, world)
    write(riley, 1, "A saved draft", action="save")
    before = snapshot(app)
    page = Page(write(riley, 1, "   \n  "))
    assert_refused(page, "text", "Write your disclosure before submitting it.")
    assert_unchanged(app, before)

    limit = app.config["PRACTICE_MAX_ANSWER_CHARS"]
    long_text = "I kept writing <because> it helped & it was true.\n" * (limit // 50) + "!"
    for action in ("save", "submit"):
        page = Page(write(riley, 1, long_text, action=action))
        assert_refused(page, "text", f"the limit is {limit:,}")
        assert_kept(page, {"text": long_text})
        assert_unchanged(app, before)
    assert Page(riley.get(mine(1))).value("text") == "A saved draft"


def test_a_release_without_a_choice_or_with_a_long_note_changes_nothing(app, world, people):
    alice, riley, harper = people
    start(alice, world)
    write(riley, 1, FACTS)
    before = snapshot(app)
    page = Page(
        alice.post(practitioner_part(world, 1), {"comment": "Keep this note", "action": "release"})
    )
    assert_refused(page, "visibility", "Choose how their partner receives it.")
    assert_kept(page, {"comment": "Keep this note"})
    assert_unchanged(app, before)

    long_note = "n" * (app.config["PRACTICE_MAX_ANSWER_CHARS"] + 1)
    page = Page(
        alice.post(
            practitioner_part(world, 1),
            {"comment": long_note, "visibility": "app", "action": "release"},
        )
    )
    assert_refused(page, "comment", "the limit is")
    assert_kept(page, {"comment": long_note})
    assert_unchanged(app, before)
    assert status(harper, mine(1)) == 404 and status(harper, mine(2)) == 404

    page = Page(
        alice.post(practitioner_part(world, 1), {"visibility": "everyone", "action": "release"})
    )
    assert_refused(page, "visibility", "Choose how their partner receives it.")
    assert_unchanged(app, before)


def test_a_note_alone_is_saved_without_releasing(app, world, people):
    alice, riley, harper = people
    start(alice, world)
    write(riley, 1, FACTS)
    response = alice.post(
        practitioner_part(world, 1), {"comment": "Ask about the dates", "action": "comment"}
    )
    assert response.status_code == 302
    assert "Ask about the dates" in alice.text(practitioner_part(world, 1))
    assert status(harper, mine(1)) == 404 and status(harper, mine(2)) == 404


def test_starting_twice_keeps_one_disclosure(app, world, people):
    alice, _riley, _harper = people
    start(alice, world)
    start(alice, world)
    assert "already under way" in alice.text(overview(world))
    with app.app_context():
        assert session.scalar(select(func.count(Disclosure.id))) == 1


def test_another_practitioner_and_couple_get_404_and_change_nothing(app, world, people):
    alice, riley, _harper = people
    start(alice, world)
    write(riley, 1, FACTS)
    bob = Browser(app).login(world.bob)
    quinn = Browser(app).login(world.outsider)
    before = snapshot(app)
    token = bob.token("/dashboard")
    for url in (overview(world), practitioner_part(world, 1)):
        assert bob.get(url).status_code == 404
    for url in (f"/couples/{world.couple_id}/disclosure/start", practitioner_part(world, 1)):
        response = bob.client.post(
            url, data={"csrf_token": token, "visibility": "app", "action": "release"}
        )
        assert response.status_code == 404
    assert FACTS not in quinn.text("/my/disclosure/")
    assert quinn.get(mine(1)).status_code == 404
    assert_unchanged(app, before)
    # Clients never reach the practitioner's pages.
    assert riley.get(overview(world)).status_code == 404


def test_a_couple_without_a_recovering_and_a_hurt_partner_cannot_start(app, world):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        for partner in couple.partners:
            partner.program_role = "hurt"
        commit()
    alice = Browser(app).login(world.alice)
    start(alice, world)
    assert "one partner in recovery and one hurt partner" in alice.text(overview(world))
    with app.app_context():
        assert session.scalar(select(func.count(Disclosure.id))) == 0


def grow(app, world, couples: int) -> None:
    """More couples on Alice's caseload, each part-way through a disclosure."""
    from practice.services import couples as couple_service

    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        program = session.get(Couple, world.couple_id).program
        count = session.scalar(select(func.count(Couple.id)))
        made = [session.get(Couple, world.couple_id)] if count == 2 else []
        for n in range(couples):
            couple, _ = couple_service.create_couple(
                alice,
                program,
                [
                    couple_service.NewPartner(f"R{n}", f"r{n}-{count}@example.org", "recovering"),
                    couple_service.NewPartner(f"H{n}", f"h{n}-{count}@example.org", "hurt"),
                ],
            )
            made.append(couple)
        for couple in made:
            sequence = disclosure_service.start(couple, alice)
            recovering, hurt = couple.partners
            parts = sequence.parts
            disclosure_service.save(recovering, parts[0], "facts", submit=True)
            disclosure_service.release(parts[0], alice, "app", couple)
            disclosure_service.save(hurt, parts[1], "questions", submit=True)
            disclosure_service.release(parts[1], alice, "session", couple)
            disclosure_service.save(recovering, parts[2], "answers", submit=False)
        commit()


def counts(app, world) -> dict[str, int]:
    alice = Browser(app).login(world.alice)
    riley = Browser(app).login(world.recovering)
    harper = Browser(app).login(world.hurt)
    assert harper.post(mine(1) + "/before").status_code == 302  # ready to read part 1
    pages = [
        ("alice", alice, overview(world)),
        ("alice", alice, practitioner_part(world, 1)),
        ("riley", riley, "/my/"),
        ("riley", riley, "/my/disclosure/"),
        ("riley", riley, mine(3)),
        ("harper", harper, mine(1)),
        ("harper", harper, mine(2)),
    ]
    out = {}
    for name, person, url in pages:
        with counted_queries(app) as statements:
            assert person.get(url).status_code == 200, url
        out[f"{name} {url}"] = len(statements)
    return out


def test_query_counts_do_not_grow_with_the_data(app, world):
    grow(app, world, couples=1)
    small = counts(app, world)
    grow(app, world, couples=10)
    large = counts(app, world)
    assert small == large, f"small: {small}, large: {large}"


def test_the_demo_has_a_couple_part_way_through_a_disclosure(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = dict(
        (email, password)
        for _role, email, password in re.findall(
            r"^\s+(\S.*?)\s{2,}(\S+@example\.org)\s+(\S+)$", result.output, re.MULTILINE
        )
    )
    morgan = Browser(app).login("morgan@example.org", logins["morgan@example.org"])
    page = morgan.text("/my/disclosure/")
    assert "Ready to read" in page and "your partner will hear it in session" in page
    assert "started before we met" not in page
    assert morgan.get(mine(3)).status_code == 404
    alex = Browser(app).login("alex@example.org", logins["alex@example.org"])
    assert IN_SESSION in alex.text(mine(2))
    assert "started before we met" in alex.text(mine(3))
    sam = Browser(app).login("sam.okafor@example.org", logins["sam.okafor@example.org"])
    with app.app_context():
        couple_id = session.scalar(select(Couple.id).where(Couple.name == "Alex & Morgan"))
    page = sam.text(f"/couples/{couple_id}/disclosure/")
    assert "released for session" in page and "draft" in page
