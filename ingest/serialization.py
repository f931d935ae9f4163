"""Convert a parsed letter to the JSON record kept with the letter in the store, and back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ingest.models import Finding, Flag, LetterMetadata, ParsedLetter, Section


def letter_to_record(letter: ParsedLetter) -> dict[str, Any]:
    """The parse (metadata, sections, findings and flags with spans) as a JSON-ready dict, text
    excluded."""
    meta = asdict(letter.metadata)
    meta["spans"] = {k: list(v) for k, v in letter.metadata.spans.items()}
    return {"metadata": meta, "sections": [asdict(s) for s in letter.sections],
            "flags": [asdict(f) for f in letter.flags]}


def letter_from_record(text: str, record: dict[str, Any] | str) -> ParsedLetter:
    """Rebuild a :class:`ParsedLetter` from its stored text and record (dict or JSON string).

    Records written before flags existed have no ``flags`` key: they load with no flags.
    """
    data = json.loads(record) if isinstance(record, str) else record
    meta = dict(data.get("metadata", {}))
    meta["spans"] = {k: (int(v[0]), int(v[1])) for k, v in meta.get("spans", {}).items()}
    meta["copy_list"] = list(meta.get("copy_list") or [])
    sections = []
    for raw in data.get("sections", []):
        findings = [Finding(**f) for f in raw.get("findings", [])]
        sections.append(Section(name=raw["name"], heading=raw.get("heading"),
                                char_start=raw["char_start"], char_end=raw["char_end"],
                                findings=findings,
                                none_identified=bool(raw.get("none_identified"))))
    flags = [Flag(kind=str(raw["kind"]), char_start=int(raw["char_start"]),
                  char_end=int(raw["char_end"]), reason=str(raw.get("reason", "")))
             for raw in data.get("flags") or []]
    return ParsedLetter(text=text, metadata=LetterMetadata(**meta), sections=sections,
                        flags=flags)


def letter_summary(document_id: str, source: str, letter: ParsedLetter,
                   stored: Mapping[str, object]) -> dict[str, Any]:
    """The listing fields of a stored letter (``reportqa documents``, ``GET /documents``).

    Everything about the letter comes from its parse (one representation); ``stored`` (the
    letter's store metadata) adds only what the store knows: its chunk count and when it was
    ingested. ``letter`` may be rebuilt without its text (``letter_from_record("", record)``).
    """
    meta = letter.metadata
    date = meta.inspection_start or meta.letter_date
    return {
        "document_id": document_id,
        "source": source,
        "authority": meta.authority,
        "inspection_type": meta.inspection_type,
        "inspection_start": meta.inspection_start,
        "inspection_end": meta.inspection_end,
        "letter_date": meta.letter_date,
        "year": int(date[:4]) if date else None,
        "signatory_name": meta.signatory_name,
        "sections": [section.name for section in letter.sections],
        "chunks": stored.get("chunks", 0),
        "ingested_at": stored.get("ingested_at"),
    }
