"""The question-answering chain: understand -> select letters -> retrieve -> answer -> verify.

:class:`Assistant` is a LangChain ``Runnable``: ``invoke``/``batch`` take a question (a string,
or a dict/:class:`AskInput` with ``question``, ``history``, ``filters``, ``id``) and return an
:class:`Answer`; ``stream`` yields :class:`StreamEvent` objects (text, then citations, then the
whole answer).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, Field

from assistant.aggregate import AggregateAnswerer
from assistant.catalog import CatalogLetter, LetterCatalog
from assistant.citations import Draft, merge_drafts, verify
from assistant.errors import LLMUnavailable
from assistant.evidence import _section_words
from assistant.extractive import OFSTED, Evidence, ExtractiveAnswerer
from assistant.formatting import human_date, join_names
from assistant.gazetteer import Gazetteer
from assistant.lexical import LexicalIndex, stem
from assistant.llm import LLMAnswerer
from assistant.models import Answer, Citation, Filters, LetterRef, StreamEvent, Turn
from assistant.passages import Passage
from assistant.query import (
    ADDRESSEE,
    COMPARE,
    CONCERNS,
    COPY_LIST,
    COUNT_FINDINGS,
    EVIDENCE_BASE,
    FIELD_INTENTS,
    GRADE,
    GREETING,
    INSPECTION_DATES,
    INSPECTION_TYPE,
    LEGAL_BASIS,
    LETTER_DATE,
    OUTSIDE_LETTERS,
    POSITIVES,
    PRIORITY_EXISTS,
    SECTION_WORDS,
    SIGNATORY,
    STOPWORDS,
    SUMMARY,
    SURE,
    TIMELINE,
    Query,
    content_words,
    understand,
    without_councils,
)
from assistant.retrieval import Candidate, HybridRetriever
from assistant.support import SupportChecker
from assistant.understanding.answer_types import asked_type
from assistant.understanding.mentions import subject_words, unmentioned, words_of
from assistant.understanding.reader import QuestionReader
from assistant.understanding.spelling import LetterWords
from assistant.understanding.themes import normalise_phrase
from ingest.themes import ThemeTagger, load_taxonomy
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

logger = logging.getLogger(__name__)

# Calibrated on the small evaluation suite (see docs/benchmarks.md and `reportqa eval`): below
# this evidence score a topic answer is withheld.
DEFAULT_MIN_EVIDENCE = 0.33
# A section or metadata question over more letters than this goes to the aggregate path.
MAX_LETTERS_LISTED = 4


class AskInput(BaseModel):
    """One question with its conversation."""

    question: str = Field(min_length=1, max_length=2000)
    history: list[Turn] = Field(default_factory=list, max_length=50)
    filters: Filters | None = None
    id: str | None = None


@dataclass
class _Plan:
    """What the chain decided before drafting."""

    query: Query
    letters: list[CatalogLetter] = field(default_factory=list)
    abstain: str | None = None
    notes: list[str] = field(default_factory=list)
    candidates: list[Candidate] | None = None  # retrieved for a topic answer, reused by the LLM
    # read as asking what happened after the visit, though the letter may say what was being
    # done ("have plans in place to address it"): answered only from such a passage
    afterwards: bool = False
    # the findings of the letters tagged with the question's theme (None: not yet looked up)
    themed: list[tuple[CatalogLetter, str, int]] | None = None
    unmentioned: dict[str, list[str]] = field(default_factory=dict)  # by answer kind


class Assistant(Runnable[Any, Answer]):
    """Answers questions about the stored letters. Build once; thread-safe for reads."""

    def __init__(self, store: LetterStore, embedder: Embedder, *,
                 llm: LLMAnswerer | None = None,
                 top_k: int = 8, min_evidence: float | None = None,
                 refresh_interval_s: float = 2.0, reader: QuestionReader | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.catalog = LetterCatalog(store)
        self.lexical = LexicalIndex(store)
        self.retriever = HybridRetriever(store=store, embedder=embedder, lexical=self.lexical,
                                         k=top_k)
        self.extractive = ExtractiveAnswerer(self.lexical)
        self.aggregates = AggregateAnswerer(
            self.catalog, embedder, tagger=ThemeTagger(load_taxonomy(), embedder.embed_documents,
                                                       embedder.model_name))
        self.llm = llm
        self.top_k = top_k
        self.min_evidence = DEFAULT_MIN_EVIDENCE if min_evidence is None else min_evidence
        self.refresh_interval_s = refresh_interval_s
        self.reader = reader or QuestionReader(_embedding_function(embedder),
                                               model_name=embedder.model_name)
        self._gazetteer: Gazetteer | None = None
        self._gazetteer_version = -1
        self._words = LetterWords()
        self._checked_at = float("-inf")
        self._generation: str | None = None  # the store's generation when last brought in step

    # ---- Runnable interface ---------------------------------------------------------------
    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        request = _as_input(input)
        return self.ask(request.question, request.history, request.filters, request.id)

    def stream(  # type: ignore[override]  # events (text, citations, answer), not Answers
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[StreamEvent]:
        request = _as_input(input)
        yield from self.answer_events(request.question, request.history, request.filters,
                                      request.id)

    # ---- public API -----------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Bring the catalogue, lexical index and gazetteer in step with the store.

        The store is asked at most every ``refresh_interval_s`` seconds, for its cheap
        generation token; only when that changed are the letter revisions scanned (a read of
        every letter's metadata: seconds at 10,000 letters). ``force`` scans now, e.g. right
        after an ingest.
        """
        now = time.monotonic()
        if not force and self._gazetteer is not None \
                and now - self._checked_at < self.refresh_interval_s:
            return
        self._checked_at = now
        generation = self.store.generation()  # cheap; the scan below is not at 10,000 letters
        if not force and self._gazetteer is not None and generation == self._generation:
            return
        revisions = self.store.letter_revisions()  # one scan; both load only what changed
        self._generation = generation  # read before the scan: a write during it shows next time
        self.catalog.refresh(revisions=revisions)
        self.lexical.refresh(revisions=revisions)
        if self._gazetteer is None or self._gazetteer_version != self.catalog.version:
            letters = self.catalog.all()
            # Only new and replaced letters are read for their words (the slow part).
            self._words.update((x.document_id, x.revision, x.text) for x in letters)
            self._gazetteer = Gazetteer([x.authority or "" for x in letters],
                                        common_words=self._words.lowercase)
            self.reader.set_vocabulary(self._words.all)
            self.reader.set_people(name for x in letters for name in x.people())
            self._gazetteer_version = self.catalog.version

    def _tag_citations(self, citations: list[Citation]) -> None:
        """Give each citation of a finding that finding's themes."""
        taxonomy = self.aggregates.tagger.taxonomy if self.aggregates.tagger else None
        if taxonomy is None:
            return
        known: dict[str, dict[tuple[str, int], list[str]]] = {}
        for citation in citations:
            letter = self.catalog.get(citation.document_id)
            if letter is None:
                continue
            for section in letter.parsed.sections:
                for i, finding in enumerate(section.findings):
                    if finding.char_start <= citation.char_start < finding.char_end:
                        if letter.document_id not in known:
                            known[letter.document_id] = self.aggregates.finding_themes(
                                letter.document_id)
                        ids = known[letter.document_id].get((section.name, i), [])
                        citation.themes = ids
                        citation.theme_names = [taxonomy.name_of(t) for t in ids]

    def themes(self) -> list[dict[str, Any]]:
        """The theme taxonomy with how many findings and letters each theme holds, by section."""
        self.refresh()
        return self.aggregates.themes()

    def finding_themes(self, document_id: str) -> dict[tuple[str, int], list[str]]:
        """The themes of each finding of a stored letter, by (section, finding index)."""
        self.refresh()
        return self.aggregates.finding_themes(document_id)

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self.refresh()
        assert self._gazetteer is not None
        return self._gazetteer

    def ask(self, question: str, history: list[Turn] | None = None,
            filters: Filters | None = None, id: str | None = None) -> Answer:
        """Answer one question (with earlier turns and optional filters)."""
        events = list(self.answer_events(question, history, filters, id, stream_text=False))
        final = events[-1].answer
        assert final is not None
        return final

    def answer_events(self, question: str, history: list[Turn] | None = None,
                      filters: Filters | None = None, id: str | None = None,
                      stream_text: bool = True) -> Iterator[StreamEvent]:
        """Yield text tokens as the answer is produced, then citations, then the answer."""
        t0 = time.perf_counter()
        self.refresh()
        plan = self._plan(question, history or [], filters)
        t1 = time.perf_counter()
        timings = {"understand": _ms(t1 - t0)}
        if plan.abstain is not None:
            answer = self._abstention(plan, plan.abstain, timings, t0, id)
            yield from _emit(answer, stream_text)
            return
        if plan.query.intent == GRADE:
            shown = plan.letters[:MAX_LETTERS_LISTED]
            grade = merge_drafts([self.extractive.no_grade(x) for x in shown])
            answer = self._typed_abstention(plan, grade, "The letters give no grade or rating: "
                                            "they report findings, not judgements.", timings,
                                            t0, id)
            yield from _emit(answer, stream_text)
            return
        alone = self._only_letter(plan)
        if alone is not None:
            lead = (f"The collection holds only one letter for {alone.authority}, so there is "
                    "nothing here to compare it with (other years, other councils or national "
                    "figures); that letter reported:")
            summary = self.extractive.summary(alone)
            answer = self._typed_abstention(
                plan, None if summary is None else Draft(
                    text=lead + "\n" + summary.text.split("\n", 1)[-1], passages=summary.passages),
                lead, timings, t0, id)
            yield from _emit(answer, stream_text)
            return
        draft, kind, evidence, items, retrieval_ms = self._draft(plan)
        timings["retrieval"] = retrieval_ms
        if plan.afterwards and (draft is None or not any(
                _UNDER_WAY.search(p.text) for p in draft.passages)) and not (
                # read as "afterwards" by its likeness alone, it asks what the letter says in
                # the very words of a finding: "how quick are decisions on next steps"
                evidence is not None and evidence.score >= _CLOSE_EVIDENCE
                and not _LATER.search(plan.query.read_text)):
            answer = self._abstention(plan, self._afterwards(), timings, t0, id)
            yield from _emit(answer, stream_text)
            return
        if draft is None or evidence is not None and evidence.score < self.min_evidence:
            # a phone number or address asked for: any line of the letter may say
            line = _letter_line(self.extractive, plan)
            if line is not None:
                draft, kind, evidence = line, "metadata", None
        if draft is None and evidence is not None and evidence.untyped is not None \
                and evidence.score >= self.min_evidence:
            said = evidence.untyped
            lead = f"The letter gives no {evidence.missing}; it says:"
            answer = self._typed_abstention(
                plan, Draft(text=f"{lead} {said.text}", passages=said.passages), lead, timings,
                t0, id)
            yield from _emit(answer, stream_text)
            return
        absent = self._unmentioned(plan, kind)
        if absent:
            where = join_names([x.label() for x in plan.letters])
            words = join_names([f"“{w}”" for w in absent])
            answer = self._abstention(
                plan, f"The letter{'s' if len(plan.letters) > 1 else ''} ({where}) "
                f"{'do' if len(plan.letters) > 1 else 'does'} not mention {words}, so "
                f"{'they' if len(plan.letters) > 1 else 'it'} cannot answer this.",
                timings, t0, id)
            answer.resolved["unmentioned"] = absent
            yield from _emit(answer, stream_text)
            return
        missing, line = _typed_check(self.extractive, plan, draft, kind)
        if line is not None:
            draft, kind, evidence = line, "metadata", None
        beyond = _beyond_the_list(plan)
        if beyond is not None and draft is not None:
            answer = self._typed_abstention(
                plan, Draft(text=f"{beyond}\n{draft.text}", passages=draft.passages), beyond,
                timings, t0, id)
            yield from _emit(answer, stream_text)
            return
        if missing is not None and draft is not None:
            lead = f"The letter gives no {missing}; it says:"
            answer = self._typed_abstention(
                plan, Draft(text=f"{lead}\n{draft.text}", passages=draft.passages), lead,
                timings, t0, id)
            yield from _emit(answer, stream_text)
            return
        t2 = time.perf_counter()
        warnings: list[str] = []
        streamed: list[str] = []  # text already sent as tokens (LLM answers stream as produced)
        if draft is not None and self.llm is not None and kind not in _LLM_SKIPS:
            try:
                draft = yield from self._llm_draft(plan, draft, stream_text, streamed)
            except LLMUnavailable as exc:
                logger.warning("llm failed, falling back to the extractive answer error=%s", exc)
                warnings.append("The language model was unavailable; this is the extractive "
                                "answer quoted from the letters.")
                draft = draft.fallback if isinstance(draft, _LLMDraft) else draft
        if draft is None or (evidence is not None and evidence.score < self.min_evidence):
            reason = self._not_found_message(plan)
            answer = self._abstention(plan, reason, timings, t0, id)
            answer.resolved["evidence"] = None if evidence is None else round(evidence.score, 3)
            yield from _emit(answer, stream_text, "".join(streamed))
            return
        if isinstance(draft, _LLMDraft):
            # Every sentence must say what its cited passages say (issue 12), not just cite them.
            supported = SupportChecker(self.embedder.embed_documents).keep_supported(draft)
            if supported is None:
                warnings.append("The language model's answer was not supported by the passages "
                                "it cited; this is the extractive answer.")
                draft = draft.fallback
            else:
                draft = supported
        text, citations = verify(draft, self.catalog)
        if not citations and isinstance(draft, _LLMDraft):
            warnings.append("The language model's answer had no verifiable citation; this is "
                            "the extractive answer.")
            text, citations = verify(draft.fallback, self.catalog)
        if not citations and not items:
            answer = self._abstention(plan, self._not_found_message(plan), timings, t0, id)
            yield from _emit(answer, stream_text, "".join(streamed))
            return
        timings["answer"] = _ms(time.perf_counter() - t2)
        self._tag_citations(citations)
        timings["total"] = _ms(time.perf_counter() - t0)
        notes = f"\n\n{' '.join(plan.notes)}" if plan.notes else ""
        answer = Answer(id=id, answer=text + notes, abstained=False, citations=citations,
                        timings_ms=timings, kind=kind, items=items,
                        letters=_refs(plan.letters, citations), warnings=warnings,
                        resolved={**plan.query.describe(),
                                  "evidence": None if evidence is None else
                                  round(evidence.score, 3)})
        yield from _emit(answer, stream_text, "".join(streamed))

    def _afterwards(self) -> str:
        return ("The letters do not say: an inspection letter reports what inspectors found at "
                "the time of the visit, not what happened afterwards (the council's response, "
                f"later inspections or plans). {self._coverage()}")

    # ---- planning ---------------------------------------------------------------------------
    def _plan(self, question: str, history: list[Turn], filters: Filters | None) -> _Plan:
        query = understand(question, self.gazetteer, history, filters, self.reader)
        plan = _Plan(query=query)
        if len(self.catalog) == 0:
            plan.abstain = ("No letters are stored yet, so I cannot answer. Ingest letters with "
                            "`reportqa ingest PATH` (or upload them) and ask again.")
            return plan
        if query.after is None and (query.intent == GREETING and not query.councils or (
                not query.councils and not query.years and not content_words(query.read_text))):
            # a list's follow-up ("list them", "how many is that") says nothing of its own
            plan.abstain = (f"Ask me about the inspection letters, for example: “What was the "
                            f"area for priority action in {self._example_council()}?”, “Who "
                            f"signed it?”, “Which councils had no area for priority action?”. "
                            f"{self._coverage()}")
            return plan
        about_a_letter = bool(query.known_places) and not query.aggregate
        # read as outside the letters, but not by a decisive phrase nor as a request to invent
        unsettled = query.intent == OUTSIDE_LETTERS and not query.settled \
            and not _WANTS_INVENTION.search(query.read_text)
        # not read as outside the letters, though likeliest so and asking about "since"
        later = query.intent is None and query.best == OUTSIDE_LETTERS \
            and bool(_LATER.search(query.read_text))
        if about_a_letter and (unsettled or later):
            # "are they doing anything about it? any plans", "has Torbay sorted it out since?":
            # the letter's own words on what was being done answer it, nothing else does
            plan.afterwards = True
            query.intent, query.path = None, None
        if query.intent == OUTSIDE_LETTERS:
            if _WANTS_INVENTION.search(query.read_text):
                plan.abstain = ("I answer only with what the letters say, quoted: I cannot make "
                                "up figures or quotes, guess, give opinions or predict later "
                                f"judgements. {self._coverage()}")
            else:
                plan.abstain = self._afterwards()
            return plan
        if query.unknown_councils and (not query.known_places or query.aggregate == COMPARE):
            names = join_names([_display(c.mention) for c in query.unknown_councils])
            why = (" (these letters are Ofsted's, who inspect English councils only)"
                   if any(c.place in self.gazetteer.outside_england
                          for c in query.unknown_councils) else "")
            plan.abstain = (f"The collection holds no letter for {names}{why}, so the letters "
                            f"cannot answer this. {self._coverage()}")
            return plan
        institution = _institution(query)
        if institution is not None:
            plan.abstain = (f"The collection holds Ofsted's letters to councils about their "
                            f"children's services, not letters or reports about {institution}, "
                            f"so the letters cannot answer this. {self._coverage()}")
            return plan
        if query.known_places:
            letters = self.catalog.of_authorities(
                a for c in query.councils if c.in_collection for a in c.authorities)
        else:
            letters = self.catalog.all()
        if query.years:
            in_years = [x for x in letters if x.inspection_years & set(query.years)]
            if not in_years and not _ABOUT_INSPECTION.search(query.read_text):
                # "the 2010 letter" may be the letter written in 2010 about a 2009 inspection
                in_years = [x for x in letters if x.years & set(query.years)]
            if not in_years:
                years = join_names([str(y) for y in query.years])
                if query.known_places:
                    held = join_names(sorted({str(x.year) for x in letters if x.year}))
                    names = join_names([self.gazetteer.display_name(p)
                                        for p in query.known_places])
                    plan.abstain = (f"The collection holds no letter for {names} from {years}; "
                                    f"it holds {names} letters from {held}.")
                else:
                    plan.abstain = (f"The collection holds no letter from {years}. "
                                    f"{self._coverage()}")
                return plan
            letters = in_years
        if len(query.known_places) == 1 and len(query.years) >= 2 and not query.aggregate \
                and len({y for x in letters for y in x.years} & set(query.years)) >= 2:
            query.aggregate = TIMELINE  # one council, two inspection years: what changed
        if len(query.known_places) == 1 and not query.years and not query.aggregate \
                and len(letters) >= 2 and _ACROSS_VISITS.search(query.read_text):
            query.aggregate = TIMELINE  # "still short of staff second time round?"
        if query.known_places and not query.aggregate:
            letters = self._one_per_council(query, letters, plan)
        elif not query.known_places and len(letters) > 1:
            asked = asked_type(query.read_text)
            if asked is not None and asked.name == "grade":
                plan.abstain = ("The letters give no grade or rating: they report findings, not "
                                "judgements, so I cannot sort councils by grade. Ask which "
                                "councils had a finding on a subject instead (for example "
                                f"“which councils had no area for priority action?”). "
                                f"{self._coverage()}")
                return plan
            if asked is not None and asked.name == "reason":
                plan.abstain = ("The letters report each council's findings; they do not say why "
                                "councils across the collection share them. Ask which councils "
                                "had a finding on a subject (for example “which councils were "
                                f"short of social workers?”). {self._coverage()}")
                return plan
            if _RANKS_BY_MEASURE.search(query.read_text):
                plan.abstain = ("The letters give no figures to rank, total or average councils "
                                "by: each letter reports its own findings in words. Ask which "
                                "councils had a finding on a subject instead (for example "
                                f"“which councils were short of social workers?”). "
                                f"{self._coverage()}")
                return plan
        plan.letters = letters
        return plan

    def _one_per_council(self, query: Query, letters: list[CatalogLetter],
                         plan: _Plan) -> list[CatalogLetter]:
        """A council with several letters and no year: the latest (or earliest) letter."""
        chosen: list[CatalogLetter] = []
        for place in query.known_places:
            names = set(self.gazetteer.stored.get(place, ()))
            own = [x for x in letters if x.authority in names]
            if not own:
                continue
            if query.prefer == "all":
                chosen.extend(own)
                continue
            pick = own[0] if query.prefer == "earliest" else own[-1]
            chosen.append(pick)
            if len(own) > 1:
                which = "earliest" if query.prefer == "earliest" else "latest"
                others = join_names([human_date(x.parsed.metadata.letter_date or x.date)
                                     for x in own if x is not pick])
                plan.notes.append(f"(Answered from the {which} of {len(own)} letters for "
                                  f"{pick.authority}: {pick.label()}; the collection also holds "
                                  f"the letter of {others}.)")
        return chosen

    # ---- drafting ---------------------------------------------------------------------------
    def _draft(self, plan: _Plan) -> tuple[Draft | None, str, Evidence | None,
                                            list[dict[str, Any]], float]:
        query, letters = plan.query, plan.letters
        t = time.perf_counter()
        if query.aggregate or (len(letters) > 1 and (query.section or query.intent)
                               and not query.known_places):
            draft, kind, items = self.aggregates.answer(query, letters)
            if draft is not None or items:
                return draft, kind, None, items, _ms(time.perf_counter() - t)
        if query.intent in FIELD_INTENTS and letters and (
                len(letters) == 1 or query.prefer == "all" and query.known_places):
            asked = [query, *(replace(query, intent=other) for other in query.also)]
            draft = merge_drafts([self.extractive.metadata(q, x) for q in asked for x in letters])
            if draft is not None:
                return draft, "metadata", None, [], _ms(time.perf_counter() - t)
        if query.intent == COUNT_FINDINGS and query.section and 0 < len(letters) \
                <= MAX_LETTERS_LISTED:
            draft = merge_drafts([self.extractive.count_findings(query.section, x)
                                  for x in letters])
            if draft is not None:
                return draft, "count", None, [], _ms(time.perf_counter() - t)
        if query.intent in (CONCERNS, POSITIVES) and not query.residual \
                and 0 < len(letters) <= MAX_LETTERS_LISTED:
            draft = merge_drafts([self.extractive.summary(x, query.sections) for x in letters])
            if draft is not None:
                return draft, "section", None, [], _ms(time.perf_counter() - t)
        if query.person:
            draft = self.extractive.person(query.person, letters)
            if draft is not None:
                return draft, "metadata", None, [], _ms(time.perf_counter() - t)
        only_a_council = bool(query.known_places) and not (
            query.intent or query.section or query.residual or query.aggregate
            or asked_type(query.read_text)) and not _asks_beyond_council(query)
        if (query.intent == SUMMARY or only_a_council) and not query.residual \
                and not query.section and 0 < len(letters) <= MAX_LETTERS_LISTED:
            draft = merge_drafts([self.extractive.summary(x) for x in letters])
            if draft is not None:
                return draft, "section", None, [], _ms(time.perf_counter() - t)
        if query.section and 0 < len(letters) <= MAX_LETTERS_LISTED \
                and not _narrowing_topic(query):
            draft = merge_drafts([self.extractive.section_findings(query.section, x)
                                  for x in letters])
            if draft is not None:
                return draft, "section", None, [], _ms(time.perf_counter() - t)
        if query.intent == PRIORITY_EXISTS and len(letters) == 1:
            draft = self.extractive.priority_exists(letters[0])
            if draft is not None:
                return draft, "metadata", None, [], _ms(time.perf_counter() - t)
        by_id = {x.document_id: x for x in letters}
        candidates = plan.candidates = self.retriever.search(
            query.topic or query.read_text, document_ids=set(by_id), section=query.section,
            k=self.top_k)
        retrieval_ms = _ms(time.perf_counter() - t)
        single = len(by_id) == 1  # one letter: its best passage, and a close runner-up
        # a field passage answers only a question about what the letter mentions: "anything on
        # child sexual exploitation" is not answered with the copy list's safeguarding board
        field_draft = self._field_answer(query, candidates, by_id) \
            if single and not self._unmentioned(plan, "fact") else None
        if field_draft is not None:
            return field_draft, "metadata", None, [], retrieval_ms
        draft, evidence = self.extractive.topic(query, by_id, candidates,
                                                max_sentences=2 if single else 3,
                                                min_ratio=0.92 if single else 0.85)
        if (draft is None or evidence is not None and evidence.score < self.min_evidence) \
                and (evidence is None or evidence.missing is None) and single:
            themed = self._theme_draft(plan)
            if themed is not None:
                return themed, "fact", None, [], retrieval_ms
        return draft, "fact", evidence, [], retrieval_ms

    def _theme_findings(self, plan: _Plan) -> list[tuple[CatalogLetter, str, int]]:
        """The findings of the plan's letters tagged with the theme(s) the question's topic
        reads as ("night cover" -> out-of-hours service), in the sections asked about; empty
        when the topic reads as no theme. Computed once per plan."""
        if plan.themed is not None:
            return plan.themed
        plan.themed = []
        reader, query = self.aggregates.theme_reader, plan.query
        if reader is None or not query.topic or not 0 < len(plan.letters) <= MAX_LETTERS_LISTED:
            return plan.themed
        reading = reader.read(query.topic)
        if reading is None or reading.how != "term" and query.best != "topic":
            # a theme read from the topic's meaning alone is trusted only for a question read
            # as being about a topic ("do they listen to the kids"), not one that looks like
            # another path ("what did families tell the inspectors, in their words?")
            return plan.themed
        wanted = set(reading.ids)
        for letter in plan.letters:
            for (section, index), ids in self.aggregates.finding_themes(
                    letter.document_id).items():
                if query.sections and section not in query.sections:
                    continue
                if (wanted & set(ids)) if reading.any_of or len(wanted) == 1 \
                        else wanted <= set(ids):
                    plan.themed.append((letter, section, index))
        return plan.themed

    def _theme_draft(self, plan: _Plan) -> Draft | None:
        """A topic answer from the findings tagged with the topic's theme, when similarity
        found none close enough: "is the night cover any good" against "The Out of Hours Team
        provides an effective out of hours service"."""
        found = self._theme_findings(plan)[:_MAX_THEMED]
        if not found:
            return None
        passages = []
        for letter, section_name, index in found:
            section = letter.parsed.section(section_name)
            if section is None or index >= len(section.findings):
                continue
            finding = section.findings[index]
            if len(finding.text.split()) < _MIN_WORDS:
                continue  # a heading the parse left among the findings
            passages.append(Passage.of(letter, section_name, finding.char_start,
                                       finding.char_end))
        return self.extractive.passages_draft(passages)

    def _unmentioned(self, plan: _Plan, kind: str) -> list[str]:
        """The words of a one-council topic question that its letters never use (see
        :mod:`assistant.understanding.mentions`); empty when the letters mention the subject.
        Computed once per plan and answer kind."""
        if kind not in plan.unmentioned:
            plan.unmentioned[kind] = self._absent_words(plan, kind)
        return plan.unmentioned[kind]

    def _absent_words(self, plan: _Plan, kind: str) -> list[str]:
        query = plan.query
        # A question read as asking for a whole section ("what needed sorting straight away",
        # "any red flags?") has no subject of its own: its other words restate the section.
        by_section = kind == "section" and query.path is not None
        if kind not in ("fact", "section") or by_section or not query.topic \
                or not query.known_places or not 0 < len(plan.letters) <= MAX_LETTERS_LISTED:
            return []
        terms: dict[str, str] = {}  # word -> the theme term it belongs to
        reader = self.aggregates.theme_reader
        if reader is not None:
            text = normalise_phrase(query.read_text)
            hits = reader.term_hits(text)
            held = {t for x in plan.letters if hits
                    for ids in self.aggregates.finding_themes(x.document_id).values() for t in ids}
            for (start, end), theme_id, _term in hits:
                if theme_id in held:  # "short of social workers", and the letter has vacancies
                    return []
                phrase = words_of(text[start:end])
                terms.update((w, " ".join(phrase)) for w in phrase)
        if self._theme_findings(plan):  # "listen to the kids": the letter's child's-voice findings
            return []
        asked = asked_type(query.read_text)  # "postcode", "phone": what is asked, not about what
        words = subject_words(query.topic, _NOT_SUBJECTS | (asked.cue_words if asked else set()))
        absent = unmentioned(words, [self._words.of(x.document_id) for x in plan.letters])
        # name a theme term whole ("short of social workers", not "short") and neighbouring
        # words together ("sexual exploitation", not "sexual" and "exploitation")
        runs: list[list[str]] = []
        order = words_of(query.topic)
        for word in absent:
            at = order.index(word) if word in order else -1
            if runs and at > 0 and order[at - 1] == runs[-1][-1]:
                runs[-1].append(word)
            else:
                runs.append([word])
        return list(dict.fromkeys(terms.get(r[0], " ".join(r)) for r in runs))

    def _only_letter(self, plan: _Plan) -> CatalogLetter | None:
        """A comparison or timeline of one council that has a single letter: that letter."""
        query = plan.query
        if query.aggregate not in (COMPARE, TIMELINE) or len(query.known_places) != 1:
            return None
        names = set(self.gazetteer.stored.get(query.known_places[0], ()))
        own = [x for x in self.catalog.all() if x.authority in names]
        return own[0] if len(own) == 1 else None

    def _field_answer(self, query: Query, candidates: list[Candidate],
                      by_id: dict[str, CatalogLetter]) -> Draft | None:
        """A question no path was read for whose best passage is a parsed field ("which Act was
        it under" -> the legal basis): answered as that field is."""
        if query.path is not None or query.residual or not candidates:
            return None
        best = candidates[0]
        intent = _FIELD_PATHS.get(str(best.chunk.metadata.get("field") or ""))
        letter = by_id.get(best.chunk.document_id)
        if intent is None or letter is None:
            return None
        if intent == COUNT_FINDINGS:
            return self.extractive.count_findings(best.chunk.section, letter)
        return self.extractive.metadata(replace(query, intent=intent), letter)

    def _llm_draft(self, plan: _Plan, draft: Draft, stream_text: bool, streamed: list[str]
                   ) -> Generator[StreamEvent, None, _LLMDraft]:
        """Ask the chat model with numbered passages, streaming its tokens as they come."""
        assert self.llm is not None
        passages = self._llm_passages(plan, draft)
        pieces: list[str] = []
        for token in self.llm.stream_answer(plan.query.text, passages):
            pieces.append(token)
            if stream_text:
                streamed.append(token)
                yield StreamEvent(type="token", text=token)
        return _LLMDraft(text="".join(pieces), passages=passages, fallback=draft)

    def _llm_passages(self, plan: _Plan, draft: Draft) -> list[Passage]:
        passages = list(draft.passages)
        seen = {(p.document_id, p.char_start) for p in passages}
        by_id = {x.document_id: x for x in plan.letters}
        if by_id:
            candidates = plan.candidates if plan.candidates is not None else \
                self.retriever.search(plan.query.topic or plan.query.read_text,
                                      document_ids=set(by_id), k=self.top_k)
            for cand in candidates:
                letter = by_id.get(cand.chunk.document_id)
                key = (cand.chunk.document_id, cand.chunk.char_start)
                if letter is None or key in seen or len(cand.chunk.text.split()) < _MIN_WORDS:
                    continue  # headings and one-word lines only use up the model's context
                seen.add(key)
                passages.append(Passage.of(letter, cand.chunk.section, cand.chunk.char_start,
                                           cand.chunk.char_end, score=cand.fused))
        return passages[: max(self.top_k, len(draft.passages))]

    # ---- abstention -------------------------------------------------------------------------
    def _coverage(self) -> str:
        letters = self.catalog.all()
        councils = sorted({x.authority for x in letters if x.authority})
        years = self.catalog.years()
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
        shown = join_names(councils[:8]) + (f" and {len(councils) - 8} more"
                                            if len(councils) > 8 else "")
        return (f"It holds {len(letters)} letter{'s' if len(letters) != 1 else ''} for "
                f"{len(councils)} council{'s' if len(councils) != 1 else ''}"
                f"{f' ({span})' if span else ''}: {shown}.")

    def _example_council(self) -> str:
        letters = self.catalog.all()
        return letters[-1].authority or "Portsmouth" if letters else "Portsmouth"

    def _not_found_message(self, plan: _Plan) -> str:
        where = (join_names([x.label() for x in plan.letters[:3]])
                 if 0 < len(plan.letters) <= 3 else f"the {len(plan.letters)} letters searched")
        return (f"The letters do not say: I found nothing in {where} that answers this question. "
                "Try naming the council, the year or the part of the letter (strengths, areas "
                "for development, priority action).")

    def _typed_abstention(self, plan: _Plan, draft: Draft | None, fallback: str,
                          timings: dict[str, float], t0: float, id: str | None) -> Answer:
        """An abstention that says what the letter does say, cited (a grade or figure the
        letters do not give)."""
        text, citations = verify(draft, self.catalog) if draft is not None else ("", [])
        if not citations:
            return self._abstention(plan, f"{fallback} {self._coverage()}", timings, t0, id)
        timings["total"] = _ms(time.perf_counter() - t0)
        return Answer(id=id, answer=text, abstained=True, citations=citations,
                      timings_ms=timings, kind="abstain", letters=_refs(plan.letters, citations),
                      resolved=plan.query.describe())

    def _abstention(self, plan: _Plan, message: str, timings: dict[str, float], t0: float,
                    id: str | None) -> Answer:
        timings["total"] = _ms(time.perf_counter() - t0)
        return Answer(id=id, answer=message, abstained=True, citations=[], timings_ms=timings,
                      kind="abstain", letters=_refs(plan.letters[:10], []),
                      resolved=plan.query.describe())


