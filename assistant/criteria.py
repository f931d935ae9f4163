"""What a cross-letter question asks for: its sections, topic, dates, counts and conditions
(:class:`Criteria`, read by :func:`criteria_of`)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.catalog import CatalogLetter
from assistant.evidence import _inspection_days, _section_words
from assistant.formatting import _MONTHS, human_date, join_names
from assistant.query import (
    ADDRESSEE,
    COMPARE,
    COPY_LIST,
    INSPECTION_DATES,
    INSPECTION_TYPE,
    LETTER_DATE,
    SIGNATORY,
    TIMELINE,
    Query,
)
from assistant.topics import (
    EITHER_WAY,
    NEGATIVE_SECTIONS,
    Topic,
    parse_topic,
)
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

_I = re.IGNORECASE

NEGATIVE = NEGATIVE_SECTIONS

# ---- criteria: what a cross-letter question asks for ---------------------------------------

_SECTION_NAMES: list[tuple[str, re.Pattern[str]]] = [
    (PRIORITY_ACTION, re.compile(r"\bpriorit(?:y|ies)(?:\s+actions?)?\b", _I)),
    (AREAS_FOR_DEVELOPMENT, re.compile(
        r"\bareas?\s+(?:for|of)\s+(?:development|improvement)\b|\bdevelopment\s+(?:areas?|"
        r"points?|needs?)\b", _I)),
    # "listed under strengths", "areas of strength"; "X was a strength" is praise, not a section
    (STRENGTHS, re.compile(r"\bstrengths\b|\bareas?\s+of\s+strength\b|\bstrengths?\s+section\b",
                           _I)),
    (SATISFACTORY, re.compile(r"\bsatisfactor\w*|\bin\s+accordance\s+with\s+national\s+guidance",
                              _I)),
]
_SECTION_PHRASES = re.compile(
    r"\b(?:as|among|amongst|under|in|within|for)\s+(?:(?:an?|the|their|its|one\s+of\s+(?:their|"
    r"its|the))\s+)?(?:areas?\s+(?:for|of)\s+(?:priority\s+action|development|improvement)|"
    r"priority\s+actions?|priorit(?:y|ies)|strengths?|satisfactory\s+findings?)\b|"
    r"\b(?:an?\s+|any\s+|one\s+|more\s+than\s+one\s+|at\s+least\s+\w+\s+)?areas?\s+(?:for|of)\s+"
    r"(?:priority\s+action|development|improvement)s?\b|\b(?:an?\s+|any\s+)?priority\s+actions?\b|"
    r"\b(?:an?\s+|any\s+)?priorit(?:y|ies)\b|\bstrengths?\b|\bsatisfactor\w*(?:\s+findings?)?\b|"
    r"\b(?:an?\s+|any\s+)?development\s+(?:areas?|points?|needs?)\b", _I)
_NEG_VERBS = (r"(?:been\s+)?(?:have|having|raised?|mention(?:ed)?|identif(?:y|ied)|get|got|given|"
              r"receiv(?:e|ed)|includ(?:e|ed)|find|found|note[d]?|show(?:n)?|contain(?:ed)?|"
              r"cite[d]?|flag(?:ged)?|report(?:ed)?|highlight(?:ed)?|criticis(?:e|ed)|"
              r"criticiz(?:e|ed)|praised?|commended|say|said|list(?:ed)?|any|need(?:ed)?)\b")
_NEGATION = re.compile(
    r"\b(?:councils?|authorit(?:y|ies)|las|letters?|inspections?|visits?|ones|which|who|where|"
    r"places|any|those|that)\s+(?:\w+\s+){0,2}?(?:had|have|has|with|received|got|showed|shows|"
    r"gave|given|there\s+(?:was|were|is|are))\s+no\b(?!\s+(?:evidence|record|sign))|"
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
_SIGNED_BY = re.compile(r"\b(?:signed|singed|sent)\s+(?:out\s+|off\s+)?by\s+"
                        r"([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})|"
                        r"\b(?:signed|singed)\s+by\s+([a-z]+\s+[a-z]+)\b|"
                        r"\bletters?\s+(?:that\s+)?([A-Za-z][a-z]+\s+[A-Za-z][a-z]+)\s+"
                        r"(?:signed|sent)(?:\s+off)?\b|"
                        r"\bdid\s+([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s+sign(?:\s+off)?\b")
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
    r"\bdid\s+well\b|\bgood\s+practice\b|\ba\s+(?:real\s+|particular\s+|notable\s+)?strength\b", _I)
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
    r"local|las|ofsted|any|all|every|each|(?<![\w-])ones?(?![\w-])|where|whose|which|what|that|"
    r"those|these|"
    r"ended(?:\s+up)?(?:\s+with)?|"
    r"concerns?\s+(?:about|over|regarding)|issues?\s+(?:with|about)|problems?\s+with|"
    r"findings?\s+(?:about|on)|finding|findings|please|also|both|other|please|list|"
    r"children's\s+services|inspectors?|carried\s+out|took\s+place|conducted|undertaken|"
    r"happened|visited|visits?|received|sent|wrote|written|given|awarded|(?:an?\s+)?(?:issue|problem)s?\s+(?:of|with)|"
    r"their|its|his|her|they|them|it|me|us|we|i|you)\b|[?!.,;:()]", _I)
_EDGE_WORDS = re.compile(r"^(?:(?:in|of|on|for|about|with|to|a|an|and|or|by|as|at|from|re|the|"
                         r"regarding|concerning|between)\s+)+|(?:\s+(?:in|of|on|for|about|with|to|"
                         r"a|an|and|or|by|as|at|from|the|between))+$|^(?:in|of|on|for|about|with|to|a|"
                         r"an|and|or|by|as|at|from|re|the|between)$", _I)
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
_BARE_MONTH = re.compile(rf"(?<![\d\w])(?<!\d\s){_MONTH}\s+(20\d\d)\b", _I)
_SINCE = re.compile(rf"\b(since|after|from|before|until|prior\s+to)\s+(?:{_MONTH}\s+)?(20\d\d)\b"
                    rf"(?:\s+onwards?)?", _I)
_LETTER_DATED = re.compile(r"\b(?:dated|written|sent|issued|published|letter\s+date|went\s+out|"
                           r"posted|came\s+out)\b", _I)
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
    once: bool = False  # councils inspected only once
    set_aside: str | None = None  # "leaving aside the police notifications": not this matter
    aside_themes: tuple[str, ...] = ()  # ... read as themes: their findings do not qualify
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
        if self.once:
            parts.append("of a council inspected once")
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


_MONTH_ANY_YEAR = re.compile(rf"\b(?:in|during|from)\s+(?:an?\s+)?{_MONTH}\b(?!\s+(?:19|20)\d\d)"
                             r"(?:\s*,?\s*(?:in\s+)?any\s+year)?|"
                             rf"\b{_MONTH}\s+(?=(?:inspections|visits)\b)", _I)
_TWICE = re.compile(r"\b(?:inspected|visited)\s+(?:twice|more\s+than\s+once|two\s+times)\b|"
                    r"\b(?:two|2|both|second|multiple|repeat)\s+(?:visits|inspections|letters)\b|"
                    r"\btwice\b|\bmore\s+than\s+once\b|\binspected\s+again\b", _I)
_DAYS_LONG = re.compile(
    r"\b(one|two|three|a|1|2|3)[\s-]+days?(?:[\s-]+long)?\s+(?:inspections?|visits?)\b|"
    r"\b(?:lasted|lasting|took|were|was)\s+(?:only\s+|just\s+)?(one|two|three|a|1|2|3)\s+days?\b|"
    r"\b(?:only|just)\s+(one|two|a|1|2)\s+days?\s+long\b", _I)
_SIGNATORY_OWNS = re.compile(r"\b(?:of\s+)?([A-Za-z][a-z]+\s+[A-Za-z][a-z]+?)(?:['’]s|s['’]?)\s+"
                             r"(?:(?:19|20)\d\d\s+)?(?:letters|inspections|ones)\b|"
                             r"\bof\s+([a-z]+\s+[a-z]+?)s?\s+(?:letters|inspections)\b|"
                             r"\b([A-Za-z][a-z]+\s+[A-Za-z][a-z]+)(?:\s+letters\b|\s*[-–—:,]\s*(?=[^?]*"
                             r"\bsign))")
# "councils only inspected once", "apart from the councils visited twice" (see _SET_ASIDE)
_ONCE = re.compile(r"\b(?:(?:only|just)\s+(?:been\s+)?)?(?:inspected|visited)\s+"
                   r"(?:only\s+|just\s+)?(?:the\s+)?once\b|"
                   r"\b(?:only|just)\s+(?:had\s+)?(?:the\s+|a\s+)?(?:one|1|single)\s+(?:inspection|visit|letter)\b|"
                   r"\b(?:a\s+)?single\s+(?:inspection|visit)\b|\bone\s+(?:inspection|visit)\s+"
                   r"only\b|\bnot\s+(?:inspected|visited)\s+(?:twice|again|more\s+than\s+"
                   r"once)\b", _I)
# The asker's courtesy and scaffolding, never a topic: "could you tell me", "I'd like to know",
# "I'm trying to find out whether", "for a board paper", "if so", "pls".
_COURTESY = re.compile(
    r"\b(?:could|would|can|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?(?:tell|let|give|show|send)\s+"
    r"me(?:\s+know)?\b|\b(?:could|would|can)\s+(?:you|u)\s+(?:please\s+|pls\s+)?(?:list|give|"
    r"pull\s+out|pull|find|name|check|count|confirm|dig\s+out|identify)\b|"
    r"\b(?:could|would|can)\s+(?:you|u)\b|"
    r"\bi['’]?d\s+(?:like|love|want)\s+to\s+(?:know|see|find\s+out)\b|"
    r"\bi['’]?d\s+be\s+(?:grateful|glad)\s+if\s+(?:you\s+)?(?:could|would|can)?\b|"
    r"\bi['’]?m\s+(?:trying|looking|hoping|keen|wanting)\s+to\s+(?:find\s+out|establish|work\s+out|"
    r"see|check|find|know|understand|pin\s+down|get)\b|\bi['’]?m\s+(?:looking\s+for|after|told)\b|"
    r"\b(?:i\s+|we\s+)?(?:need|want)\s+(?:to\s+(?:know|find\s+out|see)|a\s+(?:list|count|"
    r"number|tally)\s+of|the\s+(?:list|count|number)\s+of)\b|\b(?:i|we)\s+(?:need|want)\b|"
    r"^\W*(?:need|want)\b|\bfor\s+(?:the|a|my|our)\s+(?:board|briefing|committee)\s*(?:paper|"
    r"report|note)?\b|\bit['’]?s\s+for\s+[\w\s]{1,30}?\bso\b|\bso\s+i\s+need\s+(?:every|all|each)"
    r"\s*(?:one|of\s+them)?\b|\bif\s+so\b|\bpls\b|\bplz\b|\bplease\b|\bthanks?\b|\bta\b|"
    r"\bgive\s+me\b|\bin\s+the\s+letters\b|\bin\s+any\s+of\s+the\s+letters\b|"
    r"\b(?:i|you|we|they|it|that|there|he|she|who)['’](?:m|d|s|re|ve|ll)\b", _I)
# Words of a structural condition left over once it is read: "whichever year it was", "in this
# period", "rather than the usual two", "in the one letter", "ended up".
_LEFTOVER = re.compile(
    r"\b(?:whichever|any|every)\s+year(?:\s+it\s+was)?\b|\b(?:in|during|over)\s+(?:this|the|that)"
    r"\s+(?:period|time|window)\b|\brather\s+than\s+the\s+usual\s+\w+\b|\bin\s+(?:the\s+)?(?:one|"
    r"same|a\s+single)\s+letter\b|\bended\s+up\b|\bcame\s+out\b|\bwent\s+out\b|\bsent\s+out\b|"
    r"\b(?:she|he|they|who)\s+(?:signed|signd|sent|wrote)\b(?!\s+off)|\b(?:letters?\s+)?(?:dated|"
    r"issued|posted)\b", _I)
_NO_SECTION = re.compile(
    r"\b(?:no|zero|nil|without\s+(?:any\s+)?)\s+(?:areas?\s+(?:for|of)\s+)?"
    r"(?:priority\s+actions?|priorit(?:y|ies)|areas?\s+for\s+development|strengths)\b", _I)
# "not just a development area", "rather than an area for development": that section is not asked
_NOT_SECTION = re.compile(
    r"\b(?:not\s+(?:just|only|merely|simply)?\s*|rather\s+than\s+|instead\s+of\s+)(?:as\s+)?"
    r"(?:an?\s+|the\s+)?(areas?\s+(?:for|of)\s+(?:development|improvement)|development\s+areas?|"
    r"priorit(?:y|ies)(?:\s+actions?)?|strengths?|satisfactory(?:\s+findings?)?)\b", _I)
# "leaving aside the police notifications, which ...": a matter the question sets apart
_SET_ASIDE = re.compile(
    r"\b(?:leaving\s+aside|leave\s+aside|setting\s+aside|putting\s+aside|apart\s+from|"
    r"other\s+than|excluding|except(?:\s+for)?|not\s+counting|not\s+including|ignoring|"
    r"besides|aside\s+from)\s+((?:the\s+|any\s+)?[\w'’ -]+?)(?=\s*(?:[,;:?()]|$|\s+(?:which|"
    r"what|how|list|who|where|name)\b))", _I)
# "- not the police notifications as such", "(not just the notifications)": set apart too
_NOT_THE = re.compile(
    r"[-–—,(]\s*not\s+(?:just\s+|only\s+|including\s+)?the\s+([\w'’ ]+?)(?:\s+as\s+such)?"
    r"(?=\s*(?:[,;:?().]|$|\s+(?:the|which|what|but)\b))", _I)
# "(councils not letters)", "different councils": the question counts councils
_COUNCILS_NOT_LETTERS = re.compile(
    r"\b(?:councils?|authorit(?:y|ies)|las)\s*,?\s*(?:not|rather\s+than)\s+(?:letters|"
    r"inspections|visits)\b|\b(?:different|distinct|separate|individual)\s+(?:councils|"
    r"authorities|las|local\s+authorities)\b", _I)
_WHICH_FIRST = re.compile(r"\bwhich\b[^?]{0,40}\b(?:first|earlier|earliest|sooner|last|later|"
                          r"latest|most\s+recently|more\s+recently)\b", _I)
_WHICH_OF = re.compile(r"\bwhich\s+of\b|\bwhich\s+(?:one|council|authority)\b|\bwhether\b", _I)
_STILL = re.compile(r"\bstill\b|\bpersist\w*|\bremain\w*|\bresolved\b|\baddressed\b|"
                    r"\bimproved\b|\bfollowed\s+up\b|\bdealt\s+with\b", _I)

_FIELD_OF_INTENT = {SIGNATORY: "signatory", ADDRESSEE: "addressee", LETTER_DATE: "letter_date",
                    INSPECTION_DATES: "inspection_dates", INSPECTION_TYPE: "inspection_type",
                    COPY_LIST: "copy_list"}

_OP_WORDS = {">": "more than", ">=": "at least", "<": "fewer than", "==": "exactly",
             "!=": "other than"}


# Words of a follow-up that name no subject of its own ("and 2012 only?", "same but good
# practice", "what abt the ones praised for it", "any as a priority?").
_FOLLOWUP_FILLER = frozenset("""and also only same but what abt about how the ones one those them
these it its for any as a an of from in at all opposite instead too then so ok just please pls
again other way round good practice praised praise criticised concern concerns problem problems
positive negative bad well actual actually real really where was were""".split())
_OPPOSITE = re.compile(r"\bthe\s+opposite\b|\bother\s+way\s+round\b|\bthe\s+reverse\b", _I)


def criteria_of(query: Query) -> Criteria:
    """Read the list/count criteria of ``query`` (its text, years and inherited section); a
    follow-up of a list keeps that list's topic and conditions where it says nothing new."""
    crit = _criteria_of(query)
    if query.after is None:
        return crit
    base = criteria_of(query.after)
    text = query.read_text
    words = set(re.findall(r"[a-z]+", (crit.topic.text if crit.topic else "").lower()))
    if crit.topic is None or words <= _FOLLOWUP_FILLER:
        crit.topic = base.topic
        if crit.topic is not None:
            # "any where it was an actual priority action?": the section it names decides
            crit.topic.polarity = None if crit.section else _followup_polarity(
                text, crit.topic.polarity)
    for name in ("years", "window", "month", "signatory", "structure", "days", "set_aside"):
        if not getattr(crit, name) and getattr(base, name):
            setattr(crit, name, getattr(base, name))
    if crit.section is None and base.section is not None and crit.topic is base.topic:
        crit.section, crit.also = base.section, base.also
        # "how many letters had 2 priority actions" then "list them": the same condition
        crit.comparator = crit.comparator or base.comparator
        crit.negated = crit.negated or base.negated
    crit.twice = crit.twice or (base.twice and not crit.once)
    crit.once = crit.once or (base.once and not crit.twice)
    return crit


