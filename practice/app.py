"""The standalone Practice app: a thin host around the Practice extension."""

import os
import secrets
from pathlib import Path

from flask import Flask, render_template
from flask_migrate import Migrate

from practice import config, filemodes, paths
from practice.extension import Practice, db, is_embedded_default
from practice.web import security_headers, template_helpers


def create_app(test_config: dict | None = None) -> Flask:
    """Create the standalone app: instance folder, secret key, database, founding program."""
    instance_path = (test_config or {}).get("PRACTICE_INSTANCE_PATH") or os.environ.get(
        "PRACTICE_INSTANCE_PATH"
    )
    app = Flask(
        "practice",
        instance_relative_config=True,
        instance_path=instance_path or None,
        static_folder=None,
    )
    config.apply_defaults(app.config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        config.from_environment(app.config)
    else:
        app.config.from_mapping(test_config)

    # The standalone app owns its instance folder: readable by its owner only.
    filemodes.private_folder(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")

    # The standalone app owns its database, so it takes PRACTICE_DATABASE_URL as the URI.
    from practice.extension import database_url

    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    # Cookies and proxies are the extension's, mounted or not; the environment is read above.
    Practice(
        app,
        url_prefix=app.config.get("PRACTICE_URL_PREFIX", ""),
        cli_group=None,
        from_environment=False,
    )
    Migrate(app, db, directory=str(paths.MIGRATIONS_DIR))

    # Every response of the standalone app, an unknown URL's or a wrong method's too, carries
    # the security headers (and insists on HTTPS when on it).
    app.after_request(security_headers)

    # Outside Practice's blueprint (an unknown URL, a crash), pages still get its helpers.
    @app.errorhandler(404)
    def not_found(_error):
        return render_template("practice/errors/404.html", **template_helpers()), 404

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("practice/errors/500.html", **template_helpers()), 500

    auto_setup = app.config["PRACTICE_AUTO_SETUP"]
    if auto_setup is None:
        auto_setup = is_embedded_default(app)
    if auto_setup:
        from practice.setup import prepare_database

        with app.app_context():
            prepare_database()
    return app


def _instance_secret(path: Path) -> str:
    """The app's secret key: made once at random, kept in the instance folder (mode 600)."""
    if path.exists():
        filemodes.private_file(path)
        return path.read_text().strip()
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
