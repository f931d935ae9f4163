"""Thumbs up / down on answers, kept in SQLite; written by the HTTP API and the Slack bot.

Usage::

    store = FeedbackStore(settings.feedback_path)
    feedback_id = store.add("conv_1", "ans_2", "up", comment="spot on", source="slack")
    recent = store.list(limit=50)

Each operation opens its own connection, so one store can be shared by threads.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal

from api.errors import InvalidInput
from api.sqlite import SQLiteFile

logger = logging.getLogger(__name__)

Rating = Literal["up", "down"]
FeedbackSource = Literal["api", "slack"]
RATINGS = ("up", "down")
SOURCES = ("api", "slack")
MAX_COMMENT_CHARS = 2000
MAX_ID_CHARS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    answer_id TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT,
    source TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback(created_at);
"""


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


class FeedbackStore(SQLiteFile):
    """Feedback on answers in one SQLite file.

    Args:
        path: The SQLite file; its folder is created when missing.
    """

    schema = _SCHEMA

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
        with self._connect() as db:
            db.execute("INSERT INTO feedback (id, conversation_id, answer_id, rating, comment, "
                       "source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (feedback_id, conversation_id, answer_id, rating, comment or None, source,
                        time.time()))
        logger.info("feedback stored id=%s rating=%s source=%s", feedback_id, rating, source)
        return feedback_id

    def list(self, limit: int = 100) -> list[FeedbackRecord]:
        """The most recent feedback first, at most ``limit`` records."""
        with self._connect() as db:
            rows = db.execute("SELECT id, conversation_id, answer_id, rating, comment, source, "
                              "created_at FROM feedback ORDER BY created_at DESC, rowid DESC "
                              "LIMIT ?", (max(0, int(limit)),)).fetchall()
        return [FeedbackRecord(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Number of ``up`` and ``down`` ratings stored."""
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        found = dict(rows)
        return {rating: int(found.get(rating, 0)) for rating in RATINGS}
