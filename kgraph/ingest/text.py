"""The comparison keys that make two spellings of one name equal.

Texts write names as the graph does not: "DeMontfort" for "De Montfort", "Heriot Watt" for
"Heriot-Watt", "U.S." for "US", "Université" as "Universite", "Kazakhstan's", and in Kazakh
or Russian text "Нұрбек" for "Nurbek" and "Қазақстанның" for Kazakhstan. A name's key is made
of its words (letters and digits; spaces, hyphens, dots and apostrophes only separate them),
each transliterated to plain Latin letters (anyascii), folded to lower case and to one
spelling of the sounds that transliterations write differently (q/k, kh/k, gh/g), and joined
without separators. A Cyrillic word may also be cut to its stem, for the case endings of
Russian and Kazakh.
"""

from __future__ import annotations

import functools
import re
import unicodedata

#: Letters and digits of any script: the words of a name.
WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SOUNDS = (("kh", "k"), ("gh", "g"), ("q", "k"), ("yo", "e"), ("ye", "e"))
#: Case endings of Kazakh and Russian nouns and adjectives, longest first; one is cut from a
#: Cyrillic word of five letters or more, leaving a stem of at least four.
_ENDINGS = tuple(sorted("""
    ның нің дың дің тың тің ға ге қа ке на не да де та те нда нде дан ден тан тен нан нен
    ды ді ты ті ны ні мен бен пен дағы дегі тағы тегі ндағы ндегі лар лер дар дер тар тер
    сы сі ы і ами ями ого его ому ему ыми ими ой ей ом ем ам ям ах ях ую юю ая яя ое ее
    ые ие ых их ым им ов ев а я ы и е у ю о ь й""".split(), key=len, reverse=True))
_SLUG_BREAK = re.compile(r"[^a-z0-9]+")
#: Words a shortened id does not end with ("...-of-international-relations-and").
_DANGLING = re.compile(r"(?:-(?:and|of|the|for|in|on|de|du|des|la|le|und|i|va))+$")


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) offsets of every word of the text between start and end."""
    return [m.span() for m in WORD.finditer(text, start, len(text) if end is None else end)]


@functools.lru_cache(maxsize=200_000)
def word_key(word: str, stem: bool = False) -> str:
    """The key of one word; ``stem`` cuts a Cyrillic word's case ending first."""
    from anyascii import anyascii

    lowered = word.lower().replace("ё", "е")
    if stem and _CYRILLIC.search(lowered):
        lowered = _stem(lowered)
    if lowered.isascii():
        key = lowered
    else:
        key = anyascii(unicodedata.normalize("NFC", lowered)).lower()
    for written, folded in _SOUNDS:
        key = key.replace(written, folded)
    return "".join(ch for ch in key if ch.isalnum())


def _stem(word: str) -> str:
    if len(word) < 5:
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def name_key(name: str, stem: bool = False) -> str:
    """The key of a name: its words' keys, joined."""
    return "".join(word_key(name[s:e], stem) for s, e in words(name))


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def slug(name: str, limit: int = 60) -> str:
    """A readable id from a name: "Université de Lorraine" -> "universite-de-lorraine"."""
    from anyascii import anyascii

    text = _SLUG_BREAK.sub("-", anyascii(name).lower()).strip("-")
    if len(text) > limit:
        text = _DANGLING.sub("", text[:limit].rsplit("-", 1)[0])
    return text or "unnamed"


def free_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``, ... if an entity already has that id."""
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate
