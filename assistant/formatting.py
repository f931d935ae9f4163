"""Small text helpers shared by the answerers: dates in words, lists in prose."""

from __future__ import annotations

import datetime as dt

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def human_date(iso: str | None) -> str:
    """``2009-12-09`` -> ``9 December 2009`` (the letters' style); None -> ``an unknown date``."""
    if not iso:
        return "an unknown date"
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def human_date_range(start: str | None, end: str | None) -> str:
    """``10 and 11 November 2009``, ``30 November and 1 December 2010`` or a single day."""
    if not start:
        return human_date(end)
    if not end or end == start:
        return human_date(start)
    try:
        a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        return f"{start} to {end}"
    if a.year != b.year:
        return f"{human_date(start)} to {human_date(end)}"
    joiner = " and " if (b - a).days == 1 else " to "
    if a.month == b.month:
        return f"{a.day}{joiner}{b.day} {_MONTHS[b.month - 1]} {b.year}"
    return f"{a.day} {_MONTHS[a.month - 1]}{joiner}{b.day} {_MONTHS[b.month - 1]} {b.year}"


def join_names(names: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``a, b and c``."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
