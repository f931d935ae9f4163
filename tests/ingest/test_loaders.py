"""Tests of ingest.loaders: every file type, and every way a file can be unusable.

The helpers at the top turn the real letter into "blocks" and render them as text variants and as
PDF (fpdf2), HTML and DOCX (python-docx) files at test time; the normaliser and parser tests use
them too.
"""

from __future__ import annotations

import codecs
import random
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.errors import EmptyLetter, IngestError, UnreadableLetter, UnsupportedFileType
from ingest.loaders import SUPPORTED_SUFFIXES, is_supported, load_letter

FIXTURES = Path(__file__).parent / "fixtures"
REAL_LETTER = FIXTURES / "portsmouth-2009-ucra-letter.txt"
REPO = Path(__file__).resolve().parents[2]
SHARED_LETTER = REPO.parent / "shared" / "corpus" / REAL_LETTER.name
SAMPLE_LETTER = REPO / "data" / "sample" / "letters" / REAL_LETTER.name
HEADINGS = ("Strengths", "Areas for development", "Area for priority action")


def real_letter_text() -> str:
    """The real letter as extracted from the published PDF (the fixture copy)."""
    return REAL_LETTER.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The real letter as blocks, and renderings of the blocks


@dataclass(frozen=True)
class Block:
    """A printed element of the letter: ``para``, ``bullet``, ``heading`` or ``copy`` (a line)."""

    kind: str
    text: str


def letter_blocks(raw: str | None = None) -> list[Block]:
    """Split the real letter into blocks with a deliberately simple reading of its layout."""
    blocks: list[Block] = []
    in_copy = False
    for line in (raw or real_letter_text()).split("\n"):
        if not line.strip():
            continue
        if line.startswith("Copy:"):
            in_copy = True
        if in_copy:
            blocks.append(Block("copy", line.strip()))
        elif line.startswith("- "):
            blocks.append(Block("bullet", line[2:].strip()))
        elif line.startswith(" "):
            blocks.append(Block("bullet", line.strip()))
        elif line.strip() in HEADINGS:
            blocks.append(Block("heading", line.strip()))
        else:
            blocks.append(Block("para", line.strip()))
    return blocks


def expected_findings(blocks: list[Block]) -> dict[str, list[str]]:
    """Findings by section, read from the blocks: bullets after the lead-in or heading."""
    from ingest.models import SATISFACTORY

    found: dict[str, list[str]] = {}
    current: str | None = None
    for block in blocks:
        if block.kind == "heading":
            current = {"Strengths": "Strengths", "Areas for development": "Areas for development",
                       "Area for priority action": "Area for priority action"}[block.text]
        elif block.kind == "para" and "satisfactorily" in block.text and block.text.endswith(":"):
            current = SATISFACTORY
        elif block.kind == "bullet" and current is not None:
            found.setdefault(current, []).append(block.text)
    return found


def swap_priority_and_development(blocks: list[Block]) -> list[Block]:
    """The same letter with the priority action section before the areas for development."""
    start = next(i for i, b in enumerate(blocks) if b.text == "Areas for development")
    lead = next(i for i, b in enumerate(blocks) if "following area for priority action" in b.text)
    end = next(i for i, b in enumerate(blocks) if b.text == "Yours sincerely")
    return blocks[:start] + blocks[lead:end] + blocks[start:lead] + blocks[end:]


