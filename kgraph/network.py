"""Network stage: the RDF graph as a NetworkX network of entities, its filters and simple views.

Researchers want to measure the network, not only look things up. This module projects the
compiled graph onto a :class:`networkx.MultiDiGraph` whose nodes are the curated entities
(states, blocs, institutions, programmes, events, documents, people, places) and whose edges
are the relations between them, with the year, amount, count, channel and source that the
graph records. Centralities and the soft-power indicators (``kgraph.indicators``) and the
GraphML/GEXF exports (``kgraph.netexport``) work on this projection.

Which relations become edges (``docs/network.md`` has the full table):

* A **qualified relation node** (an ``sp:InfluenceRelation``, ``sp:Membership``,
  ``sp:RoleAssignment``, ``sp:Investment``, ``sp:ProgrammeFunding``, ``sp:StudentFlow``,
  ``sp:Partnership`` or ``sp:RegionalResponse`` record) becomes ONE edge between its two
  ends, named after its plain ("truthy") predicate (``influences``, ``memberOf``,
  ``holdsRoleIn``, ``investsIn``, ``funds``, ``sendsStudentsTo``, ``partnerOf``,
  ``respondsTo``), carrying the node's year (or ``since``),
  amount and currency, count, channels, sources and record id. A partnership of n parties
  becomes n(n-1) edges, both directions of each pair, as ``sp:partnerOf`` is symmetric.
  The truthy edge the builder asserts beside the node is NOT projected again; a truthy
  edge with no qualified node behind it (from a Turtle file) is projected as a plain edge.
* A **plain reference field** between two entities becomes an edge from the record to the
  entity it names, named after the predicate's local name: ``parentInstitution``,
  ``hostState``, ``hostCity``, ``homeCountry``, ``fundedBy``, ``operatedBy``, ``reaches``,
  ``participant``, ``subOrganizationOf``, ... (``ENTITY_LINK_PREDICATES``, derived from the
  data format). Such an edge carries the subject's year (campus opened, programme launched,
  organisation founded, event or document year), channels and sources.
* **Not nodes**: literals, classes, the controlled vocabularies (influence channels are edge
  and node attributes, not nodes), concept schemes, the analytical framework (concepts,
  indicators, analytical dimensions, narratives, soft-power models), sources, evidence
  (quotation) nodes, amount nodes, observations and the qualified relation nodes themselves.

Node attributes: ``id``, ``label`` (English), ``label_kk``, ``label_ru`` (where present),
``class`` (local name of the most specific ``sp:`` class), ``kind`` (the record kind),
``channel`` and the entity's key attributes (``iso_code``, ``central_asian``, ``opened``,
``founded``, ``launched``, ``year``, ``status``, ...). Edge attributes: ``relation``,
``qualified``, ``record``, ``year``, ``amount``, ``currency``, ``count``, ``channel``
(";"-joined channel ids), ``source`` (";"-joined source ids), ``instrument``, ``role``,
``scope``. Every value is a ``str``, ``int``, ``float`` or ``bool``; an attribute the graph
does not have is absent, never ``None``, so the projection writes to GraphML and GEXF as is.

The projection is a function of the few SELECT queries in ``QUERIES``, run through
:func:`run_select`; moving the graph to another SPARQL engine means replacing that one
function.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from rdflib import URIRef

from .errors import UnknownNameError
from .namespaces import SDO, SP, SPR, SPV
from .schema import KINDS, REF, VOCABULARIES
from .terms import plain_value

if TYPE_CHECKING:  # networkx is imported by the functions that need it
    import networkx as nx

# --- what the entity network holds ---------------------------------------------------------

#: Record kinds whose records are nodes. The analytical framework (concepts, indicators,
#: dimensions, narratives, models), sources, relations and observations are not.
NODE_KINDS = ("states", "blocs", "regions", "cities", "organisations", "government_bodies",
              "universities", "branch_campuses", "cultural_centres", "companies", "people",
              "programmes", "events", "policy_documents")

#: Record kinds whose records become one edge each (qualified relations).
RELATION_KINDS = tuple(k for k, v in KINDS.items() if v.family == "relation")

#: Literal fields of entities kept as node attributes: predicate -> attribute name.
NODE_ATTRIBUTES = {
    SP.epistemicStatus: "epistemic_status",
    SP.iso3166Alpha2: "iso_code",
    SP.isCentralAsian: "central_asian",
    SP.openedIn: "opened",
    SP.foundedIn: "founded",
    SP.launchedIn: "launched",
    SP.year: "year",
    SP.status: "status",
    SP.organisationType: "type",
    SP.programmeType: "type",
    SP.eventType: "type",
    SP.documentType: "type",
    SP.statedScale: "scale",
    SP.occupation: "occupation",
    SDO.startDate: "date",
}

#: Literal fields of qualified relation nodes kept as edge attributes.
EDGE_ATTRIBUTES = {
    SP.epistemicStatus: "epistemic_status",
    SP.year: "year",
    SP.since: "year",
    SP["count"]: "count",  # not SP.count, which is str.count
    SP.roleTitle: "role",
    SP.scope: "scope",
}

#: The epistemic status, an IRI in the graph, joins the literal attributes as its concept id.
STATUS_PREDICATE = str(SP.epistemicStatus)

#: The year of a plain edge is the year its subject came about, in this order of preference.
SUBJECT_YEAR_ATTRIBUTES = ("opened", "launched", "year", "founded")

#: Implied influence channel of an instrument that names none, by class: a branch campus is
#: an instrument of the branch-campus channel by definition. Applied only when the channel
#: exists in the ontology's vocabulary.
IMPLIED_CHANNELS = {
    "BranchCampus": "branch-campuses",
    "LanguageCentre": "language",
    "CulturalCentre": "cultural-centres",
    "ScholarshipProgramme": "scholarships",
    "LanguageProgramme": "language",
}

#: Relations whose two directions are one fact (a partnership between a and b).
SYMMETRIC_RELATIONS = frozenset({"partnerOf"})


def _local(iri) -> str:
    text = str(iri)
    for separator in ("#", "/"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    return text


def _class_table() -> dict[URIRef, tuple[str, str, bool]]:
    """Every class of a node kind -> (record kind, local name of the kind's class, is subtype)."""
    table = {}
    for name in NODE_KINDS:
        kind = KINDS[name]
        table[kind.rdf_class] = (name, _local(kind.rdf_class), False)
        for subclass in kind.subtypes.values():
            table.setdefault(subclass, (name, _local(kind.rdf_class), True))
    return table


NODE_CLASSES = _class_table()


def _entity_links() -> tuple[URIRef, ...]:
    """Predicates of reference fields from a node kind to node kinds (not vocabularies)."""
    predicates = set()
    for name in NODE_KINDS:
        for fld in KINDS[name].fields:
            if fld.type == REF and set(fld.targets) & set(NODE_KINDS) \
                    and not set(fld.targets) & set(VOCABULARIES) and fld.name != "source":
                predicates.add(fld.predicate)
    return tuple(sorted(predicates))


#: Plain reference predicates that become edges.
ENTITY_LINK_PREDICATES = _entity_links()

#: For each qualified relation class: (relation name, subject role, object role, pairwise).
QUALIFIED_RELATIONS = {
    KINDS[name].rdf_class: (
        _local(KINDS[name].truthy[0].predicate),
        KINDS[name].field_named(KINDS[name].truthy[0].subject).predicate,
        KINDS[name].field_named(KINDS[name].truthy[0].object).predicate,
        KINDS[name].truthy[0].pairwise)
    for name in RELATION_KINDS
}

#: The plain predicates the builder asserts beside qualified relation nodes.
TRUTHY_PREDICATES = tuple(sorted(KINDS[name].truthy[0].predicate for name in RELATION_KINDS))


# --- the queries: all the SPARQL the projection runs ---------------------------------------

def _values(variable: str, terms: Iterable) -> str:
    return f"VALUES ?{variable} {{ {' '.join(f'<{t}>' for t in sorted(set(terms)))} }}"


def _values_pairs(variables: tuple[str, str], pairs: Iterable[tuple]) -> str:
    rows = " ".join(f"(<{a}> <{b}>)" for a, b in sorted(set(pairs)))
    return f"VALUES (?{variables[0]} ?{variables[1]}) {{ {rows} }}"


_ENTITY = _values("class", NODE_CLASSES) + "\n  ?entity a ?class ; dcterms:identifier ?id ."

#: The SELECT queries of the projection, by name; ``kgraph.query`` supplies the prefixes.
QUERIES = {
    # Entities of the network, with their identifier and every node class they carry.
    "nodes": f"""SELECT ?entity ?id ?class WHERE {{
  {_ENTITY}
}}""",
    # Labels of entities: English, Kazakh, Russian, ... DISTINCT: a name given both as
    # skos:prefLabel and as rdfs:label matches the path twice in engines that follow the
    # letter of SPARQL (Virtuoso, which sent twice the rows Oxigraph does at 1M triples).
    "labels": f"""SELECT DISTINCT ?entity ?label ?language WHERE {{
  {_ENTITY}
  ?entity skos:prefLabel|rdfs:label ?label .
  BIND(LANG(?label) AS ?language)
}}""",
    # Literal attributes of entities and of qualified relation nodes.
    "literals": f"""SELECT ?subject ?predicate ?value WHERE {{
  {_values("predicate", list(NODE_ATTRIBUTES) + list(EDGE_ATTRIBUTES))}
  ?subject ?predicate ?value .
  FILTER(isLiteral(?value))
}}""",
    # Money: amount nodes of investments and fundings.
    "amounts": """SELECT ?subject ?value ?currency WHERE {
  ?subject sp:amount ?amount .
  ?amount schema:value ?value .
  OPTIONAL { ?amount schema:currency ?currency }
}""",
    # Influence channels of entities and relation nodes.
    "channels": """SELECT ?subject ?channel WHERE {
  ?subject sp:channel ?channel .
}""",
    # The channels the ontology's vocabulary defines.
    "vocabulary_channels": """SELECT ?channel WHERE {
  ?channel a sp:InfluenceChannel .
}""",
    # How strong each fact is: the epistemic status of entities and relation nodes.
    "statuses": """SELECT ?subject ?status WHERE {
  ?subject sp:epistemicStatus ?status .
}""",
    # Sources cited by entities and relation nodes.
    "sources": """SELECT ?subject ?source ?source_id WHERE {
  ?subject dcterms:source ?source .
  ?source dcterms:identifier ?source_id .
}""",
    # Qualified relation nodes: each role (actor, target, investor, ...) and its entity.
    "relations": f"""SELECT ?relation ?id ?class ?role ?end WHERE {{
  {_values_pairs(("class", "role"), [(c, r) for c, (_, s, o, _) in QUALIFIED_RELATIONS.items() for r in (s, o)] + [(SP.InfluenceRelation, SP.instrument)])}
  ?relation a ?class ; dcterms:identifier ?id ; ?role ?end .
}}""",
    # Plain links between entities: reference fields and truthy edges.
    "links": f"""SELECT ?subject ?predicate ?object WHERE {{
  {_values("predicate", ENTITY_LINK_PREDICATES + TRUTHY_PREDICATES)}
  ?subject ?predicate ?object .
  FILTER(isIRI(?object))
}}""",
}

def run_select(source, name: str, text: str | None = None) -> list[tuple]:
    """Run one of ``QUERIES`` (or ``text``, the same query restricted by
    :func:`restricted`) on an rdflib graph or a store (``kgraph.store``); rows of plain
    Python values.

    The only place the network stage touches the RDF store: the queries run in Oxigraph for
    a graph in memory or on disk, and in the engine itself for a remote store, which sends
    only the rows the projection needs, never the whole graph. They are kgraph's own, so
    rdflib's parser is spared checking them.
    """
    from .query import execute

    result = execute(source, text or QUERIES[name], f"network query '{name}'", trusted=True,
                     stable=False)
    # Decimals as floats always: GraphML and GEXF type an attribute once for all its values.
    return [tuple(plain_value(term, decimal=float) for term in row) for row in result.terms]


def restricted(name: str, variable: str, terms: Iterable[str]) -> str:
    """One of ``QUERIES`` for some values of one of its variables only (IRIs or literals as
    N-Triples terms): a VALUES block of them opens its WHERE clause, and the query's own
    VALUES blocks (the classes or predicates it reads) become filters. The answer is the
    same; Oxigraph then starts from the given subjects (with both blocks, it reads every
    triple of the predicates first: 0.4 s instead of 3 ms for 60 subjects at a million
    triples).
    """
    text = _PAIRS.sub(lambda m: "FILTER(" + " || ".join(
        f"(?{m[1]} = {a} && ?{m[2]} = {b})" for a, b in re.findall(r"\((\S+) (\S+)\)", m[3])) + ")",
        QUERIES[name])
    text = _SINGLE.sub(lambda m: f"FILTER(?{m[1]} IN ({', '.join(m[2].split())}))", text)
    return text.replace("WHERE {", f"WHERE {{\n  VALUES ?{variable} {{ {' '.join(sorted(set(terms)))} }}", 1)


_SINGLE = re.compile(r"VALUES \?(\w+) \{ ([^{}]*) \}")
_PAIRS = re.compile(r"VALUES \(\?(\w+) \?(\w+)\) \{ ([^{}]*) \}")


# --- the projection -------------------------------------------------------------------------

def project(kg_or_graph, select: Callable[[object, str], list[tuple]] = run_select) -> "nx.MultiDiGraph":
    """The entity network of a compiled graph (a ``KnowledgeGraph``, an rdflib graph or a
    store of ``kgraph.store``).

    Nodes are added in sorted order of id and edges in sorted order of (source, target,
    key), so that the same graph always gives the same network and the same exports.
    """
    graph = getattr(kg_or_graph, "graph", kg_or_graph)
    return _assemble({name: select(graph, name) for name in QUERIES})


def project_around(kg_or_graph, identifiers: Iterable[str]) -> "nx.MultiDiGraph":
    """The part of the entity network around some entities, read with queries about them
    only: the entities and relation records ``identifiers`` names, every edge those
    entities take part in (with every edge of each relation record one of them is a party
    to), and the entities at the other ends.

    Each of its nodes and edges is what :func:`project` gives for it (the same queries,
    restricted to the subjects concerned, assembled by the same code), so what is read of
    these entities' own edges and of any node's attributes is what the whole network says;
    the other nodes' edges are not all there. At a million triples this takes a fraction of
    a second where the whole projection takes several.
    """
    graph = getattr(kg_or_graph, "graph", kg_or_graph)

    def select(name: str, variable: str, terms) -> list[tuple]:
        terms = set(terms)
        return run_select(graph, name, restricted(name, variable, terms)) if terms else []

    names = {_literal(i) for i in identifiers}
    seeds = {row[0] for row in select("nodes", "id", names)}
    records = {row[0] for row in select("relations", "id", names) + select("relations", "end", map(_iri, seeds))}
    relation_rows = select("relations", "relation", map(_iri, records))
    link_rows = set(select("links", "subject", map(_iri, seeds)) + select("links", "object", map(_iri, seeds)))
    ends = seeds | {row[4] for row in relation_rows} | {end for row in link_rows for end in (row[0], row[2])}
    rows = _node_rows(graph, ends, records)
    rows.update(relations=relation_rows, links=sorted(link_rows, key=_row_key),
                amounts=select("amounts", "subject", map(_iri, records)))
    return _assemble(rows)


def entity_attributes(kg_or_graph, identifiers: Iterable[str]) -> dict[str, dict]:
    """The attributes of the entities ``identifiers`` names, as :func:`project` gives its
    nodes (other identifiers are left out): for names and kinds of entities a page mentions
    without their links."""
    graph = getattr(kg_or_graph, "graph", kg_or_graph)
    names = {_literal(i) for i in identifiers}
    entities = {row[0] for row in run_select(graph, "nodes", restricted("nodes", "id", names))} if names else set()
    rows = _node_rows(graph, entities, set())
    rows.update(relations=[], links=[], amounts=[])
    return {node: dict(data) for node, data in _assemble(rows).nodes(data=True)}


def _node_rows(graph, entities: set, records: set) -> dict[str, list[tuple]]:
    """The rows of ``QUERIES`` that make nodes, for these entity IRIs, and the literals,
    channels, statuses and sources of these relation records."""
    subjects = [_iri(s) for s in entities | records]
    entities = [_iri(e) for e in entities]
    found = {"vocabulary_channels": run_select(graph, "vocabulary_channels")}
    for name, variable, terms in (("nodes", "entity", entities), ("labels", "entity", entities),
                                  ("literals", "subject", subjects), ("channels", "subject", subjects),
                                  ("statuses", "subject", subjects), ("sources", "subject", subjects)):
        found[name] = run_select(graph, name, restricted(name, variable, terms)) if terms else []
    return found


def _iri(value: str) -> str:
    """An IRI as a term of query text (Oxigraph's writer escapes it)."""
    import pyoxigraph

    return str(pyoxigraph.NamedNode(value))


def _literal(value: str) -> str:
    """A string as a term of query text (Oxigraph's writer escapes it)."""
    import pyoxigraph

    return str(pyoxigraph.Literal(str(value)))


def _assemble(rows: dict[str, list[tuple]]) -> "nx.MultiDiGraph":
    """The network of the rows of ``QUERIES`` (all of them, or those about some subjects)."""
    import networkx as nx

    classes: dict[str, list[URIRef]] = defaultdict(list)
    ids: dict[str, str] = {}
    for entity, identifier, rdf_class in rows["nodes"]:
        ids[entity] = str(identifier)
        classes[entity].append(URIRef(rdf_class))
    literals: dict[str, dict[str, object]] = defaultdict(dict)
    for subject, predicate, value in sorted(rows["literals"], key=_row_key):
        literals[subject].setdefault(predicate, value)
    amounts = {subject: (float(value), str(currency or ""))
               for subject, value, currency in sorted(rows["amounts"], key=_row_key)}
    vocabulary = {_channel_id(c) for (c,) in rows["vocabulary_channels"]}
    channels: dict[str, set[str]] = defaultdict(set)
    for subject, channel in rows["channels"]:
        channels[subject].add(_channel_id(channel))
    sources: dict[str, set[str]] = defaultdict(set)
    for subject, source, source_id in rows["sources"]:
        sources[subject].add(str(source_id))
    for subject, status in sorted(rows["statuses"], key=_row_key):
        literals[subject].setdefault(STATUS_PREDICATE, _local(status))

    network = nx.MultiDiGraph(name="soft-power entity network",
                              channels=";".join(sorted(vocabulary)))
    for entity in sorted(ids, key=ids.get):
        network.add_node(ids[entity], **_node_attributes(
            ids[entity], classes[entity], literals[entity], channels[entity], vocabulary))
    for entity, label, language in sorted(rows["labels"], key=_row_key):
        if entity in ids:
            _set_label(network.nodes[ids[entity]], str(label), str(language or "en"))

    edges = []
    covered = _qualified_edges(edges, network, rows["relations"], ids, literals, amounts,
                               channels, sources)
    _plain_edges(edges, network, rows["links"], ids, covered, sources)
    for source, target, key, attributes in sorted(edges, key=lambda e: e[:3]):
        network.add_edge(source, target, key=key, **attributes)
    return network


def _row_key(row) -> tuple:
    return tuple("" if v is None else str(v) for v in row)


def _channel_id(channel: str) -> str:
    return channel[len(str(SPV)):] if channel.startswith(str(SPV)) else _local(channel)


def _node_attributes(identifier, rdf_classes, literals, explicit_channels, vocabulary) -> dict:
    """id, label (the id until a label is found), class, kind, channel and key attributes."""
    ranked = sorted((NODE_CLASSES[c][2], _local(c), NODE_CLASSES[c][0]) for c in rdf_classes)
    _, class_name, kind = ranked[-1]  # a subtype is more specific than its kind's class
    attributes = {"id": identifier, "label": identifier, "class": class_name, "kind": kind}
    for predicate, value in literals.items():
        name = NODE_ATTRIBUTES.get(URIRef(predicate))
        if name is not None:
            attributes.setdefault(name, value)
    channel = set(explicit_channels)
    if not channel and IMPLIED_CHANNELS.get(class_name) in vocabulary:
        channel = {IMPLIED_CHANNELS[class_name]}
        attributes["channel_implied"] = True
    if channel:
        attributes["channel"] = ";".join(sorted(channel))
    return attributes


def _set_label(node: dict, label: str, language: str) -> None:
    language = language.lower().replace("-", "_")
    if language == "en":
        if node["label"] == node["id"]:
            node["label"] = label
    else:
        node.setdefault(f"label_{language}", label)


def _edge_channel(own: set[str], *nodes: dict) -> str:
    """The relation's own channels, else those of the first instrument that has some."""
    if own:
        return ";".join(sorted(own))
    return next((n["channel"] for n in nodes if n and n.get("channel")), "")


def _qualified_edges(edges, network, rows, ids, literals, amounts, channels, sources) -> set:
    """One edge per qualified relation node (n(n-1) for a partnership of n parties)."""
    relations: dict[str, dict] = {}
    for relation, identifier, rdf_class, role, end in rows:
        entry = relations.setdefault(relation, {"id": str(identifier), "class": URIRef(rdf_class),
                                                "roles": defaultdict(set)})
        if end in ids:
            entry["roles"][URIRef(role)].add(ids[end])
    covered = set()
    for relation, entry in relations.items():
        name, subject_role, object_role, pairwise = QUALIFIED_RELATIONS[entry["class"]]
        record = entry["id"]
        attributes = {"relation": name, "qualified": True, "record": record}
        for predicate, value in literals.get(relation, {}).items():
            attribute = EDGE_ATTRIBUTES.get(URIRef(predicate))
            if attribute is not None:
                attributes.setdefault(attribute, value)
        if relation in amounts:
            attributes["amount"], currency = amounts[relation]
            if currency:
                attributes["currency"] = currency
        if sources.get(relation):
            attributes["source"] = ";".join(sorted(sources[relation]))
        instruments = sorted(entry["roles"].get(SP.instrument, ()))
        if instruments:
            attributes["instrument"] = ";".join(instruments)
        if pairwise:
            parties = sorted(entry["roles"].get(subject_role, ()))
            pairs = [(a, b, f"{record}|{a}|{b}") for a in parties for b in parties if a != b]
        else:
            pairs = [(a, b, record) for a in sorted(entry["roles"].get(subject_role, ()))
                     for b in sorted(entry["roles"].get(object_role, ()))]
        for a, b, key in pairs:
            edge = dict(attributes)
            channel = _edge_channel(channels.get(relation, set()),
                                    *(network.nodes[i] for i in instruments), network.nodes[b])
            if channel:
                edge["channel"] = channel
            edges.append((a, b, key, edge))
            covered.add((name, a, b))
    return covered


def _plain_edges(edges, network, rows, ids, covered, sources) -> None:
    """One edge per reference between two entities, unless a qualified relation covers it."""
    entity_iris = {identifier: iri for iri, identifier in ids.items()}
    for subject, predicate, target in rows:
        if subject not in ids or target not in ids:
            continue
        a, b, name = ids[subject], ids[target], _local(predicate)
        if (name, a, b) in covered:
            continue
        node = network.nodes[a]
        edge = {"relation": name, "qualified": False}
        year = next((node[k] for k in SUBJECT_YEAR_ATTRIBUTES if isinstance(node.get(k), int)
                     and not isinstance(node.get(k), bool)), None)
        if year is not None:
            edge["year"] = year
        if node.get("channel"):
            edge["channel"] = node["channel"]
        if "epistemic_status" in node:  # the link is a value of the subject's record
            edge["epistemic_status"] = node["epistemic_status"]
        if sources.get(entity_iris[a]):
            edge["source"] = ";".join(sorted(sources[entity_iris[a]]))
        edges.append((a, b, f"{a}|{name}|{b}", edge))


# --- dated facts ---------------------------------------------------------------------------------

#: Relation names of dated facts, as a timeline shows them.
DATED_RELATIONS = {"influences": "influence", "investsIn": "investment", "funds": "funding",
                   "sendsStudentsTo": "student flow", "partnerOf": "agreement",
                   "memberOf": "membership", "holdsRoleIn": "role"}
#: Kinds of entities dated by their own year, as a timeline shows them.
DATED_KINDS = {"branch_campuses": "opening", "cultural_centres": "opening", "programmes": "launch",
               "events": "event", "policy_documents": "document", "organisations": "founding"}


def node_year(attributes: dict) -> int | None:
    """The year an entity came about (opened, launched, dated, founded), if the graph has one."""
    for key in ("opened", "launched", "year", "founded"):
        value = attributes.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


@dataclass(frozen=True)
class DatedFact:
    """One fact with a year: a relation record or an entity that came about that year."""

    year: int
    kind: str
    fact: str
    ends: tuple[str, ...]
    channels: tuple[str, ...] = ()


def dated_facts(network) -> list[DatedFact]:
    """Every dated fact of the network, by year, kind and id: relation records with a year
    (one per record, however many edges it makes; its ends are those of all its edges) and
    entities that came about in a given year. What the timelines of the report show."""
    found: dict[str, DatedFact] = {}
    for u, v, data in sorted(network.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        relation, year = data.get("relation"), data.get("year")
        if relation in DATED_RELATIONS and data.get("qualified") and isinstance(year, int):
            record = str(data.get("record"))
            previous = found.get(record)
            ends = tuple(sorted({u, v} | set(previous.ends if previous else ())))
            found[record] = DatedFact(year, DATED_RELATIONS[relation], record, ends, _channel_tuple(data))
    for node, attributes in sorted(network.nodes(data=True)):
        year = node_year(attributes)
        if attributes.get("kind") in DATED_KINDS and year is not None:
            found[node] = DatedFact(year, DATED_KINDS[attributes["kind"]], node, (node,), _channel_tuple(attributes))
    return sorted(found.values(), key=lambda f: (f.year, f.kind, f.fact))


def _channel_tuple(attributes: dict) -> tuple[str, ...]:
    return tuple(sorted(_split(attributes.get("channel"))))


# --- the names the filters take ----------------------------------------------------------------

#: What a class filter takes: the local names of the node classes, and the record kinds.
CLASS_NAMES = tuple(sorted({_local(c) for c in NODE_CLASSES} | set(NODE_KINDS)))


def relation_names(network) -> set[str]:
    """The relations an edge may be named after: those the data format defines and any the
    network holds (from Turtle files)."""
    names = {name for name, *_ in QUALIFIED_RELATIONS.values()}
    names |= {_local(predicate) for predicate in ENTITY_LINK_PREDICATES}
    return names | {d["relation"] for _, _, d in network.edges(data=True) if d.get("relation")}


def channel_names(network) -> set[str]:
    """The influence channels of the ontology's vocabulary, and any the network's edges carry."""
    names = _split(network.graph.get("channels"))
    for _, _, data in network.edges(data=True):
        names |= _split(data.get("channel"))
    return names


def check_names(given: Iterable[str], known: Iterable[str], what: str, plural: str,
                ignore_case: bool = False) -> None:
    """Refuse the first name of ``given`` that is not one of ``known``, with the closest ones:
    a filter that matches nothing would give an empty result without a word."""
    known = sorted(set(known))
    by_key = {(name.lower() if ignore_case else name): name for name in known}
    for name in given:
        key = name.lower() if ignore_case else name
        if key in by_key:
            continue
        close = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)]
        if not close and not ignore_case:  # a name written in another case
            close = [n for n in known if n.lower() == name.lower()]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"No {what} '{name}' in the network.{hint} Known {plural}: "
                               f"{', '.join(known)}.")


