"""The history and search pages make the same number of SQL queries whatever the size of
the couple's history and of the caseload (the tests/test_queries.py pattern)."""

from tests.helpers.database import counted_queries
from tests.helpers.history import grow_caseload, grow_history, make_history
from tests.helpers.people import Browser

PAGES = (
    "/couples/{couple}/history",
    "/couples/{couple}/history?kind=reflection&partner={partner}&step=5",
    "/couples/{couple}/history?page=2",
    "/history/reflections/{reflection}",
    "/couples/{couple}/history/search?q=words",
    "/search?q=example",
    "/search?status=waiting&step=1",
)


def query_counts(app, world, made) -> dict[str, int]:
    alice = Browser(app).login(world.alice)
    counts = {}
    for page in PAGES:
        url = page.format(couple=world.couple_id, partner=world.hurt_id, reflection=made.shared)
        with counted_queries(app) as statements:
            response = alice.get(url)
        assert response.status_code == 200, url
        counts[page] = len(statements)
    return counts


def test_history_and_search_query_counts_do_not_grow_with_the_data(app, world):
    made = make_history(app, world.couple_id)
    grow_caseload(app, world.alice, world.couple_id, 1, "small")
    grow_history(app, world.couple_id, rounds=30)
    small = query_counts(app, world, made)
    grow_caseload(app, world.alice, world.couple_id, 15, "large")
    grow_history(app, world.couple_id, rounds=90)
    large = query_counts(app, world, made)
    print("queries per page:", small)
    assert small == large, f"small data: {small}, larger data: {large}"
    # A ceiling, so a new query per page is a decision.
    assert max(large.values()) <= 16, large