def render_text(blocks: Iterable[Block], *, glyph: str = "- ", heading: Callable[[str], str] = str,
                width: int = 0, hyphenate: bool = False, blank_between_bullets: bool = False,
                page_lines: int = 0, page_header: str = "", footer: str = "Page {n} of {m}",
                newline: str = "\n") -> str:
    """Print blocks as a text file with the formatting accidents of PDF extraction."""
    rng = random.Random(7)
    lines: list[str] = []
    previous: Block | None = None
    for block in blocks:
        consecutive = previous is not None and previous.kind == block.kind in ("bullet", "copy")
        if previous is not None and (not consecutive or blank_between_bullets):
            lines.append("")
        if block.kind == "bullet":
            text = glyph + block.text
        elif block.kind == "heading":
            text = heading(block.text)
        else:
            text = block.text
        lines.extend(_wrap(text, width, hyphenate, rng) if width else [text])
        previous = block
    if page_lines:
        pages = [lines[i:i + page_lines] for i in range(0, len(lines), page_lines)]
        lines = []
        for number, page in enumerate(pages, start=1):
            if number > 1 and page_header:
                lines += [page_header, ""]
            lines += page + ["", footer.format(n=number, m=len(pages)), ""]
    return newline.join(lines) + newline


def _wrap(text: str, width: int, hyphenate: bool, rng: random.Random) -> list[str]:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
    if not hyphenate:
        return lines
    out: list[str] = []
    carry = ""
    for index, line in enumerate(lines):
        line = (carry + " " + line).strip() if carry else line
        carry = ""
        words = line.split(" ")
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        first = nxt.split(" ")[0] if nxt else ""
        if first.isalpha() and first.islower() and len(first) >= 8 and rng.random() < 0.7:
            cut = len(first) // 2
            words.append(first[:cut] + "-")
            lines[index + 1] = first[cut:] + nxt[len(first):]
        out.append(" ".join(words))
    return out


