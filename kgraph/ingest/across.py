"""Reading across sentences: facts a text states in two sentences, and words that point back.

Writers state many facts in two steps. A sentence names a group and where it is ("Around 30
foreign campuses now operate in Kazakhstan.") and the next one lists its members ("Among
them are Cardiff University, ..."); or a sentence names a country and the next one speaks of
"the country". A proposal must quote what names both of its ends, so such a fact is
proposed with two quotes, one from each sentence, and its cue says that it was read across
them: the reviewer sees the reading and judges it.

Two readings are made, both only within a paragraph and only from one sentence to the next:

* a **continuation**: a sentence that opens by pointing back at a group of the sentence
  before ("Among them are", "These include", "They include", "Examples include") is read
  with it, the group's members taking the part the group had there;
* an **anaphor**: "the country", "the government", "the university", "the ministry" (and
  "this", "its" forms) stand for the nearest entity of that kind named before them in the
  same sentence or the one before, when one entity of that kind is named there.
"""

from __future__ import annotations

import re

from .linking import Mention
from .sentences import Sentence

#: Openers of a sentence that lists the members of a group the sentence before names.
CONTINUATION = re.compile(
    r"(?:Among (?:them|these|those|others)(?: (?:are|is|were|was))?|"
    r"(?:These|They|Those|Others) (?:include|included|includes)|"
    r"(?:Examples|Notable examples|Some of them|Some of these|Most of them) "
    r"(?:include|included|are|were)|This includes|Such as|Including|"
    r"Среди них|В их числе|Олардың (?:қатарында|ішінде))\b")

#: Nouns that point back at an entity of a kind, after "the", "this", "its" and the like.
ANAPHORS = {
    "country": "states", "nation": "states", "government": "states", "republic": "states",
    "university": "universities", "ministry": "government_bodies",
    "organisation": "organisations", "organization": "organisations", "bloc": "blocs",
    "company": "companies", "city": "cities",
    "страна": "states", "страны": "states", "стране": "states", "ел": "states",
}
_ANAPHOR = re.compile(r"\b(?P<determiner>[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Tt]heir|[Дд]анн\w+|[Ээ]т\w+|[Бб]ұл)\s+"
                      rf"(?P<noun>{'|'.join(ANAPHORS)})\b")
#: Words that make "the country" generic rather than pointing back ("the country of origin").
_GENERIC_AFTER = re.compile(r"\s+(?:of|where|which|that|in which)\b")
#: An anaphor's score, as a share of its antecedent's.
ANAPHOR_SCORE = 0.7
#: What a cue says about a fact read across sentences.
ACROSS_NOTE = "read across two sentences"


def same_paragraph(text: str, first: Sentence, second: Sentence) -> bool:
    return "\n" not in text[first.end:second.start]


def continuations(text: str, sentences: list[Sentence]) -> list[tuple[Sentence, Sentence]]:
    """Pairs of (sentence, the sentence that continues it) within a paragraph."""
    return [(before, sentence) for before, sentence in zip(sentences, sentences[1:])
            if CONTINUATION.match(text, sentence.start) and same_paragraph(text, before, sentence)]


def anaphora(text: str, sentences: list[Sentence], mentions: list[Mention]) -> list[Mention]:
    """Mentions for the words that point back at an entity: each stands for the one entity
    of its kind named last before it, in its sentence or in the sentence before (same
    paragraph); the mention's ``status`` is ``anaphor`` and its ``antecedent`` is the span
    of the entity's name, so that a quote can name the entity itself."""
    found = []
    linked = [m for m in mentions if m.entity and m.kind]
    for index, sentence in enumerate(sentences):
        window_start = sentence.start
        if index and same_paragraph(text, sentences[index - 1], sentence):
            window_start = sentences[index - 1].start
        for match in _ANAPHOR.finditer(text, sentence.start, sentence.end):
            if _GENERIC_AFTER.match(text, match.end()) or any(
                    m.start <= match.start() < m.end for m in linked):
                continue
            kind = ANAPHORS[match.group("noun").lower()]
            before = [m for m in linked if window_start <= m.start and m.end <= match.start()
                      and m.kind == kind]
            nearest = _nearest_sentence(before, sentences, index)
            if len({m.entity for m in nearest}) != 1:
                continue
            antecedent = nearest[-1]
            found.append(Mention(match.start(), match.end(), match.group(0), antecedent.entity,
                                 kind, round(antecedent.score * ANAPHOR_SCORE, 2), (),
                                 "anaphor", "anaphor",
                                 antecedent=(antecedent.start, antecedent.end)))
    return found


def _nearest_sentence(before: list[Mention], sentences: list[Sentence], index: int) -> list[Mention]:
    """The candidates of the pointing sentence itself if it names any, else those of the
    sentence before."""
    own = [m for m in before if sentences[index].start <= m.start]
    return own or before
