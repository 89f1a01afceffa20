"""Re-encrypting every encrypted column with a new key, and checking what a key can read.

Works on the raw tokens through plain Text columns, never through the models: a signed
note's words stay exactly as signed (only their encryption changes), its version does not
move, and no ORM rule fires. Every column typed EncryptedType in Practice's metadata is
included, so a new model that uses the types is covered without a change here.
Like every service, this flushes and never commits: the caller's one transaction holds
all of it, so a failure anywhere leaves every row as it was.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Table, Text, bindparam, column, select, table, update

from practice.db import session
from practice.encryption.types import EncryptedType
from practice.models import Base
from practice.services.errors import PracticeError

BATCH_SIZE = 500


@dataclass
class EncryptedTable:
    name: str
    primary_key: str
    columns: list[str]
    raw: object  # a lightweight table whose columns are plain Text: the tokens as stored


def encrypted_tables(metadata=Base.metadata) -> list[EncryptedTable]:
    found = []
    for source in metadata.sorted_tables:
        names = [c.name for c in source.columns if isinstance(c.type, EncryptedType)]
        if names:
            found.append(_raw(source, names))
    return found


def _raw(source: Table, names: list[str]) -> EncryptedTable:
    keys = list(source.primary_key.columns)
    if len(keys) != 1:
        raise RuntimeError(f"{source.name}: encrypted columns need a one-column primary key")
    key = keys[0]
    raw = table(
        source.name,
        column(key.name, key.type),
        *(column(name, Text) for name in names),
        schema=source.schema,
    )
    return EncryptedTable(source.name, key.name, names, raw)


def _batches(target: EncryptedTable, size: int) -> Iterator[list]:
    raw = target.raw
    key = raw.c[target.primary_key]
    last = None
    while True:
        query = select(key, *(raw.c[name] for name in target.columns)).order_by(key).limit(size)
        if last is not None:
            query = query.where(key > last)
        rows = session.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


class UnreadableRow(PracticeError):
    """A stored value that the keys at hand do not decrypt; nothing was changed."""


def _rewrite(convert: Callable[[str], str], batch_size: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for target in encrypted_tables():
        raw = target.raw
        statement = (
            update(raw)
            .where(raw.c[target.primary_key] == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in target.columns})
        )
        done = 0
        for rows in _batches(target, batch_size):
            changes = []
            for row in rows:
                change = {"row_id": row[0]}
                for name, token in zip(target.columns, row[1:], strict=True):
                    try:
                        change[f"new_{name}"] = None if token is None else convert(token)
                    except (InvalidToken, UnicodeError):
                        raise UnreadableRow(
                            f"{target.name}.{name} of row {row[0]} cannot be decrypted with "
                            "the keys at hand, so nothing was re-encrypted."
                        ) from None
                changes.append(change)
            session.execute(statement, changes)
            done += len(rows)
        counts[target.name] = done
    return counts


def reencrypt_all(keys: list[bytes], batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Re-encrypt every encrypted value with keys[0] (any of keys may decrypt it).

    Returns the rows rewritten per table. Raises UnreadableRow (and the caller rolls back)
    if any value is not readable with these keys.
    """
    fernet = MultiFernet([Fernet(key) for key in keys])

    def rotate(token: str) -> str:
        return fernet.rotate(token.encode("ascii")).decode("ascii")

    return _rewrite(rotate, batch_size)


def unreadable_with(key: bytes, batch_size: int = BATCH_SIZE, limit: int = 10) -> list[str]:
    """Where a value does not decrypt with this one key alone (up to limit places)."""
    fernet = Fernet(key)
    problems: list[str] = []
    for target in encrypted_tables():
        for rows in _batches(target, batch_size):
            for row in rows:
                for name, token in zip(target.columns, row[1:], strict=True):
                    if token is None:
                        continue
                    try:
                        fernet.decrypt(token.encode("ascii"))
                    except (InvalidToken, UnicodeError):
                        problems.append(f"{target.name}.{name} row {row[0]}")
                        if len(problems) >= limit:
                            return problems
    return problems
