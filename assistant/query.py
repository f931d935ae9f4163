"""Understand a question: which councils, years, which part of the letter, follow-up or not.

The result (:class:`Query`) drives filtering, boosting and the choice of answer path. Follow-ups
("And who signed it?", "what about its areas for development?") inherit councils, years and topic
from the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.gazetteer import CouncilMatch, Gazetteer
from assistant.models import Filters, Turn
from ingest.models import AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION, SATISFACTORY, STRENGTHS

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

# Aggregate intents: answered by scanning every candidate letter.
LIST, COUNT, COMPARE, TIMELINE = "list", "count", "compare", "timeline"

_I = re.IGNORECASE
_INTENT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        OUTSIDE_LETTERS,
        re.compile(
            r"\bnext\s+(?:inspection|visit|letter)\b|\b(?:inspection|visit)\s+(?:is\s+)?due\b|"
            r"\b(?:respond|responded|response|react|reacted)\w*\s+to\s+(?:the\s+)?"
            r"(?:inspection|findings|letter|report|ofsted)\b|\baction\s+plan\b",
            _I,
        ),
    ),
    (
        PRIORITY_EXISTS,
        re.compile(
            r"\b(?:was|were|is|are|did|does|do|has|had)\b[^?]{0,60}\b(?:any|an|a|no)\s+"
            r"(?:areas?\s+(?:for|of)\s+)?priority\s+actions?\b|\bhow\s+many\s+(?:areas?\s+for\s+)?"
            r"priority\s+actions?\b|\bpriority\s+actions?\s+(?:at\s+all|identified\?)",
            _I,
        ),
    ),
    (
        SIGNATORY,
        re.compile(
            r"\bwho\s+(?:signed|wrote|sent|authored)\b|\bsign(?:ed|atory|ature|-off)\b|"
            r"\bwho\s+(?:was|is)\s+the\s+(?:author|signatory)\b|\bfrom\s+whom\b|\bwho\s+is\s+it\s+from\b",
            _I,
        ),
    ),
    (
        COPY_LIST,
        re.compile(
            r"\bcop(?:y|ied|ies)\b|\bcc'?d\b|\bcc\s+list\b|\bwho\s+(?:was|were)\s+cc\b|"
            r"\bwho\s+else\s+(?:received|got|was\s+sent)\b",
            _I,
        ),
    ),
    (
        ADDRESSEE,
        re.compile(
            r"\baddress(?:ed|ee)\b|\bwho\s+(?:was|is)\s+(?:the\s+letter|it)\s+(?:sent|written)\s+to\b|"
            r"\brecipient\b|\bwho\s+(?:received|got)\s+(?:the|this|it)\b|\bsent\s+to\s+whom\b|"
            r"\bto\s+whom\b|\bwho\s+was\s+it\s+(?:for|to)\b|\breceived\s+(?:the|this|that)\s+letter\b|"
            r"\b(?:which|what)\s+(?:director|officer|person)\b",
            _I,
        ),
    ),
    (
        LETTER_DATE,
        re.compile(
            r"\b(?:date\s+of\s+the\s+letter|letter(?:'s)?\s+date|letter\s+dated|when\s+was\s+"
            r"(?:the|this|that|it)?\s*(?:letter\s+)?(?:written|sent|dated|issued|published)|"
            r"when\s+was\s+the\s+letter\b|what\s+date\s+(?:was|is)\s+(?:the\s+)?letter)|"
            r"\bletter\b[^?]{0,40}\b(?:written|sent|dated|issued|published)\b|"
            r"\bwhat\s+date\b[^?]{0,40}\bletter\b|\bdate\s+(?:on|of)\b[^?]{0,40}\bletter\b",
            _I,
        ),
    ),
    (
        INSPECTION_DATES,
        re.compile(
            r"\bwhen\b[^?]{0,80}\b(?:inspect\w*|visit\w*|conducted|carried\s+out|take\s+place|"
            r"took\s+place|happen\w*)\b|\b(?:dates?|days?)\s+(?:of|for)\s+(?:the\s+)?"
            r"(?:inspection|visit)\b|\binspection\s+dates?\b|\bwhat\s+dates?\b|\bwhich\s+days?\b|"
            r"\bwhen\s+did\s+(?:ofsted|inspectors)\b|\bhow\s+long\s+did\b|"
            r"\b(?:dates?|days?)\b[^?]{0,40}\binspect\w*",
            _I,
        ),
    ),
    (
        INSPECTION_TYPE,
        re.compile(
            r"\b(?:what|which)\s+(?:type|kind|sort)\s+of\s+inspection\b|\bwhat\s+was\s+inspected\b|"
            r"\binspection\s+type\b|\bwhat\s+(?:was|is)\s+the\s+(?:letter|inspection)\s+about\b",
            _I,
        ),
    ),
    (
        SUMMARY,
        re.compile(
            r"\bconclu\w+|\boverall\b|\bsummar\w+|\b(?:key|main)\s+findings\b|"
            r"\bwhat\s+did\s+(?:ofsted|the\s+inspectors?|inspectors|the\s+inspection|the\s+letter)"
            r"\s+(?:find|say|report|conclude|judge)\b|\bfindings\s+(?:of|for|in)\b|"
            r"\bwhat\s+(?:were|are)\s+the\s+findings\b|\bhow\s+did\b[^?]{0,40}\bdo\b|"
            r"\btell\s+me\s+about\b|\boverview\b|\bin\s+(?:brief|short)\b",
            _I,
        ),
    ),
]

_SECTION_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        PRIORITY_ACTION,
        re.compile(r"\bpriorit(?:y|ies)\b|\burgent(?:ly)?\b|\bimmediate\s+action", _I),
    ),
    (
        AREAS_FOR_DEVELOPMENT,
        re.compile(
            r"\bareas?\s+(?:for|of)\s+(?:development|improvement)\b|\bdevelopment\s+areas?\b|"
            r"\bweak(?:ness|nesses)?\b|\bimprove(?:ment)?s?\b|\bshortcomings?\b|\bconcerns?\b|"
            r"\bneeds?\s+to\s+(?:improve|develop)|\bnot\s+(?:good|well)\b|\bpoor(?:ly)?\b|"
            r"\bproblems?\b|\bfailings?\b|\bdeficienc",
            _I,
        ),
    ),
    (
        STRENGTHS,
        re.compile(
            r"\bstrengths?\b|\bstrong\b|\bdid\s+well\b|\bwent\s+well\b|\bpositives?\b|"
            r"\bgood\s+practice\b|\bworking\s+well\b|\bpraised?\b|\bdoing\s+well\b|\bcommended\b",
            _I,
        ),
    ),
    (
        SATISFACTORY,
        re.compile(
            r"\bsatisfactor\w*|\badequate(?:ly)?\b|\bin\s+accordance\s+with\s+national\s+guidance\b|"
            r"\bnational\s+guidance\b|\bmet\s+(?:the\s+)?(?:requirements|standards?)\b",
            _I,
        ),
    ),
]

_AGGREGATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        COUNT,
        re.compile(
            r"\bhow\s+many\s+(?:letters|councils|authorities|local\s+authorities|"
            r"inspections|of\s+the\s+(?:letters|councils|authorities))\b|"
            r"\bnumber\s+of\s+(?:letters|councils|authorities|inspections)\b",
            _I,
        ),
    ),
    (
        TIMELINE,
        re.compile(
            r"\b(?:how|what)\b[^?]{0,60}\bchang\w*|\bbetween\s+(?:its|their|the)\s+"
            r"(?:two|2|first\s+and\s+second)\s+inspections\b|\btimeline\b|\btrend\b|"
            r"\bover\s+time\b|\bprogress\w*\s+(?:since|between)\b|\bimproved\s+since\b",
            _I,
        ),
    ),
    (
        COMPARE,
        re.compile(
            r"\bcompar\w*|\bdiffer\w*|\bversus\b|\bvs\.?\b|\bcontrast\b|"
            r"\bboth\b",
            _I,
        ),
    ),
    (
        LIST,
        re.compile(
            r"\b(?:which|what|list(?:\s+all)?(?:\s+the)?|name(?:\s+the)?|show(?:\s+me)?)"
            r"\s+(?:other\s+)?(?:councils|authorities|local\s+authorities|las|letters|"
            r"inspections)\b|\b(?:which|what)\s+(?:council|authority|local\s+"
            r"authority)\b|\ball\s+(?:the\s+)?(?:councils|authorities|letters)\b|"
            r"\bany\s+(?:councils|authorities|letters)\b",
            _I,
        ),
    ),
]

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
_EARLIEST = re.compile(r"\b(?:earliest|first|earlier|oldest|previous)\b", _I)
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
) -> Query:
    """Parse ``question`` (with its conversation ``history`` and user ``filters``) into a Query."""
    query = _parse(question, gazetteer)
    if filters is not None:
        query = _apply_filters(query, filters, gazetteer)
    if history:
        query = _inherit(query, history, gazetteer)
    return query


def _parse(question: str, gazetteer: Gazetteer) -> Query:
    councils = gazetteer.find(question)
    years = _years(question)
    text = _without_councils(question, councils)  # "Warwickshire CC" is no copy-list question
    intent_match = _first_match(_INTENT_PATTERNS, text)
    section_match = _first_match(_SECTION_PATTERNS, text)
    intent = intent_match[0] if intent_match else None
    section = section_match[0] if section_match else None
    aggregate = _aggregate(text, councils)
    if intent == PRIORITY_EXISTS and aggregate in (LIST, COUNT):
        intent = None
    if intent is not None and intent != PRIORITY_EXISTS and section is not None:
        # "Who signed the letter about priority action?" is still about the signatory.
        section = None
    if _EARLIEST.search(question) and not _LATEST.search(question):
        prefer = "earliest"
    elif _LATEST.search(question) or _EVERY.search(question) is None and intent not in _DATES:
        prefer = "latest"
    else:
        prefer = "all"  # "when was Leeds inspected?": every inspection's dates
    residual = text
    for match in (intent_match, section_match):
        if match is not None:
            residual = residual.replace(match[1], " ")
    return Query(
        text=question,
        councils=councils,
        years=years,
        intent=intent,
        section=section,
        aggregate=aggregate,
        prefer=prefer,
        topic=_topic(question, councils),
        residual=[w for w in content_words(_YEAR.sub(" ", residual)) if w not in SECTION_WORDS],
        is_followup=bool(_FOLLOWUP.search(question)),
        person=_person(text),
    )


_PERSON = re.compile(
    r"\bwho\s+(?:is|was|'s)\s+(?:(?:mr|mrs|ms|miss|dr|cllr|councillor)\.?\s+)?"
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


def _first_match(patterns: list[tuple[str, re.Pattern[str]]], text: str) -> tuple[str, str] | None:
    for name, rx in patterns:
        found = rx.search(text)
        if found:
            return name, found.group(0)
    return None


def _without_councils(question: str, councils: list[CouncilMatch]) -> str:
    text = question
    for council in councils:
        words = [re.escape(w) for w in council.mention.split()]
        pattern = r"\b" + r"\W+".join(words) + r"(?:'s|’s)?(?:\s+(?:cc|mbc|mdc|bc|dc|lb))?\b"
        text = re.sub(pattern, " ", text, flags=_I)
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


def _aggregate(question: str, councils: list[CouncilMatch]) -> str | None:
    for name, rx in _AGGREGATE_PATTERNS:
        if not rx.search(question):
            continue
        if name == COMPARE and len(councils) < 2 and not re.search(r"\bcompar", question, _I):
            continue
        if name == LIST and len(councils) == 1:
            continue  # "list the strengths of Leeds" asks about one letter
        return name
    if len(councils) >= 2:
        return COMPARE
    return None


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


def _inherit(query: Query, history: list[Turn], gazetteer: Gazetteer) -> Query:
    """Fill what a follow-up leaves out from the most recent turns that said it."""
    if query.aggregate in (LIST, COUNT) and not query.is_followup:
        return query
    previous = [_parse(turn.question, gazetteer) for turn in reversed(history)]
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
    asks_something = intent or section or query.aggregate or query.residual
    if not asks_something and previous:
        last = previous[0]
        intent, section = last.intent, last.section
        topic, residual = last.topic, last.residual
        inherited.append("topic")
    aggregate = query.aggregate
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
