"""File -> raw letter text, one loader per file type.

The loaders only extract text; :func:`ingest.normalize.normalize_text` turns it into the canonical
text. Conventions every loader follows so that normalisation sees the same shapes:

- a list item becomes its own line starting with ``"- "``;
- a paragraph (HTML block, DOCX paragraph) is followed by a blank line;
- a DOCX letter's first page header (where the letterhead often is) comes first; footers are
  page furniture and are left out;
- PDF pages are separated by a form feed ``"\\f"`` so that page headers and footers can be
  recognised and removed by the normaliser.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import logging
import os
import re
import stat
import time
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ingest.errors import EmptyLetter, LetterTooLarge, UnreadableLetter, UnsupportedFileType
from ingest.settings import IngestSettings

logger = logging.getLogger(__name__)

PAGE_BREAK = "\f"

# Share of control characters above which a "text" file is taken to be binary junk.
_MAX_CONTROL_SHARE = 0.02
# Magic numbers of files that are often saved with the wrong suffix, and the suffix they need.
_MAGIC_SUFFIXES = ((b"%PDF-", ".pdf"), (b"PK\x03\x04", ".docx"),
                   (b"\xd0\xcf\x11\xe0", ".doc (convert it to .docx or PDF)"))


# --------------------------------------------------------------------------------------------
# Limits


def display_name(path: Path | str) -> str:
    """The file's name as it can be shown: undecodable bytes and control characters escaped."""
    name = os.fsencode(Path(path).name).decode("utf-8", errors="backslashreplace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)


class Deadline:
    """A time limit for one file, checked inside the long loops.

    It counts the processor time of the thread doing the work, so a machine busy with other work
    does not fail a good letter; a wall-clock backstop of ``WALL_FACTOR`` times the limit still
    stops a file that waits on something forever.

    Args:
        seconds: the processor time the file may take from now.
        name: the file's display name, for the message.
    """

    WALL_FACTOR = 10.0

    def __init__(self, seconds: float, name: str) -> None:
        self.seconds = seconds
        self.name = name
        self.ends = time.thread_time() + seconds
        self.wall_ends = time.monotonic() + seconds * self.WALL_FACTOR

    def check(self, doing: str) -> None:
        """Raise :class:`LetterTooLarge` when the limit has passed."""
        if time.thread_time() > self.ends or time.monotonic() > self.wall_ends:
            raise LetterTooLarge(
                f"{self.name}: gave up after {self.seconds:g} s while {doing}; the file is too "
                "big or too complex for a letter; check it is the right file, or raise "
                "REPORTQA_INGEST_FILE_TIME_LIMIT_S", path=self.name)


def _check_text_size(text: str, name: str, settings: IngestSettings) -> None:
    """Refuse extracted text that is longer, or has longer lines, than a letter can have."""
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > settings.max_line_chars:
        raise LetterTooLarge(
            f"{name}: has a line of {longest:,} characters (the limit is "
            f"{settings.max_line_chars:,}); this is not a letter's text; check the file, or "
            "raise REPORTQA_INGEST_MAX_LINE_CHARS", path=name)
    if len(text) > settings.max_text_chars:
        raise LetterTooLarge(
            f"{name}: holds {len(text):,} characters of text (the limit is "
            f"{settings.max_text_chars:,}); split it into one file per letter, or raise "
            "REPORTQA_INGEST_MAX_TEXT_CHARS", path=name)


# --------------------------------------------------------------------------------------------
# Plain text and Markdown

_UTF16_SAMPLE = 4096


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" / "utf-16-be" when NUL bytes sit at every other position (text without BOM)."""
    sample = data[:_UTF16_SAMPLE]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.02:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.02:
        return "utf-16-be"
    return None


def _decode_mixed(data: bytes) -> str:
    """Line by line: UTF-8 where it is valid, else cp1252 (latin-1 for its unused bytes)."""
    out: list[str] = []
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                out.append(line.decode("latin-1"))
    return "\n".join(out)


def _decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 (BOM or not), UTF-16 (with a BOM, or recognised without one),
    else line by line UTF-8 or cp1252 (files that mix the two)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for magic, suffix in _MAGIC_SUFFIXES:
        if data.startswith(magic):
            raise UnreadableLetter(
                f"{name}: this is not a text file but a {suffix.lstrip('.')} file; "
                f"rename it with the suffix {suffix}", path=name)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            logger.debug("text decoded as %s without a byte-order mark file=%s", utf16, name)
            return data.decode(utf16, errors="replace")
        raise UnreadableLetter(
            f"{name}: the file holds binary data (NUL bytes), not text; supply the letter as "
            "text (saved as UTF-8), PDF, HTML or DOCX", path=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        logger.debug("text decoding fell back to cp1252 line by line file=%s", name)
        return _decode_mixed(data)


def _reject_binary_junk(text: str, name: str) -> None:
    """Raise when decoded text is mostly control characters (a binary file named .txt)."""
    if not text:
        return
    controls = sum(1 for ch in text
                   if (ch not in "\n\r\t\f" and unicodedata.category(ch) == "Cc")
                   or ch == "\ufffd")
    if controls / len(text) > _MAX_CONTROL_SHARE:
        raise UnreadableLetter(
            f"{name}: the file looks like binary data ({controls} control characters in "
            f"{len(text)}), not text; supply the letter as text, PDF, HTML or DOCX", path=name)


_DATA_DELIMITERS = (",", ";", "\t", "|")
_MIN_DATA_ROWS = 3
_DATA_ROW_SHARE = 0.8


def _reject_data_file(text: str, name: str) -> None:
    """Raise for JSON or CSV data saved with a text suffix (it holds no letter)."""
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            raise UnreadableLetter(
                f"{name}: the file holds JSON data, not a letter; supply the letter itself "
                "(text, PDF, HTML or DOCX)", path=name)
    rows = [line for line in stripped.split("\n") if line.strip()]
    if len(rows) < _MIN_DATA_ROWS:
        return
    for delimiter in _DATA_DELIMITERS:
        counts = Counter(row.count(delimiter) for row in rows)
        fields, rows_alike = counts.most_common(1)[0]
        if fields >= 2 and rows_alike >= _DATA_ROW_SHARE * len(rows):
            raise UnreadableLetter(
                f"{name}: the file holds a table of data ({len(rows)} rows of {fields + 1} "
                f"fields separated by {delimiter!r}), not a letter; supply the letter itself",
                path=name)


def _read_limited(path: Path, settings: IngestSettings) -> bytes:
    """The file's bytes, refusing (before reading) a file over ``max_file_bytes``."""
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > settings.max_file_bytes:
            raise LetterTooLarge(
                f"{display_name(path)}: is {size:,} bytes (the limit is "
                f"{settings.max_file_bytes:,}); a letter is far smaller: check the file, or "
                "raise REPORTQA_INGEST_MAX_FILE_BYTES", path=path)
        return handle.read(settings.max_file_bytes + 1)


def _load_text(path: Path, settings: IngestSettings, deadline: Deadline) -> str:
    name = display_name(path)
    text = _decode_text(_read_limited(path, settings), name)
    _check_text_size(text, name, settings)
    _reject_binary_junk(text, name)
    _reject_data_file(text, name)
    return text


# Markdown markup that is dropped, keeping the words (the letter is stored as plain text).
_MD_ATX_HEADING = re.compile(r"^[ ]{0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_RULE_OR_UNDERLINE = re.compile(r"^[ ]{0,3}(?:([-*_=])[ \t]*){3,}$", re.M)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"
                          r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_MD_CODE = re.compile(r"`([^`]*)`")
_MD_BLOCKQUOTE = re.compile(r"^[ ]{0,3}>[ ]?", re.M)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")


def _strip_markdown(text: str) -> str:
    """Remove Markdown markup (headings, emphasis, links, rules); keep list markers and words."""
    text = _MD_ATX_HEADING.sub(lambda m: m.group(1) or "", text)
    text = _MD_RULE_OR_UNDERLINE.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_BLOCKQUOTE.sub("", text)
    return _MD_ESCAPE.sub(r"\1", text)


def _load_markdown(path: Path, settings: IngestSettings, deadline: Deadline) -> str:
    return _strip_markdown(_load_text(path, settings, deadline))


# --------------------------------------------------------------------------------------------
# PDF


# Active content a letter never needs: scripts, launch actions, embedded or attached files.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_ACTIVE_CATALOG_KEYS = ("/JavaScript", "/EmbeddedFiles")
_PDF_EOF_TAIL = 2048


def _pdf_active_content(reader: object, data: bytes) -> str | None:
    """What active content the PDF carries ("JavaScript", "embedded files" ...), or None."""
    found = _PDF_ACTIVE.search(data)
    if found is not None:
        return found.group(0).decode("ascii").lstrip("/")
    try:  # in compressed object streams the raw bytes do not show it: ask the catalog
        root = reader.trailer["/Root"]  # type: ignore[attr-defined]
        names = root.get("/Names") or {}
        for key in _PDF_ACTIVE_CATALOG_KEYS:
            if key in names:
                return key.lstrip("/")
        action = root.get("/OpenAction")
        if hasattr(action, "get") and action.get("/S") in ("/JavaScript", "/Launch"):
            return str(action.get("/S")).lstrip("/")
        if "/AA" in root:
            return "automatic actions"
    except Exception:  # a damaged catalog is reported when the pages are read
        return None
    return None


def _pdf_page_count(reader: object) -> int:
    """The page count declared by the page tree (cheap), else the pages counted."""
    try:
        return int(reader.trailer["/Root"]["/Pages"]["/Count"])  # type: ignore[attr-defined]
    except Exception:
        return len(reader.pages)  # type: ignore[attr-defined]


def _load_pdf(path: Path, settings: IngestSettings, deadline: Deadline) -> str:
    """The PDF's text layer, pages separated by form feeds."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    name = display_name(path)
    data = _read_limited(path, settings)
    if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise UnreadableLetter(f"{name}: the file is not a PDF (no PDF header); re-export or "
                               "re-download it, or give it the suffix of its real type",
                               path=path)
    if b"%%EOF" not in data[-_PDF_EOF_TAIL:]:
        raise UnreadableLetter(f"{name}: the PDF is truncated (it has no end-of-file marker); "
                               "download or export it again", path=path)
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:
        raise UnreadableLetter(
            f"{name}: the PDF is corrupt or not a PDF ({exc}); re-export or re-download it",
            path=path) from exc
    if encrypted:
        try:
            decrypted = reader.decrypt("")
        except (DependencyError, NotImplementedError) as exc:
            raise UnreadableLetter(
                f"{name}: the PDF is encrypted with a method this installation cannot open "
                f"({exc}); save an unencrypted copy", path=path) from exc
        if decrypted == PasswordType.NOT_DECRYPTED:
            raise UnreadableLetter(
                f"{name}: the PDF is protected by a password; save a copy without a password "
                "or supply a text version", path=path)
    active = _pdf_active_content(reader, data)
    if active is not None:
        raise UnreadableLetter(
            f"{name}: the PDF carries active content ({active}), which a letter never needs; "
            "print it to a new PDF without attachments or scripts, or supply a text version",
            path=path)
    try:
        count = _pdf_page_count(reader)
    except Exception as exc:
        raise UnreadableLetter(f"{name}: the PDF's pages cannot be read ({type(exc).__name__}: "
                               f"{exc}); re-export it or supply a text version",
                               path=path) from exc
    if count > settings.max_pdf_pages:
        raise LetterTooLarge(
            f"{name}: the PDF has {count:,} pages (the limit is {settings.max_pdf_pages:,}); "
            "supply one file per letter, or raise REPORTQA_INGEST_MAX_PDF_PAGES", path=path)
    pages: list[str] = []
    chars = 0
    try:
        for number, page in enumerate(reader.pages, 1):
            deadline.check(f"reading page {number} of {count}")
            if number > settings.max_pdf_pages:
                raise LetterTooLarge(
                    f"{name}: the PDF has more than {settings.max_pdf_pages:,} pages; supply "
                    "one file per letter, or raise REPORTQA_INGEST_MAX_PDF_PAGES", path=path)
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > settings.max_text_chars:
                _check_text_size(PAGE_BREAK.join(pages), name, settings)
    except LetterTooLarge:
        raise
    except Exception as exc:
        raise UnreadableLetter(
            f"{name}: the PDF could not be read ({type(exc).__name__}: {exc}); re-export it or "
            "supply a text version", path=path) from exc
    text = PAGE_BREAK.join(pages)
    if not text.strip():
        raise UnreadableLetter(
            f"{name}: the PDF has no text layer (scanned image?); run OCR first or supply a "
            "text version", path=path)
    return text


# --------------------------------------------------------------------------------------------
# HTML

_HTML_DROPPED = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe",
    "object", "embed", "svg", "canvas", "button", "select", "option", "input", "textarea",
})
_HTML_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "main", "menu", "nav",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul",
})
_HTML_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_WHITESPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")

# Tokens of the flattened HTML besides text: a line break, a paragraph break, a bullet start.
_BR, _PARA, _BULLET = object(), object(), object()


def _html_tokens(node: Tag, out: list[object], pre: bool = False,
                 deadline: Deadline | None = None) -> None:
    """Flatten ``node`` into text pieces and break markers, in document order."""
    if deadline is not None and len(out) % 256 == 0:
        deadline.check("reading the HTML")
    for child in node.children:
        if isinstance(child, NavigableString):
            if isinstance(child, _HTML_SKIPPED_STRINGS):
                continue
            text = str(child)
            if pre:
                lines = text.split("\n")
                for i, line in enumerate(lines):
                    if i:
                        out.append(_BR)
                    out.append(line)
            else:
                out.append(_WHITESPACE_RUN.sub(" ", text))
            continue
        if not isinstance(child, Tag):
            continue
        name = (child.name or "").lower()
        if name in _HTML_DROPPED:
            continue
        if name == "br":
            out.append(_BR)
        elif name == "li":
            out.append(_BULLET)
            _html_tokens(child, out, pre, deadline)
            out.append(_PARA)
        elif name in _HTML_BLOCKS:
            out.append(_PARA)
            _html_tokens(child, out, pre or name == "pre", deadline)
            out.append(_PARA)
        else:
            _html_tokens(child, out, pre, deadline)


def _join_html_tokens(tokens: Iterable[object]) -> str:
    """Assemble tokens: breaks collapse to the strongest, a bullet prefixes its first text."""
    parts: list[str] = []
    pending = ""  # the break to write before the next text
    bullet = False
    for token in tokens:
        if token is _BR:  # <br><br> separates paragraphs
            pending = (pending + "\n")[:2]
        elif token is _PARA:
            pending = "\n\n"
        elif token is _BULLET:
            pending, bullet = "\n\n", True
        elif isinstance(token, str):
            if not token.strip() and (bullet or pending or not parts):
                continue
            if parts and pending:
                parts.append(pending)
            pending = ""
            if bullet:
                parts.append("- " + token.lstrip())
                bullet = False
            else:
                parts.append(token)
    lines = (_WHITESPACE_RUN.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(lines).strip()


# Elements that never hold others (void) or whose end tag is often left out: not nesting.
_HTML_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rt", "rp", "optgroup", "!doctype",
})
_HTML_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")


def _html_depth(data: bytes, limit: int) -> int:
    """How deeply the elements of the page nest, from its tags (stops counting past ``limit``)."""
    depth = deepest = 0
    for tag in _HTML_TAG.finditer(data):
        name = tag.group(2).lower().decode("ascii", errors="replace")
        if name in _HTML_FLAT or tag.group(3):
            continue
        if tag.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
    return deepest


def _load_html(path: Path, settings: IngestSettings, deadline: Deadline) -> str:
    name = display_name(path)
    data = _read_limited(path, settings)
    depth = _html_depth(data, settings.max_html_depth)
    if depth > settings.max_html_depth:
        raise LetterTooLarge(
            f"{name}: the HTML nests elements more than {settings.max_html_depth:,} deep; it is "
            "not a saved letter page: save the letter as text or PDF (or raise "
            "REPORTQA_INGEST_MAX_HTML_DEPTH)", path=path)
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:
        raise UnreadableLetter(f"{name}: the HTML could not be parsed ({exc}); "
                               "save it again as HTML or supply a text version",
                               path=path) from exc
    deadline.check("parsing the HTML")
    tokens: list[object] = []
    try:
        _html_tokens(soup, tokens, deadline=deadline)
    except RecursionError as exc:
        raise UnreadableLetter(f"{name}: the HTML is nested too deeply to read; save the "
                               "letter as text or PDF", path=path) from exc
    text = _join_html_tokens(tokens)
    _check_text_size(text, name, settings)
    _reject_binary_junk(text, name)
    return text


# --------------------------------------------------------------------------------------------
# DOCX


def _is_list_paragraph(paragraph: object) -> bool:
    """True for a Word list item: numbering on the paragraph or a list style."""
    p_pr = getattr(getattr(paragraph, "_p", None), "pPr", None)
    if p_pr is not None and p_pr.numPr is not None:
        return True
    try:
        style = (paragraph.style.name or "").lower()  # type: ignore[attr-defined]
    except Exception:
        return False
    return style.startswith("list") and "continue" not in style


def _docx_blocks(container: object, out: list[str], deadline: Deadline | None = None) -> None:
    """Paragraphs and table cells of ``container`` in document order, list items bulleted."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():  # type: ignore[attr-defined]
        if deadline is not None and len(out) % 64 == 0:
            deadline.check("reading the DOCX paragraphs")
        if isinstance(item, Paragraph):
            text = item.text
            if text.strip() and _is_list_paragraph(item):
                text = "- " + text.strip()
            out.append(text)
        elif isinstance(item, Table):
            for row in item.rows:
                seen: set[int] = set()
                for cell in row.cells:  # merged cells repeat: read each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    _docx_blocks(cell, out, deadline)


_DOCX_MAIN_PART = "word/document.xml"


def _check_docx_zip(path: Path, settings: IngestSettings) -> None:
    """Refuse, before anything is decompressed, a DOCX that is not a zip, lacks its main part
    or declares more unzipped bytes than ``max_unzipped_bytes`` (a zip bomb)."""
    name = display_name(path)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"\xd0\xcf\x11\xe0":
        raise UnreadableLetter(f"{name}: this is an old Word .doc file, not a .docx; save it "
                               "as .docx or PDF from Word", path=path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnreadableLetter(f"{name}: the DOCX is not a valid Word file (a broken zip: "
                               f"{exc}); save it again from Word or supply a PDF or text "
                               "version", path=path) from exc
    declared = sum(info.file_size for info in infos)
    if declared > settings.max_unzipped_bytes:
        raise LetterTooLarge(
            f"{name}: the DOCX would unzip to {declared:,} bytes (the limit is "
            f"{settings.max_unzipped_bytes:,}); it is not a plain letter (a zip bomb?): save "
            "the letter again from Word, or raise REPORTQA_INGEST_MAX_UNZIPPED_BYTES", path=path)
    if _DOCX_MAIN_PART not in {info.filename for info in infos}:
        raise UnreadableLetter(f"{name}: the file is a zip but not a Word document (it has no "
                               f"{_DOCX_MAIN_PART}); save the letter as .docx from Word, or "
                               "supply a PDF or text version", path=path)


def _load_docx(path: Path, settings: IngestSettings, deadline: Deadline) -> str:
    import docx

    name = display_name(path)
    _read_limited(path, settings)  # the size check
    _check_docx_zip(path, settings)
    try:
        document = docx.Document(str(path))
        deadline.check("opening the DOCX")
        blocks: list[str] = []
        if document.sections:  # the letterhead often sits in the first page header
            _docx_blocks(document.sections[0].header, blocks, deadline)
        _docx_blocks(document, blocks, deadline)
    except LetterTooLarge:
        raise
    except Exception as exc:
        raise UnreadableLetter(f"{name}: the DOCX is corrupt or not a Word document "
                               f"({type(exc).__name__}: {exc}); save it again from Word or "
                               "supply a PDF or text version", path=path) from exc
    text = "\n\n".join(block for block in blocks if block.strip())
    _check_text_size(text, name, settings)
    return text


# --------------------------------------------------------------------------------------------
# Dispatch

_Loader = Callable[[Path, IngestSettings, Deadline], str]
_LOADERS: dict[str, _Loader] = {
    ".txt": _load_text,
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".pdf": _load_pdf,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
}

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_LOADERS)
"""File suffixes (lower case, with the dot) that :func:`load_letter` reads."""


def is_supported(path: Path | str) -> bool:
    """True when ``path`` has a suffix :func:`load_letter` reads (case does not matter)."""
    return Path(path).suffix.lower() in _LOADERS


def check_file_name(path: Path | str) -> None:
    """Refuse a file name that is not valid UTF-8 or holds control characters.

    Raises:
        UnreadableLetter: naming the file with its odd bytes escaped, and asking to rename it.
    """
    name = Path(path).name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise UnreadableLetter(
            f"{display_name(path)}: the file name is not valid UTF-8 (saved on another system?); "
            "rename the file, e.g. after its council and year", path=path) from None
    if any(not ch.isprintable() for ch in name):
        raise UnreadableLetter(
            f"{display_name(path)}: the file name holds control characters; rename the file, "
            "e.g. after its council and year", path=path)


def _check_regular_file(path: Path, name: str, settings: IngestSettings) -> os.stat_result:
    """The file's status; refuses folders, devices, pipes, unreadable and oversized files."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableLetter(f"{name}: is a symbolic link that loops back on itself; "
                                   "replace the link with the file", path=path) from exc
        if path.is_symlink():
            raise UnreadableLetter(f"{name}: is a symbolic link to a file that does not exist "
                                   f"({os.readlink(path)}); fix or remove the link",
                                   path=path) from exc
        raise UnreadableLetter(f"{name}: no such file ({exc.strerror}); check the path "
                               "(was it moved or deleted?)", path=path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableLetter(f"{name}: is a folder, not a letter file; give the files inside "
                               "it, or rename the folder", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableLetter(f"{name}: is not a regular file (a pipe, socket or device); "
                               "copy the letter into a plain file", path=path)
    if not stat.S_IMODE(info.st_mode) & 0o444:
        raise UnreadableLetter(f"{name}: nobody may read the file (permissions "
                               f"{stat.filemode(info.st_mode)}); make it readable, e.g. "
                               "chmod a+r", path=path)
    if info.st_size > settings.max_file_bytes:
        raise LetterTooLarge(
            f"{name}: is {info.st_size:,} bytes (the limit is {settings.max_file_bytes:,}); a "
            "letter is far smaller: check the file, or raise REPORTQA_INGEST_MAX_FILE_BYTES",
            path=path)
    return info


def load_letter(path: Path | str, settings: IngestSettings | None = None,
                deadline: Deadline | None = None) -> str:
    """Extract the raw text of a letter file (normalise it with ``normalize_text``).

    Args:
        path: a ``.txt``, ``.md``, ``.pdf``, ``.html``/``.htm`` or ``.docx`` file.
        settings: the per-file limits; the defaults of :class:`IngestSettings` when None.
        deadline: the file's wall-clock deadline; one of ``settings.file_time_limit_s`` from
            now when None.

    Returns:
        The extracted text: list items as ``"- "`` lines, PDF pages separated by ``"\\f"``.

    Raises:
        UnsupportedFileType: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        EmptyLetter: the file holds no text.
        LetterTooLarge: the file is over a limit (size, pages, unzipped size, depth, time).
        UnreadableLetter: missing, corrupt, binary, encrypted or image-only file, a bad name.
    """
    path = Path(path)
    settings = settings or IngestSettings.model_construct()
    name = display_name(path)
    deadline = deadline or Deadline(settings.file_time_limit_s, name)
    check_letter_file(path, settings)
    loader = _LOADERS[path.suffix.lower()]
    try:
        text = loader(path, settings, deadline)
    except OSError as exc:
        raise UnreadableLetter(f"{name}: the file could not be read ({exc.strerror or exc}); "
                               "check that it exists and its permissions", path=path) from exc
    if not text.strip():
        raise EmptyLetter(f"{name}: the file holds no text, only whitespace or markup; "
                          "supply the letter's text", path=path)
    _check_text_size(text, name, settings)
    logger.debug("letter loaded file=%s suffix=%s chars=%d", name, path.suffix.lower(), len(text))
    return text


def check_letter_file(path: Path | str, settings: IngestSettings | None = None) -> None:
    """The checks made before a file is read: its name, suffix, kind, permissions and size.

    Raises:
        UnsupportedFileType: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        EmptyLetter: the file is empty.
        LetterTooLarge: the file is over ``settings.max_file_bytes``.
        UnreadableLetter: a bad name, missing, a folder, a pipe or device, a broken or looping
            link, or a file nobody may read.
    """
    path = Path(path)
    settings = settings or IngestSettings.model_construct()
    name = display_name(path)
    check_file_name(path)
    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        raise UnsupportedFileType(
            f"{name}: files of type '{suffix or '(no suffix)'}' are not supported; "
            f"supply one of {', '.join(SUPPORTED_SUFFIXES)}", path=path)
    if not path.exists() and not path.is_symlink():
        raise UnreadableLetter(f"{name}: no such file; check the path (was it moved or "
                               "deleted?)", path=path)
    if _check_regular_file(path, name, settings).st_size == 0:
        raise EmptyLetter(f"{name}: the file is empty; supply the letter's text", path=path)
