"""Accountability check-ins and the side-by-side ratings: the partner in recovery checks in,
the hurt partner sees a summary only (and only if agreed), the practitioner sees it all."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import Checkin, CheckinPlan, Couple, Exercise, Partner
from practice.services import assignments, reflections, sessions
from practice.services import checkins as service
from tests.helpers.database import counted_queries
from tests.helpers.pages import (
    Page,
    assert_kept,
    assert_refused,
    assert_unchanged,
    snapshot,
)
from tests.helpers.people import PASSWORD, Browser, record_session

TRIGGER = "RAWTRIGGER late-night scrolling after the argument"
HANDLED = "RAWHANDLED went for a walk and called Sam"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def set_plan(app, world, *, partner_id=None, today=None, **changes):
    """The couple's plan through the real service; it started 20 days ago unless told."""
    values = {"frequency": "daily", "tell_within_hours": 24, "summary_for_partner": True}
    values.update(changes)
    with app.app_context():
        service.save_plan(
            session.get(Couple, world.couple_id),
            partner_id=partner_id or world.recovering_id,
            today=today or date.today() - timedelta(days=20),
            **values,
        )
        commit()


def checkin_form(**changes) -> dict:
    data = {
        "urges": "4",
        "triggers": TRIGGER,
        "handled": HANDLED,
        "slip": "no",
        "slip_at": "",
        "told": "no",
        "told_at": "",
    }
    data.update(changes)
    return data


def count_checkins(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(Checkin.id)))


def add_checkin(app, partner_id, day, now=None, **changes):
    """A check-in made on ``day`` through the real service."""
    data = service.CheckinInput(
        urges=changes.get("urges", 3),
        triggers=changes.get("triggers", TRIGGER),
        handled=changes.get("handled", HANDLED),
        slip=changes.get("slip", False),
        slip_at=changes.get("slip_at"),
        told=changes.get("told", False),
        told_at=changes.get("told_at"),
        share=changes.get("shared", False),
    )
    with app.app_context():
        partner = session.get(Partner, partner_id)
        plan = service.plan_for(partner.couple)
        checkin, _ = service.save_checkin(
            partner, plan, data, today=day, now=now or datetime.now(UTC)
        )
        commit()
        return checkin.id


def summary_now(app, world, now=None):
    with app.app_context():
        plan = service.plan_for(session.get(Couple, world.couple_id))
        now = now or datetime.now(UTC)
        return service.summary(plan, now.date(), now)


# --- the flow ---------------------------------------------------------------------


def test_practitioner_agrees_a_plan_and_the_partner_in_recovery_checks_in(app, world, browser):
    alice = browser().login(world.alice)
    url = f"/couples/{world.couple_id}/check-ins"
    response = alice.post(
        url,
        {
            "partner": str(world.recovering_id),
            "frequency": "daily",
            "tell_within_hours": "24",
            "summary_for_partner": "y",
        },
    )
    assert response.status_code == 302
    assert "saved" in alice.text(url)
    riley = browser().login(world.recovering)
    assert "Check in" in riley.text("/my/")
    response = riley.post("/my/check-in", checkin_form())
    assert response.status_code == 302
    page = riley.text("/my/check-in")
    assert "You checked in already" in page and TRIGGER in page
    assert "Done, thank you" in riley.text("/my/")


def test_a_second_check_in_the_same_day_edits_the_first(app, world, browser):
    set_plan(app, world)
    riley = browser().login(world.recovering)
    riley.post("/my/check-in", checkin_form())
    riley.post("/my/check-in", checkin_form(urges="7", triggers="Changed my mind"))
    assert count_checkins(app) == 1
    with app.app_context():
        only = session.scalar(select(Checkin))
        assert (only.urges, only.triggers) == (7, "Changed my mind")