@dataclass
class _LLMDraft(Draft):
    fallback: Draft = field(default_factory=lambda: Draft(text="", passages=[]))


_LLM_SKIPS = {"list", "count", "compare", "timeline"}
# Field chunks (ingest.chunking.FIELD_NAMES) and the answer path each stands for.
_FIELD_PATHS = {"addressee": ADDRESSEE, "signatory": SIGNATORY,
                "inspection_dates": INSPECTION_DATES, "letter_date": LETTER_DATE,
                "copy_list": COPY_LIST, "inspection_type": INSPECTION_TYPE,
                "legal_basis": LEGAL_BASIS, "evidence_base": EVIDENCE_BASE,
                "no_priority_action": PRIORITY_EXISTS, "finding_count": COUNT_FINDINGS}
_ABOUT_INSPECTION = re.compile(r"\binspect\w*|\bvisit\w*", re.IGNORECASE)
_MIN_WORDS = 5
# "the letter to Oakham School", "Hartlepool hospital", "Devon and Cornwall Police": not a
# council. The institution's word ends the name (not "police notifications", "school nurses").
_INSTITUTIONS = (r"school|academy|academy trust|multi-academy trust|college|university|hospital|"
                 r"infirmary|nursery|children's home|"
                 r"police|police force|constabulary|nhs trust|nhs foundation trust|charity")
