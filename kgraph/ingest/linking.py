"""Linking: which of the graph's entities (and which countries) a text mentions, and where.

Every name of every entity (its label, its names in Kazakh, Russian or any language the graph
holds, its alternative labels) and every name of every ISO 3166 country goes into one
Aho-Corasick automaton (pyahocorasick) over name keys (``kgraph.ingest.text``), so that a
text is matched in one pass whatever the size of the graph, and the spelling variants real
texts use (case, hyphens and spaces, "U.S.", possessives, transliteration between Cyrillic and
Latin letters, Kazakh and Russian case endings) meet the graph's spelling. The longest match
wins. Two checks on the original letters keep the folding honest: an abbreviation ("US",
"MGIMO") matches only in capitals, a capitalised name only where the text capitalises it
("Turkey", not "turkey"). A name shared by several entities is given to the one the graph
connects with the document's other entities, or left to the reviewer with its candidates.
A name the automaton misses by a letter or two ("Turkestan" for "Turkistan") is caught by a
fuzzy comparison of the remaining capitalised words with the graph's one-word names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from .countries import Country, countries
from .known import KnownEntity
from .text import WORD, free_id, has_cyrillic, name_key, word_key, words

#: A name ending in one of these is a fragment ("Republic of"), not a name.
_FUNCTION_WORDS = frozenset("of the and for in on at to by with de du des la le von van"
                            " da del di".split())
#: Scores of a mention by how it was matched: a name the graph holds, a name of a country,
#: a name found through a case ending cut, one chosen among several by context, and the
#: ceiling of a fuzzy match (scaled by its similarity).
SCORES = {"exact": 1.0, "country": 0.95, "stem": 0.9, "context": 0.8, "fuzzy": 0.85,
          "adjective": 0.75}
#: Kinds of entity whose variants are adjectives that name them ("Kazakh", "Central Asian").
ADJECTIVE_KINDS = ("states", "blocs", "regions")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
#: Fuzzy matching: only capitalised words this long, and at least this similar (0-100).
FUZZY_MIN_LETTERS = 7
FUZZY_MIN_SIMILARITY = 88


@dataclass(frozen=True)
class Target:
    """An entity a name key stands for, and how the name must be written to count."""

    entity: str
    kind: str
    name: str
    strict_case: bool  # an abbreviation: matches only in capitals
    capitalised: bool  # matches only where the text capitalises it
    country: str | None = None  # the alpha-2 code of a country the graph lacks
    adjective: bool = False  # an adjective that names a place ("Kazakh", "Central Asian")


@dataclass
class Mention:
    """A stretch of the text naming an entity: ``entity`` is its id (None when several
    entities share the name and the context does not choose); ``status`` says whether it is
    an entity of the graph (linked), a country the graph lacks (country), a name shared
    by several entities (ambiguous), a new entity proposed from it (new), or words that
    point back at an entity named before (anaphor, ``kgraph.ingest.across``)."""

    start: int
    end: int
    text: str
    entity: str | None
    kind: str | None
    score: float
    candidates: tuple[str, ...] = ()
    status: str = "linked"
    match: str = "exact"
    antecedent: tuple[int, int] | None = None  # an anaphor's: where its entity is named

    def as_dict(self) -> dict:
        found = {"start": self.start, "end": self.end, "text": self.text,
                 "entity": self.entity, "kind": self.kind, "score": round(self.score, 2),
                 "candidates": list(self.candidates), "status": self.status,
                 "match": self.match}
        if self.antecedent:
            found["antecedent"] = {"start": self.antecedent[0], "end": self.antecedent[1]}
        return found


class Gazetteer:
    """The automaton over every name of the graph's entities and of the ISO countries."""

    def __init__(self, entities: Iterable[KnownEntity], neighbours: dict | None = None,
                 with_countries: bool = True):
        self.entities = {entity.id: entity for entity in entities}
        self.neighbours = neighbours or {}
        self.countries: dict[str, Country] = {}  # proposed state id -> country
        # Name keys as written, and with the case endings of Cyrillic names cut: a text's
        # words are matched against each in a pass of their own, so that a stem never meets
        # a whole word ("Түркі", Turkic, is not the stem of "Түркия", Turkey).
        keyed: dict[str, dict[str, Target]] = defaultdict(dict)
        self._stemmed_keys: dict[str, dict[str, Target]] = defaultdict(dict)
        for entity in self.entities.values():
            for name, _, _ in entity.names:
                self._add(keyed, name, entity.id, entity.kind)
            if entity.kind in ADJECTIVE_KINDS:
                for variant in entity.variants:
                    self._add(keyed, variant, entity.id, entity.kind, adjective=True)
        if with_countries:
            self._add_countries(keyed)
        self.automaton, self.targets = _automaton(keyed)
        self._stemmed = None
        self._exact_keys = keyed
        self._fuzzy = _fuzzy_index(keyed)
        import rapidfuzz  # noqa: F401 (imported with the automaton, not on the first text)

    @property
    def size(self) -> int:
        """How many name keys the automaton holds."""
        return len(self.targets)

    def _add(self, keyed, name: str, entity: str, kind: str, country: str | None = None,
             adjective: bool = False):
        tokens = WORD.findall(name)
        if not _usable(tokens):
            return
        strict = len(name) <= 10 and name.isupper() and " " not in name and \
            sum(ch.isalpha() for ch in name) <= 5
        target = Target(entity, kind, name, strict_case=strict,
                        capitalised=name[:1].isupper(), country=country, adjective=adjective)
        key = "".join(word_key(t) for t in tokens)
        if len(key) >= 2:
            keyed[key].setdefault(entity, target)
        if has_cyrillic(name):
            stem = "".join(word_key(t, stem=True) for t in tokens)
            if len(stem) >= 2:
                self._stemmed_keys[stem].setdefault(entity, target)

    def _stemmed_automaton(self):
        """The automaton of stems, made the first time a Cyrillic text is linked: Cyrillic
        names by their stems, the others as written."""
        if self._stemmed is None:
            cyrillic = {t.entity for targets in self._stemmed_keys.values() for t in targets.values()}
            keyed: dict[str, dict[str, Target]] = defaultdict(dict)
            for key, targets in self._exact_keys.items():
                for entity, target in targets.items():
                    if not has_cyrillic(target.name) or entity not in cyrillic:
                        keyed[key].setdefault(entity, target)
            for key, targets in self._stemmed_keys.items():
                for entity, target in targets.items():
                    keyed[key].setdefault(entity, target)
            self._stemmed = _automaton(keyed)
        return self._stemmed

    def _add_countries(self, keyed) -> None:
        """Every ISO country: its names join the graph's state with its code (or its name);
        a country the graph lacks stands for a proposed state."""
        by_code = {e.iso_code: e.id for e in self.entities.values()
                   if e.kind == "states" and e.iso_code}
        by_key = {name_key(n): e.id for e in self.entities.values() if e.kind == "states"
                  for n, _, _ in e.names}
        taken = set(self.entities)
        for country in countries():
            state = by_code.get(country.alpha_2) or next(
                (by_key[name_key(n)] for n in country.names if name_key(n) in by_key), None)
            if state is None:
                state = free_id(country.slug, taken)
                taken.add(state)
                self.countries[state] = country
            code = None if state in self.entities else country.alpha_2
            for name in country.names:
                self._add(keyed, name, state, "states", code)
            for adjective in country.adjectives:
                self._add(keyed, adjective, state, "states", code, adjective=True)

    # -- matching ----------------------------------------------------------------------------
    def link(self, text: str) -> list[Mention]:
        """Every mention in the text, in order, none overlapping another."""
        spans = words(text)
        found = list(self._matches(text, spans, self.automaton, self.targets, stem=False))
        if has_cyrillic(text):
            found.extend(self._matches(text, spans, *self._stemmed_automaton(), stem=True))
        chosen = _longest_first(found)
        mentions = [self._mention(text, start, end, targets, match)
                    for start, end, targets, match in chosen]
        mentions = self._resolve(mentions)
        mentions.extend(self._fuzzy_mentions(text, spans, mentions))
        return sorted(mentions, key=lambda m: m.start)

    def _matches(self, text: str, spans, automaton, all_targets, stem: bool):
        starts, ends, parts, position = {}, {}, [], 0
        for index, (start, end) in enumerate(spans):
            key = word_key(text[start:end], stem)
            if key:
                starts[position] = index
                position += len(key)
                ends[position] = index
                parts.append(key)
        for last, (number, length) in automaton.iter("".join(parts)):
            first = last + 1 - length
            if first in starts and last + 1 in ends:
                start, end = spans[starts[first]][0], spans[ends[last + 1]][1]
                targets = tuple(t for t in all_targets[number]
                                if _written_as(t, text[start:end], text[end:end + 1]))
                if targets:
                    if _DOTTED.match(text[start:end]) and text[end:end + 1] == ".":
                        end += 1  # "U.S." keeps its last dot
                    yield start, end, targets, "stem" if stem else "exact"

    def _mention(self, text, start, end, targets: tuple[Target, ...], match: str) -> Mention:
        names = [t for t in targets if not t.adjective]
        targets = tuple(names) or targets  # a name before an adjective alike
        if not names:
            match = "adjective"
        ids = tuple(dict.fromkeys(t.entity for t in targets))
        in_graph = tuple(i for i in ids if i in self.entities)
        ids = in_graph or ids
        kinds = {t.entity: t.kind for t in targets}
        if len(ids) == 1:
            country = ids[0] not in self.entities
            return Mention(start, end, text[start:end], ids[0], kinds[ids[0]],
                           SCORES["country" if country and match != "adjective" else match], (),
                           "country" if country else "linked", match)
        return Mention(start, end, text[start:end], None, None, SCORES["context"], ids,
                       "ambiguous", match)

    def _resolve(self, mentions: list[Mention]) -> list[Mention]:
        """Give a name shared by several entities to the one the graph connects with most
        of the document's unambiguous entities; with no single such one, leave it open."""
        context = {m.entity for m in mentions if m.entity}
        for mention in mentions:
            if mention.entity is not None:
                continue
            support = {c: len(self.neighbours.get(c, set()) & context) for c in mention.candidates}
            best = max(support.values())
            winners = [c for c, n in support.items() if n == best]
            if best > 0 and len(winners) == 1:
                mention.entity = winners[0]
                mention.kind = self.entities[winners[0]].kind
                mention.status, mention.match = "linked", "context"
        return mentions

    def _fuzzy_mentions(self, text: str, spans, mentions: list[Mention]) -> list[Mention]:
        from rapidfuzz import fuzz, process

        covered = [(m.start, m.end) for m in mentions]
        found = []
        for start, end in spans:
            word = text[start:end]
            if len(word) < FUZZY_MIN_LETTERS or not word[:1].isupper() or word.isupper() \
                    or any(s < end and start < e for s, e in covered):
                continue
            key = word_key(word)
            choices = self._fuzzy.get(key[:1], {})
            best = process.extractOne(key, list(choices), scorer=fuzz.ratio,
                                      score_cutoff=FUZZY_MIN_SIMILARITY)
            if best is None:
                continue
            target = choices[best[0]]
            in_graph = target.entity in self.entities
            found.append(Mention(start, end, word, target.entity, target.kind,
                                 SCORES["fuzzy"] * best[1] / 100, (),
                                 "linked" if in_graph else "country", "fuzzy"))
        return found

    def country_of(self, state_id: str) -> Country | None:
        """The ISO country a proposed state stands for."""
        return self.countries.get(state_id)


