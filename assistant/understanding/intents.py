"""Which answer path a question asks for, read by meaning.

Every answer path (each metadata field, each section, counts, summary, lists / counts / compare /
timeline across letters, outside the letters, greeting) has a bank of example phrasings in
``assistant/data/intents.yaml``. The question, with its council, year and person spans masked the
same way as the exemplars' placeholders, is embedded with the same MiniLM model as the letters and
classified by a logistic regression trained on the exemplar vectors; cue words of the bank (after
spelling correction) add evidence. The exemplar vectors are computed once and cached on disk by
the hash of the bank and the model.

Low confidence is not an answer: the caller then falls through to retrieval.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.errors import AssistantError
from vectorstore.vector_cache import cache_dir as vector_cache_dir
from vectorstore.vector_cache import cached_vectors

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
INTENTS_FILE = DATA_DIR / "intents.yaml"

# What the placeholders of the bank, and the masked spans of a question, are replaced with before
# embedding: neutral words of the same kind, so that "{council}" reads as a place.
MASKS = {"council": "Barsetshire", "council2": "Wessex", "year": "2010", "year2": "2011",
         "person": "Jane Smith"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# How much a cue word adds to the classifier's probability of its intent (calibrated on dev).
CUE_WEIGHT = 0.25
MIN_EXEMPLARS = 40


class IntentBankError(AssistantError):
    """The exemplar bank is malformed (the message names the file and the entry)."""


@dataclass
class Intent:
    """One answer path of the bank."""

    name: str
    description: str
    cues: list[str]
    exemplars: list[str]
    cue_patterns: list[re.Pattern[str]] = field(default_factory=list)
    # phrases that settle the path on their own ("fostering inspection": not these letters)
    decisive: list[re.Pattern[str]] = field(default_factory=list)


@dataclass
class IntentBank:
    """The exemplar bank: every answer path with its cues and phrasings."""

    intents: dict[str, Intent]
    digest: str

    @property
    def names(self) -> list[str]:
        return list(self.intents)

    def words(self) -> Counter[str]:
        """Every word of the exemplars and cues with its count (the vocabulary of questions)."""
        words: Counter[str] = Counter()
        for intent in self.intents.values():
            for text in (*intent.exemplars, *intent.cues):
                words.update(w.lower() for w in re.findall(r"[A-Za-z]+", _PLACEHOLDER.sub(" ",
                                                                                          text)))
        return words


def load_bank(path: Path = INTENTS_FILE, min_exemplars: int = MIN_EXEMPLARS) -> IntentBank:
    """Read and validate the bank (once per file content and process).

    Raises:
        IntentBankError: naming the file and the entry that is wrong, and what to do.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IntentBankError(f"{path}: cannot be read ({exc.strerror}); restore the file") from exc
    return _parse_bank(str(path), raw, min_exemplars)


@lru_cache(maxsize=8)
def _parse_bank(path: str, raw: bytes, min_exemplars: int) -> IntentBank:
    try:
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise IntentBankError(f"{path}: not valid YAML ({exc}); fix the file") from exc
    entries = data.get("intents") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise IntentBankError(f"{path}: needs a mapping 'intents: {{name: {{exemplars: [...]}}}}'")
    intents: dict[str, Intent] = {}
    seen: dict[str, str] = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise IntentBankError(f"{path}: intent {name!r} must be a mapping with 'exemplars'")
        exemplars = [str(x).strip() for x in entry.get("exemplars") or [] if str(x).strip()]
        if len(exemplars) < min_exemplars:
            raise IntentBankError(f"{path}: intent {name!r} has {len(exemplars)} exemplars; "
                                  f"give it at least {min_exemplars}")
        for text in exemplars:
            for placeholder in _PLACEHOLDER.findall(text):
                if placeholder not in MASKS:
                    raise IntentBankError(
                        f"{path}: intent {name!r}, exemplar {text!r}: unknown placeholder "
                        f"{{{placeholder}}}; use one of {', '.join(sorted(MASKS))}")
            key = _normal(text)
            if key in seen and seen[key] != name:
                raise IntentBankError(f"{path}: exemplar {text!r} is under both {seen[key]!r} "
                                      f"and {name!r}; keep it under one")
            seen[key] = str(name)
        cues = [str(c).strip().lower() for c in entry.get("cues") or [] if str(c).strip()]
        decisive = [str(c).strip().lower() for c in entry.get("decisive") or []
                    if str(c).strip()]
        intents[str(name)] = Intent(
            name=str(name), description=str(entry.get("description", "")), cues=cues,
            exemplars=exemplars, cue_patterns=[_cue_pattern(c) for c in cues],
            decisive=[_cue_pattern(c) for c in decisive])
    return IntentBank(intents=intents, digest=hashlib.sha256(raw).hexdigest()[:16])


