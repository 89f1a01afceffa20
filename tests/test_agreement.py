"""The couple's confidentiality policy: chosen by the practitioner, agreed by each partner in
the exact words they read, kept as agreed, and shown on the couple page and in the PDFs."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Partner, PolicyWording, User
from practice.services import sessions
from practice.services.agreements import DEFAULT_WORDING
from tests.helpers.pages import Page, assert_kept, assert_refused, assert_unchanged, snapshot
from tests.helpers.people import PASSWORD, Browser, build_world, record_session

NEW_COUPLE = {
    "name": "",
    "first_name": "Jordan Lee",
    "first_email": "jordan@example.org",
    "first_role": "recovering",
    "second_name": "Morgan Lee",
    "second_email": "morgan@example.org",
    "second_role": "hurt",
    "policy": "limited-secrets",
}
OUR_WORDS = (
    "At Harbour we keep what you tell us alone, unless it stops the work together. "
    "Ниже — по-русски. 🌊 عربي"
)


def flat(text: str) -> str:
    """Whitespace as one space: PDF text extraction breaks lines where the page did."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def invitation_links(page: str) -> dict[str, str]:
    found = re.findall(
        r'Invitation link for ([^<]+)</label>\s*<input[^>]*value="http://localhost'
        r'(/invitation/[^"]+)"',
        page,
    )
    return dict(found)


