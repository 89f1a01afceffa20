"""The private safety screen: answered alone at the first sign-in, read by the practitioner
only; a concerning answer turns sharing off for the couple, and the other partner never
learns why, or that there was anything to learn."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import AuditEntry, Couple, Partner, Reflection, SafetyScreen, User
from practice.services import reflections
from practice.services.safety import QUESTIONS
from tests.helpers.crawl import crawl
from tests.helpers.pages import Page, assert_refused, assert_unchanged, snapshot
from tests.helpers.people import PASSWORD, Browser, assign_exercises, signed_session

SAFE = {"afraid": "no", "hurt": "no", "controlled": "no", "safe_together": "yes"}
WORRIED = {"afraid": "yes", "hurt": "no", "controlled": "no", "safe_together": "no"}
SHARING_OFF = "Sharing is not available right now"
# Anything that would tell the other partner of a screen, its answers or an alert.
GIVEAWAYS = [q.text for q in QUESTIONS] + [
    "afraid",
    "asks for your care",
    "Safety answers",
    "safety answer",
    "/safety",
    "went to your practitioner only",
    "Turn sharing back on",
    "A few questions for you",
]


# The menu every client page carries, alert or not (its "Private questions" link names the
# screen's address): the same for every client, so it tells nobody anything.
CLIENT_MENU = re.compile(r'<header class="top">.*?</header>', re.DOTALL)


def assert_nothing_given_away(text: str, where: str) -> None:
    text = CLIENT_MENU.sub("", text.replace("&#39;", "'"))
    for words in GIVEAWAYS:
        assert words.lower() not in text.lower(), f"{where} shows {words!r}"


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def without_tokens(page: str) -> str:
    """The page minus what differs per person anyway: the form token and the key of their
    offline drafts (their account number)."""
    page = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)
    return re.sub(r"practice-draft:\d+:", "practice-draft:N:", page)


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def new_partners(app, alice: Browser) -> tuple[int, Browser, Browser]:
    """A couple added through the pages; both partners set a password (and agree)."""
    response = alice.post(
        "/couples/new",
        {
            "name": "",
            "first_name": "Jordan Lee",
            "first_email": "jordan@example.org",
            "first_role": "recovering",
            "second_name": "Morgan Lee",
            "second_email": "morgan@example.org",
            "second_role": "hurt",
            "policy": "no-secrets",
        },
    )
    couple_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    page = alice.text(response.location)
    people = []
    for name in ("Jordan Lee", "Morgan Lee"):
        link = re.search(
            rf'Invitation link for {name}</label>\s*<input[^>]*value="http://localhost'
            r'(/invitation/[^"]+)"',
            page,
        ).group(1)
        person = Browser(app)
        person.post(link, {"password": PASSWORD, "confirm": PASSWORD, "agree": "y"})
        people.append(person)
    return couple_id, *people


def assign(app, couple_id: int, slug: str) -> int:
    return assign_exercises(app, couple_id, slug, audience="both")[0]


def submit(app, partner_id: int, assignment_id: int, words: str, shared: bool) -> int:
    from practice.models import Assignment

    with app.app_context():
        assignment = session.get(Assignment, assignment_id)
        reflection, _ = reflections.save(
            session.get(Partner, partner_id),
            assignment,
            answers=[words] + [""] * (len(assignment.prompts) - 1),
            ratings={},
            shared=shared,
            submit=True,
            today=date.today(),
        )
        commit()
        return reflection.id


def couple_state(app, couple_id: int):
    with app.app_context():
        return session.get(Couple, couple_id).joint_features_off_since


# --- the screen ---------------------------------------------------------------------


def test_the_screen_comes_before_any_other_client_page_at_the_first_sign_in(app, world):
    alice = Browser(app).login(world.alice)
    couple_id, jordan, morgan = new_partners(app, alice)
    assignment_id = assign(app, couple_id, "finding-the-right-amount")
    for url in ("/my/", "/my/shared", f"/my/assignments/{assignment_id}"):
        response = jordan.get(url)
        assert response.status_code == 302 and response.location.endswith("/my/safety/"), url
    page = jordan.text("/my/safety/")
    for question in QUESTIONS:
        assert question.text.replace("'", "&#39;") in page
    assert "Your partner does not see them" in page
    assert "call your local emergency number" in page

    response = jordan.post("/my/safety/", SAFE)
    assert response.location.endswith("/my/")
    assert "Your answers went to your practitioner only." in jordan.text("/my/")
    assert jordan.get(f"/my/assignments/{assignment_id}").status_code == 200
    assert morgan.get("/my/").location.endswith("/my/safety/"), "each partner answers alone"

    # Safe answers leave sharing on, and the practitioner reads them on the safety page.
    assert couple_state(app, couple_id) is None
    assert "Let my partner read this" in jordan.text(f"/my/assignments/{assignment_id}")
    assert "Safety answers that ask for your care" not in alice.text("/dashboard")
    safety_page = alice.text(f"/couples/{couple_id}/safety")
    assert "Jordan Lee" in safety_page and "Sharing between the partners is on." in safety_page


def test_unanswered_questions_are_named_and_the_answers_given_are_kept(app, world):
    alice = Browser(app).login(world.alice)
    _couple_id, jordan, _morgan = new_partners(app, alice)
    before = snapshot(app)
    page = Page(jordan.post("/my/safety/", {"afraid": "no", "safe_together": "yes"}))
    assert_refused(page, "hurt", "Choose yes or no.")
    assert_refused(page, "controlled", "Choose yes or no.")
    assert page.errors_for("afraid") == [] and page.errors_for("safe_together") == []
    assert page.checked("afraid") == {"no"} and page.checked("safe_together") == {"yes"}
    assert_unchanged(app, before)
    assert jordan.get("/my/").location.endswith("/my/safety/"), "still to answer"

    page = Page(jordan.post("/my/safety/", {**SAFE, "hurt": "maybe"}))
    assert_refused(page, "hurt", "Not a valid choice")
    assert_unchanged(app, before)


# --- a concerning answer --------------------------------------------------------------


@pytest.fixture
def worried_harper(app, world):
    """Both partners have shared before; then Harper's answers ask for care."""
    both = assign(app, world.couple_id, "finding-the-right-amount")
    ids = {
        "riley_shared": submit(app, world.recovering_id, both, "Riley shared words", True),
        "harper_shared": submit(app, world.hurt_id, both, "Harper shared words", True),
        "open": assign(app, world.couple_id, "finding-the-right-amount"),
    }
    ids["session"] = signed_session(app, world.couple_id, reflection_ids=[ids["riley_shared"]])
    harper = Browser(app).login(world.hurt)
    assert harper.get("/my/safety/").status_code == 200, "the questions can be answered again"
    assert harper.post("/my/safety/", WORRIED).location.endswith("/my/")
    return ids