def _cue_pattern(cue: str) -> re.Pattern[str]:
    """A cue phrase in any case and spacing, its last word also in the plural ("priority
    actions" holds the cue "priority action")."""
    plural = r"(?:s|es)?" if cue[-1:].isalpha() else ""
    return re.compile(r"(?<![a-z])" + r"\s+".join(map(re.escape, cue.split())) + plural +
                      r"(?![a-z])", re.IGNORECASE)


def render(text: str) -> str:
    """An exemplar with its placeholders replaced by the masks."""
    return _PLACEHOLDER.sub(lambda m: MASKS.get(m.group(1), m.group(0)), text)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9{}]+", text.lower()))


@dataclass
class IntentScores:
    """The classifier's reading of one question."""

    probabilities: dict[str, float]
    cues: dict[str, int]
    decisive: str | None = None  # a path one of whose decisive phrases the question holds

    def best(self, among: Sequence[str] | None = None) -> tuple[str, float]:
        names = list(among) if among is not None else list(self.probabilities)
        name = max(names, key=lambda n: self.probabilities.get(n, 0.0))
        return name, self.probabilities.get(name, 0.0)

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.probabilities.items(), key=lambda kv: kv[1], reverse=True)


_TRAINED: dict[tuple[str, str], tuple[Any, list[str]]] = {}
_TRAINED_LOCK = threading.Lock()


class IntentClassifier:
    """Logistic regression over exemplar embeddings, plus cue words.

    Args:
        bank: the exemplar bank.
        embed: embeds a list of texts into normalised vectors (the letters' model).
        model_name: identifies the embedding model in the cache key.
        cache_dir: where exemplar vectors are cached (default ``$REPORTQA_CACHE_DIR`` or the
            system temporary folder).
    """

    def __init__(self, bank: IntentBank, embed: Callable[[list[str]], list[list[float]]],
                 model_name: str = "model", cache_dir: Path | None = None) -> None:
        self.bank = bank
        self.embed = embed
        self.model_name = model_name
        self.cache_dir = vector_cache_dir(cache_dir)
        self._model: Any = None
        self._labels: list[str] = []
        self._lock = threading.Lock()
        self.cue_only = False  # classify by cue words alone, embedding nothing

    def _vectors(self, texts: list[str]) -> np.ndarray:
        return cached_vectors(texts, self.embed, self.model_name, "exemplars", self.cache_dir)

    def fit(self) -> None:
        """Embed the exemplars (once, cached) and train the classifier (once per process for
        the same bank and model)."""
        with self._lock:
            if self._model is not None:
                return
            key = (self.bank.digest, self.model_name)
            with _TRAINED_LOCK:
                trained = _TRAINED.get(key)
            if trained is not None:
                self._model, self._labels = trained
                return
            from sklearn.linear_model import LogisticRegression

            texts: list[str] = []
            labels: list[str] = []
            for intent in self.bank.intents.values():
                for exemplar in intent.exemplars:
                    texts.append(render(exemplar))
                    labels.append(intent.name)
            vectors = self._vectors(texts)
            model = LogisticRegression(C=8.0, max_iter=2000)
            model.fit(vectors, labels)
            self._labels = [str(x) for x in model.classes_]
            self._model = model
            with _TRAINED_LOCK:
                _TRAINED[key] = (model, self._labels)
            logger.info("intent classifier trained intents=%d exemplars=%d",
                        len(self._labels), len(texts))

    def scores(self, masked_text: str, corrected_text: str | None = None,
               vector: Sequence[float] | None = None,
               whole_text: str | None = None) -> IntentScores:
        """Probabilities of every intent for the masked question, with cue evidence added.

        ``corrected_text`` (default: the masked text) is searched for the bank's cue words;
        ``whole_text`` (default: the same), the whole question when only its asking sentence
        was classified, for the decisive phrases ("did the council write back to Ofsted about
        it? what did they say?" is settled by its first sentence).
        """
        if self.cue_only:
            probabilities = dict.fromkeys(self.bank.intents, 0.0)
        else:
            self.fit()
            vec = np.asarray(vector if vector is not None else self.embed([masked_text])[0],
                             dtype=np.float32)
            probs = self._model.predict_proba(vec.reshape(1, -1))[0]
            probabilities = {label: float(p) for label, p in zip(self._labels, probs,
                                                                strict=True)}
        haystack = corrected_text if corrected_text is not None else masked_text
        cues: dict[str, int] = {}
        decisive = None
        for intent in self.bank.intents.values():
            if decisive is None and any(rx.search(whole_text or haystack)
                                        for rx in intent.decisive):
                decisive = intent.name
            hits = sum(1 for rx in intent.cue_patterns if rx.search(haystack))
            if hits:
                cues[intent.name] = hits
                probabilities[intent.name] = probabilities.get(intent.name, 0.0) + CUE_WEIGHT
        total = sum(probabilities.values()) or 1.0
        return IntentScores({k: v / total for k, v in probabilities.items()}, cues, decisive)
