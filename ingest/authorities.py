"""The English local authorities with children's services responsibilities (2009-2012).

152 upper-tier councils: 27 shire counties, 36 metropolitan boroughs, 32 London boroughs and the
City of London, 55 unitary authorities and the Isles of Scilly (after the 2009 reorganisation that
made Bedford, Central Bedfordshire, Cheshire East, Cheshire West and Chester, Cornwall, Durham,
Northumberland, Shropshire and Wiltshire unitary).

Each :class:`Authority` has its canonical formal ``name`` ("Portsmouth City Council"), its short
``place`` ("Portsmouth") and ``aliases`` (other formal names and spellings seen in letters).
:func:`find_authority` / :func:`match_authority` find a council in free text; any
"<place> Council", "<place> City Council", "London Borough of <place>" ... form is recognised even
when it is not listed as an alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

COUNTY = "county"
METROPOLITAN = "metropolitan borough"
LONDON = "london borough"
UNITARY = "unitary authority"


@dataclass(frozen=True)
class Authority:
    """A council with children's services responsibilities.

    Attributes:
        name: canonical formal name, e.g. "Portsmouth City Council".
        place: short place name, e.g. "Portsmouth".
        aliases: other names and spellings, e.g. ("Portsmouth Council",).
        kind: one of "county", "metropolitan borough", "london borough", "unitary authority".
    """

    name: str
    place: str
    aliases: tuple[str, ...] = ()
    kind: str = UNITARY


def _a(name: str, place: str, kind: str, *aliases: str) -> Authority:
    return Authority(name=name, place=place, aliases=tuple(aliases), kind=kind)


def _county(place: str, *aliases: str) -> Authority:
    return _a(f"{place} County Council", place, COUNTY, *aliases)


def _met(place: str, *aliases: str) -> Authority:
    return _a(f"{place} Metropolitan Borough Council", place, METROPOLITAN, f"{place} Council",
              *aliases)


def _london(place: str, *aliases: str) -> Authority:
    return _a(f"London Borough of {place}", place, LONDON, f"{place} Council",
              f"{place} London Borough Council", *aliases)


AUTHORITIES: tuple[Authority, ...] = (
    # Shire counties (27)
    _county("Buckinghamshire"), _county("Cambridgeshire"), _county("Cumbria"),
    _county("Derbyshire"), _county("Devon"), _county("Dorset"), _county("East Sussex"),
    _county("Essex"), _county("Gloucestershire"), _county("Hampshire"),
    _county("Hertfordshire"), _county("Kent"), _county("Lancashire"),
    _county("Leicestershire"), _county("Lincolnshire"), _county("Norfolk"),
    _county("North Yorkshire"), _county("Northamptonshire"), _county("Nottinghamshire"),
    _county("Oxfordshire"), _county("Somerset"), _county("Staffordshire"), _county("Suffolk"),
    _county("Surrey"), _county("Warwickshire"), _county("West Sussex"),
    _county("Worcestershire"),
    # Metropolitan boroughs (36)
    _met("Barnsley"), _met("Bolton"), _met("Bury"),
    _a("Manchester City Council", "Manchester", METROPOLITAN),
    _met("Oldham"), _met("Rochdale"),
    _a("Salford City Council", "Salford", METROPOLITAN),
    _met("Stockport"), _met("Tameside"), _met("Trafford"), _met("Wigan"),
    _met("Knowsley"),
    _a("Liverpool City Council", "Liverpool", METROPOLITAN),
    _met("Sefton"), _met("St Helens"), _met("Wirral"),
    _met("Doncaster"), _met("Rotherham"),
    _a("Sheffield City Council", "Sheffield", METROPOLITAN),
    _met("Gateshead"),
    _a("Newcastle City Council", "Newcastle upon Tyne", METROPOLITAN,
       "Newcastle upon Tyne City Council", "Newcastle"),
    _met("North Tyneside"), _met("South Tyneside"),
    _a("Sunderland City Council", "Sunderland", METROPOLITAN),
    _a("Birmingham City Council", "Birmingham", METROPOLITAN),
    _a("Coventry City Council", "Coventry", METROPOLITAN),
    _met("Dudley"), _met("Sandwell"), _met("Solihull"), _met("Walsall"),
    _a("Wolverhampton City Council", "Wolverhampton", METROPOLITAN,
       "City of Wolverhampton Council"),
    _a("Bradford Metropolitan District Council", "Bradford", METROPOLITAN,
       "City of Bradford Metropolitan District Council", "Bradford Council"),
    _met("Calderdale"),
    _a("Kirklees Council", "Kirklees", METROPOLITAN, "Kirklees Metropolitan Council"),
    _a("Leeds City Council", "Leeds", METROPOLITAN),
    _a("Wakefield Metropolitan District Council", "Wakefield", METROPOLITAN, "Wakefield Council"),
    # London boroughs (32) and the City of London
    _london("Barking and Dagenham"), _london("Barnet"), _london("Bexley"), _london("Brent"),
    _london("Bromley"), _london("Camden"), _london("Croydon"), _london("Ealing"),
    _london("Enfield"), _london("Greenwich", "Royal Borough of Greenwich"), _london("Hackney"),
    _london("Hammersmith and Fulham"), _london("Haringey"), _london("Harrow"),
    _london("Havering"), _london("Hillingdon"), _london("Hounslow"), _london("Islington"),
    _a("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea", LONDON,
       "Kensington and Chelsea Council", "RBKC"),
    _a("Royal Borough of Kingston upon Thames", "Kingston upon Thames", LONDON,
       "Kingston upon Thames Council", "Kingston Council"),
    _london("Lambeth"), _london("Lewisham"), _london("Merton"), _london("Newham"),
    _london("Redbridge"), _london("Richmond upon Thames", "Richmond Council"),
    _london("Southwark"), _london("Sutton"), _london("Tower Hamlets"),
    _london("Waltham Forest"), _london("Wandsworth"),
    _a("Westminster City Council", "Westminster", LONDON, "City of Westminster"),
    _a("City of London Corporation", "City of London", LONDON, "Corporation of London",
       "City of London"),
    # Unitary authorities (55) and the Isles of Scilly
    _a("Bath and North East Somerset Council", "Bath and North East Somerset", UNITARY),
    _a("Bedford Borough Council", "Bedford", UNITARY),
    _a("Blackburn with Darwen Borough Council", "Blackburn with Darwen", UNITARY),
    _a("Blackpool Council", "Blackpool", UNITARY, "Blackpool Borough Council"),
    _a("Bournemouth Borough Council", "Bournemouth", UNITARY),
    _a("Bracknell Forest Council", "Bracknell Forest", UNITARY, "Bracknell Forest Borough Council"),
    _a("Brighton and Hove City Council", "Brighton and Hove", UNITARY),
    _a("Bristol City Council", "Bristol", UNITARY, "City of Bristol"),
    _a("Central Bedfordshire Council", "Central Bedfordshire", UNITARY),
    _a("Cheshire East Council", "Cheshire East", UNITARY),
    _a("Cheshire West and Chester Council", "Cheshire West and Chester", UNITARY),
    _a("Cornwall Council", "Cornwall", UNITARY),
    _a("Darlington Borough Council", "Darlington", UNITARY),
    _a("Derby City Council", "Derby", UNITARY),
    _a("Durham County Council", "Durham", UNITARY, "County Durham"),
    _a("East Riding of Yorkshire Council", "East Riding of Yorkshire", UNITARY, "East Riding"),
    _a("Halton Borough Council", "Halton", UNITARY),
    _a("Hartlepool Borough Council", "Hartlepool", UNITARY),
    _a("Herefordshire Council", "Herefordshire", UNITARY, "County of Herefordshire"),
    _a("Isle of Wight Council", "Isle of Wight", UNITARY),
    _a("Hull City Council", "Kingston upon Hull", UNITARY, "Kingston upon Hull City Council",
       "Hull"),
    _a("Leicester City Council", "Leicester", UNITARY),
    _a("Luton Borough Council", "Luton", UNITARY),
    _a("Medway Council", "Medway", UNITARY),
    _a("Middlesbrough Council", "Middlesbrough", UNITARY),
    _a("Milton Keynes Council", "Milton Keynes", UNITARY),
    _a("North East Lincolnshire Council", "North East Lincolnshire", UNITARY),
    _a("North Lincolnshire Council", "North Lincolnshire", UNITARY),
    _a("North Somerset Council", "North Somerset", UNITARY),
    _a("Northumberland County Council", "Northumberland", UNITARY),
    _a("Nottingham City Council", "Nottingham", UNITARY),
    _a("Peterborough City Council", "Peterborough", UNITARY),
    _a("Plymouth City Council", "Plymouth", UNITARY),
    _a("Borough of Poole", "Poole", UNITARY, "Poole Borough Council"),
    _a("Portsmouth City Council", "Portsmouth", UNITARY),
    _a("Reading Borough Council", "Reading", UNITARY),
    _a("Redcar and Cleveland Borough Council", "Redcar and Cleveland", UNITARY),
    _a("Rutland County Council", "Rutland", UNITARY),
    _a("Shropshire Council", "Shropshire", UNITARY),
    _a("Slough Borough Council", "Slough", UNITARY),
    _a("South Gloucestershire Council", "South Gloucestershire", UNITARY),
    _a("Southampton City Council", "Southampton", UNITARY),
    _a("Southend-on-Sea Borough Council", "Southend-on-Sea", UNITARY, "Southend"),
    _a("Stockton-on-Tees Borough Council", "Stockton-on-Tees", UNITARY, "Stockton"),
    _a("Stoke-on-Trent City Council", "Stoke-on-Trent", UNITARY, "Stoke"),
    _a("Swindon Borough Council", "Swindon", UNITARY),
    _a("Telford and Wrekin Council", "Telford and Wrekin", UNITARY),
    _a("Thurrock Council", "Thurrock", UNITARY),
    _a("Torbay Council", "Torbay", UNITARY),
    _a("Warrington Borough Council", "Warrington", UNITARY),
    _a("West Berkshire Council", "West Berkshire", UNITARY),
    _a("Wiltshire Council", "Wiltshire", UNITARY),
    _a("Royal Borough of Windsor and Maidenhead", "Windsor and Maidenhead", UNITARY,
       "Windsor and Maidenhead Council"),
    _a("Wokingham Borough Council", "Wokingham", UNITARY),
    _a("City of York Council", "York", UNITARY, "York Council"),
    _a("Council of the Isles of Scilly", "Isles of Scilly", UNITARY, "Isles of Scilly Council",
       "Scilly"),
)

# Place names that are also ordinary words or other places: matched only in a council form
# ("Reading Borough Council"), never alone.
_AMBIGUOUS_PLACES = frozenset({"Reading", "Bury", "Sutton", "Brent", "Poole", "Dudley", "Stoke"})

# Words a formal council name may put before and after the place name.
_PREFIX = (r"(?:(?:the[ ]+)?(?:London[ ]+|Royal[ ]+|Metropolitan[ ]+)?Borough[ ]+of[ ]+"
           r"|City[ ]+(?:and[ ]+County[ ]+)?of[ ]+|Council[ ]+of[ ]+(?:the[ ]+)?|County[ ]+of[ ]+"
           r"|(?:LB|RB)[ ]+)")
_SUFFIX = (r"(?:(?:[ ]+(?:City|County|Borough|Metropolitan[ ]+Borough|Metropolitan[ ]+District"
           r"|Metropolitan|District|London[ ]+Borough))?[ ]+(?:Council|Corporation)"
           r"|[ ]+(?:MBC|MDC|CC|BC|UA))")
_PREFIX_FIRST_WORDS = frozenset({"the", "London", "Royal", "Metropolitan", "Borough", "City",
                                 "Council", "County", "LB", "RB"})
_LEADING_THE = re.compile(r"the[ ]+", re.I)
# "London Borough of X" is complete: a "Council" after it belongs to the address.
_BOROUGH_OF = re.compile(r"(?:the[ ]+)?(?:London[ ]+|Royal[ ]+|Metropolitan[ ]+)?Borough[ ]+of[ ]+")
_COUNCIL_WORD = re.compile(r"\b(?:Council|Borough|Corporation)\b", re.I)
# A bare place that is the start of a longer place name: "Newcastle-under-Lyme".
_LONGER_PLACE = re.compile(r"[ -]+(?:under|upon)\b|-on-")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class AuthorityMatch:
    """Where a council is named in a text.

    Attributes:
        authority: the council named.
        start: offset of the match in the searched text.
        end: end offset of the match.
        text: the words as written, e.g. "Portsmouth Council".
        formal: True when the words are a council name ("... Council", "London Borough of ..."),
            False for a bare place name ("Portsmouth") or an abbreviation ("Kent CC").
    """

    authority: Authority
    start: int
    end: int
    text: str
    formal: bool


def _flexible(words: str) -> str:
    """A regex for a name tolerant of spacing, hyphens vs spaces, "&" vs "and", "St." vs "St"."""
    parts = re.split(r"[ -]+", words.strip())
    out: list[str] = []
    for part in parts:
        if part.lower() == "and":
            out.append(r"(?i:and|&)")
        elif part == "St":
            out.append(r"St\.?")
        elif part.lower() in {"upon", "on", "with", "of", "the"}:
            out.append(rf"(?i:{part})")
        else:
            out.append(re.escape(part))
    return r"[ \-]+".join(out)


def _place_names(authority: Authority) -> list[str]:
    """The place and the aliases that are place names rather than council names."""
    return [name for name in (authority.place, *authority.aliases)
            if name == authority.place or not _COUNCIL_WORD.search(name)]


@dataclass(frozen=True)
class _Matcher:
    """The compiled council-name regex and what its groups mean."""

    pattern: re.Pattern[str]
    authority_of_group: dict[str, int]  # group name -> index in AUTHORITIES
    place_groups: frozenset[str]  # groups of place names (the others are whole council names)
    first_words: frozenset[str]  # words a match can start with


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    """One regex for "[prefix] place [suffix]" and for council names that do not fit that form.

    Places are tried longest first ("North East Lincolnshire" before "Lincolnshire"). A listed
    name or alias that the generic form does not spell ("Corporation of London", "RBKC") gets an
    alternative of its own.
    """
    places = sorted(((name, index) for index, authority in enumerate(AUTHORITIES)
                     for name in _place_names(authority)), key=lambda e: -len(e[0]))
    groups: dict[str, int] = {}
    place_alternatives: list[str] = []
    for number, (name, index) in enumerate(places):
        groups[f"p{number}"] = index
        place_alternatives.append(rf"(?P<p{number}>{_flexible(name)})")
    generic = rf"{_PREFIX}?(?:{'|'.join(place_alternatives)}){_SUFFIX}?"
    generic_pattern = re.compile(generic)
    explicit_alternatives: list[str] = []
    for index, authority in enumerate(AUTHORITIES):
        for name in (authority.name, *authority.aliases):
            formal_alias = _COUNCIL_WORD.search(name) or name.isupper()
            if formal_alias and not generic_pattern.fullmatch(name):
                group = f"e{len(explicit_alternatives)}"
                groups[group] = index
                explicit_alternatives.append(rf"(?P<{group}>{_flexible(name)})")
    pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(explicit_alternatives)}|{generic})(?![\w-])")
    first_words = {_WORD.findall(name)[0] for name, _ in places}
    first_words |= {_WORD.findall(a)[0] for au in AUTHORITIES for a in (au.name, *au.aliases)}
    return _Matcher(pattern, groups, frozenset(g for g in groups if g.startswith("p")),
                    frozenset(first_words | _PREFIX_FIRST_WORDS))


def _to_match(match: re.Match[str], matcher: _Matcher, text: str) -> AuthorityMatch | None:
    """The match as an AuthorityMatch; None for a bare place that must not count alone."""
    group = match.lastgroup or ""
    authority = AUTHORITIES[matcher.authority_of_group[group]]
    bare = group in matcher.place_groups and match.span(group) == match.span()
    if bare and (match.group(0) in _AMBIGUOUS_PLACES or _LONGER_PLACE.match(text, match.end())):
        return None
    start, end = match.span()
    if group in matcher.place_groups and _BOROUGH_OF.match(text, start):
        end = match.end(group)  # "Royal Borough of Windsor and Maidenhead" + "Council Offices"
    the = _LEADING_THE.match(text, start, end)
    if the is not None:
        start = the.end()
    words = text[start:end]
    return AuthorityMatch(authority, start, end, words, _COUNCIL_WORD.search(words) is not None)


_SMALL_WORDS = frozenset({"and", "of", "the", "upon", "on", "with", "under", "in"})


def _title_case(text: str) -> str:
    """Capitalise words ("PORTSMOUTH CITY COUNCIL" -> "Portsmouth City Council"), same length."""
    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        return word.lower() if word.lower() in _SMALL_WORDS else word.capitalize()
    return _WORD.sub(fix, text)


def _find(text: str) -> list[AuthorityMatch]:
    """Matches in order, trying the regex only where a council name could start."""
    matcher = _matcher()
    found: list[AuthorityMatch] = []
    end = 0
    for word in _WORD.finditer(text):
        if word.start() < end or word.group(0) not in matcher.first_words:
            continue
        match = matcher.pattern.match(text, word.start())
        result = _to_match(match, matcher, text) if match is not None else None
        if result is not None:
            found.append(result)
            end = match.end()  # type: ignore[union-attr]
    return found


def find_authorities(text: str, *, formal_only: bool = False) -> list[AuthorityMatch]:
    """Every council named in ``text``, in order: council names and bare place names.

    Text in capitals ("WITHIN PORTSMOUTH CITY COUNCIL") is matched too.

    Args:
        text: any text.
        formal_only: only council-name forms ("Kent County Council"), not bare places ("Kent").
    """
    found = _find(text)
    if not found and sum(c.isupper() for c in text) > sum(c.islower() for c in text):
        found = [AuthorityMatch(m.authority, m.start, m.end, text[m.start:m.end], m.formal)
                 for m in _find(_title_case(text))]
    return [m for m in found if m.formal] if formal_only else found


def find_authority(text: str) -> AuthorityMatch | None:
    """The first council named in ``text``, preferring a formal name over a bare place name."""
    matches = find_authorities(text)
    formal = [m for m in matches if m.formal]
    return (formal or matches)[0] if matches else None


def match_authority(text: str) -> str | None:
    """The canonical formal name of the first council named in ``text``, or None.

    >>> match_authority("inspection within Portsmouth Council children's services")
    'Portsmouth City Council'
    """
    found = find_authority(text)
    return found.authority.name if found else None


def _key(name: str) -> str:
    name = re.sub(r"&", " and ", name.casefold())
    name = re.sub(r"\bst\.", "st", name)
    return " ".join(re.split(r"[\s\-]+", name)).strip()


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Authority]:
    table: dict[str, Authority] = {}
    for authority in AUTHORITIES:
        for name in (authority.name, authority.place, *authority.aliases):
            table.setdefault(_key(name), authority)
    return table


def get_authority(name: str) -> Authority | None:
    """Look up a council by its name, place or alias (case, spacing and "&" do not matter)."""
    return _by_key().get(_key(name))