def test_a_weekly_check_in_keeps_one_per_week(app, world):
    set_plan(app, world, frequency="weekly")
    monday = date(2026, 11, 16)
    for day in (monday, monday + timedelta(days=3), monday + timedelta(days=6)):
        add_checkin(app, world.recovering_id, day)
    assert count_checkins(app) == 1
    add_checkin(app, world.recovering_id, monday + timedelta(days=7))
    assert count_checkins(app) == 2


def test_the_hurt_partner_never_gets_the_check_in_form(app, world, browser):
    set_plan(app, world)
    harper = browser().login(world.hurt)
    assert harper.get("/my/check-in").status_code == 404
    assert "Check in</a>" not in harper.text("/my/")


# --- privacy ------------------------------------------------------------------------


def test_hurt_partner_sees_the_summary_and_never_the_words(app, world, browser):
    set_plan(app, world)
    riley = browser().login(world.recovering)
    riley.post("/my/check-in", checkin_form(urges="9"))
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note = record_session(couple, couple.practitioner)
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        note_id = note.id
    harper = browser().login(world.hurt)
    seen = {
        "home": harper.text("/my/"),
        "summary": harper.text("/my/check-ins/partner"),
        "shared": harper.text("/my/shared"),
        "handout": pdf_text(harper.get(f"/my/handouts/{note_id}/pdf").data),
        "handout with reflections": pdf_text(
            harper.get(f"/my/handouts/{note_id}/pdf?reflections=1").data
        ),
    }
    assert "Check-ins on time: 1 of the last 7 days" in seen["summary"]
    assert "No slips." in seen["summary"]
    for where, text in seen.items():
        assert "RAWTRIGGER" not in text, where
        assert "RAWHANDLED" not in text, where
        assert "9/10" not in text and "Urges" not in text, where


def test_without_agreement_the_hurt_partner_sees_nothing(app, world, browser):
    set_plan(app, world, summary_for_partner=False)
    add_checkin(app, world.recovering_id, date.today())
    harper = browser().login(world.hurt)
    assert harper.get("/my/check-ins/partner").status_code == 404
    home = harper.text("/my/")
    assert "Check-ins on time" not in home and "check-ins" not in home.lower()
    riley = browser().login(world.recovering)
    assert "Nothing of your check-ins" in riley.text("/my/check-in")


def test_a_check_in_shared_on_purpose_is_readable_by_the_partner(app, world, browser):
    set_plan(app, world, summary_for_partner=False)
    riley = browser().login(world.recovering)
    riley.post("/my/check-in", checkin_form(shared_with_partner="y"))
    harper = browser().login(world.hurt)
    page = harper.text("/my/check-ins/partner")
    assert TRIGGER in page and HANDLED in page
    assert "Check-ins on time" not in page  # the summary itself was not agreed


def test_the_other_couple_sees_nothing_of_these_check_ins(app, world, browser):
    set_plan(app, world)
    add_checkin(app, world.recovering_id, date.today(), shared=True)
    for email in (world.outsider, world.outsider_partner):
        person = browser().login(email)
        assert person.get("/my/check-ins/partner").status_code == 404
        assert person.get("/my/check-in").status_code == 404
        assert "RAWTRIGGER" not in person.text("/my/")
    bob = browser().login(world.bob)
    assert bob.get(f"/couples/{world.couple_id}/check-ins").status_code == 404


# --- the summary: "of the last N", never a streak --------------------------------------


def test_a_missed_day_costs_one_day_not_the_whole_count(app, world):
    today = date.today()
    set_plan(app, world, today=today - timedelta(days=10))
    for back in range(1, 10):
        if back != 3:
            add_checkin(app, world.recovering_id, today - timedelta(days=back))
    summary = summary_now(app, world)
    assert summary.on_time == "Check-ins on time: 6 of the last 7 days"
    add_checkin(app, world.recovering_id, today)
    assert summary_now(app, world).on_time == "Check-ins on time: 6 of the last 7 days"


