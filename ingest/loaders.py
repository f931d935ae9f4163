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
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ingest.errors import EmptyLetter, UnreadableLetter, UnsupportedFileType

logger = logging.getLogger(__name__)

PAGE_BREAK = "\f"

# Share of control characters above which a "text" file is taken to be binary junk.
_MAX_CONTROL_SHARE = 0.02
# Magic numbers of files that are often saved with the wrong suffix, and the suffix they need.
_MAGIC_SUFFIXES = ((b"%PDF-", ".pdf"), (b"PK\x03\x04", ".docx"),
                   (b"\xd0\xcf\x11\xe0", ".doc (convert it to .docx or PDF)"))


# --------------------------------------------------------------------------------------------
# Plain text and Markdown


def _decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
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
        raise UnreadableLetter(
            f"{name}: the file holds binary data (NUL bytes), not text; "
            "supply the letter as text, PDF, HTML or DOCX", path=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        logger.debug("text decoding fell back to latin-1 file=%s", name)
        return data.decode("latin-1")


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


def _load_text(path: Path) -> str:
    text = _decode_text(path.read_bytes(), path.name)
    _reject_binary_junk(text, path.name)
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


def _load_markdown(path: Path) -> str:
    return _strip_markdown(_load_text(path))


# --------------------------------------------------------------------------------------------
# PDF


def _load_pdf(path: Path) -> str:
    """The PDF's text layer, pages separated by form feeds."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    name = path.name
    try:
        reader = PdfReader(path)
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
    pages: list[str] = []
    try:
        for page in reader.pages:
            pages.append(page.extract_text() or "")
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


def _html_tokens(node: Tag, out: list[object], pre: bool = False) -> None:
    """Flatten ``node`` into text pieces and break markers, in document order."""
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
            _html_tokens(child, out, pre)
            out.append(_PARA)
        elif name in _HTML_BLOCKS:
            out.append(_PARA)
            _html_tokens(child, out, pre or name == "pre")
            out.append(_PARA)
        else:
            _html_tokens(child, out, pre)


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


def _load_html(path: Path) -> str:
    try:
        soup = BeautifulSoup(path.read_bytes(), "lxml")
    except Exception as exc:
        raise UnreadableLetter(f"{path.name}: the HTML could not be parsed ({exc}); "
                               "save it again as HTML or supply a text version",
                               path=path) from exc
    tokens: list[object] = []
    try:
        _html_tokens(soup, tokens)
    except RecursionError as exc:
        raise UnreadableLetter(f"{path.name}: the HTML is nested too deeply to read; save the "
                               "letter as text or PDF", path=path) from exc
    text = _join_html_tokens(tokens)
    _reject_binary_junk(text, path.name)
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


def _docx_blocks(container: object, out: list[str]) -> None:
    """Paragraphs and table cells of ``container`` in document order, list items bulleted."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in container.iter_inner_content():  # type: ignore[attr-defined]
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
                    _docx_blocks(cell, out)


def _load_docx(path: Path) -> str:
    import docx

    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        if document.sections:  # the letterhead often sits in the first page header
            _docx_blocks(document.sections[0].header, blocks)
        _docx_blocks(document, blocks)
    except Exception as exc:
        raise UnreadableLetter(f"{path.name}: the DOCX is corrupt or not a Word document "
                               f"({type(exc).__name__}: {exc}); save it again from Word or "
                               "supply a PDF or text version", path=path) from exc
    return "\n\n".join(block for block in blocks if block.strip())


# --------------------------------------------------------------------------------------------
# Dispatch

_LOADERS: dict[str, Callable[[Path], str]] = {
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


def load_letter(path: Path | str) -> str:
    """Extract the raw text of a letter file (normalise it with ``normalize_text``).

    Args:
        path: a ``.txt``, ``.md``, ``.pdf``, ``.html``/``.htm`` or ``.docx`` file.

    Returns:
        The extracted text: list items as ``"- "`` lines, PDF pages separated by ``"\\f"``.

    Raises:
        UnsupportedFileType: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        EmptyLetter: the file holds no text.
        UnreadableLetter: missing, corrupt, binary, encrypted or image-only file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise UnsupportedFileType(
            f"{path.name}: files of type '{suffix or '(no suffix)'}' are not supported; "
            f"supply one of {', '.join(SUPPORTED_SUFFIXES)}", path=path)
    if not path.is_file():
        raise UnreadableLetter(f"{path.name}: no such file ({path}); check the path", path=path)
    if path.stat().st_size == 0:
        raise EmptyLetter(f"{path.name}: the file is empty; supply the letter's text", path=path)
    try:
        text = loader(path)
    except OSError as exc:
        raise UnreadableLetter(f"{path.name}: the file could not be read ({exc}); "
                               "check its permissions", path=path) from exc
    if not text.strip():
        raise EmptyLetter(f"{path.name}: the file holds no text, only whitespace or markup; "
                          "supply the letter's text", path=path)
    logger.debug("letter loaded file=%s suffix=%s chars=%d", path.name, suffix, len(text))
    return text
