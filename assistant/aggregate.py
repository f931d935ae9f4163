"""Cross-letter questions: lists, counts, comparisons and timelines, each item cited.

Top-k retrieval under-counts these by design (a top-8 search cannot list 30 councils), so this path
scans every candidate letter's structured record in the catalogue instead: the sections and
findings parsed at ingest, with their spans into the stored text. Topics are matched against
findings by meaning and words (:mod:`assistant.topics`).

* list: one line per letter (or council) with its date and a verbatim, cited quote of the finding
  that qualifies it; long lists are complete in ``items`` and summarised in the text.
* count: the number, the criteria it was counted under, and the cited list behind it.
* compare: two (or more) councils' letters side by side, section by section.
* timeline: one council's letters in date order, with what changed between them.

"No letters match" is an answer, not an abstention: it says what was searched.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.catalog import CatalogLetter, LetterCatalog
from assistant.citations import Draft
from assistant.formatting import _MONTHS, human_date, join_names
from assistant.gazetteer import place_of
from assistant.passages import Passage, sentence_spans
from assistant.query import (
    ADDRESSEE,
    COMPARE,
    COPY_LIST,
    COUNT,
    INSPECTION_DATES,
    INSPECTION_TYPE,
    LETTER_DATE,
    LIST,
    SIGNATORY,
    TIMELINE,
    Query,
)
from assistant.topics import (
    MATCH_THRESHOLD,
    NEGATIVE_SECTIONS,
    THEME_LIST_PROBABILITY,
    FindingIndex,
    FindingRow,
    StoreVectors,
    Topic,
    TopicMatch,
    VectorSource,
    parse_topic,
)
from assistant.understanding.themes import ThemeReader, term_pattern
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    INTRODUCTION,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
    Section,
)
from vectorstore.embedder import Embedder

if TYPE_CHECKING:
    from ingest.themes import ThemeTagger

logger = logging.getLogger(__name__)

# Lines written out in the text of a list before it says "and N more" (items stay complete).
MAX_LINES = 25
# A later finding "follows" an earlier one (same matter) at or above this dense + overlap / 2.
FOLLOW_THRESHOLD = 0.6
FOLLOW_THEME_BONUS = 0.2
# A finding the tagger did not tag with the asked theme still qualifies when it matches the topic's
# words and the tagger gives the theme at least this share of its likeliest theme's probability
# (calibrated on the themes dev split).
THEME_SUPPORT = 0.5
# A finding holding the term the question named the theme by qualifies at this probability.
THEME_WORDS_PROBABILITY = 0.1
# Quotes shown per letter in a list line (the items hold them all).
MAX_QUOTES = 3
# Letters shown side by side at most in a comparison.
MAX_COMPARED = 4

_I = re.IGNORECASE

NEGATIVE = NEGATIVE_SECTIONS

# ---- criteria: what a cross-letter question asks for ---------------------------------------

_SECTION_NAMES: list[tuple[str, re.Pattern[str]]] = [
    (PRIORITY_ACTION, re.compile(r"\bpriorit(?:y|ies)(?:\s+actions?)?\b", _I)),
    (AREAS_FOR_DEVELOPMENT, re.compile(
        r"\bareas?\s+(?:for|of)\s+(?:development|improvement)\b|\bdevelopment\s+areas?\b", _I)),
    (STRENGTHS, re.compile(r"\bstrengths?\b", _I)),
    (SATISFACTORY, re.compile(r"\bsatisfactor\w*|\bin\s+accordance\s+with\s+national\s+guidance",
                              _I)),
]
_SECTION_PHRASES = re.compile(
    r"\b(?:as|among|amongst|under|in|within|for)\s+(?:(?:an?|the|their|its|one\s+of\s+(?:their|"
    r"its|the))\s+)?(?:areas?\s+(?:for|of)\s+(?:priority\s+action|development|improvement)|"
    r"priority\s+actions?|priorit(?:y|ies)|strengths?|satisfactory\s+findings?)\b|"
    r"\b(?:an?\s+|any\s+|one\s+|more\s+than\s+one\s+|at\s+least\s+\w+\s+)?areas?\s+(?:for|of)\s+"
    r"(?:priority\s+action|development|improvement)s?\b|\b(?:an?\s+|any\s+)?priority\s+actions?\b|"
    r"\b(?:an?\s+|any\s+)?priorit(?:y|ies)\b|\bstrengths?\b|\bsatisfactor\w*(?:\s+findings?)?\b",
    _I)
_NEG_VERBS = (r"(?:been\s+)?(?:have|having|raised?|mention(?:ed)?|identif(?:y|ied)|get|got|given|"
              r"receiv(?:e|ed)|includ(?:e|ed)|find|found|note[d]?|show(?:n)?|contain(?:ed)?|"
              r"cite[d]?|flag(?:ged)?|report(?:ed)?|highlight(?:ed)?|criticis(?:e|ed)|"
              r"criticiz(?:e|ed)|praised?|commended|say|said|list(?:ed)?|any|need(?:ed)?)\b")
_NEGATION = re.compile(
    r"\b(?:had|have|has|with|received|got|showed|shows|gave|given|there\s+(?:was|were|is|are))"
    r"\s+no\b|"
    r"\b(?:(?:did|do|does|were|was|are|is|has|have|had)\s+not|(?:did|do|does|were|was|are|is|"
    rf"has|have|had)n't)\s+{_NEG_VERBS}|"
    r"\bwithout\s+any\b|\bwithout\s+(?:an?\s+)?(?=(?:areas?\b|priorit|strengths?\b|"
    r"concerns?\b|findings?\b|mention|issues?\b|problems?\b))|"
    r"\b(?:no|zero|nil)\s+(?=(?:areas?\b|priorit|strengths?\b|concerns?\b|findings?\b|mention))|"
    r"\bfree\s+of\b|\bnot\s+(?:identified|raised|mentioned|found|criticised|praised|"
    r"flagged|cited)\b", _I)
_COMPARATOR = re.compile(
    r"\b(more\s+than|over|at\s+least|fewer\s+than|less\s+than|exactly|only|just|had|have|has|"
    r"with|given|got|get|received)\s+(one|two|three|four|five|six|\d+)\s+(?=(?:areas?|priorit|strengths?|"
    r"findings?))", _I)
_HOW_MANY_FINDINGS = re.compile(
    r"\bhow\s+many\s+(?:areas?|priorit|strengths?|findings?|satisfactory|separate|different)", _I)
_SIGNED_BY = re.compile(r"\bsigned\s+by\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})|"
                        r"\bdid\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s+sign\b")
# Words of the question (not of the topic) that say a problem, or a strength, is sought. "Raised"
# is how the genre speaks of concerns ("the inspection raised the timeliness of assessments").
_ASKS_CONCERN = re.compile(
    r"\bas\s+(?:an?\s+)?(?:concerns?|weakness(?:es)?|problems?|issues?|shortcomings?|"
    r"failings?|criticisms?)\b|\bconcerns?\s+(?:about|over|regarding|with|around)\b|"
    r"\bconcerns?\b|\bcritical\s+(?:of|about)\b|\bcriticis\w+(?:\s+(?:for|over|about))?|"
    r"\bcriticiz\w+(?:\s+(?:for|over|about))?|\bfound\s+(?:wanting|lacking)\b|"
    r"\brais(?:ed|e|es|ing)\b|\bflagg?(?:ed|s)?\b|"
    r"\b(?:weakness(?:es)?|problems?|shortcomings?|failings?|deficienc(?:y|ies)|difficult(?:y|ies)|"
    r"issues?|poor\s+practice)\s+(?:in|with|about|over|around|regarding|of)\b", _I)
# Filler that names no matter of its own ("attention to X", "the use of X").
_FILLER = re.compile(r"\b(?:(?:the\s+)?attention\s+(?:paid\s+)?to|the\s+use\s+of|use\s+of|"
                     r"the\s+way\s+(?:in\s+which\s+)?|arrangements\s+for|aspects?\s+of)\b", _I)
_ASKS_PRAISE = re.compile(
    r"\bpraised?(?:\s+(?:for|on))?\b|\bcommended(?:\s+(?:for|on))?\b|\bas\s+(?:a\s+)?"
    r"(?:positive|good\s+practice|strength)s?\b|\bcredited\s+(?:with|for)\b|"
    r"\bdid\s+well\b|\bgood\s+practice\b", _I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FRAME = re.compile(
    r"\bhow\s+many(?:\s+of\s+the)?\b|\bnumber\s+of\b|\bin\s+total\b|\btotal\b|"
    r"\b(?:which|what)\s+(?:other\s+)?(?:councils?|authorit(?:y|ies)|local\s+authorit(?:y|ies)|"
    r"las?|letters?|inspections?|ones?)\b|"
    r"\b(?:list|name|show|give|tell|find|identify|count)(?:\s+me)?(?:\s+(?:all|every|each))?"
    r"(?:\s+(?:of\s+)?the)?\b|"
    r"\b(?:were|was|are|is|did|do|does|had|have|has|got|get|received|receive|been|be|there)\b|"
    r"\b(?:raised?|raising|mention(?:ed|s|ing)?|identif(?:y|ied|ies)|found|report(?:ed|s)?|"
    r"not(?:ed|es)|highlight(?:ed|s)?|cite[sd]?|criticis(?:ed|es|m)|criticiz(?:ed|es)|"
    r"flagg(?:ed|ing)|praised?|commended|say|said|says|include[sd]?|including|contain(?:ed|s)?|"
    r"refer(?:red|s)?(?:\s+to)?|inspected|inspections?|letters?|councils?|authorit(?:y|ies)|"
    r"local|las|ofsted|any|all|every|each|ones?|where|whose|which|what|that|those|these|"
    r"concerns?\s+(?:about|over|regarding)|issues?\s+(?:with|about)|problems?\s+with|"
    r"findings?\s+(?:about|on)|finding|findings|please|also|both|other|please|list|"
    r"children's\s+services|inspectors?|carried\s+out|took\s+place|conducted|undertaken|"
    r"happened|visited|visits?|received|sent|wrote|written|given|awarded|(?:an?\s+)?(?:issue|problem)s?\s+(?:of|with)|"
    r"their|its|his|her|they|them|it|me|us|we|i|you)\b|[?!.,;:]", _I)
_EDGE_WORDS = re.compile(r"^(?:(?:in|of|on|for|about|with|to|a|an|and|or|by|as|at|from|re|the|"
                         r"regarding|concerning|between)\s+)+|(?:\s+(?:in|of|on|for|about|with|to|"
                         r"a|an|and|or|by|as|at|from|the))+$|^(?:in|of|on|for|about|with|to|a|an|"
                         r"and|or|by|as|at|from|re|the)$", _I)
_CHANGE_FRAME = re.compile(
    r"\bhow\b|\bchang\w*|\bcompar\w*|\bversus\b|\bvs\b\.?|\bcontrast\w*|\bdiffer\w*|"
    r"\bbetween\s+(?:(?:its|their|the)\s+)?(?:(?:two|2|three|first\s+and\s+(?:second|last|latest)|"
    r"last\s+two)\s+)?(?:inspections?|letters?|visits?)\b|\bover\s+time\b|\btrends?\b|"
    r"\bprogress(?:ed)?\b|\bimprov(?:e|ed|ement)\s+since\b|\bsince\s+(?:the|its|their)\s+"
    r"(?:last|previous|first|earlier)\s+(?:inspection|letter|visit)\b|\bside\s+by\s+side\b|"
    r"\bevolv\w*|\bdevelop(?:ed)?\s+over\b|\btimeline\b|\bbetween\s+them\b", _I)
_MONTH = (r"(January|February|March|April|May|June|July|August|September|October|November|"
          r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
_DATE_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?:{_MONTH}\s+)?(20\d\d)?\s*(?:and|to|until|-|–)\s+{_MONTH}?\s*"
    rf"(20\d\d)\b", _I)
_IN_MONTH = re.compile(rf"\b(?:in|during)\s+{_MONTH}\s+(20\d\d)\b", _I)
_SINCE = re.compile(rf"\b(since|after|from|before|until|prior\s+to)\s+(?:{_MONTH}\s+)?(20\d\d)\b"
                    rf"(?:\s+onwards?)?", _I)
_LETTER_DATED = re.compile(r"\b(?:dated|written|sent|issued|published|letter\s+date)\b", _I)
_COUNCIL_UNIT = re.compile(r"\b(?:councils?|authorit(?:y|ies)|local\s+authorit(?:y|ies)|las)\b",
                           _I)
_LETTER_UNIT = re.compile(r"\b(?:letters?|inspections?|visits?)\b", _I)
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")
_NONE_SENTENCE = re.compile(
    r"\bno\s+(?:areas?\s+(?:for|of)\s+)?priority\s+actions?\b|\bnone\s+identified\b|"
    r"\bnot\s+identify\s+any\s+areas?\s+for\s+priority\b|\bno\s+priority\b|\bnone\b|\bno\s+\w+",
    _I)


@dataclass
class Criteria:
    """What a list/count question selects, in words and as tests on a letter."""

    section: str | None = None  # the (first) section the question names explicitly
    also: tuple[str, ...] = ()  # further sections named ("as an area for development or priority")
    topic: Topic | None = None
    signatory: str | None = None  # "signed by Margaret Ellison"
    count_findings: bool = False  # "how many areas for development ...": findings, not letters
    negated: bool = False
    comparator: tuple[str, int] | None = None  # (">", 1) for "more than one area ..."
    window: tuple[str, str] | None = None  # ISO dates, inclusive
    years: list[int] = field(default_factory=list)
    letter_dated: bool = False  # years/window apply to the letter date, not the inspection
    unit: str = "letters"  # or "councils"
    month: int | None = None  # "in November, any year"
    twice: bool = False  # councils inspected more than once
    days: int | None = None  # "one-day inspections"
    # a condition on a section beside a topic: "no priority action, yet concerns about X"
    structure: tuple[str, str, int] | None = None

    def sections(self) -> tuple[str, ...]:
        """The sections scanned for the topic."""
        if self.section:
            return (self.section, *self.also)
        if self.topic is not None:
            return self.topic.sections()
        return FINDING_SECTIONS

    def describe(self, with_dates: bool = True) -> str:
        """The criteria in words, e.g. "inspected in 2010, with no area for priority action"."""
        parts: list[str] = []
        when = self._when()
        if when and with_dates:
            parts.append(when)
        if self.month and not self.window:
            parts.append(f"inspected in {_MONTHS[self.month - 1]} (any year)")
        if self.days is not None:
            parts.append(f"an inspection of {self.days} day{'s' if self.days != 1 else ''}")
        if self.twice:
            parts.append("of a council inspected more than once")
        if self.signatory:
            parts.append(f"signed by {self.signatory}")
        if self.structure is not None:
            name, op, k = self.structure
            parts.append(f"with no {_section_words(name, plural=False)}" if (op, k) == ("==", 0)
                         else f"with {_OP_WORDS[op]} {k} {_section_words(name, k != 1)}")
        scope = join_names([_section_words(s) for s in self.sections()]) if (
            self.section or (self.topic and self.topic.polarity)) else ""
        if self.topic is not None and not self.topic.empty:
            subject = f"“{self.topic.text}”" if self.topic.reading is None else \
                self.topic.reading.describe()
            on = f"finding on {subject}" + (f" in {scope}" if scope else "")
            parts.append(("with no " if self.negated else "with a ") + on)
        elif self.section:
            name = _section_words(self.section, plural=False)
            if self.comparator:
                op, n = self.comparator
                parts.append(f"with {_OP_WORDS[op]} {n} {_section_words(self.section, n != 1)}")
            elif self.negated:
                parts.append(f"with no {name}")
            else:
                parts.append(f"with at least one {name}")
        return ", ".join(parts)

    def _when(self) -> str:
        verb = "dated" if self.letter_dated else "inspected"
        if self.window:
            start, end = self.window
            if start <= "0000-99":
                return f"{verb} before {human_date(_valid(end))}"
            if end >= "9999":
                return f"{verb} on or after {human_date(_valid(start))}"
            return f"{verb} between {human_date(_valid(start))} and {human_date(_valid(end))}"
        if self.years:
            years = join_names([str(y) for y in self.years])
            if len(self.years) > 2 and self.years == list(range(self.years[0],
                                                                self.years[-1] + 1)):
                years = f"{self.years[0]} to {self.years[-1]}"
            return f"{verb} in {years}"
        return ""

    def in_dates(self, letter: CatalogLetter) -> bool:
        """Whether the letter falls in the asked years, month and date window, and lasted the
        asked number of days."""
        meta = letter.parsed.metadata
        date = (meta.letter_date or meta.inspection_start) if self.letter_dated else (
            meta.inspection_start or meta.letter_date)
        if self.years and (not date or int(date[:4]) not in self.years):
            return False
        if self.month and (not date or int(date[5:7]) != self.month):
            return False
        if self.days is not None and _inspection_days(letter) != self.days:
            return False
        if self.window:
            return bool(date) and self.window[0] <= str(date) <= self.window[1]
        return True


_MONTH_ANY_YEAR = re.compile(rf"\b(?:in|during)\s+(?:an?\s+)?{_MONTH}\b(?!\s+(?:19|20)\d\d)"
                             r"(?:\s*,?\s*(?:in\s+)?any\s+year)?", _I)
_TWICE = re.compile(r"\b(?:inspected|visited)\s+(?:twice|more\s+than\s+once|two\s+times)\b|"
                    r"\b(?:two|2|both|second|multiple|repeat)\s+(?:visits|inspections|letters)\b|"
                    r"\btwice\b|\bmore\s+than\s+once\b|\binspected\s+again\b", _I)
_DAYS_LONG = re.compile(
    r"\b(one|two|three|a|1|2|3)[\s-]+days?(?:[\s-]+long)?\s+(?:inspections?|visits?)\b|"
    r"\b(?:lasted|lasting|took|were|was)\s+(?:only\s+|just\s+)?(one|two|three|a|1|2|3)\s+days?\b|"
    r"\b(?:only|just)\s+(one|two|a|1|2)\s+days?\s+long\b", _I)
_SIGNATORY_OWNS = re.compile(r"\b(?:of\s+)?([A-Z][a-z]+\s+[A-Z][a-z]+)['’]s\s+(?:letters|"
                             r"inspections|ones)\b")
_NO_SECTION = re.compile(
    r"\b(?:no|zero|nil|without\s+(?:any\s+)?)\s+(?:areas?\s+(?:for|of)\s+)?"
    r"(?:priority\s+actions?|priorit(?:y|ies)|areas?\s+for\s+development|strengths)\b", _I)
_WHICH_FIRST = re.compile(r"\bwhich\b[^?]{0,40}\b(?:first|earlier|earliest|sooner|last|later|"
                          r"latest|most\s+recently|more\s+recently)\b", _I)
_WHICH_OF = re.compile(r"\bwhich\s+of\b|\bwhich\s+(?:one|council|authority)\b|\bwhether\b", _I)
_STILL = re.compile(r"\bstill\b|\bpersist\w*|\bremain\w*|\bresolved\b|\baddressed\b|"
                    r"\bimproved\b|\bfollowed\s+up\b|\bdealt\s+with\b", _I)

_FIELD_OF_INTENT = {SIGNATORY: "signatory", ADDRESSEE: "addressee", LETTER_DATE: "letter_date",
                    INSPECTION_DATES: "inspection_dates", INSPECTION_TYPE: "inspection_type",
                    COPY_LIST: "copy_list"}

_OP_WORDS = {">": "more than", ">=": "at least", "<": "fewer than", "==": "exactly"}


def criteria_of(query: Query) -> Criteria:
    """Read the list/count criteria of ``query`` (its text, years and inherited section)."""
    text = query.read_text
    crit = Criteria(years=list(query.years), letter_dated=bool(_LETTER_DATED.search(text)))
    crit.unit = "councils" if (_COUNCIL_UNIT.search(text) and not _LETTER_UNIT.search(
        re.sub(r"\bhow\s+many\s+(?:councils|authorities)", "", text, flags=_I))) else "letters"
    named = sorted(((rx.search(text).start(), name) for name, rx in _SECTION_NAMES  # type: ignore[union-attr]
                    if rx.search(text)))
    if named:
        crit.section = named[0][1]
        crit.also = tuple(name for _, name in named[1:])
    elif "topic" in query.inherited and query.section:
        crit.section = query.section
    match = _COMPARATOR.search(text)
    if match:
        word, n = match.group(1).lower(), match.group(2).lower()
        count = _NUMBERS.get(n, int(n) if n.isdigit() else 1)
        op = {"more than": ">", "over": ">", "at least": ">=", "fewer than": "<",
              "less than": "<", "exactly": "==", "only": "==", "just": "==", "had": "==",
              "have": "==", "has": "==", "with": "==", "given": "==", "got": "==", "get": "==",
              "received": "=="}[" ".join(word.split())]
        crit.comparator = (op, count)
    crit.count_findings = bool(crit.section and _HOW_MANY_FINDINGS.search(text))
    signed = _SIGNED_BY.search(text)
    if signed:
        crit.signatory = " ".join((signed.group(1) or signed.group(2)).split()).strip(" ?.!'\"")
    crit.negated = bool(_NEGATION.search(text))
    crit.window, open_years = _date_window(text)
    if open_years:  # "since 2010" is a window, not the year 2010 alone
        crit.years = [y for y in crit.years if y not in open_years]
    if getattr(query, "date_from", None) or getattr(query, "date_to", None):
        crit.window = (getattr(query, "date_from", None) or "0000-00-00",
                       getattr(query, "date_to", None) or "9999-12-31")
    if crit.window is None and not crit.years:
        month = _MONTH_ANY_YEAR.search(text)
        if month:
            crit.month = _month_number(month.group(1))
    crit.twice = bool(_TWICE.search(text))
    days = _DAYS_LONG.search(text)
    if days:
        word = next(g for g in days.groups() if g).lower()
        crit.days = int(word) if word.isdigit() else _NUMBERS.get(word, 1)
    if crit.signatory is None:
        owner = _SIGNATORY_OWNS.search(text)
        if owner:
            crit.signatory = owner.group(1)
    phrase = topic_phrase(query)
    for rx in (_TWICE, _DAYS_LONG, _SIGNATORY_OWNS, _MONTH_ANY_YEAR, _NO_SECTION):
        phrase = rx.sub(" ", phrase)
    phrase = " ".join(phrase.split())
    topic = parse_topic(phrase) if phrase else None
    crit.topic = topic if topic is not None and not topic.empty else None
    if crit.topic is not None and crit.section is not None:
        none = _NO_SECTION.search(text)
        if none:  # "no priority actions, yet concerns about X": a condition and a topic
            crit.structure = (crit.section, "==", 0)
            crit.section, crit.also, crit.negated = None, (), False
            crit.topic.polarity = crit.topic.polarity or (
                "negative" if _ASKS_CONCERN.search(text) else None)
    if crit.topic is not None and crit.section is None:
        # "raised X as a concern", "critical of X", "praised for X": the question's own words
        # say whether a problem or a strength is sought.
        if _ASKS_CONCERN.search(text) and not _ASKS_PRAISE.search(text):
            crit.topic.polarity = "negative"
        elif _ASKS_PRAISE.search(text) and not _ASKS_CONCERN.search(text):
            crit.topic.polarity = "positive"
    return crit


def topic_phrase(query: Query) -> str:
    """What the question asks about, once councils, dates, sections and question words go."""
    text = " " + query.read_text.replace("’", "'") + " "
    for council in query.councils:
        words = council.mention.split()
        if words:
            pattern = r"[\W_]+".join(re.escape(w) for w in words)
            text = re.sub(rf"\b{pattern}(?:'s|s')?\b", " ", text, flags=_I)
    for rx in (_DATE_RANGE, _IN_MONTH, _SINCE):
        text = rx.sub(" ", text)
    text = re.sub(rf"\b(?:in|during|from|of|for)?\s*(?:{_MONTH}\s+)?(?:19|20)\d\d\b", " ", text,
                  flags=_I)
    text = re.sub(r"\b(?:between|from)\s+(?:and|to)\b", " ", text, flags=_I)
    text = _SIGNED_BY.sub(" ", text)
    text = _COMPARATOR.sub(" ", text)
    text = _ASKS_CONCERN.sub(" ", text)
    text = _ASKS_PRAISE.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _NEGATION.sub(" ", text)
    text = _SECTION_PHRASES.sub(" ", text)
    if query.aggregate in (COMPARE, TIMELINE):
        text = _CHANGE_FRAME.sub(" ", text)
    text = _FRAME.sub(" ", text)
    text = re.sub(r"\b(?:a|an|and|or)\b(?=\s*$)", " ", text, flags=_I)
    text = re.sub(r"(?<![A-Za-z])['’]|['’](?![A-Za-z])", " ", text)  # "councils'" -> ""
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _EDGE_WORDS.sub("", text).strip()
    return text


def _date_window(text: str) -> tuple[tuple[str, str] | None, list[int]]:
    """A date window the question states beyond whole years ("between March and June 2010",
    "since 2010"), and the years its wording names (which then no longer filter by themselves)."""
    match = _DATE_RANGE.search(text)
    if match:
        m1, y1, m2, y2 = match.groups()
        if not (m1 or m2):
            return None, []  # "between 2009 and 2011": whole years, already in query.years
        y1 = y1 or y2
        start = f"{y1}-{_month_number(m1) if m1 else 1:02d}-01"
        end = f"{y2}-{_month_number(m2) if m2 else 12:02d}-31"
        return ((start, end) if start <= end else (end, start)), []
    match = _IN_MONTH.search(text)
    if match:
        month, year = _month_number(match.group(1)), match.group(2)
        return (f"{year}-{month:02d}-01", f"{year}-{month:02d}-31"), []
    match = _SINCE.search(text)
    if match:
        word, month_name, year = match.group(1).lower(), match.group(2), match.group(3)
        month = _month_number(month_name) if month_name else 1
        if word in ("since", "from"):
            return (f"{year}-{month:02d}-01", "9999-12-31"), [int(year)]
        if word == "after":
            if month_name:
                return (f"{year}-{month:02d}-32", "9999-12-31"), [int(year)]
            return (f"{int(year) + 1}-01-01", "9999-12-31"), [int(year)]
        return ("0000-00-00", f"{year}-{month:02d}-00"), [int(year)]
    return None, []


def _valid(iso: str) -> str:
    """``2010-06-31`` -> ``2010-06-30``; ``2010-06-00`` -> ``2010-05-31`` (window ends)."""
    import calendar
    import datetime as dt

    year, month, day = (int(x) for x in iso.split("-"))
    if day == 0:
        return (dt.date(year, month, 1) - dt.timedelta(days=1)).isoformat()
    last = calendar.monthrange(year, month)[1]
    if day > last:
        return (dt.date(year, month, last) + dt.timedelta(days=1)).isoformat() \
            if day == 32 else dt.date(year, month, last).isoformat()
    return iso


def _month_number(name: str) -> int:
    """1-12 for a month's name or its short form ("Nov", "Sept")."""
    key = name.lower().rstrip(".")[:3]
    return next(n for n, month in enumerate(_MONTHS, 1) if month.lower().startswith(key))


