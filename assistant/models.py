"""The answer object every front door renders (JSON, SSE, OpenAI completion, Slack, chat page).

These pydantic models are the assistant's boundary: LangChain documents and Chroma results never
leave the package.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from assistant.formatting import human_date


class Turn(BaseModel):
    """One earlier question/answer pair of a conversation."""

    question: str = Field(description="What the user asked.")
    answer: str = Field(default="", description="What reportqa answered.")


class Filters(BaseModel):
    """Optional restrictions chosen by the user (in addition to what the question names)."""

    authority: str | None = Field(default=None, description="Council name, e.g. 'Portsmouth'.")
    year: int | None = Field(default=None, ge=2000, le=2100, description="Inspection year.")


class Citation(BaseModel):
    """A numbered citation: ``quote`` is exactly ``letter_text[char_start:char_end]``."""

    marker: int
    document_id: str
    source: str
    authority: str | None = None
    inspection_date: str | None = None
    letter_date: str | None = None
    section: str
    quote: str
    char_start: int
    char_end: int
    score: float = 0.0
    themes: list[str] = Field(default_factory=list, description="Theme ids of the cited finding "
                              "(see GET /themes); empty for a passage that is no finding.")
    theme_names: list[str] = Field(default_factory=list, description="Those themes' names.")

    @computed_field(description="How every front door names the source, e.g. "  # type: ignore[prop-decorator]
                    "'Portsmouth City Council · letter of 9 December 2009 · Area for priority "
                    "action'.")
    @property
    def label(self) -> str:
        return citation_label(self)


def citation_label(citation: Citation) -> str:
    """The one label of a citation: council (or file), letter date and section, joined by ' · '.

    The letter date names the letter (it is the date printed on it); the inspection date is used
    only when the letter date is unknown.
    """
    if citation.letter_date:
        when = f"letter of {human_date(citation.letter_date)}"
    elif citation.inspection_date:
        when = f"inspected {human_date(citation.inspection_date)}"
    else:
        when = ""
    parts = (citation.authority or citation.source, when, citation.section)
    return " · ".join(part for part in parts if part)


class LetterRef(BaseModel):
    """A letter an answer was drawn from (or, for lists, searched)."""

    document_id: str
    source: str
    authority: str | None = None
    letter_date: str | None = None
    inspection_date: str | None = None


class Answer(BaseModel):
    """The answer object of the architecture's contract."""

    id: str | None = Field(default=None, description="The input's id in batch mode.")
    answer: str
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    kind: str = Field(default="fact", description="How the question was answered: fact, "
                      "metadata, section, list, count, compare, timeline, abstain.")
    letters: list[LetterRef] = Field(default_factory=list, description="Letters used.")
    items: list[dict[str, Any]] = Field(default_factory=list, description="Complete structured "
                                        "result of list/count/compare/timeline questions.")
    warnings: list[str] = Field(default_factory=list)
    resolved: dict[str, Any] = Field(default_factory=dict, description="What the question was "
                                     "understood to ask (councils, years, section, follow-up).")

    def to_contract(self) -> dict[str, Any]:
        """The JSON answer object, without empty optional fields."""
        data = self.model_dump()
        if data["id"] is None:
            del data["id"]
        return data


StreamEventType = Literal["token", "reset", "citations", "answer"]


class StreamEvent(BaseModel):
    """A piece of a streamed answer: text tokens, then the citations, then the whole answer.

    ``reset`` means: discard the text streamed so far (the verified answer differs from it);
    the final text follows as new tokens.
    """

    type: StreamEventType
    text: str = ""
    citations: list[Citation] = Field(default_factory=list)
    answer: Answer | None = None
