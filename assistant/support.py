"""Claim support: every sentence of an LLM answer must say what the passages it cites say.

:func:`assistant.citations.verify` proves that a cited passage is verbatim in its letter; this
module proves that the sentence citing it is backed by it. A sentence of the model's answer is kept
only when

* it carries at least one ``[n]`` marker naming a passage it was given;
* every quotation in it (``"..."``) is found in a cited passage (case and spacing aside);
* its key terms are found in the cited passages (their text, council, section and dates): names and
  other capitalised words, places, numbers and number words, months and years, grades and
  judgement words ("outstanding", "good", "requires improvement" ...);
* its polarity matches: a negation ("not", "without", "insufficient" ...) in the sentence must be
  in the passage sentence it matches best, and the other way round;
* its meaning is close to them: MiniLM cosine similarity to the best cited passage (or sentence of
  it) of at least ``min_similarity`` and a share of its content words found there of at least
  ``min_overlap``, both calibrated on ``evals/suites/claims/dev.jsonl``
  (``python -m evals.claims --split dev --calibrate``).

Removed sentences are logged with their markers and the reason, never their text.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from assistant.citations import MARKER, Draft
from assistant.lexical import stem, tokenize
from assistant.passages import Passage
from assistant.shortforms import short_forms_evidenced

logger = logging.getLogger(__name__)

# Calibrated on the dev split of the claims probe suite (evals/suites/claims/dev.jsonl): the pair
# that removes the most unsupported dev sentences the other checks let through while keeping 90%
# of the supported ones. See docs/evals.md and `python -m evals.claims --split dev --calibrate`.
MIN_SIMILARITY = 0.32
MIN_OVERLAP = 0.60
# A sentence whose meaning is very close to a cited passage may say it in more of its own words:
# chosen on the three dev splits together (dev, dev2, dev3), where it kept 5-7% more supported
# sentences and let no further unsupported one through.
CLOSE_SIMILARITY = 0.75
CLOSE_OVERLAP = 0.30

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?%?")
_QUOTE = re.compile(r"[\"“”]([^\"“”]{3,}?)[\"“”]")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty hundred thousand "
    "first second third fourth fifth sixth half twice dozen quarter quarters thirds "
    # frequencies: "reviewed weekly" is not "reviewed monthly"
    "daily weekly monthly fortnightly quarterly annually yearly".split())
# Durations count as figures after an amount: "within a day" is not "within a week" (but a
# "day team" is no duration).
_DURATIONS = frozenset("day days week weeks month months hour hours minute minutes fortnight "
                       "year years".split())
_AMOUNTS = frozenset("a an one several few many some within over under per each every past "
                     "last".split())
# Words that say something changed: a claim of change must be the passage's own.
_CHANGES = frozenset(
    "stopped ceased introduced abolished scrapped ended launched resolved fixed withdrawn "
    "discontinued halted".split())
_JUDGEMENTS = frozenset(
    "outstanding inadequate good excellent satisfactory unsatisfactory adequate poor weak strong "
    "improvement improving improved rated rating grade graded judged best worst "
    "exemplary high low priority strength strengths".split())
_NEGATIONS = frozenset(
    "not no never none nothing without neither nor cannot can't isn't aren't wasn't weren't "
    "don't doesn't didn't hasn't haven't lack lacks lacking insufficient insufficiently unable "
    "fail fails failed failing little absent".split())
# Capitalised words that name no council, person or date: found or not, they are no key term.
_GENERIC_CAPS = frozenset(
    "i ofsted inspectors inspector inspection letter letters council the a an in it its this "
    "these there their they staff overall also however while when both some most all".split())
_TITLES = frozenset("mr mrs ms miss dr cllr councillor".split())
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Cllr|St|No|e\.g|i\.e|etc))\.$")
_END = re.compile(r"[.!?][\"”’)]?(?:[ \t]*\[\d{1,3}\])*(?=\s|$)|\n")


@dataclass(frozen=True)
class Verdict:
    """Whether one sentence of an answer is supported by the passages it cites."""

    sentence: str
    markers: tuple[int, ...]
    supported: bool
    reason: str = "supported"
    similarity: float = 0.0
    overlap: float = 0.0


Embed = Callable[[list[str]], list[list[float]]]


def split_sentences(text: str) -> list[str]:
    """The answer's sentences (and bullet lines), each with the markers that follow it.

    ``"".join(split_sentences(text)) == text``: separators stay with the sentence before them.
    """
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group(0) != "\n":
            if _ABBREVIATION.search(text[start:match.start() + 1]):
                continue
            following = text[end:end + 3].lstrip()
            if following and not (following[0].isupper() or following[0] in "\"“‘'(-•*[0123456789"):
                continue
        while end < len(text) and text[end].isspace():
            end += 1
        if end > start:
            pieces.append(text[start:end])
            start = end
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def threshold_reason(similarity: float, overlap: float, min_similarity: float,
                     min_overlap: float) -> str:
    """"supported" when a sentence's similarity and word overlap with its best cited passage
    pass the thresholds (fewer of its words suffice when its meaning is very close), else why."""
    close = similarity >= CLOSE_SIMILARITY and overlap >= CLOSE_OVERLAP
    if overlap < min_overlap and not close:
        return "too few of its words are in the cited passages"
    if similarity < min_similarity:
        return "its meaning is not close to the cited passages"
    return "supported"


class SupportChecker:
    """Keeps the sentences of an LLM answer that its cited passages support.

    Args:
        embed: Embeds a list of texts into normalised vectors (``Embedder.embed_documents``).
        min_similarity: Least cosine similarity between a sentence and its best cited passage.
        min_overlap: Least share of a sentence's content words found in its cited passages.
    """

    def __init__(self, embed: Embed, *, min_similarity: float = MIN_SIMILARITY,
                 min_overlap: float = MIN_OVERLAP) -> None:
        self.embed = embed
        self.min_similarity = min_similarity
        self.min_overlap = min_overlap

    def judge(self, sentences: Sequence[str], passages: Sequence[Passage]) -> list[Verdict]:
        """One verdict per sentence; ``[n]`` markers refer to ``passages`` 1-based."""
        prepared = [_prepare(s, passages) for s in sentences]
        texts: list[str] = []
        for item in prepared:
            if item.reason is None:
                texts.append(item.plain)
                texts.extend(item.evidence_units)
        vectors = self.embed(texts) if texts else []
        verdicts: list[Verdict] = []
        at = 0
        for item in prepared:
            if item.reason is not None:
                verdicts.append(Verdict(item.sentence, item.markers, False, item.reason))
                continue
            own = vectors[at]
            units = vectors[at + 1:at + 1 + len(item.evidence_units)]
            at += 1 + len(item.evidence_units)
            similarity = max((_cosine(own, u) for u in units), default=0.0)
            reason = threshold_reason(similarity, item.overlap, self.min_similarity,
                                      self.min_overlap)
            verdicts.append(Verdict(item.sentence, item.markers, reason == "supported", reason,
                                    similarity, item.overlap))
        return verdicts

    def check(self, text: str, passages: Sequence[Passage]) -> list[Verdict]:
        """Verdicts for every sentence of ``text`` (see :func:`split_sentences`)."""
        return self.judge(split_sentences(text), passages)

    def keep_supported(self, draft: Draft) -> Draft | None:
        """The draft with only its supported sentences.

        Returns the draft itself when every sentence is supported, or when no sentence has a
        valid marker at all (citation verification then rejects the whole answer); None when
        sentences had valid markers but none of them is supported.
        """
        pieces = split_sentences(draft.text)
        verdicts = self.judge(pieces, draft.passages)
        if all(v.supported or not v.sentence.strip() for v in verdicts):
            return draft
        if not any(1 <= n <= len(draft.passages) for v in verdicts for n in v.markers):
            return draft
        kept: list[str] = []
        for n, verdict in enumerate(verdicts, start=1):
            if verdict.supported or not verdict.sentence.strip():
                kept.append(verdict.sentence)
                continue
            markers = ",".join(map(str, verdict.markers)) or "none"
            logger.warning("dropped unsupported sentence sentence=%d markers=%s reason=%s "
                           "similarity=%.3f overlap=%.3f", n, markers, verdict.reason,
                           verdict.similarity, verdict.overlap)
        text = "".join(kept).strip()
        if not MARKER.search(text):
            return None
        return replace(draft, text=text)


@dataclass
class _Prepared:
    sentence: str
    markers: tuple[int, ...]
    reason: str | None
    plain: str = ""
    evidence_units: tuple[str, ...] = ()
    overlap: float = 0.0


def _prepare(sentence: str, passages: Sequence[Passage]) -> _Prepared:
    """Everything but the similarity: markers, quotes, key terms, polarity, word overlap."""
    markers = tuple(int(m) for m in MARKER.findall(sentence))
    valid = tuple(n for n in markers if 1 <= n <= len(passages))
    if not sentence.strip():
        return _Prepared(sentence, markers, "empty")
    if not valid:
        return _Prepared(sentence, markers, "no valid citation marker")
    cited = [passages[n - 1] for n in dict.fromkeys(valid)]
    plain = " ".join(MARKER.sub(" ", sentence).split()).lstrip("-•* ")
    body = " ".join(p.text for p in cited)
    folded_body = _fold(body)
    for quote in _QUOTE.findall(plain):
        if _fold(quote).strip(" .,;:") not in folded_body:
            return _Prepared(sentence, valid, "a quotation is not in the cited passages")
    # The council, section and dates the model was told are evidence for a sentence about the
    # letter or the inspection; a finding's own date or figure must be in the passage text.
    dates = {"inspection": bool(_ABOUT_INSPECTION.search(plain)),
             "letter": bool(_ABOUT_LETTER.search(plain))}
    evidence = " ".join([body, *(_context(p, **dates) for p in cited), _about_cited(cited)])
    found = _stems(evidence) | set(tokenize(evidence))
    found |= _short_forms_of(evidence) | _frequencies_of(evidence) | _judgements_said(evidence)
    found |= _numbers_said(evidence)
    for term in _key_terms(plain):
        if term not in found:
            return _Prepared(sentence, valid, f"a key term is not in the cited passages "
                                              f"kind={_kind(term)}")
    # "listed as an area for development": the cited passage's section (or its own words, as in
    # "the inspection identified one area for priority action")
    claimed = _claimed_sections(plain) - _claimed_sections(body)
    if claimed and not claimed & {_section_kind(p.section) for p in cited}:
        return _Prepared(sentence, valid, "it places the finding in another section than the "
                                          "cited passage's")
    role = _missing_role(plain, evidence)
    if role is not None:
        return _Prepared(sentence, valid, f"a person, team or agency is not in the cited "
                                          f"passages role={role}")
    units = [u for p in cited for u in _units(p.text)]
    words = tokenize(plain)
    best = max(units, key=lambda u: _shared(words, u), default=body)
    polarity = _polarity(plain, units, best) or _contrast_clash(plain, units) or \
        _causal_clash(plain, [p.text for p in cited])
    if polarity is not None:
        return _Prepared(sentence, valid, polarity)
    content = [w for w in words if w not in _found_anyway]
    overlap = sum(1 for w in content if w in found or _SAME_WORD.get(w, frozenset()) & found) \
        / len(content) if content else 1.0
    return _Prepared(sentence, valid, None, plain, tuple(dict.fromkeys([*units, body])), overlap)


_found_anyway = frozenset(tokenize("letter letters inspection inspectors ofsted council say "
                                   "says said states stated found finds reports reported notes "
                                   "noted also")) | frozenset(tokenize(" ".join(_NEGATIONS)))


def _missing_role(sentence: str, evidence: str) -> str | None:
    """The first role, team or agency the sentence names ("team managers", "the police", "the
    youth offending team") that its evidence does not name the same way, or None."""
    own, found = _role_words(sentence), _role_words(evidence)
    joined = " " + " ".join(found) + " "
    i = 0
    while i < len(own):
        for size in (3, 2, 1):
            phrase = tuple(own[i:i + size])
            if len(phrase) == size and phrase in _ROLE_PHRASES:
                if " " + " ".join(phrase) + " " not in joined:
                    return " ".join(phrase)
                i += size - 1
                break
        i += 1
    return None


def _role_words(text: str) -> list[str]:
    """Lower-case words, singular ("managers" -> "manager"), for matching role phrases."""
    words = re.findall(r"[a-z&]+", text.lower().replace("’", "'").replace("'s", ""))
    words = [_SAME_ROLE.get(w, w) for w in words]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in words]


