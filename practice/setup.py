"""Bringing a database up to date: migrations, then the bundled programs."""

from alembic import command
from alembic.config import Config

from practice import paths
from practice.db import commit, session

# Practice's own Alembic version table, so a host's Alembic history is never touched.
VERSION_TABLE = "practice_alembic_version"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(paths.MIGRATIONS_DIR))
    return config


def upgrade_database(revision: str = "head") -> None:
    """Apply Practice's migrations (in an app context)."""
    command.upgrade(alembic_config(), revision)


def is_up_to_date() -> bool:
    """Whether the database already stands at the newest revision: one query and the
    revision files' headers, where running the upgrade loads Alembic's whole environment."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    connection = session.connection()
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    current = set(context.get_current_heads())
    return current == heads


def _prepared() -> bool:
    from practice.programs.loader import bundled_programs_loaded
    from practice.services.measures import built_in_loaded
    from practice.startup import read_key_check

    try:
        return (
            is_up_to_date()
            and bundled_programs_loaded()
            and built_in_loaded()
            and read_key_check()[0] != "missing"
        )
    finally:
        session.rollback()


def prepare_database() -> bool:
    """Upgrade the schema, make sure the founding program is there and write the key check;
    when all that is done already, only look (every start of the app and of each command
    does this). Under a lock every process shares: of many workers or servers starting at
    once one does the work and the others find it done. True when this call did it."""
    from flask import current_app

    from practice.programs.loader import load_bundled_programs
    from practice.services.measures import load_built_in
    from practice.startup import log, one_at_a_time, read_key_check, write_key_check

    if _prepared():
        return False
    with one_at_a_time(current_app):
        if _prepared():
            return False
        upgrade_database()
        load_bundled_programs()
        load_built_in()
        if read_key_check()[0] == "missing":
            write_key_check()
        commit()
    log.info("Practice's database was brought up to date (migrations, bundled programs).")
    return True