def check_classes(classes: Iterable[str]) -> None:
    """Refuse a class filter that names no class or record kind (``Univercity``)."""
    check_names(classes, CLASS_NAMES, "class", "classes and record kinds",
                ignore_case=True)


def entity_id(source, value: str, option: str) -> str:
    """The id of the entity a user names by id, IRI or any label in any language the graph
    holds (case-insensitive), as ``kgraph query --param`` takes it; unknown names are refused
    with the closest ones (``kgraph.query.resolve_entity``)."""
    from .query import resolve_entity
    from .store import queryable

    iri = str(resolve_entity(queryable(source), value, f"{option} value"))
    if not iri.startswith(str(SPR)):
        raise UnknownNameError(f"The {option} value '{value}' names <{iri}>, which is not an "
                               "entity of the network; expected a state, institution, "
                               "programme, event, document, person or place.")
    return iri[len(SPR):]


# --- filters ---------------------------------------------------------------------------------

def _split(value) -> set[str]:
    return {part for part in str(value or "").split(";") if part}


def _keep_edges(network, keep: Callable[[dict], bool]) -> "nx.MultiDiGraph":
    """A copy keeping the edges ``keep`` accepts; nodes that lose all their edges go too."""
    result = network.copy()
    had_edges = {n for n in result if result.degree(n)}
    result.remove_edges_from([(u, v, k) for u, v, k, d in network.edges(keys=True, data=True)
                              if not keep(d)])
    result.remove_nodes_from([n for n in had_edges if not result.degree(n)])
    return result


