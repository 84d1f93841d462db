"""Sentences: where each sentence of a document starts and ends, and the quote for a fact.

A proposal quotes the sentence that states it, or the clause of it that does when the
sentence is long, so the quote must be cut at real sentence ends: not after "U.S.", "Dr." or
"No.", not inside "3.5" or a quotation. pysbd's rule-based segmenter does that for English,
Russian and Kazakh, with character offsets. A line break always ends a sentence here: in the
saved text (plain text, a page's paragraphs, a PDF's reflowed lines) it ends a paragraph, a
heading or an item of a list.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: A quote is at most about 40 words (the data format's rule for every quote).
QUOTE_WORDS = 40

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KAZAKH = re.compile(r"[\u04d8\u04d9\u0492\u0493\u049a\u049b\u04a2\u04a3\u04e8\u04e9\u04b0\u04b1\u04ae\u04af\u04ba\u04bb\u0406\u0456]")
_LATIN = re.compile(r"[A-Za-z]")
#: Where a clause of a long sentence may start or end.
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014]|\s-\s")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def script_language(text: str, default: str = "en") -> str:
    """en, ru or kk by the letters a piece of text is written in: Cyrillic with letters only
    Kazakh has is Kazakh."""
    cyrillic = len(_CYRILLIC.findall(text))
    if cyrillic and cyrillic >= len(_LATIN.findall(text)):
        return "kk" if _KAZAKH.search(text) else "ru"
    return "en" if _LATIN.search(text) else default


@functools.lru_cache(maxsize=None)
def _segmenter(language: str):
    import pysbd

    return pysbd.Segmenter(language=language, clean=False, char_span=True)


def split_sentences(text: str) -> list[Sentence]:
    """Every sentence of the text, in order, without the spaces around it; each line is
    segmented in the language its letters are written in."""
    sentences = []
    position = 0
    for line in text.split("\n"):
        if line.strip():
            for span in _segmenter(script_language(line)).segment(line):
                sentences.extend(_trimmed(line, span.start, span.end, position))
        position += len(line) + 1
    return sentences


def _trimmed(line: str, start: int, end: int, offset: int) -> list[Sentence]:
    piece = line[start:end]
    stripped = piece.strip()
    if not stripped:
        return []
    start += len(piece) - len(piece.lstrip())
    return [Sentence(offset + start, offset + start + len(stripped))]


def quote_span(text: str, sentence: Sentence, needed: list[tuple[int, int]],
               max_words: int = QUOTE_WORDS) -> tuple[int, int] | None:
    """The quote for a fact whose words lie at ``needed`` (the mentions of its two ends, its
    cue, its numbers): the whole sentence when it is short enough, else the fewest clauses
    around those words; None when even they span more than ``max_words`` words."""
    if _words(text, sentence.start, sentence.end) <= max_words:
        return sentence.start, sentence.end
    first = min(start for start, _ in needed)
    last = max(end for _, end in needed)
    if _words(text, first, last) > max_words:
        return None
    clauses = list(_CLAUSE_BREAK.finditer(text, sentence.start, sentence.end))
    breaks = [sentence.start] + [m.end() for m in clauses]  # offsets into the whole text
    ends = [m.start() for m in clauses] + [sentence.end]
    start = max(b for b in breaks if b <= first)
    end = min(e for e in ends if e >= last)
    # Widen clause by clause while the quote stays short: more context for the reviewer.
    while True:
        wider = _widen(text, breaks, ends, start, end, max_words)
        if wider is None:
            break
        start, end = wider
    if _words(text, start, end) > max_words:
        start, end = first, last
    return _strip_span(text, start, end)


def _widen(text, breaks, ends, start, end, max_words):
    earlier = [b for b in breaks if b < start]
    later = [e for e in ends if e > end]
    for candidate in ((earlier[-1], end) if earlier else None,
                      (start, later[0]) if later else None):
        if candidate and _words(text, *candidate) <= max_words:
            return candidate
    return None


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without spaces or dangling punctuation at its edges."""
    while start < end and (text[start].isspace() or text[start] in ",;:)\u2013\u2014-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:(\u2013\u2014-"):
        end -= 1
    return start, end


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())
