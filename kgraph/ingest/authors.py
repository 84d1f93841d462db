"""Author blocks: who wrote a journal article and where they work, from its front matter.

A journal article opens with its authors' names on a line of their own ("A. Zhakyanova*,
G. Askhat", "J. Smith¹, K. Lee²") and, under them, the institutions they belong to, each
with its city and country ("¹Kazakh Ablai Khan University ..., Almaty, Kazakhstan"). These
are lines, not sentences, so the sentence rules never see them; this module reads them as
a researcher would: every author belongs to the institution their mark points to, or to the
only one listed. Each such tie is a ``roles`` record (role "author") with two quotes, the
names line and the institution's lines.

Names are taken in the forms journals print: initials and surname ("A.O. Ustemirova",
"А.Ш. Калыков"), surname and initials ("Nurbek S."), or a full name carrying an affiliation
mark ("Jane Doe¹"). A line qualifies only if it holds nothing but such names, and only if an
institution follows it within a few lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .names import HEADS

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "a-zа-яёәғқңөұүһі"
_INITIAL = rf"[{_UPPER}][{_LOWER}]?\.\s?"
_SURNAME = rf"[{_UPPER}][{_LOWER}'’-]+(?:-[{_UPPER}][{_LOWER}'’-]+)?"
#: Marks that tie an author to an affiliation, or flag the corresponding author.
_MARKS = r"(?:\^\{[^}]{0,12}\}|[¹²³⁴⁵⁶⁷⁸⁹⁰*†‡]|(?<=[^\W\d_])\d{1,2}(?!\d))*"
_NAME = re.compile(
    rf"(?P<bold>\*\*)?(?P<name>(?:{_INITIAL}){{1,3}}\s?{_SURNAME}|{_SURNAME}\s(?:{_INITIAL}){{1,3}}"
    rf"|(?P<full>[{_UPPER}][{_LOWER}]+(?:\s[{_UPPER}][{_LOWER}]+){{1,2}}))(?P=bold)?"
    rf"\s*(?P<marks>{_MARKS})")
_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|\bи\b|\bжәне\b|&)\s*")
_MARK_DIGITS = {"¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
                "⁹": "9", "⁰": "0"}
_LEADING_MARK = re.compile(r"(?:\^\{(?P<braced>[^}]{1,12})\}|(?P<sup>[¹²³⁴⁵⁶⁷⁸⁹⁰]+)|"
                           r"(?P<digits>\d{1,2})(?=\s*[^\W\d_])|\*+)\s*")
#: Head words that make a line an institution's.
_INSTITUTION_HEADS = {word: kind for kind in ("universities", "organisations", "government_bodies")
                      for word in HEADS[kind]} | {"academy": "organisations",
                                                  "академия": "organisations",
                                                  "академиясы": "organisations",
                                                  "school": "organisations"}
#: A line of an institution's name that the next line continues, and a line that is the
#: city's rather than the name's ("г. Алматы").
_CONTINUED = re.compile(r"\b(?:of|and|for|the|и|және|для)\s*$", re.IGNORECASE)
_CITY_FIRST = re.compile(r"(?:г|қ)\.")
#: How many lines after the names an institution may start.
_LOOKAHEAD = 4


@dataclass
class Author:
    start: int
    end: int
    label: str
    marks: set[str]


@dataclass
class Affiliation:
    """An institution of the block: its lines (the quote) and its name within them."""

    start: int
    end: int
    name_start: int
    name_end: int
    label: str
    kind: str
    marks: set[str]


@dataclass
class AuthorBlock:
    start: int  # the names line(s)
    end: int
    authors: list[Author] = field(default_factory=list)
    affiliations: list[Affiliation] = field(default_factory=list)

    def affiliation_of(self, author: Author) -> Affiliation | None:
        """The institution an author's mark points to, or the only one listed."""
        marked = [a for a in self.affiliations if a.marks & author.marks]
        if len(marked) == 1:
            return marked[0]
        return self.affiliations[0] if len(self.affiliations) == 1 else None


