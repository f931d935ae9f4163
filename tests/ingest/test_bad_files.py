"""Every kind of bad file ingested beside two good letters, in one run, over a real store.

Each bad file is built in ``tmp_path`` (nothing large is committed; the big ones are sparse or
refused by their declared sizes). Each must fail with an error that names the file and says what
to do, within a few seconds and a few hundred MB, while both good letters are stored.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import signal
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ingest.pipeline as pipeline_module
from ingest.pipeline import ADDED, FAILED, FileResult, IngestPipeline
from vectorstore.embedder import Embedder
from vectorstore.store import LetterStore

ROOT = Path(__file__).resolve().parents[2]
PORTSMOUTH = ROOT / "data" / "sample" / "letters" / "portsmouth-2009-ucra-letter.txt"
LEEDS = ROOT / "tests" / "assistant" / "fixtures" / "leeds-2010.txt"
GOOD_ODD_NAME = "portsmouth – lettre été (2009) #1.txt"  # odd but valid: must be stored

_WHOLE_TEST_TIMEOUT_S = 240
_PER_FILE_SECONDS = 5.0
_MAX_RSS_GROWTH_MB = 600
# Words of a hint: every error says what to do.
_HINTS = ("supply", "rename", "save", "check", "raise", "give", "run ocr", "download", "export",
          "make it", "replace", "fix", "print", "copy", "split")

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_mode() -> str:
    """The embedded store only (the server mode adds nothing to what is tested here)."""
    return "embedded"


@pytest.fixture
def whole_test_timeout() -> Iterator[None]:
    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"the bad-file ingest took over {_WHOLE_TEST_TIMEOUT_S} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(_WHOLE_TEST_TIMEOUT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _letter_text() -> str:
    return PORTSMOUTH.read_text(encoding="utf-8")


def _pdf_of(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def _pdf_writer_of(text: str):  # type: ignore[no-untyped-def]
    from pypdf import PdfWriter

    return PdfWriter(clone_from=io.BytesIO(_pdf_of(text)))


def _written(writer: object) -> bytes:
    out = io.BytesIO()
    writer.write(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    writer = _pdf_writer_of(_letter_text())
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    return _written(writer)


def _javascript_pdf() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _pdf_writer_of(_letter_text())
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"),
                               NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _written(writer)


def _attachment_pdf() -> bytes:
    writer = _pdf_writer_of(_letter_text())
    writer.add_attachment("payload.exe", b"MZ not really a program")
    return _written(writer)


def _image_only_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 150, 200, style="F")  # a "scan": marks on the page, no text layer
    return bytes(pdf.output())


def _blank_pages_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3000):
        writer.add_blank_page(width=72, height=72)
    return _written(writer)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A 10 MB part of zeros (a few KB zipped) whose headers declare 4 GB unzipped."""
    data = bytearray(_zip({"[Content_Types].xml": b"<Types/>",
                           "word/document.xml": b"\0" * 10_000_000}))
    declared = struct.pack("<I", 0xFFFF0000)
    # (header signature, offset of the uncompressed size, offset of the file name)
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        position = data.find(signature)
        while position >= 0:
            if data[position + name_at:position + name_at + 17] == b"word/document.xml":
                data[position + size_at:position + size_at + 4] = declared
            position = data.find(signature, position + 4)
    return bytes(data)


_COOKIE_PAGE = """<html><head><title>Cookies on GOV.UK</title></head><body>
<div class="cookie-banner"><h2>Cookies on GOV.UK</h2>
<p>We use some essential cookies to make this website work.</p>
<p>We'd like to set additional cookies to understand how you use GOV.UK, remember your settings
and improve government services.</p>
<button>Accept additional cookies</button><button>Reject additional cookies</button>
<a href="/help/cookies">View cookies</a></div></body></html>"""

_SEARCH_PAGE = """<html><body><h1>Search results for "Portsmouth City Council"</h1>
<p>Showing 1 to 10 of 214 results</p>
<ul><li><a href="/a">Portsmouth City Council: unannounced inspection, 10 November 2009</a></li>
<li><a href="/b">Portsmouth City Council: children's services assessment 2010</a></li>
<li><a href="/c">Inspection reports for Portsmouth</a></li></ul>
<p>Sort by: relevance | newest</p></body></html>"""

