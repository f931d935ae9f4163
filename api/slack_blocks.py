"""Block Kit rendering of answers for Slack: the answer, its citations and the feedback buttons.

Slack limits a section's text to 3,000 characters and a message to 50 blocks, so long answers are
split into several sections and, when needed, several messages (posted one after the other in the
same thread). Text from the letters and from users is escaped for Slack's ``mrkdwn``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.citations import citation_label, citation_link, letter_link
from assistant.models import Answer, Citation

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_CONTEXT_CHARS = 2000
MAX_FALLBACK_CHARS = 3000
# More than this many messages for one answer would flood a channel: the rest is summarised.
MAX_MESSAGES = 5

FEEDBACK_UP = "reportqa_feedback_up"
FEEDBACK_DOWN = "reportqa_feedback_down"
FEEDBACK_BLOCK = "reportqa_feedback"

Block = dict[str, Any]
LetterUrl = Callable[[str, int, int], "str | None"]  # as api.citations.LetterUrl


@dataclass
class SlackMessage:
    """One message to post: fallback ``text`` (notifications, screen readers) and ``blocks``."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters at the gentlest boundary.

    Paragraph breaks are preferred, then line breaks, sentence ends and spaces; a word longer than
    ``limit`` is cut, but never inside an ``&amp;``-style entity.
    """
    if limit < 16:
        raise ValueError(f"split_text limit {limit} is too small; use at least 16 characters")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for boundary in ("\n\n", "\n", ". ", "; ", ", ", " "):
            at = window.rfind(boundary, 0, limit)
            if at > limit // 3:
                cut = at + (1 if boundary in (". ", "; ", ", ") else 0)
                break
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 8), cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def passage_url(public_url: str | None, citation: Citation) -> str | None:
    """Link opening the quoted passage on the chat page, or None without a public URL.

    The chat page reads ``/#letter=ID&start=N&end=M`` (the same links as the API's answers).
    """
    return letter_link(public_url, citation.document_id, citation.char_start, citation.char_end)


def feedback_value(conversation_id: str, answer_id: str) -> str:
    """The button value identifying the answer a 👍/👎 is about."""
    return json.dumps({"c": conversation_id, "a": answer_id}, separators=(",", ":"))


def parse_feedback_value(value: str) -> tuple[str, str]:
    """``(conversation_id, answer_id)`` from a button value; ValueError when malformed."""
    try:
        data = json.loads(value)
        conversation_id, answer_id = str(data["c"]), str(data["a"])
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"feedback button value {value[:80]!r} is not a reportqa value") from exc
    if not conversation_id or not answer_id:
        raise ValueError("feedback button value has an empty conversation or answer id")
    return conversation_id, answer_id


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn",
                                             "text": _clip(text, MAX_CONTEXT_CHARS)}]}


def feedback_actions(conversation_id: str, answer_id: str) -> Block:
    """The 👍/👎 buttons; the value carries the conversation and answer ids."""
    value = feedback_value(conversation_id, answer_id)
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK,
        "elements": [
            {"type": "button", "action_id": FEEDBACK_UP, "value": value,
             "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True}},
            {"type": "button", "action_id": FEEDBACK_DOWN, "value": value,
             "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True}},
        ],
    }


def citation_blocks(citation: Citation, public_url: str | None,
                    letter_url: LetterUrl | None = None) -> list[Block]:
    """One citation: its label (council · letter date · section), the quoted text and a link to
    the passage.

    The link comes from ``letter_url(document_id, char_start, char_end)`` when given, else from
    ``public_url`` (see :func:`passage_url`); no link without either.
    """
    title = f"*[{citation.marker}]* {escape(citation_label(citation))}"
    if letter_url is not None:
        url = citation_link(citation, letter_url)
    else:
        url = passage_url(public_url, citation)
    link = f"\n<{url}|Open the passage in the letter>" if url else ""
    quote_text = _blockquote(escape(citation.quote))
    body = f"{title}\n{quote_text}{link}"
    if len(body) <= MAX_SECTION_CHARS:
        return [section(body)]
    # A very long quote: the title and link stay on the first and last pieces.
    room = MAX_SECTION_CHARS - len(title) - len(link) - 4
    parts = split_text(quote_text, max(room, 500))
    blocks = []
    for i, part in enumerate(parts):
        text = part if part.startswith(">") else f"> {part}"
        if i == 0:
            text = f"{title}\n{text}"
        if i == len(parts) - 1:
            text += link
        blocks.append(section(text))
    return blocks


def render_answer(answer: Answer, *, conversation_id: str, answer_id: str,
                  public_url: str | None = None, letter_url: LetterUrl | None = None,
                  asked_by: str | None = None,
                  question: str | None = None) -> list[SlackMessage]:
    """Render an answer as one or more messages within Slack's limits.

    Args:
        answer: The assistant's answer.
        conversation_id: Conversation the answer belongs to (carried by the feedback buttons).
        answer_id: Id of this answer (carried by the feedback buttons).
        public_url: Base URL of the chat page; citations link to their passage when set.
        letter_url: ``(document_id, char_start, char_end) -> url`` overriding ``public_url``.
        asked_by: Slack user id of the asker, shown with ``question`` (slash commands, whose
            question is not otherwise visible in the channel).
        question: The question as asked.
    """
    blocks: list[Block] = []
    if asked_by and question:
        blocks.append(context(f"<@{asked_by}> asked: {escape(question)}"))
    text = _bullets(escape(answer.answer.strip())) or "(empty answer)"
    if answer.abstained:
        text = f":mag: *Not found in the letters.*\n{text}"
    blocks.extend(section(piece) for piece in split_text(text))
    if answer.warnings:
        blocks.append(context(" ".join(f":warning: {escape(w)}" for w in answer.warnings)))
    if answer.citations:
        count = len(answer.citations)
        blocks.append({"type": "divider"})
        blocks.append(context(f"*{count} citation{'s' if count != 1 else ''}*, quoted word for "
                              "word from the letters"))
        for citation in answer.citations:
            blocks.extend(citation_blocks(citation, public_url, letter_url))
    fallback = _fallback_text(answer)
    messages = _pack(blocks, fallback, feedback_actions(conversation_id, answer_id))
    return messages


def help_message(command: str = "/reports", bot_name: str = "reportqa") -> SlackMessage:
    """How to use the bot: mentions, DMs, threads and the slash command."""
    text = (
        f"*Ask {bot_name} about Ofsted inspection letters.* Every answer is built only from the "
        "stored letters and quotes them word for word.\n"
        f"• In a channel: mention me, e.g. `@{bot_name} What was the area for priority action in "
        "Portsmouth in 2009?` I answer in a thread.\n"
        "• In the thread: just reply to follow up (`And who signed it?`).\n"
        "• In a direct message: ask your question as it is.\n"
        f"• Anywhere: `{command} <question>`; `{command} help` shows this message. Narrow it "
        f"with `council:` and `year:` first, e.g. `{command} council:Leeds year:2010 Who "
        "signed the letter?`\n"
        "Rate an answer with 👍/👎 to help us improve it."
    )
    return SlackMessage(text=f"How to use {bot_name}: mention me, DM me or use {command}.",
                        blocks=[section(text)])


def error_message(reference: str) -> SlackMessage:
    """The polite message shown when answering failed."""
    text = ("Sorry, something went wrong while I was looking that up, and I could not answer. "
            "Please try again in a moment; if it keeps happening, tell the reportqa "
            f"administrators and quote reference `{reference}`.")
    return SlackMessage(text=text, blocks=[section(text)])


def _pack(blocks: list[Block], fallback: str, actions: Block) -> list[SlackMessage]:
    """Group blocks into messages of at most MAX_BLOCKS, the buttons on the last one."""
    messages: list[list[Block]] = [[]]
    for block in blocks:
        if len(messages[-1]) >= MAX_BLOCKS:
            messages.append([])
        messages[-1].append(block)
    if len(messages[-1]) >= MAX_BLOCKS:
        messages.append([])
    messages[-1].append(actions)
    if len(messages) > MAX_MESSAGES:
        hidden = sum(len(m) for m in messages[MAX_MESSAGES - 1:]) - 1
        kept = messages[: MAX_MESSAGES - 1]
        kept.append([context(f"…and {hidden} more blocks of citations not shown here; ask a "
                             "narrower question or use the chat page for the full list."),
                     actions])
        messages = kept
    result = []
    for i, message_blocks in enumerate(messages):
        text = fallback if i == 0 else "(continued)"
        result.append(SlackMessage(text=text, blocks=message_blocks))
    return result


def _fallback_text(answer: Answer) -> str:
    prefix = "Not found in the letters. " if answer.abstained else ""
    return _clip(escape(prefix + answer.answer.strip()), MAX_FALLBACK_CHARS)


def _bullets(text: str) -> str:
    """Markdown-style "- item" lines as Slack bullets (mrkdwn has no list syntax)."""
    return re.sub(r"(?m)^[ \t]*[-*] +", "• ", text)


def _blockquote(text: str) -> str:
    lines = [line.strip() for line in re.split(r"\n+", text.strip())]
    return "\n".join(f"> {line}" for line in lines if line)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
