"""Write generated letters as files: plain text (mostly), PDF, HTML and DOCX.

Every format is rendered from the same :func:`evals.generator.letter_blocks`, so a letter says the
same thing in each. Output is byte-for-byte deterministic: PDFs get a fixed creation date and
DOCX archives fixed timestamps.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import math
import random
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from evals.facts import LetterFacts
from evals.generator import DEFAULT_FORMATS_MIX, letter_blocks, render_letter_text

logger = logging.getLogger(__name__)

FORMATS = ("txt", "pdf", "html", "docx")

_PDF_CHARS = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2022": "-", "\uf0b7": "-", "\u2026": "...",
})
_ZIP_TIME = (2010, 1, 1, 0, 0, 0)


def _digest(parts: Sequence[str]) -> int:
    return int(hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16], 16)


def assign_formats(facts_list: Sequence[LetterFacts],
                   formats_mix: Mapping[str, float] | None = None) -> list[str]:
    """Choose a file format for each letter, deterministically.

    Counts follow the weights (largest remainder); each format with a positive weight gets at
    least one letter when there are enough letters. Which letter gets which format depends only on
    the letters' ids.

    Args:
        facts_list: the letters.
        formats_mix: weight per format (``txt``, ``pdf``, ``html``, ``docx``); default 70/10/10/10.

    Returns:
        The extension (without dot) of each letter, in the order of ``facts_list``.
    """
    mix = dict(DEFAULT_FORMATS_MIX if formats_mix is None else formats_mix)
    unknown = sorted(set(mix) - set(FORMATS))
    if unknown:
        raise ValueError(f"formats_mix: unknown format(s) {unknown}; use {list(FORMATS)}")
    fmts = [f for f in FORMATS if mix.get(f, 0) > 0]
    if not fmts:
        raise ValueError("formats_mix: give at least one format a positive weight")
    n = len(facts_list)
    total = sum(mix[f] for f in fmts)
    raw = {f: n * mix[f] / total for f in fmts}
    counts = {f: math.floor(raw[f]) for f in fmts}
    by_remainder = sorted(fmts, key=lambda f: (counts[f] - raw[f], fmts.index(f)))
    for f in by_remainder[: n - sum(counts.values())]:
        counts[f] += 1
    if n >= len(fmts):
        for f in fmts:
            while counts[f] == 0:
                donor = max(fmts, key=lambda g: counts[g])
                counts[donor] -= 1
                counts[f] += 1
    order = list(range(n))
    random.Random(_digest([f.letter_id for f in facts_list])).shuffle(order)
    exts = [""] * n
    pos = 0
    for f in fmts:
        for _ in range(counts[f]):
            exts[order[pos]] = f
            pos += 1
    return exts


def source_names(facts_list: Sequence[LetterFacts],
                 formats_mix: Mapping[str, float] | None = None) -> list[str]:
    """File names the letters are written under (real letters keep their ``source_name``)."""
    exts = assign_formats(facts_list, formats_mix)
    return [f.source_name if not f.synthetic and f.source_name else f"{f.file_stem}.{ext}"
            for f, ext in zip(facts_list, exts, strict=True)]


# --- PDF ---------------------------------------------------------------------------------------


def pdf_safe(text: str) -> str:
    """Map characters the PDF core fonts lack (curly quotes, dashes, bullets) to Latin-1."""
    return text.translate(_PDF_CHARS).encode("latin-1", errors="replace").decode("latin-1")


def render_pdf(facts: LetterFacts) -> bytes:
    """The letter as a PDF (core fonts; page header from page 2 and a page-number footer)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    style = facts.style
    header_text = pdf_safe(facts.prose.page_header)

    class LetterPDF(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, header_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(3)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, style.footer_format.format(n=self.page_no(), m="{nb}"), align="C")

    pdf = LetterPDF(format="A4")
    pdf.set_creation_date(datetime(facts.letter_date.year, facts.letter_date.month,
                                   facts.letter_date.day, 12, tzinfo=UTC))
    pdf.set_title(pdf_safe(facts.subject_line))
    pdf.set_author("Ofsted")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=22)
    pdf.alias_nb_pages()
    pdf.add_page()
    line_h = 5.2

    def para(text: str, bold: bool = False, size: float = 10.5, align: str = "L") -> None:
        pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        pdf.multi_cell(0, line_h, pdf_safe(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    bullet_fonts = {"symbol": ("Symbol", "\u00b7"), "dingbat": ("ZapfDingbats", "l"),
                    "dash": ("Helvetica", "-"), "o": ("Helvetica", "o")}
    for block in letter_blocks(facts):
        if block.kind == "letterhead":
            for line in block.lines:
                para(line, size=8, align="R")
        elif block.kind == "addressee":
            for line in block.lines:
                para(line)
        elif block.kind == "subject" or block.kind == "heading":
            para(block.lines[0], bold=True)
        elif block.kind == "finding":
            font, glyph = bullet_fonts[style.pdf_bullet]
            pdf.set_font(font, size=10.5)
            pdf.cell(6, line_h, glyph)
            pdf.set_font("Helvetica", size=10.5)
            pdf.multi_cell(0, line_h, pdf_safe(block.lines[0]), new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
        elif block.kind == "signoff":
            sign_off, name, title = block.lines
            para(sign_off)
            pdf.ln(8)
            para(name)
            para(title)
        elif block.kind == "copy":
            for line in block.lines:
                para(line, size=9.5)
        else:
            para(block.lines[0])
        pdf.ln(1.5 if block.kind == "finding" else 3)
    return bytes(pdf.output())


# --- HTML --------------------------------------------------------------------------------------


def render_html(facts: LetterFacts) -> str:
    """The letter as a standalone HTML page (findings as ``<li>``, or ``<p>`` when unbulleted)."""
    style = facts.style
    e = html.escape
    out = ['<!DOCTYPE html>', '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(facts.subject_line)}</title>", "</head>", "<body>"]
    in_list = False
    for block in letter_blocks(facts):
        if block.kind != "finding" and in_list:
            out.append("</ul>")
            in_list = False
        if block.kind == "letterhead":
            out.append('<div class="letterhead">')
            out += [f"<p>{e(line)}</p>" for line in block.lines]
            out.append("</div>")
        elif block.kind == "date":
            out.append(f'<p class="date">{e(block.lines[0])}</p>')
        elif block.kind in ("addressee", "signoff", "copy"):
            lines = "<br>\n".join(e(x) for x in block.lines)
            out.append(f'<p class="{block.kind}">{lines}</p>')
        elif block.kind == "subject":
            out.append(f'<p class="subject"><strong>{e(block.lines[0])}</strong></p>')
        elif block.kind == "heading":
            text = e(block.lines[0])
            if style.html_headings == "bold":
                out.append(f"<p><b>{text}</b></p>")
            else:
                out.append(f"<{style.html_headings}>{text}</{style.html_headings}>")
        elif block.kind == "finding":
            if style.glyph == "":
                out.append(f'<p class="finding">{e(block.lines[0])}</p>')
            else:
                if not in_list:
                    out.append("<ul>")
                    in_list = True
                out.append(f"<li>{e(block.lines[0])}</li>")
        else:
            out.append(f"<p>{e(block.lines[0])}</p>")
    if in_list:
        out.append("</ul>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# --- DOCX --------------------------------------------------------------------------------------


def _fixed_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buffer.getvalue()


def render_docx(facts: LetterFacts) -> bytes:
    """The letter as a Word document: letterhead in the page header, findings as List Bullet."""
    from docx import Document
    from docx.shared import Pt

    style = facts.style
    doc = Document()
    stamp = datetime(facts.letter_date.year, facts.letter_date.month, facts.letter_date.day, 12)
    props = doc.core_properties
    props.author = "Ofsted"
    props.last_modified_by = "Ofsted"
    props.title = facts.subject_line
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    header = doc.sections[0].header
    for block in letter_blocks(facts):
        if block.kind == "letterhead":
            first = header.paragraphs[0]
            first.text = block.lines[0]
            for line in block.lines[1:]:
                header.add_paragraph(line)
        elif block.kind == "heading":
            if style.html_headings == "h2":
                doc.add_heading(block.lines[0], level=2)
            else:
                doc.add_paragraph().add_run(block.lines[0]).bold = True
        elif block.kind == "finding":
            doc.add_paragraph(block.lines[0], style="List Bullet")
        elif block.kind in ("addressee", "signoff", "copy"):
            paragraph = doc.add_paragraph()
            for i, line in enumerate(block.lines):
                run = paragraph.add_run(line)
                if i < len(block.lines) - 1:
                    run.add_break()
        elif block.kind == "subject":
            run = doc.add_paragraph().add_run(block.lines[0])
            run.bold = True
            run.font.size = Pt(11)
        else:
            doc.add_paragraph(block.lines[0])
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


# --- Corpus ------------------------------------------------------------------------------------


def write_letter(facts: LetterFacts, path: Path) -> None:
    """Write one letter in the format its extension names (txt, pdf, html or docx)."""
    fmt = path.suffix.lstrip(".")
    if fmt == "txt":
        text = render_letter_text(facts)
        if facts.style.crlf:
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode("utf-8"))
    elif fmt == "pdf":
        path.write_bytes(render_pdf(facts))
    elif fmt == "html":
        path.write_bytes(render_html(facts).encode("utf-8"))
    elif fmt == "docx":
        path.write_bytes(render_docx(facts))
    else:
        raise ValueError(f"{path}: unsupported letter format {fmt!r}; use one of {list(FORMATS)}")


def write_corpus(facts_list: Sequence[LetterFacts], out_dir: str | Path,
                 formats_mix: Mapping[str, float] | None = None) -> list[str]:
    """Write every letter into ``out_dir`` in a deterministic mix of formats.

    Args:
        facts_list: the letters (synthetic ones; a real letter is skipped, its file already exists).
        out_dir: folder to write into (created if missing).
        formats_mix: weight per format; default 70% txt, 10% each pdf/html/docx.

    Returns:
        The file names written, in the order of ``facts_list`` (use them as gold sources).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = source_names(facts_list, formats_mix)
    for facts, name in zip(facts_list, names, strict=True):
        if facts.synthetic:
            write_letter(facts, out / name)
    logger.info("wrote letters=%d dir=%s", len(names), out)
    return names


def extract_text(path: str | Path) -> str:
    """Read a written letter back as text (pypdf, python-docx incl. page header, BeautifulSoup)."""
    p = Path(path)
    fmt = p.suffix.lower().lstrip(".")
    if fmt == "txt":
        return p.read_bytes().decode("utf-8")
    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(p)).pages)
    if fmt == "html":
        from bs4 import BeautifulSoup

        return BeautifulSoup(p.read_bytes(), "html.parser").get_text("\n")
    if fmt == "docx":
        from docx import Document

        doc = Document(str(p))
        header = [par.text for s in doc.sections for par in s.header.paragraphs]
        return "\n".join([*header, *(par.text for par in doc.paragraphs)])
    raise ValueError(f"{p}: unsupported letter format {fmt!r}; use one of {list(FORMATS)}")


__all__ = ["FORMATS", "assign_formats", "extract_text", "pdf_safe", "render_docx",
           "render_html", "render_pdf", "source_names", "write_corpus", "write_letter"]