def test_a_concerning_answer_alerts_the_practitioner_only(app, world, worried_harper):
    assert couple_state(app, world.couple_id) is not None
    alice = Browser(app).login(world.alice)
    dashboard = alice.text("/dashboard")
    assert "Safety answers that ask for your care" in dashboard
    assert (
        "Riley &amp; Harper" in dashboard.split("Safety answers that ask")[1].split("</section>")[0]
    )
    couple_page = alice.text(f"/couples/{world.couple_id}")
    assert "A safety answer asks for your care." in couple_page
    safety_page = alice.text(f"/couples/{world.couple_id}/safety")
    assert "Harper Hurt" in safety_page and "Asks for care" in safety_page
    assert "Are there times you feel afraid of your partner? <strong>Yes</strong>" in safety_page

    bob = Browser(app).login(world.bob)
    assert "Safety answers that ask for your care" not in bob.text("/dashboard")
    assert bob.get(f"/couples/{world.couple_id}/safety").status_code == 404
    owner = Browser(app).login(world.owner)
    assert "Safety answers that ask for your care" not in owner.text("/dashboard")


def test_sharing_is_off_for_both_partners_and_the_other_sees_nothing_of_why(
    app, world, worried_harper
):
    ids = worried_harper
    riley = Browser(app).login(world.recovering)
    pages = {
        url: riley.text(url)
        for url in (
            "/my/",
            "/my/shared",
            f"/my/assignments/{ids['open']}",
            f"/my/reflections/{ids['riley_shared']}",
        )
    }
    for url, page in pages.items():
        assert_nothing_given_away(page, url)
        assert_nothing_given_away(title(page), f"title of {url}")
    assert SHARING_OFF in pages[f"/my/assignments/{ids['open']}"]
    assert "Let my partner read this" not in pages[f"/my/assignments/{ids['open']}"]
    assert SHARING_OFF in pages["/my/shared"]
    assert "Harper shared words" not in pages["/my/shared"]
    assert "Your partner can read it." not in pages[f"/my/reflections/{ids['riley_shared']}"]
    assert riley.get(f"/my/reflections/{ids['harper_shared']}").status_code == 404
    # Riley's own questions read exactly as they do for a client of a couple with no alert.
    quinn = Browser(app).login(world.outsider)
    assert without_tokens(riley.text("/my/safety/")) == without_tokens(quinn.text("/my/safety/"))
    handout = riley.get(f"/my/handouts/{ids['session']}/pdf?reflections=1")
    assert handout.status_code == 200
    assert_nothing_given_away(pdf_text(handout.data), "Riley's handout")
    assert riley.get(f"/couples/{world.couple_id}/safety").status_code == 404

    # Harper's pages are just as quiet about it: sharing is simply not offered.
    harper = Browser(app).login(world.hurt)
    assert SHARING_OFF in harper.text(f"/my/assignments/{ids['open']}")
    assert "Riley shared words" not in harper.text("/my/shared")

    # A forged "share" is not honoured.
    response = riley.post(
        f"/my/assignments/{ids['open']}",
        {"answer_0": "Tonight went well", "shared_with_partner": "y", "action": "submit"},
    )
    assert response.status_code == 302
    assert "It stays private to you and your practitioner." in riley.text("/my/")
    with app.app_context():
        latest = session.scalar(select(Reflection).where(Reflection.assignment_id == ids["open"]))
        assert latest.is_submitted and not latest.shared_with_partner


