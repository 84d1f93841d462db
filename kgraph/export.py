"""Export stage: the graph in the standard RDF formats, byte-identical for the same data.

Deterministic output is what makes a diff of two builds mean something: triples are
sorted before serialisation, and blank nodes (the OWL axioms' lists) get canonical labels
(RDF graph canonicalisation of the triples that touch them) instead of labels that change
from run to run. Oxigraph's streaming writers keep the sorted order and are twenty times
faster than rdflib's, so they write every format but TriG.
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
    if fmt not in RDF_FORMATS:
        raise ValueError(f"unknown RDF format '{fmt}'; expected one of: {', '.join(RDF_FORMATS)}")
    if fmt == "trig":
        dataset = Dataset()
        bind_prefixes(dataset)
        for triple in sorted_triples(graph):
            dataset.default_graph.add(triple)
        return dataset.serialize(format="trig", encoding="utf-8")
    return serialize_sorted(sorted_triples(graph), fmt)


def oxigraph_format(fmt: str):
    """The Oxigraph writer of a format named on the command line."""
    import pyoxigraph

    return {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
            "jsonld": pyoxigraph.RdfFormat.JSON_LD, "xml": pyoxigraph.RdfFormat.RDF_XML,
            "trig": pyoxigraph.RdfFormat.TRIG}[fmt]


def serialize_sorted(triples: list, fmt: str) -> bytes:
    """Triples already in ``sorted_triples`` order, in a format of ``RDF_FORMATS`` but TriG,
    written by Oxigraph in that order."""
    import pyoxigraph

    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return pyoxigraph.serialize((to_oxigraph_triple(t) for t in triples),
                                format=oxigraph_format(fmt), prefixes=prefixes)