def test_no_page_counts_a_streak(app, world, browser):
    today = date.today()
    set_plan(app, world, today=today - timedelta(days=4))
    for back in range(0, 5):
        add_checkin(app, world.recovering_id, today - timedelta(days=back))
    pages = [
        browser().login(world.hurt).text("/my/check-ins/partner"),
        browser().login(world.recovering).text("/my/check-in"),
        browser().login(world.alice).text(f"/couples/{world.couple_id}"),
    ]
    for page in pages:
        assert "5 of the 5 days so far" in page
        assert not re.search(r"streak|in a row|consecutive", page, re.IGNORECASE)


def test_weekly_summary_counts_weeks(app, world):
    today = date.today()
    set_plan(app, world, frequency="weekly", today=today - timedelta(days=60))
    for weeks in (1, 2, 6):
        add_checkin(app, world.recovering_id, today - timedelta(days=7 * weeks))
    assert summary_now(app, world).on_time == "Check-ins on time: 2 of the last 4 weeks"


def test_a_slip_shows_once_told_or_once_the_agreed_time_has_passed(app, world):
    now = datetime.now(UTC).replace(microsecond=0)
    set_plan(app, world, tell_within_hours=24)
    day = now.date()
    add_checkin(app, world.recovering_id, day, now=now, slip=True, slip_at=now - timedelta(hours=2))
    # Not told yet, still within the agreed time: the partner hears it from the person first.
    assert summary_now(app, world, now).slips == "No slips."
    assert summary_now(app, world, now + timedelta(hours=21)).slips == "No slips."
    assert summary_now(app, world, now + timedelta(hours=25)).slips == "One slip, not yet told."
    add_checkin(
        app,
        world.recovering_id,
        day,
        now=now,
        slip=True,
        slip_at=now - timedelta(hours=2),
        told=True,
        told_at=now - timedelta(hours=1),
    )
    assert summary_now(app, world, now).slips == "One slip, told within 24 hours."


def test_slips_told_late_are_said_so(app, world):
    now = datetime.now(UTC).replace(microsecond=0)
    set_plan(app, world, tell_within_hours=12)
    for back, told_after in ((1, 2), (2, 30)):
        slip_at = now - timedelta(days=back, hours=1)
        add_checkin(
            app,
            world.recovering_id,
            now.date() - timedelta(days=back),
            now=now,
            slip=True,
            slip_at=slip_at,
            told=True,
            told_at=min(slip_at + timedelta(hours=told_after), now),
        )
    assert summary_now(app, world, now).slips == (
        "2 slips, 1 told within 12 hours, 1 told later than 12 hours."
    )


# --- the practitioner ---------------------------------------------------------------


def test_practitioner_sees_every_check_in_with_its_words(app, world, browser):
    set_plan(app, world)
    now = datetime.now(UTC)
    add_checkin(app, world.recovering_id, date.today() - timedelta(days=1), urges=6)
    add_checkin(
        app,
        world.recovering_id,
        date.today(),
        slip=True,
        slip_at=now - timedelta(hours=3),
        triggers="Second day words",
    )
    page = browser().login(world.alice).text(f"/couples/{world.couple_id}/check-ins")
    assert TRIGGER in page and HANDLED in page and "Second day words" in page
    assert "6/10" in page and "not told yet" in page


def test_the_check_in_history_pages_with_the_shared_pager(app, world, browser):
    set_plan(app, world)
    for days_ago in (3, 2, 1):
        add_checkin(
            app, world.recovering_id, date.today() - timedelta(days=days_ago), urges=days_ago
        )
    app.config["PRACTICE_PAGE_SIZE"] = 2
    alice = browser().login(world.alice)
    first = alice.text(f"/couples/{world.couple_id}/check-ins")
    assert "Page 1 of 2" in first and "1/10" in first and "3/10" not in first
    older = re.search(r'href="([^"]+)">Older', first).group(1).replace("&amp;", "&")
    second = alice.text(older)
    assert "Page 2 of 2" in second and "3/10" in second and "Newer" in second
    # a stale link past the end shows the last page, not an empty one
    stale = alice.text(f"/couples/{world.couple_id}/check-ins?page=9")
    assert "Page 2 of 2" in stale and "3/10" in stale


