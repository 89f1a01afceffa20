"""Who reaches what: every route of the app against every kind of person.

Out of reach answers 404 (no hint that the thing exists); anonymous people are sent to
sign in. A route that this matrix does not cover fails the suite.
"""

import pytest
from flask import url_for

from tests.helpers.access_matrix import (
    PEOPLE,
    build_cases,
    csrf_token,
    row_counts,
)
from tests.helpers.people import Browser


def test_every_route_is_in_the_matrix(app):
    ids = {
        key: 1
        for key in (
            "couple",
            "other_couple",
            "alice",
            "riley",
            "riley_user",
            "harper",
            "open",
            "locked",
            "spare",
            "for_recovering",
            "shared",
            "private",
            "draft",
            "session",
            "signed",
            "alone",
            "measure_schedule",
            "measure_response",
        )
    }
    covered = {(case.endpoint, case.method) for case in build_cases(ids)}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = routes - covered
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"


@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(app, populated, person):
    ids = populated
    person_browser = Browser(app)
    if person != "anonymous":
        person_browser.login(ids["emails"][person])
        token = csrf_token(person_browser)
    else:
        token = person_browser.token("/login")
    with app.test_request_context():
        cases = [(case, url_for(case.endpoint, **case.values)) for case in build_cases(ids)]
    wrong = []
    for case, url in cases:
        expected = case.status_for(person)
        before = row_counts(app) if case.method == "POST" and expected != case.ok else None
        if case.method == "GET":
            response = person_browser.client.get(url)
        else:
            response = person_browser.client.post(url, data={"csrf_token": token})
        response.close()
        if response.status_code != expected:
            wrong.append(f"{case.method} {url}: {response.status_code}, expected {expected}")
        if (
            expected == 302
            and person == "anonymous"
            and case.expect is None
            and "/login" not in (response.location or "")
        ):
            wrong.append(f"{case.method} {url}: sent to {response.location}, not to sign in")
        if before is not None and row_counts(app) != before:
            wrong.append(f"{case.method} {url}: changed the database while out of reach")
        if person != "anonymous" and case.endpoint == "practice.auth.logout":
            person_browser.login(ids["emails"][person])
            token = csrf_token(person_browser)
    assert not wrong, "\n".join(wrong)


HUGE = 10**25  # past any integer SQLite (64-bit) or PostgreSQL can hold


@pytest.mark.parametrize("person", ["owner", "alice", "riley"])
def test_a_number_too_large_for_any_id_is_not_found(app, populated, person):
    """Every route that takes a number, with a number larger than any id can be, asked by
    someone whose pages those are: 404, like any id that names nothing (it was a 500, the
    database driver's OverflowError); and a page number likewise."""
    ids = populated
    who = Browser(app).login(ids["emails"][person])
    token = csrf_token(who)
    with app.test_request_context():
        urls = sorted(
            {
                (case.method, url_for(case.endpoint, **dict.fromkeys(case.values, HUGE)))
                for case in build_cases(ids)
                if case.values
                and person in case.audience
                and all(isinstance(value, int) for value in case.values.values())
            }
        )
    assert len(urls) >= {"owner": 1, "alice": 20, "riley": 5}[person], urls
    wrong = []
    for method, url in urls:
        if method == "GET":
            response = who.client.get(url)
        else:
            response = who.client.post(url, data={"csrf_token": token})
        response.close()
        if response.status_code != 404:
            wrong.append(f"{method} {url}: {response.status_code}")
    paged = {
        "owner": ["/admin/audit/"],
        "alice": ["/dashboard", f"/couples/{ids['couple']}/check-ins"],
    }
    for url in paged.get(person, []):
        assert who.client.get(f"{url}?page=3").status_code == 200, "past the end: the last page"
        for page in (HUGE, -HUGE):
            response = who.client.get(f"{url}?page={page}")
            if response.status_code != 404:
                wrong.append(f"GET {url}?page={page}: {response.status_code}")
    if person == "owner":
        # The audit log's couple filter is a form field: a message beside it, not a 500.
        page = who.text(f"/admin/audit/?couple={HUGE}")
        assert "Enter a couple&#39;s number, such as 12." in page, "no message for the filter"
        assert who.client.get(f"/admin/audit/export.csv?couple={HUGE}").status_code == 302
    assert not wrong, "\n".join(wrong)
