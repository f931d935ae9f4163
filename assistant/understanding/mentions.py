"""Whether a letter mentions what a question asks about at all.

"Wakefield — anything on fostering?" retrieves *some* passage of Wakefield's letter; when the
letter never uses the word, quoting that passage answers another question. :func:`unmentioned`
finds the words of a question's topic that name a subject (not the question's frame, the
genre's commonplaces or a section) and returns them when none of the letters in question
contains any of them, in any inflection (by stem) or within one keyboard slip. The chain then
says what the letters do not mention instead of quoting something else.

The words of a theme term of the taxonomy (``ingest/data/themes.yaml``) are not counted absent
when the letter has a finding of that theme: "short of social workers" is a way of saying
"vacancies", which the letter may discuss in other words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from assistant.lexical import stem

# Words of a question's frame that name no subject ("was X an issue", "any findings on",
# "what did they note about"), beyond the stopwords and section words of assistant.query.
FRAME_WORDS = frozenset("""
issue issues matter matters problem problems worry worries worried concern concerns concerned
topic topics subject subjects thing things stuff point points aspect aspects area areas part
parts bit side anything everything something nothing info information detail details word words
findings finding feedback view views verdict mention mentioned mentions mentioning noted note
notes noting comment comments commented remark remarks raise raised flagged flag highlight
highlighted picked pick covered cover covering discuss discussed discussion addressed address
look looked looking regarding concerning related relating relation respect terms regards
inspectors inspector inspection inspections inspected ofsted letter letters report reports
reported council councils authority authorities borough county city la las lbc mbc
kind sort type types level levels amount quality current currently ever still yet then now
happening happen happened going went getting get got say said says tell told know known
think thought need needs needed want wanted like likes please thanks cheers quick question
yes no maybe really actually also again just only even much many lot lots any some one two
straight away immediately asap right fix sort sorted deal dealt urgent urgently first
whats wheres whos hows theres thats pls plz thx ta asap
name names named signed sign signs signature signatory addressed addressee copied copy cc dated
hmi hmci
""".split())

_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
_stem = lru_cache(maxsize=1 << 16)(stem)
_MIN_LENGTH = 3  # shorter words (ok, re, la) name no subject
_SLIP_LENGTH = 5  # words this long may be one keyboard slip away from the letter's spelling


def words_of(text: str) -> list[str]:
    """The lower-case words of ``text`` (possessive 's dropped), in order."""
    out = []
    for match in _WORD.finditer(text.lower().replace("’", "'")):
        word = match.group().strip("'-")
        out.append(word[:-2] if word.endswith("'s") else word)
    return out


def subject_words(topic: str, ignore: Collection[str] = ()) -> list[str]:
    """The words of ``topic`` that name a subject, in order, without repeats.

    Args:
        topic: The question's topic phrase (councils, years and people already taken out).
        ignore: Further words that name no subject (stopwords, section words, the words of a
            theme term the letter's findings carry), lower case.
    """
    out: list[str] = []
    for word in words_of(topic):
        if len(word) < _MIN_LENGTH or word in FRAME_WORDS or word in ignore or word in out:
            continue
        out.append(word)
    return out


def unmentioned(words: Iterable[str], letters_words: Iterable[Collection[str]]) -> list[str]:
    """The ``words`` when none of the letters contains any of them (by stem or within one
    slip); empty as soon as one word is found.

    One subject word the letter uses is enough: "how long had referrals waited" asks about
    referrals in the letter's own words, "long" and "waited" being the asker's. Only a subject
    the letter has no word for at all ("fostering", "private fostering arrangements") is
    unmentioned. ``letters_words`` holds each letter's words (lower case, as
    :class:`assistant.understanding.spelling.LetterWords` keeps them).
    """
    wanted = list(words)
    vocabularies = list(letters_words)
    if not wanted or not vocabularies:
        return []
    for word in wanted:
        root = _stem(word)
        if any(_mentions(word, root, vocabulary) for vocabulary in vocabularies):
            return []
    return wanted


def _mentions(word: str, root: str, vocabulary: Collection[str]) -> bool:
    if word in vocabulary:
        return True
    for known in vocabulary:
        if known[:2] != word[:2] and known[:1] != word[:1]:
            continue
        if _stem(known) == root:
            return True
        if len(word) >= _SLIP_LENGTH and abs(len(known) - len(word)) <= 1 \
                and Levenshtein.distance(known, word, score_cutoff=1) <= 1:
            return True
    return False
