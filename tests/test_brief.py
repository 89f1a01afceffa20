"""Preparing for a session: the couple page's summary and sections, and the one-page brief of
everything since the last session, with its one-click start of the new note."""

import html
import re
from datetime import date, timedelta

import pytest

from practice.db import commit, session
from practice.models import Checkin, Couple
from tests.helpers.database import counted_queries
from tests.helpers.growth import grow
from tests.helpers.pages import Page
from tests.helpers.people import Browser
from tests.helpers.sessionprep import (
    HARPER_DRAFT,
    HARPER_NEW,
    OLD_WORDS,
    RILEY_NEW,
    RILEY_PRIVATE,
    TRIGGERS,
    prepare_between_sessions,
)


@pytest.fixture
def prepared(app, world):
    return prepare_between_sessions(app, world)


def brief_page(app, world) -> str:
    return Browser(app).login(world.alice).text(f"/couples/{world.couple_id}/brief")


def text_of(page: str) -> str:
    """The words a person reads (tags gone, spaces squeezed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def section(page: str, heading_id: str) -> str:
    return text_of(page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0])


# --- the brief ------------------------------------------------------------------------------


def test_the_brief_puts_both_partners_new_words_side_by_side(app, world, prepared):
    page = brief_page(app, world)
    new = page.split('id="new-heading"', 1)[1].split('id="ratings-heading"', 1)[0]
    rows = new.split('<article class="brief-row">')[1:]
    together = [row for row in rows if RILEY_NEW in html.unescape(row)]
    assert len(together) == 1 and HARPER_NEW in html.unescape(together[0]), "one row, both"
    assert RILEY_PRIVATE in html.unescape(new), "the practitioner reads private words too"
    assert "Nothing from Harper Hurt." in text_of(new), "Harper has only a draft of that one"
    assert "Riley Recovering: 2, Harper Hurt: 1." in text_of(new)


def test_the_brief_shows_nothing_from_before_the_last_session_and_no_draft(app, world, prepared):
    page = html.unescape(brief_page(app, world))
    assert OLD_WORDS not in page
    assert HARPER_DRAFT not in page


def test_the_brief_gives_each_partners_rating_change(app, world, prepared):
    ratings = section(brief_page(app, world), "ratings-heading")
    assert "Trust Riley Recovering 3 6 up 3" in ratings
    assert "Trust Harper Hurt 5 4 down 1" in ratings


def test_the_brief_lists_slips_and_missed_check_ins_since_the_session(app, world, prepared):
    checkins = section(brief_page(app, world), "checkins-heading")
    since_session = (date.today() - date(2026, 11, 20)).days  # whole days before today
    assert "3 check-ins since then, urges at most 7/10." in checkins
    assert f"Missed {since_session - 3}:" in checkins
    assert "Slips" in checkins and "not told yet" not in checkins and "told " in checkins
    assert TRIGGERS not in checkins, "the brief counts check-ins; their words stay on their page"


def test_the_brief_names_what_is_flagged_and_what_mentions_risk(app, world, prepared):
    flagged = section(brief_page(app, world), "flagged-heading")
    assert "Mentions risk For session" in flagged and "Harper Hurt" in flagged
    assert "Riley Recovering" not in flagged


def test_the_brief_gives_the_disclosure_and_pacing_state(app, world, prepared):
    page = brief_page(app, world)
    assert "1. " in section(page, "disclosure-heading")
    assert ": submitted" in section(page, "disclosure-heading")
    assert "Open now: step 1" in section(page, "pace-heading")


def test_a_brief_with_nothing_new_says_so(app, world):
    page = text_of(brief_page(app, world))
    assert "No session yet: everything of the last four weeks" in page
    assert "Neither partner has submitted a reflection since then." in page
    assert "No new ratings." in page and "No check-ins agreed." in page


@pytest.mark.parametrize("who", ["recovering", "hurt", "bob", "owner"])
def test_only_the_couples_practitioner_reaches_the_brief(app, world, prepared, who):
    person = Browser(app).login(getattr(world, who))
    response = person.get(f"/couples/{world.couple_id}/brief")
    assert response.status_code == 404
    assert RILEY_PRIVATE not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("note_format", "field"), [("dap", "data"), ("soap", "subjective"), ("birp", "behavior")]
)
def test_one_click_starts_the_note_with_the_briefs_summary(
    app, world, prepared, note_format, field
):
    alice = Browser(app).login(world.alice)
    brief = alice.text(f"/couples/{world.couple_id}/brief")
    link = re.search(rf'href="([^"]*format={note_format}[^"]*prefill=brief[^"]*)"', brief)
    assert link, "the brief links to a new note in each format"
    form = Page(alice.get(html.unescape(link.group(1))))
    summary = form.textareas[field]
    assert summary.startswith("Since the last session (")
    assert "Riley Recovering, trust: 3 → 6/10." in summary
    assert "Harper Hurt, trust: 5 → 4/10." in summary
    assert "Check-ins (Riley Recovering): 3 in" in summary
    # Facts and counts for the practitioner to edit, none of the partners' own words.
    for words in (RILEY_NEW, HARPER_NEW, RILEY_PRIVATE, HARPER_DRAFT, TRIGGERS):
        assert words not in summary
    others = [text for name, text in form.textareas.items() if name != field]
    assert not any(others), "the other sections start empty"


def test_a_new_note_not_from_the_brief_starts_empty(app, world, prepared):
    alice = Browser(app).login(world.alice)
    form = Page(alice.get(f"/couples/{world.couple_id}/sessions/new?format=dap"))
    assert not any(form.textareas.values())


def test_the_brief_is_recorded_in_the_audit_trail(app, world, prepared):
    from sqlalchemy import select

    from practice.models import AuditEntry

    brief_page(app, world)
    with app.app_context():
        row = session.scalar(select(AuditEntry).where(AuditEntry.action == "brief.viewed"))
        assert row is not None and row.couple_id == world.couple_id


def _more_checkins(app, world, days: int) -> None:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley = couple.partners[0]
        for back in range(5, 5 + days):
            session.add(
                Checkin(
                    couple_id=couple.id,
                    partner_id=riley.id,
                    period_start=date.today() - timedelta(days=back),
                    frequency="daily",
                    urges=2,
                    slip=back % 3 == 0,
                )
            )
        commit()


def test_the_briefs_queries_do_not_grow_with_the_data(app, world, prepared):
    alice = Browser(app).login(world.alice)
    pages = (
        f"/couples/{world.couple_id}/brief",
        f"/couples/{world.couple_id}/sessions/new?format=soap&prefill=brief",
        f"/couples/{world.couple_id}",
    )

    def counts():
        found = []
        for url in pages:
            with counted_queries(app) as statements:
                assert alice.get(url).status_code == 200
            found.append(len(statements))
        return found

    small = counts()
    grow(app, world, extra_couples=4, rounds=5)
    _more_checkins(app, world, 9)
    assert counts() == small


# --- the couple page --------------------------------------------------------------------------


def couple_page(app, world) -> str:
    return Browser(app).login(world.alice).text(f"/couples/{world.couple_id}")


def test_the_couple_page_opens_with_a_summary(app, world, prepared):
    page = couple_page(app, world)
    summary = section(page, "summary-heading")
    due = (date.today() + timedelta(days=3)).strftime("%a %-d %b %Y")
    assert "Step 1, Transparency" in summary
    assert f"Next due: Finding the right amount, {due}, and 2 more." in summary
    # Three answers since the session and the two from before it, none reviewed yet.
    assert "Waiting for review 5 reflections" in summary
    assert re.search(r"Last session Fri 20 Nov 2026, 17:00 ?, signed", summary)
    assert "Next session None booked." in summary
    assert "1 waiting reflection mentions risk." in summary


def test_the_couple_page_is_in_named_sections_reached_from_its_menu(app, world, prepared):
    page = couple_page(app, world)
    menu = page.split('aria-label="On this page"', 1)[1].split("</nav>", 1)[0]
    anchors = re.findall(r'href="#([a-z-]+)"', menu)
    assert anchors == ["summary", "work", "sessions", "ratings", "safety", "record", "settings"]
    positions = [page.index(f'<section id="{name}"') for name in anchors]
    assert positions == sorted(positions)
    # Sessions no longer wait at the bottom: they come before the ratings and settings.
    assert page.index('id="sessions-heading"') < page.index('id="ratings-heading"')


def test_the_couple_page_charts_each_rating_once_with_both_partners(app, world, prepared):
    page = couple_page(app, world)
    captions = re.findall(r"<figcaption>(.*?) \(1 to 10\)</figcaption>", page)
    assert captions and len(captions) == len(set(captions)), captions
    lines = {}
    for figure in page.split('<figure class="chart">')[1:]:
        caption = re.search(r"<figcaption>(.*?) \(1 to 10\)", figure).group(1)
        lines[caption] = set(re.findall(r'data-partner="([^"]+)"', figure.split("</svg>", 1)[0]))
    # Both partners rated trust and connection, in one chart each; only Riley rated hope.
    assert lines["Trust"] == lines["Connection"] == {"Riley Recovering", "Harper Hurt"}
    assert lines["Hope"] == {"Riley Recovering"}
