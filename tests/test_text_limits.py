"""Every box that stores text has a limit, and it holds on every path that stores it.

The documented ones (PRACTICE_MAX_ANSWER_CHARS for what a client writes to one prompt or
disclosure part, PRACTICE_MAX_NOTE_CHARS for a whole session note, feedback or addendum)
and every other: names, e-mail addresses, notes to the couple, reasons, check-ins, policy
wording. Each box of every form the walk of the populated world finds is typed in alone:
one character over its limit is refused with a message by the box that names the limit,
the text stays in the box and nothing changes; exactly at the limit the box has no
complaint. A box the table below does not know fails the suite. The pages' autosave goes
through the same services (tested here for disclosure parts, in test_client_autosave for
reflections); forms the walk cannot reach have their own tests (set-up names in
test_bad_input, the safety reason in test_safety).
"""

import re

import pytest
from sqlalchemy import select

from practice.db import session
from practice.models import Reflection
from practice.pdf import typefaces
from tests.helpers.crawl import forms_of_the_populated_world, forms_on, read_page
from tests.helpers.pages import Page, assert_kept, assert_unchanged, snapshot
from tests.helpers.pdfs import body_text
from tests.helpers.people import PASSWORD, Browser, assign_exercises, signed_session

ANSWER, NOTE = "PRACTICE_MAX_ANSWER_CHARS", "PRACTICE_MAX_NOTE_CHARS"
# (endpoint, box) -> its limit in characters, or the setting that holds it.
LIMITS: dict[tuple[str, str], int | str] = {
    ("practice.admin.policies", "no_secrets"): 4000,
    ("practice.admin.policies", "limited_secrets"): 4000,
    ("practice.admin.policies", "secrets_kept"): 4000,
    ("practice.admin.practitioners", "name"): 120,
    ("practice.admin.practitioners", "email"): 254,
    ("practice.admin.practitioners", "credentials"): 120,
    ("practice.account.timezone", "timezone"): 64,
    ("practice.caseload.new_couple", "name"): 120,
    ("practice.caseload.new_couple", "first_name"): 120,
    ("practice.caseload.new_couple", "first_email"): 254,
    ("practice.caseload.new_couple", "second_name"): 120,
    ("practice.caseload.new_couple", "second_email"): 254,
    ("practice.caseload.assign", "note"): 2000,
    ("practice.sessions.homework", "note"): 2000,
    ("practice.pacing.open_early", "reason"): 2000,
    ("practice.review.reflection", "feedback"): NOTE,
    ("practice.sessions.new_session", "note"): NOTE,
    ("practice.sessions.edit", "note"): NOTE,
    ("practice.sessions.add_addendum", "text"): NOTE,
    ("practice.disclosure.part", "comment"): ANSWER,
    ("practice.client.assignment", "answer_0"): ANSWER,
    ("practice.client.assignment", "answer_1"): ANSWER,
    ("practice.client.assignment", "answer_2"): ANSWER,
    ("practice.my_disclosure.part_for_client", "text"): ANSWER,
    ("practice.checkins.mine.check_in", "triggers"): 5000,
    ("practice.checkins.mine.check_in", "handled"): 5000,
    ("practice.safety_settings.crisis_resources", "country"): 80,
    ("practice.safety_settings.crisis_resources", "lines"): 5000,
}
# Boxes whose text is checked and never stored as typed (a sign-in code).
NOT_STORED = {("practice.security.two_factor", "code")}
# What a box needs beside it for the form to go through (the rest as the page shows it).
ALONGSIDE = {
    "practice.admin.practitioners": {"name": "Pat Doe", "email": "pat@example.org"},
    "practice.caseload.new_couple": {
        "first_name": "Ann Lee",
        "first_email": "ann@example.org",
        "first_role": "recovering",
        "second_name": "Ben Lee",
        "second_email": "ben@example.org",
        "second_role": "hurt",
    },
    "practice.caseload.assign": {"exercises": "1"},
    "practice.sessions.homework": {"exercises": "1"},
    "practice.sessions.add_addendum": {"password": PASSWORD},
    "practice.checkins.mine.check_in": {"urges": "3"},
    # The walk reads no <option> of a select (tests/helpers/crawl.py): these are chosen here.
    "practice.sessions.new_session": {"note_format": "free", "individual_partner": "0"},
    "practice.sessions.edit": {"note_format": "free", "individual_partner": "0"},
}
PEOPLE = ("owner", "alice", "riley", "harper")
FORMS = [found for found in forms_of_the_populated_world(PEOPLE) if found.text_boxes]
# The forms with a box that stores words (a sign-in code is checked, never kept), each
# once: the same form reached by two people, or for two sessions, is the same path.
STORING = list(
    {
        re.sub(r"\d+", "N", found.action): found
        for found in reversed(FORMS)
        if set(found.text_boxes) - {"code"}
    }.values()
)[::-1]


