"""Bulk build: the data folders straight into an on-disk Oxigraph store, file by file.

The in-memory build (``kgraph.build``) holds every record and an rdflib graph, about 1.3 GB
per million triples. Building into an Oxigraph store needs neither: records are checked and
compiled one file at a time (``kgraph.load.RecordChecker`` keeps only their ids), and their
triples stream into Oxigraph's bulk loader. The store is filled in a staging folder beside
the target, under the store's build lock (``kgraph.store.OxigraphStore.locked_for_build``), so
a build that fails (bad records, broken shapes) leaves the old store as it was.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .build import (Origin, load_ontology, owner_iri, record_ntriples, standard_superclasses,
                    vocabulary_ids)
from .errors import InputError
from .export import sorted_triples
from .load import RecordChecker, data_files, data_folders, raw_records, read_ahead
from .namespaces import SPR
from .progress import Progress
from .statuses import StatusSelection, checked_statuses
from .store import OxigraphStore, reached
from .terms import to_oxigraph


@dataclass
class BulkLoad:
    """What a bulk load leaves for validation and reports: the ids of the records (to say
    where a node was written) and the time spent reading, checking and compiling the inputs,
    apart from the time of Oxigraph's loader."""

    checker: RecordChecker
    #: The standard superclasses of the ontology's classes (``kgraph.build.standard_superclasses``).
    superclasses: dict = field(default_factory=dict)
    turtle_origins: dict = field(default_factory=dict)
    reading_seconds: float = 0.0
    selection: StatusSelection | None = None

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


#: Records compiled into one piece of N-Triples text for the loader (a file may hold many more).
BATCH_RECORDS = 2000
#: Quads of a Turtle input per batch.
BATCH_QUADS = 50_000


def bulk_load(folders: list[Path] | None, store: OxigraphStore, quiet: bool = False,
              statuses=None) -> BulkLoad:
    """Check and compile the data folders into an empty store through Oxigraph's bulk loader;
    raise every problem of the records (``DataError``) once all files are read. With
    ``statuses``, only the facts of those epistemic statuses (``kgraph.statuses``): the
    files are then read twice, first for the ids and references the selection needs."""
    import pyoxigraph

    ontology = load_ontology()
    load = BulkLoad(RecordChecker(vocabulary_ids(ontology)), superclasses=standard_superclasses(ontology))
    record_files, turtle_files = data_files(data_folders(folders))
    load.selection = _selection(record_files, statuses)
    progress = Progress(f"loading {store.spec}", None, quiet)
    store.store.bulk_extend(_quads([tuple(to_oxigraph(term) for term in triple)
                                    for triple in sorted_triples(ontology)]))
    records = _TextStream(_timed(_record_ntriples(record_files, load), load, progress))
    with _without_cyclic_gc():
        store.store.bulk_load(input=io.BufferedReader(records, buffer_size=1 << 20),
                              format=pyoxigraph.RdfFormat.N_TRIPLES)
    for number, path in enumerate(turtle_files, start=1):
        quads = _turtle_quads(path, number, load)
        batches = iter(lambda: list(itertools.islice(quads, BATCH_QUADS)), [])
        store.store.bulk_extend(itertools.chain.from_iterable(_timed(batches, load, progress)))
    store.store.flush()
    # The loader leaves its sorted files side by side; merged once, every later query reads
    # fewer of them (at 1M triples 0.9 s here, and named queries about a third faster).
    store.store.optimize()
    progress.finish()
    load.checker.finish()
    return load


@contextlib.contextmanager
def _without_cyclic_gc():
    """Python's cycle collector paused while records stream: each of its full passes walks
    every id the checker keeps (690,000 at 10M triples), and reading 1M triples of JSON
    Lines took a quarter longer with it. Records and their texts hold no cycles; reference
    counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _timed(batches: Iterator, load: BulkLoad, progress) -> Iterator:
    """The batches (lists of quads or of N-Triples lines), the time spent making them
    counted apart from the loader's."""
    while True:
        started = time.perf_counter()
        batch = next(batches, None)
        load.reading_seconds += time.perf_counter() - started
        if batch is None:
            return
        progress.advance(len(batch))
        yield batch


def _selection(record_files: list[Path], statuses) -> StatusSelection | None:
    """The selection of ``statuses`` over the files' records (a first pass over them), or
    None when every status is kept."""
    kept = checked_statuses(statuses)
    if not kept:
        return None
    selection = StatusSelection(kept)
    for path, content in read_ahead(record_files):
        selection.learn(raw_records(path, content))
    return selection


def _record_ntriples(record_files: list[Path], load: BulkLoad) -> Iterator[list[str]]:
    """The N-Triples lines of the records, file by file, in batches of records."""
    vocabularies = load.checker.vocabularies
    for path, content in read_ahead(record_files):
        records = load.checker.check_file(path, content)
        # Once a problem is found, the rest is still checked, so that every problem is
        # reported at once, but nothing more is compiled: a faulty record may lack fields.
        if load.checker.problems:
            continue
        if load.selection is not None:
            records = load.selection.select(records)
        for start in range(0, len(records), BATCH_RECORDS):
            yield [line for record in records[start:start + BATCH_RECORDS]
                   for line in record_ntriples(record, vocabularies, load.superclasses)]
        reached("loading")


class _TextStream(io.RawIOBase):
    """Batches of N-Triples lines as a binary file, for Oxigraph's loader to read as they
    are made: the loader parses the text in Rust, without a Python object per triple."""

    def __init__(self, batches: Iterator[list[str]]):
        self.batches = batches
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            batch = next(self.batches, None)
            if batch is None:
                return 0
            self.pending = memoryview("".join(batch).encode("utf-8"))
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _quads(triples: list) -> list:
    """Triples of Oxigraph terms as quads of the default graph."""
    import pyoxigraph

    default = pyoxigraph.DefaultGraph()
    return [pyoxigraph.Quad(subject, predicate, obj, default) for subject, predicate, obj in triples]


def _turtle_quads(path: Path, number: int, load: BulkLoad) -> Iterator:
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
            yield pyoxigraph.Quad(subject, quad.predicate, stable(quad.object),
                                  pyoxigraph.DefaultGraph())
    except SyntaxError as exc:
        raise InputError(f"{path}: malformed Turtle: {exc.msg}. Expected a valid Turtle file "
                         "(https://www.w3.org/TR/turtle/).") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc.reason}).") from None
    except MemoryError:  # Oxigraph's parser holds a term in a buffer of at most 16 MiB
        raise InputError(f"{path}: a term of the file (a literal or an IRI) is longer than "
                         "16 MiB, the most the on-disk store's parser reads; expected texts of "
                         "a reasonable length (docs/data-format.md, \"Limits\").") from None
