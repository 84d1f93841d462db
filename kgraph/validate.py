"""Validate stage: check the compiled graph against the SHACL shapes, in human terms.

pyshacl reports focus nodes and shape IRIs; researchers need the entity, the rule it
breaks in words, and the file and line of the record to fix. This module turns one into
the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .build import KnowledgeGraph, parse_turtle
from .choices import VALIDATORS
from .namespaces import RDFS, bind_prefixes
from .progress import Progress
from .resources import shapes_file


@dataclass(frozen=True)
class Violation:
    """One broken rule: which entity, which property, what is wrong, and where it was written."""

    severity: str
    focus: str
    label: str
    path: str
    message: str
    value: str
    origin: str

    def describe(self) -> str:
        subject = f"'{self.label}' <{self.focus}>" if self.label else f"<{self.focus}>"
        text = f"{self.severity}: {subject}"
        if self.path:
            text += f", property {self.path}"
        text += f": {self.message}"
        if self.value:
            text += f" (value: {self.value})"
        if self.origin:
            text += f". Written at {self.origin}."
        return text


@dataclass
class ValidationReport:
    violations: list[Violation]

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (f"{len(self.errors)} violation(s), {len(self.warnings)} warning(s)")


def load_shapes() -> Graph:
    return parse_turtle(shapes_file())


#: Above this many triples ``validate`` checks the shapes with SPARQL in Oxigraph
#: (``kgraph.shapecheck``): pyshacl needs tens of minutes and gigabytes at a million.
PYSHACL_MAX_TRIPLES = 200_000


def validate(kg: KnowledgeGraph, shapes: Graph | None = None, engine: str = "auto",
             quiet: bool = False) -> ValidationReport:
    """Validate a compiled graph with the bundled shapes (or the given ones), by pyshacl or,
    for large graphs (``engine="auto"``) or on request, by SPARQL in Oxigraph."""
    return check_shapes(kg.graph, kg.origin, shapes, engine, quiet)


def validate_source(source, engine: str = "auto", quiet: bool = False) -> ValidationReport:
    """Validate what a command reads (``kgraph.store.open_source``): compiled data folders,
    whose report gives the file and line of each record, or a store, which keeps no files
    and lines: its report names the entities only."""
    if isinstance(source, KnowledgeGraph):
        return validate(source, engine=engine, quiet=quiet)
    return check_shapes(source, lambda node: None, engine=engine, quiet=quiet)


def check_shapes(source, origin_of, shapes: Graph | None = None, engine: str = "auto",
                 quiet: bool = False) -> ValidationReport:
    """Validate an rdflib graph or a store (``kgraph.store``); ``origin_of(node)`` says where
    a node was written. A store is checked by SPARQL in its engine; pyshacl needs the whole
    graph in rdflib, which only small stores can afford. The SPARQL check shows its progress
    on a terminal (one item per constraint checked) unless ``quiet``."""
    shapes = shapes if shapes is not None else load_shapes()
    if engine not in VALIDATORS:
        raise ValueError(f"unknown validation engine '{engine}'; expected one of {VALIDATORS}")
    size = len(source) if isinstance(source, Graph) else source.triple_count()
    if engine == "sparql" or (engine == "auto" and size > PYSHACL_MAX_TRIPLES):
        progress = Progress("validating, constraints checked", None, quiet)
        results = _sparql_results(source, shapes, progress)
        progress.finish()
    else:
        graph = source if isinstance(source, Graph) else source.rdflib_graph()
        results = _pyshacl_results(graph, shapes)
    labels = _labels(source, {result[0] for result in results})
    violations = [_violation(labels, origin_of, *result) for result in results]
    violations.sort(key=lambda v: (v.severity != "Violation", v.origin, v.focus, v.path, v.message,
                                   v.value))
    return ValidationReport(violations)


def _pyshacl_results(graph: Graph, shapes: Graph) -> list[tuple]:
    import pyshacl

    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                    advanced=True, allow_warnings=True)
    return [tuple(report.value(result, term) for term in
                  (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage, SH.resultSeverity))
            for result in report.subjects(SH.focusNode, None, unique=True)]


def _sparql_results(source, shapes: Graph, progress: Progress) -> list[tuple]:
    from .query import execute
    from .shapecheck import check

    def evaluate(text):
        rows = execute(source, text, "shape check", stable=False).rows
        progress.advance(1)
        return rows

    return [(r.focus, r.path, r.value, r.message, SH[r.severity]) for r in check(shapes, evaluate)]


def _labels(source, nodes) -> dict:
    """The label of each node, to name it in the report."""
    from .query import execute

    if not nodes:
        return {}
    values = " ".join(node.n3() for node in nodes if isinstance(node, URIRef))
    rows = execute(source, f"SELECT ?node ?label WHERE {{ VALUES ?node {{ {values} }} "
                           f"?node <{RDFS.label}> ?label }}", "labels of the report").rows
    return {node: label for node, label in sorted(rows)}


_NAMESPACES = bind_prefixes(Graph()).namespace_manager


def _violation(labels: dict, origin_of, focus, path, value, message, severity) -> Violation:
    label = labels.get(focus)
    origin = origin_of(focus)
    return Violation(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=str(focus),
        label=str(label) if label else "",
        path=_NAMESPACES.normalizeUri(path) if isinstance(path, URIRef) else "",
        message=str(message) if message else "breaks a shape",
        value=str(value) if value is not None and value != focus else "",
        origin=str(origin) if origin else "",
    )