def endpoint(app, url: str) -> str:
    path = url.removeprefix("http://localhost")
    return app.url_map.bind("localhost").match(path, method="POST")[0]


def text_of(kind: str, length: int) -> str:
    """``length`` characters a person might type: an address for an e-mail box; otherwise
    CJK (three bytes each in UTF-8: the limit counts characters, not bytes)."""
    if kind == "email":
        return "a" * (length - len("@example.org")) + "@example.org"
    return ("字" * length)[:length]


def limit_of(app, key) -> int:
    limit = LIMITS[key]
    return app.config[limit] if isinstance(limit, str) else limit


def names_the_limit(message: str, limit: int) -> bool:
    return f"{limit:,}" in message or str(limit) in message


def test_every_box_that_stores_text_has_a_known_limit(app):
    boxes = set()
    for found in FORMS:
        who_can = endpoint(app, found.action)
        boxes |= {(who_can, name) for name in found.text_boxes}
    unknown = boxes - set(LIMITS) - NOT_STORED
    assert not unknown, f"boxes without a limit in LIMITS: {sorted(unknown)}"
    assert not set(LIMITS) - boxes, f"LIMITS names boxes no form has: {set(LIMITS) - boxes}"


@pytest.mark.parametrize("found", STORING, ids=[found.id for found in STORING])
def test_one_character_over_any_limit_is_refused_by_its_box(app, populated, found):
    app.config.update(PRACTICE_LOGIN_LIMIT_ACCOUNT=10_000, PRACTICE_LOGIN_LIMIT_ADDRESS=10_000)
    who = Browser(app).login(populated["emails"][found.person])
    name_of = endpoint(app, found.action)
    boxes = [key for key in LIMITS if key[0] == name_of and key[1] in found.text_boxes]
    wrong = []
    for key in boxes:
        box, limit = key[1], limit_of(app, key)
        for length in (limit + 1, limit):
            (form,) = forms_on(who.client, found.page, found.action)[:1]
            data = {**form.fields, **ALONGSIDE.get(name_of, {})}
            for choice, options in form.choices.items():
                data.setdefault(choice, options[0] if options else "")
            typed = text_of(form.kinds[box], length)
            data[box] = typed
            before = snapshot(app) if length > limit else None
            page = Page(who.client.post(form.action, data=data))
            errors = " ".join(page.errors_for(box)) if page.status == 200 else ""
            where = f"{found.person} {name_of} {box} at {length:,}"
            if length > limit:
                if not names_the_limit(errors, limit):
                    wrong.append(
                        f"{where}: no message naming {limit:,} ({page.status}, {errors!r}, "
                        f"{page.all_field_errors()}, {page.page_errors})"
                    )
                    continue
                assert_kept(page, {box: typed})
                assert_unchanged(app, before)
            elif names_the_limit(errors, limit):
                wrong.append(f"{where}: refused at the limit ({errors!r})")
    assert boxes and not wrong, "\n".join(wrong) or f"no box of {name_of} is tested"


