"""Bulk build: the data folders straight into an on-disk Oxigraph store, file by file.

The in-memory build (``kgraph.build``) holds every record and an rdflib graph, about 1.3 GB
per million triples. Building into an Oxigraph store needs neither: records are checked and
compiled one file at a time (``kgraph.load.RecordChecker`` keeps only their ids), and their
triples stream into Oxigraph's bulk loader. The store is filled in a staging folder beside
the target, so a build that fails (bad records, broken shapes) leaves the old store as it was.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .build import Origin, load_ontology, owner_iri, record_triples, vocabulary_ids
from .errors import InputError
from .export import sorted_triples
from .load import RecordChecker, data_files, data_folders
from .namespaces import SPR
from .store import OxigraphStore, Progress
from .terms import to_oxigraph


@dataclass
class BulkLoad:
    """What a bulk load leaves for validation and reports: the ids of the records (to say
    where a node was written) and the time spent reading and compiling them."""

    checker: RecordChecker
    turtle_origins: dict = field(default_factory=dict)
    compile_seconds: float = 0.0

    def origin(self, node) -> Origin | None:
        """Where a node was written: its record (or the record it was minted under), or the
        Turtle file whose subject it is."""
        record_iri = owner_iri(node)
        if record_iri is not None:
            record_id = str(record_iri)[len(SPR):]
            entry = self.checker.index.get(record_id)
            if entry is not None:
                return Origin(entry.file, entry.line, entry.kind, record_id)
        path = self.turtle_origins.get(str(node))
        return Origin(path, None) if path else None


@contextlib.contextmanager
def staging_store(target: OxigraphStore):
    """A fresh store in a folder beside ``target``; removed if the block fails."""
    path = target.path.with_name(f".{target.path.name}.staging")
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = OxigraphStore(path, create=True)
    try:
        yield staged
    except BaseException:
        staged.close()
        shutil.rmtree(path, ignore_errors=True)
        raise


def bulk_load(folders: list[Path] | None, store: OxigraphStore, quiet: bool = False) -> BulkLoad:
    """Check and compile the data folders into an empty store through Oxigraph's bulk loader;
    raise every problem of the records (``DataError``) once all files are read."""
    ontology = load_ontology()
    load = BulkLoad(RecordChecker(vocabulary_ids(ontology)))
    yaml_files, turtle_files = data_files(data_folders(folders))
    progress = Progress(f"loading {store.spec}", None, quiet)
    quads = _quads(sorted_triples(ontology), yaml_files, turtle_files, load, progress)
    store.store.bulk_extend(quads)
    store.store.flush()
    progress.finish()
    load.checker.finish()
    return load


def _quads(ontology_triples, yaml_files, turtle_files, load: BulkLoad, progress) -> Iterator:
    import pyoxigraph

    default = pyoxigraph.DefaultGraph()

    def quads(triples):
        progress.advance(len(triples))
        return [pyoxigraph.Quad(*(to_oxigraph(term) for term in triple), default)
                for triple in triples]

    yield from quads(ontology_triples)
    vocabularies = load.checker.vocabularies
    for path in yaml_files:
        started = time.perf_counter()
        records = load.checker.check_file(path)
        # Once a problem is found, the rest is still checked, so that every problem is
        # reported at once, but nothing more is compiled: a faulty record may lack fields.
        triples = [] if load.checker.problems else [
            triple for record in records for triple in record_triples(record, vocabularies)]
        batch = quads(triples)
        load.compile_seconds += time.perf_counter() - started
        yield from batch
    for number, path in enumerate(turtle_files, start=1):
        yield from _turtle_quads(path, number, load, progress)


def _turtle_quads(path: Path, number: int, load: BulkLoad, progress) -> Iterator:
    """The quads of a Turtle file of the data folders, parsed by Oxigraph as it streams.

    Oxigraph labels blank nodes at random; they are relabelled in the order they appear, so
    that the same file gives the same store and the same dump.
    """
    import pyoxigraph

    blanks: dict = {}

    def stable(term):
        if isinstance(term, pyoxigraph.BlankNode):
            return blanks.setdefault(term, pyoxigraph.BlankNode(f"t{number}b{len(blanks)}"))
        return term

    try:
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE,
                                     base_iri=path.resolve().as_uri()):
            subject = stable(quad.subject)
            if isinstance(subject, pyoxigraph.NamedNode):
                load.turtle_origins.setdefault(subject.value, path)
            progress.advance(1)
            yield pyoxigraph.Quad(subject, quad.predicate, stable(quad.object),
                                  pyoxigraph.DefaultGraph())
    except SyntaxError as exc:
        raise InputError(f"{path}: malformed Turtle: {exc.msg}. Expected a valid Turtle file "
                         "(https://www.w3.org/TR/turtle/).") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.reason}).") from None
