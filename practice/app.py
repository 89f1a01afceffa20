"""The standalone Practice app: a thin host around the Practice extension."""

import os
from pathlib import Path

from flask import Flask, render_template, send_from_directory
from flask_migrate import Migrate

from practice import config, filemodes, health, logging_setup, paths, practices, startup
from practice.extension import Practice, db, is_embedded_default
from practice.web import security_headers, template_helpers


def create_app(test_config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """Create the standalone app: instance folder, secret key, database, founding program.

    instance_path: this practice's folder, over PRACTICE_INSTANCE_PATH (several practices
    served by one process, ``practice.practices``)."""
    settings = dict(test_config if test_config is not None else os.environ)
    settings["PRACTICE_INSTANCE_PATH"] = (
        instance_path
        or settings.get("PRACTICE_INSTANCE_PATH")
        or os.environ.get("PRACTICE_INSTANCE_PATH")
    )
    chosen = startup.instance_path(settings)
    app = Flask("practice", instance_relative_config=True, instance_path=chosen, static_folder=None)
    config.apply_defaults(app.config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        config.from_environment(app.config)
    else:
        app.config.from_mapping(test_config)

    # The standalone app owns its instance folder: readable by its owner only.
    if chosen is not None:  # None: an installed copy keeping nothing on disk
        filemodes.private_folder(Path(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = startup.secret_key(Path(app.instance_path) / "secret_key")

    # The standalone app owns its database, so it takes PRACTICE_DATABASE_URL as the URI.
    from practice.extension import database_url

    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    practices.sign_cookies_per_practice(app)
    logging_setup.log_requests(app)
    # Cookies and proxies are the extension's, mounted or not; the environment is read above.
    Practice(
        app,
        url_prefix=app.config.get("PRACTICE_URL_PREFIX", ""),
        cli_group=None,
        from_environment=False,
    )
    health.install(app)
    startup.install_gate(app)
    Migrate(app, db, directory=str(paths.MIGRATIONS_DIR))

    # Browsers ask the site's root for its icon, whatever the pages link to (base.html links
    # Practice's own): served from Practice's assets, outside its sign-in hooks.
    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(
            paths.STATIC_DIR, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
        )

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
            startup.state(app).upgraded = prepare_database()
    startup.check(app)
    return app
