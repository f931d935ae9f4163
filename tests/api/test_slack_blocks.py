"""Block Kit rendering: Slack's limits (3,000 characters a section, 50 blocks a message), escaping,
citations with links, the not-found state and the feedback buttons."""

from __future__ import annotations

import json
import re

import pytest

from api.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    MAX_BLOCKS,
    MAX_MESSAGES,
    MAX_SECTION_CHARS,
    SlackMessage,
    escape,
    feedback_value,
    help_message,
    parse_feedback_value,
    passage_url,
    render_answer,
    split_text,
)
from assistant.models import Answer, Citation

LETTER_WORDS = ("The timeliness of initial assessments for children in need is poor, leading to "
                "delays in services being provided to some children and their families. ")


def citation(marker: int, quote: str = "Case records are up to date.", **extra: object
             ) -> Citation:
    values: dict[str, object] = dict(
        marker=marker, document_id=f"doc{marker}", source=f"letter-{marker}.txt",
        authority="Portsmouth City Council", letter_date="2009-12-09",
        inspection_date="2009-11-10", section="Strengths", quote=quote,
        char_start=100 * marker, char_end=100 * marker + len(quote))
    values.update(extra)
    return Citation.model_validate(values)


def texts(message: SlackMessage) -> list[str]:
    return [b["text"]["text"] for b in message.blocks
            if "text" in b and isinstance(b["text"], dict)]


def check_limits(messages: list[SlackMessage]) -> None:
    for message in messages:
        assert 0 < len(message.blocks) <= MAX_BLOCKS
        assert all(len(t) <= MAX_SECTION_CHARS for t in texts(message))
        assert message.text


def render(answer: Answer, **kwargs: object) -> list[SlackMessage]:
    return render_answer(answer, conversation_id="conv_1", answer_id="ans_1", **kwargs)  # type: ignore[arg-type]


