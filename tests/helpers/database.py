"""The test databases: a template built once per run and worker, copied for each test; the
app made on one; counting the SQL a page runs."""

import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text

from practice import create_app
from practice.db import commit
from practice.models import Base

POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def _world(app):
    from tests.helpers.people import build_world

    return build_world(app)


def _populated(app):
    from tests.helpers.worlds import populate

    return populate(app)


# What each template holds beyond the schema and the founding program, and who makes it:
# a test asking for the ``world`` or ``populated`` fixture starts from that template.
BUILDERS = {"program": None, "world": _world, "populated": _populated}


@dataclass
class _Template:
    location: str  # SQLite: the file; PostgreSQL: the schema
    instance: Path  # the instance folder it was made with (its encryption keys)
    made: object  # what the builder returned (the world's ids)
    copy_script: str = ""


class TemplateDatabase:
    """One backend's templates, each built once per run and xdist worker when a test first
    asks for it: the schema and the founding program, and on top of them the standard world
    or the populated one (BUILDERS). Every test starts from a copy of one.

    SQLite copies the template's file into the test's own folder. PostgreSQL keeps one
    schema per template and one the tests use, and copies a template's rows and sequence
    positions into the latter in one statement batch (about 3 ms, where emptying with
    TRUNCATE and loading the program took about 300 ms, and a
    ``CREATE DATABASE ... TEMPLATE`` per test about 400 ms). The instance folder the
    template was made with (its encryption keys) is copied too. Names carry a random part,
    so two workers or two runs at once never meet.
    """

    def __init__(self, backend: str, folder: Path):
        self.backend = backend
        self.folder = folder
        self.admin = create_engine(POSTGRES_URL) if backend != "sqlite" else None
        self.suffix = uuid.uuid4().hex[:10]
        self.schema = f"practice_test_{self.suffix}"
        self.templates: dict[str, _Template] = {}
        if self.admin is not None:
            self._create_schema(self.schema)
        self.template("program")

    def template(self, name: str) -> _Template:
        if name not in self.templates:
            self.templates[name] = self._build(name)
        return self.templates[name]

    def _build(self, name: str) -> _Template:
        where = self.folder / name
        where.mkdir()
        if self.admin is None:
            location = str(where / "template.sqlite3")
            url = f"sqlite:///{location}"
            self._create_tables(url)
        else:
            location = f"practice_{name}_{self.suffix}"
            self._create_schema(location)
            url = self._url_of(location)
        app = make_app(url, where)
        with app.app_context():
            from practice.programs.loader import load_founding_program

            load_founding_program()
            commit()
        builder = BUILDERS[name]
        made = builder(app) if builder else None
        close_practice_database(app)
        template = _Template(location, where / "instance", made)
        if self.admin is not None:
            template.copy_script = self._copy_script(location)
        return template

    def _create_schema(self, schema: str) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        self._create_tables(self._url_of(schema))

    @staticmethod
    def _create_tables(url: str) -> None:
        engine = create_engine(url)
        with engine.begin() as connection:
            Base.metadata.create_all(connection)
        engine.dispose()

    @staticmethod
    def _url_of(schema: str) -> str:
        return (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )

    def _copy_script(self, template: str) -> str:
        """Empty the test schema and fill it with the template's rows and sequence positions.
        Replica mode skips the audit log's append-only trigger and the foreign-key checks
        (the rows come from a consistent copy)."""
        tables = [t.name for t in Base.metadata.sorted_tables]
        with self.admin.connect() as connection:
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                {"schema": template},
            ).all()
        # Schema, table and sequence names come from this class and our metadata only.
        script = ["SET LOCAL session_replication_role = replica"]
        schema = self.schema
        script += [f"DELETE FROM {schema}.{table}" for table in reversed(tables)]  # noqa: S608
        script += [
            f"INSERT INTO {schema}.{table} SELECT * FROM {template}.{table}"  # noqa: S608
            for table in tables
        ]
        script += [
            f"SELECT setval('{schema}.{name}', last_value, is_called) FROM {template}.{name}"  # noqa: S608
            for name in sequences
        ]
        return ";\n".join(script)

    def copy(self, tmp_path: Path, name: str = "program") -> str:
        """A database holding what the named template holds, for one test; its URL. The
        template's instance folder becomes the test's (``tmp_path / "instance"``)."""
        template = self.template(name)
        if template.instance.exists():
            shutil.copytree(template.instance, tmp_path / "instance", dirs_exist_ok=True)
        if self.admin is None:
            target = tmp_path / "practice-test.sqlite3"
            shutil.copyfile(template.location, target)
            return f"sqlite:///{target}"
        with self.admin.begin() as connection:
            connection.exec_driver_sql(template.copy_script)
        return self._url_of(self.schema)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.begin() as connection:
                for schema in [self.schema] + [t.location for t in self.templates.values()]:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            self.admin.dispose()


def close_practice_database(app) -> None:
    """End the app's database session and close its engine's connections."""
    with app.app_context():
        database = app.extensions["practice"].db
        database.session.remove()
        database.engine.dispose()


def make_app(database_url, tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PRACTICE_DATABASE_URL": database_url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance"),
            "PRACTICE_AUTO_SETUP": False,
            # Mail leaves the outbox when a test drains it (tests/helpers/mailing.py).
            "PRACTICE_MAIL_BACKGROUND": False,
            **config,
        }
    )


@contextmanager
def counted_queries(app):
    """Collect the SQL statements run inside the block: the request's, and the kept writes'
    from their pool of their own (practice.kept)."""
    from practice.kept import kept_engine

    with app.app_context():
        engine = app.extensions["practice"].db.engine
    engines = (engine, kept_engine(engine))
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    for each in engines:
        event.listen(each, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for each in engines:
            event.remove(each, "before_cursor_execute", record)


@contextmanager
def fresh_postgres_schema():
    admin = create_engine(POSTGRES_URL)
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