def test_the_practitioner_turns_sharing_back_on_with_a_reason(app, world, worried_harper):
    ids = worried_harper
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}/safety"
    before = snapshot(app)
    for reason, message in (
        ("  ", "Say in a few words why sharing can resume."),
        ("é" * 1001, "Keep it to 1,000 characters."),
    ):
        page = Page(alice.post(url, {"reason": reason}))
        assert_refused(page, "reason", message)
        if reason.strip():
            assert page.value("reason") == reason
        assert_unchanged(app, before)

    reason = "Saw Harper alone on Monday; she wants to go on together. 🌱"
    response = alice.post(url, {"reason": reason})
    assert response.status_code == 302
    assert couple_state(app, world.couple_id) is None
    assert "Safety answers that ask for your care" not in alice.text("/dashboard")
    assert "A safety answer asks for your care." not in alice.text(f"/couples/{world.couple_id}")
    assert reason in alice.text(url)
    with app.app_context():
        screen = session.scalar(select(SafetyScreen).where(SafetyScreen.concerning.is_(True)))
        assert screen.resolution == reason and screen.resolved_by.email == world.alice

    riley = Browser(app).login(world.recovering)
    assert "Let my partner read this" in riley.text(f"/my/assignments/{ids['open']}")
    assert "Harper shared words" in riley.text(f"/my/reflections/{ids['harper_shared']}")
    # Already on: a second post (a double click) changes nothing.
    before = snapshot(app)
    page = Page(alice.post(url, {"reason": "again"}))
    assert page.status == 200 and "Sharing between the partners is on." in page.html
    assert_unchanged(app, before)


def test_the_reason_for_resuming_sharing_stays_out_of_the_audit_log(app, world, worried_harper):
    """The reason is clinical: kept encrypted with the screen it resolves; the owner's log
    and its CSV say only that sharing resumed (the detail once held the reason in plain)."""
    reason = "Harper told me about the night of the 14th; safe to go on. h4x-REASON"
    alice = Browser(app).login(world.alice)
    assert alice.post(f"/couples/{world.couple_id}/safety", {"reason": reason}).status_code == 302
    owner = Browser(app).login(world.owner)
    log = owner.text("/admin/audit/?action=safety.")
    assert "safety.joint_features_on" in log
    csv = owner.get("/admin/audit/export.csv").get_data(as_text=True)
    assert "safety.joint_features_on" in csv
    for where, shown in (("the log", log), ("the CSV", csv)):
        assert "h4x-REASON" not in shown and "14th" not in shown, f"the reason is in {where}"
    with app.app_context():
        details = session.scalars(select(AuditEntry.detail)).all()
        assert not [detail for detail in details if "h4x-REASON" in detail]


def riley_pages(riley: Browser) -> dict[str, str]:
    """Every page Riley reaches, as HTML without the tokens that differ per request."""
    visit = crawl(riley.client)
    return {
        path: without_tokens(response.get_data(as_text=True))
        for path, response in visit.pages.items()
        if response.mimetype == "text/html"
    }


