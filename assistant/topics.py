"""Topic matching: does a finding of a letter speak about what a question asks?

A topic ("cases closed without the child being seen", "high caseloads", "out of hours service")
is matched against every finding of the candidate letters by meaning *and* by words:

* dense similarity between the topic and the finding's stored chunk embedding (fetched from the
  store by content hash, so nothing is embedded twice; findings the store has no vector for are
  embedded once and cached by content);
* lexical coverage: the idf-weighted share of the topic's units the finding contains, where a
  unit is either a word (stemmed) or a *concept* of the genre, a family of phrasings inspectors
  use for the same thing (vacancies ~ unfilled posts ~ staffing shortages; not seen ~ without the
  children being seen; caseloads ~ workloads; out of hours ~ emergency duty team ...).

``score = DENSE_WEIGHT * dense + (1 - DENSE_WEIGHT) * coverage``; a finding matches when the
score reaches :data:`MATCH_THRESHOLD`. Both were calibrated by a grid search on the topic list and
count questions of a generated development suite (41 letters, 90 topic questions: weights
0.3-0.45 with thresholds 0.49-0.53 form a plateau of letter-level recall 0.97 / precision 0.95),
then checked, unchanged, on ``evals/suites/small``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.lexical import tokenize
from ingest.models import (
    AREAS_FOR_DEVELOPMENT,
    FINDING_SECTIONS,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
    Finding,
)
from ingest.themes import mask_of

if TYPE_CHECKING:
    from assistant.catalog import CatalogLetter
    from assistant.understanding.themes import ThemeReading
    from ingest.themes import ThemeTagger
    from vectorstore.embedder import Embedder
    from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)

# A list asks about one theme: a finding qualifies when tagged with it, or when the tagger gives
# that theme at least this probability (calibrated on evals/suites/themes/dev.jsonl).
THEME_LIST_PROBABILITY = 0.12
THEME_LIST_SHARE = 0.5  # ... and at least this share of the finding's likeliest theme

# Calibrated (see the module docstring); the dense part is the cosine between the topic and the
# finding's stored chunk embedding.
DENSE_WEIGHT = 0.4
MATCH_THRESHOLD = 0.51
# Two findings of different letters say "the same thing" (timelines, comparisons) at or above this.
SAME_FINDING_DENSE = 0.8
SAME_FINDING_WORDS = 0.5

NEGATIVE_SECTIONS = (AREAS_FOR_DEVELOPMENT, PRIORITY_ACTION)
POSITIVE_SECTIONS = (SATISFACTORY, STRENGTHS)

_I = re.IGNORECASE


@dataclass(frozen=True)
class Concept:
    """A family of phrasings of one idea in the genre."""

    name: str
    pattern: re.Pattern[str]


def _concept(name: str, *alternatives: str) -> Concept:
    return Concept(name, re.compile("|".join(f"(?:{a})" for a in alternatives), _I))


_W = r"(?:[\w'-]+\s+)"  # one word and its space
CONCEPTS: tuple[Concept, ...] = (
    _concept("vacancies",
             r"\bvacanc(?:y|ies)\b", r"\bvacant\b", r"\bunfilled\b", r"\bunder-?staff\w*",
             r"\b(?:staff|staffing|workforce|recruitment)\s+(?:shortages?|difficult\w*|gaps?)\b",
             rf"\bshortages?\s+of\s+{_W}{{0,2}}(?:staff|social\s+workers|workers|managers)\b",
             rf"\bposts?\s+{_W}{{0,3}}(?:not\s+(?:been\s+)?(?:covered|filled)|unfilled|vacant)",
             r"\bnot\s+(?:fully|adequately)\s+staffed\b",
             r"\b(?:insufficient|inadequate|low|reduced)\s+(?:staffing|numbers\s+of\s+staff)\b",
             r"\bdifficult\w*\s+(?:in\s+)?recruit\w*"),
    _concept("agency_staff",
             r"\bagency\s+(?:staff|social\s+workers|workers|managers)\b",
             r"\binterim\s+(?:staff|managers?|social\s+workers)\b", r"\blocums?\b",
             r"\btemporary\s+(?:staff|social\s+workers|workers)\b"),
    _concept("unseen",
             r"\bunseen\b", r"\bnot\s+(?:always\s+|been\s+|being\s+|yet\s+)*seen\b",
             rf"\bwithout\s+{_W}{{0,4}}(?:being|having\s+been|been)\s+seen\b",
             r"\bwithout\s+(?:first\s+)?seeing\b", r"\bnever\s+(?:been\s+)?seen\b",
             r"\b(?:failure|failing|failed)\s+to\s+see\b",
             rf"\bbefore\s+{_W}{{0,3}}(?:had\s+|has\s+)?(?:been\s+)?seen\b"),
    _concept("caseloads",
             r"\bcase\s*-?\s*loads?\b", r"\bworkloads?\b", r"\bwork\s+loads?\b",
             r"\bnumbers?\s+of\s+cases\s+(?:held|allocated|per)\b"),
    _concept("out_of_hours",
             r"\bout[\s-]+of[\s-]+hours\b", r"\bemergency\s+duty\s+(?:team|service)s?\b",
             r"\bEDT\b", r"\bafter[\s-]+hours\b", r"\bevenings?\s+and\s+weekends?\b",
             r"\boutside\s+(?:of\s+)?(?:normal\s+)?(?:office|working)\s+hours\b",
             r"\bnight[\s-]+time\b"),
    _concept("unallocated",
             r"\bunallocated\b", r"\bnot\s+(?:been\s+|yet\s+)*allocated\b",
             r"\bawaiting\s+allocation\b", r"\bwithout\s+an?\s+allocated\b"),
    _concept("timeliness",
             r"\bdelay\w*\b", r"\bbacklogs?\b", r"\blate\b", r"\bdrift\b",
             r"\b(?:outside|beyond|out\s+of)\s+(?:the\s+)?(?:required\s+|national\s+)?timescales?\b",
             r"\bnot\s+(?:always\s+)?(?:completed\s+)?(?:on\s+time|within\s+timescales?)\b",
             r"\bnot\s+(?:always\s+)?(?:completed|undertaken|held|made)\s+within\b",
             r"\boverdue\b", r"\bwait(?:ed|ing)\s+(?:too\s+long|more\s+than|for\s+weeks)",
             r"\btimeliness\b", r"\buntimely\b", r"\btimely\b",
             rf"\bwithin\s+{_W}{{0,3}}timescales?\b"),
    _concept("management_oversight",
             r"\b(?:management|managerial|manager'?s?|senior)\s+oversight\b",
             r"\boversight\s+(?:by|from|of)\s+(?:senior\s+)?managers?\b"),
    _concept("supervision", r"\bsupervis(?:ion|ions|ed|ing|or|ors)\b"),
    _concept("case_records",
             r"\bcase\s+(?:records?|recording|notes?)\b", r"\bchronolog\w+",
             r"\bcase\s+files?\b(?!\s+audit)",
             r"\brecords?\s+(?:are|is)\s+(?:not\s+)?(?:always\s+)?(?:up\s+to\s+date|of\s+"
             r"(?:good|poor)\s+quality)"),
    _concept("thresholds", r"\bthresholds?\b", r"\beligibility\s+criteria\b"),
    _concept("partnership",
             r"\bmulti-?\s?agency\b", r"\binter-?\s?agency\b", r"\bpartner(?:ship)?s?\b",
             r"\bpartner\s+agencies\b", r"\bjoint\s+working\b"),
    _concept("child_voice",
             r"\bviews\s+of\s+(?:the\s+)?(?:children|child|young\s+people|parents)\b",
             r"\b(?:children|child|young\s+people)(?:'s|s')?\s+(?:views|voice|wishes)\b",
             r"\bvoice\s+of\s+(?:the\s+)?child\b", r"\bwishes\s+and\s+feelings\b",
             r"\bwhose\s+views\b"),
    _concept("recorded",
             r"\brecord(?:ed|ing|s)?\b", r"\bcaptur(?:e|es|ed|ing)\b", r"\bdocument(?:ed|s)?\b",
             r"\bwritten\s+(?:down|up)\b"),
    _concept("training",
             r"\btraining\b", r"\binduction\b", r"\bprofessional\s+development\b", r"\bCPD\b"),
    _concept("morale", r"\bmorale\b", r"\bmotivat\w+\b", r"\bstaff\s+retention\b"),
    _concept("audit",
             r"\baudit\w*\b", r"\bquality\s+assurance\b", r"\bperformance\s+management\b",
             r"\bperformance\s+monitoring\b"),
    _concept("diversity",
             r"\bequality\b", r"\bdivers\w*", r"\bethnic\w*\b", r"\bcultur\w*\b",
             r"\binterpret(?:er|ers|ing)\b",
             r"\breligio\w+\b", r"\bfirst\s+language\b"),
    _concept("domestic_violence", r"\bdomestic\s+(?:violence|abuse)\b"),
    _concept("strategy_discussions", r"\bstrategy\s+(?:discussions?|meetings?)\b"),
    _concept("child_protection_enquiries",
             r"\bsection\s+47\b", r"\bs\.?\s?47\b", r"\bchild\s+protection\s+(?:enquir\w+|"
             r"investigations?)"),
    _concept("front_door",
             r"\bcontact\s+cent(?:re|er)s?\b", r"\bfront\s+door\b", r"\bcall\s+cent(?:re|er)s?\b",
             r"\bMASH\b", r"\bmulti-?agency\s+safeguarding\s+hubs?\b", r"\bsingle\s+point\s+of\s+"
             r"(?:contact|access|entry)\b"),
    _concept("screening",
             r"\bscreen(?:ed|ing|s)?\b", r"\bprioritis\w+", r"\btriag\w+",
             r"\bdecisions?\s+(?:on|about)\s+(?:new\s+)?(?:referrals|contacts)\b"),
    _concept("consideration",
             r"\bconsider(?:ed|ing|ation)?\b", r"\battention\s+to\b", r"\btak\w+\s+(?:in)?to\s+"
             r"account\b", r"\brecognis\w+", r"\baddress(?:ed|es|ing)?\b", r"\bidentified\b"),
    _concept("feedback",
             r"\bfeedback\b", r"\bservice\s+users?\b", r"\bcomplaints?\b", r"\bconsultation\b",
             r"\bviews\s+(?:about|on|of)\s+the\s+services?\b"),
    _concept("it_systems",
             r"\belectronic\s+(?:recording|records?|case\s+management|systems?|files?)\b",
             r"\bintegrated\s+children'?s\s+system\b", r"\bICS\b", r"\bIT\s+systems?\b",
             r"\bcomputer\s+systems?\b"),
    _concept("assessment_quality",
             r"\bquality\s+(?:of\s+)?(?:the\s+)?(?:initial\s+|core\s+)?assessments?\b",
             r"\banalys[ie]s\s+of\s+(?:risk|need)", r"\b(?:lack|lacks|lacking)\s+analysis\b",
             r"\blargely\s+descriptive\b",
             r"\bassessments?\s+(?:are|were|is|was)\s+(?:of\s+)?(?:variable|poor|inconsistent)\b"),
    # Kinds of assessment are terms of their own: "core assessments" says nothing about
    # "initial assessments".
    _concept("initial_assessment", r"\binitial\s+assessments?\b"),
    _concept("core_assessment", r"\bcore\s+assessments?\b"),
    _concept("closed",
             r"\bclos(?:ed|ing|ure|e)\b", r"\bno\s+further\s+action\b", r"\bNFA\b"),
)

# Concepts that exclude each other: a finding about the one, not naming the other, is not about
# the other ("core assessments are completed late" is no finding on delayed initial assessments).
CONTRASTS: tuple[tuple[str, str], ...] = (
    ("initial_assessment", "core_assessment"),
    ("strategy_discussions", "child_protection_enquiries"),
)

# Cues of what the asker is looking for: a problem (areas for development, priority action) or
# something done well (satisfactory findings, strengths).
_NEGATIVE_CUE = re.compile(
    r"\bvacan|\bshortage|\bunfilled|\bunder-?staff|\black(?:ing|s)?\b|\binsufficient|\binadequat|"
    r"\bpoor|\bweak|\bdelay|\blate\b|\bbacklog|\binconsisten|\bvariable\b|\bunallocated|\bnot\b|"
    r"\bwithout\b|\bunseen|\bhigh\s+(?:case\s*|work\s*)loads?|\bheavy|\bexcessive|\bdrift|"
    r"\bgaps?\b|\bfail|\blimited\b|\bunclear|\bconcerns?\b|\bproblems?\b|\bdifficult|"
    r"\blow\s+morale|\bturnover|\breliance|\bunmanageable|\bshortfall|\bbreach|\bmiss(?:ed|ing)\b"
    r"|\bout\s+of\s+date\b|\bineffective|\bunsafe|\bwaiting\b|\bcriticis|\bdeficien"
    r"|\bsort\w*\b(?:\s+\S+){0,4}\s+out\b|\btold\s+to\b|\bmoan|\bcomplain|\bworr|\bstruggl"
    r"|\b(?:werent|wasnt|dont|doesnt|isnt|arent|didnt|havent|hasnt)\b|n't\b|\btoo\s+(?:reliant|"
    r"many|much|slow|high|few|long)\b|\bover-?reliant|\bshould(?:n'?t)?\b|\bbad\b|\bpatchy\b"
    r"|\brunning\s+late\b|\bbehind\b|\bnever\b|\bmissing\b|\bfall(?:ing)?\s+short\b"
    r"|\bshort\s+of\b|\bshort[-\s]staffed|\bunder[-\s]?staffed|\bbother"
    r"|\binappropriat|\bunqualified\b|\bprobs?\b|\bissues?\b|\bisues?\b|\bpicked\s+up\b|"
    r"\bpulled\s+up\b|\bincomplete\b|\bwrong\b|\btoo\s+\w+\b|\bto\s+(?:high|slow|long|late)\b|"
    r"\b(?:going|running|ran|went)\s+over\b|\bover\s+(?:the\s+)?(?:7|seven|35|thirty[\s-]five)\b|"
    r"\bsat\s+(?:waiting|there|unallocated)|\bleaning\s+on\b|\bclunky\b|\bnobody\b|"
    r"\bno\s+one\b|\bunstable\b|\bnot\s+enough\b|\bhad\s+a\s+go\b|\bmarked\s+down\b|"
    r"\ba\s+mess\b|\bmessy\b|\brubbish\b|\bdodgy\b|\bpiling\s+up\b|\bpiled\s+up\b|"
    r"\btold\s+off\b|\bshambl|\bsub-?standard\b|\bnot\s+on\s+top\s+of\b|\bslipp(?:ed|ing)\b|"
    r"\bdire\b|\bshocking\b|\bawful\b|\bterrible\b|\bneeds?\s+work\b|\blow\s+(?:\w+\s+)?morale\b|"
    r"\brunning\s+(?:past|beyond)\b|\bbeyond\s+(?:the\s+)?(?:\d+|seven|thirty)|\bexceed|"
    r"\bdrowning\b|\boverloaded\b|\bwoolly\b|\bwishy[-\s]?washy\b|\bvague\b|"
    r"\bget(?:ting)?\s+in\s+(?:the\s+)?(?:[\w']+\s+)?way\b|\bswamped\b|\bsnowed\s+under\b|"
    r"\bgrief\b|\b(?:couldnt|could\s+not|cant|can't|unable\s+to)\s+(?:\w+\s+)?"
    r"(?:fill|recruit|keep|retain)", _I)
# A good word denied is a problem: "not good enough", "weren't up to date", "not up to scratch".
_DENIED_POSITIVE = re.compile(
    r"\b(?:not|no|never|isn't|aren't|wasn't|weren't|isnt|arent|wasnt|werent|hardly|far\s+from)"
    r"\s+(?:(?:very|always|all|that|so|particularly|really|being|been|be|as|consistently)\s+)?"
    r"(?:good|well|effective(?:ly)?|strong|robust|timely|prompt|up\s+to\s+(?:date|scratch|"
    r"standard)|decent|great|positive|manageable|clear|right|regular(?:ly)?|properly|"
    r"appropriate(?:ly)?|sound|thorough|visible|valued|enough)\b", _I)
# The asker wants both kinds of finding: "good or bad", "either way", "praised or criticised".
EITHER_WAY = re.compile(
    r"\bgood\s+or\s+bad\b|\bbad\s+or\s+good\b|\beither\s+way\b|\bboth\s+ways\b|"
    r"\bpositive(?:ly)?\s+or\s+negative(?:ly)?\b|\bnegative(?:ly)?\s+or\s+positive(?:ly)?\b|"
    r"\bpraised\s+or\s+criticised\b|\bcriticised\s+or\s+praised\b|\bfor\s+better\s+or\s+worse\b|"
    r"\bwhether\s+(?:good|positive|praised|well)\b|\b(?:strength|positive)s?\s+or\s+"
    r"(?:concerns?|weakness(?:es)?|negatives?)\b", _I)
_POSITIVE_CUE = re.compile(
    r"\beffective(?:ly)?\b|\bgood\b|\bstrong\b|\brobust\b|\bwell[\s-]|\btimely\b|\bmanageable\b|"
    r"\befficient\b|\bhigh[\s-]quality\b|\bexcellent\b|\bprompt\b|\bpraised?\b|\bcommended\b|"
    r"\bvalued\b|\bfully\s+staffed\b|\bup\s+to\s+date\b|\bwell\b|\bcredit|\bpositive|"
    r"\bdecent\b|\bgreat\b|\bprais|\bdoing\s+well\b|\bstrength|\bcommend|\bgood\s+word\b|"
    r"\bwrite[-\s]?up\b|\bsingled\s+out\b|\bgood\s+at\b|\bvisible\b|\bsound\b|\bthorough\b|"
    r"(?<!not\s)\bon\s+top\s+of\b|\bpat\s+on\s+the\s+back\b|\bkudos\b|\bshout-?out\b|"
    r"\bwell\s+done\b|\bnailed\b|\bsorted\b|\bgood\s+news\b|"
    r"\bappropriate\b|\bvalu(?:ed|able)\b|\bhappy\s+with\b|\bpleased\s+with\b|"
    r"\bgood\s+mention\b|\bin\s+good\s+spirits\b", _I)

# Words that only say how good or bad something is: they set the polarity of a topic (which
# sections are searched) rather than naming what it is about.
_POLARITY_WORDS = frozenset(tokenize("""weak weaker weakness weaknesses poor poorly low little
limited gap gaps lack lacking lacks insufficient insufficiently inadequate inadequately inconsistent
inconsistently unclear problem problems shortcoming shortcomings failing failings concern concerns
not no being good strong effective effectively robust clear well positive high heavy excessive
unmanageable manageable prompt"""))
# Words too general in this genre to say anything about a topic on their own.
_GENERIC = frozenset(tokenize("""being been service services team teams work working social
staff child children young people family families case cases arrangements practice local
need needs
authority council councils letter letters issue issues matter matters things"""))
# Words of a question's frame that never name a topic, not even as a last resort ("fewer the second
# time", "came out worse").
_FRAME_ONLY = frozenset(tokenize("""time times first second last previous visit visits inspection
inspections day days came come out better worse worst best fewer less more same similar change
changed changes improve improved improving improvement improvements deteriorate deteriorated
declined progress"""))


@dataclass
class Topic:
    """A topic to look for in findings.

    Attributes:
        text: the topic as asked (used for the dense match).
        concepts: genre concepts the topic names.
        words: stemmed words of the topic not covered by a concept.
        polarity: ``"negative"`` (a problem), ``"positive"`` or None.
    """

    text: str
    concepts: list[Concept] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    polarity: str | None = None
    reading: ThemeReading | None = None  # the taxonomy's theme(s) the topic was read as

    @property
    def empty(self) -> bool:
        return not (self.concepts or self.words)

    def sections(self) -> tuple[str, ...]:
        """Sections a finding on this topic is looked for in (by polarity)."""
        if self.polarity == "negative":
            return NEGATIVE_SECTIONS
        if self.polarity == "positive":
            return POSITIVE_SECTIONS
        return FINDING_SECTIONS


def parse_topic(text: str) -> Topic:
    """Split a topic phrase into genre concepts and remaining content words."""
    text = " ".join(text.split())
    covered = [False] * len(text)
    concepts: list[Concept] = []
    for concept in CONCEPTS:
        hits = list(concept.pattern.finditer(text))
        if not hits:
            continue
        concepts.append(concept)
        for hit in hits:
            for i in range(hit.start(), hit.end()):
                covered[i] = True
    rest = "".join(" " if covered[i] else ch for i, ch in enumerate(text))
    words = [w for w in dict.fromkeys(tokenize(rest))
             if w not in _GENERIC and w not in _POLARITY_WORDS and w not in _FRAME_ONLY
             and len(w) > 1]
    if not concepts and not words:  # only generic words: keep them rather than match anything
        words = [w for w in dict.fromkeys(tokenize(rest))
                 if w not in _FRAME_ONLY and w not in _POLARITY_WORDS]
    denied = bool(_DENIED_POSITIVE.search(text))
    negative = denied or bool(_NEGATIVE_CUE.search(text))
    positive = bool(_POSITIVE_CUE.search(_DENIED_POSITIVE.sub(" ", text)))
    if EITHER_WAY.search(text):
        negative = positive = False
    polarity = "negative" if negative and not positive else (
        "positive" if positive and not negative else None)
    return Topic(text=text, concepts=concepts, words=words, polarity=polarity)


@dataclass(frozen=True)
class FindingRow:
    """One finding of one letter, as a row of the :class:`FindingIndex`."""

    document_id: str
    section: str
    index: int  # position of the finding within its section
    finding: Finding


@dataclass
class TopicMatch:
    """How well one finding matches a topic."""

    row: FindingRow
    dense: float
    coverage: float

    @property
    def score(self) -> float:
        return DENSE_WEIGHT * self.dense + (1 - DENSE_WEIGHT) * self.coverage


class VectorSource(Protocol):
    """Gives one normalised vector per finding row (same order)."""

    def vectors(self, rows: Sequence[FindingRow], letters: dict[str, CatalogLetter]
                ) -> np.ndarray: ...


def _content_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class EmbeddedVectors:
    """Embeds finding texts with the embedder, once per distinct text (cached by content)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``, embedding only those not seen before."""
        keys = [_content_key(t) for t in texts]
        with self._lock:
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}
            if todo:
                vectors = self.embedder.embed_documents(list(todo.values()))
                for key, vector in zip(todo, vectors, strict=True):
                    self._cache[key] = np.asarray(vector, dtype=np.float32)
            if not keys:
                return np.zeros((0, 0), dtype=np.float32)
            return np.stack([self._cache[k] for k in keys])

    def vectors(self, rows: Sequence[FindingRow], letters: dict[str, CatalogLetter]
                ) -> np.ndarray:
        return self.embed_texts([r.finding.text for r in rows])


class StoreVectors:
    """Finding vectors from the chunk embeddings the store already holds.

    Findings are chunked one per chunk (or a few, when long) at ingest and their chunks carry
    ``section``, ``finding_index`` and ``content_hash``; their embeddings are fetched by hash.
    A finding with no stored chunk (a letter ingested by an older pipeline) is embedded once.
    """

    def __init__(self, store: LetterStore, embedder: Embedder) -> None:
        self.store = store
        self.fallback = EmbeddedVectors(embedder)
        self._cache: dict[tuple[str, str, int], np.ndarray] = {}
        # the theme probabilities tagged at ingest, with the tagger version: (version, json)
        self._themes: dict[tuple[str, str, int], tuple[str, str]] = {}
        self._lock = threading.Lock()

    def stored_themes(self, row: FindingRow) -> tuple[str, str] | None:
        """(tagger version, probabilities JSON) the finding was tagged with at ingest."""
        return self._themes.get((row.document_id, row.section, row.index))

    def forget(self, document_ids: Iterable[str]) -> None:
        """Drop cached vectors of these letters (replaced or deleted)."""
        gone = set(document_ids)
        with self._lock:
            for key in [k for k in self._cache if k[0] in gone]:
                del self._cache[key]
            for key in [k for k in self._themes if k[0] in gone]:
                del self._themes[key]

    def vectors(self, rows: Sequence[FindingRow], letters: dict[str, CatalogLetter]
                ) -> np.ndarray:
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            missing_docs = sorted({r.document_id for r in rows
                                   if (r.document_id, r.section, r.index) not in self._cache})
            if missing_docs:
                self._fetch(missing_docs, rows, letters)
            out: list[np.ndarray | None] = [self._cache.get((r.document_id, r.section, r.index))
                                            for r in rows]
        todo = [i for i, v in enumerate(out) if v is None]
        if todo:
            logger.info("embedding findings without stored vectors findings=%d", len(todo))
            embedded = self.fallback.embed_texts([rows[i].finding.text for i in todo])
            for i, vector in zip(todo, embedded, strict=True):
                out[i] = vector
        return np.stack([v for v in out if v is not None])

    def _fetch(self, document_ids: list[str], rows: Sequence[FindingRow],
               letters: dict[str, CatalogLetter]) -> None:
        wanted = {(r.document_id, r.section, r.index): r for r in rows}
        # The catalogue knows the revisions it loaded: no scan of the letters collection.
        revisions = {d: letters[d].revision for d in document_ids
                     if d in letters and letters[d].revision}
        chunks = self.store.get_chunks(where={"finding_index": {"$gte": 0}},
                                       document_ids=document_ids,
                                       revisions=revisions if len(revisions) == len(document_ids)
                                       else None)
        by_finding: dict[tuple[str, str, int], list[str]] = {}
        for chunk in chunks:
            key = (chunk.document_id, chunk.section, int(chunk.metadata.get("finding_index", -1)))
            row = wanted.get(key)
            if row is None or not (row.finding.char_start <= chunk.char_start
                                   and chunk.char_end <= row.finding.char_end):
                continue  # chunking and parse disagree: embed the finding instead
            by_finding.setdefault(key, []).append(chunk.chunk_id)
            probs, version = chunk.metadata.get("theme_probs"), chunk.metadata.get("themes_version")
            if isinstance(probs, str) and isinstance(version, str):
                self._themes[key] = (version, probs)
        # the chunks' own records, read by id (by content hash, a boilerplate finding matched
        # thousands of stored copies at 10,000 letters)
        ids = sorted({i for found in by_finding.values() for i in found})
        stored = self.store.chunk_embeddings(ids) if ids else {}
        for key, chunk_ids in by_finding.items():
            vectors = [np.asarray(stored[i], dtype=np.float32) for i in chunk_ids if i in stored]
            if not vectors:
                continue
            mean = np.mean(vectors, axis=0)
            norm = float(np.linalg.norm(mean)) or 1.0
            self._cache[key] = (mean / norm).astype(np.float32)


class PrecomputedVectors:
    """Vectors given by a function of the finding text (benchmarks, tests)."""

    def __init__(self, vector_of: Callable[[str], np.ndarray]) -> None:
        self.vector_of = vector_of

    def vectors(self, rows: Sequence[FindingRow], letters: dict[str, CatalogLetter]
                ) -> np.ndarray:
        return np.stack([self.vector_of(r.finding.text) for r in rows]) if rows else \
            np.zeros((0, 0), dtype=np.float32)


class FindingIndex:
    """Every finding of the catalogue with its vector, words and concept hits, for fast scans."""

    def __init__(self, source: VectorSource, embed_query: Callable[[str], list[float]],
                 tagger: ThemeTagger | None = None) -> None:
        self.source = source
        self.embed_query = embed_query
        self.tagger = tagger
        self.rows: list[FindingRow] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        # findings x themes: the tagger's probabilities and tags, read from the vectors
        self.theme_probs = np.zeros((0, 0), dtype=np.float32)
        self.theme_mask = np.zeros((0, 0), dtype=bool)
        self._texts: list[str] = []
        self._words: list[frozenset[str]] = []
        self._postings: dict[str, np.ndarray] = {}
        self._concept_hits: dict[str, np.ndarray] = {}
        self._row_of: dict[tuple[str, str, int], int] = {}
        self._doc_rows: dict[str, np.ndarray] = {}
        self._section_of = np.zeros(0, dtype=object)
        self._topic_cache: dict[str, np.ndarray] = {}
        self._letters: dict[str, CatalogLetter] = {}  # the letter objects indexed
        self._version: object = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.rows)

    def rows_of(self, document_id: str) -> list[FindingRow]:
        """The findings of one letter, in index order (no scan of the others)."""
        return [self.rows[i] for i in self._doc_rows.get(document_id, np.zeros(0, int)).tolist()]

    def sync(self, letters: Iterable[CatalogLetter], version: object) -> None:
        """Bring the index in step with these letters unless already done for ``version``.

        Incremental: letters whose :class:`CatalogLetter` object is the one indexed before keep
        their rows (vectors, words, concept hits); only added or replaced letters are read and
        their vectors fetched. The rows come out in the same order as a full build.
        """
        if version == self._version and self._version is not None:
            return
        with self._lock:
            if version == self._version and self._version is not None:
                return
            by_id = {x.document_id: x for x in letters}
            old_letters = self._letters
            changed = [d for d, x in by_id.items() if old_letters.get(d) is not x]
            gone = [d for d in old_letters if d not in by_id]
            forget = getattr(self.source, "forget", None)
            if forget is not None:
                forget([*gone, *(d for d in changed if d in old_letters)])
            rows: list[FindingRow] = []
            old_index: list[int] = []  # row of the previous index, -1 for a new row
            for x in by_id.values():
                kept = self._doc_rows.get(x.document_id) if old_letters.get(
                    x.document_id) is x else None
                if kept is not None:
                    rows.extend(self.rows[i] for i in kept.tolist())
                    old_index.extend(kept.tolist())
                    continue
                new = [FindingRow(x.document_id, s.name, i, f) for s in x.parsed.sections
                       if s.name in FINDING_SECTIONS for i, f in enumerate(s.findings)]
                rows.extend(new)
                old_index.extend([-1] * len(new))
            self._rebuild(rows, np.array(old_index, dtype=int), by_id)
            self._letters = by_id
            self._version = version
        logger.info("finding index synced findings=%d letters=%d changed=%d removed=%d",
                    len(rows), len(by_id), len(changed), len(gone))

    def _rebuild(self, rows: list[FindingRow], old_index: np.ndarray,
                 by_id: dict[str, CatalogLetter]) -> None:
        kept = old_index >= 0
        new_at = np.flatnonzero(~kept)
        new_rows = [rows[i] for i in new_at.tolist()]
        new_matrix = self.source.vectors(new_rows, by_id) if new_rows else None
        if not rows:
            matrix = np.zeros((0, 0), np.float32)
        elif not kept.any():
            matrix = np.asarray(new_matrix, dtype=np.float32)
        else:
            dim = self.matrix.shape[1] if self.matrix.size else \
                np.asarray(new_matrix).shape[1]
            matrix = np.zeros((len(rows), dim), dtype=np.float32)
            if self.matrix.size:
                matrix[kept] = self.matrix[old_index[kept]]
            if new_matrix is not None and len(new_rows):
                matrix[new_at] = np.asarray(new_matrix, dtype=np.float32)
        old_words = self._words
        words = [old_words[j] if j >= 0 else frozenset(tokenize(r.finding.text))
                 for r, j in zip(rows, old_index.tolist(), strict=True)]
        texts = [r.finding.text for r in rows]
        concept_hits: dict[str, np.ndarray] = {}
        if len(new_rows) * 4 < len(rows):  # few changes: keep the concept hits already known
            by_name = {c.name: c for c in CONCEPTS}
            for name, mask in self._concept_hits.items():
                if name not in by_name:
                    continue
                fresh = np.zeros(len(rows), dtype=bool)
                fresh[kept] = mask[old_index[kept]]
                pattern = by_name[name].pattern
                for i in new_at.tolist():
                    fresh[i] = bool(pattern.search(texts[i]))
                concept_hits[name] = fresh
        if self.tagger is not None and matrix.size:  # before the rows change: it reads both
            self.theme_probs = self._theme_probabilities(rows, matrix, old_index)
            self.theme_mask = mask_of(self.theme_probs)
        else:  # nothing left (or no tagger): no stale probabilities of removed rows
            self.theme_probs = np.zeros((0, 0), dtype=np.float32)
            self.theme_mask = np.zeros((0, 0), dtype=bool)
        self.rows = rows
        self.matrix = matrix
        self._texts = texts
        self._words = words
        postings: dict[str, list[int]] = {}
        for i, row_words in enumerate(words):
            for w in row_words:
                postings.setdefault(w, []).append(i)
        self._postings = {w: np.array(v) for w, v in postings.items()}
        self._concept_hits = concept_hits
        self._row_of = {(r.document_id, r.section, r.index): i for i, r in enumerate(rows)}
        doc_rows: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            doc_rows.setdefault(r.document_id, []).append(i)
        self._doc_rows = {k: np.array(v) for k, v in doc_rows.items()}
        self._section_of = np.array([r.section for r in rows], dtype=object)

    def _theme_probabilities(self, rows: list[FindingRow], matrix: np.ndarray,
                             old_index: np.ndarray) -> np.ndarray:
        """Each finding's theme probabilities: kept from the previous build for a kept row; as
        tagged at ingest when the taxonomy is the same; else read again from its vector (a
        changed taxonomy re-embeds nothing)."""
        assert self.tagger is not None
        stored_of = getattr(self.source, "stored_themes", None)
        probs = np.zeros((len(rows), len(self.tagger.ids)), dtype=np.float32)
        kept = old_index >= 0
        if kept.any() and self.theme_probs.shape == (len(self.rows), len(self.tagger.ids)):
            probs[kept] = self.theme_probs[old_index[kept]]
            fresh = np.flatnonzero(~kept).tolist()
        else:
            fresh = list(range(len(rows)))
        todo: list[int] = []
        for i in fresh:
            row = rows[i]
            stored = stored_of(row) if stored_of is not None else None
            decoded = self.tagger.decode(stored[1]) if stored and \
                stored[0] == self.tagger.version else None
            if decoded is None:
                todo.append(i)
            else:
                probs[i] = decoded
        if todo:
            probs[todo] = self.tagger.probabilities(matrix[todo],
                                                    [rows[i].finding.text for i in todo])
            logger.info("findings re-tagged from stored vectors findings=%d", len(todo))
        return probs

    # ---- statistics -----------------------------------------------------------------------
    def _idf(self, df: int) -> float:
        n = len(self.rows)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _concept_mask(self, concept: Concept) -> np.ndarray:
        mask = self._concept_hits.get(concept.name)
        if mask is None:
            mask = np.fromiter((bool(concept.pattern.search(t)) for t in self._texts),
                               dtype=bool, count=len(self._texts))
            self._concept_hits[concept.name] = mask
        return mask

    def _word_mask(self, word: str) -> np.ndarray:
        mask = np.zeros(len(self.rows), dtype=bool)
        rows = self._postings.get(word)
        if rows is not None:
            mask[rows] = True
        return mask

    # ---- matching -------------------------------------------------------------------------
    def topic_vector(self, text: str) -> np.ndarray:
        vector = self._topic_cache.get(text)
        if vector is None:
            vector = np.asarray(self.embed_query(text), dtype=np.float32)
            if len(self._topic_cache) > 256:
                self._topic_cache.clear()
            self._topic_cache[text] = vector
        return vector

    def candidate_rows(self, document_ids: Iterable[str] | None,
                       sections: Sequence[str] | None) -> np.ndarray:
        """Row numbers of the findings of these letters and sections."""
        if document_ids is None:
            rows = np.arange(len(self.rows))
        else:
            parts = [self._doc_rows[d] for d in document_ids if d in self._doc_rows]
            rows = np.concatenate(parts) if parts else np.zeros(0, dtype=int)
        if sections is not None and len(rows):
            keep = np.isin(self._section_of[rows], list(sections))
            rows = rows[keep]
        return rows

    def match(self, topic: Topic, document_ids: Iterable[str] | None = None,
              sections: Sequence[str] | None = None, min_score: float | None = None,
              rows: np.ndarray | None = None) -> list[TopicMatch]:
        """Score every candidate finding against ``topic``; best first.

        Args:
            min_score: leave out matches scoring below it (decided on the whole array before
                any match object is made: a scan of 100,000 findings stays fast).
            rows: score these row numbers instead of ``document_ids`` and ``sections``.
        """
        if rows is None:
            rows = self.candidate_rows(document_ids, sections)
        if not len(rows) or topic.empty:
            return []
        coverage = self._coverage(topic, rows)
        if self.matrix.size:
            dense = self.matrix[rows] @ self.topic_vector(topic.text)
        else:
            dense = np.zeros(len(rows), dtype=np.float32)
        if min_score is not None:
            # the same double arithmetic as TopicMatch.score
            score = DENSE_WEIGHT * dense.astype(np.float64) + (1 - DENSE_WEIGHT) * coverage
            keep = score >= min_score
            rows, dense, coverage = rows[keep], dense[keep], coverage[keep]
        out = [TopicMatch(self.rows[r], float(d), float(c))
               for r, d, c in zip(rows.tolist(), dense.tolist(), coverage.tolist(), strict=True)]
        out.sort(key=lambda m: m.score, reverse=True)
        return out

    def themes_of(self, row: FindingRow) -> list[str]:
        """The themes a finding of the index is tagged with, likeliest first."""
        i = self._row_of.get((row.document_id, row.section, row.index))
        if i is None or self.tagger is None or not self.theme_mask.size:
            return []
        order = np.argsort(-self.theme_probs[i])
        return [self.tagger.ids[j] for j in order if self.theme_mask[i, j]]

    def theme_probability(self, row: FindingRow, theme_ids: Sequence[str],
                          relative: bool = True) -> float:
        """The tagger's highest probability, among these themes, for a finding of the index;
        with ``relative``, as a share of its likeliest theme's (1.0: mostly about them)."""
        i = self._row_of.get((row.document_id, row.section, row.index))
        if i is None:
            return 0.0
        return float(self.theme_probabilities(theme_ids, np.array([i]), relative)[0])

    def theme_probabilities(self, theme_ids: Sequence[str], rows: np.ndarray,
                            relative: bool = True) -> np.ndarray:
        """:meth:`theme_probability` of many row numbers at once (0 without a tagger)."""
        columns = [self.tagger.ids.index(t) for t in theme_ids
                   if self.tagger is not None and t in self.tagger.ids]
        if not columns or not self.theme_probs.size or not len(rows):
            return np.zeros(len(rows), dtype=np.float64)
        picked = self.theme_probs[np.ix_(rows, np.array(columns, dtype=int))]
        asked = picked.max(axis=1).astype(np.float64)
        if not relative:
            return asked
        best = self.theme_probs[rows].max(axis=1).astype(np.float64)
        return asked / np.where(best == 0, 1.0, best)

    def theme_match(self, theme_ids: Sequence[str], document_ids: Iterable[str] | None = None,
                    sections: Sequence[str] | None = None) -> list[TopicMatch]:
        """The findings tagged with any of the themes, best first; a match's score is the
        tagger's probability of its likeliest asked theme."""
        if self.tagger is None or not self.theme_mask.size:
            return []
        columns = np.array([self.tagger.ids.index(t) for t in theme_ids if t in self.tagger.ids],
                           dtype=int)
        rows = self.candidate_rows(document_ids, sections)
        if not len(columns) or not len(rows):
            return []
        asked = self.theme_probs[np.ix_(rows, columns)]
        best = self.theme_probs[rows].max(axis=1, keepdims=True)
        # tagged, or likely enough and not plainly about another theme (a neighbour: "seen" for
        # "seen alone")
        tagged = self.theme_mask[np.ix_(rows, columns)] | (
            (asked >= THEME_LIST_PROBABILITY) & (asked >= THEME_LIST_SHARE * best))
        keep = tagged.any(axis=1)
        probs = asked.max(axis=1)
        out = [TopicMatch(self.rows[r], float(p), float(p))
               for r, p, k in zip(rows.tolist(), probs.tolist(), list(keep), strict=True) if k]
        out.sort(key=lambda m: m.score, reverse=True)
        return out

    def _coverage(self, topic: Topic, rows: np.ndarray) -> np.ndarray:
        units: list[tuple[float, np.ndarray]] = []
        for concept in topic.concepts:
            mask = self._concept_mask(concept)
            units.append((self._idf(int(mask.sum())), mask))
        for word in topic.words:
            mask = self._word_mask(word)
            units.append((self._idf(int(mask.sum())), mask))
        total = sum(w for w, _ in units) or 1.0
        covered = np.zeros(len(rows), dtype=np.float64)
        for weight, mask in units:
            covered += weight * mask[rows]
        by_name = {c.name: c for c in CONCEPTS}
        asked = {c.name for c in topic.concepts}
        for a, b in CONTRASTS:
            for want, other in ((a, b), (b, a)):
                if want in asked and other not in asked:
                    wrong = self._concept_mask(by_name[other]) & ~self._concept_mask(by_name[want])
                    covered[wrong[rows]] = 0.0
        return covered / total

    def similarity(self, a: FindingRow, b: FindingRow) -> tuple[float, float]:
        """(dense cosine, word overlap) of two findings of the index."""
        i = self._row_of.get((a.document_id, a.section, a.index))
        j = self._row_of.get((b.document_id, b.section, b.index))
        if i is None or j is None:
            return 0.0, 0.0
        dense = float(self.matrix[i] @ self.matrix[j]) if self.matrix.size else 0.0
        wa, wb = self._words[i] - _GENERIC, self._words[j] - _GENERIC
        overlap = len(wa & wb) / max(1, min(len(wa), len(wb)))
        return dense, overlap

    def same_finding(self, a: FindingRow, b: FindingRow) -> bool:
        """Whether two findings (of different letters) say the same thing."""
        dense, overlap = self.similarity(a, b)
        return dense >= SAME_FINDING_DENSE or overlap >= SAME_FINDING_WORDS + 0.25 or (
            dense >= SAME_FINDING_DENSE - 0.1 and overlap >= SAME_FINDING_WORDS)
