"""What each finding is about: the theme taxonomy and the tagger.

The taxonomy (``ingest/data/themes.yaml``) lists the themes these inspections examine, each with
a definition, the words staff use for it and example findings written in the genre. A domain
expert extends it without touching code.

Findings are tagged by meaning: a logistic regression trained on the MiniLM vectors of the
examples reads a finding's stored vector (the one its chunk was embedded with), beside which of
each theme's terms the finding's words hold (weighted down by ``TERM_WEIGHT``: MiniLM knows
"LADO" or "Frameworki" no better than any other word, the terms do), and gives every theme a
probability. A finding gets its best theme when that is clear enough, and any other theme whose
probability is high too (a finding may be about vacancies *and* caseloads). Contrast pairs
(children seen / seen alone, initial / core assessments) are told apart by the examples, which
are written to differ on exactly that point. The training examples are the taxonomy's own, the
hand-labelled findings of the small suite's letters and findings written in the genre by two
people who had not read the code (``ingest/data/labelled_findings.jsonl``). The settings were
chosen by training on all but one writer's findings and tagging that writer's (precision and
recall of the set left out); they are measured on another suite's letters
(``python -m evals.tagging``).

Tagging needs only vectors and words, so a changed taxonomy re-tags stored findings without
re-embedding anything: the tags carry the taxonomy's digest, and a reader whose digest differs
tags again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ingest.errors import IngestError
from vectorstore.vector_cache import cached_vectors

logger = logging.getLogger(__name__)

THEMES_FILE = Path(__file__).resolve().parent / "data" / "themes.yaml"
# Findings of real-genre letters labelled by hand with their themes: further training examples
# beside the taxonomy's own (one line each: {"text", "themes", "section", "source"}).
LABELLED_FILE = Path(__file__).resolve().parent / "data" / "labelled_findings.jsonl"
# Chosen by leaving one writer's findings out (see the module docstring): a theme is given when
# it is the finding's best and has at least BEST_FLOOR, or when its own probability reaches ALSO.
BEST_FLOOR = 0.2
ALSO = 0.3
REGULARISATION = 30.0
TERM_WEIGHT = 0.3  # the term features beside the 384 vector dimensions
STORED_PROBABILITY = 0.02
MIN_EXAMPLES = 8
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(IngestError):
    """The theme taxonomy is malformed (the message names the file and the theme)."""


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy."""

    id: str
    name: str
    definition: str
    terms: tuple[str, ...]
    examples: tuple[str, ...]
    contrast: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()  # staff's words for it that a finding would not use

    @property
    def question_terms(self) -> tuple[str, ...]:
        """What a question may call the theme: its terms and the words only staff use."""
        return self.terms + self.asked

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "definition": self.definition,
                "terms": list(self.terms), "asked": list(self.asked),
                "contrast": list(self.contrast)}


@dataclass(frozen=True)
class Taxonomy:
    """Every theme, in the file's order, and the digest of the file's content."""

    themes: tuple[Theme, ...]
    digest: str
    labelled: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (finding, theme ids) for training
    by_id: dict[str, Theme] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        self.by_id.update({t.id: t for t in self.themes})

    def name_of(self, theme_id: str) -> str:
        theme = self.by_id.get(theme_id)
        return theme.name if theme else theme_id


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = THEMES_FILE, labelled: Path | None = LABELLED_FILE) -> Taxonomy:
    """Read and validate the taxonomy and its labelled findings (cached per file)."""
    try:
        raw = path.read_bytes()
        extra = labelled.read_bytes() if labelled is not None and labelled.is_file() else b""
        data = yaml.safe_load(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"{path}: cannot be read as YAML ({exc}); fix the file") from exc
    entries = data.get("themes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{path}: needs 'themes:', a list of themes with id, name, "
                            "definition, terms and examples")
    themes: list[Theme] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{path}: theme {n} is not a mapping")
        theme_id = str(entry.get("id") or "")
        where = f"{path}: theme {theme_id or n}"
        if not _ID.match(theme_id):
            raise TaxonomyError(f"{where}: 'id' must be lower_snake_case")
        if theme_id in seen:
            raise TaxonomyError(f"{where}: the id is used twice; ids must be unique")
        seen.add(theme_id)
        examples = [str(e).strip() for e in entry.get("examples") or [] if str(e).strip()]
        if len(examples) < MIN_EXAMPLES:
            raise TaxonomyError(f"{where}: has {len(examples)} examples; give it at least "
                                f"{MIN_EXAMPLES} findings written in the genre")
        terms = [str(t).strip() for t in entry.get("terms") or [] if str(t).strip()]
        if not terms or not entry.get("name"):
            raise TaxonomyError(f"{where}: needs a 'name' and some 'terms'")
        themes.append(Theme(id=theme_id, name=str(entry["name"]),
                            definition=" ".join(str(entry.get("definition") or "").split()),
                            terms=tuple(terms), examples=tuple(examples),
                            contrast=tuple(str(c) for c in entry.get("contrast") or []),
                            asked=tuple(str(a).strip() for a in entry.get("asked") or []
                                        if str(a).strip())))
    for theme in themes:
        unknown = [c for c in theme.contrast if c not in seen]
        if unknown:
            raise TaxonomyError(f"{path}: theme {theme.id}: contrast names unknown theme(s) "
                                f"{', '.join(unknown)}")
    labelled_rows = _labelled_findings(labelled, extra, seen) if extra else ()
    return Taxonomy(themes=tuple(themes), digest=hashlib.sha256(raw + extra).hexdigest()[:12],
                    labelled=labelled_rows)