def by_relation(network, relations: Iterable[str]) -> "nx.MultiDiGraph":
    """Only edges of the given relation names (``hostState``, ``influences``, ...)."""
    wanted = set(relations)
    return _keep_edges(network, lambda d: d.get("relation") in wanted)


def by_channel(network, channels: Iterable[str]) -> "nx.MultiDiGraph":
    """Only edges in one of the given influence channels (ids such as ``scholarships``)."""
    wanted = set(channels)
    return _keep_edges(network, lambda d: bool(_split(d.get("channel")) & wanted))


def until_year(network, year: int, keep_undated: bool = True) -> "nx.MultiDiGraph":
    """The network as of ``year``: edges dated later are dropped; undated ones kept unless told."""
    return _keep_edges(network, lambda d: d["year"] <= year if "year" in d else keep_undated)


def matches_class(attributes: dict, classes: Iterable[str]) -> bool:
    """True when a node's class, its kind's class or its record kind is one of ``classes``."""
    wanted = {c.lower() for c in classes}
    base = _local(KINDS[attributes["kind"]].rdf_class) if attributes.get("kind") in KINDS else ""
    return bool({str(attributes.get("class", "")).lower(), base.lower(),
                 str(attributes.get("kind", "")).lower()} & wanted)


def by_class(network, classes: Iterable[str]) -> "nx.MultiDiGraph":
    """The subnetwork induced by entities of the given classes (``University`` also matches
    its record kind ``universities``; ``Programme`` includes ``ScholarshipProgramme``)."""
    classes = list(classes)
    return network.subgraph([n for n, d in network.nodes(data=True) if matches_class(d, classes)]).copy()


