"""The service's one SQL database: conversations, feedback and the Slack bot's state.

``REPORTQA_DATABASE_URL`` chooses it (:attr:`api.settings.ApiSettings.database_url`). Unset, it is
a SQLite file, ``reportqa.sqlite3`` in ``REPORTQA_DATA_DIR``: enough for one host and several
worker processes (WAL journal, busy timeout, and one writer at a time per process: SQLite's busy
handler polls and is not fair, so threads of one process queue on a lock of their own instead of
polling the file against each other). Several hosts share one PostgreSQL server
(``postgresql+psycopg://user:password@db.example.org:5432/reportqa``).

Usage::

    database = Database(ServiceSettings.from_env().database_url)
    conversations = ConversationStore(database)
    feedback = FeedbackStore(database)

Tables are created on first use (``CREATE TABLE IF NOT EXISTS``, so every host and worker may do
it). A database that cannot be reached raises :class:`DatabaseUnavailable`, which the API renders
as a 503 ``database_unavailable`` error. Log lines show the URL through :func:`redact_url` only.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.schema import CreateIndex, CreateTable

from api.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

DATABASE_FILE = "reportqa.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POSTGRES_CONNECT_TIMEOUT_S = 5
_SCHEMA_ATTEMPTS = 5

metadata = MetaData()

conversations_table = Table(
    "conversations", metadata,
    Column("id", String(200), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

turns_table = Table(
    "turns", metadata,
    Column("answer_id", String(200), primary_key=True),
    Column("conversation_id", String(200),
           ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("abstained", Boolean, nullable=False),
    Column("answer_json", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # Two hosts appending to one conversation at once: one insert fails and is retried.
    UniqueConstraint("conversation_id", "position", name="turns_conversation_position"),
)

feedback_table = Table(
    "feedback", metadata,
    Column("id", String(200), primary_key=True),
    Column("conversation_id", String(200)),
    Column("answer_id", String(200), nullable=False),
    Column("rating", String(8), nullable=False),
    Column("comment", Text),
    Column("source", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("feedback_by_time", "created_at"),
    Index("feedback_by_answer", "answer_id"),
)

slack_threads_table = Table(
    "slack_threads", metadata,
    Column("thread_key", String(400), primary_key=True),
    Column("conversation_id", String(200), nullable=False),
    Column("created", Float, nullable=False),
)

slack_events_table = Table(
    "slack_events", metadata,
    # The primary key is the unique constraint that lets only one host claim an event.
    Column("event_id", String(200), primary_key=True),
    Column("seen", Float, nullable=False),
    Index("slack_events_by_time", "seen"),
)


class DatabaseUnavailable(ServiceUnavailable):
    """The SQL database (conversations, feedback, Slack state) cannot be reached."""

    code = "database_unavailable"


def default_database_url(data_dir: Path | str) -> str:
    """``sqlite:///<data_dir>/reportqa.sqlite3`` (the data folder made absolute)."""
    return f"sqlite:///{(Path(data_dir).expanduser().resolve() / DATABASE_FILE).as_posix()}"


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL through psycopg 3 (the installed
    driver); other URLs are returned as they are."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for log lines and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