def new_couple(alice: Browser, **changes) -> tuple[int, dict[str, str]]:
    response = alice.post("/couples/new", {**NEW_COUPLE, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    couple_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    return couple_id, invitation_links(alice.text(response.location))


def partner(email: str) -> Partner:
    return session.scalar(select(Partner).join(User).where(User.email == email))


def test_the_new_couple_page_offers_each_policy_with_its_words(app, world):
    page = Browser(app).login(world.alice).text("/couples/new")
    for label in ("No secrets", "Limited secrets", "Secrets kept"):
        assert label in page
    for text in DEFAULT_WORDING.values():
        assert str(text.replace("'", "&#39;")) in page


def test_a_partner_agrees_to_the_chosen_policy_when_setting_a_password(app, world):
    alice = Browser(app).login(world.alice)
    couple_id, links = new_couple(alice)
    words = DEFAULT_WORDING["limited-secrets"]

    jordan = Browser(app)
    page = jordan.text(links["Jordan Lee"])
    assert "Your confidentiality policy: Limited secrets" in page
    assert flat(words) in flat(page.replace("&#39;", "'"))
    assert "I have read this policy and agree to it" in page

    response = jordan.post(
        links["Jordan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"}
    )
    assert response.location.endswith("/my/")
    with app.app_context():
        jordan_partner = partner("jordan@example.org")
        assert jordan_partner.agreed_policy_kind == "limited-secrets"
        assert jordan_partner.agreed_policy_text == words
        assert jordan_partner.agreed_at is not None
        assert partner("morgan@example.org").agreed_at is None

    couple_page = alice.text(f"/couples/{couple_id}")
    assert "Confidentiality agreement" in couple_page
    assert "Policy: <strong>Limited secrets</strong>" in couple_page
    assert "Jordan Lee agreed on" in couple_page
    assert "Morgan Lee has not agreed yet" in couple_page


def test_an_invitation_is_refused_without_ticking_the_agreement(app, world):
    alice = Browser(app).login(world.alice)
    _couple_id, links = new_couple(alice)
    jordan = Browser(app)
    before = snapshot(app)
    page = Page(jordan.post(links["Jordan Lee"], {"password": PASSWORD, "confirm": PASSWORD}))
    assert_refused(page, "agree", "Tick the box to say you have read and agree to the policy.")
    assert "Welcome, Jordan Lee" in page.html and "Limited secrets" in page.html
    assert_unchanged(app, before)
    assert jordan.get("/my/").status_code == 302, "not signed in"
    assert Browser(app).get(links["Jordan Lee"]).status_code == 200, "the link still works"

    # A forged "agreed" that is not the box ticked is refused the same way.
    page = Page(
        jordan.post(links["Jordan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": ""})
    )
    assert_refused(page, "agree", "Tick the box")
    assert_unchanged(app, before)


def test_a_bad_password_with_the_box_ticked_keeps_the_box_ticked(app, world):
    alice = Browser(app).login(world.alice)
    _couple_id, links = new_couple(alice)
    page = Page(
        Browser(app).post(
            links["Jordan Lee"], {"password": "short", "confirm": "short", "agree": "y"}
        )
    )
    assert_refused(page, "password", "Use 10 to 1024 characters")
    assert page.checked("agree") == {"y"}


def test_the_couple_keeps_the_words_agreed_after_the_owner_edits_them(app, world):
    alice = Browser(app).login(world.alice)
    first_id, first_links = new_couple(alice)
    Browser(app).post(
        first_links["Jordan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"}
    )

    owner = Browser(app).login(world.owner)
    form = Page(owner.get("/admin/policies"))
    assert form.value("limited_secrets") == DEFAULT_WORDING["limited-secrets"]
    response = owner.post(
        "/admin/policies",
        {
            "no_secrets": DEFAULT_WORDING["no-secrets"],
            "limited_secrets": OUR_WORDS,
            "secrets_kept": DEFAULT_WORDING["secrets-kept"],
        },
    )
    assert response.status_code == 302
    assert "New couples get these words" in owner.text("/admin/policies")

    # The partner who has not agreed yet still reads the words the couple was given.
    morgan_page = Browser(app).text(first_links["Morgan Lee"])
    assert OUR_WORDS not in morgan_page
    Browser(app).post(
        first_links["Morgan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"}
    )
    with app.app_context():
        for email in ("jordan@example.org", "morgan@example.org"):
            assert partner(email).agreed_policy_text == DEFAULT_WORDING["limited-secrets"]
        assert session.get(Couple, first_id).policy_text == DEFAULT_WORDING["limited-secrets"]

    # A couple added now gets the practice's new words.
    _second_id, second_links = new_couple(
        alice,
        first_email="ash@example.org",
        second_email="kai@example.org",
        first_name="Ash",
        second_name="Kai",
    )
    ash = Browser(app)
    assert OUR_WORDS in ash.text(second_links["Ash"])
    ash.post(second_links["Ash"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
    with app.app_context():
        assert partner("ash@example.org").agreed_policy_text == OUR_WORDS


def test_the_session_pdf_names_the_policy_and_the_record_holds_its_words_once(app, world):
    alice = Browser(app).login(world.alice)
    couple_id, links = new_couple(alice, policy="secrets-kept")
    for name in ("Jordan Lee", "Morgan Lee"):
        Browser(app).post(links[name], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
    with app.app_context():
        couple = session.get(Couple, couple_id)
        for _ in range(2):
            note = record_session(couple, couple.practitioner)
            sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        note_id = note.id
    words = flat(DEFAULT_WORDING["secrets-kept"])
    note_pdf = alice.get(f"/sessions/{note_id}/pdf")
    assert note_pdf.status_code == 200 and note_pdf.mimetype == "application/pdf"
    text = pdf_text(note_pdf.data)
    assert "Secrets kept: agreed by Jordan Lee on" in text
    assert "Morgan Lee on" in text
    assert words[:120] not in text, "the policy's words are in the record, not every note"
    record = pdf_text(alice.get(f"/couples/{couple_id}/record/pdf").data)
    assert "Confidentiality agreement" in record and "Policy: Secrets kept" in record
    assert "Jordan Lee on" in record and "Morgan Lee on" in record
    assert record.count(words[:120]) == 1 and record.count(words[-60:]) == 1


def test_a_signed_note_pdf_does_not_change_when_a_partner_agrees_later(app, world):
    alice = Browser(app).login(world.alice)
    couple_id, links = new_couple(alice)
    Browser(app).post(
        links["Jordan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"}
    )
    with app.app_context():
        couple = session.get(Couple, couple_id)
        note = record_session(couple, couple.practitioner)
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        note_id = note.id
    before = alice.get(f"/sessions/{note_id}/pdf").data
    assert "Morgan Lee on" not in pdf_text(before)
    Browser(app).post(
        links["Morgan Lee"], {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"}
    )
    assert alice.get(f"/sessions/{note_id}/pdf").data == before
    assert "Morgan Lee on" in pdf_text(alice.get(f"/couples/{couple_id}/record/pdf").data)


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "message"),
    [(None, "Choose the couple's confidentiality policy."), ("tell-everyone", "Not a valid")],
    ids=["none-chosen", "unknown"],
)
def test_a_couple_without_a_known_policy_is_refused_and_keeps_what_was_typed(
    app, world, policy, message
):
    alice = Browser(app).login(world.alice)
    before = snapshot(app)
    data = {**NEW_COUPLE, "name": "Lee & Lee 🌿", "policy": policy}
    page = Page(alice.post("/couples/new", {k: v for k, v in data.items() if v is not None}))
    assert_refused(page, "policy", message)
    assert_kept(
        page,
        {k: data[k] for k in ("name", "first_name", "first_email", "second_name", "second_email")},
    )
    assert page.selected["first_role"] == ["recovering"]
    assert_unchanged(app, before)


def test_a_policy_choice_is_kept_when_another_field_is_wrong(app, world):
    alice = Browser(app).login(world.alice)
    page = Page(alice.post("/couples/new", {**NEW_COUPLE, "first_email": "not-an-email"}))
    assert_refused(page, "first_email", "Enter an e-mail address like name@example.org.")
    assert page.checked("policy") == {"limited-secrets"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write the words couples will read"), ("é" * 4001, "keep it to 4,000")],
    ids=["blank", "too-long"],
)
def test_policy_wording_bad_input_keeps_every_text_and_changes_nothing(app, world, text, message):
    owner = Browser(app).login(world.owner)
    before = snapshot(app)
    typed = {"no_secrets": OUR_WORDS, "limited_secrets": text, "secrets_kept": "Kept, <b>&</b>"}
    page = Page(owner.post("/admin/policies", typed))
    assert_refused(page, "limited_secrets", message)
    assert_kept(page, {k: v for k, v in typed.items() if v.strip()})
    assert_unchanged(app, before)
    with app.app_context():
        assert session.scalar(select(PolicyWording)) is None


def test_policy_wording_of_exactly_the_limit_is_saved(app):
    world = build_world(app)
    owner = Browser(app).login(world.owner)
    typed = {"no_secrets": "é" * 4000, "limited_secrets": OUR_WORDS, "secrets_kept": "Kept."}
    assert owner.post("/admin/policies", typed).status_code == 302
    page = Page(owner.get("/admin/policies"))
    assert page.value("no_secrets") == "é" * 4000
    assert page.value("secrets_kept") == "Kept."


def test_only_the_owner_edits_the_wording(app, world):
    for email in (world.alice, world.recovering):
        assert Browser(app).login(email).get("/admin/policies").status_code == 404
