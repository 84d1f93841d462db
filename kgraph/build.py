"""Build stage: compile checked records into an RDF graph with the ontology's terms.

The graph holds the ontology and its vocabularies, the compiled records and any Turtle
files of the data folders, so that it answers queries on its own and exports as one
self-contained file. Every record's node remembers the record it came from (and the nodes
minted under it, ``<record>/...``, are the record's), so that validation can point at a file
and line.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph
from rdflib import BNode, Graph, URIRef
from rdflib.exceptions import ParserError

from .errors import InputError
from .load import Dataset, Record, load_dataset
from .namespaces import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, SP, SPR, SPV, WD, XSD, bind_prefixes
from .resources import ontology_file, vocabulary_file
from .schema import (BOOLEAN, DATE, DECIMAL, DEFAULT_EPISTEMIC_STATUS, INTEGER, REF, STRENGTHS,
                     VOCABULARIES, WIKIDATA, YEAR)
from .terms import from_oxigraph

#: Fields that the builder handles itself rather than as one predicate per value.
_SPECIAL_FIELDS = {"id", "label", "labels", "source", "quote", "evidence", "currency"}


@dataclass
class Origin:
    """Where a node of the graph was written: a record in a YAML file, or a Turtle file."""

    file: Path
    line: int | None
    kind: str | None = None
    record_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else str(self.file)
        return f"{where} ({self.kind} record '{self.record_id}')" if self.kind else where


@dataclass
class KnowledgeGraph:
    """The compiled graph and, for each record's node, the record it came from."""

    graph: Graph
    origins: dict[URIRef, Origin] = field(default_factory=dict)
    data_folders: list[Path] = field(default_factory=list)

    def origin(self, node) -> Origin | None:
        """Where the node was written; a node minted under a record is the record's."""
        return self.origins.get(node) or self.origins.get(owner_iri(node))

    def _repr_html_(self) -> str:
        """In a notebook: the graph's counts (``kgraph.stats``) as tables."""
        from .stats import graph_stats

        return graph_stats(self.graph)._repr_html_()

    def to_pandas(self):
        """The graph's triples as a pandas data frame of plain values, in sorted order."""
        from .notebook import data_frame
        from .query import TRIPLE_COLUMNS, triple_records

        return data_frame(triple_records(self.graph), list(TRIPLE_COLUMNS))


def owner_iri(node) -> URIRef | None:
    """The record node a minted node (``<record>/evidence/1``) belongs to: record ids hold
    no slash."""
    text = str(node)
    return entity_iri(text[len(SPR):].split("/", 1)[0]) if text.startswith(SPR) else None


def entity_iri(record_id: str) -> URIRef:
    return SPR[record_id]


def load_ontology() -> Graph:
    """The bundled ontology with its controlled vocabularies (two files, one graph)."""
    return parse_turtle(vocabulary_file(), into=parse_turtle(ontology_file()))


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse a Turtle file, reporting a syntax error with the file and line."""
    graph = into if into is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except (SyntaxError, ParserError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise InputError(f"{path}: malformed Turtle: {message}. Expected a valid Turtle file "
                         "(https://www.w3.org/TR/turtle/).") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.reason}).") from None
    return graph


def vocabulary_ids(ontology: Graph) -> dict[str, set[str]]:
    """For each controlled-vocabulary kind, the ids of its concepts in the ontology."""
    ids = {}
    for kind, rdf_class in VOCABULARIES.items():
        ids[kind] = {str(s)[len(str(SPV)):] for s in ontology.subjects(RDF.type, rdf_class)
                     if str(s).startswith(str(SPV))}
    return ids


def standard_superclasses(ontology: Graph) -> dict[str, tuple[str, ...]]:
    """For each class of the ontology, the classes of the standard vocabularies (schema.org,
    W3C ORG, PROV-O, SKOS, FOAF, Dublin Core) it is a subclass of, directly or through other
    classes, as N-Triples IRIs: the types a record also gets, so that a consumer without a
    reasoner finds the states among ``schema:Country`` and the programmes among
    ``prov:Entity``."""
    table = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        if isinstance(cls, URIRef) and str(cls).startswith(str(SP)):
            found = {c for c in ontology.transitive_objects(cls, RDFS.subClassOf)
                     if isinstance(c, URIRef) and not str(c).startswith(str(SP))}
            if found:
                table[_iri(cls)] = tuple(sorted(_iri(c) for c in found))
    return table


def load_graph(data_folders: list[Path] | None = None, statuses=None) -> KnowledgeGraph:
    """Load, check and compile the data folders (the bundled data by default); with
    ``statuses`` (e.g. ``["stated"]``), only the facts of those epistemic statuses and what
    does not hang on the others (``kgraph.statuses``)."""
    ontology = load_ontology()
    vocabularies = vocabulary_ids(ontology)
    dataset = load_dataset(data_folders, vocabularies, statuses)
    return compile_dataset(dataset, ontology, vocabularies, data_folders or [])


def compile_dataset(dataset: Dataset, ontology: Graph, vocabularies: dict[str, set[str]],
                    data_folders: list[Path] | None = None) -> KnowledgeGraph:
    """Compile checked records and merge the folders' Turtle files into one graph."""
    graph = bind_prefixes(Graph())
    for triple in ontology:
        graph.add(triple)
    kg = KnowledgeGraph(graph, data_folders=list(data_folders or []))
    lines = []
    superclasses = standard_superclasses(ontology)
    for record in dataset.records:
        kg.origins[entity_iri(record.id)] = record_origin(record)
        lines.extend(record_ntriples(record, vocabularies, superclasses))
    for triple in pyoxigraph.parse("".join(lines), format=pyoxigraph.RdfFormat.N_TRIPLES):
        graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
                   from_oxigraph(triple.object)))
    for path in dataset.turtle_files:
        extra = parse_turtle(path)
        for triple in extra:
            graph.add(triple)
            if not isinstance(triple[0], BNode):
                kg.origins.setdefault(triple[0], Origin(path, None))
    return kg


