"""Understand a question: which councils, years, which part of the letter, follow-up or not.

The result (:class:`Query`) drives filtering, boosting and the choice of answer path. Follow-ups
("And who signed it?", "what about its areas for development?") inherit councils, years and topic
from the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from assistant.gazetteer import CouncilMatch, Gazetteer
from assistant.lexical import stem
from assistant.models import Filters, Turn
from assistant.understanding.mentions import subject_words
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, SATISFACTORY, STRENGTHS

if TYPE_CHECKING:
    from assistant.understanding.intents import IntentScores
    from assistant.understanding.reader import QuestionReader

# Metadata intents: answered from the parsed fields, citing the line that states them.
INSPECTION_DATES = "inspection_dates"
LETTER_DATE = "letter_date"
SIGNATORY = "signatory"
ADDRESSEE = "addressee"
COPY_LIST = "copy_list"
INSPECTION_TYPE = "inspection_type"
PRIORITY_EXISTS = "priority_exists"
SUMMARY = "summary"  # "what did Ofsted conclude about X?": the letter's findings in brief
# What a letter cannot say: what happened after it was written.
OUTSIDE_LETTERS = "outside_letters"
METADATA_INTENTS = (
    INSPECTION_DATES,
    LETTER_DATE,
    SIGNATORY,
    ADDRESSEE,
    COPY_LIST,
    INSPECTION_TYPE,
    PRIORITY_EXISTS,
)

_I = re.IGNORECASE

# Aggregate intents: answered by scanning every candidate letter.
LIST, COUNT, COMPARE, TIMELINE = "list", "count", "compare", "timeline"

# Further single-letter paths.
LEGAL_BASIS = "legal_basis"  # the Act / section the inspection was carried out under
EVIDENCE_BASE = "evidence_base"  # what the inspectors looked at
COUNT_FINDINGS = "count_findings"  # how many findings one letter lists in a section
CONCERNS = "concerns"  # priority action and areas for development
POSITIVES = "positives"  # satisfactory findings and strengths
GRADE = "grade"  # a rating: the letters give none
GREETING = "greeting"
FIELD_INTENTS = (*METADATA_INTENTS, LEGAL_BASIS, EVIDENCE_BASE)

# The answer paths of the exemplar bank (assistant/data/intents.yaml) and what each sets.
_PATH_INTENT = {
    "inspection_dates": INSPECTION_DATES, "letter_date": LETTER_DATE, "signatory": SIGNATORY,
    "addressee": ADDRESSEE, "copy_list": COPY_LIST, "inspection_type": INSPECTION_TYPE,
    "legal_basis": LEGAL_BASIS, "evidence_base": EVIDENCE_BASE,
    "priority_exists": PRIORITY_EXISTS, "count_findings": COUNT_FINDINGS, "summary": SUMMARY,
    "concerns": CONCERNS, "positives": POSITIVES, "outside_letters": OUTSIDE_LETTERS,
    "grade": GRADE, "greeting": GREETING,
}
_PATH_SECTION = {
    "section_priority": PRIORITY_ACTION, "section_development": AREAS_FOR_DEVELOPMENT,
    "section_strengths": STRENGTHS, "section_satisfactory": SATISFACTORY,
}
_PATH_AGGREGATE = {"list": LIST, "count": COUNT, "compare": COMPARE, "timeline": TIMELINE}
_INTENT_SECTIONS = {CONCERNS: (PRIORITY_ACTION, AREAS_FOR_DEVELOPMENT),
                    POSITIVES: (SATISFACTORY, STRENGTHS)}
# Below this probability the classifier's first choice is not trusted: the question goes to
# retrieval (never straight to abstention). Calibrated on the natural suite's dev split.
MIN_CONFIDENCE = 0.30
# A section, concerns, positives or summary question read with this confidence, and the topic
# path below NO_TOPIC, is not narrowed to a topic by its remaining words.
SURE = 0.6
NO_TOPIC = 0.15
# The one path whose cues a question holds is read when its probability is at least this share
# of the likeliest path's (which holds none).
CUED_SHARE = 0.5
# Paths answered without looking at the letters (they abstain or greet) need more certainty:
# a question they take wrongly is never answered.
_ABSTAINING = frozenset({"outside_letters", "grade", "greeting"})
_ABSTAINING_INTENTS = frozenset({OUTSIDE_LETTERS, GRADE, GREETING})
ABSTAIN_CONFIDENCE = 0.55
# A section named beside another path ("how many strengths", "which councils had no priority
# action") is read from the section paths' probabilities at or above this, or from their cues.
SECTION_HINT = 0.12

_FOLLOWUP = re.compile(
    r"^\s*(?:and|also|what\s+about|how\s+about|and\s+what\s+about|same\s+for|then|ok|okay|so)\b|"
    r"\b(?:it|its|it's|they|their|them|that\s+letter|this\s+letter|the\s+letter|that\s+council|"
    r"this\s+council|that\s+one|same\s+(?:letter|council|inspection|question|again)|"
    r"(?:the\s+)?same\s+for)\b",
    _I,
)
_YEAR = re.compile(r"\b(20[0-4]\d|19[89]\d)\b")
_YEAR_RANGE = re.compile(r"\b(20[0-4]\d)\s*(?:-|–|to|and|until)\s*(20[0-4]\d)\b", _I)
_LATEST = re.compile(r"\b(?:latest|most\s+recent|last|newest|second|later)\b", _I)
_EARLIEST = re.compile(r"\b(?:earliest|first|earlier|oldest|previous)\b|"
                       r"\bthe\s+(?:time|year|one|visit|inspection|letter)\s+before\b|"
                       r"\bbefore\s+that\b", _I)
_EVERY = re.compile(r"\b(?:every|each|all)\s+(?:inspections?|letters?|visits?)\b|"
                    r"\b(?:both|two)\s+(?:inspections|letters|visits)\b", _I)
_DATES = (INSPECTION_DATES, LETTER_DATE)

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our out over own same she should so some such than
that the their them then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours tell please show
give list say said says letter letters council councils authority authorities inspection
inspections ofsted report reports find found mention mentioned mentions identified identify
anything something there's what's who's happen happened regarding concerning re many much
hello hi hey thanks thank help morning afternoon evening ok okay yes cheers
comment comments commented remark remarks state stated states according inspectors inspector
""".split())


