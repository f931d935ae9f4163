"""Server-side conversations, so a client can send only its new message.

Conversations and their turns live in the service's database (:mod:`api.database`: a SQLite file
by default, PostgreSQL when several hosts serve), so any host can continue a conversation another
host started. Each turn keeps the question, the answer text, whether the assistant abstained and
the whole answer object as JSON, keyed by an ``answer_id`` that feedback refers to. Each operation
is its own short transaction, so one store is safe to use from the server's worker threads and
from several processes.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    String,
    Text,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from api.database import Database, as_database, conversations_table, turns_table
from api.errors import NotFound
from assistant.models import Answer, Turn

logger = logging.getLogger(__name__)

_APPEND_ATTEMPTS = 5
_TURN_COLUMNS = (turns_table.c.answer_id, turns_table.c.conversation_id, turns_table.c.question,
                 turns_table.c.answer, turns_table.c.abstained, turns_table.c.created_at)


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


class ConversationStore:
    """Conversations and their turns in the service's database.

    Args:
        database: The shared :class:`api.database.Database`, or a URL or SQLite file path (a
            database of its own is opened on it).
    """

    def __init__(self, database: Database | Path | str) -> None:
        self.database = as_database(database)  # tables are created on first use

    def create(self) -> str:
        """Start a conversation; returns its id."""
        conversation_id = new_id("conv")
        now = time.time()
        with self.database.begin() as db:
            db.execute(insert(conversations_table).values(id=conversation_id, created_at=now,
                                                          updated_at=now))
        logger.debug("conversation created id=%s", conversation_id)
        return conversation_id

    def exists(self, conversation_id: str) -> bool:
        """Whether a conversation with this id exists."""
        with self.database.connect() as db:
            row = db.execute(select(conversations_table.c.id)
                             .where(conversations_table.c.id == conversation_id)).first()
        return row is not None

    def turns(self, conversation_id: str, limit: int | None = None) -> list[StoredTurn]:
        """The conversation's turns, oldest first (only the last ``limit`` when given)."""
        query = (select(*_TURN_COLUMNS).where(turns_table.c.conversation_id == conversation_id)
                 .order_by(turns_table.c.position.desc()))
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        with self.database.connect() as db:
            rows = db.execute(query).all()
        return [_stored(row) for row in reversed(rows)]

    def history(self, conversation_id: str, limit: int | None = None) -> list[Turn]:
        """The conversation's turns as assistant history, oldest first."""
        return [t.as_turn() for t in self.turns(conversation_id, limit)]

    def append(self, conversation_id: str, question: str, answer: Answer,
               answer_id: str | None = None) -> str:
        """Record a question and its answer; returns the new ``answer_id``.

        ``answer_id`` names the answer when the caller already has an id for it (the OpenAI
        endpoint's completion id); by default a new ``ans_...`` id is made.

        The conversation is locked first and the turn's position computed in the INSERT itself,
        so processes appending to one conversation at once take turns; should two positions
        still collide (a stricter isolation level), the unique (conversation, position)
        constraint refuses one, which is retried.

        Raises:
            NotFound: the conversation does not exist (deleted meanwhile).
        """
        answer_id = answer_id or new_id("ans")
        answer_json = json.dumps(answer.to_contract())
        for attempt in range(1, _APPEND_ATTEMPTS + 1):
            now = time.time()
            next_position = (func.coalesce(func.max(turns_table.c.position), 0) + 1)
            rows = select(
                literal(answer_id, String), literal(conversation_id, String), next_position,
                literal(question, Text), literal(answer.answer, Text),
                literal(bool(answer.abstained), Boolean), literal(answer_json, Text),
                literal(now, Float),
            ).where(turns_table.c.conversation_id == conversation_id)
            try:
                with self.database.begin() as db:
                    # Updating the conversation first locks it (its row in PostgreSQL, the file
                    # in SQLite), so appends to one conversation queue up instead of colliding.
                    touched = db.execute(sql_update(conversations_table)
                                         .where(conversations_table.c.id == conversation_id)
                                         .values(updated_at=now)).rowcount
                    if not touched:
                        raise NotFound(f"no conversation {conversation_id!r}; omit "
                                       "conversation_id to start a new one",
                                       field="conversation_id")
                    db.execute(insert(turns_table).from_select(
                        ["answer_id", "conversation_id", "position", "question", "answer",
                         "abstained", "answer_json", "created_at"], rows))
                return answer_id
            except IntegrityError:
                if attempt == _APPEND_ATTEMPTS:
                    raise
                logger.debug("turn position taken conversation=%s attempt=%d", conversation_id,
                             attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_turn(self, answer_id: str) -> StoredTurn | None:
        """The turn that produced ``answer_id``, or None."""
        with self.database.connect() as db:
            row = db.execute(select(*_TURN_COLUMNS)
                             .where(turns_table.c.answer_id == answer_id)).first()
        return None if row is None else _stored(row)

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation and its turns; returns whether it existed."""
        with self.database.begin() as db:
            db.execute(delete(turns_table).where(turns_table.c.conversation_id == conversation_id))
            result = db.execute(delete(conversations_table)
                                .where(conversations_table.c.id == conversation_id))
        return bool(result.rowcount)


def _stored(row: Sequence[Any]) -> StoredTurn:
    return StoredTurn(str(row[0]), str(row[1]), str(row[2]), str(row[3]), bool(row[4]),
                      float(row[5]))


__all__ = ["ConversationStore", "StoredTurn", "new_id"]
