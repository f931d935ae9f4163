"""Optional LLM-judged faithfulness and relevance (only when an LLM endpoint is configured).

With ``REPORTQA_LLM_BASE_URL`` set, each non-abstained answer is judged by the chat model behind it
(``REPORTQA_LLM_MODEL``, ``REPORTQA_LLM_API_KEY``): ``ragas`` is not a dependency, so the judge is a
short prompt through ``langchain_openai.ChatOpenAI`` asking for two scores between 0 and 1.
Without an endpoint, judging is skipped and the report says so.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.settings import AssistantSettings

logger = logging.getLogger(__name__)

_PROMPT = """You grade an answer to a question about UK Ofsted inspection letters.
Question: {question}
Answer: {answer}
Quoted evidence from the letters:
{quotes}

Give two numbers between 0 and 1:
- faithfulness: how much of the answer is supported by the quoted evidence;
- relevance: how well the answer addresses the question.
Reply with JSON only, like {{"faithfulness": 0.9, "relevance": 1.0}}."""


class LLMJudge:
    """Scores answers with a chat model; failures give no score rather than stopping the run."""

    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model
        self.failures = 0

    def judge(self, item: dict[str, Any], answer: Any) -> dict[str, float]:
        """``{"llm_faithfulness": x, "llm_relevance": y}`` or ``{}`` (abstained / failed)."""
        if getattr(answer, "abstained", False):
            return {}
        quotes = "\n".join(f"[{c.marker}] {c.quote}" for c in getattr(answer, "citations", []))
        prompt = _PROMPT.format(question=item.get("question", ""), answer=answer.answer,
                                quotes=quotes or "(none)")
        try:
            reply = self.chat_model.invoke(prompt)
            text = getattr(reply, "content", reply)
            match = re.search(r"\{.*\}", str(text), re.S)
            data = json.loads(match.group(0)) if match else {}
            return {f"llm_{name}": max(0.0, min(1.0, float(data[name])))
                    for name in ("faithfulness", "relevance") if name in data}
        except Exception as e:  # a judge outage must not fail the evaluation
            self.failures += 1
            logger.warning("llm judge failed error=%s", e)
            return {}


def make_judge(settings: AssistantSettings) -> tuple[LLMJudge | None, str]:
    """The judge when the settings name an LLM endpoint (``REPORTQA_LLM_BASE_URL``), with a line
    for the report either way."""
    base_url = (settings.llm_base_url or "").strip()
    if not base_url:
        return None, ("LLM-judged faithfulness and relevance skipped: REPORTQA_LLM_BASE_URL is "
                      "not set.")
    try:
        from assistant.llm import build_chat_model

        chat = build_chat_model(base_url, settings.llm_model,
                                settings.llm_api_key.get_secret_value(), settings.llm_timeout_s)
    except Exception as e:
        return None, f"LLM-judged metrics skipped: cannot build the judge ({e})."
    return (LLMJudge(chat),
            f"LLM-judged faithfulness and relevance by {settings.llm_model} at {base_url}.")