# Words that name the same people or means: "sign-off by managers" for "management oversight".
_SAME_ROLE = {"management": "manager", "managerial": "manager", "telephone": "phone"}


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(text.lower().split())


def _stems(text: str) -> set[str]:
    """The stems of the text's words, and of the judgement each judging adverb says
    ("satisfactorily" is also "satisfactory")."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    return {stem(w) for w in words} | {stem(_judgement_of(w)) for w in words}


def _judgement_of(word: str) -> str:
    """The judgement word of a judging adverb ("satisfactorily", "poorly"); else the word."""
    for ending, base in (("ily", "y"), ("ly", "")):
        if word.endswith(ending) and word[:-len(ending)] + base in _JUDGEMENTS:
            return word[:-len(ending)] + base
    return word


def _context(passage: Passage, *, inspection: bool = True, letter: bool = True) -> str:
    """What the model was told about a passage besides its text: council, section, dates."""
    parts = [passage.authority or "", passage.section]
    if re.search(r"satisfactor|national\s+guidance", passage.section, re.IGNORECASE):
        parts.append("satisfactory satisfactorily")  # the section's own judgement
    if inspection and passage.inspection_date:
        parts.append(_date_words(passage.inspection_date))
    if letter and passage.letter_date:
        parts.append(_date_words(passage.letter_date))
    return " ".join(parts)


def _about_cited(cited: Sequence[Passage]) -> str:
    """What holds for the cited passages together: the years of their inspections ("in 2009"
    places a finding in time) and how many councils they are about ("both", "all three")."""
    years = {p.inspection_date[:4] for p in cited if p.inspection_date}
    councils = {p.authority for p in cited if p.authority}
    count = len(councils)
    words = [str(count), _COUNT_WORDS.get(count, "")] if count > 1 else []
    return " ".join([*sorted(years), *words])


_COUNT_WORDS = {2: "two both", 3: "three", 4: "four", 5: "five"}


def _date_words(value: str) -> str:
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_NUMBER_VALUES = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())} | {
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "half": "50%",
    "quarter": "25%"}
_VALUE_WORDS = {v: w for w, v in _NUMBER_VALUES.items()} | {"50": "half", "25%": "quarter"}


def _numbers_said(evidence: str) -> set[str]:
    """A figure said the other way: "seven" is "7" and "7" is "seven", "half" is "50%",
    "24 hours" is "a day"."""
    out: set[str] = set()
    for word in _WORD.findall(evidence.lower()):
        if word in _NUMBER_VALUES:
            value = _NUMBER_VALUES[word]
            out |= {value, value.rstrip("%")}
        elif word in _VALUE_WORDS:
            out.add(stem(_VALUE_WORDS[word]))
    if re.search(r"\b24\s+hours\b", evidence, re.IGNORECASE):
        out.add(stem("day"))
    return out


_WELL_DONE = re.compile(r"\bwell[\s-]+(?!below\b|above\b|short\b)[a-z]+ed\b")
_POOR = re.compile(r"\b(?:poor|poorly|weak|weakly|weaknesses|weakness)\b")


def _judgements_said(evidence: str) -> set[str]:
    """A judgement said in other words: "well staffed" is good staffing, "poorly linked" is
    weakly linked (and the reverse)."""
    lowered = evidence.lower()
    out: set[str] = set()
    if _WELL_DONE.search(lowered):
        out.add(stem("good"))
    if _POOR.search(lowered):
        out |= {stem("poor"), stem("weak")}
    return out


_FREQUENCIES = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month",
                "annually": "year", "yearly": "year"}


def _frequencies_of(evidence: str) -> set[str]:
    """A frequency said the other way: "daily" is "every day" and "every day" is "daily"."""
    lowered = evidence.lower()
    out: set[str] = set()
    for adverb, period in _FREQUENCIES.items():
        if re.search(rf"\b{adverb}\b", lowered):
            out |= {stem(period), stem("every"), stem("each")}
        if re.search(rf"\b(?:every|each)\s+{period}\b", lowered):
            out.add(stem(adverb))
    return out


def _short_forms_of(evidence: str) -> set[str]:
    """The stems of the short forms whose long form the evidence holds ("edt" for "emergency
    duty team", see ``assistant/data/short_forms.yaml``), and a number a short form holds ("47"
    of "s47" for "section 47")."""
    out: set[str] = set()
    for short in short_forms_evidenced(evidence):
        out.add(stem(short))
        out.update(re.findall(r"\d+", short))
    return out


_SECTION_CLAIM = [
    ("priority", re.compile(r"\bpriority\s+actions?\b|\bareas?\s+for\s+priority\b", re.IGNORECASE)),
    ("development", re.compile(r"\bareas?\s+(?:for|of)\s+(?:development|improvement)\b|"
                               r"\bdevelopment\s+(?:areas?|points?)\b", re.IGNORECASE)),
    ("strength", re.compile(r"\b(?:as|among|amongst|one\s+of)\s+(?:(?:its|the|their|a)\s+)?"
                            r"(?:[A-Z][\w']+\s+)?strengths?\b", re.IGNORECASE)),
]


def _claimed_sections(sentence: str) -> set[str]:
    """The sections a sentence says a finding sits in ("listed as an area for development")."""
    return {name for name, rx in _SECTION_CLAIM if rx.search(sentence)}


def _section_kind(section: str) -> str:
    lowered = section.lower()
    if "priority" in lowered:
        return "priority"
    if "development" in lowered or "improvement" in lowered:
        return "development"
    if "strength" in lowered:
        return "strength"
    return "other"


def _key_terms(sentence: str) -> list[str]:
    """The stems of the sentence's names, places, numbers, dates and judgement words."""
    terms: list[str] = []
    words = _WORD.findall(sentence)
    for i, word in enumerate(words):
        lower = word.lower().replace("’", "'")
        if lower.endswith("'s"):
            lower = lower[:-2]
        if not lower:
            continue
        key = (lower[0].isdigit() or lower in _NUMBER_WORDS or lower in _MONTHS
               or _judgement_of(lower) in _JUDGEMENTS
               or lower in _CHANGES or lower in _places())
        after = words[i + 1].lower() if i + 1 < len(words) else ""
        if lower == "good" and after == "time":
            key = False  # "in good time" is timeliness, not a grade
        if (lower == "one" and after in ("of", "another")) or (lower == "first" and not after):
            key = False  # "one of the measures", "one another", "held first": no figure
        if lower in _DURATIONS and i > 0:
            before = words[i - 1].lower()
            key = before[0].isdigit() or before in _NUMBER_WORDS or before in _AMOUNTS
        if not key and word[0].isupper() and lower not in _GENERIC_CAPS:
            key = i > 0 or lower in _TITLES
        if key:
            terms.append(stem(_judgement_of(lower)))
    return terms


