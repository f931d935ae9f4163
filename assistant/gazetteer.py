"""Recognise the councils a question names: full names, short forms, "LB Hackney", case and typos.

Built from the stored letters' authorities (what the collection holds) and from the list of
English children's services authorities (so a question about a council the collection lacks is
recognised as such, not ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ingest.authorities import AUTHORITIES

_PREFIXES = re.compile(
    r"^(?:the\s+)?(?:london\s+borough\s+of|royal\s+borough\s+of|metropolitan\s+borough\s+of|"
    r"borough\s+of|city\s+and\s+county\s+of|county\s+of|city\s+of|council\s+of\s+the|lb)\s+")
_SUFFIXES = re.compile(
    r"\s+(?:(?:city|county|metropolitan\s+borough|metropolitan\s+district|metropolitan|borough|"
    r"district|unitary)\s+)?(?:council|corporation)$")
_TOKEN = re.compile(r"[a-z0-9]+")
_ABBREVIATIONS = ("cc", "mbc", "mdc", "bc", "dc", "lbc", "rbc", "ucra")
_COUNCIL_TYPES = frozenset({"city", "county", "borough", "district", "metropolitan"})
_NOT_A_NAME = frozenset("""the a an which what whose each every this that its their his her our
any other same one local children childrens city county borough district metropolitan of for to
in on at by from and or with about letter did was were is does say said find found inspect
inspected inspection into""".split())
# Place names that are also ordinary words: matched only when written with a capital letter.
_COMMON_WORDS = {"reading", "bury", "slough", "harrow", "barking", "wakefield", "sutton", "brent",
                 "poole", "halton", "kingston", "richmond", "derby", "dudley", "city", "hull"}


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


@dataclass
class CouncilMatch:
    """A council named in a question."""

    place: str  # normalised place key, e.g. "portsmouth"
    mention: str  # the words of the question that named it
    in_collection: bool
    authorities: list[str] = field(default_factory=list)  # stored formal names for this place
    fuzzy: bool = False


class Gazetteer:
    """Maps mentions to places; knows which places the collection holds letters for."""

    def __init__(self, stored_authorities: Iterable[str], common_words: Iterable[str] = ()) -> None:
        self.stored: dict[str, set[str]] = {}
        for name in stored_authorities:
            if name:
                self.stored.setdefault(place_of(name), set()).add(name)
        self.aliases: dict[str, str] = {}
        for authority in AUTHORITIES:
            place = place_of(authority.name)
            for alias in (authority.name, authority.place, *authority.aliases):
                self._add_alias(alias, place)
        for place, names in self.stored.items():
            self._add_alias(place, place)
            for name in names:
                self._add_alias(name, place)
        self.common_words = {w.lower() for w in common_words}
        self._sorted_aliases = sorted(self.aliases, key=lambda a: (-len(a.split()), -len(a)))
        self._fuzzy_choices = [a for a in self.aliases if len(a) >= 5]

    def _add_alias(self, alias: str, place: str) -> None:
        key = normalise_name(alias)
        if key:
            self.aliases.setdefault(key, place)
            stripped = place_of(alias)
            if stripped:
                self.aliases.setdefault(stripped, place)
                for suffix in _ABBREVIATIONS:  # "Warwickshire CC", "Wakefield MDC", "LB Hackney"
                    self.aliases.setdefault(f"{stripped} {suffix}", place)
                self.aliases.setdefault(f"lb {stripped}", place)

    def display_name(self, place: str) -> str:
        """The stored formal name of a place, else its title-cased key."""
        names = sorted(self.stored.get(place, ()))
        return names[0] if names else place.title()

    def find(self, question: str) -> list[CouncilMatch]:
        """Every council the question names, in order of mention."""
        original_tokens = re.findall(r"[A-Za-z0-9]+", question.replace("’", "'"))
        words = normalise_name(question).split()
        capitalised = {t.lower() for t in original_tokens if t[:1].isupper()}
        taken = [False] * len(words)
        found: list[tuple[int, CouncilMatch]] = []
        for alias in self._sorted_aliases:
            parts = alias.split()
            n = len(parts)
            for i in range(len(words) - n + 1):
                if words[i:i + n] != parts or any(taken[i:i + n]):
                    continue
                if n == 1 and parts[0] in _COMMON_WORDS and parts[0] not in capitalised:
                    continue
                for j in range(i, i + n):
                    taken[j] = True
                found.append((i, self._match(self.aliases[alias], " ".join(parts), False)))
        found.extend(self._fuzzy(words, taken))
        found.extend(self._unknown_councils(words, taken))
        found.sort(key=lambda item: item[0])
        unique: dict[str, CouncilMatch] = {}
        for _, match in found:
            unique.setdefault(match.place, match)
        return list(unique.values())

    def _fuzzy(self, words: list[str], taken: list[bool]) -> list[tuple[int, CouncilMatch]]:
        out: list[tuple[int, CouncilMatch]] = []
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
                if len(phrase) < 5:
                    continue
                best = process.extractOne(phrase, self._fuzzy_choices, scorer=fuzz.ratio,
                                          score_cutoff=86 if len(phrase) >= 8 else 80)
                if best is None:
                    continue
                for j in range(i, i + n):
                    taken[j] = True
                out.append((i, self._match(self.aliases[best[0]], phrase, True)))
        return out

    def _unknown_councils(self, words: list[str], taken: list[bool]
                          ) -> list[tuple[int, CouncilMatch]]:
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
                out.append((i + 1, CouncilMatch(place=place, mention=place, in_collection=False)))
        return out

    def _match(self, place: str, mention: str, fuzzy: bool) -> CouncilMatch:
        return CouncilMatch(place=place, mention=mention, in_collection=place in self.stored,
                            authorities=sorted(self.stored.get(place, ())), fuzzy=fuzzy)
