"""The test databases: a template built once per run and worker, copied for each test; the
app made on one; counting the SQL a page runs."""

import os
import shutil
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, event, make_url, text

from practice import create_app
from practice.db import commit
from practice.models import Base

POSTGRES_URL = os.environ.get("PRACTICE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


class TemplateDatabase:
    """One backend's template, built once per run and xdist worker: the schema and the
    founding program. Every test starts from a copy of it.

    SQLite copies the template's file into the test's own folder. PostgreSQL keeps two
    schemas per worker, the template and the one tests use, and copies the template's rows
    and sequence positions into the second in one statement batch (about 3 ms, where
    emptying with TRUNCATE and loading the program took about 300 ms, and a
    ``CREATE DATABASE ... TEMPLATE`` per test about 400 ms). Names carry a random part, so
    two workers or two runs at once never meet.
    """

    def __init__(self, backend: str, folder):
        self.backend = backend
        self.admin = None
        if backend == "sqlite":
            self.path = folder / "template.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.admin = create_engine(POSTGRES_URL)
            suffix = uuid.uuid4().hex[:10]
            self.template, self.schema = f"practice_template_{suffix}", f"practice_test_{suffix}"
            self.url = self._url_of(self.template)
            for schema in (self.template, self.schema):
                with self.admin.begin() as connection:
                    connection.execute(text(f"CREATE SCHEMA {schema}"))
                self._create_tables(self._url_of(schema))
        if backend == "sqlite":
            self._create_tables(self.url)
        app = make_app(self.url, folder)
        with app.app_context():
            from practice.programs.loader import load_founding_program

            load_founding_program()
            commit()
            app.extensions["practice"].db.session.remove()
            app.extensions["practice"].db.engine.dispose()
        if self.admin is not None:
            self._copy = self._copy_script()

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

    def _copy_script(self) -> str:
        """Empty the test schema and fill it with the template's rows and sequence positions.
        Replica mode skips the audit log's append-only trigger and the foreign-key checks
        (the rows come from a consistent copy)."""
        tables = [t.name for t in Base.metadata.sorted_tables]
        with self.admin.connect() as connection:
            sequences = connection.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"),
                {"schema": self.template},
            ).all()
        # Schema, table and sequence names come from this class and our metadata only.
        script = ["SET LOCAL session_replication_role = replica"]
        schema, template = self.schema, self.template
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

    def copy(self, tmp_path) -> str:
        """A database holding what the template holds, for one test; its URL."""
        if self.backend == "sqlite":
            target = tmp_path / "practice-test.sqlite3"
            shutil.copyfile(self.path, target)
            return f"sqlite:///{target}"
        with self.admin.begin() as connection:
            connection.exec_driver_sql(self._copy)
        return self._url_of(self.schema)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.begin() as connection:
                for schema in (self.template, self.schema):
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            self.admin.dispose()


def make_app(database_url, tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PRACTICE_DATABASE_URL": database_url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance"),
            "PRACTICE_AUTO_SETUP": False,
            **config,
        }
    )


@contextmanager
def counted_queries(app):
    """Collect the SQL statements run inside the block."""
    with app.app_context():
        engine = app.extensions["practice"].db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