def _kind(term: str) -> str:
    if term[0].isdigit() or term in _NUMBER_WORDS:
        return "number"
    if term in _MONTHS:
        return "date"
    if term in _places():
        return "place"
    if term in {stem(j) for j in _JUDGEMENTS}:
        return "judgement"
    return "name"


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Lower-cased words of every council's place name ("portsmouth", "hartlepool" ...)."""
    from ingest.authorities import AUTHORITIES

    common = {"east", "west", "north", "south", "city", "upon", "and", "the", "of", "on",
              "county", "new", "isle", "great", "royal", "borough", "st", "under", "central",
              "forest", "hill", "green", "park", "vale", "with", "sea", "reading", "tower",
              "bury", "isles", "hamlets"}
    words = {w.lower() for a in AUTHORITIES for w in re.findall(r"[A-Za-z]+", a.place)}
    return frozenset(w for w in words if w not in common and len(w) > 2)


def _units(text: str) -> list[str]:
    """Sentences of a passage (its bullets and lines too)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“(])|\n+", text)
    return [p.strip(" -•\t") for p in parts if len(p.strip(" -•\t")) >= 3] or [text]


def _shared(words: list[str], unit: str) -> int:
    return len(set(words) & set(tokenize(unit)))


def _negated_words(text: str, reach: int = 7) -> list[list[str]]:
    """For each negation in ``text``: the stems of the (at most two) content words it governs,
    in order, looked for among the ``reach`` words after it.

    Adverbs ("regularly", "always", "fully") are skipped: in "not regularly recorded" the
    negated word is "recorded". A leading answer word ("No," "Not always:") is no negation.
    """
    lowered = _LEADING_ANSWER.sub("", text.lower().replace("’", "'"))
    lowered = _NOT_A_NEGATION.sub(" promptly ", lowered)
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", lowered)
    scopes = []
    for i, word in enumerate(words):
        if word in _NEGATIONS or word.endswith("n't"):
            scope: list[str] = []
            for after in words[i + 1:i + 1 + reach]:
                if after in _NEGATIONS or after in _SKIP_AFTER_NEGATION or after.endswith("ly"):
                    continue
                scope.append(stem(after))
                if len(scope) == 2:
                    break
            scopes.append(scope)
    return scopes


def _negation_scopes(text: str) -> list[set[str]]:
    """For each negation in ``text``: the stems of the two content words it governs."""
    return [set(scope) for scope in _negated_words(text)]


def _polarity(sentence: str, units: list[str], best: str) -> str | None:
    """Why the sentence's negations, polarity or quantifiers do not match its passages' (None
    when they do).

    A negation of the sentence is matched by a negation of the same words in a passage, or by a
    negative passage sentence in other words ("not completed in a timely way" for "the
    timeliness ... is poor"). A negative sentence about a passage sentence that is not negative,
    or the reverse ("rarely met" for "consistently met"), is not supported.
    """
    evidence = [scope for unit in units for scope in _negation_scopes(unit)]
    own = _negation_scopes(sentence)
    if _DOUBLE_NEGATION.search(sentence):
        return "a double negation is not in the cited passages"
    best_negative = _is_negative(best)
    if _denies_a_judgement(sentence, best):
        return "it denies the cited passage's judgement"
    for scope in own:
        if any(scope & other for other in evidence):
            continue
        # Other words for a negative finding pass; denying what the passage asserts does not.
        if not best_negative or _asserted(scope, best):
            return "a negation is not in the cited passages"
    words = set(tokenize(sentence))
    sentence_negative = _is_negative(sentence)
    for scope in _negation_scopes(best):
        head = next(iter(sorted(scope, key=lambda w: _first_index(best, w))), None)
        # the same verb in another tense counts: "took place" for "does not take place"
        forms = {head, *_VERB_FORMS.get(head or "", ())} & words
        if (head is not None and forms and not any(scope & mine for mine in own)
                and _asserted(forms, sentence, _NOT_YET)):
            return "it drops a negation of the cited passage"
    if sentence_negative and not best_negative and not any(_is_negative(u) for u in units):
        return "it is negative where the cited passages are not"
    if best_negative and not sentence_negative and words & _POSITIVE_CUES:
        return "it is positive where the cited passage is negative"
    quantifier = _quantifier_clash(sentence, best)
    if quantifier is not None:
        return quantifier
    prefixed = _prefix_clash(sentence, units)
    if prefixed is not None:
        return prefixed
    antonym = _antonym_clash(sentence, units)
    if antonym is not None:
        return antonym
    return _opposite_direction(sentence, best)


def _opposite_direction(sentence: str, best: str) -> str | None:
    """A direction or amount ("risen", "many") where the passage sentence says only the
    opposite ("reduced", "few")."""
    own, near = set(tokenize(sentence)), set(tokenize(best))
    for up, down in _OPPOSITE_GROUPS:
        for mine, theirs in ((up, down), (down, up)):
            if own & mine and near & theirs and not near & mine and not own & theirs:
                return "it says the opposite direction or amount of the cited passage"
    return None


def _word_groups(groups: Sequence[str]) -> dict[str, frozenset[str]]:
    """For the stem of each word of each group, the stems of every word grouped with it."""
    out: dict[str, frozenset[str]] = {}
    for group in groups:
        stems = frozenset(stem(w) for w in group.split())
        for word in stems:
            out[word] = out.get(word, frozenset()) | stems
    return out


# Irregular verbs of the genre, by the stem of each form: "held" is "hold", "took" is "take".
_VERB_FORMS = _word_groups((
    "take took taken taking", "hold held holding", "see saw seen seeing", "make made making",
    "give gave given giving", "keep kept keeping", "tell told telling", "meet met meeting",
    "find found finding", "do did done doing", "get got gotten getting", "know knew known",
    "write wrote written", "send sent sending", "lead led leading", "begin began begun",
    "speak spoke spoken"))
_NEGATING_PREFIXES = ("un", "in", "im", "ir", "dis", "non")
_HYPHENATED_PREFIX = re.compile(rf"\b({'|'.join(_NEGATING_PREFIXES)})-(?=[a-z])")


def _prefix_clash(sentence: str, units: list[str]) -> str | None:
    """A word the passages only say with a negating prefix, or the reverse: "announced" for
    "unannounced", "unmanageable" for "manageable"."""
    def words(text: str) -> list[str]:  # "non-abusing" is one word, as "nonabusing"
        return re.findall(r"[a-z]+", _HYPHENATED_PREFIX.sub(r"\1", text.lower()))

    own_words = words(sentence)
    own = set(own_words)
    near_words = [words(u) for u in units]
    near = {w for words in near_words for w in words}
    for word in own:
        if len(word) < 5:
            continue
        for prefix in _NEGATING_PREFIXES:
            if prefix + word in near and word not in near and not _negated(word, own_words):
                return "it drops the negating prefix of a word of the cited passage"
            plain = word[len(prefix):]
            if word.startswith(prefix) and len(plain) >= 5 and plain in near and \
                    word not in near and not any(_negated(plain, w) for w in near_words):
                return "it adds a negating prefix to a word of the cited passage"
    return None


def _negated(word: str, words: list[str]) -> bool:
    """Whether ``word`` follows a negation within four words ("not covered", "not been seen")."""
    for i, w in enumerate(words):
        if w == word and any(x in _NEGATIONS or x in _BARE_NEGATIONS or x in _NOT_YET_WORDS
                             for x in words[max(0, i - 4):i]):
            return True
    return False


def _contrast_clash(sentence: str, units: list[str]) -> str | None:
    """One of a pair the genre keeps apart ("initial" / "core" assessments, the office / home)
    where the passages say only the other."""
    own = set(tokenize(sentence))
    near = {w for u in units for w in tokenize(u)}
    for a, b in _CONTRASTS:
        for mine, theirs in ((a, b), (b, a)):
            if mine in own and theirs in near and mine not in near:
                return "it names the other of a pair the cited passage keeps apart"
    return None


def _causal_clash(sentence: str, cited: list[str]) -> str | None:
    """A cause or link the sentence claims ("caused by", "because of", "links X to Y") that no
    cited passage states as one."""
    if not _CAUSAL_CLAIM.search(sentence):
        return None
    if any(_CAUSAL_PASSAGE.search(text) for text in cited):
        return None
    return "it claims a cause or link that no cited passage states"


def _asserted(scope: set[str], unit: str, cues: frozenset[str] | None = None) -> bool:
    """Whether ``unit`` says one of the ``scope`` words with no negative word (of ``cues``,
    by default any negative cue) near it."""
    cues = _NEGATIVE_CUES if cues is None else cues
    tokens = tokenize(unit)
    for i, token in enumerate(tokens):
        if token not in scope or set(tokens[max(0, i - 4):i + 5]) & (cues - _BEFORE):
            continue
        # "before" and "until" deny only what follows them ("closed before the child was seen")
        if not set(tokens[max(0, i - 4):i]) & cues & _BEFORE:
            return True
    return False


def _denies_a_judgement(sentence: str, best: str) -> bool:
    """Whether the sentence negates a negative judgement its passage makes plainly: "is not
    poor" for "is poor", "there is no backlog" for "there is a backlog" (the negated word is
    itself a negative word, and the passage says it with no negating word near)."""
    tokens = tokenize(best)
    said = {t for i, t in enumerate(tokens)
            if t in _NEGATIVE_CUES and t not in _NEGATORS
            and not set(tokens[max(0, i - 3):i]) & _NEGATORS}
    # the first word each negation governs, within five words of it
    return any(scope[0] in said for scope in _negated_words(sentence, reach=5) if scope)


def _is_negative(text: str) -> bool:
    """Whether the text says something is missing, wrong, late or getting worse."""
    lowered = _NOT_A_NEGATION.sub(" promptly ", text.lower().replace("’", "'"))
    if "n't" in lowered:
        return True
    return bool(set(tokenize(lowered)) & _NEGATIVE_CUES)


# "the inspection found that no children ...": none, said inside the sentence
_FOUND_NONE = re.compile(r"\b(?:found|showed|saw)\s+(?:that\s+)?(?:no|none\s+of\s+the)\s+"
                         r"(?!longer\b|doubt\b|delay\b|further\b)\w+")


def _quantifier_clash(sentence: str, best: str) -> str | None:
    """A sweeping word (all, every, always, never, none ...) that the passage does not use."""
    lowered = _EVERY_PERIOD.sub(" ", _LEADING_ANSWER.sub("", sentence.lower()))
    lowered = _NEGATED_SWEEP.sub(" ", lowered)  # "not ... consistently" hedges, it claims no rule
    own = set(re.findall(r"[a-z]+", lowered))
    # "not all children were seen" gives no evidence for "every child was seen"
    near = set(re.findall(r"[a-z]+", _NEGATED_SWEEP.sub(" ", best.lower())))
    if "never" in own and _negation_scopes(best) and not _HEDGE.search(best.lower()):
        own.discard("never")  # "never seen" for "had not been seen"; not for "not always"
    for group in _QUANTIFIER_GROUPS:
        if own & group and not near & group:
            return "a quantifier (all, every, never ...) is not in the cited passages"
    says_none = bool(re.match(r"\W*(?:no|none\s+of\s+the)\s+\w+", lowered)) or (
        bool(_FOUND_NONE.search(lowered)) and not _HEDGE.search(lowered))
    if says_none and _HEDGE.search(best.lower()) \
            and not re.search(r"\b(?:no|none|never)\b", best.lower()):
        return "it says none where the cited passage says some"
    hedged = {m.group(1) for m in _HEDGED.finditer(best.lower())}
    if hedged and not _HEDGED.search(lowered) and own & hedged:
        return "a quantifier the cited passage hedges (almost all, nearly every) is not hedged"
    return None


def _first_index(text: str, stemmed: str) -> int:
    for i, word in enumerate(tokenize(text)):
        if word == stemmed:
            return i
    return 1 << 30


def _antonym_clash(sentence: str, units: list[str]) -> str | None:
    """A judgement word whose opposite the passages attach to the same thing ("morale ... low")."""
    words = tokenize(sentence)
    for i, word in enumerate(words):
        opposite = _ANTONYMS.get(word)
        if opposite is None or i == 0:
            continue
        subjects: set[str] = set()
        for before in reversed(words[max(0, i - 4):i]):
            if before in _ANTONYMS:
                break  # "morale is low ..., where workloads are high": high is the workloads'
            subjects.add(before)
        # Each subject word votes for the judgement nearest it in the passage: "morale is low
        # ..., where workloads are high" says low of morale and high of workloads.
        same = against = 0
        for tokens in map(tokenize, units):
            for j, token in enumerate(tokens):
                if token not in subjects:
                    continue
                near = [(abs(k - j), t in opposite) for k, t in enumerate(tokens)
                        if abs(k - j) <= 3 and (t == word or t in opposite)]
                if near:
                    mine = min(d for d, opp in near if not opp) if any(
                        not opp for _, opp in near) else 99
                    theirs = min(d for d, opp in near if opp) if any(
                        opp for _, opp in near) else 99
                    same += int(mine < theirs)
                    against += int(theirs < mine)
        if against > same:
            return "a judgement word is the opposite of the cited passage's"
    return None


_ABOUT_INSPECTION = re.compile(r"\b(?:inspect\w*|visit\w*|took place|carried out|conducted)\b",
                               re.IGNORECASE)
_ABOUT_LETTER = re.compile(r"\b(?:letter\w*|dated|sent|signed|wrote|written)\b", re.IGNORECASE)
# Matched singular (see :func:`_role_words`): "team manager" covers "team managers".
_ROLE_PHRASES = frozenset(tuple(_role_words(phrase)) for phrase in (
    "police", "police officer", "health visitor", "school nurse", "teacher", "school", "gp", "gps",
    "midwife", "midwives", "councillor", "elected member", "housing", "probation", "camhs",
    "mental health", "youth offending team", "youth offending service", "health trust",
    "hospital", "paediatrician", "team manager", "senior manager", "senior practitioner",
    "service manager", "administrative officer", "administrative staff", "duty team",
    "emergency duty team", "disability team", "disabled children's team", "assessment team",
    "initial assessment team", "child protection team", "court team",
    "looked after children team", "family support", "foster carer", "key worker", "nursery",
    "contact centre", "customer service centre", "call centre", "director", "lead member",
    "chief executive", "independent reviewing officer", "lscb", "safeguarding board",
    "local safeguarding children board", "west area", "east area", "north area", "south area",
    "area team", "social worker", "health", "parent", "telephone", "phone", "email", "e-mail",
    "interim", "locum", "agency", "newly qualified",
    # who a finding is about: "disabled children" is not "looked after children"
    "adult", "looked after", "disabled", "older children", "younger children", "young children",
    "baby", "babies", "unborn", "teenager", "young people", "carer", "manager", "commander",
    "superintendent", "referrer", "out of hours", "long-term team", "long term team",
    "referral and assessment"))
_BARE_NEGATIONS = frozenset("isnt arent wasnt werent dont doesnt didnt hasnt havent cant".split())
_NOT_YET_WORDS = frozenset("waiting awaiting yet pending before until".split())
_CONTRASTS = [tuple(stem(w) for w in pair) for pair in (
    ("initial", "core"), ("office", "home"), ("public", "professionals"), ("day", "night"),
    ("weekend", "weekday"), ("adult", "children"))]
_CAUSAL_CLAIM = re.compile(
    r"\bcaused\s+by\b|\bbecause\s+of\b|\bdue\s+to\b|\bas\s+a\s+result\s+of\b|"
    r"\blinks\s+(?:the|this|these|it|them|that)\b[^.]*\bto\b|\bthe\s+cause\b|\bblames?\b|"
    r"\battribut\w+\s+to\b|\bresult\s+of\b|\bowing\s+to\b|\bthe\s+reason\s+(?:for|why|that)?\b|"
    r"\bmeans\s+(?:that\s+)?(?:some|the|many|families|children)\b", re.IGNORECASE)
_CAUSAL_PASSAGE = re.compile(
    r"\bbecause\b|\bas\s+a\s+result\b|\bresult(?:s|ing|ed)?\s+in\b|\blead(?:s|ing)?\s+to\b|"
    r"\bled\s+to\b|\bdue\s+to\b|\bcaus\w+|\bso\s+that\b|\btherefore\b|\bmeans?\s+that\b|"
    r"\bconsequen\w+|\bimpact\w*\b|\baffect\w*\b|,\s+so\b|\bowing\s+to\b|\bfollowing\b|"
    r"\bwhich\s+(?:means|delays|results|leads|affects|has|have|is|are)\b", re.IGNORECASE)
# Words of the genre that say the same thing: a paraphrase using one keeps the overlap of
# the other ("finishing core assessments" for "completing core assessments").
_SYNONYMS = (
    "complete completed completing completion finish finished finishing done",
    "late delayed delay delays overdue slow behind", "quick quickly prompt promptly timely swift",
    "staff workers worker practitioners employees", "kids children child youngsters",
    "families parents carers", "poor weak inadequate", "good effective strong well",
    "checked reviewed scrutinised monitored", "record recorded recording written documented",
    "enough sufficient adequate", "often frequently regularly", "shortage shortages short",
    "vacancies vacant unfilled", "begun started commenced initiated", "told informed",
    "views wishes feelings voice", "meeting meetings discussion discussions",
    "use used using", "help support supported supporting", "plan plans planning",
    "senior managers leaders leadership", "improve improved improving better",
)
_SAME_WORD = _word_groups(_SYNONYMS)
# Negative words that say something positive: "without delay", "not delayed" are promptly.
_NOT_A_NEGATION = re.compile(r"\bwithout\s+(?:any\s+)?(?:undue\s+)?delay\b|"
                             r"\bno\s+(?:undue\s+)?delay\b|\bnot\s+(?:unduly\s+)?delayed\b|\bnot\s+only\b|"
                             r"\bno\s+doubt\b")
_EVERY_PERIOD = re.compile(r"\bevery\s+(?:day|week|month|morning|fortnight|year)\b")
_HEDGE = re.compile(r"\b(?:(?:not|cannot|can't|do not|don't|are not|is not) (?:always|all|every|"
                    r"routinely|consistently|regularly)|some|most|several|a few|many|often|"
                    r"sometimes|occasionally|in places)\b")
_NEGATED_SWEEP = re.compile(r"\b(?:not|n't|never)\s+(?:\w+\s+){0,3}?(?:always|all|every|"
                            r"consistently|routinely|fully|entirely)\b|\beach\s+(?:worker|child|"
                            r"case|family|team)['’]s\b")
_HEDGED = re.compile(r"\b(?:almost|nearly|virtually|practically)\s+(all|every|always|everyone|"
                     r"entirely|fully)\b")
_QUANTIFIER_GROUPS = [frozenset(g.split()) for g in (
    "all every each", "always invariably consistently routinely", "never", "none",
    "fully entirely completely wholly", "most majority")]
_NEGATIVE_CUES = frozenset(stem(w) for w in (
    "not no never none nothing without cannot unable lack lacks lacking insufficient "
    "insufficiently fail fails failed failing failure absent poor poorly weak weakness "
    "weaknesses delay delays delayed late slow inconsistent inconsistently unclear limited "
    "rarely seldom few decline declined declining deteriorated worse backlog backlogs shortfall "
    "gap gaps concern concerns problem problems difficult difficulty below missing inadequate "
    "unsatisfactory ineffective inappropriate inappropriately wrongly unreliable patchy variable "
    "underdeveloped unallocated vacancies vacancy shortage shortages remote overdue "
    "insufficiency uneven lapsed drift varies short").split())
# Words that negate what is near them (not words that only sound negative, like "poor").
_NEGATORS = frozenset(stem(w) for w in (
    "not no never none nothing without cannot unable lack lacks lacking fail fails failed "
    "failing absent rarely seldom").split())
# What says a thing has not (yet) happened: "closed before the child was seen" keeps the
# passage's "closed without the child being seen".
_BEFORE = frozenset(stem(w) for w in "before until prior".split())
_NOT_YET = _NEGATORS | _BEFORE | {stem("less")}
_POSITIVE_CUES = frozenset(stem(w) for w in (
    "improved improving improvement timely promptly prompt consistently robust effective "
    "effectively strong strength excellent thorough thoroughly good well always "
    "established clearly evident consistent meets").split())
_DOUBLE_NEGATION = re.compile(r"\b(?:not|no|never|n't)\s+(?:\w+\s+)?"
                              r"(?:lack\w*|fail\w*|insufficient\w*|without|un\w+)\b",
                              re.IGNORECASE)
_LEADING_ANSWER = re.compile(r"^\W*(?:yes|no|not\s+\w+)\s*[,:;.]\s*")
_SKIP_AFTER_NEGATION = frozenset(
    "the a an be been being is are was were have has had to of in on at for by it its their "
    "this that these those any all always yet longer".split())
# Opposite directions and amounts: any word of one group against any of the other.
_OPPOSITE_GROUPS = [
    (frozenset(stem(w) for w in "increased increase increasing risen rise rising grown growing "
                                "higher more".split()),
     frozenset(stem(w) for w in "reduced reduce reducing decreased decrease fallen fall falling "
                                "lower fewer less".split())),
    (frozenset(stem(w) for w in "many most majority all".split()),
     frozenset(stem(w) for w in "few minority none".split())),
]
_PAIRS = [("high", "low"), ("good", "poor"), ("strong", "weak"), ("outstanding", "inadequate"),
          ("effective", "ineffective"), ("robust", "weak"), ("thorough", "superficial"),
          ("easy", "cumbersome"), ("timely", "late"), ("excellent", "poor"),
          ("increased", "reduced"), ("increase", "decrease"), ("risen", "fallen"),
          ("rise", "fall"), ("improved", "declined"), ("improving", "declining"),
          ("many", "few"), ("visible", "remote"), ("regularly", "rarely"),
          ("better", "worse"), ("older", "younger"), ("older", "youngest"),
          ("oldest", "youngest")]
_ANTONYMS: dict[str, set[str]] = {}
for _a, _b in _PAIRS:
    _ANTONYMS.setdefault(stem(_a), set()).add(stem(_b))
    _ANTONYMS.setdefault(stem(_b), set()).add(stem(_a))


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
