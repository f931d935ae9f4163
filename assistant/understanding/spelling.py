"""Spelling correction of questions, before intent, section and topic are read.

Staff type fast: "who sgined the leeds letter", "wen were they in", "wat was the priorty action".
A word that is in no vocabulary (the words of the stored letters, the words of the question bank
in ``assistant/data/intents.yaml``, and English: the frequency dictionary that symspellpy ships) is
replaced by the closest word within one edit (two for long words; a transposition counts as one
edit): a word of the letters or of questions first, then common English, the more frequent word
winning a tie. A rare English word one edit from a far commoner question word ("wen", "wat",
"arras") is taken for that word. Spans the caller protects (council names, people) are never
touched, nor are capitalised words inside the question (names no vocabulary may know), numbers or
words of two letters.

Matching uses rapidfuzz's optimal-string-alignment distance.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.shortforms import is_short_form

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
# Short words are corrected only against these (a three-letter slip has too many neighbours).
_MIN_LENGTH = 3
_LONG = 7  # from this length two edits are allowed
# English words at least this frequent (in symspellpy's dictionary) are correction targets.
_COMMON = 1_000_000
# A known English word is read as a question word one edit away this many times more frequent.
_RARER = 100


@lru_cache(maxsize=1)
def english_frequencies() -> dict[str, int]:
    """English word frequencies from the dictionary symspellpy ships (82,765 words)."""
    text = resources.files("symspellpy").joinpath(
        "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


@dataclass
class Correction:
    """A question after spelling correction; ``changes`` maps each changed word to its fix."""

    original: str
    text: str
    changes: dict[str, str] = field(default_factory=dict)


# Contractions typed without their apostrophe: words, not slips.
_BARE_CONTRACTIONS = frozenset("""dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt
wont wouldnt shouldnt couldnt cant mustnt neednt aint theyre youre weve theyve thats whats
whos""".split())


class SpellingCorrector:
    """Corrects words against a vocabulary with frequencies.

    Args:
        counts: word -> frequency (lower case). Words seen once in a letter are kept too.
        question_words: words of questions (the exemplar bank) with their counts. A word of the
            bank that is neither English nor in the letters and occurs once is taken for one of
            the bank's own deliberate typos and left out.
        english: English word frequencies (default: symspellpy's dictionary).
    """

    def __init__(self, counts: Counter[str], question_words: Counter[str] | None = None,
                 english: dict[str, int] | None = None) -> None:
        self.english = english_frequencies() if english is None else english
        self.counts: Counter[str] = Counter({w.lower(): n for w, n in counts.items() if w})
        asked = question_words or Counter()
        self.asked_counts = Counter({w.lower(): n for w, n in asked.items()})
        self.letter_words = set(self.counts)
        self.question_words = {w.lower() for w, n in asked.items()
                               if n >= 4 or w.lower() in self.english or w.lower() in self.counts}
        for word in self.question_words:
            self.counts[word] += 50  # the words people ask with outrank rare letter words
        self._domain: dict[int, list[str]] = {}
        for word in self.counts:
            self._domain.setdefault(len(word), []).append(word)
        self._common: dict[int, list[str]] = {}
        for word, n in self.english.items():
            if n >= _COMMON and word not in self.counts:
                self._common.setdefault(len(word), []).append(word)

    def __contains__(self, word: str) -> bool:
        lower = word.lower()
        return lower in self.counts or lower in self.english

    def correct_word(self, word: str) -> str | None:
        """The word ``word`` was meant to be, or None when it is known or unclear."""
        lower = word.lower().replace("’", "'")
        if len(lower) < _MIN_LENGTH or lower in self.letter_words or not lower.isascii():
            return None
        if not any(v in lower for v in "aeiouy"):
            return None  # "bmth", "lbth", "nsfw": a short form, not a slip
        if "'" in lower and (lower.split("'")[0] in self.counts or lower.split("'")[0]
                             in self.english):
            return None
        if lower in _BARE_CONTRACTIONS or is_short_form(lower):
            return None  # "dont", "werent": typed without the apostrophe, not "done", "were"
        parts = [p for p in lower.split("-") if p]
        if len(parts) > 1 and all(p in self.counts or p in self.english or p.isdigit()
                                  for p in parts):
            return None  # "one-day", "step-down": known words joined, not a slip
        if lower in self.english:
            return self._commoner_question_word(word, lower)
        if lower in self.question_words:
            return None
        limit = 2 if len(lower) >= _LONG else 1
        short = len(lower) == _MIN_LENGTH
        best: tuple[int, int, bool, int, str] | None = None
        for tier, table in enumerate((self._domain, {} if short else self._common)):
            for candidate, distance in self._near(lower, table, limit):
                if short and candidate not in self.question_words:
                    continue
                freq = (10 * self.asked_counts[candidate] + self.counts[candidate]) if tier == 0 \
                    else self.english[candidate]
                # a letter left out ("wating") is the likeliest slip of all
                key = (distance, tier, not _one_dropped(lower, candidate), -freq, candidate)
                if best is None or key < best:
                    best = key
        if best is None:
            return None
        return _same_case(word, best[4])

    def _commoner_question_word(self, word: str, lower: str) -> str | None:
        """ "wen" -> "when": a rare English word one edit from a far commoner question word."""
        freq = self.english.get(lower, 0)
        best: tuple[int, str] | None = None
        for candidate, _ in self._near(lower, self._domain, 1):
            if candidate == lower:
                continue
            if candidate not in self.question_words:
                continue
            other = self.english.get(candidate, 0) or 10 * self.asked_counts[candidate]
            rank = self.asked_counts[candidate] * 10**12 + other  # the commoner in questions
            if candidate != word and other >= _RARER * max(freq, 1) and (
                    best is None or rank > best[0]):
                best = (rank, candidate)
        return _same_case(word, best[1]) if best else None

    @staticmethod
    def _near(word: str, table: dict[int, list[str]], limit: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for length in range(max(len(word) - limit, _MIN_LENGTH), len(word) + limit + 1):
            choices = table.get(length)
            if not choices:
                continue
            for candidate, distance, _ in process.extract(
                    word, choices, scorer=OSA.distance, score_cutoff=limit, limit=8):
                if len(candidate) < _MIN_LENGTH:
                    continue
                if distance == 2 and candidate[0] != word[0]:
                    continue  # two edits and another first letter: too far to be a slip
                out.append((candidate, int(distance)))
        return out

    def correct(self, text: str, protected: Iterable[tuple[int, int]] = ()) -> Correction:
        """Correct every unknown word of ``text`` outside the ``protected`` spans."""
        spans = list(protected)
        out: list[str] = []
        changes: dict[str, str] = {}
        last = 0
        for match in _WORD.finditer(text):
            start, end = match.span()
            word = match.group(0)
            out.append(text[last:start])
            last = end
            fixed = None
            inside = any(a < end and start < b for a, b in spans)
            capitalised = word[:1].isupper() and start > 0 and not _sentence_start(text, start)
            short_form = any(c.isupper() for c in word[1:])  # "IAs", "LAs", "NQSWs"
            if not inside and not capitalised and not word.isupper() and not short_form:
                fixed = self.correct_word(word)
            if fixed is not None and fixed.lower() != word.lower():
                changes[word] = fixed
                out.append(fixed)
            else:
                out.append(word)
        out.append(text[last:])
        return Correction(original=text, text="".join(out), changes=changes)


def _one_dropped(typed: str, candidate: str) -> bool:
    """Whether ``typed`` is ``candidate`` with one letter left out."""
    if len(candidate) != len(typed) + 1:
        return False
    return any(candidate[:i] + candidate[i + 1:] == typed for i in range(len(candidate)))


def vocabulary_of(texts: Iterable[str]) -> Counter[str]:
    """Word frequencies of ``texts`` (lower case)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.lower().replace("’", "'") for w in _WORD.findall(text))
    return counts


