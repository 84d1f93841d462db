"""Stable answers: the same cells in the same rows in the same order, for the same data, on
every run and every store.

SPARQL leaves two things to the engine, and the engines use that freedom:

* the order of the values ``GROUP_CONCAT`` joins. Oxigraph follows its hash maps, which
  change from run to run (in memory with the order the graph was loaded in, on disk too);
  Virtuoso has an order of its own. An ordered subquery does not help: SPARQL does not
  promise that grouping keeps it. And an empty group gives ``""`` in Virtuoso, no value
  in Oxigraph.
* the order of rows that ``ORDER BY`` leaves tied, and of all rows without ``ORDER BY``.

So kgraph settles both itself once the engine has answered, the same way for every engine:

* A column that the query's header declares a list (``# lists: sources, channels``) is
  bound by a ``GROUP_CONCAT``; the values of each of its cells are put in order (numbers by
  value, text ignoring case; :func:`natural_key`) and joined with that ``GROUP_CONCAT``'s
  own separator, and an empty list is no value. Declared, not guessed: only the author of a
  query knows that its separator never occurs inside a value (a value that held it would
  be split there), and a list numbered in the source's order (``1. ... | 2. ...``) keeps
  that order.
* Rows are sorted by the query's ``ORDER BY`` keys, compared as SPARQL orders terms (no
  value, blank nodes, IRIs, then literals; numbers by value; text by code point), and
  ties by the whole row. Without ``ORDER BY``, by the whole row, which SPARQL allows: the
  order is then unspecified. A key that is an expression, or a variable the query does not
  project, cannot be recomputed here: such a query keeps the engine's order (every named
  query orders by projected variables; a test checks).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from decimal import Decimal, InvalidOperation

import pyoxigraph
from rdflib import Variable
from rdflib.namespace import XSD

from .errors import QueryError

#: SPARQL's separator when a GROUP_CONCAT names none.
DEFAULT_SEPARATOR = " "
#: Algebra nodes between a SELECT and its ORDER BY.
_ABOVE_ORDER_BY = ("Project", "Distinct", "Reduced", "Slice")
_NUMERIC = {str(XSD[name]) for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_DIGITS = re.compile(r"(\d+)")


@dataclasses.dataclass(frozen=True)
class Ordering:
    """What a query says of its answer's order: the separator of every variable a
    ``GROUP_CONCAT`` binds, and its ``ORDER BY`` as (variable, descending) pairs (``()``
    without one; ``None`` when a key is an expression, which only the engine computes)."""

    separators: dict[str, str]
    order: tuple[tuple[str, bool], ...] | None


def ordering_of(query) -> Ordering:
    """The :class:`Ordering` of a query parsed by rdflib (``kgraph.query.prepare``)."""
    return Ordering(group_concat_separators(query), _order_by(query))


def stable_answer(result, ordering: Ordering, lists: tuple[str, ...], origin: str = "query"):
    """A SELECT result (``kgraph.query.QueryResult``) with its list cells and its rows in
    order; other results as they are. ``ordering`` is the query's (:func:`ordering_of`,
    :func:`read_ordering`), ``lists`` the columns its header declares lists."""
    if result.kind != "select":
        return result
    separators = list_separators(ordering, lists, origin)
    position = {column: index for index, column in enumerate(result.columns)}
    ordered = [(position[column], separator) for column, separator in separators.items()
               if column in position]
    rows = [_with_sorted_lists(row, ordered) for row in result.terms] if ordered else list(result.terms)
    keys = _projected(ordering.order, result.columns)
    if keys is not None:
        rows.sort(key=row_key)
        for column, descending in reversed(keys):
            index = position[column]
            rows.sort(key=lambda row: term_key(row[index]), reverse=descending)
    return dataclasses.replace(result, terms=rows)


def _with_sorted_lists(row: tuple, ordered: list[tuple[int, str]]) -> tuple:
    row = list(row)
    for index, separator in ordered:
        row[index] = sorted_list(row[index], separator)
    return tuple(row)


def sorted_list(term, separator: str):
    """A ``GROUP_CONCAT`` cell with its values in :func:`natural_key` order; an empty one
    (``""``, or no value) is no value."""
    if term is None or not term.value:
        return None
    text = separator.join(sorted(term.value.split(separator), key=natural_key))
    if term.language:
        return pyoxigraph.Literal(text, language=term.language)
    return pyoxigraph.Literal(text, datatype=term.datatype)


def natural_key(text: str) -> tuple:
    """Text as a reader orders it: runs of digits by their value (``2. ...`` before
    ``10. ...``), the rest ignoring case; ties by the text itself, so the order is total."""
    parts = _DIGITS.split(text)  # text, digits, text, ...: each place holds one type
    return tuple(int(part) if index % 2 else part.casefold() for index, part in enumerate(parts)), text


def term_key(term) -> tuple:
    """A term's place in SPARQL's order (no value, blank nodes, IRIs, literals; numbers by
    value, then other literals by their text), made total by the lexical form, the
    language and the datatype."""
    if term is None:
        return (0,)
    if isinstance(term, pyoxigraph.BlankNode):
        return (1, term.value)
    if isinstance(term, pyoxigraph.NamedNode):
        return (2, term.value)
    datatype = term.datatype.value if term.datatype else ""
    number = _number(term.value) if datatype in _NUMERIC else None
    if number is not None:
        return (3, 0, number, term.value, datatype)
    return (3, 1, term.value, term.language or "", datatype)


def row_key(row: tuple) -> tuple:
    return tuple(term_key(term) for term in row)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def order_keys(query, columns: list[str]) -> list[tuple[str, bool]] | None:
    """The query's ``ORDER BY`` as (projected column, descending) pairs; ``[]`` when it has
    none; ``None`` when a key is not a projected variable (an expression, or a variable the
    query does not return), which only the engine can compute."""
    return _projected(_order_by(query), columns)


def _projected(order, columns) -> list[tuple[str, bool]] | None:
    if order is None or any(variable not in columns for variable, _ in order):
        return None
    return list(order)


def _order_by(query) -> tuple[tuple[str, bool], ...] | None:
    from rdflib.plugins.sparql.parserutils import CompValue

    node = query.algebra.get("p")
    while isinstance(node, CompValue) and node.name != "OrderBy":
        if node.name not in _ABOVE_ORDER_BY:
            return ()
        node = node.get("p")
    if not isinstance(node, CompValue):
        return ()
    keys = []
    for condition in node["expr"]:
        expression = condition.get("expr") if isinstance(condition, CompValue) else condition
        if not isinstance(expression, Variable):
            return None
        descending = isinstance(condition, CompValue) and condition.get("order") == "DESC"
        keys.append((str(expression), descending))
    return tuple(keys)


#: A ``GROUP_CONCAT(...) AS ?variable`` whose arguments hold no nested parentheses deeper
#: than one level, with its separator if it names one.
_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?P<arguments>(?:[^()"]|"[^"\\]*"|\((?:[^()"]|"[^"\\]*")*\))*)\)'
                           r'\s*AS\s+\?(?P<variable>\w+)', re.IGNORECASE)
_SEPARATOR = re.compile(r';\s*separator\s*=\s*"(?P<separator>[^"\\]*)"\s*$', re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_ORDER_KEY = re.compile(r"\?(\w+)|(ASC|DESC)\s*\(\s*\?(\w+)\s*\)", re.IGNORECASE)
_LIMITS = re.compile(r"((LIMIT|OFFSET)\s+\d+\s*)*", re.IGNORECASE)


def read_ordering(text: str) -> Ordering | None:
    """The :class:`Ordering` of a query read from its text, without parsing it; ``None``
    when the text is not plain enough to read so (then parse it: :func:`ordering_of`).

    rdflib's parser takes 0.1-0.2 s over a named query, once per process, which is most of
    what a brief's first queries cost; a test checks that this reading agrees with the
    parse for every named query. Plain enough: every ``GROUP_CONCAT`` directly bound by
    ``AS`` with a separator free of escapes, and the last ``ORDER BY`` (if any) the outer
    query's, of variables and ``ASC(?v)``/``DESC(?v)``, followed by nothing but ``LIMIT``
    and ``OFFSET``."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    separators = {}
    concatenations = _GROUP_CONCAT.finditer(body)
    for match in concatenations:
        separator = _SEPARATOR.search(match["arguments"])
        if separator is None and "separator" in match["arguments"].lower():
            return None
        separators[match["variable"]] = separator["separator"] if separator else DEFAULT_SEPARATOR
    if len(separators) != len(re.findall(r"GROUP_CONCAT", body, re.IGNORECASE)):
        return None
    found = list(_ORDER_BY.finditer(body))
    if not found:
        return Ordering(separators, ()) if not re.search(r"\bLIMIT|\bOFFSET", body, re.IGNORECASE) else None
    tail = body[found[-1].end():]
    keys, position = [], 0
    while True:
        key = _ORDER_KEY.match(tail, position + len(tail[position:]) - len(tail[position:].lstrip()))
        if key is None:
            break
        keys.append((key[1], False) if key[1] else (key[3], key[2].upper() == "DESC"))
        position = key.end()
    rest = tail[position:].strip()
    if not keys or _LIMITS.fullmatch(rest) is None:
        return None
    return Ordering(separators, tuple(keys))


