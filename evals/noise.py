"""Deterministic keyboard slips for re-asking evaluation questions (the release gate's noise run).

:func:`with_typos` puts one or two realistic slips into a question -- a QWERTY-neighbour key, two
neighbouring letters swapped, a dropped letter or a doubled one -- each in a different word, each
one Damerau-Levenshtein edit from the word it changes. The same ``(text, seed)`` always gives the
same result (a private ``random.Random``, never the global generator). Only alphabetic words of
four or more letters are touched: digits and years, punctuation, ``{placeholders}``, URLs, e-mail
addresses and words in ALL CAPS ("LBTH", "CC") stay as they are, and a changed word keeps its case.

:func:`noisy_items` makes the noisy copy of a list of evaluation items: the question gets the
slips (seeded by the item id), the id gets the suffix ``~noisy`` and ``"noisy": True`` is set;
history turns and every other field are copied unchanged.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable

NOISY_SUFFIX = "~noisy"
MIN_LETTERS = 4

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# Row offsets of a standard staggered QWERTY keyboard, in key widths.
_OFFSETS = (0.0, 0.25, 0.75)


def _neighbours() -> dict[str, str]:
    """Letter -> the letters on the keys touching it (same row either side, rows above/below)."""
    position = {ch: (r, c + _OFFSETS[r]) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    out: dict[str, str] = {}
    for ch, (r, x) in position.items():
        near = [other for other, (r2, x2) in position.items() if other != ch and (
            (r2 == r and abs(x2 - x) == 1) or (abs(r2 - r) == 1 and abs(x2 - x) <= 0.75))]
        out[ch] = "".join(sorted(near))
    return out


QWERTY_NEIGHBOURS = _neighbours()

# A candidate word: letters only, not part of a longer run of letters, digits or underscores.
_WORD = re.compile(r"(?<!\w)[A-Za-z]+(?!\w)")
# Spans never touched: {placeholders}, URLs, e-mail addresses.
_PROTECTED = re.compile(r"\{[^{}]*\}|\b(?:https?://|ftp://|www\.)\S+|\S+@\S+\.\S+")


def _candidates(text: str) -> list[tuple[int, int]]:
    """Spans of the words that may be changed."""
    protected = [m.span() for m in _PROTECTED.finditer(text)]
    out: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if len(word) < MIN_LETTERS or word.isupper():
            continue
        if any(start < m.end() and m.start() < end for start, end in protected):
            continue
        out.append(m.span())
    return out


def _substitute(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(len(word))
    return word[:i] + rng.choice(QWERTY_NEIGHBOURS[word[i]]) + word[i + 1:]


def _transpose(word: str, rng: random.Random) -> str | None:
    positions = [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
    if not positions:
        return None
    i = rng.choice(positions)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def _drop(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(len(word))
    return word[:i] + word[i + 1:]


def _double(word: str, rng: random.Random) -> str | None:
    i = rng.randrange(len(word))
    return word[:i + 1] + word[i] + word[i + 1:]


SLIPS: dict[str, Callable[[str, random.Random], str | None]] = {
    "substitute": _substitute, "transpose": _transpose, "drop": _drop, "double": _double}


def _recase(original: str, changed: str) -> str:
    """``changed`` (lower case) in the case of ``original``: lower, Title or per letter."""
    if original.islower():
        return changed
    if original[0].isupper() and original[1:].islower():
        return changed.capitalize()
    # Mixed case ("McDonald"): each letter takes the case of the letter at its position.
    mask = [ch.isupper() for ch in original]
    mask += [mask[-1]] * (len(changed) - len(mask))
    return "".join(ch.upper() if up else ch for ch, up in zip(changed, mask, strict=False))


def _slip(word: str, rng: random.Random) -> str:
    """One slip in ``word``, keeping its case."""
    lower = word.lower()
    kinds = list(SLIPS)
    rng.shuffle(kinds)
    for kind in kinds:
        changed = SLIPS[kind](lower, rng)
        if changed is not None and changed != lower:
            return _recase(word, changed)
    return word  # unreachable for words of MIN_LETTERS or more: a dropped letter always changes


def with_typos(text: str, seed: str | int, n: int | None = None) -> str:
    """The text with n (default: 1 or 2, chosen by the seed) realistic keyboard slips.

    Each slip goes in a different qualifying word (alphabetic, at least four letters, not ALL
    CAPS, not inside a URL or ``{placeholder}``); with fewer such words, fewer slips. The text is
    returned unchanged when no word qualifies or ``n`` is 0.
    """
    rng = random.Random(f"{seed}")
    count = rng.choice((1, 2)) if n is None else n
    if count < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    spans = _candidates(text)
    if not spans or count == 0:
        return text
    chosen = sorted(rng.sample(spans, min(count, len(spans))))
    out: list[str] = []
    last = 0
    for start, end in chosen:
        out.append(text[last:start])
        out.append(_slip(text[start:end], rng))
        last = end
    out.append(text[last:])
    return "".join(out)


def noisy_items(items: list[dict], seed: str = "noise") -> list[dict]:
    """Copies of evaluation items with keyboard slips in the question, seeded by the item id.

    The id gets the suffix ``~noisy`` and ``"noisy": True`` is set; the history and every other
    field are deep copies of the original's, and ``items`` is left unchanged.
    """
    out: list[dict] = []
    for item in items:
        noisy = copy.deepcopy(item)
        item_id = str(item["id"])
        noisy["question"] = with_typos(str(item["question"]), seed=f"{seed}:{item_id}")
        noisy["id"] = f"{item_id}{NOISY_SUFFIX}"
        noisy["noisy"] = True
        out.append(noisy)
    return out
