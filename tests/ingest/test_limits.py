"""The per-file limits of the loaders (settings with defaults) and the odd encodings they read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.errors import LetterTooLarge, UnreadableLetter
from ingest.loaders import Deadline, display_name, load_letter
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parents[2]
PORTSMOUTH = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"


def _settings(**values: object) -> IngestSettings:
    return IngestSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = IngestSettings.model_construct()
    assert defaults.max_pdf_pages == 200 and defaults.file_time_limit_s == 10.0
    monkeypatch.setenv("REPORTQA_INGEST_MAX_PDF_PAGES", "7")
    assert _settings().max_pdf_pages == 7


def test_utf16_without_bom_is_read(tmp_path: Path) -> None:
    text = PORTSMOUTH.read_text(encoding="utf-8")
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        assert load_letter(path) == text


def test_mixed_utf8_and_cp1252_lines_are_each_decoded(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Children’s services\n".encode() + "Café résumé\n".encode("cp1252"))
    assert load_letter(path) == "Children’s services\nCafé résumé\n"


@pytest.mark.parametrize(("values", "match"), [
    ({"max_file_bytes": 100}, "REPORTQA_INGEST_MAX_FILE_BYTES"),
    ({"max_text_chars": 1000}, "REPORTQA_INGEST_MAX_TEXT_CHARS"),
    ({"max_line_chars": 200}, "REPORTQA_INGEST_MAX_LINE_CHARS"),
])
def test_text_limits_come_from_settings(tmp_path: Path, values: dict[str, object],
                                        match: str) -> None:
    with pytest.raises(LetterTooLarge, match=match) as info:
        load_letter(PORTSMOUTH, _settings(**values))
    assert str(info.value).startswith(PORTSMOUTH.name)


def test_html_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<section>" * 50 + "Dear Sir" + "</section>" * 50, encoding="utf-8")
    assert load_letter(path) == "Dear Sir"
    with pytest.raises(LetterTooLarge, match="REPORTQA_INGEST_MAX_HTML_DEPTH"):
        load_letter(path, _settings(max_html_depth=20))


def test_a_passed_deadline_stops_the_long_loops(tmp_path: Path) -> None:
    path = tmp_path / "letter.html"
    path.write_text("<ul>" + "<li>finding</li>" * 2000 + "</ul>", encoding="utf-8")
    deadline = Deadline(0.001, path.name)
    time.sleep(0.01)
    with pytest.raises(LetterTooLarge, match="REPORTQA_INGEST_FILE_TIME_LIMIT_S"):
        load_letter(path, deadline=deadline)
    assert issubclass(LetterTooLarge, UnreadableLetter)


def test_display_name_escapes_bytes_and_controls() -> None:
    import os

    assert display_name(os.fsdecode(b"/x/a\xff.txt")) == "a\\xff.txt"
    assert display_name("/x/a\nb.txt") == "a\\nb.txt"
    assert display_name("/x/été.txt") == "été.txt"
