"""Behind HTTPS every response insists on HTTPS (HSTS); without HTTPS none claims it."""

import pytest

from practice.db import session
from tests.helpers.database import make_app

HSTS = "max-age=31536000; includeSubDomains"
PAGES = ["/login", "/password/forgot", "/assets/practice.css", "/no-such-page", "/setup"]


@pytest.fixture
def https_app(app, database_url, tmp_path):
    https = make_app(database_url, tmp_path / "https", PRACTICE_HTTPS=True)
    yield https
    with https.app_context():
        session.remove()
        https.extensions["practice"].db.engine.dispose()


def test_every_response_over_https_carries_hsts(https_app):
    client = https_app.test_client()
    for url in PAGES:
        response = client.get(url)
        response.close()
        assert response.headers.get("Strict-Transport-Security") == HSTS, url


def test_without_https_no_response_carries_hsts(app):
    client = app.test_client()
    for url in PAGES:
        response = client.get(url)
        response.close()
        assert "Strict-Transport-Security" not in response.headers, url


SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _assert_protected(response, what: str) -> None:
    for header, expected in SECURITY_HEADERS.items():
        assert expected in response.headers.get(header, ""), f"{what}: {header} missing"


def test_answers_outside_practices_pages_carry_the_security_headers(app):
    """An unknown URL (404), a wrong method (405) and a crash in a route of the app itself
    (500) are answered by the standalone app, not by Practice's blueprint: framing, sniffing,
    referrers and scripts are refused there too."""

    @app.get("/host-route-that-crashes")
    def crash():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 500 page, as in production
    client = app.test_client()
    unknown = client.get("/no-such-page")
    assert unknown.status_code == 404 and "Not found" in unknown.get_data(as_text=True)
    _assert_protected(unknown, "404")
    wrong_method = client.delete("/login")
    assert wrong_method.status_code == 405
    _assert_protected(wrong_method, "405")
    crashed = client.get("/host-route-that-crashes")
    assert crashed.status_code == 500
    _assert_protected(crashed, "500")
