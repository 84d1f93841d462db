"""Export stage: the graph in the standard RDF formats, byte-identical for the same data.

Deterministic output is what makes a diff of two builds mean something: triples are
sorted before serialisation, and blank nodes (the OWL axioms' lists) get canonical labels
(RDF graph canonicalisation) instead of labels that change from run to run.
"""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from .namespaces import bind_prefixes

#: Format name on the command line -> (rdflib serializer, file suffix).
RDF_FORMATS = {
    "turtle": ("turtle", "ttl"),
    "nt": ("nt", "nt"),
    "jsonld": ("json-ld", "jsonld"),
    "trig": ("trig", "trig"),
    "xml": ("pretty-xml", "rdf"),
}


def sorted_graph(graph: Graph) -> Graph:
    """A copy of the graph whose triples were inserted in sorted order, with our prefixes."""
    if any(isinstance(term, BNode) for triple in graph for term in triple[::2]):
        graph = to_canonical_graph(graph)
    ordered = bind_prefixes(Graph())
    for triple in sorted(graph, key=lambda t: tuple(_sort_key(term) for term in t)):
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
    if fmt == "jsonld":
        return ordered.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1)
    return ordered.serialize(format=rdflib_format, encoding="utf-8")