def ego_network(network, actor: str, depth: int = 1) -> "nx.MultiDiGraph":
    """The actor and every entity within ``depth`` links of it, in either direction."""
    import networkx as nx

    if actor not in network:
        close = difflib.get_close_matches(actor, list(network), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownNameError(f"No entity '{actor}' in the network (or none left by the other "
                               f"filters).{hint} Expected an entity such as kazakhstan or "
                               "de-montfort-university-kazakhstan.")
    return nx.ego_graph(network, actor, radius=depth, undirected=True)


def _required_links() -> dict[str, frozenset[str]]:
    """For each node kind, the links its records cannot do without (a campus's host state)."""
    return {name: frozenset(_local(f.predicate) for f in KINDS[name].fields
                            if f.required and f.type == REF and set(f.targets) & set(NODE_KINDS))
            for name in NODE_KINDS}


#: Node kind -> relation names of its required references (``kgraph.schema``).
REQUIRED_LINKS = _required_links()


def by_status(network, statuses: Iterable[str] | None) -> "nx.MultiDiGraph":
    """Only the facts of the given epistemic statuses, by the rules of ``kgraph.statuses``:
    nodes and edges of other statuses go (a node or edge without one counts as stated), with
    the edges of the nodes that go, and every node whose required links (``REQUIRED_LINKS``)
    all led to nodes that went; an influence relation keeps its edge without a left-out
    instrument. The same network as projecting a graph built with ``statuses``, for graphs
    already in a store."""
    from .schema import DEFAULT_EPISTEMIC_STATUS
    from .statuses import checked_statuses

    kept = checked_statuses(statuses)
    if not kept:
        return network
    status = lambda d: d.get("epistemic_status", DEFAULT_EPISTEMIC_STATUS)  # noqa: E731
    result = network.copy()
    result.remove_edges_from([(u, v, k) for u, v, k, d in network.edges(keys=True, data=True)
                              if status(d) not in kept])
    dropped = {n for n, d in network.nodes(data=True) if status(d) not in kept}
    while dropped:
        result.remove_nodes_from(dropped)
        dropped = {n for n, d in result.nodes(data=True) if _lacks_required_link(network, result, n, d)}
    for _, _, data in result.edges(data=True):
        if "instrument" in data:
            remaining = [i for i in _split(data["instrument"]) if i in result]
            if remaining:
                data["instrument"] = ";".join(sorted(remaining))
            else:
                del data["instrument"]
    return result


def _lacks_required_link(network, result, node, data) -> bool:
    """True when the node had a required link and every such link's target has gone."""
    required = REQUIRED_LINKS.get(data.get("kind"), frozenset())
    for relation in required:
        targets = {v for _, v, d in network.out_edges(node, data=True) if d.get("relation") == relation}
        if targets and not targets & set(result):
            return True
    return False


def filter_network(network, *, relations=None, channels=None, classes=None, until=None,
                   keep_undated: bool = True, actor: str | None = None, depth: int = 1,
                   statuses=None):
    """All filters at once, each applied only when given: epistemic status, relation,
    channel, time, class, ego. A relation, channel or class that the network does not know
    is refused, with the closest names; ``actor`` is an entity id (``entity_id`` finds it
    from a label)."""
    if relations:
        check_names(relations, relation_names(network), "relation", "relations")
    if channels:
        check_names(channels, channel_names(network), "channel", "channels")
    if classes:
        check_classes(classes)
    if statuses:
        network = by_status(network, statuses)
    if relations:
        network = by_relation(network, relations)
    if channels:
        network = by_channel(network, channels)
    if until is not None:
        network = until_year(network, until, keep_undated)
    if classes:
        network = by_class(network, classes)
    if actor:
        network = ego_network(network, actor, depth)
    return network


# --- simple views for algorithms that need them ----------------------------------------------

def _fact(u, v, data) -> tuple:
    """What one edge states: its record, or (relation, ends) for a plain edge."""
    if data.get("record"):
        return ("record", data["record"])
    if data.get("relation") in SYMMETRIC_RELATIONS:
        return (data["relation"], *sorted((u, v)))
    return (data.get("relation"), u, v)


def simple_digraph(network) -> "nx.DiGraph":
    """One directed edge per ordered pair; parallel edges combine into ``weight`` (how many
    edges go from u to v) and ``relations`` (their relation names, ";"-joined)."""
    import networkx as nx

    view = nx.DiGraph()
    view.add_nodes_from(network.nodes(data=True))
    combined = defaultdict(list)
    for u, v, data in network.edges(data=True):
        if u != v:
            combined[(u, v)].append(data.get("relation", ""))
    for (u, v), relations in sorted(combined.items()):
        view.add_edge(u, v, weight=len(relations), relations=";".join(sorted(set(relations))))
    return view


def simple_graph(network) -> "nx.Graph":
    """One undirected edge per pair; ``weight`` is the number of distinct facts linking the
    two in either direction (the two directions of one partnership are one fact)."""
    import networkx as nx

    view = nx.Graph()
    view.add_nodes_from(network.nodes(data=True))
    facts = defaultdict(set)
    relations = defaultdict(set)
    for u, v, data in network.edges(data=True):
        if u != v:
            pair = tuple(sorted((u, v)))
            facts[pair].add(_fact(u, v, data))
            relations[pair].add(data.get("relation", ""))
    for pair, found in sorted(facts.items()):
        view.add_edge(*pair, weight=len(found), relations=";".join(sorted(relations[pair])))
    return view


def load_network(data_folders=None) -> "nx.MultiDiGraph":
    """Load and compile the data folders (the bundled data by default) and project them."""
    from .build import load_graph

    return project(load_graph(data_folders))
