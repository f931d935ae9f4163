"""The genre's short forms, one table for every reader (``assistant/data/short_forms.yaml``).

Three jobs read it: the question reader spells short forms out before it reads a topic
(:func:`spell_out`), the spelling corrector leaves them alone (:func:`is_short_form`), and the
claim check counts a short form as found when a cited passage holds its long form
(:func:`short_forms_evidenced`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

SHORT_FORMS_PATH = Path(__file__).with_name("data") / "short_forms.yaml"
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ShortForm:
    short: str
    long: str
    read: bool  # spelt out when a question's topic is read
    case_sensitive: bool
    evidence: tuple[str, ...]  # folded phrases of a passage that stand for it


def _fold(text: str) -> str:
    """Lower-case words joined by single spaces: hyphens and punctuation are spaces."""
    return " ".join(_WORDS.findall(text.lower()))


@cache
def short_forms(path: Path = SHORT_FORMS_PATH) -> tuple[ShortForm, ...]:
    """The table (default: the shipped one), read once per process; a malformed entry is a
    ValueError naming the file and the entry."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of entries like {{short: mgr, long: manager}}")
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("short") or not entry.get("long"):
            raise ValueError(f"{path}: entry {n} needs 'short' and 'long' "
                             f"(e.g. {{short: mgr, long: manager}}), got {entry!r}")
        evidence = entry.get("evidence") or [entry["long"]]
        out.append(ShortForm(short=str(entry["short"]), long=str(entry["long"]),
                             read=bool(entry.get("read", False)),
                             case_sensitive=bool(entry.get("case_sensitive", False)),
                             evidence=tuple(_fold(e) for e in evidence)))
    return tuple(out)


@cache
def _spelling_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    # Not inside a longer word or a longer short form: "w/" is not the start of "w/o".
    return tuple((re.compile(rf"(?<![\w/]){re.escape(f.short)}(?![\w/])",
                             0 if f.case_sensitive else re.IGNORECASE), f.long)
                 for f in short_forms() if f.read)


def spell_out(text: str) -> str:
    """``text`` with the short forms marked ``read`` spelt out ("mgr sign off" → "manager sign
    off"; "IA" only in capitals)."""
    for pattern, long in _spelling_patterns():
        text = pattern.sub(long, text)
    return text


@cache
def _by_short() -> dict[str, ShortForm]:
    """The table by short form in lower case (the first entry of a short form wins)."""
    out: dict[str, ShortForm] = {}
    for form in short_forms():
        out.setdefault(form.short.lower(), form)
    return out


def is_short_form(word: str) -> bool:
    """Whether ``word`` (any case) is a short form of the table: a word, not a slip."""
    return word.lower() in _by_short()


def long_form(word: str) -> str | None:
    """What the short form ``word`` stands for ("DV" → "domestic violence"), or None."""
    form = _by_short().get(word.lower())
    return form.long if form else None


def short_forms_evidenced(text: str) -> set[str]:
    """The short forms (lower case) whose long form ``text`` holds: "edt" for "the emergency
    duty team", "s47" for "section 47 enquiries"."""
    folded = f" {_fold(text)} "
    return {f.short.lower() for f in short_forms()
            if any(f" {e}" in folded for e in f.evidence)}