def hyphen_joined(text: str, start: int, end: int) -> bool:
    """Whether a mention is joined by a hyphen to another word: "Sorbonne-Kazakhstan" is
    named for Kazakhstan, "Russian-language" for Russian, "Kazakhstan-based" says where,
    and none of them names the place as a party to a fact (the support check of
    ``kgraph.support`` agrees: a hyphen joins words)."""
    return (text[end:end + 1] == "-" and text[end + 1:end + 2].isalpha()) or \
        (start > 0 and text[start - 1] == "-" and text[start - 2:start - 1].isalpha())


def _usable(tokens: list[str]) -> bool:
    """Whether a name (its words) can be matched: not empty, not a fragment ending in "of"
    or "the", not a lone lower-case word of two letters."""
    if not tokens or tokens[-1].lower() in _FUNCTION_WORDS:
        return False
    return not (len(tokens) == 1 and len(tokens[0]) <= 2 and not tokens[0].isupper())


def _written_as(target: Target, written: str, following: str = "") -> bool:
    """Whether the text writes the name as it must be written to count: an abbreviation in
    capitals and not a currency's prefix ("US$"), a capitalised name with its capital."""
    if target.strict_case:
        if following[:1] == "$":
            return False
        letters = [ch for ch in written if ch.isalpha()]
        return all(ch.isupper() for ch in letters)
    if target.capitalised:
        return written[:1].isupper() or written[:1].isdigit()
    return True