def rate(app, world, trust: list[tuple[int, int]]):
    """Both partners answer every exercise carrying trust, safety or connection ratings;
    ``trust`` gives (Riley's, Harper's) trust for the first ones, the rest are 5."""
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        keys = {"trust", "safety", "connection"}
        exercises = [
            e
            for e in session.scalars(select(Exercise).order_by(Exercise.id))
            if keys & {q["key"] for q in e.ratings}
        ]
        made = assignments.assign(
            couple,
            exercises,
            audience="both",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=date.today(),
        )
        for n, assignment in enumerate(made):
            pair = trust[n] if n < len(trust) else (5, 5)
            for index, partner in enumerate((riley, harper)):
                ratings = {
                    q["key"]: pair[index] if q["key"] == "trust" else 4 + index
                    for q in assignment.ratings
                }
                reflections.save(
                    partner,
                    assignment,
                    answers=["words"] * len(assignment.prompts),
                    ratings=ratings,
                    shared=False,
                    submit=True,
                    today=date.today(),
                )
        commit()


class Svgs(HTMLParser):
    """The side-by-side section's figures: per panel, the partner lines and marker shapes."""

    def __init__(self, html):
        super().__init__()
        self.panels: list[dict] = []
        self._inside = False
        self.feed(html.split('id="side-by-side-heading"', 1)[1].split("</section>", 1)[0])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.panels.append({"label": attrs.get("aria-label"), "lines": [], "shapes": set()})
        elif tag == "polyline":
            self.panels[-1]["lines"].append(
                (attrs["data-partner"], attrs["stroke"], attrs.get("stroke-dasharray"))
            )
        elif tag in ("circle", "rect") and self.panels:
            self.panels[-1]["shapes"].add(tag)


def test_couple_page_shows_trust_safety_and_connection_side_by_side(app, world, browser):
    rate(app, world, [(3, 2), (5, 4), (6, 6)])
    page = browser().login(world.alice).text(f"/couples/{world.couple_id}")
    panels = Svgs(page).panels
    assert [p["label"].split(":")[0] for p in panels] == ["Trust", "Safety", "Connection"]
    for panel in panels:
        names = {name for name, _c, _d in panel["lines"]}
        assert names == {"Riley Recovering", "Harper Hurt"}
        colours = {colour for _n, colour, _d in panel["lines"]}
        dashes = {dash for _n, _c, dash in panel["lines"]}
        assert len(colours) == 2 and len(dashes) == 2, "told apart by colour and by dash"
        assert panel["shapes"] == {"circle", "rect"}, "and by marker"


def test_session_pdf_carries_the_side_by_side_charts(app, world, browser):
    rate(app, world, [(3, 2), (5, 4)])
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        # After the ratings: a session PDF charts only what came before the session.
        later = datetime.now(UTC) + timedelta(hours=1)
        note_id = record_session(couple, couple.practitioner, starts_at=later).id
        commit()
    response = browser().login(world.alice).get(f"/sessions/{note_id}/pdf")
    text = pdf_text(response.data)
    # The ratings are charted once, at the end, trust, safety and connection first, with
    # both partners on each chart.
    assert "Ratings over time" in text
    section = text.split("Ratings over time", 1)[1]
    assert "Riley Recovering" in section and "Harper Hurt" in section
    names = ("Trust", "Safety", "Connection")
    assert all(n in section for n in names), section
    assert [section.index(n) for n in names] == sorted(section.index(n) for n in names)


def test_session_pdf_carries_no_side_by_side_without_those_ratings(app, world, browser):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note_id = record_session(couple, couple.practitioner).id
        commit()
    text = pdf_text(browser().login(world.alice).get(f"/sessions/{note_id}/pdf").data)
    assert "Ratings over time" not in text


# --- bad input ----------------------------------------------------------------------