def _labelled_findings(path: Path | None, raw: bytes, ids: set[str]
                       ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            text, themes = str(entry["text"]), tuple(str(t) for t in entry["themes"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TaxonomyError(f"{path}: line {n} is not a JSON object with 'text' and "
                                f"'themes' ({exc}); fix the line") from exc
        unknown = [t for t in themes if t not in ids]
        if unknown:
            raise TaxonomyError(f"{path}: line {n} names unknown theme(s) {', '.join(unknown)}; "
                                "use ids of the taxonomy")
        out.append((text, themes))
    return tuple(out)


_TRAINED: dict[tuple[str, str], Any] = {}
_TRAINED_LOCK = threading.Lock()


class ThemeTagger:
    """Tags finding vectors with themes.

    Args:
        taxonomy: the themes.
        embed: embeds a list of texts into normalised vectors (the letters' model).
        model_name: identifies the model in the cache key of the example vectors.
        cache_dir: where example vectors are cached (see :mod:`vectorstore.vector_cache`).
    """

    def __init__(self, taxonomy: Taxonomy, embed: Callable[[list[str]], list[list[float]]],
                 model_name: str = "model", cache_dir: Path | None = None) -> None:
        self.taxonomy = taxonomy
        self.embed = embed
        self.model_name = model_name
        self.cache_dir = cache_dir
        self.ids = [t.id for t in taxonomy.themes]
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """What tags depend on: the taxonomy and the model (stored beside the tags)."""
        return f"{self.taxonomy.digest}-{self.model_name}"

    def fit(self) -> None:
        """Embed the examples (once, cached) and train (once per process per taxonomy)."""
        with self._lock:
            if self._model is not None:
                return
            key = (self.taxonomy.digest, self.model_name)
            with _TRAINED_LOCK:
                model = _TRAINED.get(key)
            if model is None:
                from sklearn.linear_model import LogisticRegression

                texts = [e for t in self.taxonomy.themes for e in t.examples]
                labels = [i for i, t in enumerate(self.taxonomy.themes) for _ in t.examples]
                column = {t.id: i for i, t in enumerate(self.taxonomy.themes)}
                for text, ids in self.taxonomy.labelled:  # one sample per label
                    texts.extend([text] * len(ids))
                    labels.extend(column[t] for t in ids)
                unique = list(dict.fromkeys(texts))  # a text with two labels is embedded once
                at = {text: i for i, text in enumerate(unique)}
                vectors = cached_vectors(unique, self.embed, self.model_name, "themes",
                                         self.cache_dir)[[at[t] for t in texts]]
                model = LogisticRegression(C=REGULARISATION, max_iter=3000)
                model.fit(self._features(vectors, texts), np.asarray(labels))
                with _TRAINED_LOCK:
                    _TRAINED[key] = model
                logger.info("theme tagger trained themes=%d examples=%d", len(self.ids),
                            len(texts))
            self._model = model

    @cached_property
    def _term_patterns(self) -> list[re.Pattern[str]]:
        """One pattern per theme that finds any of its terms."""
        return [re.compile("|".join(
            f"(?i:{p.pattern})" if p.flags & re.IGNORECASE else f"(?:{p.pattern})"
            for p in (term_pattern(t) for t in theme.terms))) for theme in self.taxonomy.themes]

    def _features(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """Each vector beside the themes whose terms its text holds."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors but {len(texts)} texts: give each "
                             "finding's vector with its text")
        hits = np.zeros((len(texts), len(self.ids)), dtype=np.float32)
        for i, text in enumerate(texts):
            for j, pattern in enumerate(self._term_patterns):
                if pattern.search(text):
                    hits[i, j] = TERM_WEIGHT
        return np.hstack([np.asarray(vectors, dtype=np.float32), hits])

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """One row per vector (and the text it embeds): the probability of each theme (in
        taxonomy order)."""
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or not len(matrix):
            return np.zeros((0, len(self.ids)), dtype=np.float32)
        self.fit()
        out = np.zeros((len(matrix), len(self.ids)), dtype=np.float32)
        out[:, self._model.classes_] = self._model.predict_proba(self._features(matrix, texts))
        return out

    def mask(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """One boolean row per vector: which themes it is tagged with."""
        return mask_of(self.probabilities(vectors, texts))

    def tag(self, vectors: np.ndarray, texts: Sequence[str]) -> list[list[str]]:
        """The theme ids of each vector, likeliest first."""
        return self.tags_of(self.probabilities(vectors, texts))

    def tags_of(self, probs: np.ndarray) -> list[list[str]]:
        """The theme ids of each row of probabilities, likeliest first."""
        out: list[list[str]] = []
        for row, keep in zip(probs, mask_of(probs), strict=True):
            order = np.argsort(-row)
            out.append([self.ids[j] for j in order if keep[j]])
        return out

    def encode(self, probs: np.ndarray) -> str:
        """One row of probabilities as compact JSON metadata (themes at 2% or more)."""
        return json.dumps({self.ids[j]: round(float(p), 3) for j, p in enumerate(probs)
                           if p >= STORED_PROBABILITY}, separators=(",", ":"))

    def decode(self, value: object) -> np.ndarray | None:
        """A row of probabilities from :meth:`encode`'s metadata (None when unreadable)."""
        try:
            data = json.loads(str(value))
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        row = np.zeros(len(self.ids), dtype=np.float32)
        column = {t: i for i, t in enumerate(self.ids)}
        for key, p in data.items():
            if key in column and isinstance(p, (int, float)):
                row[column[key]] = float(p)
        return row


def mask_of(probs: np.ndarray) -> np.ndarray:
    """Which themes each row of probabilities is tagged with (see the module docstring)."""
    if not len(probs):
        return np.zeros(probs.shape, dtype=bool)
    best = probs.max(axis=1, keepdims=True)
    return ((probs >= ALSO) | (probs == best)) & (best >= BEST_FLOOR)


_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
_OPTIONAL = frozenset({"their", "his", "her", "its"})


def term_pattern(term: str) -> re.Pattern[str]:
    """How a term of the taxonomy is found in a text: its last word in any inflection
    ("referrals" finds "referral", "vacancies" "vacancy"), a possessive optional ("seen on
    their own" finds "seen on own"), and short forms in capitals ("EDT", "IT") only in capitals,
    so "it" is never the IT system."""
    words = term.split()
    if term.isupper() or (len(term) <= 4 and any(c.isupper() for c in term)):
        body = r"[\s-]+".join(re.escape(w) for w in words)
        return re.compile(rf"(?<![A-Za-z]){body}s?(?![A-Za-z])")  # "EDT", "IAs": capitals only
    # the last word in any form: "screening" also finds "screened", "referrals" "referral"
    last = words[-1]
    if last.lower().endswith("ies") and len(last) >= 6:  # "vacancies" also finds "vacancy"
        tail = rf"{re.escape(last[:-3])}(?:y|ies)"
    else:
        stem = _SUFFIX.sub("", last.lower()) if len(last) >= 5 else ""
        tail = rf"{re.escape(stem)}[a-z]*" if len(stem) >= 4 else rf"{re.escape(last)}(?:s|es)?"
    # a possessive of the term may be left out: "seen on their own" finds "seen on own"
    body = "".join(rf"(?:{re.escape(w)}[\s-]+)?" if w.lower() in _OPTIONAL else
                   rf"{re.escape(w)}[\s-]+" for w in words[:-1]) + tail
    return re.compile(rf"(?<![a-z]){body}(?![a-z])", re.IGNORECASE)


def themes_field(ids: Sequence[str]) -> str:
    """Theme ids as one metadata string (Chroma metadata holds no lists): ``|a|b|``."""
    return "|" + "|".join(ids) + "|" if ids else ""


def parse_themes_field(value: object) -> list[str]:
    """The theme ids of a ``themes`` metadata string."""
    return [x for x in str(value or "").split("|") if x]
