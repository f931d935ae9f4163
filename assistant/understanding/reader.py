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
_RUN = re.compile(r"\b\w+")  # where a name may start: a run of word characters


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
        self._people: dict[str, list[str]] = {}  # first word's leading run -> names
        self._patterns: dict[str, re.Pattern[str]] = {}  # name -> its compiled pattern

    def set_people(self, names: Iterable[str]) -> None:
        """The people the letters name (signatories, addressees, copy lists), to mask.

        Cheap to call on every refresh at any collection size: names are filed by their first
        word, and each name's pattern is compiled once, the first time a question could hold it
        (one alternation of every name took seconds to compile at 10,000 letters).
        """
        by_first: dict[str, list[str]] = {}
        for name in {" ".join(n.split()) for n in names if n and len(n.split()) >= 2}:
            first = _RUN.match(name)
            if first is not None:
                by_first.setdefault(first.group().lower(), []).append(name)
        for group in by_first.values():
            group.sort(key=lambda n: (-len(n), n))  # longest first, as an alternation would
        self._people = by_first

    def people_in(self, text: str) -> list[tuple[int, int]]:
        """Spans of the letters' people named in ``text`` (leftmost, longest, not overlapping;
        any case, any run of spaces between the parts)."""
        spans: list[tuple[int, int]] = []
        end = 0
        for run in _RUN.finditer(text):
            if run.start() < end:
                continue
            for name in self._people.get(run.group().lower(), ()):
                m = self._person_pattern(name).match(text, run.start())
                if m is not None:
                    spans.append(m.span())
                    end = m.end()
                    break
        return spans

    def _person_pattern(self, name: str) -> re.Pattern[str]:
        pattern = self._patterns.get(name)
        if pattern is None:
            pattern = re.compile(r"\s+".join(map(re.escape, name.split())) + r"\b",
                                 re.IGNORECASE)
            self._patterns[name] = pattern
        return pattern

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

    def classify(self, masked: str, corrected: str, whole: str | None = None) -> IntentScores:
        return self.classifier.scores(masked, corrected, whole_text=whole)


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
