"""Export stage: the graph in the standard RDF formats, byte-identical for the same data.

Deterministic output is what makes a diff of two builds mean something: triples are
sorted before serialisation, and blank nodes (the OWL axioms' lists) get canonical labels
(RDF graph canonicalisation) instead of labels that change from run to run. rdflib's
RDF/XML and JSON-LD writers walk subjects in set order, so those two formats are written by
Oxigraph's streaming writers, which keep the sorted order.
"""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from .namespaces import PREFIXES, bind_prefixes
from .terms import to_oxigraph_triple

#: Format name on the command line -> (rdflib serializer, file suffix).
RDF_FORMATS = {
    "turtle": ("turtle", "ttl"),
    "nt": ("nt", "nt"),
    "jsonld": ("json-ld", "jsonld"),
    "trig": ("trig", "trig"),
    "xml": ("xml", "rdf"),
}


def sorted_triples(graph: Graph) -> list:
    """The graph's triples in a fixed order, blank nodes labelled canonically."""
    if any(isinstance(term, BNode) for triple in graph for term in triple[::2]):
        graph = to_canonical_graph(graph)
    return sorted(graph, key=lambda t: tuple(_sort_key(term) for term in t))


def sorted_graph(graph: Graph) -> Graph:
    """A copy of the graph whose triples were inserted in sorted order, with our prefixes."""
    ordered = bind_prefixes(Graph())
    for triple in sorted_triples(graph):
        ordered.add(triple)
    return ordered


def _sort_key(term) -> tuple:
    return (type(term).__name__, str(term), str(getattr(term, "datatype", "") or ""),
            str(getattr(term, "language", "") or ""))


def serialize(graph: Graph, fmt: str = "turtle") -> bytes:
    """The graph in one of ``RDF_FORMATS``, as bytes, the same for the same triples."""
    if fmt not in RDF_FORMATS:
        raise ValueError(f"unknown RDF format '{fmt}'; expected one of: {', '.join(RDF_FORMATS)}")
    rdflib_format, _ = RDF_FORMATS[fmt]
    if fmt in ("jsonld", "xml"):
        return _oxigraph_serialize(sorted_triples(graph), fmt)
    ordered = sorted_graph(graph)
    if fmt == "nt":
        lines = ordered.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    if fmt == "trig":
        dataset = Dataset()
        bind_prefixes(dataset)
        for triple in ordered:
            dataset.default_graph.add(triple)
        return dataset.serialize(format="trig", encoding="utf-8")
    return ordered.serialize(format=rdflib_format, encoding="utf-8")


def _oxigraph_serialize(triples: list, fmt: str) -> bytes:
    import pyoxigraph

    rdf_format = pyoxigraph.RdfFormat.JSON_LD if fmt == "jsonld" else pyoxigraph.RdfFormat.RDF_XML
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return pyoxigraph.serialize((to_oxigraph_triple(t) for t in triples), format=rdf_format,
                                prefixes=prefixes)
