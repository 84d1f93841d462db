"""Conversion between rdflib terms and Oxigraph terms.

rdflib is the in-memory model of kgraph (building, validating, Turtle); Oxigraph evaluates
SPARQL and writes the formats whose rdflib writers do not keep the order of their input.
Both meet here.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD


def to_oxigraph(term):
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
    return pyoxigraph.Triple(*(to_oxigraph(term) for term in triple))


def from_oxigraph(term):
    """An Oxigraph term as the rdflib term the rest of kgraph works with."""
    return None if term is None else _from_oxigraph(term)


def as_rdflib(term):
    """A term of either library (or None) as an rdflib term."""
    return _from_oxigraph(term) if isinstance(term, _OXIGRAPH_TERMS) else term


def integral_or_float(value: Decimal):
    """A decimal as an int when it is whole, else a float: how query rows show numbers."""
    return int(value) if value == value.to_integral_value() else float(value)


def plain_value(term, decimal=integral_or_float):
    """A term of either library as a plain Python value: IRIs and texts as str, numbers as
    int or float (decimals through ``decimal``), booleans as bool, other typed literals
    (dates, years) as their lexical form.

    Oxigraph terms are read directly, without the rdflib literal (which costs microseconds to
    make): a query of tens of thousands of rows spends its time here otherwise.
    """
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return term.value
    if not isinstance(term, pyoxigraph.Literal):
        return None if term is None else _plain_rdflib(term, decimal)
    if term.language:
        return term.value
    convert = _CONVERTERS.get(term.datatype.value)
    if convert is None:
        return term.value
    try:
        value = convert(term.value)
    except (ValueError, ArithmeticError):  # ill-typed, e.g. "many"^^xsd:integer
        return term.value
    return decimal(value) if isinstance(value, Decimal) else value


def _plain_rdflib(term, decimal):
    if not isinstance(term, Literal):
        return str(term)
    value = term.toPython()
    if isinstance(value, Decimal):
        return decimal(value)
    # toPython gives the literal itself when it has no Python type (texts with a language,
    # years, ill-typed values): those are their lexical form.
    plain = isinstance(value, (int, float, bool, str)) and not isinstance(value, Literal)
    return value if plain else str(term)


_OXIGRAPH_TERMS = (pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal)
_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
             "unsignedShort", "unsignedByte")
_CONVERTERS = {
    **{str(XSD[name]): int for name in _INTEGERS},
    str(XSD.decimal): Decimal,
    str(XSD.double): float,
    str(XSD.float): float,
    str(XSD.boolean): lambda text: text in ("true", "1"),
    str(XSD.string): str,
}


@functools.lru_cache(maxsize=1 << 16)
def _from_oxigraph(term):
    """Cached: results repeat their labels, kinds and sources row after row, and an rdflib
    literal costs microseconds to make (it parses its value)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
