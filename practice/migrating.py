"""For a host's own Alembic (Flask-Migrate) migrations: Practice's tables are not theirs.

When Practice shares the host's database, the host's ``flask db migrate`` would see
Practice's tables (all named ``practice_*``, its version table ``practice_alembic_version``
among them) as tables missing from the host's models, and write ``drop_table`` for each;
``flask db check`` would always fail. One call in the host's ``migrations/env.py`` hides
them, keeping any filter the host already had::

    from practice.migrating import leave_practice_alone

    conf_args = leave_practice_alone(current_app.extensions["migrate"].configure_args)

Practice's own migrations (``flask practice upgrade-db``) look at ``practice_*`` tables only,
and keep their own version table, so the two histories never touch.
"""

from collections.abc import Callable

PREFIX = "practice_"


def is_practices(name: str | None, type_: str) -> bool:
    """Whether a table Alembic reflects or compares is one of Practice's."""
    return type_ == "table" and name is not None and name.startswith(PREFIX)


def include_name(name, type_, parent_names) -> bool:
    """An Alembic ``include_name`` hook: everything but Practice's tables (and so their
    columns, indexes and constraints, which Alembic compares only for included tables)."""
    return not is_practices(name, type_)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """An Alembic ``include_object`` hook: the same, for a table that reaches the
    comparison some other way (a host metadata that holds Practice's, say)."""
    return not is_practices(name, type_)


def leave_practice_alone(configure_args: dict) -> dict:
    """``configure_args`` (what the host's env.py passes to ``context.configure``) with
    Practice's tables hidden; the host's own ``include_name``/``include_object`` still run
    for everything else."""
    hidden = dict(configure_args)
    for key, ours in (("include_name", include_name), ("include_object", include_object)):
        hidden[key] = _both(ours, configure_args.get(key))
    return hidden


def _both(ours: Callable, theirs: Callable | None) -> Callable:
    if theirs is None:
        return ours

    def either(*args) -> bool:
        return ours(*args) and theirs(*args)

    return either
