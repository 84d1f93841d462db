"""Reading documents: plain text, HTML (its main text) or PDF (its text layer).

What a researcher hands ``kgraph ingest`` is a file saved from the web or a journal: an
article as text, the HTML page it was read on, or its PDF. This module turns each into the
one text that everything after it works on: the text saved beside the proposals, which every
quote is a verbatim part of and every offset counts into. Each kind of unreadable input is
refused with what was wrong with which file, before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

#: Documents larger than this are refused: an article, a report or a book is far smaller,
#: and linking a larger file would take hours (about a second per thousand words).
MAX_BYTES = 20_000_000
#: Share of control characters above which a file is taken for binary data.
_BINARY_SHARE = 0.01
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class Document:
    """One document as read: its text (what the proposals quote) and what its file says
    about it (title, URL, date, publisher, language), each None when not known."""

    path: Path
    text: str
    format: str  # "text", "html" or "pdf"
    metadata: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.text.split())


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """The document at ``path``: its format is told by its content, not its name."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file; expected a text, HTML or PDF document.")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: the document is {size / 1e6:.1f} MB; kgraph ingest reads "
                         f"documents of up to {max_bytes / 1e6:.0f} MB (split a larger file "
                         "into its articles or chapters).")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the document is empty; expected a text, HTML or PDF "
                         "document with some text.")
    if data.startswith(b"%PDF-"):
        document = Document(path, *_pdf_text(path, data))
    elif _HTML_START.match(data[:2048]):
        document = Document(path, *_html_text(path, _decode(path, data)))
    else:
        document = Document(path, _plain_text(_decode(path, data)), "text", {})
    if not document.text.strip():
        raise InputError(f"{path}: the document has no text to read.")
    return document


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text (a byte-order mark dropped), or a clear refusal of binary data."""
    if b"\x00" in data[:65536]:
        raise InputError(f"{path}: the file holds binary data (an image, archive or office "
                         "document?); expected a text, HTML or PDF document.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text (byte {exc.start}: "
                         f"{exc.reason}); save the document as UTF-8, HTML or PDF.") from None
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > _BINARY_SHARE * len(sample):
        raise InputError(f"{path}: the file holds binary data (control characters); expected "
                         "a text, HTML or PDF document.")
    return text


def _plain_text(text: str) -> str:
    """The text with its line ends made one kind and trailing blanks dropped: what is saved
    and quoted, so a quote never spans a carriage return."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return unicodedata.normalize("NFC", _BLANK_LINES.sub("\n\n", text).strip("\n")) + "\n"


def _html_text(path: Path, html: str) -> tuple[str, str, dict]:
    """The main text of a page, without navigation, menus, footers or scripts (trafilatura),
    and its title, URL, date and publisher from the page's metadata."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True,
                               deduplicate=True)
    if not text or not text.strip():
        raise InputError(f"{path}: the page has no readable text (only scripts, styles or "
                         "markup); save the article's page, or its text.")
    found = trafilatura.extract_metadata(html)
    metadata = {}
    if found is not None:
        metadata = {"title": found.title, "url": found.url, "date": found.date,
                    "publisher": found.sitename, "author": found.author}
    return _plain_text(text), "html", {k: v for k, v in metadata.items() if v}


def _pdf_text(path: Path, data: bytes) -> tuple[str, str, dict]:
    """The text layer of a PDF, page after page, with lines broken inside a paragraph joined
    again (so that sentences, and quotes, are not cut by the page layout)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: cannot be read as PDF ({exc}).") from None
    if not "".join(pages).strip():
        raise InputError(f"{path}: the PDF has no text layer ({len(pages)} page(s) of images, "
                         "a scan?); run it through OCR first (e.g. ocrmypdf) and ingest the "
                         "result.")
    text = "\n\n".join(_reflow(page) for page in pages if page.strip())
    metadata = {"title": info.get("/Title"), "author": info.get("/Author")}
    return _plain_text(text), "pdf", {k: str(v).strip() for k, v in metadata.items()
                                      if v and str(v).strip()}


_HYPHENATED = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[a-z\u0430-\u044f])")
#: A PDF line at least this long that ends inside a sentence was wrapped by the layout; a
#: shorter one without a full stop is a heading or an item.
_WRAPPED_LINE = 40


def _reflow(page: str) -> str:
    """A PDF page's lines with the breaks the layout made inside sentences undone: a line
    that goes on in lower case, or a full line that stops mid-sentence, joins the next; a
    word hyphenated across lines is whole again."""
    lines = _HYPHENATED.sub("", page).split("\n")
    joined = [lines[0].rstrip()]
    for line in lines[1:]:
        previous, line = joined[-1], line.strip()
        wrapped = previous and line and previous[-1] not in ".!?:;" and (
            line[0].islower() or len(previous) >= _WRAPPED_LINE)
        if wrapped:
            joined[-1] = f"{previous} {line}"
        else:
            joined.append(line)
    return "\n".join(joined)