def render_pdf(blocks: list[Block], path: Path, *, bullet: str = "-", page_header: str = "",
               user_password: str | None = None, owner_password: str | None = None) -> Path:
    """A PDF of the blocks (core fonts), with a page header from page 2 and a page footer."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class LetterPDF(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            if self.page_no() > 1 and page_header:
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, page_header, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = LetterPDF(format="A4")
    pdf.alias_nb_pages()
    if owner_password is not None:
        pdf.set_encryption(owner_password=owner_password, user_password=user_password)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    for block in blocks:
        pdf.set_font("Helvetica", style="B" if block.kind == "heading" else "", size=11)
        if block.kind == "bullet":
            pdf.cell(6, 5.5, bullet)
        pdf.multi_cell(0, 5.5, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if block.kind not in ("bullet", "copy"):
            pdf.ln(2)
    pdf.output(str(path))
    return path


def render_html(blocks: list[Block], path: Path) -> Path:
    """An HTML page of the blocks: bullets as <li>, headings as <h3>, copy lines with <br>."""
    import html

    out = ["<!DOCTYPE html><html><head><title>Ofsted letter</title>",
           "<style>p { margin: 0 }</style><script>var x = 'Strengths';</script></head><body>"]
    in_list = False
    copy: list[str] = []
    for block in blocks:
        if block.kind != "bullet" and in_list:
            out.append("</ul>")
            in_list = False
        text = html.escape(block.text).replace(" ", "&nbsp;", 1)
        if block.kind == "bullet":
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>\n  {text}\n</li>")
        elif block.kind == "heading":
            out.append(f"<h3>{text}</h3>")
        elif block.kind == "copy":
            copy.append(text)
        else:
            out.append(f"<p>{text}</p>")
    out.append("<p>" + "<br>\n".join(copy) + "</p></body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def render_docx(blocks: list[Block], path: Path) -> Path:
    """A Word document of the blocks: letterhead in a table, bullets in the List Bullet style."""
    import docx

    document = docx.Document()
    letterhead = [b for b in blocks[:3]]
    table = document.add_table(rows=1, cols=len(letterhead))
    for cell, block in zip(table.rows[0].cells, letterhead, strict=True):
        cell.text = block.text
    for block in blocks[3:]:
        if block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "heading":
            document.add_paragraph().add_run(block.text).bold = True
        else:
            document.add_paragraph(block.text)
    document.save(str(path))
    return path


# ---------------------------------------------------------------------------------------------
# Text files


def test_supported_suffixes_cover_the_documented_types() -> None:
    assert {".txt", ".md", ".pdf", ".html", ".htm", ".docx"} <= set(SUPPORTED_SUFFIXES)
    assert is_supported("letter.PDF") and not is_supported("letter.doc")


@pytest.mark.parametrize("copy", [SHARED_LETTER, SAMPLE_LETTER], ids=["shared", "sample"])
def test_the_fixture_is_the_real_letter(copy: Path) -> None:
    if not copy.exists():
        pytest.skip(f"{copy} is not in this checkout")
    assert copy.read_bytes() == REAL_LETTER.read_bytes()


def test_txt_is_returned_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "portsmouth.txt"
    path.write_bytes(REAL_LETTER.read_bytes())
    assert load_letter(path) == real_letter_text()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_txt_encodings(tmp_path: Path, encoding: str) -> None:
    text = "9 December 2009\n\nDear Mr Wooster\n\nOfsted’s “annual” review – café\n"
    path = tmp_path / f"letter-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    loaded = load_letter(path)
    assert loaded == text
    assert not loaded.startswith(codecs.BOM_UTF8.decode("utf-8"))


def test_markdown_markup_is_dropped_and_lists_kept(tmp_path: Path) -> None:
    path = tmp_path / "letter.md"
    path.write_text("# Letter\n\n## Strengths\n\n* **Case records** are up to date.\n"
                    "- Staff are *well* supported.\n\n---\n\nSee [the report](http://x.y).\n",
                    encoding="utf-8")
    text = load_letter(path)
    assert "Strengths" in text.splitlines() and "#" not in text
    assert "* Case records are up to date." in text.splitlines()
    assert "- Staff are well supported." in text.splitlines()
    assert "See the report." in text and "---" not in text and "http" not in text


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_blocks_become_lines_and_items_bullets(tmp_path: Path) -> None:
    path = tmp_path / "letter.html"
    path.write_text(
        "<html><head><title>T</title><style>.a{}</style></head><body>"
        "<script>alert('x')</script><div>Ofsted<br>Piccadilly Gate</div>"
        "<p>This   letter\n contains <b>findings</b>.</p><h2>Strengths</h2>"
        "<ul><li>Case records are up to date.</li><li><p>Staff are supported.</p></li></ul>"
        "<!-- a comment --><table><tr><td>Direct T</td><td>0117 945</td></tr></table>"
        "</body></html>", encoding="utf-8")
    lines = [line for line in load_letter(path).split("\n") if line]
    assert lines == ["Ofsted", "Piccadilly Gate", "This letter contains findings.", "Strengths",
                     "- Case records are up to date.", "- Staff are supported.", "Direct T",
                     "0117 945"]


def test_html_rendering_of_the_real_letter_keeps_every_block(tmp_path: Path) -> None:
    blocks = letter_blocks()
    text = load_letter(render_html(blocks, tmp_path / "portsmouth.htm"))
    assert "alert" not in text and "var x" not in text and "Ofsted letter" not in text
    lines = [line.replace("\u00a0", " ") for line in text.split("\n") if line]
    expected = [("- " + b.text) if b.kind == "bullet" else b.text for b in blocks]
    assert lines == expected


# ---------------------------------------------------------------------------------------------
# DOCX


def test_docx_paragraphs_lists_and_tables(tmp_path: Path) -> None:
    blocks = letter_blocks()
    text = load_letter(render_docx(blocks, tmp_path / "portsmouth.docx"))
    lines = [line for line in text.split("\n") if line]
    expected = [("- " + b.text) if b.kind == "bullet" else b.text for b in blocks]
    assert lines == expected


def test_docx_page_header_comes_first(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Ofsted Piccadilly Gate Manchester M1 2WD"
    document.add_paragraph("9 December 2009")
    path = tmp_path / "letter.docx"
    document.save(str(path))
    assert load_letter(path).split("\n\n") == ["Ofsted Piccadilly Gate Manchester M1 2WD",
                                               "9 December 2009"]


# ---------------------------------------------------------------------------------------------
# PDF


def test_pdf_text_layer_with_pages_separated_by_form_feeds(tmp_path: Path) -> None:
    blocks = letter_blocks()
    text = load_letter(render_pdf(blocks, tmp_path / "portsmouth.pdf", page_header="Ofsted"))
    pages = text.split("\f")
    assert len(pages) >= 2
    assert "Page 1 of" in pages[0] and pages[1].lstrip().startswith("Ofsted")
    flat = " ".join(text.split())
    for block in blocks:
        assert " ".join(block.text.split()) in flat


def test_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    path = render_pdf(letter_blocks()[:12], tmp_path / "open.pdf", owner_password="owner")
    assert "Dear Mr Wooster" in load_letter(path)


# ---------------------------------------------------------------------------------------------
# Errors


def _assert_helpful(error: IngestError, name: str) -> None:
    message = str(error)
    assert message.startswith(f"{name}: ")
    assert any(word in message for word in ("supply", "run", "save", "rename", "check",
                                            "re-export", "convert"))
    assert error.path is not None and error.path.name == name


@pytest.mark.parametrize("name", ["letter.doc", "letter.xyz", "letter"])
def test_unknown_type(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Dear Mr Wooster", encoding="utf-8")
    with pytest.raises(UnsupportedFileType) as info:
        load_letter(path)
    _assert_helpful(info.value, name)
    assert ".pdf" in str(info.value)


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.docx", "empty.html"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(EmptyLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, name)


@pytest.mark.parametrize(("name", "content"), [
    ("blank.txt", b"  \n\t\r\n  \n"),
    ("blank.md", b"#\n\n---\n"),
    ("blank.html", b"<html><body><script>var a = 1;</script><p> </p></body></html>"),
])
def test_whitespace_only(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmptyLetter):
        load_letter(path)


def test_empty_docx(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyLetter):
        load_letter(path)


@pytest.mark.parametrize("content", [
    b"Dear Mr Wooster\x00\x00\x01binary",
    random.Random(3).randbytes(4000).replace(b"\x00", b"\x01"),  # junk without NUL bytes
    b"%PDF-1.7\n1 0 obj\n",
])
def test_binary_junk_named_txt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(content)
    with pytest.raises(UnreadableLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, "junk.txt")


@pytest.mark.parametrize("content", [b"%PDF-1.4\nthis is not really a pdf", b"not a pdf at all",
                                     b"%PDF-1.4\n1 0 obj << /Type /Catalog"])
def test_corrupt_pdf(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, "corrupt.pdf")


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = render_pdf(letter_blocks(), tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(UnreadableLetter):
        load_letter(path)


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = render_pdf(letter_blocks()[:12], tmp_path / "locked.pdf", owner_password="owner",
                      user_password="secret")
    with pytest.raises(UnreadableLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, "locked.pdf")
    assert "password" in str(info.value)


def test_image_only_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 280), "white").save(image)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=180)
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)
    path = tmp_path / "portsmouth.pdf"
    pdf.output(str(path))
    with pytest.raises(UnreadableLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, "portsmouth.pdf")
    assert "no text layer" in str(info.value) and "OCR" in str(info.value)


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this zip is broken")
    with pytest.raises(UnreadableLetter) as info:
        load_letter(path)
    _assert_helpful(info.value, "broken.docx")


def test_deeply_nested_html(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text("<div>" * 5000 + "Dear Mr Wooster" + "</div>" * 5000, encoding="utf-8")
    try:
        text = load_letter(path)
    except UnreadableLetter as error:
        _assert_helpful(error, "nested.html")
    else:
        assert text == "Dear Mr Wooster"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableLetter) as info:
        load_letter(tmp_path / "nowhere.txt")
    _assert_helpful(info.value, "nowhere.txt")


def test_every_error_is_an_ingest_error() -> None:
    for error in (UnsupportedFileType, EmptyLetter, UnreadableLetter):
        assert issubclass(error, IngestError)
