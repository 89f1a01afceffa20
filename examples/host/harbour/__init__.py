"""Harbour Clinic: a small host app with accounts of its own, mounting Practice at /practice.

What a real host has: its own ``Member`` model on Flask-SQLAlchemy, Flask-Login, Flask-WTF's
CSRFProtect, a base template, and Flask-Migrate migrations (``migrations/``, whose env.py
leaves Practice's tables to Practice). Practice shares its database and, unless
``HARBOUR_STAFF_THROUGH_HARBOUR`` is off, accepts its sign-in for staff whose Practice
account is linked to their Harbour account; clients sign in to Practice itself.
"""

import os

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from harbour.models import Member, db
from practice import Practice
from practice.identity import FlaskLoginIdentity

login_manager = LoginManager()
login_manager.login_view = "auth.login"
csrf = CSRFProtect()
migrate = Migrate()


@login_manager.user_loader
def load_member(member_id: str) -> Member | None:
    return db.session.get(Member, int(member_id)) if member_id.isdigit() else None


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "HARBOUR_INSTANCE_PATH"
    )
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{app.instance_path}/harbour.sqlite3",
        HARBOUR_STAFF_THROUGH_HARBOUR=True,
    )
    if test_config is None:
        # HARBOUR_SECRET_KEY, HARBOUR_SQLALCHEMY_DATABASE_URI, ...; PRACTICE_* are Practice's.
        app.config.from_prefixed_env("HARBOUR")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set HARBOUR_SECRET_KEY (a long random string) to run Harbour.")
    os.makedirs(app.instance_path, exist_ok=True)

    # Practice first, on purpose: it settles on Harbour's database at the first app context.
    staff_through_harbour = app.config["HARBOUR_STAFF_THROUGH_HARBOUR"]
    identity = FlaskLoginIdentity("auth.login", name="Harbour Clinic")
    if not staff_through_harbour:
        identity = None
    Practice(app, url_prefix="/practice", identity=identity)

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    migrate.init_app(app, db)

    from harbour import auth, pages

    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    return app
