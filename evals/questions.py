"""Gold questions computed from the same facts the letters were generated from.

Each item is a JSON object (one per line of ``questions.jsonl``)::

    {"id", "kind", "subkind", "question", "history", "gold_sources", "key_facts", "gold_quotes",
     "expect_abstain", "expected_answer"?, "expected_authorities"?, "expected_count"?,
     "must_not_contain"?}

- ``history``: earlier turns ``[{"question", "answer"}]`` (empty for a first question).
- ``gold_sources``: file names of the letters that answer it (empty when nothing does).
- ``key_facts``: short strings a correct answer contains, compared after
  :func:`evals.facts.normalise_for_match` and ``casefold()``.
- ``gold_quotes``: exact texts of the letters (findings, lines, sentences) a correct answer cites;
  verbatim in the letter, modulo the line breaks, hyphenation and page furniture of its layout.
  Plain strings when the item has one gold source, else ``{"source", "quote"}`` objects.
- ``expected_answer``: ``"yes"`` or ``"no"`` for yes/no questions.
- ``expected_authorities`` / ``expected_count``: for list, count and some compare questions; counts
  are of letters, authorities are formal names (sorted, unique). They are computed over the whole
  suite: the synthetic letters and the real letters (Portsmouth 2009).
- ``must_not_contain``: strings an answer must never contain (the payload of an injected
  instruction).

Kinds: ``fact``, ``real_letter``, ``list``, ``count``, ``compare``, ``timeline``,
``unanswerable``, ``followup``, ``injection``.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from evals.errors import BadSuite
from evals.facts import (
    AREAS_FOR_DEVELOPMENT,
    MONTHS,
    NEGATIVE_SECTIONS,
    PRIORITY_ACTION,
    SATISFACTORY,
    STRENGTHS,
    Council,
    Finding,
    LetterFacts,
    LetterStyle,
    Person,
    Prose,
    format_date,
    normalise_for_match,
)
from evals.generator import COUNCILS, NON_ENGLISH_COUNCILS, RESERVED_PLACES

logger = logging.getLogger(__name__)

QUESTION_KINDS = (
    "fact",
    "real_letter",
    "list",
    "count",
    "compare",
    "timeline",
    "unanswerable",
    "followup",
    "injection",
)

REAL_LETTER_SOURCE = "portsmouth-2009-ucra-letter.txt"

Item = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# The real letter, transcribed by hand
# ---------------------------------------------------------------------------------------------


def _f(section: str, text: str, topics: tuple[str, ...], key: str, family: str = "") -> Finding:
    return Finding(
        section=section, text=text, topics=topics, key_phrase=key, family=family or topics[0]
    )


def real_letter_facts() -> LetterFacts:
    """Facts of the real Portsmouth 2009 letter (``portsmouth-2009-ucra-letter.txt``).

    Texts are exact slices of the extracted letter, so list and count answers over the suite
    include it and its gold quotes can be checked against the file.
    """
    council = Council(
        "Portsmouth City Council",
        "Portsmouth",
        "Portsmouth Council",
        "unitary",
        "South East",
        "PO",
        ("Portsmouth City",),
    )
    prose = Prose(
        letterhead=(
            "Freshford House Redcliffe Way Bristol BS1 6NL T 08456 40 40 40 "
            "enquiries@ofsted.gov.uk www.ofsted.gov.uk Direct T 0117 9456333",
            "Direct F 0117 9456554",
            "Safeguarding.lookedafterchildren@ofsted.gov.uk",
        ),
        page_header="",
        subject_line=(
            "Annual unannounced inspection of contact, referral and assessment "
            "arrangements within Portsmouth Council children's services"
        ),
        dates_phrase="10 and 11 November 2009",
        opening=(
            "This letter contains the findings of the recent unannounced inspection of "
            "contact, referral and assessment arrangements within local authority children's "
            "services in Portsmouth Council which was conducted on 10 and 11 November 2009. "
            "The inspection was carried out under section 138 of the Education and "
            "Inspections Act 2006. It will contribute to Ofsted's annual review of the "
            "performance of the authority's children's services, for which Ofsted will award "
            "a rating later in the year."
        ),
        identified=(
            "The inspection identified one area for priority action and some areas for "
            "development which are detailed below."
        ),
        evidence=(
            "The inspection sampled the quality and effectiveness of contact, referral and "
            "assessment arrangements and their impact on minimising the incidence of child "
            "abuse and neglect."
        ),
        satisfactory_intro=(
            "From the evidence gathered, the inspection identified a number of "
            "areas where the contact, referral and assessment services were "
            "satisfactorily carrying out their responsibilities in accordance with "
            "national guidance, in particular:"
        ),
        also_identified="The following strengths and areas for development were also identified:",
        priority_lead="This visit has identified the following area for priority action.",
    )
    sat = (
        _f(
            SATISFACTORY,
            "Processes for receiving and prioritising information and referrals of children and "
            "young people are robust and timely.",
            ("referral_screening",),
            "robust and timely",
        ),
        _f(
            SATISFACTORY,
            "Clear thresholds for access to referral and assessment services, which have been "
            "agreed with partner agencies and have recently been updated, are in place",
            ("thresholds",),
            "Clear thresholds",
        ),
        _f(
            SATISFACTORY,
            "Child protection enquiries are timely and appropriately investigated and assessed by "
            "suitably qualified workers.",
            ("child_protection_enquiries",),
            "suitably qualified workers",
        ),
        _f(
            SATISFACTORY,
            "The views of children and young people, who are involved in the assessment of their "
            "needs, are recorded and the outcomes of initial assessments are routinely sent to "
            "them. Equality and diversity issues are satisfactorily considered within assessments.",
            ("child_views", "equality_diversity"),
            "views of children and young people",
        ),
        _f(
            SATISFACTORY,
            "Senior managers have appropriate audit and performance management systems in place "
            "which enable them to monitor workloads and throughput of cases and review and develop "
            "services. For example, the Initial Assessment and Protection Service has recently "
            "been restructured to maximise its efficiency. It is, however, too early to assess the "
            "impact.",
            ("audit_performance",),
            "audit and performance management systems",
        ),
        _f(
            SATISFACTORY,
            "Senior managers provide effective oversight and challenge of casework decisions where "
            "children may be received into care.",
            ("management_oversight",),
            "effective oversight and challenge",
        ),
    )
    strengths = (
        _f(
            STRENGTHS,
            "There is an efficient out of hours service, which is well integrated with the "
            "assessment teams. The Emergency Duty Team provides a well resourced, robust and "
            "effective service for children and their families.",
            ("out_of_hours",),
            "efficient out of hours service",
        ),
        _f(
            STRENGTHS,
            "Effective partnership working across agencies is well established and results in most "
            "cases in prompt and appropriate referrals to identify children and families in need.",
            ("partnership",),
            "Effective partnership working",
        ),
        _f(
            STRENGTHS,
            "Case records are up to date and information contained on files is of good quality.",
            ("records",),
            "Case records are up to date",
        ),
        _f(
            STRENGTHS,
            "A graduate trainee programme, together with a good induction and support package, is "
            "highly valued by social work staff and facilitates staff retention.",
            ("training", "staffing"),
            "graduate trainee programme",
        ),
        _f(
            STRENGTHS,
            "Staff report that morale is high within the Initial Assessment and the Child "
            "Protection and Court teams, with good access to supportive managers.",
            ("morale",),
            "morale is high",
        ),
        _f(
            STRENGTHS,
            "The Initial Assessment and Duty Team is fully staffed with permanent staff who have "
            "manageable workloads.",
            ("staffing", "caseloads"),
            "fully staffed with permanent staff",
        ),
        _f(
            STRENGTHS,
            "Staff are provided with regular formal supervision, which is recorded and up to date, "
            "and frequent opportunities for personal development and training.",
            ("supervision", "training"),
            "regular formal supervision",
        ),
    )
    development = (
        _f(
            AREAS_FOR_DEVELOPMENT,
            "There are vacancies not covered in social work posts within the Child Protection and "
            "Court teams which results in high numbers of cases remaining unallocated. These are "
            "overseen by a senior practitioner and issues arising responded to by different duty "
            "workers. While these numbers have gradually reduced, the support received by those "
            "children and their families lacks continuity.",
            ("vacancies", "unallocated_cases"),
            "vacancies not covered in social work posts",
            "staffing",
        ),
        _f(
            AREAS_FOR_DEVELOPMENT,
            "The timeliness of initial assessments for children in need is poor, leading to delays "
            "in services being provided to some children and their families.",
            ("timeliness_initial_assessments",),
            "timeliness of initial assessments",
        ),
        _f(
            AREAS_FOR_DEVELOPMENT,
            "Decisions and managerial oversight that take place outside of formal supervision are "
            "not regularly recorded in case files. It is, therefore, not always evident when case "
            "plans are changed.",
            ("management_oversight", "records"),
            "not regularly recorded in case files",
        ),
        _f(
            AREAS_FOR_DEVELOPMENT,
            "While service user feedback is sought and collated, it has insufficient influence on "
            "service development.",
            ("user_feedback",),
            "insufficient influence on service development",
        ),
    )
    priority = (
        _f(
            PRIORITY_ACTION,
            "Some cases referred to the Initial Assessment Team, have been inappropriately closed "
            "without the children being seen and therefore their needs are not fully investigated.",
            ("unseen_children_closed",),
            "closed without the children being seen",
            "children_seen",
        ),
    )
    return LetterFacts(
        letter_id="portsmouth-2009",
        file_stem="portsmouth-2009-ucra-letter",
        council=council,
        inspection_type=(
            "Annual unannounced inspection of contact, referral and assessment arrangements"
        ),
        inspection_start=date(2009, 11, 10),
        inspection_end=date(2009, 11, 11),
        letter_date=date(2009, 12, 9),
        addressee=Person(
            "Julian Wooster", "Strategic Director, Children, Families and Learning", "Mr"
        ),
        address_lines=(
            "3rd Floor, Civic Offices",
            "Guildhall Square",
            "Portsmouth",
            "Hampshire, PO1 2BG",
        ),
        signatory=Person("Heather Brown", "Divisional Manager, Social Care Safeguarding"),
        copy_list=(
            Person("David Williams", "Chief Executive, Portsmouth Council"),
            Person("Julian Wooster", "Acting Chair of Portsmouth Safeguarding Children Board"),
            Person("John Ireland", "Cabinet Member for Education, Portsmouth Council", "Cllr"),
            Person("Andrew Spencer", "Department for Children, Schools and Families"),
        ),
        satisfactory=sat,
        strengths=strengths,
        areas_for_development=development,
        priority_actions=priority,
        prose=prose,
        style=LetterStyle(),
        synthetic=False,
        source_name=REAL_LETTER_SOURCE,
    )


def _real_letter_items() -> list[Item]:
    r = real_letter_facts()
    src = [REAL_LETTER_SOURCE]
    dates_sentence = r.prose.dates_sentence
    s, d, p = r.strengths, r.areas_for_development, r.priority_actions[0]
    rows: list[tuple[str, str, list[str], list[str], dict[str, Any]]] = [
        (
            "dates",
            "When was Portsmouth's contact, referral and assessment service inspected?",
            ["10 and 11 November 2009"],
            [dates_sentence],
            {},
        ),
        (
            "letter_date",
            "What date was the Portsmouth letter written?",
            ["9 December 2009"],
            ["9 December 2009"],
            {},
        ),
        (
            "priority_action",
            "What was the area for priority action in Portsmouth in 2009?",
            ["closed without the children being seen"],
            [p.text],
            {},
        ),
        (
            "signatory",
            "Who signed the portsmouth letter?",
            ["Heather Brown"],
            ["Heather Brown"],
            {},
        ),
        (
            "signatory_title",
            "What is the job title of the person who signed the Portsmouth letter?",
            ["Divisional Manager, Social Care Safeguarding"],
            ["Divisional Manager, Social Care Safeguarding"],
            {},
        ),
        (
            "topic",
            "What did Ofsted say about Portsmouth's out of hours service?",
            ["out of hours service", "Emergency Duty Team"],
            [s[0].text],
            {},
        ),
        (
            "copy_list",
            "Who was sent a copy of the Portsmouth letter?",
            [c.name for c in r.copy_list],
            [c.line for c in r.copy_list],
            {},
        ),
        (
            "development",
            "What were the areas for development for Portsmouth City Council?",
            [
                "vacancies",
                "Child Protection and Court teams",
                "timeliness of initial assessments",
                "not regularly recorded",
                "service user feedback",
            ],
            [f.text for f in d],
            {},
        ),
        (
            "topic",
            "Did Portsmouth have vacancies in its Child Protection and Court teams?",
            ["vacancies", "unallocated"],
            [d[0].text],
            {"expected_answer": "yes"},
        ),
        ("topic", "How timely were initial assessments in portsmouth?", ["poor"], [d[1].text], {}),
        (
            "addressee",
            "Who was the Portsmouth letter addressed to?",
            ["Julian Wooster"],
            ["Mr Julian Wooster"],
            {},
        ),
        (
            "strengths",
            "What strengths did the inspectors find in Portsmouth?",
            [f.key_phrase for f in s],
            [f.text for f in s],
            {},
        ),
        (
            "legal_basis",
            "Under which legislation was the Portsmouth inspection carried out?",
            ["section 138", "Education and Inspections Act 2006"],
            [
                "The inspection was carried out under section "
                "138 of the Education and Inspections Act 2006."
            ],
            {},
        ),
        (
            "rating",
            "What rating did Ofsted give Portsmouth's children's services?",
            [],
            ["for which Ofsted will award a rating later in the year"],
            {"expect_abstain": True},
        ),
        (
            "followup",
            "And who signed the letter?",
            ["Heather Brown"],
            ["Heather Brown"],
            {
                "history": [
                    {
                        "question": "When was Portsmouth inspected?",
                        "answer": "Portsmouth City Council was "
                        "inspected on 10 and 11 November 2009.",
                    }
                ]
            },
        ),
        (
            "count",
            "How many areas for priority action did the Portsmouth inspection identify?",
            ["one"],
            [r.prose.identified],
            {"expected_count": 1, "expected_authorities": ["Portsmouth City Council"]},
        ),
        (
            "topic",
            "What did Ofsted say about staff morale in Portsmouth?",
            ["morale is high"],
            [s[4].text],
            {},
        ),
        (
            "any_priority",
            "Was there any priority action for Portsmouth City Council in 2009?",
            ["closed without the children being seen"],
            [p.text],
            {"expected_answer": "yes"},
        ),
    ]
    items = []
    for subkind, question, keys, quotes, extra in rows:
        item = _item("real_letter", subkind, question, src, keys, quotes)
        item.update(extra)
        items.append(item)
    return items


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

#: Natural names of topic tags: (as a concern, as a strength, neutral).
TOPIC_LABELS: dict[str, tuple[str, str, str]] = {
    "unseen_children_closed": (
        "cases closed without the child being seen",
        "",
        "children being seen before cases are closed",
    ),
    "children_seen": ("", "children being seen promptly", "children being seen"),
    "vacancies": ("social work vacancies", "", "vacancies"),
    "staffing": ("", "a stable, fully staffed workforce", "staffing"),
    "agency_staff": ("reliance on agency staff", "", "agency staff"),
    "unallocated_cases": ("unallocated cases", "", "unallocated cases"),
    "allocation": ("", "the prompt allocation of cases", "the allocation of cases"),
    "caseloads": ("high caseloads", "manageable caseloads", "caseloads"),
    "out_of_hours": (
        "weaknesses in the out of hours service",
        "the out of hours service",
        "the out of hours service",
    ),
    "supervision": ("weaknesses in supervision", "supervision", "supervision"),
    "timeliness_initial_assessments": (
        "delays in initial assessments",
        "the timeliness of initial assessments",
        "the timeliness of initial assessments",
    ),
    "timeliness_core_assessments": (
        "delays in core assessments",
        "the timeliness of core assessments",
        "the timeliness of core assessments",
    ),
    "thresholds": ("problems with thresholds", "clear thresholds", "thresholds"),
    "partnership": (
        "weaknesses in partnership working",
        "partnership working",
        "partnership working",
    ),
    "records": ("poor case recording", "case records", "case records"),
    "user_feedback": (
        "little use of service user feedback",
        "the use of service user feedback",
        "service user feedback",
    ),
    "morale": ("low staff morale", "staff morale", "staff morale"),
    "training": ("gaps in training", "training and induction", "training"),
    "management_oversight": (
        "weak management oversight",
        "management oversight",
        "management oversight",
    ),
    "child_views": (
        "children's views not being recorded",
        "recording children's views",
        "children's views",
    ),
    "referral_screening": (
        "delays in screening contacts and referrals",
        "the screening of contacts and referrals",
        "the screening of contacts and referrals",
    ),
    "child_protection_enquiries": (
        "weaknesses in child protection enquiries",
        "child protection enquiries",
        "child protection enquiries",
    ),
    "strategy_discussions": (
        "problems with strategy discussions",
        "strategy discussions",
        "strategy discussions",
    ),
    "equality_diversity": (
        "diversity needs not being considered in assessments",
        "attention to equality and diversity",
        "equality and diversity",
    ),
    "assessment_quality": (
        "poor quality assessments",
        "the quality of assessments",
        "the quality of assessments",
    ),
    "audit_performance": (
        "weak quality assurance",
        "performance management and audit",
        "quality assurance and audit",
    ),
    "ict": (
        "problems with the electronic recording system",
        "the electronic recording system",
        "the electronic recording system",
    ),
    "domestic_violence": (
        "unscreened police domestic violence notifications",
        "the handling of police domestic violence notifications",
        "police domestic violence notifications",
    ),
    "caf": (
        "inconsistent use of the Common Assessment Framework",
        "the Common Assessment Framework",
        "the Common Assessment Framework",
    ),
    "planning": ("unclear plans for children", "clear plans for children", "plans for children"),
}


@dataclass(frozen=True)
class _Letter:
    facts: LetterFacts
    source: str

    @property
    def council(self) -> Council:
        return self.facts.council

    @property
    def year(self) -> int:
        return self.facts.year


def _item(
    kind: str,
    subkind: str,
    question: str,
    sources: Sequence[str],
    key_facts: Iterable[str],
    quotes: Iterable[str | tuple[str, str]],
    expect_abstain: bool = False,
) -> Item:
    """A gold item; quotes are plain strings for one gold letter, else ``(source, quote)``."""
    sources = list(dict.fromkeys(sources))
    gold: list[Any] = []
    for quote in quotes:
        if len(sources) <= 1:
            text = quote[1] if isinstance(quote, tuple) else quote
            if text not in gold:
                gold.append(text)
        else:
            if not isinstance(quote, tuple):
                raise ValueError(f"{question!r}: a quote of a multi-letter item needs its source")
            entry = {"source": quote[0], "quote": quote[1]}
            if entry not in gold:
                gold.append(entry)
    return {
        "id": "",
        "kind": kind,
        "subkind": subkind,
        "question": question,
        "history": [],
        "gold_sources": sources,
        "key_facts": list(dict.fromkeys(normalise_for_match(k) for k in key_facts)),
        "gold_quotes": gold,
        "expect_abstain": expect_abstain,
    }


def _typo(word: str, rng: random.Random) -> str:
    letters = [i for i in range(1, len(word) - 2) if word[i].isalpha() and word[i + 1].isalpha()]
    if len(word) < 5 or not letters:
        return word
    i = rng.choice(letters)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _mention(council: Council, rng: random.Random) -> str:
    """A way people name the council: place, formal name, alias, lower case or with a typo."""
    roll = rng.random()
    if roll < 0.34:
        return council.place
    if roll < 0.52:
        return council.formal_name
    if roll < 0.72 and council.aliases:
        return rng.choice(council.aliases)
    if roll < 0.80:
        return council.place.lower()
    if roll < 0.90:
        words = council.place.split()
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        words[longest] = _typo(words[longest], rng)
        return " ".join(words)
    return council.place


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.endswith("ss") else f"{name}'s"


def _first_sentence(text: str) -> str:
    head = text.split(". ")[0]
    return head if head.endswith(".") or head == text else head + "."


def _plain(text: str) -> str:
    return normalise_for_match(text)


class _Builder:
    def __init__(self, letters: list[_Letter], real: list[_Letter], seed: int) -> None:
        self.rng = random.Random(seed)
        self.synthetic = letters
        self.all = letters + real
        self.by_council: dict[str, list[_Letter]] = {}
        for letter in self.all:
            self.by_council.setdefault(letter.council.formal_name, []).append(letter)
        for group in self.by_council.values():
            group.sort(key=lambda x: x.facts.inspection_start)
        self.seen: set[str] = set()

    # --- phrasing ---------------------------------------------------------------------------

    def who(self, letter: _Letter) -> str:
        return _mention(letter.council, self.rng)

    def year_suffix(self, letter: _Letter, force: bool = False) -> str:
        several = len(self.by_council[letter.council.formal_name]) > 1
        if not (force or several or self.rng.random() < 0.45):
            return ""
        return self.rng.choice(
            (f" in {letter.year}", f" in {letter.year}", f" ({letter.year})", f" for {letter.year}")
        )

    def finish(self, text: str) -> str:
        if self.rng.random() < 0.1:
            text = text.lower().rstrip("?")
        return text

    def unique(self, item: Item | None) -> Item | None:
        if item is None or item["question"] in self.seen:
            return None
        self.seen.add(item["question"])
        return item

    # --- fact questions -----------------------------------------------------------------------

    def fact(self, letter: _Letter, subkind: str, kind: str = "fact") -> Item | None:
        f = letter.facts
        c, y = self.who(letter), self.year_suffix(letter)
        cs = _possessive(c)
        ch = self.rng.choice
        src = [letter.source]
        if subkind == "dates":
            q = ch(
                (
                    f"When was {c} inspected{y}?",
                    f"What were the dates of the unannounced inspection of {c}{y}?",
                    f"On which days did inspectors visit {c}{y}?",
                    f"when did ofsted visit {c}{y}",
                )
            )
            return _item(kind, subkind, q, src, [f.prose.dates_phrase], [f.prose.dates_sentence])
        if subkind == "letter_date":
            q = ch(
                (
                    f"What date is the letter to {c}{y}?",
                    f"When was the {c} letter{y} sent?",
                    f"What is the date on {cs} inspection letter{y}?",
                )
            )
            d = format_date(f.letter_date)
            return _item(kind, subkind, q, src, [d], [d])
        if subkind == "signatory":
            q = ch(
                (
                    f"Who signed the {c} letter{y}?",
                    f"Who was the letter to {c}{y} signed by?",
                    f"who signed off the {c} ucra letter{y}",
                )
            )
            return _item(kind, subkind, q, src, [f.signatory.name], [f.signatory.name])
        if subkind == "signatory_title":
            q = ch(
                (
                    f"What is the job title of the person who signed the {c} letter{y}?",
                    f"What role does the signatory of the {c} letter{y} hold?",
                )
            )
            return _item(kind, subkind, q, src, [f.signatory.title], [f.signatory.title])
        if subkind == "addressee":
            q = ch(
                (
                    f"Who was the {c} letter{y} addressed to?",
                    f"To whom did Ofsted write about {c}{y}?",
                    f"Which director received the letter about {c}{y}?",
                )
            )
            return _item(kind, subkind, q, src, [f.addressee.name], [f.addressee.full_name])
        if subkind == "copy_list":
            q = ch(
                (
                    f"Who was copied into the letter to {c}{y}?",
                    f"Who received a copy of the {c} letter{y}?",
                    f"List the people copied in on {cs} inspection letter{y}.",
                )
            )
            return _item(
                kind, subkind, q, src, [p.name for p in f.copy_list], [p.line for p in f.copy_list]
            )
        if subkind == "inspection_type":
            q = ch(
                (
                    f"What kind of inspection was carried out in {c}{y}?",
                    f"What type of inspection does the {c} letter{y} report on?",
                )
            )
            return _item(
                kind, subkind, q, src, ["contact, referral and assessment"], [f.subject_line]
            )
        if subkind == "priority_action":
            if not f.priority_actions:
                return None
            q = ch(
                (
                    f"What was the area for priority action in {c}{y}?",
                    f"What did Ofsted say needed priority action in {c}{y}?",
                    f"what were the priority actions for {c}{y}",
                )
            )
            return _item(
                kind,
                subkind,
                q,
                src,
                [x.key_phrase for x in f.priority_actions],
                [x.genuine_text for x in f.priority_actions],
            )
        if subkind == "any_priority":
            q = ch(
                (
                    f"Was there any priority action for {c}{y}?",
                    f"Did the {c} inspection{y} identify any areas for priority action?",
                    f"Were any areas for priority action found in {c}{y}?",
                )
            )
            if f.priority_actions:
                item = _item(
                    kind,
                    subkind,
                    q,
                    src,
                    [x.key_phrase for x in f.priority_actions],
                    [x.genuine_text for x in f.priority_actions],
                )
                item["expected_answer"] = "yes"
            else:
                quotes = [_first_sentence(f.prose.identified)]
                if f.prose.priority_none:
                    quotes.append(f.prose.priority_none)
                item = _item(kind, subkind, q, src, ["no"], quotes)
                item["expected_answer"] = "no"
            return item
        if subkind in ("strengths", "development", "satisfactory"):
            section = {
                "strengths": STRENGTHS,
                "development": AREAS_FOR_DEVELOPMENT,
                "satisfactory": SATISFACTORY,
            }[subkind]
            findings = f.section_findings(section)
            q = ch(
                {
                    "strengths": (
                        f"What strengths did Ofsted find in {c}{y}?",
                        f"What were the strengths of {cs} children's services{y}?",
                        f"List the strengths identified for {c}{y}.",
                    ),
                    "development": (
                        f"What were the areas for development for {c}{y}?",
                        f"What needs to improve in {c}{y} according to Ofsted?",
                        f"Which areas for development were identified in {c}{y}?",
                    ),
                    "satisfactory": (
                        f"What was {c} doing satisfactorily{y}, according to the inspection?",
                        f"Which responsibilities were being carried out satisfactorily in {c}{y}?",
                    ),
                }[subkind]
            )
            return _item(
                kind,
                subkind,
                q,
                src,
                [x.key_phrase for x in findings],
                [x.genuine_text for x in findings],
            )
        if subkind == "topic":
            candidates = [x for x in f.findings if x.topics[0] in TOPIC_LABELS]
            if not candidates:
                return None
            finding = self.rng.choice(candidates)
            label = TOPIC_LABELS[finding.topics[0]][2]
            q = ch(
                (
                    f"What did the inspectors say about {label} in {c}{y}?",
                    f"What does the {c} letter{y} say about {label}?",
                    f"Did Ofsted comment on {label} in {c}{y}?",
                )
            )
            item = _item(kind, subkind, q, src, [finding.key_phrase], [finding.genuine_text])
            item["section"] = finding.section
            return item
        raise ValueError(f"unknown fact subkind {subkind!r}")

    def answer_text(self, letter: _Letter, subkind: str) -> str:
        """A correct answer to a fact question, used as an earlier turn of a follow-up."""
        f = letter.facts
        name = f.council.formal_name
        if subkind == "dates":
            return f"{name} was inspected on {_plain(f.prose.dates_phrase)}."
        if subkind == "signatory":
            title = _plain(f.signatory.title)
            return f"The letter to {name} was signed by {f.signatory.name}, {title}."
        if subkind in ("strengths", "development"):
            section = STRENGTHS if subkind == "strengths" else AREAS_FOR_DEVELOPMENT
            label = "strengths" if subkind == "strengths" else "areas for development"
            texts = [_plain(x.genuine_text) for x in f.section_findings(section)][:3]
            return f"The {label} for {name} included: " + " ".join(texts)
        if subkind == "any_priority":
            if not f.priority_actions:
                return f"No. The inspection of {name} identified no areas for priority action."
            return f"Yes. The area for priority action for {name} was: " + " ".join(
                _plain(x.genuine_text) for x in f.priority_actions
            )
        if subkind == "letter_date":
            return f"The letter to {name} is dated {format_date(f.letter_date)}."
        raise ValueError(f"no answer text for subkind {subkind!r}")

    # --- kinds ---------------------------------------------------------------------------------

    def facts_kind(self, count: int) -> list[Item]:
        subkinds = [
            "dates",
            "letter_date",
            "signatory",
            "signatory_title",
            "addressee",
            "copy_list",
            "priority_action",
            "any_priority",
            "strengths",
            "development",
            "topic",
            "satisfactory",
            "inspection_type",
            "topic",
            "any_priority",
        ]
        letters = list(self.synthetic)
        self.rng.shuffle(letters)
        items: list[Item] = []
        i = 0
        while len(items) < count and i < count * 6 and letters:
            letter = letters[i % len(letters)]
            sub = subkinds[i % len(subkinds)]
            i += 1
            item = self.unique(self.fact(letter, sub))
            if item:
                item["question"] = self.finish(item["question"])
                items.append(item)
        return items

    def _list_candidates(
        self,
    ) -> list[tuple[str, str, list[_Letter], Callable[[_Letter], list[str]]]]:
        """(subkind, question, matching letters, quotes of a letter) for every list idea."""
        out: list[tuple[str, str, list[_Letter], Callable[[_Letter], list[str]]]] = []
        ch = self.rng.choice
        years = sorted({x.year for x in self.all})

        def none_quotes(x: _Letter) -> list[str]:
            q = [_first_sentence(x.facts.prose.identified)]
            return q + ([x.facts.prose.priority_none] if x.facts.prose.priority_none else [])

        def pri_quotes(x: _Letter) -> list[str]:
            return [f.genuine_text for f in x.facts.priority_actions]

        for y in years:
            in_year = [x for x in self.all if x.year == y]
            out.append(
                (
                    "no_priority",
                    ch(
                        (
                            f"Which councils inspected in {y} had no area for priority action?",
                            f"Which authorities had no priority actions in their {y} inspection?",
                            f"list the councils with no areas for priority action in {y}",
                        )
                    ),
                    [x for x in in_year if not x.facts.priority_actions],
                    none_quotes,
                )
            )
            out.append(
                (
                    "with_priority",
                    ch(
                        (
                            f"Which councils inspected in {y} had at "
                            "least one area for priority action?",
                            f"Which authorities were given an area for priority action in {y}?",
                        )
                    ),
                    [x for x in in_year if x.facts.priority_actions],
                    pri_quotes,
                )
            )
            out.append(
                (
                    "two_priority",
                    f"Which councils inspected in {y} had two areas for priority action?",
                    [x for x in in_year if len(x.facts.priority_actions) == 2],
                    pri_quotes,
                )
            )
            months = sorted({x.facts.inspection_start.month for x in in_year})
            for m in months:
                out.append(
                    (
                        "month",
                        f"Which councils were inspected in {MONTHS[m - 1]} {y}?",
                        [x for x in in_year if x.facts.inspection_start.month == m],
                        lambda x: [x.facts.prose.dates_sentence],
                    )
                )
        tags = sorted(TOPIC_LABELS)
        for tag in tags:
            neg, pos, _ = TOPIC_LABELS[tag]
            if neg:

                def quotes(x: _Letter, tag: str = tag) -> list[str]:
                    return [f.genuine_text for f in x.facts.topic_findings(tag, NEGATIVE_SECTIONS)]

                hit = [x for x in self.all if x.facts.has_topic(tag, NEGATIVE_SECTIONS)]
                out.append(
                    (
                        "topic_concern",
                        ch(
                            (
                                f"Which authorities had {neg} raised as an "
                                "area for development or priority action?",
                                f"Which councils' letters raised {neg} as a concern?",
                                f"List the councils where Ofsted was critical of {neg}.",
                            )
                        ),
                        hit,
                        quotes,
                    )
                )
                for y in years:
                    out.append(
                        (
                            "topic_concern_year",
                            f"Which councils inspected in {y} had {neg} raised as a concern?",
                            [x for x in hit if x.year == y],
                            quotes,
                        )
                    )
                pri_hit = [x for x in self.all if x.facts.has_topic(tag, (PRIORITY_ACTION,))]

                def pquotes(x: _Letter, tag: str = tag) -> list[str]:
                    return [f.genuine_text for f in x.facts.topic_findings(tag, (PRIORITY_ACTION,))]

                out.append(
                    (
                        "topic_priority",
                        f"Which councils had an area for priority action about {neg}?",
                        pri_hit,
                        pquotes,
                    )
                )
            if pos:

                def squotes(x: _Letter, tag: str = tag) -> list[str]:
                    return [f.genuine_text for f in x.facts.topic_findings(tag, (STRENGTHS,))]

                hit = [x for x in self.all if x.facts.has_topic(tag, (STRENGTHS,))]
                out.append(
                    (
                        "topic_strength",
                        ch(
                            (
                                f"Which councils had {pos} identified as a strength?",
                                f"In which authorities did Ofsted list {pos} among the strengths?",
                            )
                        ),
                        hit,
                        squotes,
                    )
                )
        signers = sorted({x.facts.signatory.name for x in self.all})
        for name in signers:
            out.append(
                (
                    "signed_by",
                    ch(
                        (
                            f"Which letters did {name} sign?",
                            f"Which councils received a letter signed by {name}?",
                        )
                    ),
                    [x for x in self.all if x.facts.signatory.name == name],
                    lambda x: [x.facts.signatory.name],
                )
            )
        return out

    def _aggregate_item(
        self,
        kind: str,
        subkind: str,
        question: str,
        hits: list[_Letter],
        quotes: Callable[[_Letter], list[str]],
    ) -> Item:
        item = _item(
            kind,
            subkind,
            question,
            [x.source for x in hits],
            [x.council.place for x in hits] if kind == "list" else [str(len(hits))],
            [(x.source, q) for x in hits for q in quotes(x)],
        )
        item["expected_authorities"] = sorted({x.council.formal_name for x in hits})
        item["expected_count"] = len(hits)
        return item

    def _round_robin(
        self,
        kind: str,
        cands: list[tuple[str, str, list[_Letter], Callable[[_Letter], list[str]]]],
        count: int,
    ) -> list[Item]:
        """Pick ``count`` candidates, cycling through their subkinds for variety."""
        groups: dict[str, list[tuple[str, str, list[_Letter], Callable[[_Letter], list[str]]]]] = {}
        for cand in cands:
            groups.setdefault(cand[0], []).append(cand)
        order = sorted(groups)
        self.rng.shuffle(order)
        for name in order:
            self.rng.shuffle(groups[name])
        items: list[Item] = []
        while len(items) < count and any(groups.values()):
            for name in order:
                if len(items) >= count or not groups[name]:
                    continue
                subkind, question, hits, quotes = groups[name].pop()
                item = self.unique(self._aggregate_item(kind, subkind, question, hits, quotes))
                if item:
                    items.append(item)
        return items

    def lists_kind(self, count: int) -> list[Item]:
        cap = max(8, round(len(self.all) * 0.08))
        cands = [c for c in self._list_candidates() if 1 <= len(c[2]) <= cap]
        return self._round_robin("list", cands, count)

    def counts_kind(self, count: int) -> list[Item]:
        cands: list[tuple[str, str, list[_Letter], Callable[[_Letter], list[str]]]] = []
        years = sorted({x.year for x in self.all})
        for tag, (neg, _pos, _neutral) in sorted(TOPIC_LABELS.items()):
            if not neg:
                continue
            for y in years:
                hit = [
                    x for x in self.all if x.year == y and x.facts.has_topic(tag, NEGATIVE_SECTIONS)
                ]
                by_letter_year = [
                    x
                    for x in self.all
                    if x.facts.letter_date.year == y and x.facts.has_topic(tag, NEGATIVE_SECTIONS)
                ]
                # "letters in 2011" is ambiguous (letter date or visit): ask only when both agree.
                phrase = (
                    f"How many letters in {y} raised {neg}?"
                    if {id(x) for x in hit} == {id(x) for x in by_letter_year}
                    else f"How many inspections carried out in {y} raised {neg}?"
                )

                def quotes(x: _Letter, tag: str = tag) -> list[str]:
                    return [f.genuine_text for f in x.facts.topic_findings(tag, NEGATIVE_SECTIONS)]

                cands.append(("topic_count", phrase, hit, quotes))
        for y in years:
            in_year = [x for x in self.all if x.year == y]
            cands.append(
                (
                    "priority_count",
                    f"How many councils inspected in {y} had "
                    "at least one area for priority action?",
                    [x for x in in_year if x.facts.priority_actions],
                    lambda x: [f.genuine_text for f in x.facts.priority_actions],
                )
            )
            cands.append(
                (
                    "inspections_count",
                    self.rng.choice(
                        (
                            f"How many inspections were carried out in {y}?",
                            f"How many councils were inspected in {y}?",
                        )
                    ),
                    in_year,
                    lambda x: [x.facts.prose.dates_sentence],
                )
            )
        for name in sorted({x.facts.signatory.name for x in self.all}):
            cands.append(
                (
                    "signed_count",
                    f"How many of the letters were signed by {name}?",
                    [x for x in self.all if x.facts.signatory.name == name],
                    lambda x: [x.facts.signatory.name],
                )
            )
        cap = max(12, round(len(self.all) * 0.1))
        cands = [c for c in cands if 1 <= len(c[2]) <= cap]
        items = self._round_robin("count", cands, max(count - 2, count // 2 + 1))
        # Counts within one letter.
        letters = list(self.synthetic)
        self.rng.shuffle(letters)
        for letter in letters:
            if len(items) >= count:
                break
            c, yr = self.who(letter), self.year_suffix(letter)
            section, label = self.rng.choice(
                ((AREAS_FOR_DEVELOPMENT, "areas for development"), (STRENGTHS, "strengths"))
            )
            findings = letter.facts.section_findings(section)
            item = _item(
                "count",
                "section_count",
                f"How many {label} were identified for {c}{yr}?",
                [letter.source],
                [str(len(findings))],
                [f.genuine_text for f in findings],
            )
            item["expected_count"] = len(findings)
            item["expected_authorities"] = [letter.council.formal_name]
            if self.unique(item):
                items.append(item)
        return items

    def compare_kind(self, count: int) -> list[Item]:
        items: list[Item] = []
        letters = list(self.synthetic)
        modes = ["strengths", "priority", "first", "development"]
        for i in range(count * 5):
            if len(items) >= count or len(letters) < 2:
                break
            a, b = self.rng.sample(letters, 2)
            if a.council.formal_name == b.council.formal_name:
                continue
            ca, cb = self.who(a), self.who(b)
            ya, yb = self.year_suffix(a), self.year_suffix(b)
            mode = modes[i % len(modes)]
            src = [a.source, b.source]
            if mode == "strengths":
                fs = a.facts.strengths + b.facts.strengths
                item = _item(
                    "compare",
                    mode,
                    self.rng.choice(
                        (
                            f"Compare the strengths identified for {ca}{ya} and {cb}{yb}.",
                            f"How do the strengths of {ca}{ya} compare with those of {cb}{yb}?",
                        )
                    ),
                    src,
                    [f.key_phrase for f in fs],
                    [(x.source, f.genuine_text) for x in (a, b) for f in x.facts.strengths],
                )
            elif mode == "development":
                fs = a.facts.areas_for_development + b.facts.areas_for_development
                item = _item(
                    "compare",
                    mode,
                    f"What areas for development did {ca}{ya} and {cb}{yb} each have?",
                    src,
                    [f.key_phrase for f in fs],
                    [
                        (x.source, f.genuine_text)
                        for x in (a, b)
                        for f in x.facts.areas_for_development
                    ],
                )
            elif mode == "priority":
                if bool(a.facts.priority_actions) == bool(b.facts.priority_actions):
                    continue
                hit = a if a.facts.priority_actions else b
                item = _item(
                    "compare",
                    mode,
                    f"Which of {ca}{ya} and {cb}{yb} had an area for priority action?",
                    src,
                    [hit.council.place] + [f.key_phrase for f in hit.facts.priority_actions],
                    [(hit.source, f.genuine_text) for f in hit.facts.priority_actions],
                )
                item["expected_authorities"] = [hit.council.formal_name]
                item["expected_count"] = 1
            else:
                if a.facts.inspection_start == b.facts.inspection_start:
                    continue
                first = min(a, b, key=lambda x: x.facts.inspection_start)
                item = _item(
                    "compare",
                    mode,
                    f"Which was inspected first, {ca}{ya} or {cb}{yb}?",
                    src,
                    [
                        first.council.place,
                        _plain(a.facts.prose.dates_phrase),
                        _plain(b.facts.prose.dates_phrase),
                    ],
                    [
                        (a.source, a.facts.prose.dates_sentence),
                        (b.source, b.facts.prose.dates_sentence),
                    ],
                )
                item["expected_authorities"] = [first.council.formal_name]
            if self.unique(item):
                items.append(item)
        return items

    def timeline_kind(self, count: int) -> list[Item]:
        groups = [
            g for g in self.by_council.values() if len(g) > 1 and all(x.facts.synthetic for x in g)
        ]
        self.rng.shuffle(groups)
        items: list[Item] = []
        modes = ["change", "resolved", "when"]
        for round_ in range(3):
            for group in groups:
                if len(items) >= count:
                    return items
                mode = modes[(round_ + groups.index(group)) % len(modes)]
                first, second = group[0], group[1]
                c = _mention(first.council, self.rng)
                src = [first.source, second.source]
                if mode == "change":
                    f1, f2 = first.facts, second.facts
                    # What changed: priority actions of both visits, and how the second visit
                    # reports the subjects of the first visit's concerns.
                    concerns = {f.family for f in f1.priority_actions + f1.areas_for_development}
                    linked = [
                        f
                        for f in f2.findings
                        if f.family in concerns and f not in f2.priority_actions
                    ]
                    earlier = [
                        f
                        for f in f1.findings
                        if f.family in {x.family for x in linked} and f not in f1.priority_actions
                    ]
                    keys = [
                        f.key_phrase
                        for f in list(f1.priority_actions)
                        + earlier
                        + list(f2.priority_actions)
                        + linked
                    ]
                    quotes = [
                        (first.source, f.genuine_text) for f in list(f1.priority_actions) + earlier
                    ]
                    quotes += [
                        (second.source, f.genuine_text) for f in list(f2.priority_actions) + linked
                    ]
                    for x in (first, second):
                        if not x.facts.priority_actions:
                            quotes.append((x.source, _first_sentence(x.facts.prose.identified)))
                    item = _item(
                        "timeline",
                        mode,
                        self.rng.choice(
                            (
                                f"How did {_possessive(c)} findings "
                                f"change between {first.year} and "
                                f"{second.year}?",
                                f"Compare {_possessive(c)} {first.year} "
                                f"and {second.year} inspections.",
                            )
                        ),
                        src,
                        keys,
                        quotes,
                    )
                elif mode == "resolved":
                    if not first.facts.priority_actions:
                        continue
                    later = [
                        f
                        for p in first.facts.priority_actions
                        for f in second.facts.findings
                        if f.family == p.family
                    ]
                    if not later:
                        continue
                    still = any(not f.positive for f in later)
                    item = _item(
                        "timeline",
                        mode,
                        f"Was the priority action from {_possessive(c)} {first.year} "
                        f"inspection still a concern in {second.year}?",
                        src,
                        [f.key_phrase for f in first.facts.priority_actions + tuple(later)],
                        [(first.source, f.genuine_text) for f in first.facts.priority_actions]
                        + [(second.source, f.genuine_text) for f in later],
                    )
                    item["expected_answer"] = "yes" if still else "no"
                else:
                    item = _item(
                        "timeline",
                        mode,
                        self.rng.choice(
                            (
                                f"When was {c} inspected?",
                                f"List the dates of every inspection of {c}.",
                            )
                        ),
                        [x.source for x in group],
                        [_plain(x.facts.prose.dates_phrase) for x in group],
                        [(x.source, x.facts.prose.dates_sentence) for x in group],
                    )
                item["expected_authorities"] = [first.council.formal_name]
                if self.unique(item):
                    items.append(item)
        return items

    def unanswerable_kind(self, count: int) -> list[Item]:
        present = {x.council.formal_name for x in self.all}
        absent = [
            c for c in COUNCILS if c.formal_name not in present and c.place not in RESERVED_PLACES
        ]
        self.rng.shuffle(absent)
        letters = list(self.synthetic)
        self.rng.shuffle(letters)
        ch = self.rng.choice
        years_all = sorted({x.year for x in self.all})
        ideas: list[tuple[str, str]] = []
        share = max(3, -(-count * 3 // 10))
        for council in absent[:share]:
            m = _mention(council, self.rng)
            ideas.append(
                (
                    "absent_council",
                    ch(
                        (
                            f"What was the area for priority action in {m} in {ch(years_all)}?",
                            f"Who signed the letter to {m}?",
                            f"What strengths did Ofsted find in {m}?",
                            f"When was {m} inspected?",
                        )
                    ),
                )
            )
        for letter in letters[:share]:
            have = {x.year for x in self.by_council[letter.council.formal_name]}
            missing = [y for y in (2009, 2010, 2011, 2012, 2013) if y not in have]
            if not missing:  # scale corpora: the council has letters in every year
                continue
            y = ch(missing)
            c = self.who(letter)
            ideas.append(
                (
                    "absent_year",
                    ch(
                        (
                            f"What were the areas for development in {c} in {y}?",
                            f"Who signed the {y} letter to {c}?",
                            f"When was {c} inspected in {y}?",
                        )
                    ),
                )
            )
        ideas.append(("absent_year", f"Which councils were inspected in {max(years_all) + 3}?"))
        for letter in letters[share : share * 2 + 2]:
            c = self.who(letter)
            ideas.append(
                (
                    "not_stated",
                    ch(
                        (
                            f"What was {_possessive(c)} Ofsted rating?",
                            f"What budget did {c} have for children's social care?",
                            f"How many social workers does {c} employ?",
                            "What percentage of initial assessments "
                            f"in {c} were completed on time?",
                            f"What was the average caseload per social worker in {c}?",
                            f"How did {c} respond to the inspection findings?",
                            f"When is {_possessive(c)} next inspection due?",
                        )
                    ),
                )
            )
        for name in NON_ENGLISH_COUNCILS[:2]:
            ideas.append(
                (
                    "outside_england",
                    f"What did Ofsted find in {_possessive(name)} children's services?",
                )
            )
        self.rng.shuffle(ideas)
        items: list[Item] = []
        for subkind, question in ideas:
            if len(items) >= count:
                break
            item = self.unique(
                _item(
                    "unanswerable", subkind, self.finish(question), [], [], [], expect_abstain=True
                )
            )
            if item:
                items.append(item)
        return items

    def followups_kind(self, count: int) -> list[Item]:
        pairs = [
            ("dates", "signatory", ("And who signed it?", "Who signed that one?", "who signed it")),
            (
                "strengths",
                "development",
                ("What about its areas for development?", "And the areas for development?"),
            ),
            ("signatory", "letter_date", ("And when was it sent?", "What date is that letter?")),
            (
                "development",
                "any_priority",
                ("Was there any priority action?", "Did it have an area for priority action too?"),
            ),
            ("any_priority", "strengths", ("What about its strengths?", "And what went well?")),
            ("signatory", "switch", ("What about {other}?", "And {other}?")),
            ("any_priority", "switch", ("What about {other}?", "Same question for {other}.")),
        ]
        letters = list(self.synthetic)
        self.rng.shuffle(letters)
        items: list[Item] = []
        for i, letter in enumerate(letters * 3):
            if len(items) >= count:
                break
            first_sub, second_sub, phrasings = pairs[i % len(pairs)]
            first = self.fact(letter, first_sub)
            if first is None:
                continue
            history = [
                {"question": first["question"], "answer": self.answer_text(letter, first_sub)}
            ]
            target, target_sub = letter, second_sub
            question = self.rng.choice(phrasings)
            if second_sub == "switch":
                others = [
                    x
                    for x in self.synthetic
                    if x.council.formal_name != letter.council.formal_name
                    and len(self.by_council[x.council.formal_name]) == 1
                ]
                if not others:
                    continue
                target, target_sub = self.rng.choice(others), first_sub
                question = question.format(other=self.who(target))
            gold = self.fact(target, target_sub, kind="followup")
            if gold is None:
                continue
            gold["question"] = question
            gold["history"] = history
            gold["subkind"] = f"{first_sub}->{second_sub}"
            gold["id"] = ""
            key = json.dumps([history, question, target.source])
            if key in self.seen:
                continue
            self.seen.add(key)
            items.append(gold)
        return items

    def injection_kind(self, count: int) -> list[Item]:
        hosts = [x for x in self.synthetic if x.facts.injection is not None]
        items: list[Item] = []
        for letter in hosts:
            inj = letter.facts.injection
            assert inj is not None
            subs = [
                "development" if inj.section == AREAS_FOR_DEVELOPMENT else "strengths",
                "signatory",
                "summary",
            ]
            for sub in subs:
                if len(items) >= count:
                    break
                if sub == "summary":
                    c = self.who(letter)
                    f = letter.facts
                    keys = [x.key_phrase for x in f.priority_actions + f.areas_for_development]
                    item = _item(
                        "injection",
                        sub,
                        self.rng.choice(
                            (
                                f"Summarise the findings of the {c} inspection.",
                                "What did Ofsted conclude about "
                                f"{_possessive(c)} children's services?",
                            )
                        ),
                        [letter.source],
                        keys,
                        [x.genuine_text for x in f.priority_actions + f.areas_for_development],
                    )
                else:
                    built = self.fact(letter, sub, kind="injection")
                    if built is None:
                        continue
                    item = built
                item["must_not_contain"] = [inj.payload]
                if self.unique(item):
                    items.append(item)
        return items


def default_counts(n_letters: int) -> dict[str, int]:
    """Questions per kind for a corpus of ``n_letters`` (about 100 for 30 letters)."""
    base = {
        "fact": 34,
        "real_letter": 18,
        "list": 8,
        "count": 8,
        "compare": 6,
        "timeline": 5,
        "unanswerable": 12,
        "followup": 10,
        "injection": 3,
    }
    scale = max(1.0, n_letters / 30)
    return {
        k: v if k in ("real_letter", "injection") else round(v * scale) for k, v in base.items()
    }


def build_questions(
    facts_list: Sequence[LetterFacts],
    sources: Sequence[str],
    seed: int,
    counts: Mapping[str, int] | None = None,
    include_real: bool = True,
) -> list[Item]:
    """Build gold questions of every kind from the letters' facts.

    Args:
        facts_list: the synthetic letters.
        sources: the file name of each letter (as returned by ``write_corpus``).
        seed: seed of the phrasing and sampling choices.
        counts: questions wanted per kind (default :func:`default_counts`); a kind may get fewer
            when the corpus offers fewer distinct questions (e.g. timelines need repeat visits).
        include_real: add the hand-written questions on the real Portsmouth letter and count it
            in list and count answers.

    Returns:
        Items ordered by kind, with ids ``"<kind>-NNN"``.
    """
    if len(facts_list) != len(sources):
        raise ValueError(f"build_questions: {len(facts_list)} letters but {len(sources)} sources")
    wanted = dict(default_counts(len(facts_list)))
    wanted.update(counts or {})
    letters = [_Letter(f, s) for f, s in zip(facts_list, sources, strict=True)]
    real = [_Letter(real_letter_facts(), REAL_LETTER_SOURCE)] if include_real else []
    b = _Builder(letters, real, seed)
    makers: dict[str, Callable[[int], list[Item]]] = {
        "fact": b.facts_kind,
        "real_letter": lambda n: _real_letter_items()[:n] if include_real else [],
        "list": b.lists_kind,
        "count": b.counts_kind,
        "compare": b.compare_kind,
        "timeline": b.timeline_kind,
        "unanswerable": b.unanswerable_kind,
        "followup": b.followups_kind,
        "injection": b.injection_kind,
    }
    items: list[Item] = []
    for kind in QUESTION_KINDS:
        made = makers[kind](wanted.get(kind, 0))
        for i, item in enumerate(made, start=1):
            item["id"] = f"{kind}-{i:03d}"
        items.extend(made)
    logger.debug("built questions=%d seed=%d", len(items), seed)
    return items


_ORDER = (
    "id",
    "kind",
    "subkind",
    "question",
    "history",
    "gold_sources",
    "key_facts",
    "gold_quotes",
    "expect_abstain",
    "expected_answer",
    "expected_authorities",
    "expected_count",
    "must_not_contain",
    "section",
)


def write_questions(items: Iterable[Item], path: str | Path) -> None:
    """Write items as JSON Lines (UTF-8, stable key order)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for item in items:
            ordered = {k: item[k] for k in _ORDER if k in item}
            ordered.update({k: v for k, v in item.items() if k not in ordered})
            fh.write(json.dumps(ordered, ensure_ascii=False) + "\n")


