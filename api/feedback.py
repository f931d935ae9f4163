"""Thumbs up / down on answers, kept in the service's database; written by the HTTP API and the
Slack bot.

Usage::

    store = FeedbackStore(database)
    feedback_id = store.add("conv_1", "ans_2", "up", comment="spot on", source="slack")
    recent = store.list(limit=50)
    rated = store.list_rated(limit=50)   # with the question and answer rated

Each operation is its own short transaction, so one store can be shared by threads, and several
processes or hosts can write to one database.
"""

from __future__ import annotations

import builtins
import logging
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, insert, select

from api.database import Database, as_database, feedback_table, turns_table
from api.errors import InvalidInput

logger = logging.getLogger(__name__)

Rating = Literal["up", "down"]
FeedbackSource = Literal["api", "slack"]
RATINGS = ("up", "down")
SOURCES = ("api", "slack")
MAX_COMMENT_CHARS = 2000
MAX_ID_CHARS = 200

class InvalidFeedback(InvalidInput):
    """A rating, source, id or comment that cannot be stored."""

    code = "invalid_feedback"


@dataclass
class FeedbackRecord:
    """One stored piece of feedback."""

    id: str
    conversation_id: str | None
    answer_id: str
    rating: str
    comment: str | None
    source: str
    created_at: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RatedAnswer(FeedbackRecord):
    """Feedback with the question and answer it rates (None when the turn is unknown)."""

    question: str | None = None
    answer: str | None = None


_FEEDBACK_COLUMNS = (feedback_table.c.id, feedback_table.c.conversation_id,
                     feedback_table.c.answer_id, feedback_table.c.rating, feedback_table.c.comment,
                     feedback_table.c.source, feedback_table.c.created_at)


class FeedbackStore:
    """Feedback on answers in the service's database.

    Args:
        database: The shared :class:`api.database.Database`, or a URL or SQLite file path (a
            database of its own is opened on it).
    """

    def __init__(self, database: Database | Path | str) -> None:
        self.database = as_database(database)  # tables are created on first use

    def add(self, conversation_id: str | None, answer_id: str, rating: str,
            comment: str | None = None, source: str = "api") -> str:
        """Store one rating of an answer; returns the feedback id.

        Args:
            conversation_id: The conversation (or Slack thread) the answer belongs to, if any.
            answer_id: The answer rated (the API's ``answer_id``, a Slack message ts, ...).
            rating: ``"up"`` or ``"down"``.
            comment: Optional free text (at most 2,000 characters).
            source: ``"api"`` or ``"slack"``.

        Raises:
            InvalidFeedback: if a value is out of range (the message names the field).
        """
        if rating not in RATINGS:
            raise InvalidFeedback(f"rating {rating!r} is not 'up' or 'down'", field="rating")
        if source not in SOURCES:
            raise InvalidFeedback(f"source {source!r} is not one of {', '.join(SOURCES)}",
                                  field="source")
        if not isinstance(answer_id, str) or not answer_id.strip():
            raise InvalidFeedback("answer_id is empty; pass the id of the answer rated",
                                  field="answer_id")
        if len(answer_id) > MAX_ID_CHARS:
            raise InvalidFeedback(f"answer_id is longer than {MAX_ID_CHARS} characters",
                                  field="answer_id")
        if conversation_id is not None and len(conversation_id) > MAX_ID_CHARS:
            raise InvalidFeedback(f"conversation_id is longer than {MAX_ID_CHARS} characters",
                                  field="conversation_id")
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:
            raise InvalidFeedback(f"comment is {len(comment)} characters; the limit is "
                                  f"{MAX_COMMENT_CHARS}", field="comment")
        feedback_id = f"fb_{uuid.uuid4().hex}"
        with self.database.begin() as db:
            db.execute(insert(feedback_table).values(
                id=feedback_id, conversation_id=conversation_id, answer_id=answer_id,
                rating=rating, comment=comment or None, source=source, created_at=time.time()))
        logger.info("feedback stored id=%s rating=%s source=%s", feedback_id, rating, source)
        return feedback_id

    def list(self, limit: int = 100) -> list[FeedbackRecord]:
        """The most recent feedback first, at most ``limit`` records."""
        query = (select(*_FEEDBACK_COLUMNS)
                 .order_by(feedback_table.c.created_at.desc(), feedback_table.c.id.desc())
                 .limit(max(0, int(limit))))
        with self.database.connect() as db:
            rows = db.execute(query).all()
        return [FeedbackRecord(*row) for row in rows]

    def list_rated(self, limit: int = 100) -> builtins.list[RatedAnswer]:
        """Like :meth:`list`, joined with the question and answer rated.

        The join is on ``answer_id`` whatever the source: answers given through the API and in
        Slack are both turns of the conversation store (in the same database).
        """
        query = (select(*_FEEDBACK_COLUMNS, turns_table.c.question, turns_table.c.answer)
                 .select_from(feedback_table.outerjoin(
                     turns_table, turns_table.c.answer_id == feedback_table.c.answer_id))
                 .order_by(feedback_table.c.created_at.desc(), feedback_table.c.id.desc())
                 .limit(max(0, int(limit))))
        with self.database.connect() as db:
            rows = db.execute(query).all()
        return [RatedAnswer(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of ``up`` and ``down`` ratings stored."""
        query = select(feedback_table.c.rating, func.count()).group_by(feedback_table.c.rating)
        with self.database.connect() as db:
            found = {str(rating): int(count) for rating, count in db.execute(query).all()}
        return {rating: found.get(rating, 0) for rating in RATINGS}
