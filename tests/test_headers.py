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
