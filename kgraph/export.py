"""Export stage: the graph in the standard RDF formats, the same graph in every format and
byte-identical for the same data.

Deterministic output is what makes a diff of two builds mean something: triples are
sorted before serialisation, and blank nodes (the OWL axioms' lists) get canonical labels
(RDF graph canonicalisation of the triples that touch them) instead of labels that change
from run to run. One writer, Oxigraph's, writes every format (rdflib's TriG writer rewrote
``"75"^^xsd:decimal`` as ``75.0``, another literal), except JSON-LD, which Oxigraph writes
with types as ``rdf:type`` properties that JSON-LD framing cannot see:

* ``jsonld`` is compacted JSON-LD with the context shipped in the package
  (``ontology/context.jsonld``, inlined in the file, never fetched), so that a web
  developer reads ``{"@id": "spr:...", "@type": "BranchCampus", "label": {"en": ...}}``;
* ``jsonld-expanded`` is expanded JSON-LD with ``@type``, one node object per subject,
  written as the triples stream: for graphs too large for compaction in memory.

TriG puts the data in the named graph remote stores keep it in
(``https://w3id.org/softpower/graph``), the ontology and the vocabularies each in their own
(``kgraph.namespaces.ONTOLOGY_GRAPH``, ``VOCABULARY_GRAPH``).
"""

from __future__ import annotations

import functools
import itertools
import json
from typing import Iterable, Iterator

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from .choices import RDF_FORMATS
from .namespaces import DATA_GRAPH, ONTOLOGY_GRAPH, PREFIXES, RDF, SP, VOCABULARY_GRAPH, XSD
from .terms import to_oxigraph_triple

JSON_LD_FORMATS = ("jsonld", "jsonld-expanded")


def sorted_triples(graph: Graph) -> list:
    """The graph's triples in a fixed order, blank nodes labelled canonically.

    Only the triples that touch a blank node take part in the canonicalisation: the labels
    depend on nothing else, and the rest of a large graph would make it slow.
    """
    blank = [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
    triples = [t for t in graph if not (isinstance(t[0], BNode) or isinstance(t[2], BNode))]
    if blank:
        blank_graph = Graph()
        for triple in blank:
            blank_graph.add(triple)
        triples.extend(to_canonical_graph(blank_graph))
    return sorted(triples, key=lambda t: tuple(_sort_key(term) for term in t))


def _sort_key(term) -> tuple:
    return (type(term).__name__, str(term), str(getattr(term, "datatype", "") or ""),
            str(getattr(term, "language", "") or ""))


def serialize(graph: Graph, fmt: str = "turtle") -> bytes:
    """The graph in one of ``RDF_FORMATS``, as bytes, the same for the same triples."""
    check_format(fmt)
    return serialize_sorted(sorted_triples(graph), fmt)


def serialize_sorted(triples: list, fmt: str) -> bytes:
    """Triples already in ``sorted_triples`` order, in a format of ``RDF_FORMATS``, as bytes
    (for a caller that has sorted them already, to cut them)."""
    import io

    out = io.BytesIO()
    write_rdf((to_oxigraph_triple(t) for t in triples), fmt, out)
    return out.getvalue()


def check_format(fmt: str) -> None:
    if fmt not in RDF_FORMATS:
        raise ValueError(f"unknown RDF format '{fmt}'; expected one of: {', '.join(RDF_FORMATS)}")


def write_rdf(triples: Iterable, fmt: str, output) -> None:
    """Write Oxigraph triples in a format of ``RDF_FORMATS`` to a path (str) or a binary
    stream, as they come: a store streams them, never whole in Python's memory (but for
    compacted JSON-LD, which is made in memory). JSON-LD wants them grouped by subject."""
    import pyoxigraph

    check_format(fmt)
    if fmt in JSON_LD_FORMATS:
        lines = (expanded_lines(triples) if fmt == "jsonld-expanded"
                 else [compacted_json_ld(list(node_objects(triples, native=True)))])
        _write_text(lines, output)
        return
    quads = named_graph_quads(triples) if fmt == "trig" else triples
    pyoxigraph.serialize(quads, output, format=oxigraph_format(fmt), prefixes=prefix_map())


def prefix_map() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def oxigraph_format(fmt: str):
    """The Oxigraph writer of a format named on the command line."""
    import pyoxigraph

    return {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
            "jsonld": pyoxigraph.RdfFormat.JSON_LD, "jsonld-expanded": pyoxigraph.RdfFormat.JSON_LD,
            "xml": pyoxigraph.RdfFormat.RDF_XML, "trig": pyoxigraph.RdfFormat.TRIG}[fmt]


def _write_text(lines: Iterable[str], output) -> None:
    if isinstance(output, str):
        with open(output, "wb") as stream:
            _write_text(lines, stream)
        return
    for line in lines:
        output.write(line.encode("utf-8"))


# --- TriG: data, ontology and vocabularies in named graphs -----------------------------------

@functools.lru_cache(maxsize=1)
def _model_graphs() -> tuple[dict, dict]:
    """Which named graph the bundled ontology's and vocabularies' triples go to: triples
    without blank nodes by value, blank-node structures (the OWL axioms' lists) by their
    canonical form, whatever their labels in the graph being written."""
    import pyoxigraph

    from .resources import ontology_file, vocabulary_file

    by_triple, by_component = {}, {}
    for graph_name, path in ((ONTOLOGY_GRAPH, ontology_file()), (VOCABULARY_GRAPH, vocabulary_file())):
        blank = []
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            triple = quad.triple
            if _has_blank(triple):
                blank.append(triple)
            else:
                by_triple[triple] = graph_name
        for component in _blank_components(blank):
            by_component[_canonical_form(component)] = graph_name
    return by_triple, by_component


def named_graph_quads(triples: Iterable) -> Iterator:
    """The triples as quads: the data in ``DATA_GRAPH`` as they come, then the ontology's
    and the vocabularies' triples in their own graphs. Triples with blank nodes wait until
    all are read: a blank-node structure belongs to the graph whose structure it is."""
    import pyoxigraph

    by_triple, by_component = _model_graphs()
    held = {ONTOLOGY_GRAPH: [], VOCABULARY_GRAPH: [], DATA_GRAPH: []}
    blank = []
    data = pyoxigraph.NamedNode(DATA_GRAPH)
    for triple in triples:
        if _has_blank(triple):
            blank.append(triple)
        elif triple in by_triple:
            held[by_triple[triple]].append(triple)
        else:
            yield pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, data)
    for component in _blank_components(blank):
        held[by_component.get(_canonical_form(component), DATA_GRAPH)].extend(component)
    for graph_name in (DATA_GRAPH, ONTOLOGY_GRAPH, VOCABULARY_GRAPH):
        name = pyoxigraph.NamedNode(graph_name)
        for triple in held[graph_name]:
            yield pyoxigraph.Quad(triple.subject, triple.predicate, triple.object, name)


