"""Conversion between rdflib terms and Oxigraph terms.

rdflib is the in-memory model of kgraph (building, validating, Turtle); Oxigraph evaluates
SPARQL and writes the formats whose rdflib writers do not keep the order of their input.
Both meet here.
"""

from __future__ import annotations

import functools

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD


def to_oxigraph(term):
    import pyoxigraph

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
    return pyoxigraph.Literal(str(term))


def to_oxigraph_triple(triple):
    import pyoxigraph

    return pyoxigraph.Triple(*(to_oxigraph(term) for term in triple))


def from_oxigraph(term):
    """An Oxigraph term as the rdflib term the rest of kgraph works with."""
    return None if term is None else _from_oxigraph(term)


@functools.lru_cache(maxsize=1 << 16)
def _from_oxigraph(term):
    """Cached: results repeat their labels, kinds and sources row after row, and an rdflib
    literal costs microseconds to make (it parses its value)."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
