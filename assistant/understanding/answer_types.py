"""What type of answer a question asks for (a figure, a percentage, a grade, a name, a postcode),
read from ``assistant/data/answer_types.yaml``, and whether a passage holds one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.understanding.intents import DATA_DIR, IntentBankError

ANSWER_TYPES_FILE = DATA_DIR / "answer_types.yaml"


@dataclass(frozen=True)
class AnswerType:
    """One answer type: the cue words that ask for it and the pattern evidence must match."""

    name: str
    says: str
    asks: tuple[re.Pattern[str], ...]
    evidence: re.Pattern[str]
    anywhere: bool = False  # the answer may be any line of the letter (letterhead, address)
    cue_words: frozenset[str] = frozenset()  # the words of its cues ("postcode", "phone")

    def asked_by(self, question: str) -> bool:
        return any(rx.search(question) for rx in self.asks)


@lru_cache(maxsize=4)
def load_answer_types(path: Path = ANSWER_TYPES_FILE) -> tuple[AnswerType, ...]:
    """Read and validate the answer types (cached per file)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IntentBankError(f"{path}: cannot be read as YAML ({exc}); fix the file") from exc
    types = data.get("types") if isinstance(data, dict) else None
    if not isinstance(types, dict):
        raise IntentBankError(f"{path}: needs a mapping 'types: {{name: {{asks, evidence}}}}'")
    out = []
    for name, entry in types.items():
        try:
            flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
            evidence = re.compile(str(entry["evidence"]), flags)
            asks = tuple(re.compile(r"(?<![a-z])" + _phrase(str(cue)) + r"(?![a-z])",
                                    re.IGNORECASE) for cue in entry["asks"])
        except (KeyError, TypeError, AttributeError, re.error) as exc:
            raise IntentBankError(f"{path}: answer type {name!r} is malformed ({exc}); it needs "
                                  "'asks' (a list) and 'evidence' (a regular expression)") from exc
        where = str(entry.get("where") or "passage")
        if where not in ("passage", "letter"):
            raise IntentBankError(f"{path}: answer type {name!r}: 'where' must be 'passage' or "
                                  f"'letter', not {where!r}")
        words = frozenset(w for cue in entry["asks"] for w in re.findall(r"[a-z]+",
                                                                       str(cue).lower()))
        out.append(AnswerType(name=str(name), says=str(entry.get("says") or name), asks=asks,
                              evidence=evidence, anywhere=where == "letter", cue_words=words))
    return tuple(out)


def _phrase(cue: str) -> str:
    return r"\s+".join(re.escape(word) for word in cue.lower().split())


def asked_type(question: str) -> AnswerType | None:
    """The first answer type the question asks for, if any."""
    return next((t for t in load_answer_types() if t.asked_by(question)), None)