class LetterWords:
    """Word counts of the stored letters, kept in step letter by letter.

    :meth:`update` counts the words of letters that are new or replaced (a new revision) and
    takes away those of letters that are gone, so a refresh after one new letter reads one
    letter, not the whole collection.
    """

    def __init__(self) -> None:
        self.all: Counter[str] = Counter()  # every word, lower-cased (the spelling vocabulary)
        self.lowercase: Counter[str] = Counter()  # words of 4+ letters written in lower case
        self._letters: dict[str, tuple[str, Counter[str], Counter[str]]] = {}

    def update(self, letters: Iterable[tuple[str, str, str]]) -> bool:
        """Bring the counts to ``letters`` (document id, revision, text); True when they changed."""
        current = {document_id: (revision, text) for document_id, revision, text in letters}
        changed = False
        for document_id, (revision, words, lowercase) in list(self._letters.items()):
            if current.get(document_id, (None,))[0] != revision:
                self.all -= words
                self.lowercase -= lowercase
                del self._letters[document_id]
                changed = True
        for document_id, (revision, text) in current.items():
            if document_id in self._letters:
                continue
            words = vocabulary_of([text])
            lowercase = Counter(_LOWERCASE_WORD.findall(text))
            self.all += words
            self.lowercase += lowercase
            self._letters[document_id] = (revision, words, lowercase)
            changed = True
        return changed

    def of(self, document_id: str) -> Collection[str]:
        """The words of one letter (lower case; empty when the letter is not counted)."""
        entry = self._letters.get(document_id)
        return entry[1].keys() if entry is not None else ()


_LOWERCASE_WORD = re.compile(r"\b[a-z]{4,}\b")


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".?!:;\"'(“‘-–—"


def _same_case(original: str, word: str) -> str:
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
