"""Writes that outlast the request: failed sign-in counts and the audit rows that say so.

The request's transaction is committed only after a successful request and rolled back
after an error or a refused form, and a failed sign-in is a refused form. What it must
leave behind (the throttle's count, the wrong two-factor code, the audit entry) therefore
goes in through ``transaction()``: a short transaction of its own, on a connection of its
own, committed before the page answers, whatever then happens to the request's.
"""

import hashlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from practice.db import session as request_session
from practice.models import ThrottleEvent

# The kept transaction open in this context, so that a count and its audit row share one.
_open: ContextVar[Session | None] = ContextVar("practice_kept_session", default=None)


class RequestHoldsTheWriteLock(RuntimeError):
    """A kept write was asked for while the request's own transaction was writing to SQLite."""


def _engine() -> Engine:
    # The engine the request's session uses for Practice's tables, whoever owns the session.
    return request_session.get_bind(mapper=ThrottleEvent)


# Each request engine's kept engine: the same database through a pool of its own.
_kept_engines: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()
_kept_engines_lock = threading.Lock()


def kept_engine(engine: Engine) -> Engine:
    """The engine kept writes go through: the request engine's database, connection
    settings and connect listeners (SQLite's busy timeout among them), in a pool of its own.

    A request holds a connection of the request engine's pool while it asks for a kept
    write; were the kept write to take a second one from the same pool, as many requests at
    once as the pool has connections would each hold one and wait for another, forever (till
    the pool's timeout). From a pool of its own a kept write always gets one: nothing holds
    those connections longer than a kept transaction. Disposed with the request engine.
    """
    with _kept_engines_lock:
        kept = _kept_engines.get(engine)
        if kept is None:
            kept = create_engine(engine.url, pool=engine.pool.recreate())
            event.listen(engine, "engine_disposed", lambda _engine: kept.dispose())
            _kept_engines[engine] = kept
        return kept


def _one_connection(engine: Engine) -> bool:
    """An in-memory SQLite database: every session shares its single connection."""
    return isinstance(engine.pool, StaticPool | SingletonThreadPool)


def request_is_writing() -> bool:
    """Whether the request's transaction holds SQLite's write lock (it has sent a write).

    SQLite lets one connection write at a time: a second connection's write would wait for
    the request's transaction, which waits for the page, until SQLite gives up ("database is
    locked"). PostgreSQL locks rows, not the database, so it never has to wait here.
    """
    engine = _engine()
    current = request_session()  # the request's Session itself, behind the scoped proxy
    if engine.dialect.name != "sqlite" or not current.in_transaction():
        return False
    connection = current.connection(bind_arguments={"bind": engine})
    # pysqlite opens a transaction only before the first write, so this means "has written".
    return bool(connection.connection.dbapi_connection.in_transaction)


@contextmanager
def transaction() -> Iterator[Session]:
    """A session of its own for rows that must stay; committed when the outermost block
    ends (blocks inside it share its session, so a failure and its audit row are one write).

    Run it before the request writes anything (a refused sign-in has nothing else to write):
    on SQLite it is refused otherwise, rather than waiting on the request's own lock.
    """
    if (outer := _open.get()) is not None:
        yield outer
        return
    engine = _engine()
    if _one_connection(engine):
        # Nothing can be apart from the request on a single shared connection: the rows go
        # with the request's transaction, as they did before there was a commit point.
        yield request_session
        request_session.flush()
        return
    if request_is_writing():
        raise RequestHoldsTheWriteLock(
            "A kept write (throttle count, audit row) must run before the request writes: "
            "on SQLite it would wait for the request's own transaction."
        )
    with Session(bind=kept_engine(engine)) as own, own.begin():
        opened = _open.set(own)
        try:
            yield own
        finally:
            _open.reset(opened)


@contextmanager
def exclusive(*names: str) -> Iterator[Session]:
    """A kept transaction that holds a lock on each of ``names`` (say, an account and an
    address) from its first statement to its commit: a check of what is counted so far and
    the count of one more, made inside it, are one step for every worker and server.

    SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock before anything is read (a
    second request waits its turn, up to the busy timeout). PostgreSQL: a transaction-level
    advisory lock per name, taken in one order so two requests never wait on each other.
    It must be the outermost kept block: a lock taken after reading would come too late.
    """
    if _open.get() is not None:
        raise RuntimeError("An exclusive kept transaction cannot run inside another.")
    with transaction() as own:
        if own is not request_session:  # one shared in-memory connection: nothing to race
            connection = own.connection()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                for key in sorted({_lock_key(name) for name in names}):
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield own


def _lock_key(name: str) -> int:
    """A 64-bit advisory lock number for ``name``, the same in every process."""
    digest = hashlib.sha256(f"practice:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