_NAME_ENDS = (r"(?=\s*$|\s*[?.,!;:)]|\s+(?:in|at|from|say|said|says|find|found|get|got|was|were|"
              r"is|dated|safeguarding|inspection|inspected|letter|report)\b)")
_INSTITUTION = re.compile(
    r"\b(?:letter|report|inspection)s?\s+(?:to|of|for|on|into|about)\s+(?:the\s+)?"
    rf"(?:[\w'’.-]+\s+){{1,3}}?({_INSTITUTIONS})\b{_NAME_ENDS}", re.IGNORECASE)
_AFTER_PLACE = re.compile(rf"\s+(?:[a-z'’]+\s+){{0,2}}?({_INSTITUTIONS})\b{_NAME_ENDS}",
                          re.IGNORECASE)


# A named school, hospital ... just before "in <council>": "St Mary's C of E primary school in
# Islington" (a name in capitals before it; not "the police in Hartlepool", a partner agency).
_BEFORE_PLACE = re.compile(
    r"\b[A-Z][\w'’.-]*\s+(?:[\w'’.-]+\s+){0,5}?(?i:school|academy|college|university|hospital|"
    r"infirmary|nursery|children's\s+home)\s+(?i:in|at|of)\s+$")


def _institution(query: Query) -> str | None:
    """The institution a question asks about when it is not a council ("a hospital")."""
    text = query.read_text
    if not query.known_places:
        hit = _INSTITUTION.search(text)
        return f"a {hit.group(1).lower()}" if hit else None
    lowered = text.lower()
    for council in query.councils:
        at = lowered.find(council.mention.lower())
        if at < 0:
            continue
        hit = _AFTER_PLACE.match(text, at + len(council.mention))
        if hit:
            return f"{text[at:hit.end(1)].strip()} (not a council)"
        before = _BEFORE_PLACE.search(text[:at])  # "St Mary's primary school in Islington"
        if before:
            return f"{before.group(0).strip()} {council.mention} (not a council)"
    return None
