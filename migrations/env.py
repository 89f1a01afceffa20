"""Alembic environment for Practice's tables.

Used by Flask-Migrate (`flask --app practice db migrate/upgrade`) and by Practice's own
start-up upgrade. It reads the database from the Practice extension, so it works the same
in the standalone app and in a host app, and it keeps its own version table and looks
only at ``practice_*`` tables, so a host's tables and migrations are never touched.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

from practice.models import Base
from practice.setup import VERSION_TABLE

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def include_name(name, type_, _parent_names):
    if type_ == "table":
        return name is not None and name.startswith("practice_") and name != VERSION_TABLE
    return True


def render_item(type_, obj, autogen_context):
    # Custom column types render as their plain SQL type: migrations never import app code.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def process_revision_directives(_context, _revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def configure_args() -> dict:
    return {
        "target_metadata": Base.metadata,
        "version_table": VERSION_TABLE,
        "include_name": include_name,
        "render_item": render_item,
        "render_as_batch": True,  # SQLite alters tables by copying them
        "compare_type": True,
        "process_revision_directives": process_revision_directives,
    }


def run_migrations_offline() -> None:
    engine = current_app.extensions["practice"].db.engine
    context.configure(url=engine.url, literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = current_app.extensions["practice"].db.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it; with foreign keys enforced, dropping the
            # old copy of a table that others point to fails. Off for the migration (it must
            # be set outside a transaction), checked before commit, on again after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end SQLAlchemy's autobegun block so Alembic's commits
        context.configure(connection=connection, **configure_args())
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
