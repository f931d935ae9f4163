"""One SQLite file with a schema: the base of the API's small stores (conversations, feedback)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SQLiteFile:
    """A SQLite file whose folder and schema are created on first use.

    Each :meth:`_connect` opens a short-lived connection (WAL journal, foreign keys on) in a
    transaction, so the stores are safe to use from several threads and processes.

    Args:
        path: The SQLite file; its folder is created when missing.
    """

    schema: str = ""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(self.schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            with db:
                yield db
        finally:
            db.close()