# Across letters, a ranking or average by a measure ("the most social workers", "highest % of
# late assessments", "average caseload"): the letters give no figures for it. Counting a
# letter's findings or letters ("the most areas for development", "most recent", "at least
# twice") is not that.
_RANKS_BY_MEASURE = re.compile(
    r"(?<!at )\b(?:most|highest|lowest|fewest|least|biggest|largest|smallest|worst|best|"
    r"poorest|strongest|weakest|average|mean|"
    r"rank|ranked|ranking)\b(?!\s+(?:recent|recently|areas?|strengths?|priorit\w*|findings?|letters?|"
    r"inspections?|visits?|times|often|number\s+of\s+(?:areas?|strengths?|priorit\w*|"
    r"findings?|letters?)))", re.IGNORECASE)
# Words that ask for a name rather than say whose it is (see _asked_roles).
_NAME_ASKING = frozenset("""name names named called call who whos person people send need want
exactly actual full their his her signed sign signs signing signature signatory wrote written
write addressed addressee sent copied copy recipient recipients receiver author writer sender
signer inspector hmi""".split())
# Words that name no subject of their own in a topic phrase (see Assistant._unmentioned).
_NOT_SUBJECTS = STOPWORDS | SECTION_WORDS | frozenset(
    "child children childrens young people person families family social care".split())