def _section_words(section: str, plural: bool = True) -> str:
    if section == PRIORITY_ACTION:
        return "areas for priority action" if plural else "area for priority action"
    if section == AREAS_FOR_DEVELOPMENT:
        return "areas for development" if plural else "area for development"
    if section == STRENGTHS:
        return "strengths" if plural else "strength"
    return "satisfactory findings" if plural else "satisfactory finding"


# ---- results --------------------------------------------------------------------------------

@dataclass
class _Hit:
    """A letter that qualifies, with the passages that show it (best first)."""

    letter: CatalogLetter
    passages: list[Passage]
    note: str = ""  # e.g. "no finding on this topic among its 14 findings"
    score: float | None = None


class AggregateAnswerer:
    """Answers list / count / compare / timeline questions over the catalogue.

    Args:
        catalog: the letters with their parses.
        embedder: embeds topics (and findings the store holds no vector for).
        vectors: where finding vectors come from (default: the store's chunk embeddings).
        threshold: score at which a finding matches a topic (default: the calibrated value).
    """

    def __init__(self, catalog: LetterCatalog, embedder: Embedder,
                 vectors: VectorSource | None = None, threshold: float | None = None,
                 tagger: ThemeTagger | None = None) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.threshold = MATCH_THRESHOLD if threshold is None else threshold
        source = vectors if vectors is not None else StoreVectors(catalog.store, embedder)
        self.tagger = tagger
        self.index = FindingIndex(source, embedder.embed_query, tagger)
        self.theme_reader = ThemeReader(tagger.taxonomy, tagger, embedder.embed_query) \
            if tagger is not None else None

    def answer(self, query: Query, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """A draft (text with [n] markers), the kind, and the complete structured items."""
        self.index.sync(self.catalog.all(), self.catalog.version)
        kind = query.aggregate or LIST
        if kind == COMPARE:
            return self._compare(query, letters)
        if kind == TIMELINE:
            return self._timeline(query, letters)
        return self._list(query, letters, kind)

    def _criteria(self, query: Query) -> Criteria:
        """The question's criteria, its topic read as the taxonomy's theme(s) where one fits."""
        crit = criteria_of(query)
        if crit.topic is not None and self.theme_reader is not None:
            crit.topic.reading = self.theme_reader.read(crit.topic.text)
        return crit

    def _theme_rows(self, crit: Criteria, letters: list[CatalogLetter],
                    sections: Sequence[str]) -> list[TopicMatch]:
        """Findings of ``letters`` in ``sections`` about the topic's theme(s), best first."""
        assert crit.topic is not None and crit.topic.reading is not None
        reading = crit.topic.reading
        by_id = [x.document_id for x in letters]
        matches = self.index.theme_match(reading.ids, by_id, sections)
        if len(reading.ids) > 1 and not reading.any_of:
            # "vacancies in the child protection teams": every theme named must show, by its
            # tag or in the words the question used for it
            named = dict(zip(reading.ids, (term_pattern(t) for t in reading.matched),
                             strict=False))
            matches = [m for m in matches if all(
                self.index.theme_probability(m.row, [t], relative=False)
                >= THEME_LIST_PROBABILITY or bool(t in named and named[t].search(
                    m.row.finding.text)) for t in reading.ids)]
        tagged = {_key(m.row) for m in matches}
        similar = [m for m in self.index.match(crit.topic, by_id, sections)
                   if _key(m.row) not in tagged]
        # findings that match the words asked and that the tagger half-saw as the theme ...
        supported = [m for m in similar if m.score >= self.threshold
                     and self.index.theme_probability(m.row, reading.ids) >= THEME_SUPPORT]
        # ... and findings in the very words the question used for the theme ("vacancies"),
        # which the tagger reads as mostly about a neighbour ("... so cases remain unallocated")
        said = [term_pattern(t) for t in reading.matched]
        taken = {_key(m.row) for m in supported}
        worded = [m for m in similar if _key(m.row) not in taken
                  and any(rx.search(m.row.finding.text) for rx in said)
                  and self.index.theme_probability(m.row, reading.ids, relative=False)
                  >= THEME_WORDS_PROBABILITY]
        return matches + supported + worded

    def themes(self) -> list[dict[str, Any]]:
        """Every theme of the taxonomy with how many findings and letters hold it, per section
        (``reportqa themes``, ``GET /themes``)."""
        if self.tagger is None:
            return []
        self.index.sync(self.catalog.all(), self.catalog.version)
        rows = self.index.rows
        mask = self.index.theme_mask
        out: list[dict[str, Any]] = []
        for j, theme in enumerate(self.tagger.taxonomy.themes):
            tagged = [rows[i] for i in np.flatnonzero(mask[:, j])] if mask.size else []
            by_section: dict[str, dict[str, int]] = {}
            for name in FINDING_SECTIONS:
                here = [r for r in tagged if r.section == name]
                by_section[name] = {"findings": len(here),
                                    "letters": len({r.document_id for r in here})}
            out.append({**theme.as_dict(), "findings": len(tagged),
                        "letters": len({r.document_id for r in tagged}), "sections": by_section})
        return out

    def finding_themes(self, document_id: str) -> dict[tuple[str, int], list[str]]:
        """The theme ids of each finding of one stored letter, by (section, index)."""
        self.index.sync(self.catalog.all(), self.catalog.version)
        return {(r.section, r.index): self.index.themes_of(r) for r in self.index.rows
                if r.document_id == document_id}

    # ---- lists and counts -----------------------------------------------------------------
    def select(self, query: Query, letters: list[CatalogLetter]
               ) -> tuple[Criteria, list[CatalogLetter], list[_Hit]]:
        """The criteria, the letters searched and the letters that qualify (with evidence)."""
        crit = self._criteria(query)
        searched = [x for x in letters if crit.in_dates(x)]
        if crit.twice:  # councils with more than one letter in the whole collection
            per_place = Counter(place_of(x.authority) for x in self.catalog.all() if x.authority)
            searched = [x for x in searched if x.authority and per_place[place_of(x.authority)] > 1]
        if crit.structure is not None:
            name, op, k = crit.structure
            searched = [x for x in searched if _compare(_n_findings(x, name), op, k)]
        if crit.signatory:
            signed = [x for x in searched
                      if _same_person(crit.signatory, x.parsed.metadata.signatory_name)]
            if crit.topic is None and crit.section is None:
                return crit, searched, [_Hit(x, [self._field_passage(x, "signatory")])
                                        for x in signed]
            searched = signed
        if crit.topic is None and crit.section is None and (crit.twice or crit.days or crit.month):
            return crit, searched, [_Hit(x, [self._dates_passage(x)]) for x in searched]
        field = _FIELD_OF_INTENT.get(query.intent or "")
        if field and crit.section is None:
            # "Who signed the 2010 letters?": each letter with the line that states it.
            crit.topic = None
            return crit, searched, [_Hit(x, [self._field_passage(x, field)]) for x in searched]
        if crit.topic is not None:
            hits = self._topic_hits(crit, searched)
        else:
            hits = [h for h in (self._structural_hit(crit, x) for x in searched) if h is not None]
        return crit, searched, hits

    def _list(self, query: Query, letters: list[CatalogLetter], kind: str
              ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        crit, searched, hits = self.select(query, letters)
        if kind == COUNT and crit.count_findings and not crit.negated and not crit.comparator \
                and crit.topic is None and searched:
            return self._count_findings(crit, searched)
        what = crit.describe()
        read_as = self._read_as(crit)
        scope = f"the {len(searched)} letter{_s(len(searched))}" + (f" {crit._when()}"
                                                                       if crit._when() else "")
        if not hits:
            wanted = crit.describe(with_dates=False)
            text = (f"No letters match. I searched {scope} in the collection for letters "
                    f"{wanted or 'of any kind'}, and none qualifies.{read_as}")
            return Draft(text=text, passages=[]), kind, [
                {"matches": 0, "searched": len(searched), "criteria": what}]
        groups = _group(hits, by_council=crit.unit == "councils")
        passages: list[Passage] = []
        lines: list[str] = []
        for group in groups[:MAX_LINES]:
            lines.append(self._line(group, passages))
        more = len(groups) - MAX_LINES
        n = len(groups)
        noun = ("council" if crit.unit == "councils" else "letter") + _s(n)
        if kind == COUNT:
            head = (f"{n} {noun} match{'es' if n == 1 else ''}"
                    f"{f' ({what})' if what else ''}; {len(searched)} letter"
                    f"{_s(len(searched))} searched:")
        else:
            head = (f"{n} {noun} match{'es' if n == 1 else ''}"
                    f"{f' ({what})' if what else ''}, out of {len(searched)} letter"
                    f"{_s(len(searched))} searched:")
        text = head + "\n" + "\n".join(lines) + (f"\n{read_as.strip()}" if read_as else "")
        if more > 0:
            text += f"\n…and {more} more (the complete list is in the answer's items)."
        items = [self._item(group, crit) for group in groups]
        return Draft(text=text, passages=passages), kind, items

    def _read_as(self, crit: Criteria) -> str:
        """Why these findings: the theme(s) the topic was read as, or that none covers it."""
        topic = crit.topic
        if topic is None or topic.empty or self.theme_reader is None:
            return ""
        if topic.reading is None:
            return (f" No theme of the taxonomy covers “{topic.text}”, so I matched findings "
                    "by similarity of wording.")
        return f" I read “{topic.text}” as the theme {topic.reading.describe()}."

    def _line(self, group: list[_Hit], passages: list[Passage]) -> str:
        first = group[0]
        who = first.letter.authority or first.letter.source
        dates = join_names([human_date(h.letter.parsed.metadata.letter_date or h.letter.date)
                            for h in group])
        quotes = []
        for hit in group:
            shown = []
            for passage in hit.passages[:MAX_QUOTES]:
                passages.append(passage)
                shown.append(f"“{_clip(passage.text)}” [{len(passages)}]")
            if not shown:
                continue
            more = len(hit.passages) - MAX_QUOTES
            quote = "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")
            quotes.append(f"{hit.note}: {quote}" if hit.note else quote)
        letters = "letters" if len(group) > 1 else "letter"
        return f"- {who} ({letters} of {dates}): " + "; ".join(quotes)

    def _item(self, group: list[_Hit], crit: Criteria) -> dict[str, Any]:
        records = []
        for hit in group:
            meta = hit.letter.parsed.metadata
            records.append({
                "document_id": hit.letter.document_id, "source": hit.letter.source,
                "authority": hit.letter.authority, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start,
                "score": None if hit.score is None else round(hit.score, 4),
                "note": hit.note or None,
                "quotes": [_quote_dict(p) for p in hit.passages]})
        item = dict(records[0])
        if len(records) > 1:
            item["letters"] = records
        item["unit"] = crit.unit  # "councils": the item is a council, however many letters
        return item

    def _count_findings(self, crit: Criteria, searched: list[CatalogLetter]
                        ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "How many areas for development did Leeds have?": the findings, counted and cited."""
        assert crit.section is not None
        sections = crit.sections()
        passages: list[Passage] = []
        items: list[dict[str, Any]] = []
        lines: list[str] = []
        for letter in searched:
            for section in letter.parsed.sections:
                if section.name not in sections:
                    continue
                for finding in section.findings:
                    passage = Passage.of(letter, section.name, finding.char_start,
                                         finding.char_end)
                    passages.append(passage)
                    prefix = f"{_who(letter)}: " if len(searched) > 1 else ""
                    lines.append(f"- {prefix}“{_clip(passage.text)}” [{len(passages)}]")
                    meta = letter.parsed.metadata
                    items.append({"authority": letter.authority, "document_id": letter.document_id,
                                  "source": letter.source, "letter_date": meta.letter_date,
                                  "inspection_date": meta.inspection_start,
                                  **_quote_dict(passage)})
        n = len(items)
        what = join_names([_section_words(s, plural=n != 1) for s in sections])
        where = (f"the {searched[0].dated()} to {_who(searched[0])}" if len(searched) == 1
                 else f"the {len(searched)} letters searched ({crit._when() or 'all years'})")
        if n == 0:
            none = [self._none_passage(x, crit.section, x.parsed.section(crit.section))
                    for x in searched[:MAX_LINES]]
            cited = " ".join(f"[{i}]" for i in range(1, len(none) + 1))
            return (Draft(text=f"0 {what}: none were identified in {where} {cited}.",
                          passages=none), COUNT,
                    [{"matches": 0, "searched": len(searched), "criteria": what}])
        text = f"{n} {what} in {where}:\n" + "\n".join(lines)
        return Draft(text=text, passages=passages), COUNT, items

    def _topic_hits(self, crit: Criteria, searched: list[CatalogLetter]) -> list[_Hit]:
        assert crit.topic is not None
        by_id = {x.document_id: x for x in searched}
        if crit.topic.reading is not None:
            # the theme's tagged findings (an exact selection by tag), and findings the tagger
            # half-saw as the theme that also match the words asked
            matches = self._theme_rows(crit, searched, crit.sections())
            threshold = 0.0
        else:
            matches = self.index.match(crit.topic, by_id, crit.sections())
            threshold = self.threshold
        best: dict[str, list[TopicMatch]] = {}
        for match in matches:
            if match.score >= threshold:
                best.setdefault(match.row.document_id, []).append(match)
        hits: list[_Hit] = []
        for letter in searched:
            found = best.get(letter.document_id)
            if crit.negated:
                if found:
                    continue
                n = sum(len(s.findings) for s in letter.parsed.sections
                        if s.name in crit.sections())
                hits.append(_Hit(letter, [self._identity_passage(letter)],
                                 note=f"no finding on this among its {n} "
                                      f"{'finding' if n == 1 else 'findings'} searched"))
                continue
            if not found:
                continue
            passages = [_finding_passage(letter, m.row, m.score) for m in found]
            hits.append(_Hit(letter, passages, score=found[0].score))
        return hits

    def _structural_hit(self, crit: Criteria, letter: CatalogLetter) -> _Hit | None:
        """Qualify a letter by the presence, absence or number of a section's findings."""
        if crit.section is None:
            # No topic and no section: every letter in the dates qualifies ("which councils were
            # inspected in 2010?"); the evidence is the sentence that states the dates.
            return _Hit(letter, [self._dates_passage(letter)])
        section = letter.parsed.section(crit.section)
        findings = section.findings if section else []
        n = len(findings)
        if crit.comparator:
            op, k = crit.comparator
            ok = {">": n > k, ">=": n >= k, "<": n < k, "==": n == k}[op]
            if not ok:
                return None
            if n == 0:
                return _Hit(letter, [self._none_passage(letter, crit.section, section)])
            return _Hit(letter, [Passage.of(letter, crit.section, f.char_start, f.char_end)
                                 for f in findings],
                        note=f"{n} {_section_words(crit.section, n != 1)}")
        if crit.negated:
            if n:
                return None
            return _Hit(letter, [self._none_passage(letter, crit.section, section)])
        if not n:
            return None
        return _Hit(letter, [Passage.of(letter, crit.section, f.char_start, f.char_end)
                             for f in findings])

    # ---- evidence passages ------------------------------------------------------------------
    def _none_passage(self, letter: CatalogLetter, name: str, section: Section | None) -> Passage:
        """The statement that a section has no findings ("No areas for priority action ...")."""
        text = letter.text
        if section is not None:
            for start, end in sentence_spans(text, section.char_start, section.char_end):
                if _NONE_SENTENCE.search(text[start:end]):
                    return Passage.of(letter, name, start, end)
        # The opening paragraph usually says it: "The inspection identified no areas for ...".
        words = _section_words(name, plural=True).split()[-2:]
        rx = re.compile(rf"\bno\s+(?:\w+\s+){{0,3}}{words[-2]}\s+{words[-1]}|\b"
                        rf"not\s+identify\s+any\s+(?:\w+\s+){{0,3}}{words[-1]}", _I)
        for start, end in sentence_spans(text, 0, len(text)):
            if rx.search(text[start:end]):
                return Passage.of(letter, _section_at(letter, start), start, end)
        if section is not None:
            return Passage.of(letter, name, section.char_start, section.char_end)
        return self._identity_passage(letter)

    def _field_passage(self, letter: CatalogLetter, key: str) -> Passage:
        spans = letter.parsed.metadata.spans
        if key in spans:
            start, end = spans[key]
            return Passage.of(letter, _section_at(letter, start), start, end)
        return self._identity_passage(letter)

    def _dates_passage(self, letter: CatalogLetter) -> Passage:
        spans = letter.parsed.metadata.spans
        for key in ("inspection_dates", "letter_date"):
            if key in spans:
                start, end = spans[key]
                for a, b in sentence_spans(letter.text, start, end):
                    if re.search(r"\b(?:19|20)\d\d\b", letter.text[a:b]):
                        return Passage.of(letter, _section_at(letter, a), a, b)
                return Passage.of(letter, _section_at(letter, start), start, end)
        return self._identity_passage(letter)

    def _identity_passage(self, letter: CatalogLetter) -> Passage:
        """A line that identifies the letter: its subject line, else its date, else line one."""
        spans = letter.parsed.metadata.spans
        for key in ("inspection_type", "authority", "letter_date", "inspection_dates"):
            if key in spans:
                start, end = spans[key]
                return Passage.of(letter, _section_at(letter, start), start, end)
        end = letter.text.find("\n")
        return Passage.of(letter, _section_at(letter, 0), 0, len(letter.text) if end < 0 else end)

    # ---- comparisons ----------------------------------------------------------------------
    def _compare(self, query: Query, letters: list[CatalogLetter]
                 ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        if len(query.known_places) == 1:
            return self._timeline(query, letters)  # one council's letters: what changed
        chosen, notes = _compared_letters(query, self._council_letters(query, letters))
        if len(chosen) < 2:
            return None, COMPARE, []
        crit = self._criteria(query)
        if _WHICH_FIRST.search(query.read_text):
            return self._which_first(query, chosen)
        if _WHICH_OF.search(query.read_text) and (crit.section or crit.topic or crit.signatory):
            draft, _, listed = self._list(query, chosen, LIST)
            return draft, COMPARE, listed
        sections = ([crit.section] if crit.section else
                    list(crit.topic.sections()) if crit.topic and crit.topic.polarity else
                    [STRENGTHS, AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION])
        topic_rows = self._topic_rows(crit, chosen, sections)
        passages: list[Passage] = []
        names = [_who(x) for x in chosen]
        head = "Comparison of " + join_names([f"{_who(x)} ({x.dated()})" for x in chosen])
        if crit.topic is not None:
            head += f", on “{crit.topic.text}”"
        blocks = [head + ":"]
        summary = []
        items: list[dict[str, Any]] = []
        rows_of = {x.document_id: self._rows(x, sections, topic_rows) for x in chosen}
        for letter in chosen:
            counts = {s: len(rows_of[letter.document_id].get(s, [])) for s in sections}
            summary.append(f"{_who(letter)}: " + ", ".join(
                f"{_count_words(n, s)}" for s, n in counts.items()))
        blocks.append("In numbers — " + "; ".join(summary) + ".")
        shared: set[tuple[str, str, int]] = set()
        if len(chosen) == 2:
            a, b = chosen
            for s in sections:
                for ra in rows_of[a.document_id].get(s, []):
                    for rb in rows_of[b.document_id].get(s, []):
                        if self.index.same_finding(ra, rb):
                            shared.add(_key(ra))
                            shared.add(_key(rb))
        for s in sections:
            lines = [f"{s}:"]
            for letter, name in zip(chosen, names, strict=True):
                rows = rows_of[letter.document_id].get(s, [])
                if not rows:
                    section = letter.parsed.section(s)
                    if crit.topic is None and s == PRIORITY_ACTION:
                        passages.append(self._none_passage(letter, s, section))
                        lines.append(f"- {name}: none identified [{len(passages)}]")
                    else:
                        what = "on this topic" if crit.topic is not None else "in this section"
                        lines.append(f"- {name}: no finding {what}")
                    continue
                for row in rows:
                    passages.append(_finding_passage(letter, row))
                    tag = " (similar finding in both)" if _key(row) in shared else ""
                    lines.append(f"- {name}: “{_clip(row.finding.text)}”{tag} [{len(passages)}]")
            blocks.append("\n".join(lines))
        for letter in chosen:
            by_section = rows_of[letter.document_id]
            meta = letter.parsed.metadata
            items.append({
                "authority": letter.authority, "document_id": letter.document_id,
                "source": letter.source, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start,
                "counts": {s: len(by_section.get(s, [])) for s in sections},
                "sections": {s: [{**_quote_dict(_finding_passage(letter, r)),
                                  "in_both": _key(r) in shared} for r in by_section.get(s, [])]
                             for s in sections}})
        text = "\n\n".join(blocks) + (f"\n\n{' '.join(notes)}" if notes else "")
        return Draft(text=text, passages=passages), COMPARE, items

    def _council_letters(self, query: Query, letters: list[CatalogLetter]
                         ) -> list[CatalogLetter]:
        """The letters of each council the question names: those of the asked years when the
        council has some, else all of its letters ("Leeds in 2009 or Bradford?" gives Bradford's
        letters of any year)."""
        pool = {x.document_id: x for x in letters}
        for letter in self.catalog.all():
            pool.setdefault(letter.document_id, letter)
        out: list[CatalogLetter] = []
        for place in query.known_places:
            own = [x for x in pool.values() if x.authority and place_of(x.authority) == place]
            in_years = [x for x in own if x.years & set(query.years)] if query.years else own
            out.extend(in_years or own)
        return sorted(out, key=lambda x: (x.date, x.source))

    def _which_first(self, query: Query, chosen: list[CatalogLetter]
                     ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "Which was inspected first, Leeds or Bradford?": the dates of each, cited."""
        latest = bool(re.search(r"\b(?:last|later|latest|most\s+recently|more\s+recently)\b",
                                query.read_text, _I))
        dated = [x for x in chosen if x.date]
        if len(dated) < 2:
            return None, COMPARE, []
        ordered = sorted(dated, key=lambda x: x.date, reverse=latest)
        pick = ordered[0]
        passages = [self._dates_passage(x) for x in ordered]
        lines = [f"- {_who(x)}: inspected {_inspected(x)} [{i}]"
                 for i, x in enumerate(ordered, 1)]
        verb = "most recently" if latest else "first"
        text = f"{_who(pick)} was inspected {verb}:\n" + "\n".join(lines)
        meta = pick.parsed.metadata
        item = {"authority": pick.authority, "document_id": pick.document_id,
                "source": pick.source, "letter_date": meta.letter_date,
                "inspection_date": meta.inspection_start, "quotes": [_quote_dict(passages[0])]}
        return Draft(text=text, passages=passages), COMPARE, [item]

    def _topic_rows(self, crit: Criteria, letters: list[CatalogLetter], sections: list[str]
                    ) -> set[tuple[str, str, int]] | None:
        """Findings of ``letters`` that match the criteria's topic (None: no topic, keep all)."""
        if crit.topic is None:
            return None
        if crit.topic.reading is not None:
            return {_key(m.row) for m in self._theme_rows(crit, letters, sections)}
        matches = self.index.match(crit.topic, [x.document_id for x in letters], sections)
        return {_key(m.row) for m in matches if m.score >= self.threshold}

    @staticmethod
    def _rows(letter: CatalogLetter, sections: list[str],
              keep: set[tuple[str, str, int]] | None) -> dict[str, list[FindingRow]]:
        out: dict[str, list[FindingRow]] = {}
        for section in letter.parsed.sections:
            if section.name not in sections:
                continue
            for i, finding in enumerate(section.findings):
                row = FindingRow(letter.document_id, section.name, i, finding)
                if keep is None or _key(row) in keep:
                    out.setdefault(section.name, []).append(row)
        return out

    # ---- timelines ------------------------------------------------------------------------
    def _timeline(self, query: Query, letters: list[CatalogLetter]
                  ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        crit = self._criteria(query)
        if not query.known_places:
            return self._trend(query, crit, [x for x in letters if crit.in_dates(x)])
        letters = self._council_letters(query, letters)
        if _STILL.search(query.read_text):
            result = self._still(query, crit, letters)
            if result[0] is not None:
                return result
        themed = crit.topic is not None and crit.topic.reading is not None
        sections = ([crit.section] if crit.section else
                    list(crit.topic.sections()) if crit.topic and crit.topic.polarity
                    and not themed else  # a theme over time: how it was judged each time
                    [PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT, STRENGTHS, SATISFACTORY])
        passages: list[Passage] = []
        blocks: list[str] = []
        items: list[dict[str, Any]] = []
        for place in query.known_places:
            own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                         key=lambda x: (x.date, x.source))
            if not own:
                continue
            keep = self._topic_rows(crit, own, sections)
            rows_of = {x.document_id: self._rows(x, sections, keep) for x in own}
            name = _who(own[0])
            lines = [f"{name}: {len(own)} letter{_s(len(own))} in date order"
                     + (f", on {crit.topic.reading.describe()}" if crit.topic and
                        crit.topic.reading else f", on “{crit.topic.text}”" if crit.topic else "")
                     + "."]
            records = []
            for letter in own:
                rows = rows_of[letter.document_id]
                counts = {s: len(rows.get(s, [])) for s in sections}
                dated = letter.dated()
                lines.append(f"- {dated[:1].upper() + dated[1:]}: " + ", ".join(
                    _count_words(n, s) for s, n in counts.items()) + ".")
                meta = letter.parsed.metadata
                records.append({"document_id": letter.document_id, "source": letter.source,
                                "letter_date": meta.letter_date,
                                "inspection_date": meta.inspection_start, "counts": counts,
                                "sections": {s: [_quote_dict(_finding_passage(letter, r))
                                                 for r in rows.get(s, [])] for s in sections}})
            changes: list[dict[str, Any]] = []
            if len(own) == 1:
                letter = own[0]
                lines.append(f"The collection holds only this letter for {name}, so there is "
                             "nothing to compare it with. Its findings:")
                for s in sections:
                    for row in rows_of[letter.document_id].get(s, []):
                        passages.append(_finding_passage(letter, row))
                        lines.append(f"- {s}: “{_clip(row.finding.text)}” [{len(passages)}]")
            for before, after in zip(own, own[1:], strict=False):
                lines.append(f"What changed from the {before.dated()} to the {after.dated()}:")
                for s in sections:
                    old = rows_of[before.document_id].get(s, [])
                    new = rows_of[after.document_id].get(s, [])
                    kept_old = {_key(a) for a in old for b in new if self.index.same_finding(a, b)}
                    kept_new = {_key(b) for b in new for a in old if self.index.same_finding(a, b)}
                    groups: list[tuple[str, CatalogLetter, list[FindingRow], str]] = [
                        ("no longer raised", before,
                         [r for r in old if _key(r) not in kept_old],
                         "No longer raised" if s in NEGATIVE else "No longer listed"),
                        ("new", after, [r for r in new if _key(r) not in kept_new], "New"),
                        ("raised again", after, [r for r in new if _key(r) in kept_new],
                         "Raised again" if s in NEGATIVE else "Listed again")]
                    for status, source_letter, changed, label in groups:
                        for row in changed:
                            passage = _finding_passage(source_letter, row)
                            passages.append(passage)
                            lines.append(f"- {label} ({_section_words(s, plural=False)}): "
                                         f"“{_clip(row.finding.text)}” [{len(passages)}]")
                            changes.append({"from": before.document_id, "to": after.document_id,
                                            "section": s, "change": status,
                                            **_quote_dict(passage)})
                if not any(c["from"] == before.document_id and c["to"] == after.document_id
                           for c in changes):
                    lines.append("- No findings in these sections, in either letter.")
            blocks.append("\n".join(lines))
            items.append({"authority": own[0].authority, "letters": records, "changes": changes})
        if not items:
            return None, TIMELINE, []
        return Draft(text="\n\n".join(blocks), passages=passages), TIMELINE, items

    def _still(self, query: Query, crit: Criteria, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """ "Was the priority action of 2009 still a concern in 2010?": each earlier finding of
        the asked section, followed into the next letter (by meaning) and judged by the section
        it appears in there: still a concern, now a strength, or not mentioned."""
        themed = crit.topic is not None and crit.topic.reading is not None and not crit.section
        section = crit.section or PRIORITY_ACTION
        passages: list[Passage] = []
        blocks: list[str] = []
        items: list[dict[str, Any]] = []
        verdicts: list[bool] = []
        for place in query.known_places:
            own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                         key=lambda x: (x.date, x.source))
            for before, after in zip(own, own[1:], strict=False):
                if themed:  # "still short of social workers?": the theme's concerns, followed
                    old = [m.row for m in self._theme_rows(crit, [before], NEGATIVE)]
                    candidates = [m.row for m in self._theme_rows(crit, [after],
                                                                  FINDING_SECTIONS)]
                else:
                    old = self._rows(before, [section], None).get(section, [])
                    later = self._rows(after, list(FINDING_SECTIONS), None)
                    candidates = [r for rows in later.values() for r in rows]
                if not old:
                    continue
                for row in old:
                    follow = _themed_follow(candidates) if themed else \
                        self._follow(row, candidates)
                    passages.append(_finding_passage(before, row))
                    was = len(passages)
                    if follow is None:
                        verdicts.append(False)
                        line = (f"- “{_clip(row.finding.text)}” [{was}] ({before.dated()}) is not "
                                f"mentioned in the {after.dated()}.")
                        change = "not mentioned"
                    else:
                        passages.append(_finding_passage(after, follow))
                        concern = follow.section in (AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)
                        verdicts.append(concern)
                        status = ("still a concern, now as an "
                                  f"{_section_words(follow.section, plural=False)}"
                                  if concern else f"now among the "
                                  f"{_section_words(follow.section)}")
                        line = (f"- “{_clip(row.finding.text)}” [{was}] ({before.dated()}) is "
                                f"{status} in the {after.dated()}: “{_clip(follow.finding.text)}” "
                                f"[{len(passages)}]")
                        change = "still a concern" if concern else "improved"
                    blocks.append(line)
                    items.append({"authority": before.authority, "from": before.document_id,
                                  "to": after.document_id, "section": section, "change": change,
                                  "earlier": _quote_dict(_finding_passage(before, row)),
                                  "later": None if follow is None else
                                  _quote_dict(_finding_passage(after, follow))})
        if not items:
            return None, TIMELINE, []
        head = ("Yes." if any(verdicts) else "No.") + (
            " " if len(verdicts) == 1 else " Finding by finding:\n")
        text = head + ("\n".join(blocks) if len(verdicts) > 1 else blocks[0].removeprefix("- "))
        return Draft(text=text, passages=passages), TIMELINE, items

    def _follow(self, row: FindingRow, candidates: list[FindingRow]) -> FindingRow | None:
        """The finding of a later letter on the same matter as ``row``, if any."""
        best: tuple[float, FindingRow] | None = None
        themes = set(self.index.themes_of(row))
        for cand in candidates:
            dense, overlap = self.index.similarity(row, cand)
            score = dense + 0.5 * overlap
            if themes & set(self.index.themes_of(cand)):
                score += FOLLOW_THEME_BONUS  # tagged with the same theme: the same matter
            if best is None or score > best[0]:
                best = (score, cand)
        if best is None or best[0] < FOLLOW_THRESHOLD:
            return None
        return best[1]

    def _trend(self, query: Query, crit: Criteria, letters: list[CatalogLetter]
               ) -> tuple[Draft | None, str, list[dict[str, Any]]]:
        """No council named: how many letters qualified, year by year, with cited examples."""
        if crit.topic is None and crit.section is None:
            return None, TIMELINE, []
        crit_list = Criteria(section=crit.section, topic=crit.topic, negated=crit.negated,
                             comparator=crit.comparator, unit="letters")
        hits = (self._topic_hits(crit_list, letters) if crit.topic is not None else
                [h for h in (self._structural_hit(crit_list, x) for x in letters) if h])
        what = crit_list.describe()
        by_year: dict[int, list[CatalogLetter]] = {}
        for letter in letters:
            if letter.year:
                by_year.setdefault(letter.year, []).append(letter)
        hit_of = {h.letter.document_id: h for h in hits}
        passages: list[Passage] = []
        lines = [f"Letters {what}, year by year (by year of inspection):"]
        items = []
        for year in sorted(by_year):
            year_hits = [hit_of[x.document_id] for x in by_year[year] if x.document_id in hit_of]
            total = len(by_year[year])
            examples = []
            for hit in year_hits[:3]:
                passages.append(hit.passages[0])
                examples.append(f"{_who(hit.letter)} [{len(passages)}]")
            more = f" and {len(year_hits) - 3} more" if len(year_hits) > 3 else ""
            lines.append(f"- {year}: {len(year_hits)} of {total} letter{_s(total)}"
                         + (f" ({', '.join(examples)}{more})" if examples else ""))
            items.append({"year": year, "letters": total, "matches": len(year_hits),
                          "matching": [self._item([h], crit_list) for h in year_hits]})
        return Draft(text="\n".join(lines), passages=passages), TIMELINE, items


# ---- helpers -----------------------------------------------------------------------------------

def _themed_follow(candidates: list[FindingRow]) -> FindingRow | None:
    """The later letter's finding on the theme: a concern when there is one, else the first."""
    return next((r for r in candidates if r.section in NEGATIVE), None) or \
        (candidates[0] if candidates else None)


def _inspection_days(letter: CatalogLetter) -> int | None:
    """How many days the inspection lasted (from its first and last dates)."""
    import datetime as dt

    meta = letter.parsed.metadata
    if not meta.inspection_start:
        return None
    try:
        start = dt.date.fromisoformat(meta.inspection_start)
        end = dt.date.fromisoformat(meta.inspection_end or meta.inspection_start)
    except ValueError:
        return None
    return (end - start).days + 1


def _n_findings(letter: CatalogLetter, name: str) -> int:
    section = letter.parsed.section(name)
    return len(section.findings) if section else 0


def _compare(n: int, op: str, k: int) -> bool:
    return {">": n > k, ">=": n >= k, "<": n < k, "==": n == k}[op]


def _compared_letters(query: Query, letters: list[CatalogLetter]
                      ) -> tuple[list[CatalogLetter], list[str]]:
    """One letter per named council (its letter in the asked years, else its latest/earliest);
    with a single council named, its letters (up to :data:`MAX_COMPARED`)."""
    notes: list[str] = []
    places = query.known_places
    if len(places) == 1:
        own = [x for x in letters if x.authority and place_of(x.authority) == places[0]]
        return sorted(own, key=lambda x: (x.date, x.source))[:MAX_COMPARED], notes
    chosen: list[CatalogLetter] = []
    for place in places[:MAX_COMPARED]:
        own = sorted((x for x in letters if x.authority and place_of(x.authority) == place),
                     key=lambda x: (x.date, x.source))
        if not own:
            continue
        pick = own[0] if query.prefer == "earliest" else own[-1]
        chosen.append(pick)
        if len(own) > 1:
            others = join_names([x.dated() for x in own if x is not pick])
            notes.append(f"({_who(pick)} has {len(own)} letters; compared: the {pick.dated()}; "
                         f"also held: the {others}.)")
    return chosen, notes


def _same_person(asked: str, name: str | None) -> bool:
    """Whether the name asked about is this signatory ("Ellison", "Margaret Ellison")."""
    if not name:
        return False
    want = re.findall(r"[a-z]+", asked.lower())
    have = set(re.findall(r"[a-z]+", name.lower()))
    if want and all(w in have for w in want):
        return True
    from rapidfuzz import fuzz

    return fuzz.token_sort_ratio(asked.lower(), name.lower()) >= 88


def _group(hits: list[_Hit], by_council: bool) -> list[list[_Hit]]:
    """Hits as lines: one per letter, or one per council (letters in date order)."""
    if not by_council:
        return [[h] for h in hits]
    groups: dict[str, list[_Hit]] = {}
    for hit in hits:
        key = place_of(hit.letter.authority) if hit.letter.authority else hit.letter.document_id
        groups.setdefault(key, []).append(hit)
    return list(groups.values())


def _finding_passage(letter: CatalogLetter, row: FindingRow, score: float = 0.0) -> Passage:
    return Passage.of(letter, row.section, row.finding.char_start, row.finding.char_end,
                      score=score)


def _quote_dict(passage: Passage) -> dict[str, Any]:
    return {"section": passage.section, "quote": passage.text,
            "char_start": passage.char_start, "char_end": passage.char_end}


def _key(row: FindingRow) -> tuple[str, str, int]:
    return (row.document_id, row.section, row.index)


def _section_at(letter: CatalogLetter, offset: int) -> str:
    for section in letter.parsed.sections:
        if section.char_start <= offset < section.char_end:
            return section.name
    return INTRODUCTION


def _who(letter: CatalogLetter) -> str:
    return letter.authority or letter.source


def _inspected(letter: CatalogLetter) -> str:
    from assistant.formatting import human_date_range

    meta = letter.parsed.metadata
    return human_date_range(meta.inspection_start, meta.inspection_end) if meta.inspection_start \
        else f"(letter of {human_date(meta.letter_date)})"


def _count_words(n: int, section: str) -> str:
    if n == 0:
        return f"no {_section_words(section, plural=False)}"
    word = "one" if n == 1 else str(n)
    return f"{word} {_section_words(section, plural=n != 1)}"


def _clip(text: str, limit: int = 240) -> str:
    """The quote as shown inline (the citation carries it whole)."""
    text = " ".join(text.split()).rstrip(".;, ")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(",;: ") + "…"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


__all__ = ["AggregateAnswerer", "Criteria", "criteria_of", "topic_phrase"]
