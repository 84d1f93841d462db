"""What the graph already knows: its entities with every name they go by, and its facts.

Linking needs each entity's kind and names (label, names in other languages, alternative
labels, and the variants that name a place by its adjective) and, for states, the ISO code that ties them to pycountry's countries; proposing
needs the facts already held, so as not to propose them again, and which entity lies in
which state. All of it comes from a few SELECT queries, so the graph may be compiled from
``--data`` folders or live in any store of ``kgraph.store``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from ..namespaces import SDO, SP
from ..network import NODE_CLASSES, run_select
from ..schema import KINDS

#: Queries of this module, beside the entity, label, literal and link queries of the network
#: stage (``kgraph.network.QUERIES``).
_ALT_LABELS = f"""SELECT DISTINCT ?entity ?label WHERE {{
  VALUES ?class {{ {" ".join(f"<{c}>" for c in sorted(NODE_CLASSES))} }}
  ?entity a ?class ; skos:altLabel ?label .
}}"""
_VARIANTS = f"""SELECT DISTINCT ?entity ?label WHERE {{
  VALUES ?class {{ {" ".join(f"<{c}>" for c in sorted(NODE_CLASSES))} }}
  ?entity a ?class ; skos:hiddenLabel ?label .
}}"""
#: The general references (sources of type "reference") an entity's record cites: where the
#: graph has a city's state from (a geographic reference).
_REFERENCES = """SELECT DISTINCT ?entity ?id WHERE {
  ?entity dcterms:source ?source .
  ?source a sp:Source ; dcterms:type "reference" ; dcterms:identifier ?id .
}"""
_SOURCES = """SELECT ?id WHERE { ?source a sp:Source ; dcterms:identifier ?id . }"""

#: Reference fields that place an entity in a state: a city's state, a university's
#: country, a campus's host state.
_STATE_LINKS = {str(SDO.containedInPlace): "state", str(SP.homeCountry): "country",
                str(SP.hostState): "host_state", str(SP.hostCity): "host_city",
                str(SP.parentInstitution): "parent"}


@dataclass
class KnownEntity:
    """An entity of the graph: id, record kind and names as (name, language, is_alt)."""

    id: str
    kind: str
    names: list[tuple[str, str, bool]] = field(default_factory=list)
    iso_code: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # state, country, host_state, parent
    variants: list[str] = field(default_factory=list)  # other words for it ("Kazakh")
    references: list[str] = field(default_factory=list)  # general references its record cites

    @property
    def label(self) -> str:
        english = [n for n, language, alt in self.names if not alt and language in ("", "en")]
        return (english or [n for n, _, _ in self.names] or [self.id])[0]


@dataclass
class KnownGraph:
    """The entities, the facts as (relation, subject id, object id) and each entity's
    neighbours, of one graph."""

    entities: dict[str, KnownEntity]
    facts: set[tuple[str, str, str]] = field(default_factory=set)
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    source_ids: set[str] = field(default_factory=set)

    def holds(self, relation: str, a: str, b: str, symmetric: bool = False) -> bool:
        return (relation, a, b) in self.facts or (symmetric and (relation, b, a) in self.facts)

    def state_of(self, entity_id: str) -> str | None:
        """The state an entity lies in, by its own reference fields."""
        entity = self.entities.get(entity_id)
        if entity is None:
            return None
        if entity.kind == "states":
            return entity.id
        return entity.links.get("state") or entity.links.get("host_state") \
            or entity.links.get("country")

    def campus_in(self, parent: str, place: str) -> str | None:
        """The one branch campus of ``parent`` the graph places in ``place`` (its host state,
        or the host city; a campus whose city is not known counts for any city of its
        state), or None."""
        state = self.state_of(place)
        found = [e.id for e in self.entities.values() if e.kind == "branch_campuses"
                 and e.links.get("parent") == parent and e.links.get("host_state") == state
                 and e.links.get("host_city") in (None, place, state)]
        return found[0] if len(found) == 1 else None

    def campus_pairs(self) -> set[tuple[str, str]]:
        """(parent university, host state) of every branch campus the graph holds."""
        return {(e.links["parent"], e.links["host_state"]) for e in self.entities.values()
                if e.kind == "branch_campuses" and "parent" in e.links and "host_state" in e.links}


def read_known(source) -> KnownGraph:
    """What the graph of ``source`` (an rdflib graph, a compiled graph or a store) knows."""
    from ..query import execute
    from ..store import queryable
    from ..terms import plain_value

    source = queryable(source)

    def select(text: str, origin: str) -> list[tuple]:
        return [tuple(plain_value(t) for t in row) for row in execute(source, text, origin).terms]

    entities: dict[str, KnownEntity] = {}
    iri_ids: dict[str, str] = {}
    for iri, identifier, rdf_class in sorted(run_select(source, "nodes"), key=_text_key):
        if URIRef(rdf_class) in NODE_CLASSES:
            kind = NODE_CLASSES[URIRef(rdf_class)][0]
            entities.setdefault(identifier, KnownEntity(identifier, kind))
            iri_ids[iri] = identifier
    for iri, label, language in sorted(run_select(source, "labels"), key=_text_key):
        if iri in iri_ids:
            entities[iri_ids[iri]].names.append((str(label), str(language or ""), False))
    for iri, label in sorted(select(_ALT_LABELS, "ingest query 'alt labels'"), key=_text_key):
        if iri in iri_ids:
            entities[iri_ids[iri]].names.append((str(label), "", True))
    for iri, label in sorted(select(_VARIANTS, "ingest query 'variants'"), key=_text_key):
        if iri in iri_ids:
            entities[iri_ids[iri]].variants.append(str(label))
    for iri, identifier in sorted(select(_REFERENCES, "ingest query 'references'"), key=_text_key):
        if iri in iri_ids:
            entities[iri_ids[iri]].references.append(str(identifier))
    for subject, predicate, value in run_select(source, "literals"):
        if predicate == str(SP.iso3166Alpha2) and subject in iri_ids:
            entities[iri_ids[subject]].iso_code = str(value).upper()
    known = KnownGraph(entities)
    for subject, predicate, target in run_select(source, "links"):
        if subject not in iri_ids or target not in iri_ids:
            continue
        a, b = iri_ids[subject], iri_ids[target]
        known.facts.add((_local(predicate), a, b))
        known.neighbours[a].add(b)
        known.neighbours[b].add(a)
        if predicate in _STATE_LINKS:
            entities[a].links.setdefault(_STATE_LINKS[predicate], b)
    known.source_ids = {str(i) for (i,) in select(_SOURCES, "ingest query 'sources'")}
    return known


#: The plain ("truthy") relation each relation record kind asserts, by kind.
TRUTHY_RELATIONS = {name: _kind.truthy[0].predicate.split("#")[-1].split("/")[-1]
                    for name, _kind in KINDS.items() if _kind.family == "relation"}


def _local(iri: str) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _text_key(row) -> tuple:
    return tuple("" if v is None else str(v) for v in row)