class Database:
    """One SQLAlchemy engine on the service's database, shared by every store of a process.

    Args:
        url: An SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://...``) or a path to a
            SQLite file.
        echo: Log every SQL statement (debugging only).

    Raises:
        ValueError: the URL cannot be parsed (the message shows it without its password).
    """

    def __init__(self, url: str | Path, *, echo: bool = False) -> None:
        if isinstance(url, Path) or "://" not in str(url):
            url = f"sqlite:///{Path(url).expanduser().resolve().as_posix()}"
        self.url = normalise_url(str(url))
        self.safe_url = redact_url(self.url)
        try:
            parsed = make_url(self.url)
        except ArgumentError as e:
            raise ValueError(f"REPORTQA_DATABASE_URL {self.safe_url!r} is not a database URL; "
                             "use e.g. sqlite:///data/store/reportqa.sqlite3 or "
                             "postgresql+psycopg://user:password@host:5432/reportqa") from e
        self.dialect = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        elif self.dialect == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        try:
            self.engine: Engine = create_engine(self.url, echo=echo, pool_pre_ping=True,
                                                connect_args=connect_args)
        except (ArgumentError, ImportError) as e:
            raise ValueError(f"cannot open database {self.safe_url}: {e}") from e
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._schema_lock = threading.Lock()
        self._schema_ready = False
        # SQLite: this process's write transactions, one at a time (see the module docstring).
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def create_schema(self) -> None:
        """Create the tables that are missing (idempotent; safe from several processes).

        Raises:
            DatabaseUnavailable: the database cannot be reached.
        """
        with self._schema_lock:
            if self._schema_ready:
                return
            with self.translate_errors():
                for attempt in range(1, _SCHEMA_ATTEMPTS + 1):
                    try:
                        with self.engine.begin() as connection:
                            for table in metadata.sorted_tables:
                                connection.execute(CreateTable(table, if_not_exists=True))
                                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                                    connection.execute(CreateIndex(index, if_not_exists=True))
                        break
                    except DBAPIError as e:
                        # PostgreSQL: another process created the same table at this moment.
                        if attempt == _SCHEMA_ATTEMPTS or not _is_duplicate_object(e):
                            raise
            self._schema_ready = True
            logger.info("database ready url=%s dialect=%s", self.safe_url, self.dialect)

    def ping(self) -> bool:
        """Whether the database answers ``SELECT 1`` now."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except DBAPIError as e:
            logger.warning("database ping failed url=%s error=%s", self.safe_url,
                           type(e.orig).__name__ if e.orig is not None else type(e).__name__)
            return False

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction (committed on success, rolled back on error).

        Raises:
            DatabaseUnavailable: the database cannot be reached.
        """
        self.create_schema()
        with self._writer_turn(), self.translate_errors(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """Wait for this process's turn to write (SQLite only; other databases lock rows)."""
        if self._write_lock is None:
            yield
            return
        if not self._write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            logger.warning("database unavailable url=%s error=writer queue timed out",
                           self.safe_url)
            raise DatabaseUnavailable(
                "database unavailable: too many writes are waiting for the SQLite file; try "
                "again shortly (operators: use PostgreSQL for several busy workers)",
                headers={"Retry-After": "5"})
        try:
            yield
        finally:
            self._write_lock.release()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads.

        Raises:
            DatabaseUnavailable: the database cannot be reached.
        """
        self.create_schema()
        with self.translate_errors(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn "cannot connect" failures into :class:`DatabaseUnavailable`."""
        try:
            yield
        except (OperationalError, SAInterfaceError) as e:
            if self.is_sqlite and not _sqlite_unavailable(e):
                raise
            logger.warning("database unavailable url=%s error=%s", self.safe_url,
                           _first_line(e.orig if e.orig is not None else e))
            raise DatabaseUnavailable(
                "database unavailable: the service cannot reach its database right now; try "
                "again shortly (operators: check REPORTQA_DATABASE_URL and that the database "
                "server is running)",
                headers={"Retry-After": "5"}) from e

    def dispose(self) -> None:
        """Close the pooled connections (the engine reconnects when used again)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.safe_url!r})"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL is a property of the file, set once. Switching needs a moment with no other
        # connection in a transaction, and SQLite does not wait for that: retry briefly.
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        while str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
    finally:
        cursor.close()


def _sqlite_unavailable(error: DBAPIError) -> bool:
    """SQLite errors that mean "cannot use the file now" (locked, unreadable folder)."""
    message = str(error.orig or error).lower()
    return any(part in message for part in ("unable to open", "locked", "disk i/o",
                                            "readonly", "read-only"))


def _is_duplicate_object(error: DBAPIError) -> bool:
    message = str(error.orig or error).lower()
    return "already exists" in message or "duplicate" in message


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def as_database(target: Database | Path | str) -> Database:
    """``target`` when it is a :class:`Database`, else a new one on that URL or SQLite file."""
    return target if isinstance(target, Database) else Database(target)