_COVER_SHEET = """Ofsted
Unannounced inspection of contact, referral and assessment arrangements
Portsmouth City Council
Inspection dates: 10 and 11 November 2009
Reference: 876543

Contents
1. Letter to the Director of Children's Services
2. Annex: evidence base
"""

_README_MD = """# Inspection letters

This folder holds the letters for **2009**. Run `reportqa ingest` on it.

- Portsmouth City Council
- Leeds City Council
"""


def _header_only() -> str:
    text = _letter_text()
    return text[:text.index("The inspection identified")]


def _build_bad_files(folder: Path) -> dict[str, str]:
    """Write every bad file; returns {kind: the name the error must show}."""
    letter = _letter_text()
    rng = random.Random(13)
    junk = rng.randbytes(6000)
    files: dict[str, tuple[str, bytes | str]] = {
        "empty file": ("empty.txt", b""),
        "whitespace only": ("whitespace.txt", b"  \n\t\n   \r\n"),
        "binary junk .txt": ("junk.txt", junk),
        "binary junk .pdf": ("junk.pdf", junk),
        "binary junk .docx": ("junk.docx", junk),
        "binary junk .html": ("junk.html", junk),
        "empty PDF": ("empty.pdf", b""),
        "truncated PDF": ("truncated.pdf", _pdf_of(letter)[:700]),
        "encrypted PDF": ("encrypted.pdf", _encrypted_pdf()),
        "image-only PDF": ("scanned.pdf", _image_only_pdf()),
        "PDF of thousands of blank pages": ("blank-pages.pdf", _blank_pages_pdf()),
        "PDF with JavaScript": ("javascript.pdf", _javascript_pdf()),
        "PDF with an embedded file": ("attachment.pdf", _attachment_pdf()),
        "PDF renamed .txt": ("really-a-pdf.txt", _pdf_of(letter)),
        "huge text": ("huge.txt", (letter + "\n\n") * 60),
        "10 MB single line": ("one-line.txt", b"x" * 10_000_000),
        "deeply nested HTML": ("nested.html", "<div>" * 100_000 + "Dear Sir" + "</div>" * 100_000),
        "HTML with no body text": ("no-body.html", "<html><head><title>Letter</title><script>"
                                   "var x = 1;</script><style>p{}</style></head><body> <div>"
                                   "</div> </body></html>"),
        "broken DOCX zip": ("broken.docx", b"PK\x03\x04" + junk[:500]),
        "DOCX zip bomb": ("bomb.docx", _zip_bomb()),
        "DOCX without document.xml": ("no-document.docx", _zip({"[Content_Types].xml":
                                                                b"<Types/>"})),
        "old .doc renamed .docx": ("old-word.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + junk),
        "UTF-16 without BOM (a note)": ("utf16.txt", "Please find the letter attached. "
                                        "Regards, Jo\n".encode("utf-16-le")),
        "UTF-32 without BOM": ("utf32.txt", letter[:2000].encode("utf-32-le")),
        "Latin-1 note": ("latin1.txt", "Réunion à 10h: café et résumé des lettres.\n"
                         .encode("latin-1")),
        "mixed encodings": ("mixed.txt", "Notes – café\n".encode() + "Réunion à 10h\n"
                            .encode("cp1252")),
        "NUL bytes": ("nul.txt", letter[:3000].encode().replace(b" ", b"\0", 40)),
        "Markdown README": ("README.md", _README_MD),
        "CSV renamed .txt": ("councils.txt", "council,year,rating\nPortsmouth,2009,adequate\n"
                             "Leeds,2010,good\nCumbria,2011,good\n"),
        "JSON renamed .txt": ("letters.txt", json.dumps({"letters": [{"council": "Leeds",
                                                                      "year": 2010}]})),
        "saved cookie page": ("cookies.html", _COOKIE_PAGE),
        "saved search page": ("search.html", _SEARCH_PAGE),
        "cover sheet": ("cover-sheet.txt", _COVER_SHEET),
        "letter that is only a header": ("header-only.txt", _header_only()),
        "short note": ("note.txt", "Jo, the Portsmouth letter is in the post. Thanks!\n"),
        "unsupported extension": ("letter.rtf", "{\\rtf1 Dear Mr Wooster}"),
        "file with no suffix": ("LETTER", letter),
        "chmod 000": ("locked.txt", letter),
        "disappears during discovery": ("vanishing.txt", letter),
    }
    names: dict[str, str] = {}
    for kind, (name, content) in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
        names[kind] = name
    os.chmod(folder / "locked.txt", 0)

    big = folder / "over-size-limit.txt"  # sparse: 30 MB declared, nothing on disk
    with big.open("wb") as handle:
        handle.truncate(30_000_000)
    names["file over the size limit"] = big.name

    odd = os.fsencode(folder) + b"/letter-\xff\xfe.txt"  # not UTF-8: a bytes name on Linux
    with open(odd, "wb") as handle:
        handle.write(letter.encode())
    names["non-UTF-8 file name"] = "letter-\\xff\\xfe.txt"
    (folder / "tab\tname.txt").write_text(letter, encoding="utf-8")
    names["control character in the name"] = "tab\\tname.txt"

    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    names["symlink loop"] = "loop-a.txt"
    os.symlink("nowhere/letter.txt", folder / "dangling.txt")
    names["dangling symlink"] = "dangling.txt"
    (folder / "x.pdf").mkdir()
    names["folder named like a letter"] = "x.pdf"
    os.mkfifo(folder / "pipe.txt")
    names["named pipe"] = "pipe.txt"
    return names


def _vanish_after_discovery(name: str) -> Callable[..., object]:
    real = pipeline_module.discover_files

    def discover(paths: object) -> object:
        found = real(paths)  # type: ignore[arg-type]
        for path, _ in found[0]:
            if path.name == name:
                path.unlink()
        return found

    return discover


def test_every_bad_file_fails_clearly_and_good_letters_are_stored(
    tmp_path: Path, store: LetterStore, embedder: Embedder, whole_test_timeout: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    shutil.copy(PORTSMOUTH, folder / GOOD_ODD_NAME)
    shutil.copy(LEEDS, folder / LEEDS.name)
    names = _build_bad_files(folder)
    assert len(names) >= 30
    monkeypatch.setattr(pipeline_module, "discover_files", _vanish_after_discovery("vanishing.txt"))

    pipeline = IngestPipeline(store, embedder)
    timings: dict[str, float] = {}
    prepare = pipeline._prepare

    def timed(path: Path, source: str, previous: object) -> object:
        started = time.perf_counter()
        try:
            return prepare(path, source, previous)  # type: ignore[arg-type]
        finally:
            timings[source] = time.perf_counter() - started

    monkeypatch.setattr(pipeline, "_prepare", timed)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = pipeline.ingest([folder])
    elapsed = time.perf_counter() - started
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024

    by_source: dict[str, FileResult] = {r.source: r for r in report.results}
    assert by_source[GOOD_ODD_NAME].status == ADDED, by_source[GOOD_ODD_NAME].error
    assert by_source[LEEDS.name].status == ADDED, by_source[LEEDS.name].error
    assert {x.source for x in store.list_letters()} == {GOOD_ODD_NAME, LEEDS.name}

    problems = []
    for kind, name in names.items():
        result = by_source.get(name)
        if result is None:
            problems.append(f"{kind}: no result for {name!r}")
            continue
        error = result.error or ""
        if result.status != FAILED:
            problems.append(f"{kind}: status {result.status}")
        elif name not in error:
            problems.append(f"{kind}: the error does not name {name!r}: {error}")
        elif not any(hint in error.lower() for hint in _HINTS):
            problems.append(f"{kind}: the error says not what to do: {error}")
        json.dumps(result.error)  # every message can be shown and stored
        error.encode("utf-8")
    assert not problems, "\n".join(problems)
    assert "loop-b.txt" in by_source and by_source["loop-b.txt"].status == FAILED

    slow = {source: round(s, 2) for source, s in timings.items() if s > _PER_FILE_SECONDS}
    assert not slow, f"files over {_PER_FILE_SECONDS} s: {slow}"
    assert elapsed < 120
    assert rss_growth_mb < _MAX_RSS_GROWTH_MB


def test_not_a_letter_names_what_is_missing(tmp_path: Path, store: LetterStore,
                                            embedder: Embedder) -> None:
    page = tmp_path / "cookies.html"
    page.write_text(_COOKIE_PAGE, encoding="utf-8")
    [result] = IngestPipeline(store, embedder).ingest([page]).results
    assert result.status == FAILED
    assert "no inspection letter found" in (result.error or "")
    assert "cookie" in (result.error or "")
    assert store.list_letters() == []