def plan_page(app, world, data):
    alice = Browser(app).login(world.alice)
    return Page(alice.post(f"/couples/{world.couple_id}/check-ins", data))


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("", "Enter a number of hours, such as 24."),
        ("abc", "Enter a whole number of hours from 1 to 336, such as 24."),
        ("0", "Use a whole number of hours from 1 to 336."),
        ("337", "Use a whole number of hours from 1 to 336."),
        ("2.5", "Enter a whole number of hours from 1 to 336, such as 24."),
    ],
)
def test_plan_with_bad_hours_says_so_keeps_it_and_saves_nothing(app, world, hours, message):
    before = snapshot(app)
    page = plan_page(
        app,
        world,
        {"partner": str(world.recovering_id), "frequency": "weekly", "tell_within_hours": hours},
    )
    assert_refused(page, "tell_within_hours", message)
    if hours:
        assert page.value("tell_within_hours") == hours
    assert page.checked("frequency") == {"weekly"}
    assert_unchanged(app, before)


def test_plan_naming_someone_outside_the_couple_is_refused(app, world):
    before = snapshot(app)
    page = plan_page(
        app,
        world,
        {"partner": str(world.outsider_id), "frequency": "daily", "tell_within_hours": "24"},
    )
    assert page.status == 200 and page.error_for("partner")
    assert_unchanged(app, before)


def test_plan_without_anyone_chosen_asks_who_checks_in_and_keeps_the_rest(app, world):
    """The select starts on an empty "Choose who checks in" (valid HTML for a required
    select); sending it so is refused beside the field."""
    before = snapshot(app)
    page = plan_page(app, world, {"partner": "", "frequency": "weekly", "tell_within_hours": "48"})
    assert_refused(page, "partner", "Choose who checks in.")
    assert page.value("tell_within_hours") == "48" and page.checked("frequency") == {"weekly"}
    assert_unchanged(app, before)


def test_plan_with_an_unknown_frequency_is_refused(app, world):
    before = snapshot(app)
    page = plan_page(
        app,
        world,
        {"partner": str(world.recovering_id), "frequency": "hourly", "tell_within_hours": "24"},
    )
    assert page.status == 200 and page.error_for("frequency")
    assert_unchanged(app, before)


def checkin_page(app, world, data):
    riley = Browser(app).login(world.recovering)
    return Page(riley.post("/my/check-in", data))


def _local(moment: datetime) -> str:
    return f"{moment.replace(tzinfo=None):%Y-%m-%dT%H:%M}"


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"urges": ""}, "urges", "Choose a number from 0 (none) to 10 (very strong)."),
        ({"urges": "11"}, "urges", "Choose a number from 0 (none) to 10 (very strong)."),
        ({"urges": "-1"}, "urges", "Choose a number from 0 (none) to 10 (very strong)."),
        ({"urges": "lots"}, "urges", "Choose a number from 0 (none) to 10 (very strong)."),
        ({"triggers": "x" * 5001}, "triggers", "Please keep this under 5,000 characters."),
        ({"slip": "yes"}, "slip_at", "Say when the slip happened, as near as you can."),
        ({"slip": "yes", "slip_at": "last night"}, "slip_at", "Give a date and time"),
        (
            {"slip": "yes", "slip_at": _local(datetime.now(UTC) + timedelta(days=2))},
            "slip_at",
            "This time is still to come",
        ),
        (
            {
                "slip": "yes",
                "slip_at": _local(datetime.now(UTC) - timedelta(hours=5)),
                "told": "yes",
            },
            "told_at",
            "Say when you told your partner.",
        ),
        (
            {
                "slip": "yes",
                "slip_at": _local(datetime.now(UTC) - timedelta(hours=5)),
                "told": "yes",
                "told_at": _local(datetime.now(UTC) - timedelta(hours=9)),
            },
            "told_at",
            "This is before the slip",
        ),
    ],
)
def test_check_in_with_bad_input_says_so_keeps_the_words_and_saves_nothing(
    app, world, changes, field_name, message
):
    set_plan(app, world)
    before = snapshot(app)
    data = checkin_form(**changes)
    page = checkin_page(app, world, data)
    assert_refused(page, field_name, message)
    assert_kept(page, {"triggers": data["triggers"], "handled": data["handled"]})
    for name in ("slip_at", "told_at", "urges"):
        if data[name]:
            assert page.value(name) == data[name]
    assert_unchanged(app, before)


