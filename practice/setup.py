"""Bringing a database up to date: migrations, then the founding program."""

from alembic import command
from alembic.config import Config

from practice import paths
from practice.db import commit


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(paths.MIGRATIONS_DIR))
    return config


def upgrade_database(revision: str = "head") -> None:
    """Apply Practice's migrations (in an app context)."""
    command.upgrade(alembic_config(), revision)


def prepare_database() -> None:
    """Upgrade the schema and make sure the founding program is there."""
    from practice.programs.loader import load_founding_program

    upgrade_database()
    load_founding_program()
    commit()
