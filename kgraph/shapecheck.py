"""The SHACL shapes checked with SPARQL in Oxigraph, for graphs too large for pyshacl.

pyshacl validates in pure Python over rdflib: right for the bundled data, but at a million
triples it takes tens of minutes and gigabytes. This module reads the same shapes file and
turns each constraint it uses into one SPARQL query that returns the focus nodes (and
values) breaking it; Oxigraph runs them in seconds. It covers the SHACL core constraints the
project's shapes use (targetClass, property shapes with a predicate path or an inverse or
alternative one, minCount,
maxCount, datatype, class, in, pattern, minLength, minInclusive, maxInclusive, node, or,
hasValue, message, severity) and refuses any other with the shape's name, so a shape it
cannot check is never silently passed. A test checks that it reports what pyshacl reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from .errors import KgraphError

#: The constraint parameters this module checks; any other in a shape is refused.
SUPPORTED = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH["in"], SH.pattern,
             SH.minLength, SH.minInclusive, SH.maxInclusive, SH.node, SH["or"], SH.hasValue,
             SH.message, SH.severity, SH.name, SH.description}


@dataclass(frozen=True)
class ShapeResult:
    """One broken constraint, as pyshacl would report it."""

    focus: URIRef
    path: URIRef | None
    value: object
    message: str
    severity: str  # "Violation" or "Warning"
    constraint: str  # one result per constraint broken, as SHACL reports them


def check(shapes: Graph, evaluate) -> list[ShapeResult]:
    """Every result of the shapes on a graph; ``evaluate(text)`` runs a SELECT on it and
    returns its rows (``kgraph.query.execute`` on an rdflib graph, or a store)."""
    return _Checker(shapes, evaluate).run()


class _Checker:
    def __init__(self, shapes: Graph, evaluate):
        self.shapes = shapes
        self.evaluate = evaluate
        self._failing_nodes: dict = {}

    def run(self) -> list[ShapeResult]:
        results: set[ShapeResult] = set()
        for shape in sorted(set(self.shapes.subjects(SH.targetClass, None)), key=str):
            results.update(self.node_shape(shape))
        return sorted(results, key=lambda r: (str(r.focus), str(r.path), r.message, str(r.value)))

    # -- shapes --------------------------------------------------------------------------------
    def node_shape(self, shape) -> set[ShapeResult]:
        focus = _focus_pattern(sorted(self.shapes.objects(shape, SH.targetClass), key=str))
        severity = _severity(self.shapes, shape)
        found = set()
        for alternatives in self.shapes.objects(shape, SH["or"]):
            message = self._message(shape)
            condition = " || ".join(self._holds(alt) for alt in Collection(self.shapes, alternatives))
            for (node,) in self.evaluate(f"SELECT DISTINCT ?focus WHERE {{ {focus} FILTER(!({condition})) }}"):
                found.add(ShapeResult(node, None, node, message, severity, "or"))
        for prop in self.shapes.objects(shape, SH.property):
            found |= self.property_shape(prop, focus)
        return found

    def property_shape(self, prop, focus: str) -> set[ShapeResult]:
        self._refuse_unsupported(prop)
        path = self.shapes.value(prop, SH.path)
        steps = self._path(prop, path)
        # SHACL reports a predicate path as the predicate; a longer path as a node of the
        # shapes graph, which means nothing outside it.
        reported = path if isinstance(path, URIRef) else None
        severity = _severity(self.shapes, prop)  # a property shape's own, as in SHACL
        message = self._message(prop)
        found = set()

        def add(rows, constraint, with_value=True):
            for row in rows:
                found.add(ShapeResult(row[0], reported, row[1] if with_value else None, message,
                                      severity, constraint))

        for parameter, comparison in ((SH.minCount, "<"), (SH.maxCount, ">")):
            bound = self.shapes.value(prop, parameter)
            if bound is not None:
                add(self.evaluate(f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {steps} ?v }} }} "
                                  f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) {comparison} {int(bound)})"),
                    str(parameter), with_value=False)
        conditions = [(str(parameter), self._value_fails(prop, parameter, value))
                      for parameter, value in self.shapes.predicate_objects(prop)
                      if parameter in _VALUE_PARAMETERS]
        for alternatives in self.shapes.objects(prop, SH["or"]):
            conditions.append(("or", " && ".join(
                "(" + " || ".join(self._value_fails(alt, p, v) for p, v in
                                  self.shapes.predicate_objects(alt) if p in _VALUE_PARAMETERS) + ")"
                for alt in Collection(self.shapes, alternatives))))
        for constraint, condition in conditions:
            add(self.evaluate(f"SELECT DISTINCT ?focus ?v WHERE {{ {focus} ?focus {steps} ?v . "
                              f"FILTER({condition}) }}"), constraint)
        node_shape = self.shapes.value(prop, SH.node)
        if node_shape is not None:
            failing = self._nodes_failing(node_shape)
            rows = self.evaluate(f"SELECT DISTINCT ?focus ?v WHERE {{ {focus} ?focus {steps} ?v }}")
            add((row for row in rows if row[1] in failing), "node")
        return found

    def _nodes_failing(self, shape) -> set:
        if shape not in self._failing_nodes:
            self._failing_nodes[shape] = {result.focus for result in self.node_shape(shape)}
        return self._failing_nodes[shape]

    # -- constraints as SPARQL expressions -------------------------------------------------------
    def _value_fails(self, shape, parameter, value) -> str:
        """A SPARQL expression, true when ?v breaks the constraint."""
        if parameter == SH.datatype:
            return f"!(isLiteral(?v) && DATATYPE(?v) = <{value}>)"
        if parameter == SH["class"]:
            return f"NOT EXISTS {{ ?v a ?value_type . ?value_type rdfs:subClassOf* <{value}> }}"
        if parameter == SH["in"]:
            return f"(?v NOT IN ({', '.join(term.n3() for term in Collection(self.shapes, value))}))"
        if parameter == SH.pattern:
            return f"!REGEX(STR(?v), {Literal(str(value)).n3()})"
        if parameter == SH.minLength:
            return f"(STRLEN(STR(?v)) < {int(value)})"
        if parameter == SH.minInclusive:
            return f"!COALESCE(?v >= {value.n3()}, false)"
        if parameter == SH.maxInclusive:
            return f"!COALESCE(?v <= {value.n3()}, false)"
        raise KgraphError(f"The shape {shape} uses {parameter}, which the SPARQL check does not "
                          "support (use pyshacl).")

    def _holds(self, alternative) -> str:
        """A SPARQL expression, true when ?focus satisfies one alternative of a node-level or."""
        path = self.shapes.value(alternative, SH.path)
        if path is None:
            raise KgraphError(f"The alternative {alternative} of a node-level sh:or has no path; "
                              "the SPARQL check supports property alternatives only (use pyshacl).")
        steps = self._path(alternative, path)
        tests = []
        if self.shapes.value(alternative, SH.minCount) is not None:
            tests.append(f"EXISTS {{ ?focus {steps} ?x }}")
        if self.shapes.value(alternative, SH.hasValue) is not None:
            tests.append(f"EXISTS {{ ?focus {steps} {self.shapes.value(alternative, SH.hasValue).n3()} }}")
        for parameter in (SH.minInclusive, SH.maxInclusive):
            value = self.shapes.value(alternative, parameter)
            if value is not None:
                failing = self._value_fails(alternative, parameter, value).replace("?v", "?x")
                tests.append(f"NOT EXISTS {{ ?focus {steps} ?x FILTER({failing}) }}")
        return "(" + " && ".join(tests or ["true"]) + ")"

    def _path(self, shape, path) -> str:
        """A SHACL path as a SPARQL property path: a predicate, an inverse path
        (``sh:inversePath``) or alternatives (``sh:alternativePath``) of such paths."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        inverse = self.shapes.value(path, SH.inversePath) if path is not None else None
        if inverse is not None:
            return f"^{self._path(shape, inverse)}"
        alternatives = self.shapes.value(path, SH.alternativePath) if path is not None else None
        if alternatives is not None:
            return "(" + "|".join(self._path(shape, step) for step in
                                  Collection(self.shapes, alternatives)) + ")"
        raise KgraphError(f"The shape {shape} has a path that the SPARQL check does not support "
                          "(it supports predicates, inverse and alternative paths; use pyshacl).")

    def _message(self, shape) -> str:
        message = self.shapes.value(shape, SH.message)
        return str(message) if message is not None else "breaks a shape"

    def _refuse_unsupported(self, prop) -> None:
        for parameter in set(self.shapes.predicates(prop)) - SUPPORTED - {RDF.type}:
            if str(parameter).startswith(str(SH)):
                raise KgraphError(f"The shape {prop} uses {parameter}, which the SPARQL check "
                                  "does not support (use pyshacl).")


_VALUE_PARAMETERS = {SH.datatype, SH["class"], SH["in"], SH.pattern, SH.minLength, SH.minInclusive,
                     SH.maxInclusive}


def _focus_pattern(classes) -> str:
    """Instances of the target classes, subclasses included (as SHACL targets them)."""
    values = " ".join(f"<{c}>" for c in classes)
    return (f"VALUES ?target_class {{ {values} }} ?focus a ?focus_type . "
            "?focus_type rdfs:subClassOf* ?target_class .")


def _severity(shapes: Graph, shape) -> str:
    severity = shapes.value(shape, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"