def test_check_in_in_any_script_comes_back_exactly(app, world):
    set_plan(app, world)
    words = "Ruhig geblieben 🙂 — שלום — 我们慢慢来"
    riley = Browser(app).login(world.recovering)
    riley.post("/my/check-in", checkin_form(triggers=words))
    assert Page(riley.get("/my/check-in")).value("triggers") == words


def test_check_in_without_a_csrf_token_keeps_the_words_and_saves_nothing(app, world):
    set_plan(app, world)
    riley = Browser(app).login(world.recovering)
    page = Page(riley.client.post("/my/check-in", data=checkin_form()))
    assert page.status == 200 and page.page_errors
    assert page.value("triggers") == TRIGGER
    assert count_checkins(app) == 0


# --- SQL per page -------------------------------------------------------------------


def _grow(app, world, days: int):
    today = date.today()
    for back in range(days):
        add_checkin(
            app,
            world.recovering_id,
            today - timedelta(days=back),
            slip=back % 5 == 0,
            slip_at=datetime.now(UTC) - timedelta(days=back, hours=1),
        )


def _counts(app, world) -> dict[str, int]:
    people = {
        "alice": Browser(app).login(world.alice),
        "riley": Browser(app).login(world.recovering),
        "harper": Browser(app).login(world.hurt),
    }
    pages = [
        ("alice", f"/couples/{world.couple_id}/check-ins"),
        ("alice", f"/couples/{world.couple_id}"),
        ("riley", "/my/check-in"),
        ("riley", "/my/"),
        ("harper", "/my/check-ins/partner"),
        ("harper", "/my/"),
    ]
    counts = {}
    for who, url in pages:
        with counted_queries(app) as statements:
            response = people[who].get(url)
        assert response.status_code == 200, url
        counts[f"{who} {url}"] = len(statements)
    return counts


def test_check_in_pages_make_as_many_queries_with_many_check_ins(app, world):
    set_plan(app, world, today=date.today() - timedelta(days=400))
    _grow(app, world, 3)
    small = _counts(app, world)
    _grow(app, world, 120)
    large = _counts(app, world)
    print("queries per page:", large)
    assert small == large, f"small: {small}, large: {large}"


def test_plans_are_one_per_couple(app, world):
    set_plan(app, world)
    set_plan(app, world, frequency="weekly")
    with app.app_context():
        assert session.scalar(select(func.count(CheckinPlan.id))) == 1


def test_the_demo_shows_check_ins_with_a_summary_and_the_side_by_side_chart(app, runner):
    from tests.helpers.demo import LOGIN

    result = runner.invoke(args=["demo"])
    logins = {email: password for _role, email, password in LOGIN.findall(result.output)}
    morgan = Browser(app).login("morgan@example.org", logins["morgan@example.org"])
    home = morgan.text("/my/")
    assert "Check-ins on time: 6 of the last 7 days" in home
    assert "One slip, told within 24 hours." in home
    assert "Put the phone in the kitchen" not in morgan.text("/my/check-ins/partner")
    alex = Browser(app).login("alex@example.org", logins["alex@example.org"])
    assert "Check in</a>" in alex.text("/my/")
    sam = Browser(app).login("sam.okafor@example.org", logins["sam.okafor@example.org"])
    with app.app_context():
        couple_id = session.scalar(select(Couple.id).where(Couple.name == "Alex & Morgan"))
    panels = Svgs(sam.text(f"/couples/{couple_id}")).panels
    assert [p["label"].split(":")[0] for p in panels] == ["Trust", "Safety", "Connection"]
    assert all(len(p["lines"]) == 2 for p in panels), "both partners in every panel"
    assert "Put the phone in the kitchen" in sam.text(f"/couples/{couple_id}/check-ins")
