"""Gathering: what the report's pages say, read from the graph once.

A brief, the comparison and the charts all stand on the same few things: the entity
network (``kgraph.network.project``), its centralities and indicators
(``kgraph.indicators``), the soft-power relations behind the indicators, the sources,
quotes, statuses and notes of every fact (the named query ``fact-sources``), the labels of the vocabularies (``framework-concepts``), the sources'
disagreements (``source-disagreements``) and the soft-power models (``comparative-models``).
A :class:`ReportContext` holds them, gathered once whether it serves one brief or a site
of fifty; the one query per actor (``actor-instruments``) runs when a page asks for it.

A brief or a comparison from an on-disk store whose build kept the network's measures
(``kgraph.storedmeasures``) needs none of the whole-network work: a :class:`StoredContext`
reads the measures kept with the store, projects only the part of the network around the
entities on its pages (``kgraph.network.project_around``) and reads the quotes of the facts
it shows, each with queries about them only. It answers every question a page asks as the
whole-network context would, in a few seconds instead of minutes at a million triples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..errors import UnknownNameError
from ..indicators import PLACE_KINDS, STATE_KINDS, NetworkMeasures, SoftPowerRelation
from ..namespaces import SPR
from ..network import DatedFact
from ..choices import EPISTEMIC_STATUSES
from ..storedmeasures import StoredMeasures
from ..viz import Evidence, has_own_label, vocabulary_label

@dataclass
class ReportContext:
    """The network, its measures and the evidence of one graph, with the look-ups the
    pages make. Build it with :func:`gather`."""

    graph: object
    network: object
    measures: NetworkMeasures
    evidence: Evidence
    vocabulary: dict
    lang: str = "en"
    until: int | None = None
    statuses: tuple[str, ...] = EPISTEMIC_STATUSES
    #: The facts (entities and relation records) the status selection left out with what
    #: hangs on them (``kgraph.network.by_status``): not shown, whatever their own status.
    left_out: frozenset = frozenset()
    #: What the user should know about how the context was gathered (printed by the CLI).
    notes: list[str] = field(default_factory=list)
    _instruments: dict = field(default_factory=dict, repr=False)
    _rankings: dict = field(default_factory=dict, repr=False)
    _indicator_rows: dict = field(default_factory=dict, repr=False, init=False)
    _records: tuple = field(default=(None, {}), repr=False)
    _institutions: list | None = field(default=None, repr=False)

    # --- the entities ----------------------------------------------------------------------

    def attributes(self, node) -> dict | None:
        """The entity's attributes in the network (``kgraph.network.project``), ``None`` for
        what is not an entity of it (a relation record)."""
        return self.network.nodes[node] if node in self.network else None

    @property
    def entity_count(self) -> int:
        return self.network.number_of_nodes()

    @property
    def place_count(self) -> int:
        """Cities and regions, which the actor network of the brokerage indicator leaves out."""
        return sum(1 for _, d in self.network.nodes(data=True) if d.get("kind") in PLACE_KINDS)

    # --- names ---------------------------------------------------------------------------

    def label(self, node) -> str:
        """The entity's name in the page's language, else in English; a relation record
        without a name of its own (an influence relation, a student flow) is named by its
        ends and channels; the id only when the graph says nothing more."""
        attributes = self.attributes(node) or {}
        return str(attributes.get(f"label_{self.lang}") or attributes.get("label")
                   or self.evidence.labels.get(node) or self.record_label(node) or node)

    def record_label(self, record) -> str | None:
        """"China → Kazakhstan (scholarships, language)": a relation record by the entities
        it links and its channels, in the page's language; ``None`` for what is not the
        record of an edge of the network."""
        ends = self._record_edge(str(record))
        if ends is None:
            return None
        source, target, data = ends
        channels = ", ".join(self.concept(c)[0] for c in sorted(str(data.get("channel") or "").split(";")) if c)
        text = f"{self.label(source)} \u2192 {self.label(target)}"
        return f"{text} ({channels})" if channels else text

    def _record_edge(self, record: str) -> tuple | None:
        return self._record_edges().get(record)

    def _record_edges(self) -> dict[str, tuple]:
        """Relation record -> (source, target, attributes) of its edge, for the network at hand
        (a stored context's grows as it focuses)."""
        if self._records[0] is not self.network:
            self._records = (self.network, {str(d["record"]): (u, v, d) for u, v, d in
                                            sorted(self.network.edges(data=True), key=lambda e: e[:2])
                                            if d.get("record")})
        return self._records[1]

    def english_label(self, node) -> str:
        """The entity's English name (its id when it has none), as the queries name it."""
        attributes = self.attributes(node)
        return str(attributes.get("label", node)) if attributes is not None else str(node)

    def untranslated(self, node) -> bool:
        """True when the name shows in English for want of one in the page's language."""
        attributes = self.attributes(node)
        return attributes is not None and not has_own_label(attributes, self.lang)

    def concept(self, concept: str) -> tuple[str, bool]:
        """A channel's, audience's, effect's or status's label and whether it fell back."""
        return vocabulary_label(self.vocabulary, concept, self.lang)

    # --- who is who ----------------------------------------------------------------------

    def kind(self, node) -> str:
        return str((self.attributes(node) or {}).get("kind", ""))

    def is_central_asian(self, node) -> bool:
        return (self.attributes(node) or {}).get("central_asian") is True

    def is_state(self, node) -> bool:
        return self.kind(node) in STATE_KINDS

    def external_actors(self) -> list[str]:
        """External states and blocs that reach Central Asia, by instruments (the rows of
        the channel-portfolio indicator)."""
        return [row["actor"] for row in self.measures.indicators["channel-portfolio"]]

    def central_asian_states(self) -> list[str]:
        return sorted(n for n in self.network if self.is_central_asian(n) and self.is_state(n))

    def find(self, wanted: str) -> str:
        """An entity of the network by id, IRI or label (any language, any case), found as
        every command finds one (``kgraph.network.entity_id``), or a clear error."""
        return wanted if wanted in self.network else self._entity(wanted, self.network.__contains__)

    def _entity(self, wanted: str, is_known) -> str:
        from ..network import entity_id

        node = entity_id(self.graph, wanted, "entity")
        if not is_known(node):
            left = " left by --until or --status" if self.until is not None or self.left_out else ""
            raise UnknownNameError(f"The entity value '{wanted}' names {node}, which is not an entity "
                                   f"of the network{left}.")
        return node

    # --- measures ------------------------------------------------------------------------

    @functools.cached_property
    def centrality(self) -> dict[str, dict]:
        return {row["id"]: row for row in self.measures.centralities}

    def centrality_row(self, node: str) -> dict:
        """The entity's row of centralities (``kgraph centrality``)."""
        return self.centrality[node]

    def centrality_rank(self, metric: str, node: str) -> tuple[int, int, bool]:
        """Where the entity ranks by a centrality among every entity: its competition rank,
        how many are ranked, and whether it shares the rank (``explain.rank_among``)."""
        from .explain import rank_among

        return rank_among({n: row[metric] for n, row in self.centrality.items()}, node)

    def community(self, community) -> tuple[int, list[str]]:
        """How many entities a community has, and the names of its three with the highest
        PageRank."""
        members = {n for n, row in self.centrality.items() if row["community"] == community}
        return len(members), [self.centrality[n]["label"] for n, _ in self.ranking("pagerank") if n in members][:3]

    def ranking(self, metric: str) -> list[tuple[str, float]]:
        """Every entity with its value of a centrality, highest first (ties by id)."""
        if metric not in self._rankings:
            self._rankings[metric] = sorted(
                ((n, row[metric]) for n, row in self.centrality.items() if row[metric] is not None),
                key=lambda item: (-item[1], item[0]))
        return self._rankings[metric]

    def indicator_rows(self, name: str, column: str) -> dict[str, dict]:
        """An indicator's rows by entity (the overall row for the benefactor balance)."""
        if (name, column) not in self._indicator_rows:
            where = PAGE_ROWS.get(name, {})
            self._indicator_rows[name, column] = {row[column]: row for row in self.measures.indicators.get(name, [])
                                                  if all(row[key] == value for key, value in where.items())}
        return self._indicator_rows[name, column]

    def indicator_row(self, name: str, column: str, node: str) -> dict | None:
        return self.indicator_rows(name, column).get(node)

    def indicator_rank(self, name: str, column: str, node: str, value: str,
                       higher_first: bool = True) -> tuple[int, int, bool]:
        """Where the entity ranks among an indicator's entities by the number in ``value``
        (those without one, None or NaN, are not ranked): ``explain.rank_among``."""
        from .explain import rank_among

        numbers = {key: row[value] for key, row in self.indicator_rows(name, column).items()
                   if isinstance(row[value], (int, float)) and row[value] == row[value]}
        return rank_among(numbers, node, higher_first)

    @functools.cached_property
    def relations(self) -> list[SoftPowerRelation]:
        """Every soft-power relation of the network (kept with the measures when they were
        computed together)."""
        from ..indicators import soft_power_relations

        if self.measures.relations is not None:
            return self.measures.relations
        return soft_power_relations(self.network)

    def relations_from(self, actor: str) -> list[SoftPowerRelation]:
        """The soft-power relations an actor gives: as their provider (a state or bloc), or,
        for an institution, through its own instruments and influence relations."""
        if self.is_state(actor):
            return [r for r in self.relations if r.provider == actor]
        own = self.own_instruments(actor)
        return [r for r in self.relations if r.instrument in own]

    def relations_to(self, state: str) -> list[SoftPowerRelation]:
        return [r for r in self.relations if r.receiver == state]

    def own_instruments(self, actor: str) -> set[str]:
        """What an institution acts through (``kgraph.indicators.own_instruments``)."""
        from ..indicators import own_instruments

        return own_instruments(self.network, actor)

    def institutions(self) -> list[dict]:
        """The institutions outside Central Asia (universities, companies, organisations,
        government bodies) whose own instruments reach a Central Asian state, with their
        distinct instruments, channels and states reached, most instruments first
        (``kgraph.indicators.institution_reach``: one pass over the network, whatever its size)."""
        from ..indicators import institution_reach

        if self._institutions is None:
            self._institutions = institution_reach(self.network, self.relations)
        return self._institutions

    # --- per-actor query -------------------------------------------------------------------

    def instruments(self, actor: str) -> list[dict]:
        """The named query ``actor-instruments`` for one actor (kept once asked)."""
        if actor not in self._instruments:
            rows = self._instrument_rows(actor)
            for row in rows:
                row["id"] = str(row["instrument_iri"]).rsplit("/", 1)[-1]
            self._instruments[actor] = [row for row in rows if self.shows(row["id"])]
        return self._instruments[actor]

    def _instrument_rows(self, actor: str) -> list[dict]:
        from ..query import run

        return run(self.graph, "actor-instruments", actor=actor)

    def prepare(self, names=(), evidence=()) -> None:
        """Read at once what a page is about to show: the names of ``names`` (entities or
        relation records) and the sources and quotes of the facts ``evidence``. The whole
        network's context has them all at hand; a :class:`StoredContext` reads them here in
        a few queries rather than one per name."""

    # --- facts ---------------------------------------------------------------------------

    def status(self, fact: str) -> str:
        return self.evidence.status(fact)

    def shows(self, fact: str) -> bool:
        """True when the page may show this fact: its status is one of those asked for and
        the status selection did not leave it out with what it hangs on."""
        if len(self.statuses) == len(EPISTEMIC_STATUSES):
            return True  # nothing selected: no status to read
        return fact not in self.left_out and self.status(fact) in self.statuses

    def facts_about(self, node: str, instruments: set[str] = frozenset()) -> list[str]:
        """The facts behind what a page says of an entity: its own record, the relation
        records it takes part in and those of its instruments, each once, cited ones only."""
        found = {node} | set(instruments)
        for u, v, data in list(self.network.in_edges(node, data=True)) + list(self.network.out_edges(node, data=True)):
            if data.get("record"):
                found.add(str(data["record"]))
        self.prepare(evidence=found)
        return sorted(f for f in found if f in self.evidence.quotes and self.shows(f))

    @functools.cached_property
    def dated_facts(self) -> list[DatedFact]:
        """Every dated fact of the network (``kgraph.network.dated_facts``)."""
        from ..network import dated_facts

        return dated_facts(self.network)

    def dated_facts_of(self, nodes: set[str]) -> list[DatedFact]:
        return [f for f in self.dated_facts if set(f.ends) & nodes or f.fact in nodes]

    @functools.cached_property
    def disagreements(self) -> list[dict]:
        from ..query import run

        return run(self.graph, "source-disagreements")

    def disagreements_about(self, nodes: set[str]) -> list[dict]:
        """The sources' disagreements whose subject is one of these entities, between
        observations of the statuses asked for."""
        return self._shown_disagreements(self.disagreements, nodes)

    def _shown_disagreements(self, rows: list[dict], nodes: set[str]) -> list[dict]:
        iris = {str(SPR[n]) for n in nodes}
        return [row for row in rows if str(row["subject_iri"]) in iris
                and {row["epistemic_status_a"], row["epistemic_status_b"]} <= set(self.statuses)]

    @functools.cached_property
    def _models(self) -> list[dict]:
        from ..query import run

        rows = run(self.graph, "comparative-models")
        for row in rows:
            row["id"] = str(row["model_iri"]).rsplit("/", 1)[-1]
        return rows

    def models_of(self, actor: str) -> list[dict]:
        """The soft-power models (``comparative-models``) of an entity, of the statuses asked
        for."""
        iri = str(SPR[actor])
        return [row for row in self._models if str(row["actor_iri"]) == iri and self.shows(row["id"])]

    def fact_labelled(self, label: str, kind_word: str) -> str | None:
        """The id of the cited fact with this label whose kind names ``kind_word``."""
        for fact, text in sorted(self.evidence.labels.items()):
            if text == label and kind_word in self.evidence.kinds.get(fact, "").lower():
                return fact
        return None

    def facts_labelled(self, labels: list[str], kind_word: str) -> list[str]:
        """:meth:`fact_labelled` of each label, in their order, those found only."""
        return [fact for fact in (self.fact_labelled(label, kind_word) for label in labels) if fact]


@dataclass
class StoredContext(ReportContext):
    """The context of the pages of a few entities of an on-disk store that kept its
    measures (``kgraph.storedmeasures``): built with :meth:`focused`.

    Every centrality and indicator comes from the store's measures; the network is the part
    around the entities (``kgraph.network.project_around``: their edges and the entities at
    the other ends); the soft-power relations and the dated facts are looked up by entity;
    other entities' names and every fact's quotes are read as the pages ask for them, in
    batches prefetched for what the pages will show. The whole network's relations and its
    Central Asian states, which only the site's index and charts need, are not at hand.
    """

    stored: StoredMeasures | None = None
    _entities: dict = field(default_factory=dict, repr=False)
    _given: dict = field(default_factory=dict, repr=False)
    _outside: dict = field(default_factory=dict, repr=False)
    _received: dict = field(default_factory=dict, repr=False)
    _ahead: dict = field(default_factory=dict, repr=False)

    @classmethod
    def focused(cls, store, stored: StoredMeasures, entities: list[str], lang: str = "en") -> "StoredContext":
        """The context of the pages of ``entities`` (ids or labels)."""
        import networkx as nx

        from ..viz import load_vocabulary

        context = cls(store, nx.MultiDiGraph(), NetworkMeasures([], stored.indicators), fetching_evidence(store),
                      load_vocabulary(store), lang, stored=stored)
        context.focus([context.find(entity) for entity in entities])
        return context

    def focus(self, nodes: list[str]) -> None:
        """Read the part of the network these entities' pages stand on (their edges and the
        entities at the other ends), and the attributes of the entities their relations
        link and of their partners, by which the pages tell who is who. The names and
        quotes of the facts a page lists are read when it lists them (:meth:`prepare`):
        only those it shows, not every fact of a large actor."""
        from ..network import project_around

        self.network = project_around(self.graph, nodes)
        self._read_ahead([node for node in nodes if not self.is_central_asian(node)])
        relations = [r for node in nodes for r in self.relations_from(node) + self.relations_to(node)]
        mentioned = {end for r in relations for end in (r.provider, r.receiver)}
        for node in nodes:
            row = self.indicator_rows("multivector", "state").get(node)
            if row:
                mentioned |= {part.rsplit(":", 1)[0] for part in row["partner_counts"].split(";") if part}
        self.prefetch(mentioned)

    def prepare(self, names=(), evidence=()) -> None:
        names = set(names)
        self.prefetch(names)
        records = {n for n in names if self.attributes(n) is None}
        self.prefetch_records(records)
        # A record without a name of its own is named by its label, if it has one.
        self.evidence.quotes.fetch(set(evidence) | records)

    # --- the entities ----------------------------------------------------------------------

    def attributes(self, node) -> dict | None:
        if node in self.network:
            return self.network.nodes[node]
        if node not in self._entities:
            self.prefetch({node})
        return self._entities[node]

    def prefetch(self, nodes) -> None:
        """Read the attributes of these entities, those not at hand yet, at once."""
        from ..network import entity_attributes

        missing = {n for n in nodes if n not in self.network and n not in self._entities}
        if missing:
            found = entity_attributes(self.graph, missing)
            self._entities.update({node: found.get(node) for node in missing})

    def _record_edge(self, record: str) -> tuple | None:
        found = super()._record_edge(record)
        if found is None:
            self.prefetch_records({record})
            found = self._outside[record]
        return found

    def prefetch_records(self, records) -> None:
        """Read the edges of these relation records (those outside the part of the network
        at hand), by which pages name them, at once."""
        from ..network import project_around

        missing = {r for r in records if r not in self._outside and r not in self._record_edges()}
        if missing:
            around = project_around(self.graph, missing)
            edges = {str(d["record"]): (u, v, d) for u, v, d in sorted(around.edges(data=True), key=lambda e: e[:2])
                     if str(d.get("record")) in missing}
            self._outside.update({record: edges.get(record) for record in missing})
            # The ends' attributes came with them, as the whole projection gives them.
            for node, data in around.nodes(data=True):
                if node not in self.network:
                    self._entities.setdefault(node, dict(data))

    @property
    def entity_count(self) -> int:
        return self.stored.entities

    @property
    def place_count(self) -> int:
        return self.stored.places

    def find(self, wanted: str) -> str:
        return wanted if self.stored.has_entity(wanted) else self._entity(wanted, self.stored.has_entity)

    # --- measures, read by SQLite from those kept, not all loaded --------------------------

    @property
    def centrality(self) -> dict[str, dict]:
        raise NotImplementedError("a StoredContext reads its entities' centralities only; gather() the whole network")

    def centrality_row(self, node: str) -> dict:
        return self.stored.centrality_row(node)

    def centrality_rank(self, metric: str, node: str) -> tuple[int, int, bool]:
        return self.stored.centrality_rank(metric, node)

    def community(self, community) -> tuple[int, list[str]]:
        return self.stored.community(community)

    def indicator_row(self, name: str, column: str, node: str) -> dict | None:
        return self.stored.indicator_row(name, column, node, PAGE_ROWS.get(name))

    def indicator_rank(self, name: str, column: str, node: str, value: str,
                       higher_first: bool = True) -> tuple[int, int, bool]:
        mine = self.indicator_row(name, column, node)[value]
        return self.stored.indicator_rank(name, value, mine, PAGE_ROWS.get(name), higher_first)

    def institutions(self) -> list[dict]:
        """As the whole network's context finds them, read from the table the build kept
        with the measures (``kgraph.storedmeasures``), not from every institution's edges."""
        return self.stored.institutions()

    def central_asian_states(self) -> list[str]:
        raise NotImplementedError("a StoredContext reads the pages' entities only; gather() the whole network")

    def _read_ahead(self, actors: list[str]) -> None:
        """Start reading these actors' instruments, which their pages will ask for, in a
        thread: Oxigraph evaluates a query without holding Python's lock, so the longest
        query of an actor's page runs while its other parts are read and its charts drawn."""
        from concurrent.futures import ThreadPoolExecutor

        if actors:
            reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgraph-read-ahead")
            self._ahead.update((actor, reader.submit(self._read_instrument_rows, actor)) for actor in actors)
            reader.shutdown(wait=False)  # the thread ends once it has read them

    def _instrument_rows(self, actor: str) -> list[dict]:
        """The instruments read ahead, if they were, else now."""
        ahead = self._ahead.pop(actor, None)
        return ahead.result() if ahead is not None else self._read_instrument_rows(actor)

    def _read_instrument_rows(self, actor: str) -> list[dict]:
        """The rows of ``actor-instruments`` for one actor, in three steps that each read
        only what concerns it: the actor's agents (itself, its institutions and government
        bodies), their instruments, then the whole query for these instruments. Oxigraph
        plans the whole query's first join from every funding and operating link of the
        store (0.7 s at a million triples, however few the actor's); step by step it takes
        0.03 to 0.4 s. The rows are those of the whole query (``kgraph.query.run_for``).
        Past ``STEPWISE_INSTRUMENTS`` instruments the last step's VALUES blocks cost more
        than they save (1,990: 3.0 s against 1.6 s), and the whole query runs instead."""
        from rdflib import URIRef

        from ..query import run_for, run_step

        iri = SPR[actor]
        agents = run_step(self.graph, "actor-instruments", "SELECT DISTINCT ?actor ?agent", actor=iri)
        found = run_step(self.graph, "actor-instruments", "SELECT DISTINCT ?actor ?instrument_iri", actor=iri,
                         agent=[URIRef(str(row["agent"])) for row in agents])
        instruments = {URIRef(str(row["instrument_iri"])) for row in found}
        if len(instruments) > STEPWISE_INSTRUMENTS:
            return super()._instrument_rows(actor)
        return run_for(self.graph, "actor-instruments", "instrument_iri", instruments, actor=iri) if instruments else []

    # --- relations and dated facts ---------------------------------------------------------

    @property
    def relations(self) -> list[SoftPowerRelation]:
        raise NotImplementedError("a StoredContext reads the pages' entities' relations only; "
                                  "gather() the whole network")

    @property
    def dated_facts(self) -> list[DatedFact]:
        raise NotImplementedError("a StoredContext reads the pages' entities' dated facts only; "
                                  "gather() the whole network")

    def relations_from(self, actor: str) -> list[SoftPowerRelation]:
        if actor not in self._given:
            self._given[actor] = (self.stored.relations("provider", [actor]) if self.is_state(actor)
                                  else self.stored.relations("instrument", self.own_instruments(actor)))
        return self._given[actor]

    def dated_facts_of(self, nodes: set[str]) -> list[DatedFact]:
        return self.stored.dated_facts_of(nodes)

    def relations_to(self, state: str) -> list[SoftPowerRelation]:
        if state not in self._received:
            self._received[state] = self.stored.relations("receiver", [state])
        return self._received[state]

    # --- facts -----------------------------------------------------------------------------

    def disagreements_about(self, nodes: set[str]) -> list[dict]:
        """As the whole network's context finds them, but with ``source-disagreements`` run
        only for those of these entities the build found sources disagreeing about (kept
        with the measures): most pages have none, and 700 entities cost the query 0.3 s at
        a million triples."""
        from rdflib import URIRef

        from ..query import run_for

        disagreed = self.stored.disagreed_about(str(SPR[n]) for n in nodes)
        rows = run_for(self.graph, "source-disagreements", "entity", sorted(map(URIRef, disagreed))) if disagreed else []
        return self._shown_disagreements(rows, nodes)

    def fact_labelled(self, label: str, kind_word: str) -> str | None:
        return next(iter(self.facts_labelled([label], kind_word)), None)

    def facts_labelled(self, labels: list[str], kind_word: str) -> list[str]:
        """As the whole network's context finds them, with one label lookup for them all."""
        from ..query import labelled_each

        prefix = str(SPR)
        found = labelled_each(self.graph, labels)
        candidates = {label: sorted({str(iri)[len(prefix):] for iri in found[label] if str(iri).startswith(prefix)})
                      for label in labels}
        self.evidence.quotes.fetch({fact for facts in candidates.values() for fact in facts})
        chosen = (next((fact for fact in candidates[label] if self.evidence.labels.get(fact) == label
                        and kind_word in self.evidence.kinds.get(fact, "").lower()), None) for label in labels)
        return [fact for fact in chosen if fact]


#: The rows of an indicator a page reads, by the values they hold: the benefactor balance's
#: overall row of each state, not its rows by channel.
PAGE_ROWS = {"benefactor-balance": {"scope": "overall"}}
#: The most instruments for which :meth:`StoredContext._read_instrument_rows` runs
#: ``actor-instruments`` step by step.
STEPWISE_INSTRUMENTS = 1000


class _Fetching(dict):
    """One of the evidence's tables, whose entries are read from the graph as they are
    asked for (``fetch`` reads those of many facts at once)."""

    def __init__(self, fetch):
        super().__init__()
        self.fetch = fetch

    def get(self, fact, default=None):
        self.fetch((fact,))
        return super().get(fact, default)

    def __contains__(self, fact) -> bool:
        self.fetch((fact,))
        return super().__contains__(fact)

    def __getitem__(self, fact):
        self.fetch((fact,))
        return super().__getitem__(fact)


def fetching_evidence(graph) -> Evidence:
    """Evidence (``kgraph.viz.Evidence``) read fact by fact as it is asked for, with the
    restricted queries of ``kgraph.viz.load_evidence``; ``evidence.quotes.fetch(facts)``
    reads many facts in one go."""
    from ..viz import load_evidence

    fetched: set[str] = set()

    def fetch(facts) -> None:
        missing = {str(fact) for fact in facts} - fetched
        if missing:
            fetched.update(missing)
            found = load_evidence(graph, missing)
            for table in TABLES:
                dict.update(getattr(evidence, table), getattr(found, table))

    evidence = Evidence(*(_Fetching(fetch) if table in FACT_TABLES else {} for table in TABLES))
    return evidence


#: The tables of ``kgraph.viz.Evidence``, in the order of its fields; those by fact are read
#: as asked for, those by source (titles, references) as the facts citing them are read.
TABLES = ("quotes", "titles", "labels", "kinds", "statuses", "notes", "references")
FACT_TABLES = ("quotes", "labels", "kinds", "statuses", "notes")


def gather(source, *, network=None, measures: NetworkMeasures | None = None,
           evidence: Evidence | None = None, lang: str = "en", until: int | None = None,
           statuses=None, entities: list[str] | None = None) -> ReportContext:
    """The context of a compiled graph or a store: projected, measured and read once.

    ``network``, ``measures`` and ``evidence`` are reused when the caller (``kgraph
    build``) has them already. ``until`` keeps the network as of that year and ``statuses``
    only the facts of those epistemic statuses; either recomputes the measures on what is
    left, so that every number describes the network the page speaks of.

    ``entities``: the context of the briefs or the comparison of these entities only (ids or
    labels; an unknown one is an error). From an on-disk store that kept its measures, it
    is a :class:`StoredContext`, which reads only what their pages show; else the whole
    network is measured as above, and ``notes`` says why when the source is a store.
    """
    from ..indicators import measure
    from ..network import by_status, project, until_year
    from ..store import queryable
    from ..viz import load_evidence, load_vocabulary
    from ..words import Words

    from ..statuses import checked_statuses

    Words(lang)  # an unknown language fails here, before any work
    selected = checked_statuses(statuses)
    statuses = tuple(s for s in EPISTEMIC_STATUSES if selected is None or s in selected)
    graph = queryable(source)
    filtered = until is not None or selected is not None
    notes = []
    if entities is not None and network is None and measures is None and hasattr(source, "spec"):
        if not filtered:
            from ..storedmeasures import MeasuresUnavailable, open_measures

            try:
                stored = open_measures(source)
            except MeasuresUnavailable as exc:
                notes.append(f"{exc}: measuring the whole network first (minutes at a million triples; "
                             f"kgraph build --store {source.spec} keeps the measures with the store).")
            else:
                return StoredContext.focused(source, stored, entities, lang)
        else:
            notes.append("--until and --status measure the network they leave: measuring it first "
                         "(minutes at a million triples).")
    evidence = evidence if evidence is not None else load_evidence(graph)
    network = network if network is not None else project(source)
    if until is not None:
        network = until_year(network, until)
    selection = by_status(network, selected)
    left_out = _facts_of(network) - _facts_of(selection)
    if measures is None or filtered:
        measures = measure(selection)
    return ReportContext(graph, selection, measures, evidence, load_vocabulary(graph), lang, until, statuses,
                         frozenset(left_out), notes)


def _facts_of(network) -> set[str]:
    """The entities of a network and the relation records of its edges."""
    return set(network) | {str(d["record"]) for _, _, d in network.edges(data=True) if d.get("record")}


__all__ = ["ReportContext", "StoredContext", "DatedFact", "gather"]
