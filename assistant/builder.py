"""Build the :class:`~assistant.chain.Assistant` from settings: the one place every door does it.

The command line, the API's lifespan, the Slack socket runner and the evaluation runner all call
:func:`build_assistant`, so ``REPORTQA_TOP_K``, ``REPORTQA_MIN_EVIDENCE`` and the answerer
settings mean the same thing everywhere.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Literal

from assistant.settings import AssistantSettings

if TYPE_CHECKING:
    from assistant.chain import Assistant
    from assistant.llm import LLMAnswerer
    from vectorstore.embedder import Embedder
    from vectorstore.store import LetterStore


class _Default(Enum):
    FROM_SETTINGS = "from settings"


FROM_SETTINGS = _Default.FROM_SETTINGS
"""Default of ``build_assistant(llm=...)``: the answerer the settings describe."""


def build_assistant(store: LetterStore, embedder: Embedder, settings: AssistantSettings, *,
                    llm: LLMAnswerer | None | Literal[_Default.FROM_SETTINGS] = FROM_SETTINGS,
                    ) -> Assistant:
    """The assistant that ``settings`` describe, over ``store`` and ``embedder``.

    Args:
        store: The letters to answer from.
        embedder: The embedder the store's vectors were made with.
        settings: Answerer and LLM endpoint, ``top_k`` and ``min_evidence``.
        llm: An answerer to use instead of the one the settings describe (tests); ``None`` is
            the offline extractive answerer.
    """
    from assistant.chain import Assistant
    from assistant.llm import llm_from_settings

    answerer = llm_from_settings(settings) if llm is FROM_SETTINGS else llm
    return Assistant(store, embedder, llm=answerer, top_k=settings.top_k,
                     min_evidence=settings.min_evidence)