def author_blocks(text: str) -> list[AuthorBlock]:
    """Every block of author names followed by the institutions they belong to."""
    lines = _lines(text)
    blocks, index = [], 0
    while index < len(lines):
        block, after = _names(text, lines, index)
        if block is None:
            index += 1
            continue
        block.affiliations = _affiliations(text, lines, after)
        if block.affiliations and any(block.affiliation_of(a) for a in block.authors):
            blocks.append(block)
            index = after
        else:
            index += 1
    return blocks


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break and trailing spaces."""
    found, position = [], 0
    for line in text.split("\n"):
        found.append((position, position + len(line.rstrip())))
        position += len(line) + 1
    return found


def _names(text: str, lines, index: int) -> tuple[AuthorBlock | None, int]:
    """The authors of the names line at ``index`` (continued on the next line when it
    ends with a comma), and the index of the line after them."""
    start, end = lines[index]
    last = index
    while text[start:end].rstrip().endswith(",") and last + 1 < len(lines) and \
            lines[last + 1][1] > lines[last + 1][0]:
        last += 1
        end = lines[last][1]
    authors, position = [], start
    while position < end:
        separator = _SEPARATOR.match(text, position, end) if authors else None
        if separator and separator.end() > position:
            position = separator.end()
            if position >= end:
                break
        match = _NAME.match(text, position, end)
        if match is None:
            return None, index + 1
        marks = _marks(match.group("marks"))
        if match.group("full") and not marks:
            return None, index + 1  # a full name passes only with its affiliation mark
        authors.append(Author(match.start("name"), match.end("name"), match.group("name"), marks))
        position = match.end()
        while position < end and text[position] in " \t\n":
            position += 1
    if not authors:
        return None, index + 1
    return AuthorBlock(start, end, authors), last + 1


def _marks(written: str) -> set[str]:
    digits = "".join(_MARK_DIGITS.get(ch, ch) for ch in written)
    return set(re.findall(r"\d+", digits))


def _affiliations(text: str, lines, index: int) -> list[Affiliation]:
    """The institutions listed from line ``index`` on: entries of consecutive lines, each
    opening with a name that holds an institution's head word."""
    found: list[Affiliation] = []
    seen_blank, first = 0, True
    while index < len(lines):
        start, end = lines[index]
        if start == end:
            seen_blank += 1
            index += 1
            if first and seen_blank > _LOOKAHEAD:
                break
            continue
        entry = _entry(text, lines, index)
        if entry is None:
            break
        found.append(entry[0])
        index, first = entry[1], False
    return found


def _head(name: str) -> str | None:
    """The record kind an institution's head word gives its name, if it has one."""
    return next((_INSTITUTION_HEADS[w] for w in re.findall(r"[^\W\d_]+", name.lower())
                 if w in _INSTITUTION_HEADS), None)


def _entry(text: str, lines, index: int) -> tuple[Affiliation, int] | None:
    """The institution whose entry opens at line ``index``, and the line after the entry."""
    start, end = lines[index]
    mark = _LEADING_MARK.match(text, start, end)
    marks = set()
    name_start = start
    if mark:
        marks = _marks(mark.group("braced") or mark.group("sup") or mark.group("digits") or "")
        name_start = mark.end()
    last = index
    while last + 1 < len(lines) and lines[last + 1][1] > lines[last + 1][0] and \
            not _LEADING_MARK.match(text, *lines[last + 1]) and "@" not in text[slice(*lines[last + 1])]:
        last += 1
    entry_end = lines[last][1]
    comma = text.find(",", name_start, end)
    name_end = comma if comma != -1 else end
    following = text[lines[index + 1][0]:lines[index + 1][1]] if last > index else ""
    if comma == -1 and following and (
            _head(text[name_start:end]) is None or _CONTINUED.search(text, name_start, end)
            or (following[:1].islower() and not _CITY_FIRST.match(following))):
        # The name goes on to the next line: "... of International Relations\nand Foreign
        # Languages, Kazakhstan".
        name_end = text.find(",", lines[index + 1][0], lines[index + 1][1])
        name_end = lines[index + 1][1] if name_end == -1 else name_end
    label = " ".join(text[name_start:name_end].split()).strip(" .")
    kind = _head(label)
    if kind is None or "@" in label:
        return None
    while text[entry_end - 1] in ",;.":
        entry_end -= 1
    return Affiliation(start, entry_end, name_start, name_start + len(text[name_start:name_end].rstrip(" .")),
                       label, kind, marks), last + 1