def _narrowing_topic(query: Query) -> bool:
    """True when the question asks about something within the section ("strengths on X")."""
    return bool(query.residual)


def _emit(answer: Answer, stream_text: bool, streamed: str = "") -> Iterator[StreamEvent]:
    """Stream the answer's text (unless already streamed as is), then citations and answer.

    When tokens already sent differ from the verified answer (a marker was removed, the model
    failed mid-stream and the extractive answer replaced it), a ``reset`` event tells clients to
    discard what they showed before the final text is streamed.
    """
    if streamed and streamed == answer.answer:
        stream_text = False
    elif streamed and stream_text:
        yield StreamEvent(type="reset")
    if stream_text:
        words = answer.answer.split(" ")
        for i, word in enumerate(words):
            yield StreamEvent(type="token", text=word if i == 0 else " " + word)
    yield StreamEvent(type="citations", citations=answer.citations)
    yield StreamEvent(type="answer", answer=answer)


def _refs(letters: list[CatalogLetter], citations: list[Any]) -> list[LetterRef]:
    cited = {c.document_id for c in citations}
    chosen = [x for x in letters if x.document_id in cited] or letters
    return [LetterRef(document_id=x.document_id, source=x.source, authority=x.authority,
                      letter_date=x.parsed.metadata.letter_date,
                      inspection_date=x.parsed.metadata.inspection_start) for x in chosen]


