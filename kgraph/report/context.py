"""Gathering: what the report's pages say, read from the graph once.

A brief, the comparison and the charts all stand on the same few things: the entity
network (``kgraph.network.project``), its centralities and indicators
(``kgraph.indicators``), the soft-power relations behind the indicators, the sources,
quotes, statuses and notes of every fact (the named queries ``fact-sources`` and
``fact-status``), the labels of the vocabularies (``framework-concepts``), the sources'
disagreements (``source-disagreements``) and the soft-power models (``comparative-models``).
A :class:`ReportContext` holds them, gathered once whether it serves one brief or a site
of fifty; the one query per actor (``actor-instruments``) runs when a page asks for it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import InputError
from ..indicators import STATE_KINDS, NetworkMeasures, SoftPowerRelation
from ..viz import (STATED, STATUSES, Evidence, edge_status, fact_status, has_own_label, node_year,
                   vocabulary_label)

#: Relation names of dated facts, as the timeline shows them.
DATED_RELATIONS = {"influences": "influence", "investsIn": "investment", "funds": "funding",
                   "sendsStudentsTo": "student flow", "partnerOf": "agreement",
                   "memberOf": "membership", "holdsRoleIn": "role"}
#: Kinds of entities dated by their own year, as the timeline shows them.
DATED_KINDS = {"branch_campuses": "opening", "cultural_centres": "opening", "programmes": "launch",
               "events": "event", "policy_documents": "document", "organisations": "founding"}


@dataclass(frozen=True)
class DatedFact:
    """One fact with a year: a relation record or an entity that came about that year."""

    year: int
    kind: str
    fact: str
    ends: tuple[str, ...]
    channels: tuple[str, ...] = ()


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
    statuses: tuple[str, ...] = STATUSES
    _instruments: dict = field(default_factory=dict, repr=False)
    _rankings: dict = field(default_factory=dict, repr=False)

    # --- names ---------------------------------------------------------------------------

    def label(self, node) -> str:
        """The entity's name in the page's language, else in English, else its id."""
        attributes = self.network.nodes[node] if node in self.network else {}
        return str(attributes.get(f"label_{self.lang}") or attributes.get("label")
                   or self.evidence.labels.get(node) or node)

    def untranslated(self, node) -> bool:
        """True when the name shows in English for want of one in the page's language."""
        return node in self.network and not has_own_label(self.network.nodes[node], self.lang)

    def concept(self, concept: str) -> tuple[str, bool]:
        """A channel's, audience's, effect's or status's label and whether it fell back."""
        return vocabulary_label(self.vocabulary, concept, self.lang)

    # --- who is who ----------------------------------------------------------------------

    def kind(self, node) -> str:
        return str(self.network.nodes[node].get("kind", "")) if node in self.network else ""

    def is_central_asian(self, node) -> bool:
        return node in self.network and self.network.nodes[node].get("central_asian") is True

    def is_state(self, node) -> bool:
        return self.kind(node) in STATE_KINDS

    def external_actors(self) -> list[str]:
        """External states and blocs that reach Central Asia, by instruments (the rows of
        the channel-portfolio indicator)."""
        return [row["actor"] for row in self.measures.indicators["channel-portfolio"]]

    def central_asian_states(self) -> list[str]:
        return sorted(n for n in self.network if self.is_central_asian(n) and self.is_state(n))

    def find(self, wanted: str) -> str:
        """An entity by id or by label (any language, any case), or a clear error."""
        if wanted in self.network:
            return wanted
        lowered = wanted.strip().lower()
        for node, attributes in sorted(self.network.nodes(data=True)):
            names = [str(v).lower() for k, v in attributes.items() if k == "label" or k.startswith("label_")]
            if lowered in names:
                return node
        import difflib

        close = difflib.get_close_matches(wanted, list(self.network), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise InputError(f"No entity '{wanted}' in the graph.{hint} Give an entity id such as "
                         "china or kazakhstan, or its label.")

    # --- measures ------------------------------------------------------------------------

    @functools.cached_property
    def centrality(self) -> dict[str, dict]:
        return {row["id"]: row for row in self.measures.centralities}

    def ranking(self, metric: str) -> list[tuple[str, float]]:
        """Every entity with its value of a centrality, highest first (ties by id)."""
        if metric not in self._rankings:
            self._rankings[metric] = sorted(
                ((n, row[metric]) for n, row in self.centrality.items() if row[metric] is not None),
                key=lambda item: (-item[1], item[0]))
        return self._rankings[metric]

    def indicator_rows(self, name: str, column: str) -> dict[str, dict]:
        """An indicator's rows by entity (the overall row for the benefactor balance)."""
        rows = self.measures.indicators.get(name, [])
        if name == "benefactor-balance":
            rows = [r for r in rows if r["scope"] == "overall"]
        return {row[column]: row for row in rows}

    @functools.cached_property
    def relations(self) -> list[SoftPowerRelation]:
        from ..indicators import soft_power_relations

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
        """What an institution acts through: the instruments and records of its influence
        relations, and what it funds, operates, sponsors, organises or is the parent of."""
        from ..indicators import SPHERE_RELATIONS

        found = {actor}
        for _, target, data in self.network.out_edges(actor, data=True):
            if data.get("relation") == "influences":
                found.add(data.get("instrument") or data.get("record") or target)
            elif data.get("relation") in ("funds", "investsIn"):
                found.add(target)
        for source, _, data in self.network.in_edges(actor, data=True):
            if data.get("relation") in SPHERE_RELATIONS:
                found.add(source)
        return found

    # --- per-actor query -------------------------------------------------------------------

    def instruments(self, actor: str) -> list[dict]:
        """The named query ``actor-instruments`` for one actor (kept once asked)."""
        if actor not in self._instruments:
            from ..query import run

            rows = run(self.graph, "actor-instruments", actor=actor)
            for row in rows:
                row["id"] = str(row["instrument_iri"]).rsplit("/", 1)[-1]
            self._instruments[actor] = rows
        return self._instruments[actor]

    # --- facts ---------------------------------------------------------------------------

    def status(self, fact: str) -> str:
        return self.evidence.status(fact)

    def facts_about(self, node: str, instruments: set[str] = frozenset()) -> list[str]:
        """The facts behind what a page says of an entity: its own record, the relation
        records it takes part in and those of its instruments, each once, cited ones only."""
        found = {node} | set(instruments)
        for u, v, data in list(self.network.in_edges(node, data=True)) + list(self.network.out_edges(node, data=True)):
            if data.get("record"):
                found.add(str(data["record"]))
        return sorted(f for f in found if f in self.evidence.quotes and self.status(f) in self.statuses)

    @functools.cached_property
    def dated_facts(self) -> list[DatedFact]:
        """Every dated fact of the network: relation records with a year (one per record,
        however many edges it makes) and entities that came about in a given year."""
        found: dict[str, DatedFact] = {}
        for u, v, data in sorted(self.network.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
            relation, year = data.get("relation"), data.get("year")
            if relation in DATED_RELATIONS and data.get("qualified") and isinstance(year, int):
                record = str(data.get("record"))
                previous = found.get(record)
                ends = tuple(sorted({u, v} | set(previous.ends if previous else ())))
                found[record] = DatedFact(year, DATED_RELATIONS[relation], record, ends, _channels(data))
        for node, attributes in sorted(self.network.nodes(data=True)):
            year = node_year(attributes)
            if attributes.get("kind") in DATED_KINDS and year is not None:
                found[node] = DatedFact(year, DATED_KINDS[attributes["kind"]], node, (node,), _channels(attributes))
        return sorted(found.values(), key=lambda f: (f.year, f.kind, f.fact))

    def dated_facts_of(self, nodes: set[str]) -> list[DatedFact]:
        return [f for f in self.dated_facts if set(f.ends) & nodes or f.fact in nodes]

    @functools.cached_property
    def disagreements(self) -> list[dict]:
        from ..query import run

        return run(self.graph, "source-disagreements")

    def disagreements_about(self, nodes: set[str]) -> list[dict]:
        """The sources' disagreements whose subject is one of these entities (by label)."""
        names = {str(self.network.nodes[n].get("label", n)) for n in nodes if n in self.network}
        return [row for row in self.disagreements if row["subject"] in names]

    @functools.cached_property
    def models(self) -> dict[str, list[dict]]:
        """The soft-power models (``comparative-models``) by the id of their actor."""
        from ..query import run

        by_label = defaultdict(list)
        for node, attributes in self.network.nodes(data=True):
            by_label[str(attributes.get("label", node))].append(node)
        found = defaultdict(list)
        for row in run(self.graph, "comparative-models"):
            row["id"] = str(row["model_iri"]).rsplit("/", 1)[-1]
            for node in by_label.get(str(row["actor"]), []):
                found[node].append(row)
        return found

    def fact_labelled(self, label: str, kind_word: str) -> str | None:
        """The id of the cited fact with this label whose kind names ``kind_word``."""
        for fact, text in sorted(self.evidence.labels.items()):
            if text == label and kind_word in self.evidence.kinds.get(fact, "").lower():
                return fact
        return None


def _channels(attributes: dict) -> tuple[str, ...]:
    return tuple(sorted(c for c in str(attributes.get("channel", "")).split(";") if c))


def gather(source, *, network=None, measures: NetworkMeasures | None = None,
           evidence: Evidence | None = None, lang: str = "en", until: int | None = None,
           statuses=None) -> ReportContext:
    """The context of a compiled graph or a store: projected, measured and read once.

    ``network``, ``measures`` and ``evidence`` are reused when the caller (``kgraph
    build``) has them already. ``until`` keeps the network as of that year and ``statuses``
    only the facts of those epistemic statuses; either recomputes the measures on what is
    left, so that every number describes the network the page speaks of.
    """
    from ..indicators import measure
    from ..network import project, until_year
    from ..store import queryable
    from ..viz import load_evidence, load_vocabulary
    from ..words import Words

    Words(lang)  # an unknown language fails here, before any work
    statuses = tuple(statuses) if statuses else STATUSES
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise InputError(f"Unknown status '{unknown[0]}'; expected one of: {', '.join(STATUSES)}.")
    graph = queryable(source)
    evidence = evidence if evidence is not None else load_evidence(graph)
    network = network if network is not None else project(source)
    filtered = until is not None or set(statuses) != set(STATUSES)
    if until is not None:
        network = until_year(network, until)
    if set(statuses) != set(STATUSES):
        network = by_status(network, evidence, statuses)
    if measures is None or filtered:
        measures = measure(network)
    return ReportContext(graph, network, measures, evidence, load_vocabulary(graph), lang, until, statuses)


def by_status(network, evidence: Evidence, statuses) -> object:
    """The network without the relations whose epistemic status is not one of ``statuses``
    (a plain edge stands on its subject's record), and without the inferred or proposed
    entities not asked for; stated entities stay, as the frame the relations hang on."""
    wanted = set(statuses)
    result = network.copy()
    result.remove_nodes_from([n for n, d in network.nodes(data=True)
                              if fact_status(d, evidence, n) not in wanted | {STATED}])
    result.remove_edges_from([(u, v, k) for u, v, k, d in result.edges(keys=True, data=True)
                              if edge_status(network, u, d, evidence) not in wanted])
    return result


__all__ = ["ReportContext", "DatedFact", "gather", "by_status", "STATED"]
