"""``/healthz``: whether this server is ready to serve, for a load balancer or a deploy.

JSON, never a secret: whether the database answers, whether it stands at the newest
migration, and whether this server's keys read the practice's key check. 200 when all
three hold, 503 (with what to do) when any does not.
"""

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from practice import startup

bp = Blueprint("practice_health", __name__)

_RUN = f"run `{startup.UPGRADE_COMMAND}`"


@bp.get("/healthz")
def healthz():
    from practice.db import session

    checks = {"database": "unreachable", "migrations": "unknown", "keys": "unknown"}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        migrations = startup.migration_state()
        checks["migrations"] = "ok" if migrations == "at head" else f"{migrations}: {_RUN}"
        if migrations == "at head":
            outcome, _practice_id = startup.read_key_check()
            checks["keys"] = {
                "ok": "ok",
                "missing": f"no key check yet: {_RUN}",
                "unreadable": "these keys do not read the key check: use the practice's keys",
            }[outcome]
    except SQLAlchemyError:
        session.rollback()
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.register_blueprint(bp)