def _as_input(value: Any) -> AskInput:
    if isinstance(value, AskInput):
        return value
    if isinstance(value, str):
        return AskInput(question=value)
    return AskInput.model_validate(value)


def _display(mention: str) -> str:
    return " ".join(w if w.isupper() else w.capitalize() for w in mention.split())


def _embedding_function(embedder: Embedder) -> Any:
    """Texts -> vectors: one question through ``embed_query``, many through the batch path."""
    def embed(texts: list[str]) -> list[list[float]]:
        if len(texts) == 1:
            return [embedder.embed_query(texts[0])]
        return embedder.embed_documents(texts)
    return embed


def _asks_beyond_council(query: Query) -> bool:
    """Whether the question says more than a council and a year ("Portsmouth 2009?", "tell me
    about Leeds" do not; "when was Portsmouth's service inspected" does)."""
    words = [w for w in content_words(without_councils(query.read_text, query.councils))
             if not w.isdigit()]
    return any(w not in _ONLY_COUNCIL_WORDS for w in words)


_ONLY_COUNCIL_WORDS = frozenset("""about what know anything everything overview summary
summarise summarize findings brief quick""".split())


def _typed_check(extractive: ExtractiveAnswerer, plan: _Plan, draft: Draft | None, kind: str
                 ) -> tuple[str | None, Draft | None]:
    """Whether the drafted field or passage holds the type of answer the question asks for (a
    figure, a name, a phone number ...): ``(None, None)`` when it does or nothing particular is
    asked; ``(None, draft)`` with a line of the letter that holds it (a phone number in the
    letterhead); ``(what is missing, None)`` when the letter does not give it."""
    if draft is None or kind not in ("metadata", "fact"):
        return None, None
    asked = asked_type(plan.query.read_text)
    if asked is None or asked.name in ("figure", "duration", "exact_duration") and \
            plan.query.intent in (INSPECTION_DATES, LETTER_DATE):
        return None, None  # "how many days did it last": the dates say
    people = {name.lower() for x in plan.letters for name in x.people()}
    # a clear reading of the signatory, addressee or copy list already says whose name it is
    sure_field = plan.query.intent in (SIGNATORY, ADDRESSEE, COPY_LIST) \
        and plan.query.confidence >= SURE
    roles = _asked_roles(plan.query) if asked.name == "name" and not sure_field else set()
    for passage in draft.passages:
        if roles and not roles & {stem(w) for w in words_of(passage.text)}:
            continue  # a name, but not the LADO's or the team manager's that was asked for
        if asked.evidence.search(passage.text):
            return None, None
        if asked.name == "name" and any(p in passage.text.lower() for p in people):
            return None, None
    if asked.anywhere:
        line = _letter_line(extractive, plan)
        if line is not None:
            return None, line
    return asked.says, None


