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
from .namespaces import RDFS
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


def validate(kg: KnowledgeGraph, shapes: Graph | None = None) -> ValidationReport:
    """Validate the graph with the bundled shapes (or the given ones)."""
    import pyshacl

    shapes = shapes if shapes is not None else load_shapes()
    _, results, _ = pyshacl.validate(kg.graph, shacl_graph=shapes, inference="none",
                                     advanced=True, allow_warnings=True)
    violations = [_violation(kg, results, r) for r in results.subjects(SH.focusNode, None, unique=True)]
    violations.sort(key=lambda v: (v.severity != "Violation", v.origin, v.focus, v.path, v.message))
    return ValidationReport(violations)


def _violation(kg: KnowledgeGraph, results: Graph, result) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    message = results.value(result, SH.resultMessage)
    severity = results.value(result, SH.resultSeverity)
    label = kg.graph.value(focus, RDFS.label)
    origin = kg.origin(focus) or _owner_origin(kg, focus)
    return Violation(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        focus=str(focus),
        label=str(label) if label else "",
        path=kg.graph.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else "",
        message=str(message) if message else "breaks a shape",
        value=str(value) if value is not None and value != focus else "",
        origin=str(origin) if origin else "",
    )


def _owner_origin(kg: KnowledgeGraph, node):
    """The origin of a node minted under another (an evidence or amount node)."""
    text = str(node)
    while "/" in text:
        text = text.rsplit("/", 1)[0]
        origin = kg.origins.get(URIRef(text))
        if origin:
            return origin
    return None