def _automaton(keyed: dict[str, dict[str, "Target"]]):
    """An Aho-Corasick automaton over the keys, each standing for its targets' index."""
    import ahocorasick

    automaton, targets = ahocorasick.Automaton(), []
    for key in sorted(keyed):
        automaton.add_word(key, (len(targets), len(key)))
        targets.append(tuple(keyed[key][e] for e in sorted(keyed[key])))
    automaton.make_automaton()
    return automaton, targets


def _longest_first(found) -> list[tuple]:
    """Non-overlapping matches, the longest first (an exact match before a stemmed one of
    the same length), in text order."""
    chosen, covered = [], set()
    for match in sorted(found, key=lambda m: (m[0] - m[1], m[3] != "exact", m[0])):
        if covered.isdisjoint(range(match[0], match[1])):
            chosen.append(match)
            covered.update(range(match[0], match[1]))
    return sorted(chosen)


def _fuzzy_index(keyed: dict) -> dict[str, dict[str, Target]]:
    """One-word capitalised names long enough for a fuzzy match, by their first letter."""
    index: dict[str, dict[str, Target]] = defaultdict(dict)
    for key, targets in keyed.items():
        single = [t for t in targets.values() if len(WORD.findall(t.name)) == 1 and not t.adjective
                  and t.capitalised and not t.strict_case and len(t.name) >= FUZZY_MIN_LETTERS]
        if len(single) == 1 and len(targets) == 1:
            index[key[:1]][key] = single[0]
    return index
