"""Several practices behind one server, and cookies that never cross from one to another.

``PRACTICE_PRACTICES`` names each practice's URL prefix and instance folder, e.g.
``{"north": "/srv/practices/north", "south": "/srv/practices/south"}``: one app per
practice (``create_app(instance_path=...)``), each with its own database, keys and secret
key from its own ``config.py``, mounted at ``/north`` and ``/south`` by Werkzeug's
DispatcherMiddleware. Every practice's session cookie has a name and path of its own
(``practice_north`` on ``/north``), and is signed with the practice's id (from its key
check), so a cookie of one practice is worth nothing in another even with the same
secret key, name and path.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from practice import startup
from practice.config import StartupError

SETTING = "PRACTICE_PRACTICES"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
# Settings that would make every practice share one database or one set of keys.
_SHARED_IS_WRONG = ("PRACTICE_DATABASE_URL", "PRACTICE_ENCRYPTION_KEYS", "FLASK_SECRET_KEY")


class PracticeSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, its signature bound to this practice's id."""

    def get_signing_serializer(self, app: Flask):
        practice_id = startup.state(app).practice_id
        self.salt = f"cookie-session:{practice_id}" if practice_id else "cookie-session"
        return super().get_signing_serializer(app)


def sign_cookies_per_practice(app: Flask) -> None:
    app.session_interface = PracticeSessionInterface()


def parse(value) -> dict[str, Path]:
    """PRACTICE_PRACTICES as {name: instance folder}, or a StartupError saying what is wrong."""
    example = '{"north": "/srv/practices/north", "south": "/srv/practices/south"}'
    if not isinstance(value, Mapping) or not value:
        raise StartupError(
            f"{SETTING} must be a JSON object of each practice's URL name and instance "
            f"folder, like {example}."
        )
    found: dict[str, Path] = {}
    for name, folder in value.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise StartupError(
                f"{SETTING}: {name!r} is not a practice name: lower-case letters, digits and "
                "dashes, up to 40, as it appears in the URL (/north/...)."
            )
        if not isinstance(folder, str) or not Path(folder).is_absolute():
            raise StartupError(f"{SETTING}: the instance folder of {name!r} must be a full path.")
        found[name] = Path(folder)
    if len(set(found.values())) != len(found):
        raise StartupError(f"{SETTING}: each practice needs an instance folder of its own.")
    return found


def _not_found(environ, start_response):
    return NotFound()(environ, start_response)


def several(value, environ=os.environ) -> DispatcherMiddleware:
    """One WSGI app serving every practice of PRACTICE_PRACTICES under its own prefix."""
    from practice.app import create_app

    shared = [name for name in _SHARED_IS_WRONG if environ.get(name)]
    if shared:
        raise StartupError(
            f"With {SETTING}, each practice's database, keys and secret key are its own: "
            f"set {', '.join(shared)} in each practice's instance folder (config.py), "
            "not in the environment every practice shares."
        )
    mounts = {}
    for name, folder in parse(value).items():
        app = create_app(instance_path=str(folder))
        app.config["SESSION_COOKIE_NAME"] = f"practice_{name}"
        app.config["SESSION_COOKIE_PATH"] = f"/{name}"
        mounts[f"/{name}"] = app
    return DispatcherMiddleware(_not_found, mounts)
