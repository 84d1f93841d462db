"""One document through the steps: read, split into sentences, link, find new names, propose.

The result (:class:`Ingestion`) holds everything the proposals folder and the JSON report are
written from: the source record, the saved text, the mentions, the proposed records (new
entities first, then facts) with their quotes and cues.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import InputError

from .across import anaphora, continuations
from .authors import AuthorBlock, author_blocks
from .documents import Document
from .known import TRUTHY_RELATIONS, KnownGraph
from .linking import Gazetteer, Mention, hyphen_joined
from .names import NewName, find_names
from .proposals import Proposal, Proposer
from .sentences import Sentence, quote_span, script_language, split_sentences
from .text import free_id, name_key, slug

#: The status every record of a proposals folder carries until a reviewer accepts it.
PROPOSED = "proposed"
#: What the cue of a new entity says when its state is a guess.
_GUESSED = "the state"
#: Quotes kept for one proposed record stated by several sentences.
MAX_EVIDENCE = 3
#: Record kinds in the order a proposals file lists them: the entities the facts refer to
#: first.
_ENTITY_ORDER = ("states", "cities", "organisations", "government_bodies", "universities",
                 "branch_campuses", "cultural_centres", "companies", "people", "programmes",
                 "events", "policy_documents")
_NEEDS_STATE = {"universities": "country", "government_bodies": "state", "cities": "state"}


@dataclass
class SourceDetails:
    """What the command line says about the document: each field None when not given."""

    source_id: str | None = None
    title: str | None = None
    url: str | None = None
    date: str | None = None
    publisher: str | None = None
    language: str | None = None
    type: str = "report"


@dataclass
class NewEntity:
    """A proposed entity: its record, where the text names it first, the quote of that
    sentence (or clause) and the cue that found it."""

    record: dict
    kind: str
    start: int
    end: int
    cue: str
    quote: str
    evidence: list[str] = field(default_factory=list)  # its quotes, when more than one
    guessed: bool = False  # its state is a guess, not named beside it
    references: list[str] = field(default_factory=list)  # general references it relies on

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def quotes(self) -> list[str]:
        return self.evidence or [self.quote]


@dataclass
class Ingestion:
    """What one document gave: its source record and text, its mentions, and the proposed
    entities and facts."""

    source: dict
    text: str
    mentions: list[Mention]
    entities: list[NewEntity]
    proposals: list[Proposal]
    words: int = 0
    format: str = "text"
    skipped: Counter = field(default_factory=Counter)

    @property
    def source_id(self) -> str:
        return self.source["id"]

    @property
    def text_file(self) -> str:
        return self.source["text_file"]

    def records(self) -> dict[str, list[dict]]:
        """Every proposed record by kind, entities first, each with source, quote, status
        and cue: the content of the proposals file."""
        grouped: dict[str, list[dict]] = {}
        for kind in _ENTITY_ORDER:
            for entity in self.entities:
                if entity.kind == kind:
                    grouped.setdefault(kind, []).append(
                        self._sourced(entity.record, entity.quotes, entity.cue, entity.references))
        for proposal in self.proposals:
            grouped.setdefault(proposal.kind, []).append(
                self._sourced(proposal.record, [q for q, _, _ in proposal.evidence], proposal.cue))
        return grouped

    def _sourced(self, record: dict, quotes: list[str], cue: str, references=()) -> dict:
        """A record with its status, cue and evidence: its quotes, and the general references
        (a geographic reference) its fields rely on."""
        result = {k: _plain(v) for k, v in record.items()}
        result["epistemic_status"] = PROPOSED
        result["note"] = f"Proposed by kgraph ingest; cue: {cue}."
        if len(quotes) == 1 and not references:
            result["source"] = self.source_id
            result["quote"] = quotes[0]
        else:
            result["evidence"] = [{"source": self.source_id, "quote": q} for q in quotes] + \
                [{"source": reference} for reference in references]
        return result

    def report(self) -> dict:
        """The machine-readable report (docs/ingest.md describes it)."""
        return {
            "source": self.source_id,
            "text_file": self.text_file,
            "format": self.format,
            "words": self.words,
            "mentions": [m.as_dict() for m in self.mentions],
            "proposals": [{**p.as_dict(), "record": {k: _plain(v) for k, v in p.record.items()},
                           "evidence": [{"quote": q, "start": s, "end": e}
                                        for q, s, e in p.evidence]}
                          for p in self.proposals],
            "new_entities": [{"id": e.id, "label": e.record["label"], "kind": e.kind,
                              "quote": e.quote, "start": e.start, "end": e.end, "cue": e.cue,
                              "evidence": e.quotes} for e in self.entities],
        }


def _plain(value):
    """Decimals as the int or float YAML and JSON write plainly."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Ingester:
    """Ingests documents against one graph: the automaton is built once for all of them."""

    def __init__(self, known: KnownGraph, gazetteer: Gazetteer | None = None):
        self.known = known
        self.gazetteer = gazetteer or Gazetteer(known.entities.values(), known.neighbours)

    def ingest(self, document: Document, details: SourceDetails) -> Ingestion:
        text = document.text
        source = self._source_record(document, details)
        sentences = split_sentences(text)
        starts = [s.start for s in sentences]
        mentions = self.gazetteer.link(text)
        authored, mentions, roles = self._authors(text, mentions)
        entities, mentions = self._new_entities(text, sentences, starts, mentions)
        entities = authored + entities
        kinds = {e.id: e.kind for e in self.known.entities.values()}
        kinds.update({e.id: e.kind for e in entities})
        labels = {e.id: e.label for e in self.known.entities.values()}
        labels.update({e.id: e.record["label"] for e in entities})
        states = {e.id: self.known.state_of(e.id) for e in self.known.entities.values()}
        # A state guessed for a new entity (not named beside it) is no ground for reading a
        # fact: a foreign university would look domestic.
        states.update({e.id: None if e.guessed else e.record.get("country") or e.record.get("state")
                       or (e.id if e.kind == "states" else None) for e in entities})
        mentions = sorted(mentions + anaphora(text, sentences, mentions), key=lambda m: m.start)
        proposer = Proposer(text, self.known, kinds, labels, states, sentences)
        proposals: dict[tuple, Proposal] = {}
        taken_ids = set(self.known.entities) | {e.id for e in entities}
        skipped = Counter()
        for role in roles:
            self._merge(proposals, role)
        readings = [(sentence, None) for sentence in sentences] + \
            [(Sentence(before.start, after.end), (before, after))
             for before, after in continuations(text, sentences)]
        for sentence, pair in readings:
            for fact in proposer.facts(sentence, _within(mentions, sentence)):
                if pair and not _across(fact, *pair):
                    continue  # a fact of one of the two sentences: found in it alone
                proposal = proposer.propose(fact)
                if proposal is None:
                    skipped["known or without a short quote"] += 1
                    continue
                if fact.new_entity is not None:
                    campus = self._campus(fact, proposal, taken_ids, entities)
                    proposal.record["instrument"] = campus
                self._merge(proposals, proposal)
        for proposal in proposals.values():
            if proposal.kind == "influence_relations" and "instrument" in proposal.record \
                    and proposal.record["instrument"] is None:
                del proposal.record["instrument"]
        ordered = [p for p in proposals.values() if p.kind != "branch_campuses"]
        return Ingestion(source, text, mentions, entities, ordered, document.words,
                         document.format, skipped)

    # -- the source -------------------------------------------------------------------------
    def _source_record(self, document: Document, details: SourceDetails) -> dict:
        title = details.title or document.metadata.get("title") or _first_line(document.text) \
            or document.path.stem
        source_id = details.source_id or free_id(
            slug(title, limit=50), set(self.known.entities) | self.known.source_ids)
        record = {"id": source_id, "title": title, "type": details.type}
        author = document.metadata.get("author")
        if author:
            record["author_names"] = [author]
        publisher = details.publisher or document.metadata.get("publisher")
        if publisher:
            known = self._entity_named(publisher, ("organisations", "universities"))
            if known:
                record["publisher"] = known
        date = details.date or document.metadata.get("date")
        if date:
            record["date"] = date
        url = details.url or document.metadata.get("url")
        if url:
            record["url"] = url
        record["languages"] = [details.language or script_language(document.text)]
        record["text_file"] = f"{source_id}.txt"
        what = f"{document.format} document {document.path.name}"
        if publisher and "publisher" not in record:
            what += f", published by {publisher}"
        record["description"] = f"Read by kgraph ingest from the {what}."
        return record

    def _entity_named(self, name: str, kinds) -> str | None:
        key = name_key(name)
        for entity in self.known.entities.values():
            if entity.kind in kinds and (entity.id == name or any(
                    name_key(n) == key for n, _, _ in entity.names)):
                return entity.id
        return None

    # -- authors ----------------------------------------------------------------------------
    def _authors(self, text: str, mentions: list[Mention]):
        """The authors of the document's author blocks and their institutions (known, or
        new entities), and a ``roles`` proposal for each author, quoting the names line and
        the institution's lines. A block repeated in another language (an abstract in
        Kazakh and Russian) names the same people: their names there become their labels
        in that language."""
        entities: dict[str, NewEntity] = {}
        roles: list[Proposal] = []
        added: list[Mention] = []
        taken = set(self.known.entities)
        dominant = Counter(m.entity for m in mentions if m.kind == "states" and m.entity)
        earlier: list[tuple[AuthorBlock, list[str], list[str]]] = []
        for block in author_blocks(text):
            same = next(((p, i) for b, p, i in earlier if _translated(b, block, text)), None)
            language = script_language(text[block.start:block.affiliations[-1].end])
            people = [self._author(text, block, author, entities, taken, mentions, language,
                                   same[0][n] if same else None)
                      for n, author in enumerate(block.authors)]
            places = [self._institution(text, affiliation, entities, taken, mentions, dominant,
                                        language, same[1][n] if same and n < len(same[1]) else None)
                      for n, affiliation in enumerate(block.affiliations)]
            earlier.append((block, people, places))
            for person, author in zip(people, block.authors):
                added.append(Mention(author.start, author.end, author.label, person, "people",
                                     0.9, (), "new" if person in entities else "linked", "author block"))
                affiliation = block.affiliation_of(author)
                if affiliation is None:
                    continue
                organisation = places[block.affiliations.index(affiliation)]
                if organisation is None or self.known.holds(TRUTHY_RELATIONS["roles"], person, organisation):
                    continue
                evidence = [_quoted(text, block.start, block.end, (author.start, author.end)),
                            _quoted(text, affiliation.name_start, affiliation.end,
                                    (affiliation.name_start, affiliation.name_end))]
                how = f"the mark {'/'.join(sorted(author.marks & affiliation.marks))}" \
                    if author.marks & affiliation.marks else "the one institution listed"
                roles.append(Proposal("roles", {"person": person, "organisation": organisation,
                                                "role": "author"}, (person, organisation),
                                      *evidence[0], f"author block: an author of the article, "
                                      f"with {how} under the names", evidence))
            for affiliation, place in zip(block.affiliations, places):
                if place is None:
                    continue
                added.append(Mention(affiliation.name_start, affiliation.name_end,
                                     text[affiliation.name_start:affiliation.name_end], place,
                                     self._kind_of(place, entities), 0.9, (),
                                     "new" if place in entities else "linked", "author block"))
        kept = [m for m in mentions if not any(a.start < m.end and m.start < a.end for a in added)
                or (m.kind in ("states", "cities") and m.entity)]
        return list(entities.values()), sorted(kept + added, key=lambda m: m.start), roles

    def _references(self, entity: str) -> list[str]:
        """The general references the graph's record of an entity cites (a city's)."""
        known = self.known.entities.get(entity)
        return list(known.references) if known else []

    def _kind_of(self, identifier: str, entities: dict) -> str:
        return entities[identifier].kind if identifier in entities else \
            self.known.entities[identifier].kind

    def _author(self, text, block, author, entities, taken, mentions, language: str,
                same: str | None) -> str:
        """The id of an author: a person the graph knows by that name, the person of the
        same block in another language (this name becomes a label of theirs), or a new
        person."""
        known = [m.entity for m in mentions if m.kind == "people" and m.entity
                 and m.start <= author.start and author.end <= m.end]
        found = _found_before(known, same, entities, author.label, language)
        if found:
            return found
        identifier = _new_id(author.label, taken)
        quote = _quoted(text, block.start, block.end, (author.start, author.end))
        entities[identifier] = NewEntity({"id": identifier, "label": author.label}, "people",
                                         author.start, author.end,
                                         "author block: a name in the line of authors", quote[0])
        return identifier

    def _institution(self, text, affiliation, entities, taken, mentions, dominant, language: str,
                     same: str | None) -> str | None:
        """The id of an author's institution: one the graph knows by that name, the same
        institution of the block in another language, or a new one, with the country (and
        city) its lines name; None for a university whose country is nowhere to be had."""
        span = (affiliation.name_start, affiliation.name_end)
        known = [m.entity for m in mentions if m.entity and m.status == "linked"
                 and m.kind in ("universities", "organisations", "government_bodies")
                 and name_key(m.text) == name_key(affiliation.label)]
        found = _found_before(known, same, entities, affiliation.label, language)
        if found:
            return found
        identifier = _new_id(affiliation.label, taken)
        record = {"id": identifier, "label": affiliation.label}
        cue = "author block: an institution under the authors' names"
        places = [m for m in mentions if m.entity and m.kind in ("states", "cities")
                  and affiliation.start <= m.start and m.end <= affiliation.end
                  and not (span[0] <= m.start and m.end <= span[1])]
        field_name = _NEEDS_STATE.get(affiliation.kind)
        references = []
        if field_name:
            state = next((m.entity for m in places if m.kind == "states"), None)
            city = next((m.entity for m in places if m.kind == "cities"), None)
            if state is None and city and self.known.state_of(city):
                state, references = self.known.state_of(city), self._references(city)
            if state is None and dominant:
                state = dominant.most_common(1)[0][0]
                cue += f"; its {field_name} is not in its lines: {_GUESSED} the document names most, to check"
            if state is None:
                return None
            record[field_name] = state
        city = next((m.entity for m in places if m.kind == "cities"), None)
        if city and affiliation.kind == "universities":
            record["city"] = city
        entities[identifier] = NewEntity(record, affiliation.kind, *span, cue,
                                         _quoted(text, affiliation.name_start, affiliation.end, span)[0],
                                         references=references)
        return identifier

    # -- new entities -----------------------------------------------------------------------
    def _new_entities(self, text, sentences, starts, mentions):
        """The entities the text names that the graph lacks: countries known to ISO, and
        names found by their head word or title, with the fields their kind requires."""
        entities: dict[str, NewEntity] = {}
        by_key: dict[str, str] = {}
        taken = set(self.known.entities)
        dominant = Counter(m.entity for m in mentions if m.kind == "states" and m.entity)
        # A country the graph lacks, named in the text ("Russian-language" names a language):
        # the mentions of it that name no party are dropped when nothing else names it.
        naming = [m for m in mentions if m.status == "country"
                  and not hyphen_joined(text, m.start, m.end)]
        for mention in naming:
            if mention.entity not in entities:
                sentence = _sentence_of(sentences, starts, mention.start)
                entities[mention.entity] = self._country(mention, sentence, text)
        mentions = [m for m in mentions if m.status != "country" or m.entity in entities]
        found: list[tuple[NewName, Sentence]] = []
        for sentence in sentences:
            overlapping = [m for m in mentions if m.start < sentence.end and sentence.start < m.end]
            for name in find_names(text, sentence.start, sentence.end,
                                   [(m.start, m.end) for m in overlapping]):
                found.append((name, sentence))
        replaced: list[tuple[int, int]] = []
        new_mentions: list[Mention] = []
        for name, sentence in found:
            key = name_key(name.label)
            if key in by_key:
                new_mentions.append(Mention(name.start, name.end, name.label, by_key[key],
                                            entities[by_key[key]].kind, 0.5, (), "new", "name"))
                replaced.append((name.start, name.end))
                continue
            fields = self._required_fields(name, sentence, text, mentions, dominant)
            if fields is None:
                continue
            identifier = _new_id(name.label, taken)
            by_key[key] = identifier
            record = {"id": identifier, "label": name.label}
            if name.subtype:
                record["type"] = name.subtype
            record.update(fields)
            # The quote names the state the record gives it, where the sentence does.
            named_at = [name.fields["named_at"]] if "named_at" in name.fields else []
            span = quote_span(text, sentence, [(name.start, name.end)] + named_at) or \
                quote_span(text, sentence, [(name.start, name.end)])
            entities[identifier] = NewEntity(record, name.kind, name.start, name.end, name.cue,
                                             text[span[0]:span[1]],
                                             guessed=f": {_GUESSED} " in name.cue,
                                             references=name.fields.get("references", []))
            new_mentions.append(Mention(name.start, name.end, name.label, identifier, name.kind,
                                        0.5, (), "new", "name"))
            replaced.append((name.start, name.end))
        # A place named inside a new name stays a mention of its own ("Berlin" in "TU
        # Berlin"); facts are read between the outermost mentions only.
        kept = [m for m in mentions if not any(s < m.end and m.start < e for s, e in replaced)
                or (m.kind in ("states", "cities") and m.entity
                    and any(s <= m.start and m.end <= e for s, e in replaced))]
        merged = sorted(kept + new_mentions, key=lambda m: m.start)
        return list(entities.values()), merged

    def _country(self, mention: Mention, sentence: Sentence, text: str) -> NewEntity:
        country = self.gazetteer.country_of(mention.entity)
        record = {"id": mention.entity, "label": country.name}
        if country.translations:
            record["labels"] = dict(sorted(country.translations.items()))
        english = [n for n in country.names if n != country.name and n.isascii()
                   and not _inverted(n)]
        if english:
            record["alt_labels"] = english
        record.update(iso_code=country.alpha_2, iso_alpha3=country.alpha_3,
                      iso_numeric=country.numeric)
        if country.adjectives:
            record["variants"] = list(country.adjectives)
        span = quote_span(text, sentence, [(mention.start, mention.end)])
        return NewEntity(record, "states", mention.start, mention.end,
                         f"ISO 3166-1 country {country.alpha_2} ({country.alpha_3}), "
                         "which the graph lacks", text[span[0]:span[1]])

    def _required_fields(self, name: NewName, sentence, text, mentions, dominant) -> dict | None:
        """The state a new university, government body or city lies in, which its record
        requires: a state named just before it ("South Korea's Woosong University"), inside
        or after its name ("Almaty Management University, Kazakhstan"); else, as a guess the
        cue says, the one state the sentence names or the state the document names most.
        None when there is none."""
        field_name = _NEEDS_STATE.get(name.kind)
        if field_name is None:
            return {}
        states = [m for m in _within(mentions, sentence) if m.kind == "states" and m.entity
                  and not hyphen_joined(text, m.start, m.end)]
        before = [m for m in states if m.end <= name.start
                  and re.fullmatch(r"['’]s\s+|\s+", text[m.end:name.start])]
        inside = [m for m in mentions if m.kind in ("states", "cities") and m.entity
                  and name.start <= m.start and m.end <= name.end and m.match != "adjective"
                  and not hyphen_joined(text, m.start, m.end)]
        after = [m for m in states if m.start >= name.end
                 and re.fullmatch(r"[\s,]+(?:in\s+)?", text[name.end:m.start])]
        for group in (before, inside, after):
            if group:
                state = group[-1].entity if group[-1].kind == "states" else \
                    self.known.state_of(group[-1].entity)
                if state:
                    name.fields["named_at"] = (group[-1].start, group[-1].end)
                    if group[-1].kind == "cities":  # its state as the graph's reference has it
                        name.fields["references"] = self._references(group[-1].entity)
                    return {field_name: state}
        distinct = {m.entity for m in states}
        if len(distinct) == 1:
            name.cue += (f"; its {field_name.replace('_', ' ')} is not named beside it: "
                         f"{_GUESSED} the sentence names, to check")
            name.fields["named_at"] = (states[0].start, states[0].end)
            return {field_name: distinct.pop()}
        if dominant:
            name.cue += (f"; its {field_name.replace('_', ' ')} is not in the sentence: "
                         f"{_GUESSED} the document names most, to check")
            return {field_name: dominant.most_common(1)[0][0]}
        return None

    def _campus(self, fact, proposal: Proposal, taken: set, entities: list) -> str:
        """The branch campus a fact proposes, added once to the new entities; its id."""
        record = dict(fact.new_entity)
        for entity in entities:
            if entity.kind == "branch_campuses" and entity.record["parent"] == record["parent"] \
                    and entity.record["host_state"] == record["host_state"]:
                return entity.id
        record["id"] = free_id(record["id"], taken)
        taken.add(record["id"])
        if "opened" in proposal.record:
            record["opened"] = proposal.record["opened"]
        references = self._references(record["host_city"]) if "host_city" in record else []
        entities.append(NewEntity(record, "branch_campuses", proposal.start, proposal.end,
                                  proposal.cue, proposal.quote,
                                  [q for q, _, _ in proposal.evidence], references=references))
        return record["id"]

    @staticmethod
    def _merge(proposals: dict, proposal: Proposal) -> None:
        """One record per fact: a fact stated again adds its quotes (up to three) and its
        channels to the first proposal of it."""
        key = (proposal.kind, proposal.ends,
               tuple(sorted((k, str(v)) for k, v in proposal.record.items()
                            if k in ("count", "amount", "currency", "year", "role"))))
        first = proposals.get(key)
        if first is None:
            proposals[key] = proposal
            return
        for quote in proposal.evidence:
            if len(first.evidence) < MAX_EVIDENCE and quote[0] not in {q for q, _, _ in first.evidence}:
                first.evidence.append(quote)
        if "channels" in proposal.record:
            first.record["channels"] = list(dict.fromkeys(
                first.record.get("channels", []) + proposal.record["channels"]))