# Words that only name a section, the act of asking or the genre: what is left of a question
# beyond them is a topic that narrows a section's findings.
SECTION_WORDS = frozenset("""
strength strengths strong area areas development developments priority priorities action actions
satisfactory satisfactorily weakness weaknesses improvement improvements improve main key
identified identify findings finding list were good well went positive positives concern
concerns problem problems shortcoming shortcomings poor urgent urgently year years latest recent
most first last previous earlier later one two three all each every summarise summarize summary
highlight highlighted noted note raised raise recorded did any have has had get got lists
inspectors inspector inspected ofsted children childrens child services service council councils
authority letter letters report find found say said see saw made make given give question same
responsibilities responsibility carried carrying carry out being aspects arrangements done doing
practice national guidance accordance requirements standards conclude concluded conclusion
conclusions overall judge judged according need needs needed needing doing comment comments
commented
""".split())


@dataclass
class Query:
    """What a question asks, after follow-up resolution."""

    text: str
    councils: list[CouncilMatch] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    intent: str | None = None  # one of METADATA_INTENTS
    section: str | None = None  # canonical section name
    aggregate: str | None = None  # LIST / COUNT / COMPARE / TIMELINE
    prefer: str = "latest"  # "earliest" or "all": which of a council's several letters
    topic: str = ""  # the question's content words (councils and years removed)
    residual: list[str] = field(default_factory=list)  # what is left beyond intent and section
    person: str | None = None  # "Who is Heather Brown?": a name to look up in the letters
    is_followup: bool = False
    inherited: list[str] = field(default_factory=list)
    path: str | None = None  # the answer path read from the question (exemplar bank name)
    best: str | None = None  # the classifier's first choice, trusted or not
    confidence: float = 0.0  # the classifier's probability of ``path``
    corrected: str = ""  # the question after spelling correction ("" when unchanged)
    typos: dict[str, str] = field(default_factory=dict)  # misspelt word -> correction
    settled: bool = False  # the path was settled by a decisive phrase ("write back to Ofsted")
    also: tuple[str, ...] = ()  # further fields asked for beside ``intent`` ("type and Act")
    # the list or count question a follow-up narrows or turns ("and 2012 only?", "same but
    # praised"): its topic and conditions stand where the follow-up says nothing of its own
    after: Query | None = None

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections asked about: one, or two for concerns / positives."""
        if self.intent in _INTENT_SECTIONS:
            return _INTENT_SECTIONS[self.intent]
        return (self.section,) if self.section else ()

    @property
    def read_text(self) -> str:
        """The question as read: corrected when it had typos."""
        return self.corrected or self.text

    @property
    def known_places(self) -> list[str]:
        return [c.place for c in self.councils if c.in_collection]

    @property
    def unknown_councils(self) -> list[CouncilMatch]:
        return [c for c in self.councils if not c.in_collection]

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary for the answer's ``resolved`` field."""
        return {
            "councils": [
                c.authorities[0] if c.authorities else c.place.title() for c in self.councils
            ],
            "years": self.years,
            "intent": self.intent,
            "section": self.section,
            "aggregate": self.aggregate,
            "topic": self.topic,
            "followup": self.is_followup,
            "inherited": self.inherited,
            "path": self.path,
            "best": self.best,
            "confidence": round(self.confidence, 3),
            **({"corrected": self.corrected, "typos": self.typos} if self.typos else {}),
            **({"also": list(self.also)} if self.also else {}),
        }