def list_separators(ordering: Ordering, lists: tuple[str, ...], origin: str = "query") -> dict[str, str]:
    """The separator of each declared list column; an error when no ``GROUP_CONCAT`` binds
    one of them."""
    bound = ordering.separators
    missing = [column for column in lists if column not in bound]
    if missing:
        raise QueryError(f"{origin}: the header declares '{missing[0]}' a list ('# lists:'), "
                         "but no GROUP_CONCAT of the query binds it. Expected the names of "
                         "columns bound by GROUP_CONCAT(... ; separator=...).")
    return {column: bound[column] for column in lists}


@functools.lru_cache(maxsize=256)
def group_concat_separators(query) -> dict[str, str]:
    """Every variable a ``GROUP_CONCAT`` binds, in the query or its subqueries, with its
    separator. rdflib's algebra names each aggregate of a SELECT (``__agg_1__``, afresh in
    every subquery) and binds the query's variable to it with an ``Extend`` above the
    ``AggregateJoin`` that computes it."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found = {}

    def walk(node):
        if isinstance(node, CompValue):
            if node.name == "Extend" and isinstance(node.get("expr"), Variable):
                aggregate = _aggregate_below(node, node["expr"])
                if aggregate is not None and aggregate.name == "Aggregate_GroupConcat":
                    # Not aggregate.get: rdflib's CompValue.get answers a missing key with its name.
                    separator = dict.get(aggregate, "separator")
                    found[str(node["var"])] = DEFAULT_SEPARATOR if separator is None else str(separator)
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(query.algebra)
    return found


def _aggregate_below(extend, variable):
    """The aggregate of the SELECT an ``Extend`` belongs to whose result is ``variable``."""
    from rdflib.plugins.sparql.parserutils import CompValue

    node = extend.get("p")
    while isinstance(node, CompValue) and node.name in ("Extend", "Filter"):
        node = node.get("p")
    if isinstance(node, CompValue) and node.name == "AggregateJoin":
        return next((a for a in node["A"] if a.get("res") == variable), None)
    return None