def record_origin(record: Record) -> Origin:
    return Origin(record.file, record.line, record.kind, record.id)


def record_ntriples(record: Record, vocabularies: dict[str, set[str]],
                    superclasses: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The triples of one checked record as N-Triples lines; the nodes minted under it
    (``<record>/...``) are the record's too. Every node typed with an ontology class is
    also typed with that class's standard superclasses (:func:`standard_superclasses`).

    N-Triples because a bulk build (``kgraph.bulk``) streams millions of triples into
    Oxigraph's loader, which parses this text in Rust faster than Python can make one term
    object per value (an rdflib term parses its value; even an Oxigraph ``Quad`` costs
    microseconds); the in-memory build has Oxigraph parse the text as well
    (:func:`compile_dataset`). Record ids, references, language tags and dates have been
    checked against their patterns, so only text needs escaping.
    """
    compiler = _Compiler(record, vocabularies, superclasses or {})
    compiler.compile()
    return compiler.lines


@functools.lru_cache(maxsize=4096)
def _iri(term: str) -> str:
    """An IRI in N-Triples: the same few ontology and vocabulary IRIs on every record."""
    return f"<{term}>"


def _entity(record_id: str) -> str:
    return f"<{SPR}{record_id}>"


#: The IRIs every record compiles to, in N-Triples, looked up once (an rdflib namespace
#: makes a new term on every attribute access).
_NT = SimpleNamespace(**{name: _iri(term) for name, term in {
    "type": RDF.type, "identifier": DCTERMS.identifier, "label": RDFS.label,
    "pref_label": SKOS.prefLabel, "alt_label": SKOS.altLabel, "order": SP.order, "strength": SP.Strength,
    "constraint": SP.Constraint, "amount": SP.amount, "monetary_amount": SDO.MonetaryAmount,
    "value": SDO.value, "currency": SDO.currency, "source": DCTERMS.source,
    "evidence": SP.evidence, "quotation": SP.Quotation, "quoted_from": PROV.wasQuotedFrom,
    "quote": SP.quote, "boolean": XSD.boolean, "integer": XSD.integer,
    "decimal": XSD.decimal, "date": XSD.date, "epistemic_status": SP.epistemicStatus,
    "identifier_of": SDO.identifier, "property_value": SDO.PropertyValue,
    "property_id": SDO.propertyID,
    "stated": SPV[DEFAULT_EPISTEMIC_STATUS]}.items()})

#: What N-Triples escapes in a string (``STRING_LITERAL_QUOTE``): quote, backslash, line ends.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _literal(value, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal with the lexical form rdflib gives the value (``true``, ``2020-05-01``);
    ``datatype`` is an IRI in N-Triples."""
    if lang:
        return f'"{value.translate(_ESCAPES)}"@{lang}'
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^{_NT.boolean}'
    if isinstance(value, int):
        return f'"{value}"^^{_NT.integer}'
    if isinstance(value, Decimal):
        return f'"{canonical_decimal(value)}"^^{_NT.decimal}'
    if datatype:
        return f'"{value.translate(_ESCAPES)}"^^{datatype}'
    return f'"{value.translate(_ESCAPES)}"'


def canonical_decimal(value: Decimal) -> str:
    """The canonical text of an xsd:decimal, as Oxigraph stores it (``7.50`` is ``7.5``,
    ``5E+7`` is ``50000000``): the memory build and an on-disk store then hold the same
    literal, and every export writes it alike."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


class _Compiler:
    """Compiles one record into triples."""

    def __init__(self, record: Record, vocabularies: dict[str, set[str]],
                 superclasses: dict[str, tuple[str, ...]]):
        self.record = record
        self.vocabularies = vocabularies
        self.superclasses = superclasses
        self.iri = f"{SPR}{record.id}"
        self.node = f"<{self.iri}>"
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add a triple of N-Triples terms (a type with its standard superclasses)."""
        self.lines.append(f"{subject} {predicate} {obj} .\n")
        if predicate == _NT.type:
            self.lines.extend(f"{subject} {predicate} {superclass} .\n"
                              for superclass in self.superclasses.get(obj, ()))

    def minted(self, path: str) -> str:
        """A node minted under the record, e.g. its amount or its first quotation."""
        return f"<{self.iri}/{path}>"

    def compile(self) -> None:
        record, spec, node = self.record, self.record.spec, self.node
        self.add(node, _NT.type, _iri(spec.subtypes.get(record.values.get("type"), spec.rdf_class)))
        self.add(node, _NT.identifier, _literal(record.id))
        self.compile_labels()
        for fld in spec.fields:
            if fld.name in _SPECIAL_FIELDS or fld.name not in record.values:
                continue
            values = record.values[fld.name] if fld.many else [record.values[fld.name]]
            for position, value in enumerate(values, start=1):
                self.compile_value(fld, value, position)
        if spec.needs_evidence and "epistemic_status" not in record.values:
            self.add(node, _NT.epistemic_status, _NT.stated)
        for truthy in spec.truthy:
            self.compile_truthy(truthy)
        self.compile_evidence()

    def compile_labels(self) -> None:
        values = self.record.values
        if "label" in values:
            self.add(self.node, _NT.label, _literal(values["label"], lang="en"))
            self.add(self.node, _NT.pref_label, _literal(values["label"], lang="en"))
        for language, names in sorted(values.get("labels", {}).items()):
            preferred, *others = [names] if isinstance(names, str) else names
            self.add(self.node, _NT.pref_label, _literal(preferred.strip(), lang=language))
            for name in others:
                self.add(self.node, _NT.alt_label, _literal(name.strip(), lang=language))

    def compile_value(self, fld, value, position: int) -> None:
        if fld.type == STRENGTHS:
            statement = self.minted(f"{fld.name.rstrip('s')}/{position}")
            self.add(self.node, _iri(fld.predicate), statement)
            self.add(statement, _NT.type, _NT.strength if fld.name == "strengths" else _NT.constraint)
            self.add(statement, _NT.label, _literal(value, lang="en"))
            self.add(statement, _NT.order, _literal(position))
        elif fld.name == "amount":
            amount = self.minted("amount")
            self.add(self.node, _NT.amount, amount)
            self.add(amount, _NT.type, _NT.monetary_amount)
            self.add(amount, _NT.value, _literal(value))
            self.add(amount, _NT.currency, _literal(self.record.values["currency"]))
        else:
            self.add(self.node, _iri(fld.predicate), self.term(fld, value))
            if fld.scheme:
                self.compile_identifier(fld, value)

    def compile_identifier(self, fld, value) -> None:
        """A code of a standard scheme as schema.org writes one: a ``PropertyValue`` naming
        its scheme, the object of ``schema:identifier``."""
        identifier = self.minted(f"identifier/{fld.name.replace('_', '-')}")
        self.add(self.node, _NT.identifier_of, identifier)
        self.add(identifier, _NT.type, _NT.property_value)
        self.add(identifier, _NT.property_id, _literal(fld.scheme))
        self.add(identifier, _NT.value, _literal(value))

    def term(self, fld, value):
        if fld.type == REF:
            # A field may take a concept of a vocabulary or a record; the concept wins, as in
            # the checker (``kgraph.load``).
            if any(value in self.vocabularies.get(kind, ()) for kind in fld.targets
                   if kind in VOCABULARIES):
                return _iri(SPV[value])
            return _entity(value)
        if fld.type in (YEAR, INTEGER):
            return _literal(int(value))
        if fld.type == DECIMAL:
            return _literal(Decimal(value))
        if fld.type == DATE:
            return _literal(value.isoformat() if isinstance(value, dt.date) else value, _NT.date)
        if fld.type == BOOLEAN:
            return _literal(value)
        if fld.type == WIKIDATA:
            return _iri(WD[value])
        if fld.name in ("alt_labels", "variants"):
            return _literal(value, lang="en")
        return _literal(value)

    def compile_truthy(self, truthy) -> None:
        values = self.record.values
        if truthy.pairwise:
            parties = [_entity(p) for p in values.get(truthy.subject, [])]
            for a in parties:
                for b in parties:
                    if a != b:
                        self.add(a, _iri(truthy.predicate), b)
            return
        if truthy.subject in values and truthy.object in values:
            self.add(_entity(values[truthy.subject]), _iri(truthy.predicate),
                     _entity(values[truthy.object]))

    def compile_evidence(self) -> None:
        """Link the record to its sources and, where quoted, to a quotation node per quote.

        A general reference (country codes) is cited without a quote, so it gets the source
        link only.
        """
        quoted = 0
        for position, evidence in enumerate(self.record.evidence, start=1):
            source = _entity(evidence.source)
            self.add(self.node, _NT.source, source)
            if not evidence.quote:
                continue
            quoted += 1
            quotation = self.minted(f"evidence/{position}")
            self.add(self.node, _NT.evidence, quotation)
            self.add(quotation, _NT.type, _NT.quotation)
            self.add(quotation, _NT.quoted_from, source)
            self.add(quotation, _NT.quote, _literal(evidence.quote))
            # Queries show a fact's first quote: "sp:order 1" finds it on any engine.
            self.add(quotation, _NT.order, _literal(quoted))
