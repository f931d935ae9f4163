"""Recognise the councils a question names: full names, short forms, "LB Hackney", case and typos.

Built from the stored letters' authorities (what the collection holds), from the list of English
children's services authorities (so a question about a council the collection lacks is recognised
as such, not ignored) and from the short forms staff use, listed in ``assistant/data/aliases.yaml``
("Notts", "LBTH", "B&NES", "Brum"; see that file's header for its shape).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from ingest.authorities import AUTHORITIES

ALIASES_PATH = Path(__file__).with_name("data") / "aliases.yaml"

_PREFIXES = re.compile(
    r"^(?:the\s+)?(?:london\s+borough\s+of|royal\s+borough\s+of|metropolitan\s+borough\s+of|"
    r"borough\s+of|city\s+and\s+county\s+of|county\s+of|city\s+of|council\s+of\s+the|lb)\s+")
_SUFFIXES = re.compile(
    r"\s+(?:(?:city|county|metropolitan\s+borough|metropolitan\s+district|metropolitan|borough|"
    r"district|unitary)\s+)?(?:council|corporation)$")
_TOKEN = re.compile(r"[a-z0-9]+")
_RAW_TOKEN = re.compile(r"[A-Za-z0-9]+|&")
_ABBREVIATIONS = ("cc", "mbc", "mdc", "bc", "dc", "lbc", "rbc", "ua", "ucra")
_COUNCIL_TYPES = frozenset({"city", "county", "borough", "district", "metropolitan"})
_NOT_A_NAME = frozenset("""the a an which what whose each every this that its their his her our
any other same one local children childrens city county borough district metropolitan of for to
in on at by from and or with about letter did was were is does say said find found inspect
inspected inspection into""".split())
# Place names that are also ordinary words: matched only when written with a capital letter.
_COMMON_WORDS = {"reading", "bury", "slough", "harrow", "barking", "wakefield", "sutton", "brent",
                 "poole", "halton", "kingston", "richmond", "derby", "dudley", "city", "hull"}
# Of those, the ones rarely meant as the ordinary word: in lower case they still name a council
# the collection holds ("what were harrow's priority actions"), unless its letters use the word.
_NAMES_FIRST = {"harrow", "wakefield", "sutton", "brent", "poole", "halton", "kingston",
                "richmond", "derby", "dudley"}
# Words up to this length get the one-slip match (longer ones the similarity match).
_SHORT_MAX = 7
# Keys that place_of() yields but that name no single council ("City of London" -> "london").
_NOT_PLACES = frozenset({"london"})

# Words around a name that make it a council name: "LB Hackney", "Leics CC", "Bury Council".
_NAME_PREFIXES = tuple(tuple(p.split()) for p in (
    "city and county of", "london borough of", "royal borough of", "metropolitan borough of",
    "borough of", "county of", "city of", "lb", "rb"))
_NAME_SUFFIXES = tuple(sorted(
    {tuple(f"{kind} {end}".split()) for kind in (
        "", "city", "county", "borough", "district", "metropolitan", "metropolitan borough",
        "metropolitan district", "london borough", "unitary") for end in ("council", "corporation")}
    | {(abbreviation,) for abbreviation in _ABBREVIATIONS}, key=lambda s: -len(s)))
_LETTER_WORDS = frozenset({"letter", "letters"})
# A typo in a multi-word name may leave one of its words an exact name ("Nrth Lincolnshire"):
# the wider phrase is taken when it is at most this many insertions/deletions from a longer name.
_WIDEN_MAX_EDITS = 2
_WIDEN_LEFT, _WIDEN_RIGHT, _WIDEN_MAX_WORDS = 4, 3, 7
_FUZZY_MARGIN = 5  # a fuzzy match must beat every other place's score by this many points


class AliasFileError(ValueError):
    """The aliases file is malformed: names the file and the offending entry."""


@dataclass(frozen=True)
class Alias:
    """A short form of an authority's name, from the aliases file."""

    authority: str  # canonical formal name, as in ingest.authorities.AUTHORITIES
    text: str  # the short form as written, e.g. "Notts"
    case_sensitive: bool = False  # matched bare only when typed with these capitals