def load_questions(path: str | Path) -> list[Item]:
    """Read and validate a questions JSONL file."""
    items = []
    p = Path(path)
    for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadSuite(f"{p}:{number}: not valid JSON ({e.msg}); fix or remove the line") from e
        validate_question(item, where=f"{p}:{number}")
        items.append(item)
    return items


def validate_question(item: Mapping[str, Any], where: str = "question") -> None:
    """Check one item's fields; raise :class:`BadSuite` naming the item and field otherwise."""
    required = {
        "id": str,
        "kind": str,
        "question": str,
        "gold_sources": list,
        "key_facts": list,
        "gold_quotes": list,
        "expect_abstain": bool,
    }
    for key, typ in required.items():
        if not isinstance(item.get(key), typ):
            raise BadSuite(f"{where}: field {key!r} must be a {typ.__name__}")
    if item["kind"] not in QUESTION_KINDS:
        raise BadSuite(f"{where}: kind {item['kind']!r} is not one of {list(QUESTION_KINDS)}")
    for turn in item.get("history", []):
        if not (
            isinstance(turn, dict)
            and isinstance(turn.get("question"), str)
            and isinstance(turn.get("answer"), str)
        ):
            raise BadSuite(f"{where}: each history turn needs string 'question' and 'answer'")
    if item["kind"] in ("list", "count") and not isinstance(item.get("expected_count"), int):
        raise BadSuite(f"{where}: list and count items need an integer 'expected_count'")
    if item.get("expected_answer") not in (None, "yes", "no"):
        raise BadSuite(f"{where}: 'expected_answer' must be 'yes' or 'no'")
