"""The question reader: spelling correction and intent classification, built once.

:class:`QuestionReader` holds what reading a question needs beyond the gazetteer: the spelling
corrector (vocabulary of the stored letters plus the question bank) and the intent classifier
(exemplar bank + MiniLM). The assistant builds one and rebuilds its vocabulary when the
collection changes; :func:`assistant.query.understand` uses it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from assistant.lexical import stem
from assistant.understanding.intents import (
    INTENTS_FILE,
    IntentBank,
    IntentClassifier,
    IntentScores,
    load_bank,
)
from assistant.understanding.spelling import Correction, SpellingCorrector, vocabulary_of

# Paths whose exemplars vary in topic: their words say nothing about the question's frame.
_TOPICAL_PATHS = frozenset({"topic", "list", "count", "compare", "timeline", "person"})
_WORD = re.compile(r"[a-z]+")


class QuestionReader:
    """Corrects and classifies questions.

    Args:
        embed: embeds texts into normalised vectors (the letters' embedder).
        model_name: the embedding model's name (cache key of the exemplar vectors).
        bank: the exemplar bank (default: ``assistant/data/intents.yaml``).
    """

    def __init__(self, embed: Callable[[list[str]], list[list[float]]],
                 model_name: str = "model", bank: IntentBank | None = None) -> None:
        self.bank = bank or load_bank(INTENTS_FILE)
        self.classifier = IntentClassifier(self.bank, embed, model_name=model_name)
        self._question_words = self.bank.words()
        self.speller = SpellingCorrector(vocabulary_of([]), self._question_words)
        self.frame_words = _frame_words(self.bank)
        self.frame_stems = {stem(w) for words in self.frame_words.values() for w in words}
        self._people: re.Pattern[str] | None = None

    def set_people(self, names: Iterable[str]) -> None:
        """The people the letters name (signatories, addressees, copy lists), to mask."""
        full = sorted({" ".join(n.split()) for n in names if n and len(n.split()) >= 2},
                      key=len, reverse=True)
        self._people = re.compile(r"\b(?:" + "|".join(
            r"\s+".join(map(re.escape, n.split())) for n in full) + r")\b",
            re.IGNORECASE) if full else None

    def people_in(self, text: str) -> list[tuple[int, int]]:
        """Spans of the letters' people named in ``text``."""
        return [m.span() for m in self._people.finditer(text)] if self._people else []

    def set_vocabulary(self, counts: Counter[str]) -> None:
        """The spelling vocabulary: the stored letters' word counts
        (:class:`assistant.understanding.spelling.LetterWords`)."""
        self.speller = SpellingCorrector(counts, self._question_words)

    def narrows(self, word: str) -> bool:
        """Whether a word of a question can narrow a section to a topic ("supervision" in
        "strengths in supervision"): not a word the question bank's frames keep using, and a
        word the letters use (when a vocabulary is known)."""
        if stem(word) in self.frame_stems:
            return False
        known = self.speller.letter_words
        return not known or word in known

    def correct(self, text: str, protected: list[tuple[int, int]]) -> Correction:
        return self.speller.correct(text, protected)

    def classify(self, masked: str, corrected: str) -> IntentScores:
        return self.classifier.scores(masked, corrected)


def _frame_words(bank: IntentBank) -> dict[str, set[str]]:
    """Per path, the words its exemplars keep using (three or more of them): the frame of the
    question rather than its topic ("signed", "letter", "went well")."""
    out: dict[str, set[str]] = {}
    for intent in bank.intents.values():
        if intent.name in _TOPICAL_PATHS:
            out[intent.name] = set()
            continue
        counts: dict[str, int] = {}
        for exemplar in intent.exemplars:
            for word in set(_WORD.findall(exemplar.lower())):
                counts[word] = counts.get(word, 0) + 1
        cue_words = {w for cue in intent.cues for w in _WORD.findall(cue)}
        out[intent.name] = {w for w, n in counts.items() if n >= 3} | cue_words
    return out