def _quoted(text: str, start: int, end: int, needed: tuple[int, int]) -> tuple[str, int, int]:
    """The quote of lines ``text[start:end]`` for the words at ``needed``: all of them when
    short enough, else the clauses around those words."""
    span = quote_span(text, Sentence(start, end), [needed]) or needed
    return text[span[0]:span[1]], span[0], span[1]


def _found_before(known: list[str], same: str | None, entities: dict, label: str,
                  language: str) -> str | None:
    """The id of an author or institution already there: one the graph knows, or the same
    one of a block in another language, whose labels this name then joins."""
    if known:
        return known[0]
    if same is not None and same in entities:
        _add_label(entities[same].record, label, language)
    return same


def _new_id(label: str, taken: set) -> str:
    identifier = free_id(slug(label), taken)
    taken.add(identifier)
    return identifier


def _add_label(record: dict, label: str, language: str) -> None:
    """A name of an entity in another language, as the data format writes it."""
    if label == record["label"]:
        return
    labels = record.setdefault("labels", {})
    present = labels.get(language)
    if present is None:
        labels[language] = label
    elif label not in ([present] if isinstance(present, str) else present):
        labels[language] = ([present] if isinstance(present, str) else present) + [label]


def _translated(first: AuthorBlock, second: AuthorBlock, text: str) -> bool:
    """Whether two author blocks name the same people (an abstract's block in another
    language): as many authors, each surname alike once transliterated."""
    from rapidfuzz import fuzz

    if len(first.authors) != len(second.authors):
        return False
    return all(fuzz.ratio(_surname_key(a.label), _surname_key(b.label)) >= SURNAME_SIMILARITY
               for a, b in zip(first.authors, second.authors))


