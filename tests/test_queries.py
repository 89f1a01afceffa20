"""No page's SQL query count grows with the number of couples or reflections."""

from tests.helpers.database import counted_queries
from tests.helpers.growth import grow
from tests.helpers.people import Browser

PAGES = (
    "/dashboard",
    "/review/",
    "/couples/{couple}",
    "/my/",
    "/my/shared",
    "/couples/{couple}/sessions/new",
    "/couples/{couple}/brief",
    "/couples/{couple}/sessions/new?format=dap&prefill=brief",
)


def query_counts(app, world) -> dict[str, int]:
    alice, riley = Browser(app).login(world.alice), Browser(app).login(world.recovering)
    counts = {}
    for page in PAGES:
        person = riley if page.startswith("/my/") else alice
        url = page.format(couple=world.couple_id)
        with counted_queries(app) as statements:
            response = person.get(url)
        assert response.status_code == 200, url
        counts[page] = len(statements)
    return counts


def test_query_counts_do_not_grow_with_the_data(app, world):
    grow(app, world, extra_couples=1, rounds=2)
    small = query_counts(app, world)
    grow(app, world, extra_couples=12, rounds=6)
    large = query_counts(app, world)
    print("queries per page:", small)
    assert small == large, f"small data: {small}, larger data: {large}"
    # A ceiling, so a new per-page query is a decision: the couple page (19) now also loads
    # paced steps, the agreement, the safety state, the check-in plan and summary, what
    # waits for the practitioner's release, counts what waits for review for its summary,
    # and records the view in the audit trail; the client home (17) likewise. Measures add
    # three to the couple page (schedules, scores, risk answers) and one to the client home
    # (what is due); tests/test_measures.py checks they stay flat with answers too.
    assert max(large.values()) <= 23, large