def _has_blank(triple) -> bool:
    import pyoxigraph

    return isinstance(triple.subject, pyoxigraph.BlankNode) or isinstance(triple.object, pyoxigraph.BlankNode)


def _blank_components(triples: list) -> list[list]:
    """The triples grouped by the blank nodes that connect them, in order of first appearance."""
    import pyoxigraph

    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        blanks = [t for t in (triple.subject, triple.object) if isinstance(t, pyoxigraph.BlankNode)]
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    groups: dict = {}
    for triple in triples:
        anchor = triple.subject if isinstance(triple.subject, pyoxigraph.BlankNode) else triple.object
        groups.setdefault(root(anchor), []).append(triple)
    return list(groups.values())


def _canonical_form(component: list) -> frozenset:
    """A blank-node structure with canonical labels (RDFC-1.0), to compare structures."""
    import pyoxigraph

    dataset = pyoxigraph.Dataset(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in component)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return frozenset(str(quad) for quad in dataset)


# --- JSON-LD -------------------------------------------------------------------------------

_RDF_TYPE = str(RDF.type)
_SP = str(SP)
_XSD_STRING = str(XSD.string)
#: Datatypes whose canonical literals JSON writes as numbers and booleans.
_NATIVE = (str(XSD.integer), str(XSD.boolean))


def node_objects(triples: Iterable, native: bool = False) -> Iterator[dict]:
    """Expanded JSON-LD node objects, one per run of triples with the same subject: types as
    ``@type``, properties in IRI order. ``native`` writes integers and booleans whose text
    is canonical as JSON numbers and booleans (JSON-LD reads them back as the same literals)."""
    import pyoxigraph

    for subject, group in itertools.groupby(triples, key=lambda t: t.subject):
        types, properties = [], {}
        for triple in group:
            if triple.predicate.value == _RDF_TYPE and not isinstance(triple.object, pyoxigraph.Literal):
                types.append(_node_id(triple.object))
            else:
                properties.setdefault(triple.predicate.value, []).append(_json_ld_value(triple.object, native))
        node = {"@id": _node_id(subject)}
        if types:  # the ontology's own class first, then the standard ones it implies
            node["@type"] = sorted(types, key=lambda t: (not t.startswith(_SP), t))
        node.update(sorted(properties.items()))
        yield node


def _node_id(term) -> str:
    import pyoxigraph

    return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value


def _json_ld_value(term, native: bool) -> dict:
    import pyoxigraph

    if not isinstance(term, pyoxigraph.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    datatype = term.datatype.value
    if native and datatype in _NATIVE:
        value = _native(term.value, datatype)
        if value is not None:
            return {"@value": value}
    return {"@value": term.value} if datatype == _XSD_STRING else {"@value": term.value, "@type": datatype}


def _native(text: str, datatype: str):
    """The JSON value of a canonical integer or boolean literal, None for any other text."""
    if datatype == str(XSD.boolean):
        return {"true": True, "false": False}.get(text)
    try:
        value = int(text)
    except ValueError:
        return None
    return value if str(value) == text else None


def expanded_lines(triples: Iterable) -> Iterator[str]:
    """Expanded JSON-LD as lines of text: a JSON array with one node object per line."""
    yield "["
    separator = "\n"
    for node in node_objects(triples):
        yield separator + json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        separator = ",\n"
    yield "\n]\n"


@functools.lru_cache(maxsize=1)
def json_ld_context() -> dict:
    """The shipped JSON-LD context (``ontology/context.jsonld``)."""
    from .resources import context_file

    return json.loads(context_file().read_text(encoding="utf-8"))


def compacted_json_ld(nodes: list[dict]) -> str:
    """Compacted JSON-LD of expanded node objects (integers and booleans native, which read
    best and compact to plain values), with the shipped context inlined: pyld compacts, with
    a document loader that fetches nothing."""
    from pyld import jsonld

    compacted = jsonld.compact(nodes, json_ld_context(), {"documentLoader": refuse_remote_documents,
                                                          "graph": True})
    return json.dumps(compacted, ensure_ascii=False, indent=1) + "\n"


def refuse_remote_documents(url: str, options=None):
    """A pyld document loader that loads nothing: the context is shipped, never fetched."""
    from pyld.jsonld import JsonLdError

    raise JsonLdError(f"kgraph fetches no JSON-LD document ({url}); the context is inlined.",
                      "jsonld.LoadDocumentError", code="loading document failed")