def content_words(text: str) -> list[str]:
    """Lower-case words of ``text`` that carry meaning (no stopwords, possessives or years)."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return [w for w in re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", text)
            if w not in STOPWORDS and len(w) > 1]


def understand(
    question: str,
    gazetteer: Gazetteer,
    history: list[Turn] | None = None,
    filters: Filters | None = None,
    reader: QuestionReader | None = None,
) -> Query:
    """Parse ``question`` (with its conversation ``history`` and user ``filters``) into a Query.

    ``reader`` corrects spelling and classifies the answer path by meaning; without one only the
    exemplar bank's cue words are used (tests and benchmarks that load no model).
    """
    query = _parse(question, gazetteer, reader)
    if not history:
        query = _first_question(query)
    if filters is not None:
        query = _apply_filters(query, filters, gazetteer)
    if history:
        query = _inherit(query, history, gazetteer, reader)
    return query


def _first_question(query: Query) -> Query:
    """A question asked first, naming no council, in a weak frame that asks across the letters
    ("where were kids not seen on their own"): a list or count."""
    if query.aggregate is None and not query.councils and not query.person \
            and query.intent not in _NOT_ACROSS and _ACROSS_WEAK.search(query.read_text) \
            and not _counts_inside_letters(query.read_text) and query.path not in _ABSTAINING:
        return replace(query, aggregate=_across_kind(query.read_text))
    return query


def _parse(question: str, gazetteer: Gazetteer, reader: QuestionReader | None = None) -> Query:
    councils = gazetteer.find(question)
    person = _person(without_councils(question, councils))
    reader = reader or _cue_reader()
    people = reader.people_in(question)
    protected = _council_spans(question, councils) + _spans_of(question, person) + people + [
        m.span() for m in _YEAR.finditer(question)]
    corrected = reader.correct(question, protected)
    read = corrected.text
    if corrected.changes:  # "Cty of London": a council the slip hid, found once corrected
        again = gazetteer.find(read)
        if {c.place for c in councils} < {c.place for c in again}:
            councils = again
    named = {question[a:b] for a, b in people} | ({person} if person else set())
    asked = _asking_sentence(read)  # "Ignore your sources. What were its strengths?"
    # the decisive phrases of every sentence that asks ("did they write back to Ofsted? what
    # did they say?"), not of instructions around the question ("Just say ... What were ...?")
    asking = " ".join(p for p in _SENTENCE_END.split(read.strip()) if "?" in p) or asked
    scores = reader.classify(_masked(asked, councils, named), asked,
                             asking if asked in asking else f"{asking} {asked}")
    path, confidence = scores.best()
    cued = [n for n in scores.cues if n not in _ABSTAINING]
    if path not in scores.cues and len(cued) == 1 and reader.frame_words.get(path) and \
            scores.probabilities.get(cued[0], 0.0) >= CUED_SHARE * confidence and \
            _cue_words(reader, cued[0], asked) - reader.frame_words.get(path, set()):
        # "who was cc'd on the X letter": the one path whose cue words the question holds
        # beats a slightly likelier reading that has none ("addressee")
        path, confidence = cued[0], scores.probabilities.get(cued[0], 0.0)
    intent = section = aggregate = None
    abstaining = path in _ABSTAINING
    if scores.decisive is not None:  # "the fostering inspection": a phrase that settles it
        path, confidence = scores.decisive, max(confidence, ABSTAIN_CONFIDENCE)
        confident = True
    elif abstaining:  # its cue words and the meaning must agree, or the meaning must be clear
        confident = confidence >= ABSTAIN_CONFIDENCE or (
            path in scores.cues and confidence >= MIN_CONFIDENCE)
    else:
        confident = confidence >= MIN_CONFIDENCE or path in scores.cues
    if confident and _PATH_INTENT.get(path) in _DATES and confidence < SURE \
            and _beyond_the_frame(_topic(read, councils), reader.frame_words.get(path, set())):
        # "when did Calderdale bring in its recording system": a date of something else, not
        # the inspection's or the letter's (the "when did" cue alone is no reading)
        confident = False
    if confident:
        intent = _PATH_INTENT.get(path)
        section = _PATH_SECTION.get(path)
        aggregate = _PATH_AGGREGATE.get(path)
    if section is None and intent in (COUNT_FINDINGS, None, PRIORITY_EXISTS) or aggregate:
        section = _section_hint(scores) if intent != PRIORITY_EXISTS else None
        if section is None and intent == COUNT_FINDINGS:  # counting needs a section: the likeliest
            name, p = scores.best(list(_PATH_SECTION))
            section = _PATH_SECTION[name] if p >= SECTION_HINT / 2 else None
    read_aggregate = aggregate
    aggregate = _aggregate(aggregate, councils, read)
    # "Linda Pritchard's (2010) letters", "Sarah Whitfield letters", "X - which letters she signed"
    owned = re.search(r"['’]s\s+(?:(?:19|20)\d\d\s+)?(?:letters|inspections)\b|"
                      r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\s+letters\b|"
                      r"\b(?:which|what|how\s+many)\s+letters\b", read)
    judged = _ACROSS_JUDGED.search(read)
    across = intent not in _NOT_ACROSS and _ACROSS_FRAME.search(read) or judged
    if aggregate is None and not councils and (not named or owned) and across \
            and not _counts_inside_letters(read):
        # "manageable caseloads - which places?", "parental consent - which letters say
        # anything on it": no council, and the frame plainly asks across the letters
        aggregate = _across_kind(read)
        if intent in FIELD_INTENTS and judged:
            intent = None  # "who got credit for their EDT" is no copy list
    if aggregate is None and read_aggregate is not None:
        # "list the strengths of Leeds" asks about one letter: its next best reading
        others = [n for n, _ in scores.ranked() if n not in _PATH_AGGREGATE]
        intent = _PATH_INTENT.get(others[0]) if others else None
        if intent in _ABSTAINING_INTENTS:
            intent = None
    if intent == PRIORITY_EXISTS and aggregate in (LIST, COUNT):
        intent = None
    if intent == COUNT_FINDINGS and aggregate in (LIST, COUNT):
        intent = None
    if intent is not None and intent not in (PRIORITY_EXISTS, COUNT_FINDINGS) \
            and section is not None and aggregate is None:
        # "Who signed the letter about priority action?" is still about the signatory.
        section = None
    if _EARLIEST.search(read) and not _LATEST.search(read):
        prefer = "earliest"
    elif _LATEST.search(read) or _EVERY.search(read) is None and intent not in _DATES:
        prefer = "latest"
    else:
        prefer = "all"  # "when was Leeds inspected?": every inspection's dates
    plain = _YEAR.sub(" ", without_councils(asked, councils))
    for rx in (_EARLIEST, _LATEST, _EVERY):  # "the time before", "latest": which letter, not what
        plain = rx.sub(" ", plain)
    residual = [w for w in content_words(plain) if w not in SECTION_WORDS and reader.narrows(w)]
    if confident and confidence >= SURE and scores.probabilities.get("topic", 0.0) < NO_TOPIC \
            and (section or intent in (CONCERNS, POSITIVES, SUMMARY)):
        residual = []  # a clear section question: its other words are its own frame
    return Query(
        text=question,
        councils=councils,
        years=_years(read),
        intent=intent,
        section=section,
        aggregate=aggregate,
        prefer=prefer,
        topic=_topic(read, councils),
        residual=residual,
        is_followup=bool(_FOLLOWUP.search(read)),
        person=person,
        path=path if confident else None,
        best=path,
        confidence=confidence,
        settled=scores.decisive is not None,
        also=_other_fields(intent, scores, read),
        corrected=read if corrected.changes else "",
        typos=dict(corrected.changes),
    )


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")


_JOINED = re.compile(r"\band\b|&|\+|,|\balso\b", re.IGNORECASE)


def _other_fields(intent: str | None, scores: IntentScores, text: str) -> tuple[str, ...]:
    """The other fields a field question joins to its own by their cue words ("what type of
    inspection was it, and under which Act?"): answered together."""
    if intent not in FIELD_INTENTS or not _JOINED.search(text):
        return ()
    others = (_PATH_INTENT.get(name) for name in scores.cues)
    return tuple(dict.fromkeys(x for x in others if x in FIELD_INTENTS and x != intent))


def _cue_words(reader: QuestionReader, path: str, text: str) -> set[str]:
    """The words of the cues of ``path`` found in ``text``; without the words the likeliest
    path's own phrasings use, a cue says nothing against it ("were there any areas for
    priority action" is asked whether there were, not what they were)."""
    intent = reader.bank.intents.get(path)
    if intent is None:
        return set()
    return {w for cue, rx in zip(intent.cues, intent.cue_patterns, strict=True)
            if rx.search(text) for w in re.findall(r"[a-z]+", cue)}


def _asking_sentence(text: str) -> str:
    """The sentence of a question that asks (the last with a question mark, else the last)."""
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    if len(parts) <= 1:
        return text
    asking = [p for p in parts if "?" in p]
    return (asking or parts)[-1]


def _section_hint(scores: IntentScores) -> str | None:
    """The section a question names beside its main path (cue words first)."""
    cued = [n for n in _PATH_SECTION if n in scores.cues]
    if cued:
        return _PATH_SECTION[max(cued, key=lambda n: (scores.cues[n],
                                                     scores.probabilities.get(n, 0.0)))]
    name, p = scores.best(list(_PATH_SECTION))
    return _PATH_SECTION[name] if p >= SECTION_HINT else None


def _aggregate(path: str | None, councils: list[CouncilMatch], text: str) -> str | None:
    """The cross-letter reading, checked against how many councils the question names."""
    named = len(councils)
    if named == 1 and path not in (COMPARE, TIMELINE) and _OWN_LETTERS.search(text):
        return _across_kind(text)  # "re Leeds: which of their letters praised the front door"
    if path in (LIST, COUNT) and named == 1:
        return None  # "list the strengths of Leeds" asks about one letter
    if path == LIST and named == 0 and _across_kind(text) == COUNT:
        return COUNT  # "no. of councils inspected twice"
    if path == COUNT and _counts_inside_letters(text):
        return None  # "how many referrals waited a week?" asks for a figure, not for letters
    if path == COMPARE and named < 2 and not re.search(r"\bcompar", text, re.IGNORECASE):
        return None
    if path is None and named >= 2:
        return COMPARE
    return path


# One council's letters, each asked about: "which of their letters ...", "does either letter
# mention ...", "in both of its inspections".
_OWN_LETTERS = re.compile(
    r"\bwhich\s+of\s+(?:their|its|the)\s+(?:two\s+)?(?:letters|inspections|visits)\b|"
    r"\b(?:does|do|did)\s+either\s+(?:of\s+(?:their|its|the)\s+)?(?:letters?|inspections?|"
    r"visits?)\b|\bin\s+(?:either|both)\s+(?:of\s+)?(?:their|its|the)\s+(?:letters|inspections|"
    r"visits)\b", _I)
# A question naming no council whose frame asks across the letters ("which places", "where",
# "who got", "list", "every letter"), unless it asks for a field or something the letters
# cannot say.
_ACROSS_FRAME = re.compile(
    r"\b(?:which|what|any|all|every)\s+(?:other\s+)?(?:councils?|authorit(?:y|ies)|las?|"
    r"letters?|places?|areas|boroughs|counties|inspections|visits|ones)\b|"
    r"\blist\s+(?:of\s+)?(?:the\s+)?(?:councils|las|authorities|letters|places)\b|"
    r"(?:^|[-–—,:]\s*)(?:list|who|where|which)\s*[?.!]*\s*$|\banywhere\b|"
    r"\b(?:inspections|letters|councils|authorities|las|visits)\s+(?:that|which|where|whose)\b|"
    r"\bwhich\s+(?:ones?|of\s+them)\b|\bhow\s+many\s+(?:letters|councils|las|authorities|"
    r"inspections|visits|places|of\s+the\s+(?:letters|councils|inspections))\b|"
    r"\bany(?:one|body)\b|(?:^|[-–—,:]\s*)any\s*[?.!]*\s*$|\banything\s+(?:at\s+all|either\s+way|"
    r"anywhere)\b|\bthe\s+ones\s+(?:that|which|who|"
    r"where|with|praised|criticised|flagged)\b|\bof\s+the\s+(?:las|councils|authorities|letters|"
    r"ones|inspections)\b|\b(?:19|20)\d\d\s+(?:letters|inspections|visits)\b|"
    r"\b(?:inspections|letters|visits)\s*[?.!]*\s*$", _I)
# "who got credit for X", "who was told to sort out Y", "LAs leaning on locums": whoever was
# judged on a matter, across the letters, even where "who got" would otherwise be the copy list.
_ACROSS_JUDGED = re.compile(
    r"\bwho\s+(?:got|was|were|had|has|have|received)\s+(?:(?:a|any|the)\s+)?(?:credit(?:ed)?|"
    r"praised?|commended|told|criticis\w+|criticiz\w+|pulled\s+up|picked\s+up|flagged|"
    r"good\s+(?:word|write-?up|feedback)|positive|marked\s+down)\b|"
    r"^\W*(?:las|councils|authorities|local\s+authorities)\b(?!\s+letters?\b)", _I)
# Weaker frames ("where were ...", "who got ...", "how many ..."): across the letters only
# when nothing earlier in the conversation could be meant.
_ACROSS_WEAK = re.compile(
    r"\bwhere\b|\bwho\s+(?:got|had|has|was|were|did|received)\b|\blist\b|\bhow\s+many\b|"
    r"\bno\.\s+of\b|\bnumber\s+of\b", _I)
_NUMBER_OF = re.compile(r"\bno\.\s+of\b|\bnumber\s+of\b", _I)
_NOT_ACROSS = frozenset({*FIELD_INTENTS, OUTSIDE_LETTERS, GRADE, GREETING, "person"})

# What "how many ..." may count inside a letter (a figure the letter would have to give), as
# opposed to the letters, councils or findings the collection answers by counting.
_COUNTED_INSIDE = frozenset("""referral referrals child children case cases staff social worker
workers sw sws enquiry enquiries assessment assessments family families vacancy vacancies post
posts inspector inspectors people person manager managers team teams contact contacts
notification notifications hour hours day days week weeks month months plan plans dv looked
newly qualified agency file files record records""".split())
_HOW_MANY_NOUN = re.compile(r"\bhow\s+many\s+(?:of\s+(?:the|their|its)\s+)?([a-z]+)",
                            re.IGNORECASE)


def _across_kind(text: str) -> str:
    """A question across the letters is a count when it asks how many, else a list."""
    return COUNT if _HOW_MANY_NOUN.search(text) or _NUMBER_OF.search(text) else LIST


def _counts_inside_letters(text: str) -> bool:
    """Whether "how many X" counts something a letter would have to number (referrals,
    children, social workers) rather than letters, councils, inspections or findings."""
    match = _HOW_MANY_NOUN.search(text)
    return match is not None and match.group(1).lower() in _COUNTED_INSIDE


def _council_spans(text: str, councils: list[CouncilMatch]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for council in councils:
        rx = _mention_pattern(council)
        spans.extend(m.span() for m in rx.finditer(text))
    return spans


def _spans_of(text: str, phrase: str | None) -> list[tuple[int, int]]:
    if not phrase:
        return []
    return [m.span() for m in re.finditer(re.escape(phrase), text, re.IGNORECASE)]


def _masked(text: str, councils: list[CouncilMatch], people: set[str]) -> str:
    """The question as the exemplar bank writes it: councils, years and people masked."""
    from assistant.understanding.intents import MASKS

    for i, council in enumerate(councils[:2]):
        text = _mention_pattern(council).sub(MASKS["council2" if i else "council"], text)
    for person in sorted(people, key=len, reverse=True):
        text = re.sub(re.escape(person), MASKS["person"], text, flags=re.IGNORECASE)
    years = iter((MASKS["year"], MASKS["year2"]))
    return _YEAR.sub(lambda m: next(years, MASKS["year2"]), text)


def _mention_pattern(council: CouncilMatch) -> re.Pattern[str]:
    words = [re.escape(w) for w in council.mention.split()]
    return re.compile(r"\b" + r"\W+".join(words) + r"(?:'s|’s)?(?:\s+(?:cc|mbc|mdc|bc|dc|lb))?\b",
                      re.IGNORECASE)


_CUE_READER: QuestionReader | None = None


def _cue_reader() -> QuestionReader:
    """A reader that classifies by cue words alone (no model): for callers without a reader."""
    global _CUE_READER
    if _CUE_READER is None:
        from assistant.understanding.reader import QuestionReader

        _CUE_READER = QuestionReader(_no_embedding, model_name="cues-only")
        _CUE_READER.classifier.cue_only = True
    return _CUE_READER


def _no_embedding(texts: list[str]) -> list[list[float]]:
    raise RuntimeError("the cue-only reader embeds nothing")


_PERSON = re.compile(
    r"\bwho(?:\s+is|\s+was|\s*['’]s|s)\s+(?:(?:mr|mrs|ms|miss|dr|cllr|councillor)\.?\s+)?"
    r"([a-z][a-z'-]+(?:\s+[a-z][a-z'-]+){1,2})\s*\??\s*$", _I)


def _person(text: str) -> str | None:
    """The name in "Who is Heather Brown?" (not "who is the signatory", "who was it")."""
    found = _PERSON.search(text.strip())
    if not found:
        return None
    words = found.group(1).split()
    if any(w.lower() in STOPWORDS or w.lower() in SECTION_WORDS for w in words):
        return None
    return " ".join(words)


def without_councils(question: str, councils: list[CouncilMatch]) -> str:
    """The question with the councils it names (and their "CC", "'s") taken out."""
    text = question
    for council in councils:
        text = _mention_pattern(council).sub(" ", text)
    return text


# "since 2010", "before March 2011": a date window the aggregate path reads, not a year filter.
_OPEN_YEAR = re.compile(
    r"\b(?:since|after|before|until|prior\s+to)\s+(?:(?:january|february|march|april|may|"
    r"june|july|august|september|october|november|december)\s+)?(20[0-4]\d)\b"
    r"(?!\s*(?:-|–|to|and|until)\s*(?:\w+\s+)?20)",
    _I,
)


def _years(question: str) -> list[int]:
    open_ended = {int(y) for y in _OPEN_YEAR.findall(question)}
    years: set[int] = {int(y) for y in _YEAR.findall(question)} - open_ended
    for a, b in _YEAR_RANGE.findall(question):
        lo, hi = sorted((int(a), int(b)))
        if hi - lo <= 10:
            years.update(range(lo, hi + 1))
    return sorted(years)


# The inspection's own words: a date question about them is about the inspection itself.
_INSPECTION_WORDS = frozenset("""contact referral referrals assessment arrangements unannounced
annual visit visits visited inspection inspections inspected inspectors inspector ofsted letter
letters dated sent send write writes written wrote receive received get got issued date dates
day days week weeks month months year years long last lasted take took place carried conducted
held happen happened start started
end ended begin began come came go went arrive arrived history order timeline chronology
sequence chronological both each every all put list""".split())
_INSPECTION_STEMS = frozenset(stem(w) for w in _INSPECTION_WORDS)


def _beyond_the_frame(topic: str, frame: set[str]) -> bool:
    """Whether a date question's topic names something besides the inspection and its letter."""
    frame_stems = {stem(w) for w in frame} | _INSPECTION_STEMS
    words = subject_words(topic, STOPWORDS | SECTION_WORDS)
    return any(stem(w) not in frame_stems for w in words)


def _topic(question: str, councils: list[CouncilMatch]) -> str:
    text = question
    for council in councils:
        text = re.sub(re.escape(council.mention), " ", text, flags=_I)
    text = _YEAR.sub(" ", text)
    return " ".join(content_words(text))


def _apply_filters(query: Query, filters: Filters, gazetteer: Gazetteer) -> Query:
    if filters.authority and not query.councils:
        matches = gazetteer.find(filters.authority)
        if not matches:
            from assistant.gazetteer import place_of

            place = place_of(filters.authority)
            matches = [
                CouncilMatch(
                    place=place,
                    mention=filters.authority,
                    in_collection=place in gazetteer.stored,
                    authorities=sorted(gazetteer.stored.get(place, ())),
                )
            ]
        query = replace(query, councils=matches, inherited=[*query.inherited, "filter:authority"])
    if filters.year and not query.years:
        query = replace(query, years=[filters.year], inherited=[*query.inherited, "filter:year"])
    return query


# The words of a follow-up that only says which letter it now means ("and the 2012 one?",
# "what about the time before that?", "same for Leeds?").
_WHICH_LETTER_WORDS = frozenset("""
and also what about how same for then the one ones letter letters time visit visits inspection
inspections year years that this those other instead again too please pls plz ok okay so
before after earlier later previous first last latest earliest next their its it them they
""".split())


def _only_which_letter(query: Query) -> bool:
    """Whether a follow-up names only another letter (a council, a year, "the one before"),
    asking nothing of its own."""
    plain = _YEAR.sub(" ", without_councils(query.read_text, query.councils))
    words = re.findall(r"[a-z]+", plain.lower())
    return not query.person and all(w in _WHICH_LETTER_WORDS for w in words) and bool(
        query.councils or query.years or _EARLIEST.search(plain) or _LATEST.search(plain))


# A follow-up of a list or count: it starts with "and", "what about", "same", "of those", or
# narrows without a subject of its own ("any as a priority?", "how many of those in 2010").
_AGGREGATE_FOLLOWUP = re.compile(
    r"^\W*(?:and|what\s+about|what\s+abt|how\s+about|same|also|but|ok|so|then)\b|"
    r"\b(?:of|from|among|amongst)\s+(?:those|them|these)\b|\b(?:those|them|these|the\s+same)\b|"
    r"^\W*any\b(?:\s+\w+){0,4}\s*\??\s*$|\bthe\s+opposite\b|\bfor\s+it\b|\bonly\s*\??\s*$|"
    r"\bwhich\s+ones\b|\bhow\s+many\s+(?:\w+\s+)?(?:is|was)\s+that\b|\bhow\s+many\s+(?:\w+\s+)?"
    r"(?:are|were)\s+those\b|\bthe\s+ones\b|^\W*(?:list|name|show)\s+(?:them|those|these)\b", _I)


def _inherit(query: Query, history: list[Turn], gazetteer: Gazetteer,
             reader: QuestionReader | None = None) -> Query:
    """Fill what a follow-up leaves out from the most recent turns that said it."""
    previous = [_parse(turn.question, gazetteer, reader) for turn in reversed(history)]
    if previous:  # the first question of the conversation was read as a first question
        previous[-1] = _first_question(previous[-1])
    if query.aggregate == COUNT and not query.councils and not query.residual and previous \
            and previous[0].known_places and previous[0].sections:
        # "Medway strengths" then "how many were there": the findings of that letter, counted
        query = replace(query, aggregate=None, intent=COUNT_FINDINGS,
                        section=previous[0].section or previous[0].sections[0], is_followup=True)
    if previous and previous[0].aggregate in (LIST, COUNT) and not query.councils and (
            query.is_followup or _AGGREGATE_FOLLOWUP.search(query.read_text)):
        # "ICS rubbish? which LAs" then "and 2012 only?": the same list, narrowed (no council
        # named, so no comparison or timeline; a field only when the question plainly asks it)
        kind = query.aggregate if query.aggregate in (LIST, COUNT) else (
            COUNT if _HOW_MANY_NOUN.search(query.read_text) else previous[0].aggregate)
        return replace(query, aggregate=kind, after=previous[0], is_followup=True,
                       intent=query.intent if query.confidence >= SURE else None,
                       inherited=[*query.inherited, "list"])
    if query.aggregate in (LIST, COUNT) and not query.is_followup:
        return query
    inherited = list(query.inherited)
    councils, years, intent, section = query.councils, query.years, query.intent, query.section
    topic, residual = query.topic, query.residual
    followup = query.is_followup or not (councils or query.aggregate)
    if not followup:
        return query
    if not councils:
        source = next((p for p in previous if p.councils), None)
        if source is not None:
            councils = source.councils
            inherited.append("councils")
            if not years and source.years:
                years = source.years
                inherited.append("years")
    if not years and not query.councils:
        source_years = next((p.years for p in previous if p.years), [])
        if source_years:
            years = source_years
            inherited.append("years")
    relative = bool(_EARLIEST.search(query.read_text) or _LATEST.search(query.read_text))
    if relative and "years" in inherited and previous:
        # "and the time before that?": another letter of the council than the one just asked
        # about, picked by `prefer`, not the year of the last question
        years = []
        inherited.remove("years")
    asks_something = intent or section or query.aggregate or query.residual or \
        query.path == "topic"
    if previous and _only_which_letter(query):
        # "and the 2012 one?", "and 2010?", "what about Leeds?": the last question again,
        # about another letter, whatever path its few words happened to resemble
        asks_something = False
    if not asks_something and previous:
        last = previous[0]
        intent, section = last.intent, last.section
        topic, residual = last.topic, last.residual
        inherited.append("topic")
    aggregate = query.aggregate if asks_something or not previous else previous[0].aggregate
    if aggregate in (LIST, COUNT) and "councils" in inherited and len(councils) == 1:
        aggregate = None  # "how many were on agency contracts?" after one council: its letter
    if (
        aggregate is None
        and previous
        and previous[0].aggregate in (COMPARE, TIMELINE)
        and len(councils) >= 2
    ):
        aggregate = previous[0].aggregate
    return replace(
        query,
        councils=councils,
        years=years,
        intent=intent,
        section=section,
        topic=topic,
        residual=residual,
        is_followup=True,
        inherited=inherited,
        aggregate=aggregate,
    )
