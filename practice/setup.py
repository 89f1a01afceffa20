"""Bringing a database up to date: migrations, then the founding program."""

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


def prepare_database() -> None:
    """Upgrade the schema and make sure the founding program is there; when the database is
    already at the newest revision with its program loaded, only look (every start of the
    app and of each command does this)."""
    from practice.programs.loader import founding_program_loaded, load_founding_program

    current = is_up_to_date() and founding_program_loaded()
    session.rollback()
    if current:
        return
    upgrade_database()
    load_founding_program()
    commit()