def test_a_whole_note_is_limited_not_each_of_its_sections(app, world):
    """A SOAP note's four sections together are one note: four full sections were accepted,
    four times the text of a free note, in the note and in its PDF."""
    limit = app.config[NOTE]
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/sessions/new"
    page = read_page("http://localhost" + url, alice.text(url + "?format=soap"))
    (form,) = [f for f in page.forms if f.action.endswith(url)]
    sections = ["subjective", "objective", "assessment", "plan"]
    quarter = "字" * (limit // 4)
    data = {**form.fields, "note_format": "soap", "kind": "joint"}
    before = snapshot(app)
    over = Page(alice.client.post(url, data={**data, **dict.fromkeys(sections, quarter + "!")}))
    assert names_the_limit(over.error_for("plan"), limit), over.all_field_errors()
    assert_kept(over, dict.fromkeys(sections, quarter + "!"))
    assert_unchanged(app, before)
    whole = alice.client.post(url, data={**data, **dict.fromkeys(sections, quarter)})
    assert whole.status_code == 302, Page(whole).all_field_errors()


def test_an_autosaved_disclosure_part_over_the_limit_is_refused_and_saves_nothing(app, populated):
    limit = app.config[ANSWER]
    harper = Browser(app).login(populated["emails"]["harper"])
    url = "/my/disclosure/parts/2"
    token = harper.token(url)
    before = snapshot(app)
    headers = {"X-Requested-With": "fetch"}
    over = harper.client.post(
        url, data={"text": "字" * (limit + 1), "csrf_token": token}, headers=headers
    )
    assert over.status_code == 422 and names_the_limit(str(over.json["errors"]["text"]), limit)
    assert_unchanged(app, before)
    at = harper.client.post(url, data={"text": "字" * limit, "csrf_token": token}, headers=headers)
    assert at.status_code == 200 and at.json["saved"]


# --- the longest text there may be, in the PDFs -------------------------------------------

CJK = (
    "我们谈了这一周发生的事情哪些困难哪些顺利她说很久以来第一次觉得被倾听信頼は少しずつ戻っています"
)
EMOJI = "😀🎉🤗☕😴🌱🌊💬🙏✨"
WORD = "Rebuildingtrusttakestimeandpatience"


def exactly(unit: str, length: int, end: str) -> str:
    """``length`` characters of ``unit`` repeated with no space at all, ending in ``end``."""
    return (unit * (length // len(unit) + 1))[: length - len(end)] + end


def test_the_longest_answers_and_feedback_render_whole_in_the_handout(app, world):
    """What a client may write at most (three answers at the answer limit: CJK, emoji and
    one unbroken word, with no space to break at) and the practitioner's feedback at the
    note limit go in through the pages, are accepted, and read back whole, every character
    in order, from the client's handout (the PDF a client can ask for again and again).
    No time is asserted here: bench/pdf_long_text_bench.py measures it."""
    answer, note = app.config[ANSWER], app.config[NOTE]
    answers = [
        exactly(CJK, answer, "完结"),
        exactly(EMOJI, answer, "END"),
        exactly(WORD, answer, "END"),
    ]
    feedback = exactly(CJK + EMOJI + WORD, note, "FEEDBACKEND")
    for needed in CJK + EMOJI:
        if typefaces.font_for(needed) is None:
            pytest.skip(f"no font on this machine draws {needed!r}")  # see test_pdf_render
    (assignment,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    riley = Browser(app).login(world.recovering)
    typed = {f"answer_{i}": text for i, text in enumerate(answers)}
    sent = riley.post(f"/my/assignments/{assignment}", {**typed, "action": "submit"})
    assert sent.status_code == 302, Page(sent).all_field_errors()
    with app.app_context():
        (reflection,) = session.scalars(select(Reflection.id)).all()
    alice = Browser(app).login(world.alice)
    reviewed = alice.post(f"/review/{reflection}", {"feedback": feedback, "mark_reviewed": "y"})
    assert reviewed.status_code == 302, Page(reviewed).all_field_errors()
    signed_id = signed_session(app, world.couple_id, reflection_ids=[reflection])

    handout = riley.get(f"/my/handouts/{signed_id}/pdf?reflections=1")
    assert handout.status_code == 200 and handout.mimetype == "application/pdf"
    read = body_text(handout.data)
    for text in (*answers, feedback):
        assert text in read, f"the handout lost part of the text ending {text[-12:]!r}"