#: How alike (0-100) two transliterated surnames must be to be one person's.
SURNAME_SIMILARITY = 75


def _surname_key(name: str) -> str:
    parts = [w for w in name.replace(".", ". ").split() if not w.endswith(".")]
    return name_key(parts[-1] if parts else name)


def _within(mentions: list[Mention], sentence: Sentence) -> list[Mention]:
    return [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]


def _across(fact, before: Sentence, after: Sentence) -> bool:
    """Whether a fact of two sentences read together has one end in each (the first two
    spans of a fact are its ends')."""
    (first, _), (second, _) = fact.spans[:2]
    return (before.start <= first < before.end) != (before.start <= second < before.end)


def _sentence_of(sentences: list[Sentence], starts: list[int], offset: int) -> Sentence:
    index = max(bisect.bisect_right(starts, offset) - 1, 0)
    return sentences[index]


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip()
    return line if 0 < len(line.split()) <= 25 else None


def _inverted(name: str) -> bool:
    return ", " in name


@dataclass
class Written:
    """One document ingested and written: its proposals folder and what it holds."""

    ingestion: Ingestion
    folder: Path
    files: list[Path]


def ingest_files(paths: list[Path], source, details: SourceDetails, output: Path | None = None,
                 force: bool = False, report: Path | None = None,
                 protected: list[Path] = ()) -> list[Written]:
    """Ingest documents against the graph of ``source`` (compiled data or a store) and write
    a proposals folder for each: ``output`` itself for one document, ``output/<source-id>``
    for several (``proposals/<source-id>`` by default). Every document is read and every
    output checked before anything is written."""
    from ..files import write_atomic
    from .documents import read_document
    from .known import read_known
    from .writing import check_output, report_json, write_folder

    _require_libraries()
    paths = [Path(p) for p in paths]
    if details.source_id and len(paths) > 1:
        raise InputError("--source-id names one document; give one document, or leave the "
                         "ids to be made from each document's title.")
    _check_details(details)
    documents = [read_document(path) for path in paths]
    known = read_known(source)
    ingester = Ingester(known)
    results = []
    for document in documents:
        ingestion = ingester.ingest(document, details)
        if ingestion.source_id in known.source_ids or ingestion.source_id in known.entities:
            what = "a source" if ingestion.source_id in known.source_ids else "an entity"
            raise InputError(f"{document.path}: the graph already has {what} "
                             f"'{ingestion.source_id}'; give the document another --source-id.")
        folder = output if output is not None and len(paths) == 1 else \
            (output or Path("proposals")) / ingestion.source_id
        results.append((ingestion, folder, document.path.name))
    folders = [folder for _, folder, _ in results]
    if len(set(folders)) < len(folders):
        raise InputError("Two documents would be written to the same folder (the same source "
                         "id): ingest them one at a time with their own --source-id.")
    for folder in folders:
        check_output(folder, force, protected)
    written = [Written(ingestion, folder, write_folder(ingestion, folder, name))
               for ingestion, folder, name in results]
    if report is not None:
        write_atomic(report, report_json([w.ingestion for w in written]))
    return written


#: The libraries of the ``ingest`` extra, by the module each is imported as.
LIBRARIES = {"ahocorasick": "pyahocorasick", "pysbd": "pysbd", "pycountry": "pycountry",
             "anyascii": "anyascii", "rapidfuzz": "rapidfuzz", "pypdf": "pypdf",
             "trafilatura": "trafilatura"}


def _require_libraries() -> None:
    import importlib.util

    missing = [package for module, package in LIBRARIES.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        raise InputError(f"kgraph ingest needs the ingest extra ({', '.join(missing)} not "
                         "installed): pip install 'kgraph[ingest]'.")


def _check_details(details: SourceDetails) -> None:
    import datetime as dt

    from ..load import ID_PATTERN

    if details.source_id is not None and not ID_PATTERN.match(details.source_id):
        raise InputError(f"--source-id '{details.source_id}' is not a readable id; expected "
                         "lower-case words joined by hyphens, e.g. ruc-confucius-bishkek.")
    if details.date is not None:
        try:
            dt.date.fromisoformat(details.date)
        except ValueError:
            raise InputError(f"--date '{details.date}' is not a date; expected YYYY-MM-DD.") from None