def _followup_polarity(text: str, before: str | None) -> str | None:
    """The polarity a follow-up asks for: its own cue, the reverse of the list's ("the
    opposite"), or the list's."""
    if EITHER_WAY.search(text):
        return None
    if _OPPOSITE.search(text):
        return {"negative": "positive", "positive": "negative"}.get(before or "", before)
    own = parse_topic(text).polarity
    if _ASKS_PRAISE.search(text) or re.search(r"\bgood\s+practice\b", text, _I):
        own = "positive"
    elif _ASKS_CONCERN.search(text):
        own = "negative"
    return own or before


def _criteria_of(query: Query) -> Criteria:
    """The criteria the question's own words state."""
    text = query.read_text
    crit = Criteria(years=list(query.years), letter_dated=bool(_LETTER_DATED.search(text)))
    crit.unit = "councils" if _COUNCILS_NOT_LETTERS.search(text) or (
        _COUNCIL_UNIT.search(text) and not _LETTER_UNIT.search(
            re.sub(r"\bhow\s+many\s+(?:councils|authorities)", "", text, flags=_I))) \
        else "letters"
    refused = {name for m in _NOT_SECTION.finditer(text) for name, rx in _SECTION_NAMES
               if rx.search(m.group(1))}
    named = sorted(((rx.search(text).start(), name) for name, rx in _SECTION_NAMES  # type: ignore[union-attr]
                    if rx.search(text) and name not in refused))
    if named:
        crit.section = named[0][1]
        crit.also = tuple(name for _, name in named[1:])
    elif "topic" in query.inherited and query.section:
        crit.section = query.section
    match = _COMPARATOR.search(text)
    if match:
        word, n = match.group(1).lower(), match.group(2).lower()
        count = _count_word(n)
        op = {"more than": ">", "over": ">", "at least": ">=", "fewer than": "<",
              "less than": "<", "exactly": "==", "only": "==", "just": "==", "had": "==",
              "have": "==", "has": "==", "with": "==", "given": "==", "got": "==", "get": "==",
              "received": "=="}[" ".join(word.split())]
        crit.comparator = (op, count)
    crit.count_findings = bool(crit.section and _HOW_MANY_FINDINGS.search(text))
    signed = _SIGNED_BY.search(text)
    if signed:
        name = next(g for g in signed.groups() if g)
        crit.signatory = " ".join(name.split()).strip(" ?.!'\"")
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
            crit.month = _month_number(next(g for g in month.groups() if g))
    aside = _SET_ASIDE.search(text)
    aside_text = aside.group(1) if aside else ""
    crit.once = bool(_ONCE.search(text)) or bool(aside_text and _TWICE.search(aside_text))
    crit.twice = not crit.once and bool(_TWICE.search(text))
    aside_count = _COMPARATOR.search(aside_text) if aside_text else None
    aside_section = next((n for n, rx in _SECTION_NAMES if rx.search(aside_text)), None)
    if aside_count and aside_section:
        # "apart from the ones with 2 priority actions": every other count of that section
        crit.structure = (aside_section, "!=", _count_word(aside_count.group(2).lower()))
        if crit.section == aside_section and crit.comparator is not None:
            crit.section, crit.also, crit.comparator = None, (), None
    days = _DAYS_LONG.search(text)
    if days:
        crit.days = _count_word(next(g for g in days.groups() if g).lower())
    if crit.signatory is None:
        owner = _SIGNATORY_OWNS.search(text)
        if owner:  # lower case: a signatory only if someone in the collection signs so
            crit.signatory = next(g for g in owner.groups() if g).lower()
    if aside and not crit.once and crit.structure is None:
        crit.set_aside = " ".join(aside.group(1).split())
    elif not aside and (not_the := _NOT_THE.search(text)):
        crit.set_aside = " ".join(not_the.group(1).split())
    phrase = topic_phrase(query, (_COURTESY, _SET_ASIDE, _NOT_THE, _NOT_SECTION,
                                  _COUNCILS_NOT_LETTERS, _ONCE, _TWICE, _DAYS_LONG,
                                  _SIGNATORY_OWNS, _MONTH_ANY_YEAR, _NO_SECTION, _LEFTOVER))
    topic = parse_topic(phrase) if phrase else None
    crit.topic = topic if topic is not None and not topic.empty else None
    if crit.topic is not None and crit.section is not None:
        none = _NO_SECTION.search(text)
        if none:  # "no priority actions, yet concerns about X": a condition and a topic
            crit.structure = (crit.section, "==", 0)
            # "no priority action, but development points about X": the other section named
            rest = tuple(name for name in crit.also if name != crit.section)
            crit.section, crit.also = (rest[0], rest[1:]) if rest else (None, ())
            crit.negated = False
            crit.topic.polarity = crit.topic.polarity or (
                "negative" if _ASKS_CONCERN.search(text) else None)
    if crit.topic is not None and crit.section is None:
        # "raised X as a concern", "critical of X", "praised for X": the question's own words
        # say whether a problem or a strength is sought ("good or bad": either).
        if EITHER_WAY.search(text):
            crit.topic.polarity = None
        elif _ASKS_CONCERN.search(text) and not _ASKS_PRAISE.search(text):
            crit.topic.polarity = "negative"
        elif _ASKS_PRAISE.search(text) and not _ASKS_CONCERN.search(text):
            crit.topic.polarity = "positive"
    return crit


def topic_phrase(query: Query, conditions: tuple[re.Pattern[str], ...] = ()) -> str:
    """What the question asks about, once councils, dates, sections and question words go
    (and first the wording of any ``conditions`` already read from it)."""
    text = " " + query.read_text.replace("’", "'") + " "
    text = re.sub(r"\bIT\b", "IT systems", text)  # the system, before "it" goes as a pronoun
    text = re.sub(r"\bw/o\b", "without", text, flags=_I)
    for rx in conditions:
        text = rx.sub(" ", text)
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
    return "" if text.lower() == "who" else text  # "who got two priority actions?"


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
    match = _BARE_MONTH.search(text)
    if match and not _SINCE.search(text):  # "nov 2009 inspections?"
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


def _count_word(word: str) -> int:
    """``"2"`` -> 2, ``"two"`` -> 2; "a" and other words -> 1."""
    return int(word) if word.isdigit() else _NUMBERS.get(word, 1)


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