def _asked_roles(query: Query) -> set[str]:
    """The stems of the words naming whose name is asked for ("the Initial Response Team
    manager", "the LADO"), without the asking ("name of", "who is")."""
    words = subject_words(query.topic, _NOT_SUBJECTS | _NAME_ASKING)
    return {stem(w) for w in words}


def _beyond_the_list(plan: _Plan) -> str | None:
    """For "the third strength" of a letter that lists two: the lead of an abstention saying
    how many there are (the list follows), else None."""
    asked = _ORDINAL.search(plan.query.read_text)
    section = plan.query.section
    if asked is None or section is None or len(plan.letters) != 1:
        return None
    found = next((s for s in plan.letters[0].parsed.sections if s.name == section), None)
    n = len(found.findings) if found is not None else 0
    wanted = _ORDINALS[asked.group(1).lower()]
    if wanted <= n:
        return None
    listed = f"{n} {_section_words(section, n != 1)}" if n else f"no {_section_words(section)}"
    return f"The letter lists {listed}, so it gives no {asked.group(1).lower()} one; it says:"


_WANTS_INVENTION = re.compile(
    r"\b(?:make\s+up|invent|write\s+me\s+a\s+quote|guess|estimate|in\s+your\s+(?:view|opinion)|"
    r"your\s+opinion|what\s+do\s+you\s+think|next\s+time|rank|league\s+table|best\b)",
    re.IGNORECASE)
