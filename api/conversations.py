"""Server-side conversations in SQLite, so a client can send only its new message.

One file (``conversations.sqlite3`` in the data folder) holds conversations and their turns. Each
turn keeps the question, the answer text, whether the assistant abstained and the whole answer
object as JSON, keyed by an ``answer_id`` that feedback refers to. Each operation opens its own
connection, so the store is safe to use from the server's worker threads.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from api.sqlite import SQLiteFile
from assistant.models import Answer, Turn

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    answer_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    answer_json TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, position);
"""


@dataclass
class StoredTurn:
    """One stored question and its answer."""

    answer_id: str
    conversation_id: str
    question: str
    answer: str
    abstained: bool
    created_at: float

    def as_turn(self) -> Turn:
        return Turn(question=self.question, answer=self.answer)


def new_id(prefix: str) -> str:
    """A random id such as ``conv_3f2a...`` (32 hex digits)."""
    return f"{prefix}_{uuid.uuid4().hex}"


class ConversationStore(SQLiteFile):
    """Conversations and their turns in one SQLite file.

    Args:
        path: The SQLite file; its folder is created when missing.
    """

    schema = _SCHEMA

    def create(self) -> str:
        """Start a conversation; returns its id."""
        conversation_id = new_id("conv")
        now = time.time()
        with self._connect() as db:
            db.execute("INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?)",
                       (conversation_id, now, now))
        logger.debug("conversation created id=%s", conversation_id)
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        """Whether a conversation with this id exists."""
        with self._connect() as db:
            row = db.execute("SELECT 1 FROM conversations WHERE id = ?",
                             (conversation_id,)).fetchone()
        return row is not None

    def turns(self, conversation_id: str, limit: int | None = None) -> list[StoredTurn]:
        """The conversation's turns, oldest first (only the last ``limit`` when given)."""
        query = ("SELECT answer_id, conversation_id, question, answer, abstained, created_at "
                 "FROM turns WHERE conversation_id = ? ORDER BY position DESC")
        params: tuple[Any, ...] = (conversation_id,)
        if limit is not None:
            query += " LIMIT ?"
            params += (max(0, limit),)
        with self._connect() as db:
            rows = db.execute(query, params).fetchall()
        return [StoredTurn(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in reversed(rows)]

    def history(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The conversation's turns as assistant history, oldest first."""
        return [t.as_turn() for t in self.turns(conversation_id, limit)]

    def append(self, conversation_id: str, question: str, answer: Answer) -> str:
        """Record a question and its answer; returns the new ``answer_id``."""
        answer_id = new_id("ans")
        now = time.time()
        with self._connect() as db:
            position = db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM turns "
                                  "WHERE conversation_id = ?", (conversation_id,)).fetchone()[0]
            db.execute(
                "INSERT INTO turns (answer_id, conversation_id, position, question, answer, "
                "abstained, answer_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (answer_id, conversation_id, position, question, answer.answer,
                 int(answer.abstained), json.dumps(answer.to_contract()), now))
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?",
                       (now, conversation_id))
        return answer_id

    def get_turn(self, answer_id: str) -> StoredTurn | None:
        """The turn that produced ``answer_id``, or None."""
        with self._connect() as db:
            row = db.execute("SELECT answer_id, conversation_id, question, answer, abstained, "
                             "created_at FROM turns WHERE answer_id = ?", (answer_id,)).fetchone()
        return None if row is None else StoredTurn(row[0], row[1], row[2], row[3], bool(row[4]),
                                                   row[5])

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns; returns whether it existed."""
        with self._connect() as db:
            db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            cursor = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        return cursor.rowcount > 0
