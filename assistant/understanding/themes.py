"""Which theme(s) of the taxonomy a question's topic phrase is about.

The phrase ("short of social workers", "kids not seen on their own", "EDT") is read in two ways,
in order:

1. **Terms.** Every theme lists the words staff use for it (``ingest/data/themes.yaml``). The
   longest term found in the phrase wins its span, so "seen on their own" (children seen alone)
   beats "not seen" (children seen), and "police referrals" beats "referrals". Short forms in
   capitals ("EDT", "IT") match only in capitals, so "it" is never the IT system.
2. **Meaning.** Otherwise the phrase's vector is read by the same tagger that tagged the findings;
   its best theme is taken when clear enough (``MEANING_FLOOR``, calibrated on the themes suite's
   dev questions).

Several themes named together are all required ("vacancies in the out of hours team"), each by
its tag or by the words the question used for it, unless the phrase joins them with "or" or "/".
A theme whose word the other's own description uses is a facet of that one, not a second theme
("partners not getting the thresholds" is thresholds). A noun two words share is spelt out first
("initial or core assessments"). A phrase no theme covers gives no reading: the caller then
matches findings by similarity and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.shortforms import long_form, spell_out
from ingest.themes import Taxonomy, ThemeTagger, term_pattern

# Below this probability the tagger's best theme for a phrase is not trusted (calibrated on
# evals/suites/themes/dev.jsonl).
MEANING_FLOOR = 0.30


@dataclass(frozen=True)
class ThemeReading:
    """The themes a topic phrase was read as, and how."""

    ids: tuple[str, ...]
    how: str  # "term" or "meaning"
    matched: tuple[str, ...] = ()  # the terms found (for "term")
    any_of: bool = False  # "supervision or oversight": either theme qualifies
    names: tuple[str, ...] = ()  # the themes' names, as the taxonomy gives them

    def describe(self) -> str:
        """The reading in words: "vacancies and recruitment" / "supervision or morale"."""
        names = [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in self.names or self.ids]
        return (" or " if self.any_of else " and ").join(names)


class ThemeReader:
    """Reads topic phrases as themes (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy, tagger: ThemeTagger | None = None,
                 embed_query: Callable[[str], list[float]] | None = None) -> None:
        self.taxonomy = taxonomy
        self.tagger = tagger
        self.embed_query = embed_query

    @cached_property
    def _terms(self) -> list[tuple[re.Pattern[str], str, str]]:
        out: list[tuple[re.Pattern[str], str, str]] = []
        for theme in self.taxonomy.themes:
            for term in theme.question_terms:
                out.append((term_pattern(term), theme.id, term))
        out.sort(key=lambda item: len(item[2]), reverse=True)
        return out

    def read(self, phrase: str) -> ThemeReading | None:
        """The themes ``phrase`` is about, or None when no theme covers it."""
        text = normalise_phrase(phrase)
        if not text:
            return None
        ids: list[str] = []
        matched: list[str] = []
        for _span, theme_id, term in self.term_hits(_spread(text)):
            if theme_id not in ids:
                ids.append(theme_id)
                matched.append(term)
        any_of = bool(re.search(r"\bor\b|/", text, re.IGNORECASE))
        if len(ids) > 1:
            ids, matched = self._without_facets(ids, matched)
        if ids:
            return ThemeReading(tuple(ids), "term", tuple(matched), any_of=any_of,
                                names=tuple(self.taxonomy.name_of(t) for t in ids))
        if self.tagger is None or self.embed_query is None:
            return None
        vector = np.asarray(self.embed_query(text), dtype=np.float32).reshape(1, -1)
        probs = self.tagger.probabilities(vector, [text])[0]
        best = int(np.argmax(probs))
        if probs[best] < MEANING_FLOOR:
            return None
        theme_id = self.tagger.ids[best]
        return ThemeReading((theme_id,), "meaning", names=(self.taxonomy.name_of(theme_id),))

    def _without_facets(self, ids: list[str], matched: list[str]
                        ) -> tuple[list[str], list[str]]:
        """Themes named together less those that are a facet of another: a theme whose word
        the other's own description uses ("partners not getting the thresholds": thresholds
        are "agreed with partner agencies"; "supervision not recorded") is part of that one."""
        def describes(owner: str, term: str) -> bool:
            first = re.split(r"(?<=\.)\s", self.taxonomy.by_id[owner].definition)[0]
            long = long_form(term)  # "DV incidents": the definition says "domestic violence"
            return bool(term_pattern(term).search(first)) or bool(
                long and term_pattern(long).search(first))

        keep = [(t, w) for t, w in zip(ids, matched, strict=True)
                if not any(o != t and describes(o, w) and not describes(t, m)
                           for o, m in zip(ids, matched, strict=True))]
        return [t for t, _ in keep] or ids, [w for _, w in keep] or matched

    def term_hits(self, text: str) -> list[tuple[tuple[int, int], str, str]]:
        """The theme terms in ``text`` (normalised by :func:`normalise_phrase`): each hit's
        span, theme and term, longest terms first, none overlapping another."""
        taken: list[tuple[tuple[int, int], str, str]] = []
        for pattern, theme_id, term in self._terms:  # longest terms first
            for hit in pattern.finditer(text):
                span = hit.span()
                if any(a < span[1] and span[0] < b for (a, b), _, _ in taken):
                    continue
                taken.append((span, theme_id, term))
        return taken


_ELLIPSIS_BEFORE = re.compile(r"\b([a-z]+)\s+(or|and|/)\s+([a-z]+)\s+([a-z]+s)\b", re.IGNORECASE)
_ELLIPSIS_AFTER = re.compile(r"\b([a-z]+s)\b.*?[-–—:(,]\s*([a-z]+)\s+(or|and|/)\s+([a-z]+)\s*\)?$",
                             re.IGNORECASE)


def _spread(text: str) -> str:
    """Shared words spelt out: "initial or core assessments" and "assessments being late -
    initial or core" read as "initial assessments or core assessments"."""
    text = _ELLIPSIS_BEFORE.sub(lambda m: f"{m[1]} {m[4]} {m[2]} {m[3]} {m[4]}", text)
    after = _ELLIPSIS_AFTER.search(text)
    if after:
        noun, a, joint, b = after.groups()
        text = f"{text} ({a} {noun} {joint} {b} {noun})"
    return text


def normalise_phrase(phrase: str) -> str:
    """A topic phrase as the reader reads it: straight apostrophes, single spaces, short forms
    spelt out."""
    return " ".join(spell_out(phrase.replace("’", "'")).split())
