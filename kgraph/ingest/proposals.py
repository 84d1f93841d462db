"""Proposing: the facts a sentence states between the entities it names, as data records.

A sentence that names two or more entities and carries a cue (``kgraph.ingest.cues``) may
state a fact between them. Which entity plays which part is read from their kinds (a
student flow runs between states, a campus's parent is a university) and from the word
before each (a place "in" which something happens is a target or a host, a state students
come "from" is an origin, a partner comes "with"). A fact is proposed only when every part is
filled that way, with the sentence, or the clauses of it, that name both its ends as its quote
(at most about 40 words), and every number it carries (a year, a count, an amount) written in
that quote. A fact the graph already holds is not proposed again.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..schema import ACTORS, KINDS, PLACES
from .across import ACROSS_NOTE
from .cues import (AUDIENCE_NOUNS, CHANNEL_CUES, GOVERNMENT_WORDS, HOSTING, ORIGIN_MARKERS,
                   PARTNER_MARKERS, PLACE_MARKERS, RECIPROCAL, RELATION_CUES, RESPONSE_CUES,
                   STUDENT_NOUNS,
                   amounts, matched, student_counts, years)
from .known import TRUTHY_RELATIONS, KnownGraph
from .linking import Mention, hyphen_joined
from .names import TITLES
from .sentences import Sentence, quote_span
from .text import WORD, slug

#: Relation record kinds whose year field is named otherwise.
_YEAR_FIELDS = {"memberships": "since", "roles": "since", "branch_campuses": "opened"}
#: Entities that can play a party to a partnership (actors and programmes, not places).
_PARTIES = tuple(k for k in ACTORS if k not in ("regions", "cities")) + ("programmes",)
_STATES = ("states", "blocs")
#: The places an influence relation reaches: the graph's relations are to states, blocs
#: and regions; a city says where an actor works (a campus's host city), not whom it reaches.
_REACHED = tuple(k for k in PLACES if k != "cities")
_INSTRUMENTS = ("programmes", "cultural_centres", "branch_campuses", "events")
_LIST_GAP = re.compile(r"^[\s,]*(?:(?:and|or|&|as well as|и|және)\s+)?(?:the\s+)?$", re.I)
#: A gap that holds items of the same list the graph does not know ("the United States,
#: Europe and Russia"): capitalised words between commas.
_LIST_ITEMS = re.compile(r"^[\s,]*(?:(?:the\s+)?[A-ZА-ЯЁ][\w'’-]*(?:\s[A-ZА-ЯЁ][\w'’-]*){0,3}"
                         r"\s*(?:,\s*|\s(?:and|or)\s+))+(?:the\s+)?$")
_POSSESSIVE = re.compile(r"^['’]s\b")
_APPOSED_PLACE = re.compile(r"^\s*,\s*$")
#: A name followed by a capitalised word qualifies that word's name ("the U.S. Embassy"):
#: it is no item of a list before it.
_ATTRIBUTIVE = re.compile(r"\s+[A-ZА-ЯЁ][a-zа-яё]")
#: Words that open a sentence with a subordinate clause, and the comma that ends it.
_SUBORDINATE_OPENING = re.compile(r"(?:While|Whereas|Although|Though|Even though|Unlike|If|"
                                  r"Despite|Хотя|Если|Тогда как)\b")
_LOWER_AFTER_COMMA = re.compile(r",\s+(?=[a-zа-яё])")
#: Where a clause of a sentence ends: an actor of one clause does not reach a place of another.
_CLAUSE_END = re.compile(r";|,\s+(?=(?:but|while|whereas|although|though|which|where|who|whose|"
                         r"when|yet)\b)")
#: A party's own partnerships: its possessive, then up to three adjectives and the cue noun.
_OWN_CUE = re.compile(r"['’]s\s+(?:[a-z-]+\s+){0,3}(?:partnerships?|collaborations?|cooperation|"
                      r"co-operation|alliances?|agreements?)\b")
#: Who a title belongs to: a minister to a ministry (a government body), a president, prime
#: minister or ambassador to a state as well.
_OFFICES = ("states", "blocs", "organisations", "government_bodies", "universities",
            "branch_campuses", "cultural_centres", "companies")
_STATE_OFFICE = re.compile(r"\b(President|Prime Minister|Ambassador|посол|президент|елшісі)", re.I)
#: Words that rank a title written before it ("Deputy Prime Minister", "First Vice-Rector").
_RANK = re.compile(r"(?:\b(?:First|Deputy|Vice|Acting|Former|Executive)[ -])+$")
#: Words that open a list of examples: the list's entities take the part of the word before.
_INTRODUCERS = frozenset("as including like namely notably especially".split())
#: Nouns that make the entities listed after them partners ("partners such as ...").
_PARTNER_NOUNS = frozenset("partner partners ally allies collaborators".split())


@dataclass
class Fact:
    """A fact a sentence states: its record (without source and quote), the two entities it
    links, the spans of text that must stand in its quote, and the cue that found it."""

    kind: str
    fields: dict
    ends: tuple[str, str]
    spans: list[tuple[int, int]]
    cue: str
    new_entity: dict | None = None  # a branch campus the fact creates


@dataclass
class Proposal:
    """A proposed record with the quote that states it (offsets into the saved text)."""

    kind: str
    record: dict
    ends: tuple[str, str]
    quote: str
    start: int
    end: int
    cue: str
    evidence: list[tuple[str, int, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "record": self.record, "ends": list(self.ends),
                "quote": self.quote, "start": self.start, "end": self.end, "cue": self.cue}


class Scene:
    """One sentence and the entities it names, each with the word that marks its part."""

    def __init__(self, text: str, sentence: Sentence, mentions: list[Mention],
                 located: dict[str, str | None] | None = None):
        self.text = text
        self.sentence = sentence
        parties = [m for m in mentions if m.entity and not _nested(m, mentions)
                   and not hyphen_joined(text, m.start, m.end)]
        located = located or {}
        # A place set after an entity that lies in it says where that entity is ("Almaty
        # Management University, Kazakhstan"): it is no party of its own.
        self.mentions = [m for i, m in enumerate(parties) if not (
            i and m.kind in ("states", "cities") and _APPOSED_PLACE.match(text[parties[i - 1].end:m.start])
            and located.get(parties[i - 1].entity) in (m.entity, located.get(m.entity)))]
        self.marker: dict[int, str | None] = {}
        self.possessor: set[int] = set()
        previous = None
        for index, mention in enumerate(self.mentions):
            possessor = bool(_POSSESSIVE.match(text[mention.end:mention.end + 3]))
            last = _marker_before(text, sentence.start, mention.start)
            gap = text[previous.end:mention.start] if previous else None
            attributive = bool(_ATTRIBUTIVE.match(text, mention.end))  # "the U.S. Embassy"
            if gap is not None and (_LIST_GAP.match(gap) or _LIST_ITEMS.match(gap)) \
                    and not possessor and not attributive \
                    and last not in (PLACE_MARKERS | ORIGIN_MARKERS | PARTNER_MARKERS):
                self.marker[index] = self.marker[index - 1]
            else:
                self.marker[index] = last
            if mention.match == "adjective":
                self.marker[index] = _adjective_part(text, mention) or self.marker[index]
            if possessor:
                self.possessor.add(index)
            previous = mention
        # The places named inside a mention's name ("Chinese" in "Chinese Government
        # Scholarship"), by the index of that mention.
        self.inside = {index: [m for m in mentions if m.entity and m.kind in _STATES
                               and outer.start <= m.start and m.end <= outer.end and m is not outer]
                       for index, outer in enumerate(self.mentions)}

    def of(self, kinds, markers=None, exclude=frozenset()) -> list[int]:
        """Indexes of the mentions of these kinds (marked by one of ``markers`` if given),
        one per entity."""
        seen, found = set(), []
        for index, mention in enumerate(self.mentions):
            if mention.kind in kinds and mention.entity not in seen and (
                    markers is None or self.marker[index] in markers) and index not in exclude:
                seen.add(mention.entity)
                found.append(index)
        return found

    def span(self, index: int) -> tuple[int, int]:
        return self.mentions[index].start, self.mentions[index].end

    def entity(self, index: int) -> str:
        return self.mentions[index].entity


class Proposer:
    """Proposes the facts of one document, given what the graph knows."""

    def __init__(self, text: str, known: KnownGraph, kinds: dict[str, str],
                 labels: dict[str, str], states: dict[str, str], sentences: list[Sentence]):
        self.text = text
        self.known = known
        self.kinds = kinds  # every entity id the document links -> record kind
        self.labels = labels  # id -> label
        self.states = states  # id -> the state it lies in, where known
        self.campuses = known.campus_pairs()
        self.sentences = sentences
        self._starts = [s.start for s in sentences]
        self.anaphors: dict[tuple[int, int], Mention] = {}  # span -> the anaphor there

    def facts(self, sentence: Sentence, mentions: list[Mention]) -> list[Fact]:
        """The facts stated in a sentence (or in two read together) between the entities it
        names."""
        self.anaphors.update({(m.start, m.end): m for m in mentions if m.antecedent})
        scene = Scene(self.text, sentence, mentions, self.states)
        if len({m.entity for m in scene.mentions}) < 2:  # a programme named for its funder
            return [fact for programme in scene.of(("programmes",))
                    for fact in self._funded_by_name(scene, programme)]
        found = self._influence_relations(scene)
        for name, (kind, pattern) in RELATION_CUES.items():
            cues = matched(pattern or TITLES, self.text, sentence.start, sentence.end)
            if cues:
                found.extend(getattr(self, f"_{kind}")(scene, cues, name))
        return found

    # -- the rules, one per record kind ------------------------------------------------------
    def _branch_campuses(self, scene: Scene, cues, name) -> list[Fact]:
        parents = scene.of(("universities",))
        hosts = scene.of(("states", "cities"), PLACE_MARKERS)
        pairs = list(zip(parents, hosts)) if len(parents) == len(hosts) > 1 else \
            [(p, h) for p in parents for h in hosts]
        facts = []
        for parent, host in pairs:
            host_id = scene.entity(host)
            host_state = host_id if scene.mentions[host].kind == "states" else self.states.get(host_id)
            parent_id = scene.entity(parent)
            if host_state is None or self.states.get(parent_id) == host_state \
                    or (parent_id, host_state) in self.campuses:
                continue
            cue = _nearest(cues, scene.span(parent))
            campus = {"id": slug(f"{self.labels[parent_id]} {self.labels[host_id]}"),
                      "label": f"{self.labels[parent_id]} ({self.labels[host_id]} campus)",
                      "parent": parent_id, "host_state": host_state}
            if host_id != host_state:
                campus["host_city"] = host_id
            spans = [scene.span(parent), scene.span(host), cue.span()]
            facts.append(Fact("branch_campuses", campus, (parent_id, host_id), spans,
                              _cue(name, cue), new_entity=campus))
            if scene.mentions[host].kind not in _REACHED:
                continue
            facts.append(Fact("influence_relations",
                              {"actor": parent_id, "target": host_id,
                               "instrument": campus["id"], "channels": ["branch-campuses"]},
                              (parent_id, host_id), spans, _cue(name, cue)))
        return facts

    def _student_flows(self, scene: Scene, cues, name) -> list[Fact]:
        origins = scene.of(_STATES, ORIGIN_MARKERS)
        if not origins:
            return []
        others = [i for i in scene.of(_STATES) if i not in origins]
        destinations = [i for i in others if scene.marker[i] in PLACE_MARKERS] or \
            [i for i in others if HOSTING.match(self.text, scene.mentions[i].end + 1)] or \
            (others if len(others) == 1 else [])
        if len(destinations) != 1:
            return []
        destination = destinations[0]
        cue = _nearest(cues, scene.span(destination))
        counts = student_counts(self.text, scene.sentence.start, scene.sentence.end)
        facts = []
        for origin in origins:
            fields = {"origin": scene.entity(origin), "destination": scene.entity(destination)}
            spans = [scene.span(origin), scene.span(destination), cue.span()]
            if len(origins) == 1 and len(counts) == 1 and not counts[0].qualifier:
                fields["count"] = counts[0].value
                spans.append((counts[0].start, counts[0].end))
            facts.append(Fact("student_flows", fields, tuple(fields.values())[:2], spans,
                              _cue(name, cue)))
            facts.append(Fact("influence_relations",
                              {"actor": fields["destination"], "target": fields["origin"],
                               "channels": ["academic-mobility"]},
                              (fields["destination"], fields["origin"]), spans,
                              _cue(name, cue) + "; a state that hosts another's students is read "
                              "as reaching it through academic mobility"))
        return facts

    def _partnerships(self, scene: Scene, cues, name) -> list[Fact]:
        partners = scene.of(_PARTIES, PARTNER_MARKERS)
        others = [i for i in scene.of(_PARTIES) if i not in partners
                  and scene.marker[i] not in PLACE_MARKERS]
        actors = [i for i in others if scene.mentions[i].kind != "programmes"]
        places = [i for i in scene.of(_STATES, PLACE_MARKERS) if i not in partners]
        counterpart = actors if len(actors) == 1 else (others if len(others) == 1 else
                                                       (places if not others else []))
        if partners and len(counterpart) == 1:
            pairs = [(counterpart[0], p) for p in partners]
        elif not partners and len(others) == 2 and (RECIPROCAL.search(
                self.text, scene.mentions[others[1]].end, scene.sentence.end) or any(
                i in scene.possessor and _OWN_CUE.match(self.text, scene.mentions[i].end)
                for i in others)):
            # "X and Y signed a memorandum", "X's partnerships with ...", "the Council ... X's
            # collaborations"; not "X and Y, where partnerships are becoming important".
            pairs = [tuple(others)]
        elif len(partners) == 2 and not others:
            pairs = [tuple(partners)]
        else:
            return []
        channels = self._channels(scene)
        facts = []
        for a, b in pairs:
            ends = (scene.entity(a), scene.entity(b))
            if ends[0] == ends[1]:
                continue
            cue = _nearest(cues, scene.span(b))
            fields = {"parties": list(ends)}
            if channels:
                fields["channels"] = channels
            facts.append(Fact("partnerships", fields, ends,
                              [scene.span(a), scene.span(b), cue.span()], _cue(name, cue)))
        return facts

    def _investments(self, scene: Scene, cues, name) -> list[Fact]:
        facts = []
        for amount in amounts(self.text, scene.sentence.start, scene.sentence.end):
            investors = [i for i in scene.of(ACTORS) if scene.mentions[i].end <= amount.start
                         and scene.marker[i] not in PLACE_MARKERS]
            recipients = [i for i in scene.of(ACTORS + ("programmes", "cities"), PLACE_MARKERS)
                          if investors and scene.mentions[i].start > scene.mentions[investors[-1]].end]
            if not investors or not recipients:
                continue
            investor = investors[-1]
            recipient = min(recipients, key=lambda i: abs(scene.mentions[i].start - amount.end))
            cue = _nearest(cues, (amount.start, amount.end))
            fields = {"investor": scene.entity(investor), "recipient": scene.entity(recipient),
                      "amount": amount.value, "currency": amount.currency}
            how = _cue(name, cue)
            campus = self.known.campus_in(fields["investor"], fields["recipient"]) \
                if scene.mentions[recipient].kind in ("states", "cities") else None
            if campus:  # a university's money "in Almaty" goes to its campus there
                how += (f"; the sum {self.labels.get(fields['investor'])} puts in "
                        f"{self.labels.get(fields['recipient'])} read as put in its campus there")
                fields["recipient"] = campus
            facts.append(Fact("investments", fields, (fields["investor"], fields["recipient"]),
                              [scene.span(investor), scene.span(recipient), cue.span(),
                               (amount.start, amount.end)], how))
        return facts

    def _fundings(self, scene: Scene, cues, name) -> list[Fact]:
        programmes = scene.of(("programmes",))
        funders = [i for i in scene.of(ACTORS) if scene.marker[i] not in PLACE_MARKERS
                   and scene.mentions[i].kind not in ("cities", "regions")]
        facts = []
        for programme in programmes:
            possessors = [i for i in funders if i in scene.possessor
                          and scene.mentions[i].end <= scene.mentions[programme].start]
            chosen = possessors[-1:] or (funders if len(funders) == 1 else [])
            for funder in chosen:
                cue = _nearest(cues, scene.span(programme))
                fields = {"funder": scene.entity(funder), "programme": scene.entity(programme)}
                facts.append(Fact("fundings", fields, (fields["funder"], fields["programme"]),
                                  [scene.span(funder), scene.span(programme), cue.span()],
                                  _cue(name, cue)))
            facts.extend(self._funded_by_name(scene, programme))
        return facts

    def _funded_by_name(self, scene: Scene, programme: int) -> list[Fact]:
        """A programme named for a state's government ("Chinese Government Scholarship",
        "Kazakhstan Presidential Scholarship") is funded by that state."""
        states = {m.entity: m for m in scene.inside[programme]}
        government = GOVERNMENT_WORDS.search(self.text, *scene.span(programme))
        if len(states) != 1 or government is None:
            return []
        (state, mention), = states.items()
        fields = {"funder": state, "programme": scene.entity(programme)}
        return [Fact("fundings", fields, (state, fields["programme"]),
                     [(mention.start, mention.end), scene.span(programme)],
                     f"funding: a programme named for a state's government ('{government.group(0)}')")]

    def _memberships(self, scene: Scene, cues, name) -> list[Fact]:
        organisations = scene.of(("organisations", "blocs"))
        members = [i for i in scene.of(ACTORS) if i not in organisations
                   and scene.marker[i] not in PLACE_MARKERS]
        if len(members) != 1:
            return []
        facts = []
        for organisation in organisations:
            cue = _nearest(cues, scene.span(organisation))
            fields = {"member": scene.entity(members[0]),
                      "organisation": scene.entity(organisation)}
            facts.append(Fact("memberships", fields, (fields["member"], fields["organisation"]),
                              [scene.span(members[0]), scene.span(organisation), cue.span()],
                              _cue(name, cue)))
        return facts

    def _regional_responses(self, scene: Scene, cues, name) -> list[Fact]:
        """A region or state before a response word ("Central Asian states may maintain
        cooperation with Russia while ... alternative partnerships") responding to the outside
        actors named after it: those "with" which, or whose possessions it takes ("China's
        infrastructure"). The response types are those whose words the sentence holds from
        the first on."""
        first = cues[0]
        respondents = [i for i in scene.of(("regions", "states", "blocs"))
                       if scene.mentions[i].end <= first.start() and i not in scene.possessor
                       and scene.marker[i] not in PLACE_MARKERS | ORIGIN_MARKERS | PARTNER_MARKERS]
        if len(respondents) != 1:
            return []
        respondent = respondents[0]
        actors = [i for i in scene.of(ACTORS) if i > respondent
                  and (scene.marker[i] in PARTNER_MARKERS or i in scene.possessor)
                  and scene.entity(i) != scene.entity(respondent)]
        responses = [kind for kind, pattern in RESPONSE_CUES.items()
                     if pattern.search(self.text, first.start(), scene.sentence.end)]
        facts = []
        for actor in actors:
            fields = {"respondent": scene.entity(respondent), "actor": scene.entity(actor),
                      "responses": responses}
            facts.append(Fact("regional_responses", fields, (fields["respondent"], fields["actor"]),
                              [scene.span(respondent), scene.span(actor), first.span()],
                              _cue(name, first)))
        return facts

    def _roles(self, scene: Scene, titles, name) -> list[Fact]:
        facts = []
        for person in scene.of(("people",)):
            start, end = scene.span(person)
            title = _nearest(titles, (start, end))
            if abs(title.start() - start) > 120 and abs(title.end() - end) > 120:
                continue
            role = _title_phrase(self.text, title, start if start > title.end() else scene.sentence.end)
            kinds = _OFFICES if _STATE_OFFICE.search(role) else _OFFICES[1:]
            organisations = [i for i in scene.of(kinds) if i != person]
            if not organisations:
                continue
            organisation = min(organisations, key=lambda i: abs(scene.mentions[i].start - title.end()))
            fields = {"person": scene.entity(person), "organisation": scene.entity(organisation),
                      "role": role}
            facts.append(Fact("roles", fields, (fields["person"], fields["organisation"]),
                              [(start, end), scene.span(organisation), title.span()],
                              _cue(name, title)))
        return facts

    def _influence_relations(self, scene: Scene) -> list[Fact]:
        """Channel use: an actor reaching a place "in" or "to" which the sentence puts it,
        through the channels its cues name."""
        channels = self._channels(scene)
        targets = scene.of(_REACHED, PLACE_MARKERS)
        if not channels or not targets:
            return []
        actors = [i for i in scene.of(ACTORS) if scene.marker[i] not in PLACE_MARKERS
                  and scene.mentions[i].kind not in ("cities", "regions")
                  and not (scene.mentions[i].kind in _STATES and (
                      scene.marker[i] in ORIGIN_MARKERS or i in scene.possessor))]
        instruments = [i for i in scene.of(_INSTRUMENTS) if scene.marker[i] not in PLACE_MARKERS]
        cue = self._channel_cue(scene)
        facts = []
        clauses = sorted(_clause_ends(self.text, scene.sentence))
        for actor in actors:
            a = scene.entity(actor)
            clause = bisect.bisect(clauses, scene.mentions[actor].start)
            candidates = [t for t in targets if scene.entity(t) != a
                          and bisect.bisect(clauses, scene.mentions[t].start) == clause
                          and self.states.get(a) not in (scene.entity(t), self.states.get(scene.entity(t)))]
            if not candidates:
                continue
            after = [t for t in candidates if t > actor]
            target = after[0] if after else candidates[-1]
            t = scene.entity(target)
            fields = {"actor": a, "target": t}
            if len(instruments) == 1 and scene.entity(instruments[0]) != a:
                fields["instrument"] = scene.entity(instruments[0])
            fields["channels"] = channels
            facts.append(Fact("influence_relations", fields, (a, t),
                              [scene.span(actor), scene.span(target), cue.span()],
                              _cue("channel use", cue)))
        return facts

    def _channels(self, scene: Scene) -> list[str]:
        return [channel for channel, pattern in CHANNEL_CUES.items()
                if pattern.search(self.text, scene.sentence.start, scene.sentence.end)]

    def _channel_cue(self, scene: Scene):
        return min((m for p in CHANNEL_CUES.values()
                    for m in p.finditer(self.text, scene.sentence.start, scene.sentence.end)),
                   key=lambda m: m.start())

    # -- from a fact to a proposal -----------------------------------------------------------
    def propose(self, fact: Fact) -> Proposal | None:
        """The proposal for a fact, with its quotes: one per sentence that names what it
        needs (its ends, or the entity an anaphor stands for, its cue and its numbers), at
        most two, each of about 40 words at most; None when no such quotes exist, or when
        the graph holds the fact already."""
        if self._known(fact):
            return None
        anaphors = [self.anaphors[s] for s in fact.spans if s in self.anaphors]
        spans = list(fact.spans) + [a.antecedent for a in anaphors]
        sentences = sorted({self._sentence_of(start) for start, _ in spans},
                           key=lambda s: s.start)
        if len(sentences) > 2:
            return None
        quotes = []
        for sentence in sentences:
            span = quote_span(self.text, sentence, [s for s in spans if sentence.start <= s[0] < sentence.end])
            if span is None:
                return None
            quotes.append(span)
        record = dict(fact.fields)
        written = {y for start, end in quotes for y, _, _ in years(self.text, start, end)}
        year_field = _YEAR_FIELDS.get(fact.kind, "year")
        if len(written) == 1 and any(f.name == year_field for f in KINDS[fact.kind].fields) and (
                fact.kind != "branch_campuses" or re.search(r"open|launch", fact.cue)):
            record[year_field] = written.pop()
        cue = fact.cue
        for anaphor in anaphors:
            cue += f"; '{anaphor.text}' read as {self.labels.get(anaphor.entity, anaphor.entity)}, named before it"
        if len(quotes) > 1:
            cue += f"; {ACROSS_NOTE}"
        evidence = [(self.text[start:end], start, end) for start, end in quotes]
        return Proposal(fact.kind, record, fact.ends, *evidence[0], cue, evidence)

    def _sentence_of(self, offset: int) -> Sentence:
        return self.sentences[max(bisect.bisect_right(self._starts, offset) - 1, 0)]

    def _known(self, fact: Fact) -> bool:
        if fact.kind == "branch_campuses":
            return (fact.fields["parent"], fact.fields["host_state"]) in self.campuses
        relation = TRUTHY_RELATIONS.get(fact.kind)
        return relation is not None and self.known.holds(relation, *fact.ends,
                                                         symmetric=fact.kind == "partnerships")


def _clause_ends(text: str, sentence: Sentence) -> list[int]:
    """Where the clauses of a sentence end: at a semicolon, before ", but", ", while",
    ", which" and the like, and after an opening subordinate clause ("While in the United
    States ... have been formed, in Kazakhstan ...") at its first comma followed by a word in
    lower case (a comma before a capital may be a list's)."""
    ends = [m.end() for m in _CLAUSE_END.finditer(text, sentence.start, sentence.end)]
    if _SUBORDINATE_OPENING.match(text, sentence.start):
        opening = _LOWER_AFTER_COMMA.search(text, sentence.start, sentence.end)
        if opening:
            ends.append(opening.start() + 1)
    return ends


def _adjective_part(text: str, mention: Mention) -> str | None:
    """The part a state named by its adjective plays, by the noun it qualifies: "Kazakh
    students" come from it, "Kazakh researchers" are reached in it; None otherwise."""
    following = WORD.search(text, mention.end, mention.end + 40)
    noun = following.group(0).lower() if following else ""
    if noun in STUDENT_NOUNS:
        return "from"
    return "to" if noun in AUDIENCE_NOUNS else None


def _nested(mention: Mention, mentions: list[Mention]) -> bool:
    """Whether a mention lies inside a longer one (a city inside a new university's name)."""
    return any(o.start <= mention.start and mention.end <= o.end and (o.start, o.end) !=
               (mention.start, mention.end) for o in mentions)


def _marker_before(text: str, start: int, position: int) -> str:
    """The word that marks an entity's part: the preposition before it, looking past an
    article and past "such as", "including", "like" to the word before the list."""
    words = [w.lower() for w in WORD.findall(text[max(start, position - 80):position])]
    while words and words[-1] in ("the", "a", "an"):
        words.pop()
    if words[-2:] == ["according", "to"]:
        return "according"  # the source of a statement, not a place
    if words and words[-1] in _INTRODUCERS:
        if words[-1] == "as" and len(words) > 1 and words[-2] == "such":
            words.pop()
        words.pop()
        if words and words[-1] in _PARTNER_NOUNS:
            return "with"  # "partners like Lehigh University": the list names partners
        for back in range(1, min(len(words), 5) + 1):
            if words[-back] in PLACE_MARKERS | ORIGIN_MARKERS | PARTNER_MARKERS:
                return words[-back]
        return ""
    return words[-1] if words else ""


def _nearest(matches, span: tuple[int, int]):
    return min(matches, key=lambda m: min(abs(m.start() - span[1]), abs(span[0] - m.end())))


def _cue(name: str, match) -> str:
    return f"{name}: '{match.group(0)}'"


def _title_phrase(text: str, title, stop: int) -> str:
    """The title as written: the words that rank it ("Deputy Prime Minister"), the title
    word and the capitalised words of its "of" phrase ("Minister of Science and Higher
    Education"), up to the person's name."""
    rank = _RANK.search(text, max(0, title.start() - 40), title.start())
    phrase = re.match(r"(?:\s+(?:of|and|for|the|[A-Z][\w-]*))*", text[title.end():stop])
    written = (rank.group(0) if rank else "") + title.group(0) + phrase.group(0)
    return re.sub(r"(?:\s+(?:of|and|for|the))+$", "", written).strip()