def normalise_name(text: str) -> str:
    """Lower case, ``&`` -> ``and``, hyphens and punctuation -> spaces, possessives dropped."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    return " ".join(_TOKEN.findall(text))


def place_of(name: str) -> str:
    """``London Borough of Hackney`` -> ``hackney``; ``Portsmouth City Council`` -> ``portsmouth``.
    """
    text = normalise_name(name)
    text = _PREFIXES.sub("", text)
    text = _SUFFIXES.sub("", text)
    return text.strip()


# Endings of English place names that people keep when they shorten one to its first letter
# and its ending: "H'pool", "Bmouth", "Pboro", "Wfield".
_NAME_ENDINGS = ("pool", "mouth", "borough", "boro", "field", "ford", "ham", "ton", "bury",
                 "chester", "minster", "dale", "wich", "castle", "hampton", "ley", "wick")
_CONNECTIVES = frozenset({"upon", "on", "under", "with", "and", "of", "le", "in"})


def _contractions(places: Iterable[str], held: Collection[str] = ()) -> dict[str, str]:
    """Short forms built from place names, kept only when exactly one place gives them (or
    exactly one of the places that give them is ``held``: "pmouth" is Portsmouth in a
    collection without Plymouth) and they are no English word: the first letter and a name
    ending ("hartlepool" -> "hpool", also "h pool" as "H'pool" is read), and the initials
    around a connective ("kingston upon thames" -> "k upon t")."""
    from assistant.understanding.spelling import english_frequencies

    english = english_frequencies()
    found: dict[str, set[str]] = {}
    for place in set(places):
        words = place.split()
        forms: set[str] = set()
        if len(words) == 1:  # short places too, so that a form two places give is dropped
            for ending in _NAME_ENDINGS:
                if place.endswith(ending) and len(place) - len(ending) >= 2 and \
                        (len(ending) >= 4 or ending == "ham"):  # "bham", not "dton"
                    forms.update({place[0] + ending, f"{place[0]} {ending}"})
                    if ending == "borough":
                        forms.update({place[0] + "boro", f"{place[0]} boro"})
        if len(words) >= 3 and any(w in _CONNECTIVES for w in words[1:-1]):
            forms.add(" ".join(w if w in _CONNECTIVES else w[0] for w in words))
        for form in forms:
            found.setdefault(form, set()).add(place)
    held = set(held)
    out: dict[str, str] = {}
    for form, owners in found.items():
        if len(form.replace(" ", "")) < 4 or form in english or form.replace(" ", "") in english:
            continue
        held_owners = owners & held
        if len(owners) == 1 or len(held_owners) == 1:
            out[form] = next(iter(owners if len(owners) == 1 else held_owners))
    return out


def _builtin_keys(authority_name: str) -> set[str]:
    """The lookup keys ingest.authorities gives an authority (names, place, aliases)."""
    authority = next(a for a in AUTHORITIES if a.name == authority_name)
    keys: set[str] = set()
    for text in (authority.name, authority.place, *authority.aliases):
        keys.update(k for k in (normalise_name(text), place_of(text)) if k and k not in _NOT_PLACES)
    return keys


OTHER_COUNCILS_FILE = Path(__file__).resolve().parent / "data" / "other_councils.yaml"


@lru_cache(maxsize=4)
def load_other_councils(path: Path | str | None = None) -> tuple[Alias, ...]:
    """The councils of Wales, Scotland and Northern Ireland (``data/other_councils.yaml``).

    Raises:
        AliasFileError: the file cannot be read or holds a malformed entry.
    """
    file = Path(path) if path is not None else OTHER_COUNCILS_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AliasFileError(f"{file}: cannot be read as YAML ({exc}); fix the file") from exc
    out: list[Alias] = []
    for nation, entries in (data or {}).items():
        for entry in entries or []:
            name = entry.get("name") if isinstance(entry, dict) else entry
            if not isinstance(name, str) or not name.strip():
                raise AliasFileError(f"{file}: {nation}: entry {entry!r} is not a council name; "
                                     "write a name or {name: X, case_sensitive: true}")
            sensitive = bool(entry.get("case_sensitive")) if isinstance(entry, dict) else False
            out.append(Alias(authority=str(nation), text=name.strip(), case_sensitive=sensitive))
    return tuple(out)


@lru_cache(maxsize=8)
def load_aliases(path: Path | str | None = None) -> tuple[Alias, ...]:
    """The short forms in the aliases file (default: the shipped one), checked; cached per path.

    Raises:
        AliasFileError: the file cannot be read or parsed, names an authority that is not in
            AUTHORITIES, holds an empty or malformed alias, lists an alias twice, or gives an
            alias that names another authority.
    """
    source = Path(path) if path is not None else ALIASES_PATH
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AliasFileError(f"{source}: cannot read the aliases file: {exc}") from exc
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise AliasFileError(f"{source}: expected a mapping of authority name -> list of aliases")
    names = {a.name for a in AUTHORITIES}
    owner: dict[str, str] = {}  # normalised key -> authority that owns it
    for authority in AUTHORITIES:
        for key in _builtin_keys(authority.name):
            owner.setdefault(key, authority.name)
    out: list[Alias] = []
    seen: dict[str, str] = {}  # normalised alias -> authority, for aliases from this file
    for authority_name, entries in data.items():
        where = f"{source}: entry {authority_name!r}"
        if not isinstance(authority_name, str) or authority_name not in names:
            raise AliasFileError(f"{where}: not an authority name in ingest/authorities.py "
                                 "AUTHORITIES (use the canonical formal name exactly)")
        if not isinstance(entries, list):
            raise AliasFileError(f"{where}: expected a list of aliases")
        for entry in entries:
            alias = _parse_entry(entry, authority_name, where)
            key = normalise_name(alias.text)
            if not key:
                raise AliasFileError(f"{where}: alias {alias.text!r} is empty")
            if key in _NOT_A_NAME and not alias.case_sensitive:
                raise AliasFileError(f"{where}: alias {alias.text!r} is an ordinary word; mark it "
                                     "case_sensitive or leave it out")
            if key in seen:
                other = seen[key]
                problem = ("is listed twice" if other == authority_name
                           else f"maps to two authorities: {other!r} and {authority_name!r}")
                raise AliasFileError(f"{where}: alias {alias.text!r} {problem}")
            if owner.get(key, authority_name) != authority_name:
                raise AliasFileError(f"{where}: alias {alias.text!r} maps to two authorities: it "
                                     f"already names {owner[key]!r}")
            seen[key] = authority_name
            out.append(alias)
    return tuple(out)


def _parse_entry(entry: Any, authority: str, where: str) -> Alias:
    if isinstance(entry, str):
        return Alias(authority, entry.strip())
    if isinstance(entry, Mapping):
        unknown = set(entry) - {"alias", "case_sensitive"}
        text = entry.get("alias")
        flag = entry.get("case_sensitive", False)
        if unknown:
            raise AliasFileError(f"{where}: unknown key(s) {sorted(map(str, unknown))} in "
                                 f"{dict(entry)!r}; use 'alias' and 'case_sensitive'")
        if not isinstance(text, str):
            raise AliasFileError(f"{where}: alias {text!r} is empty or not a string")
        if not isinstance(flag, bool):
            raise AliasFileError(f"{where}: case_sensitive of {text!r} must be true or false")
        return Alias(authority, text.strip(), flag)
    if entry is None:
        raise AliasFileError(f"{where}: alias is empty")
    raise AliasFileError(f"{where}: alias {entry!r} is not a string or an {{alias: ...}} mapping")


@dataclass(frozen=True)
class _Token:
    word: str  # normalised, as normalise_name() spells it
    raw: str  # as typed
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    """The words of ``normalise_name(text)``, each with its span in ``text``."""
    text = text.replace("’", "'")
    out: list[_Token] = []
    for m in _RAW_TOKEN.finditer(text):
        raw = m.group()
        if raw in ("s", "S") and m.start() > 0 and text[m.start() - 1] == "'":
            continue  # a possessive: "Leeds's"
        out.append(_Token("and" if raw == "&" else raw.lower(), raw, m.start(), m.end()))
    return out


@dataclass
class CouncilMatch:
    """A council named in a question."""

    place: str  # normalised place key, e.g. "portsmouth"
    mention: str  # the words of the question that named it
    in_collection: bool
    authorities: list[str] = field(default_factory=list)  # stored formal names for this place
    fuzzy: bool = False


@dataclass
class _Span:
    start: int  # token indices, end exclusive
    end: int
    place: str
    fuzzy: bool = False


class Gazetteer:
    """Maps mentions to places; knows which places the collection holds letters for."""

    def __init__(self, stored_authorities: Iterable[str], common_words: Iterable[str] = ()) -> None:
        self.stored: dict[str, set[str]] = {}
        for name in stored_authorities:
            if name:
                self.stored.setdefault(place_of(name), set()).add(name)
        self.aliases: dict[str, str] = {}
        self.outside_england: set[str] = set()  # places Ofsted does not inspect
        # Aliases matched bare only in the capitals written: key -> allowed raw token tuples.
        self._case_forms: dict[str, set[tuple[str, ...]]] = {}
        for authority in AUTHORITIES:
            place = place_of(authority.name)
            for alias in (authority.name, authority.place, *authority.aliases):
                self._add_alias(alias, place)
        places = {a.name: place_of(a.name) for a in AUTHORITIES}
        short_forms: set[str] = set()
        for short in load_aliases():
            key = normalise_name(short.text)
            self.aliases.setdefault(key, places[short.authority])
            if short.case_sensitive:
                self._case_forms.setdefault(key, set()).add(
                    tuple(t.raw for t in _tokens(short.text)))
            else:
                short_forms.add(key)
        contracted: set[str] = set()  # matched exactly, never fuzzily ("boroughs" is no "pborough")
        for key, place in _contractions(places.values(), self.stored).items():
            if key not in self.aliases:  # "hpool", "l'pool", "bmouth", "K upon T"
                self.aliases[key] = place
                contracted.add(key)
        for other in load_other_councils():  # Welsh, Scottish, Northern Irish: never held
            key = normalise_name(other.text)
            self.outside_england.add(key)
            if key not in self.aliases:
                self.aliases[key] = key
                if other.case_sensitive:
                    self._case_forms.setdefault(key, set()).add(
                        tuple(t.raw for t in _tokens(other.text)))
        for place, names in self.stored.items():
            self._add_alias(place, place)
            for name in names:
                self._add_alias(name, place)
        self.common_words = {w.lower() for w in common_words}
        self._by_first: dict[str, list[list[str]]] = {}
        for alias in self.aliases:
            parts = alias.split()
            self._by_first.setdefault(parts[0], []).append(parts)
        # Short forms are matched exactly, never fuzzily ("notes" is not "Notts"), unless long.
        self._fuzzy_choices = [a for a in self.aliases if len(a) >= 5 and a not in self._case_forms
                               and (a not in short_forms or len(a) >= 8) and a not in contracted]
        self._multiword_choices = [a for a in self._fuzzy_choices if " " in a]
        self._short_choices = [a for a in self.aliases if " " not in a and len(a) >= 4
                               and a not in contracted]
        self._pair_choices = [a for a in self.aliases if len(a.split()) == 2 and len(a) <= 12
                              and a not in contracted]

    def _add_alias(self, alias: str, place: str) -> None:
        for key in (normalise_name(alias), place_of(alias)):
            if key and key not in _NOT_PLACES:
                self.aliases.setdefault(key, place)

    def display_name(self, place: str) -> str:
        """The stored formal name of a place, else its title-cased key."""
        names = sorted(self.stored.get(place, ()))
        return names[0] if names else place.title()

    def find(self, question: str) -> list[CouncilMatch]:
        """Every council the question names, in order of mention."""
        tokens = _tokens(question)
        words = [t.word for t in tokens]
        taken = [False] * len(words)
        spans = self._exact(tokens, words, taken)
        spans.extend(self._fuzzy(words, taken))
        for span in spans:
            self._extend(span, words, taken)
        found = [(s.start, self._match(s.place, _text(question, tokens, s.start, s.end), s.fuzzy))
                 for s in spans]
        found.extend(self._unknown_councils(words, taken, question, tokens))
        found.sort(key=lambda item: item[0])
        unique: dict[str, CouncilMatch] = {}
        for _, match in found:
            unique.setdefault(match.place, match)
        return list(unique.values())

    def _exact(self, tokens: list[_Token], words: list[str], taken: list[bool]) -> list[_Span]:
        """Aliases found word for word, longest first; then widened over a typo next to them."""
        candidates: list[tuple[int, int, int, str]] = []  # (-words, -chars, start, key)
        for i, word in enumerate(words):
            for parts in self._by_first.get(word, ()):
                n = len(parts)
                if words[i:i + n] == parts:
                    key = " ".join(parts)
                    candidates.append((-n, -len(key), i, key))
        spans: list[_Span] = []
        for neg_n, _, i, key in sorted(candidates):
            n = -neg_n
            if any(taken[i:i + n]) or not self._case_ok(key, tokens, words, taken, i, i + n):
                continue
            for j in range(i, i + n):
                taken[j] = True
            spans.append(_Span(i, i + n, self.aliases[key]))
        for span in spans:
            self._widen(span, words, taken)
        return spans

    def _case_ok(self, key: str, tokens: list[_Token], words: list[str], taken: list[bool],
                 start: int, end: int) -> bool:
        """Whether a name that is also an ordinary word is used as a name here."""
        forms = self._case_forms.get(key)
        common = end - start == 1 and key in _COMMON_WORDS
        if common and forms is None and key in _NAMES_FIRST \
                and self.aliases.get(key) in self.stored and key not in self.common_words:
            # A stored council whose name the letters never use as an ordinary word: "what
            # were harrow's priority actions" names Harrow.
            return True
        if forms is None and not common:
            return True
        raw = tuple(t.raw for t in tokens[start:end])
        if forms is not None and raw in forms:
            return True
        if forms is None and raw[0][:1].isupper():
            return True
        # "Bucks CC", "LB Barking", "the bath letter": the words around it make it a name.
        if _suffix_at(words, taken, end) or _prefix_before(words, taken, start):
            return True
        return (start > 0 and words[start - 1] == "the" and end < len(words)
                and words[end] in _LETTER_WORDS)

    def _widen(self, span: _Span, words: list[str], taken: list[bool]) -> None:
        """"Nrth Lincolnshire": a longer name one typo away that holds the matched words."""
        inner = " ".join(words[span.start:span.end])
        best: tuple[int, int, int, str] | None = None  # (distance, -words, start, key)
        for left in range(_WIDEN_LEFT + 1):
            for right in range(_WIDEN_RIGHT + 1):
                a, b = span.start - left, span.end + right
                if (not left and not right) or a < 0 or b > len(words) \
                        or b - a > _WIDEN_MAX_WORDS:
                    continue
                extra = words[a:span.start] + words[span.end:b]
                if any(taken[a:span.start]) or any(taken[span.end:b]) \
                        or any(w.isdigit() for w in extra) \
                        or words[a] in _NOT_A_NAME or words[b - 1] in _NOT_A_NAME:
                    continue
                phrase = " ".join(words[a:b])
                hits = process.extract(phrase, self._multiword_choices, scorer=Indel.distance,
                                       score_cutoff=_WIDEN_MAX_EDITS, limit=8)
                hits = [h for h in hits if f" {inner} " in f" {h[0]} " and h[0] != inner]
                if not hits:
                    continue
                distance, key = hits[0][1], hits[0][0]
                place = self.aliases[key]
                if any(self.aliases[h[0]] != place and h[1] <= distance for h in hits):
                    continue  # two names equally close: leave it
                candidate = (int(distance), -(b - a), a, key)
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            return
        distance, neg_n, a, key = best
        for j in range(a, a - neg_n):
            taken[j] = True
        span.start, span.end, span.place = a, a - neg_n, self.aliases[key]
        span.fuzzy = span.fuzzy or distance > 0

    def _extend(self, span: _Span, words: list[str], taken: list[bool]) -> None:
        """Take "LB", "London Borough of", "CC", "Council" around a name as part of it."""
        suffix = _suffix_at(words, taken, span.end)
        prefix = _prefix_before(words, taken, span.start)
        for j in range(span.start - prefix, span.end + suffix):
            taken[j] = True
        span.start -= prefix
        span.end += suffix

    def _fuzzy(self, words: list[str], taken: list[bool]) -> list[_Span]:
        out: list[_Span] = []
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                if any(taken[i:i + n]):
                    continue
                gram = words[i:i + n]
                # An n-gram may hold ordinary words ("central") but must hold one that is not.
                if any(len(w) < 3 or w.isdigit() or w in _NOT_A_NAME for w in gram) \
                        or all(w in self.common_words or len(w) < 4 for w in gram):
                    continue
                phrase = " ".join(gram)
                if len(phrase) < 5 or phrase in self.aliases:
                    continue  # an exact name the exact pass left alone ("reading") stays alone
                cutoff = 86 if len(phrase) >= 8 else 80
                hits = process.extract(phrase, self._fuzzy_choices, scorer=fuzz.ratio,
                                       score_cutoff=cutoff - _FUZZY_MARGIN, limit=10)
                if not hits or hits[0][1] < cutoff:
                    continue
                place = self.aliases[hits[0][0]]
                if any(self.aliases[h[0]] != place and h[1] > hits[0][1] - _FUZZY_MARGIN
                       for h in hits[1:]):
                    continue  # not clearly closer to one council than to another
                for j in range(i, i + n):
                    taken[j] = True
                out.append(_Span(i, i + n, place, fuzzy=True))
        out.extend(self._short_slips(words, taken))
        return out

    def _short_slips(self, words: list[str], taken: list[bool]) -> list[_Span]:
        """"glso", "warsk", "devn", "medsay": a short name one slip (an edit or a swap of two
        letters) from exactly one council, when the word is no English or letter word."""
        from rapidfuzz.distance import OSA

        from assistant.understanding.spelling import english_frequencies

        english = english_frequencies()
        out: list[_Span] = []
        for i, word in enumerate(words):
            if taken[i] or not 4 <= len(word) <= _SHORT_MAX or not word.isalpha() \
                    or word in self.common_words or word in english or word in _NOT_A_NAME \
                    or word in self.aliases:
                continue
            if i > 0 and not taken[i - 1]:  # "ne linncs": a two-word short form with a slip
                pair = process.extract(f"{words[i - 1]} {word}", self._pair_choices,
                                       scorer=OSA.distance, score_cutoff=1, limit=10)
                pair_places = {self.aliases[h[0]] for h in pair}
                if len(pair_places) == 1:
                    taken[i - 1] = taken[i] = True
                    out.append(_Span(i - 1, i + 1, pair_places.pop(), fuzzy=True))
                    continue
            hits = process.extract(word, self._short_choices, scorer=OSA.distance,
                                   score_cutoff=1, limit=10)
            places = {self.aliases[h[0]] for h in hits}
            if len(places) != 1 or any(h[0] in self._case_forms or h[0] in _COMMON_WORDS
                                       for h in hits):
                continue  # no council, or two, or an ordinary word: a slip must name one
            taken[i] = True
            out.append(_Span(i, i + 1, places.pop(), fuzzy=True))
        return out

    def _unknown_councils(self, words: list[str], taken: list[bool], question: str,
                          tokens: list[_Token]) -> list[tuple[int, CouncilMatch]]:
        """``Glasgow City Council``: a council named in full that no alias covers."""
        out: list[tuple[int, CouncilMatch]] = []
        for end, word in enumerate(words):
            if word != "council" or taken[end]:
                continue
            i = end - 1
            while i >= 0 and words[i] in _COUNCIL_TYPES:
                i -= 1
            name: list[str] = []
            while i >= 0 and len(name) < 3 and not taken[i] and words[i] not in _NOT_A_NAME \
                    and words[i] not in self.common_words:
                name.insert(0, words[i])
                i -= 1
            place = " ".join(name)
            if place and place not in self.aliases:
                mention = _text(question, tokens, i + 1, i + 1 + len(name))
                out.append((i + 1, CouncilMatch(place=place, mention=mention,
                                                in_collection=False)))
        return out

    def _match(self, place: str, mention: str, fuzzy: bool) -> CouncilMatch:
        return CouncilMatch(place=place, mention=mention, in_collection=place in self.stored,
                            authorities=sorted(self.stored.get(place, ())), fuzzy=fuzzy)


def _text(question: str, tokens: list[_Token], start: int, end: int) -> str:
    """The question's own characters for tokens ``start:end``: "K&C", "LB Hackney"."""
    return question[tokens[start].start:tokens[end - 1].end]


def _suffix_at(words: list[str], taken: list[bool], end: int) -> int:
    """How many words from ``end`` on spell a council suffix ("county council", "MBC")."""
    for suffix in _NAME_SUFFIXES:
        n = len(suffix)
        if tuple(words[end:end + n]) == suffix and not any(taken[end:end + n]):
            return n
    return 0


def _prefix_before(words: list[str], taken: list[bool], start: int) -> int:
    """How many words before ``start`` spell a council prefix ("LB", "London Borough of")."""
    for prefix in _NAME_PREFIXES:
        n = len(prefix)
        if start - n >= 0 and tuple(words[start - n:start]) == prefix \
                and not any(taken[start - n:start]):
            return n
    return 0