# ---- split_text --------------------------------------------------------------------------------
def test_split_text_respects_the_limit_and_keeps_every_word() -> None:
    text = "\n\n".join(LETTER_WORDS * n for n in range(1, 30))
    pieces = split_text(text, 3000)
    assert len(pieces) > 1
    assert all(len(p) <= 3000 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_text_prefers_paragraph_breaks() -> None:
    first, second = "a" * 1500 + ".", "b" * 1500 + "."
    assert split_text(f"{first}\n\n{second}", 2000) == [first, second]


def test_split_text_cuts_a_huge_word_but_not_an_entity() -> None:
    text = escape("x" * 2995 + "&" + "y" * 100)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == text
    assert not any(p.endswith(("&", "&a", "&am", "&amp")) for p in pieces)


def test_split_text_short_text_is_one_piece() -> None:
    assert split_text("  short  ") == ["short"]
    with pytest.raises(ValueError, match="limit"):
        split_text("text", 3)


# ---- answers -----------------------------------------------------------------------------------
def test_answer_then_citations_then_buttons() -> None:
    answer = Answer(answer="Case records are up to date [1].", citations=[citation(1)])
    [message] = render(answer, public_url="https://qa.example.org/")
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["section", "divider", "context", "section", "actions"]
    cited = message.blocks[3]["text"]["text"]
    assert "*[1]* Portsmouth City Council · letter of 9 December 2009" in cited
    assert "· Strengths" in cited and "> Case records are up to date." in cited
    assert "<https://qa.example.org/#letter=doc1&start=100&end=128|" in cited
    buttons = message.blocks[-1]["elements"]
    assert [b["action_id"] for b in buttons] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert all(parse_feedback_value(b["value"]) == ("conv_1", "ans_1") for b in buttons)


def test_no_public_url_means_no_link_and_letter_url_overrides() -> None:
    answer = Answer(answer="x [1]", citations=[citation(1)])
    [plain] = render(answer)
    assert "<http" not in json.dumps(plain.blocks)
    [custom] = render(answer, public_url="https://ignored.example.org",
                      letter_url=lambda doc, start, end: f"https://l.example.org/{doc}/{start}")
    assert "<https://l.example.org/doc1/100|" in json.dumps(custom.blocks)
    assert "ignored.example.org" not in json.dumps(custom.blocks)


def test_abstention_is_clearly_not_found() -> None:
    answer = Answer(answer="The collection holds no letter for Leeds.", abstained=True,
                    kind="abstain")
    [message] = render(answer)
    assert message.blocks[0]["text"]["text"].startswith(":mag: *Not found in the letters.*")
    assert "Not found in the letters" in message.text
    assert [b["type"] for b in message.blocks] == ["section", "actions"]


def test_text_is_escaped_and_bullets_become_slack_bullets() -> None:
    answer = Answer(answer="Strengths:\n- A & B <b>bold</b>\n- C > D")
    [message] = render(answer)
    text = message.blocks[0]["text"]["text"]
    assert text == "Strengths:\n• A &amp; B &lt;b&gt;bold&lt;/b&gt;\n• C &gt; D"
    assert "<b>" not in message.text


def test_long_answer_with_many_citations_is_split_within_limits() -> None:
    body = (LETTER_WORDS * 80).strip()  # about 12,000 characters
    cites = [citation(i) for i in range(1, 121)]
    messages = render(Answer(answer=body, citations=cites), public_url="https://qa.example.org")
    assert len(messages) == 3
    check_limits(messages)
    joined = "\n".join(t for m in messages for t in texts(m))
    assert all(f"*[{i}]* " in joined for i in range(1, 121))
    answer_text = " ".join(t for t in texts(messages[0]) if not t.startswith("*"))
    assert answer_text.split()[:5] == body.split()[:5]
    assert [sum(b["type"] == "actions" for b in m.blocks) for m in messages] == [0, 0, 1]
    assert messages[1].text == "(continued)"


def test_very_long_quote_is_split_with_link_at_the_end() -> None:
    quote = (LETTER_WORDS * 40).strip()
    answer = Answer(answer="x [1]", citations=[citation(1, quote=quote)])
    [message] = render(answer, public_url="https://qa.example.org")
    check_limits([message])
    cited = [t for t in texts(message) if t.startswith(">") or t.startswith("*[1]")]
    assert len(cited) >= 2
    assert all(line.startswith("> ") for t in cited for line in t.split("\n")
               if not line.startswith(("*[1]", "<https")))
    assert "<https://qa.example.org/" in cited[-1] and "<https" not in cited[0]
    shown = " ".join(line[2:] for t in cited for line in t.split("\n") if line.startswith("> "))
    assert shown.split() == quote.split()


def test_too_many_messages_are_capped_with_a_note() -> None:
    cites = [citation(i) for i in range(1, 400)]
    messages = render(Answer(answer="Many.", citations=cites))
    assert len(messages) == MAX_MESSAGES
    check_limits(messages)
    assert re.search(r"more blocks of citations not shown", json.dumps(messages[-1].blocks))
    assert messages[-1].blocks[-1]["type"] == "actions"


def test_slash_question_is_shown_with_the_asker() -> None:
    [message] = render(Answer(answer="ok"), asked_by="U1", question="a < b?")
    assert message.blocks[0]["type"] == "context"
    assert message.blocks[0]["elements"][0]["text"] == "<@U1> asked: a &lt; b?"


# ---- small parts -------------------------------------------------------------------------------
def test_feedback_value_round_trip_and_malformed_values() -> None:
    value = feedback_value("conv_x", "ans_y")
    assert parse_feedback_value(value) == ("conv_x", "ans_y")
    for bad in ("", "nonsense", '{"c": "x"}', '{"c": "", "a": "y"}', "[1, 2]"):
        with pytest.raises(ValueError):
            parse_feedback_value(bad)


def test_passage_url_encodes_the_document_id() -> None:
    url = passage_url("https://qa.example.org/", citation(1, document_id="a b/c&d"))
    assert url == "https://qa.example.org/#letter=a%20b%2Fc%26d&start=100&end=128"
    assert passage_url(None, citation(1)) is None


def test_help_names_the_command_and_every_way_to_ask() -> None:
    message = help_message("/reports")
    text = message.blocks[0]["text"]["text"]
    for phrase in ("/reports help", "mention me", "direct message", "thread", "👍"):
        assert phrase in text