def test_the_other_partner_cannot_tell_a_safety_alert_from_the_practitioners_pause(
    app, world, worried_harper
):
    """Harper's answer turned sharing off; the practitioner can also simply pause it. Riley's
    pages are the same, byte for byte, whichever it was: the pause is no sign of an alert."""
    riley = Browser(app).login(world.recovering)
    after_alert = riley_pages(riley)
    assert any(SHARING_OFF in page for page in after_alert.values())

    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}"
    alice.post(f"{url}/safety", {"reason": "Talked it through with Harper alone."})
    assert "Let my partner read this" in riley.text(f"/my/assignments/{worried_harper['open']}")
    assert "Pause sharing" in alice.text(url)
    assert alice.post(f"{url}/sharing/pause", form_url=url).status_code == 302
    assert couple_state(app, world.couple_id) is None, "no safety alert: a pause of its own"
    assert "You paused sharing between the partners on" in alice.text(url)

    after_pause = riley_pages(riley)
    assert sorted(after_pause) == sorted(after_alert)
    for path, page in after_alert.items():
        assert after_pause[path] == page, f"{path} differs between an alert and a pause"


def test_the_practitioners_pause_and_a_safety_alert_each_hold_sharing_off(app, world):
    assignment = assign(app, world.couple_id, "finding-the-right-amount")
    mine = f"/my/assignments/{assignment}"
    riley, harper = Browser(app).login(world.recovering), Browser(app).login(world.hurt)
    alice = Browser(app).login(world.alice)
    url = f"/couples/{world.couple_id}"
    assert alice.post(f"{url}/sharing/pause", form_url=url).status_code == 302
    assert SHARING_OFF in riley.text(mine) and SHARING_OFF in harper.text(mine)
    assert "Safety answers that ask for your care" not in alice.text("/dashboard")

    # A worrying answer while paused still alerts the practitioner (and still holds sharing
    # off once the pause ends); resolving it leaves the practitioner's own pause in place.
    assert harper.post("/my/safety/", WORRIED).status_code == 302
    assert "Safety answers that ask for your care" in alice.text("/dashboard")
    before = snapshot(app)
    assert alice.post(f"{url}/sharing/pause", form_url=url).status_code == 302
    assert "Sharing is already paused for this couple." in alice.text(url)
    assert_unchanged(app, before)
    response = alice.post(f"{url}/safety", {"reason": "Seen alone; safe to go on."})
    assert response.status_code == 302
    assert "sharing stays paused" in alice.text(url)
    assert SHARING_OFF in riley.text(mine)
    assert alice.post(f"{url}/sharing/resume", form_url=url).status_code == 302
    assert "Let my partner read this" in riley.text(mine)
    assert "Let my partner read this" in harper.text(mine)
    assert [e.action for e in audit_entries(app) if e.action.startswith("sharing.")] == [
        "sharing.paused",
        "sharing.resumed",
    ]


def audit_entries(app) -> list[AuditEntry]:
    with app.app_context():
        found = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        session.expunge_all()
        return found


def test_the_demo_shows_agreed_policies_and_one_safety_alert(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = dict(
        re.findall(r"^\s+\S.*?\s{2,}(\S+@example\.org)\s+(\S+)$", result.output, re.MULTILINE)
    )
    with app.app_context():
        assert session.scalar(select(func.count()).where(Partner.agreed_at.is_(None))) == 0
        kinds = set(session.scalars(select(Couple.policy_kind)))
        assert kinds == {"no-secrets", "limited-secrets", "secrets-kept"}
        off = session.scalars(
            select(Couple.name).where(Couple.joint_features_off_since.is_not(None))
        )
        assert list(off) == ["Jordan & Casey"]
        assert session.scalar(select(func.count()).where(Partner.screened_at.is_(None))) == 0
        jordan = session.scalar(select(User).where(User.email == "jordan@example.org"))
        assert jordan.partner is not None
    sam = Browser(app).login("sam.okafor@example.org", logins["sam.okafor@example.org"])
    assert "Jordan &amp; Casey" in sam.text("/dashboard").split("</section>")[0]
    jordan_browser = Browser(app).login("jordan@example.org", logins["jordan@example.org"])
    shared = jordan_browser.text("/my/shared")
    assert SHARING_OFF in shared
    assert_nothing_given_away(shared, "Jordan's shared page")
