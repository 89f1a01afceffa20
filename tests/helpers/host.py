"""A bare host app to mount Practice in, and a visitor who posts its forms."""

from contextlib import contextmanager

from flask import Flask

from tests.helpers.database import close_practice_database
from tests.helpers.people import CSRF


class Visitor:
    """One person with a browser: takes the CSRF token from the page holding the form."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data, form_url=None):
        page = self.client.get(form_url or url)
        assert page.status_code == 200, f"{form_url or url} answered {page.status_code}"
        match = CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {form_url or url}"
        return self.client.post(url, data={**data, "csrf_token": match.group(1) or match.group(2)})


@contextmanager
def host_app(tmp_path, **config):
    """A bare host with a home page of its own and its own templates folder."""
    templates = tmp_path / "host-templates"
    templates.mkdir()
    # A host's own base.html must not be picked up by Practice's pages.
    (templates / "base.html").write_text("HOST BASE LAYOUT {% block content %}{% endblock %}")
    host = Flask(
        "host", instance_path=str(tmp_path / "host-instance"), template_folder=str(templates)
    )
    host.config.update(SECRET_KEY="host-secret", **config)

    @host.get("/")
    def home():
        return "host home"

    try:
        yield host
    finally:
        if "practice" in host.extensions:
            close_practice_database(host)