# A question about what came after the visit: "since?", "after the inspection", "once the
# letter came out", "did they ever manage to".
_LATER = re.compile(
    r"\bsince\s*(?:[?.!]|$|then\b|the\s+(?:inspection|letter|visit)\b)|\bafterwards?\b|"
    r"\bafter\s+(?:the\s+(?:inspection|letter|visit)|this|that|it|receiving|getting)\b|"
    r"\bonce\s+the\s+letter\b|\bever\s+(?:manage|managed|fix|fixed|sort|sorted|fill|filled)\b|"
    r"\bfollow[\s-]?up\s+visit\b|\bwent\s+on\s+to\b", re.IGNORECASE)
_MAX_THEMED = 4  # findings quoted for a topic read as a theme
_CLOSE_EVIDENCE = 0.75  # a finding this close to the question answers it in its own words
# What a letter says of work under way when the inspectors came: the answer to "are they
# doing anything about it", when there is one.
_UNDER_WAY = re.compile(
    r"\bplans?\s+(?:are\s+)?in\s+place\b|\baction\s+(?:has|had)\s+been\s+taken\b|"
    r"\btoo\s+early\s+to\s+(?:judge|assess|tell|see|evaluate)\b|\bhas\s+been\s+recognised\b|"
    r"\bnot\s+yet\s+been\s+(?:resolved|addressed|implemented)\b|\baware\s+of\s+this\b|"
    r"\b(?:since|at)\s+the\s+(?:last|previous)\s+inspection\b|\brecently\s+been\s+\w+|"
    r"\b(?:is|are|was|were)\s+being\s+(?:addressed|tackled|reviewed|implemented|developed|"
    r"recruited)\b|\bhas\s+(?:improved|been\s+(?:addressed|resolved|restructured|introduced))\b",
    re.IGNORECASE)
_ORDINALS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
             "5th": 5, "sixth": 6, "6th": 6}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b", re.IGNORECASE)


def _letter_line(extractive: ExtractiveAnswerer, plan: _Plan) -> Draft | None:
    """For a question asking for something any line of the letter may give (a phone number, an
    address) that no passage answered: the first line of the letter that gives it."""
    asked = asked_type(plan.query.read_text)
    if asked is None or not asked.anywhere or not 0 < len(plan.letters) <= MAX_LETTERS_LISTED:
        return None
    # The letterhead and address block give Ofsted's and the addressee's details: the answer to
    # "Ofsted's phone number on the letter", not to "the duty team's phone number".
    letterhead = bool(_ABOUT_LETTERHEAD.search(plan.query.read_text))
    # "the director's e-mail address", "Harrow's postcode": the council's, from the address
    # block, unless Ofsted is named
    not_ofsted = (asked.name in _COUNCIL_DETAILS or bool(_ABOUT_PERSON.search(
        plan.query.read_text))) and not OFSTED.search(plan.query.read_text)
    # "Ofsted's direct line": the letterhead's "Direct T" line, not its switchboard
    direct = bool(re.search(r"\bdirect\b", plan.query.read_text, re.IGNORECASE))
    for letter in plan.letters:
        line = None
        if direct:
            line = extractive.typed_line(letter, asked.evidence, letterhead=letterhead,
                                         not_ofsted=not_ofsted, label=_DIRECT)
        line = line or extractive.typed_line(letter, asked.evidence, letterhead=letterhead,
                                             not_ofsted=not_ofsted)
        if line is not None:
            return line
    return None


# A question about one council that spans its visits: "still", "second time round", "which
# visit", "better or worse", "between its inspections".
_ACROSS_VISITS = re.compile(
    r"\bstill\b|\bsecond\s+(?:time|visit|inspection|letter)\b|\bwhich\s+(?:\S+\s+){0,2}(?:visit|inspection|"
    r"letter|year|time)\b|\bbetter\s+or\s+worse\b|\bbetween\s+(?:the|its|their)\s+(?:two\s+)?"
    r"(?:visits|inspections|letters)\b|\b(?:improv\w*|got\s+(?:better|worse)|changed?|"
    r"deteriorat\w*|slipped)\s+(?:since|between|from)\b|\bboth\s+(?:visits|inspections|letters)\b|"
    r"\beach\s+(?:visit|inspection|time)\b|\bover\s+time\b|\bfirst\s+(?:time|visit)\b",
    re.IGNORECASE)
_ABOUT_LETTERHEAD = re.compile(r"\bofsted\b|\bletter(?:head)?\b|\bdirector\b|\baddressee\b|"
                               r"\bwritten\s+to\b", re.IGNORECASE)
_COUNCIL_DETAILS = frozenset({"place", "address"})  # answer types the address block gives
_DIRECT = re.compile(r"\bDirect\b")
_ABOUT_PERSON = re.compile(r"\b(?:director|dcs|addressee|chief\s+exec\w*|chair|manager|head\s+of|"
                           r"councillor|cllr)\b", re.IGNORECASE)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
