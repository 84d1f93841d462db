"""Store stage: where the graph lives, in memory, in an on-disk Oxigraph store, or in any
SPARQL 1.1 engine, behind the same commands.

``--store memory`` (the default) compiles the data folders on every command: right for the
bundled data. ``--store oxigraph:DIR`` keeps the compiled graph in an embedded, persistent
Oxigraph store: ``kgraph build`` loads it once with Oxigraph's bulk loader and later commands
open it without rebuilding. ``--store sparql:URL`` puts the graph in a SPARQL 1.1 engine
(Virtuoso, Fuseki, GraphDB, QLever, the Oxigraph server): ``build`` uploads it into one
named graph, in batches of SPARQL Update, or of N-Triples through the engine's Graph Store
Protocol endpoint when one is given (many times faster), and every query runs on the engine
against that graph.

Every store answers the same three questions: run this SPARQL (``evaluate``), how many
triples do you hold (``triple_count``), and give me all of it as an rdflib graph
(``rdflib_graph``, for exports and validation of what is stored). The network stage needs
only ``evaluate``: it fetches the rows it projects, never the whole graph.

Credentials for a remote store come from options or the environment
(``KGRAPH_STORE_USER``, ``KGRAPH_STORE_PASSWORD``), never from a command-line literal that
would land in shell history.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import gc
import itertools
import os
import re
import shutil
import signal
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from .errors import InputError, QueryError, QueryTimeout
from .namespaces import DATA_GRAPH, PREFIXES
from .progress import Progress
from .query import QueryResult, answer_of, first_rows, prepare

#: The named graph a remote store keeps the soft-power graph in.
GRAPH_IRI = DATA_GRAPH
#: Triples per SPARQL Update request when uploading to a remote store (Virtuoso refuses
#: requests whose generated SQL passes 10,000 lines, at a few thousand triples).
UPLOAD_BATCH = 1000
#: Bytes of N-Triples per Graph Store Protocol request: Virtuoso 7 resets the connection on a
#: request body of 4 MB (2 MB pass).
GRAPH_STORE_BATCH = 2_000_000
SPEC_HELP = "memory, oxigraph:DIR or sparql:QUERY_URL"


def open_store(spec: str, *, update_url: str | None = None, graph_store_url: str | None = None,
               user: str | None = None, password: str | None = None, create: bool = False):
    """The store a ``--store`` value names."""
    kind, _, location = spec.partition(":")
    if kind == "memory" and not location:
        return None
    if kind == "oxigraph" and location:
        return OxigraphStore(Path(location), target=create)
    if kind == "sparql" and location:
        return SparqlStore(location, update_url or os.environ.get("KGRAPH_STORE_UPDATE_URL"),
                           user or os.environ.get("KGRAPH_STORE_USER"),
                           password or os.environ.get("KGRAPH_STORE_PASSWORD"),
                           graph_store_url or os.environ.get("KGRAPH_STORE_GRAPH_STORE_URL"))
    raise InputError(f"--store '{spec}' is not a store; expected {SPEC_HELP} "
                     "(e.g. oxigraph:build/store or sparql:http://127.0.0.1:7878/query).")


def open_source(spec: str, data_folders=None, statuses=None, **store_options):
    """What a command reads: the data folders compiled in memory (a ``KnowledgeGraph``, only
    the facts of ``statuses`` if given), or the store ``spec`` names, which already holds a
    built graph: its facts are those it was built with, so ``statuses`` is refused there."""
    from .statuses import checked_statuses

    store = open_store(spec, **store_options)
    if store is None:
        from .build import load_graph

        return load_graph(data_folders, statuses)
    if checked_statuses(statuses):
        raise InputError(f"--status selects facts as the data folders are compiled; the store "
                         f"{store.spec} holds the graph it was built with. Build a store of those "
                         f"facts (kgraph build --store SPEC --status ...), or leave out --status.")
    return store


def rdf_graph_of(source) -> Graph:
    """The whole graph as rdflib holds it: for exports and counts."""
    return source.graph if hasattr(source, "graph") else source.rdflib_graph()


def queryable(source):
    """What ``kgraph.query`` runs on: the rdflib graph of a compiled source, or the store."""
    return source.graph if hasattr(source, "graph") else source


# --- embedded on-disk Oxigraph -----------------------------------------------------------------

#: The phases of a build into an on-disk store, in order: the lock taken, records loading
#: into the staging store, the staging store valid and the outputs staged, the previous store
#: moved aside, the new one in its place, the previous one removed, the outputs in place.
BUILD_PHASES = ("locked", "loading", "validated", "retired", "swapped", "cleaned", "committed")
#: Seconds a reader waits for a store that a running build is putting back or in place.
SWAP_WAIT = 10.0


def reached(phase: str) -> None:
    """Mark a phase of a build (``BUILD_PHASES``). For crash tests: with the environment
    variable ``KGRAPH_PAUSE_AT`` set to the phase, the process stops itself (SIGSTOP) there,
    for the test to kill it (SIGKILL) or let it go on (SIGCONT)."""
    if os.environ.get("KGRAPH_PAUSE_AT") == phase and phase not in _paused:
        _paused.add(phase)  # once: a phase reached file after file stops at the first
        os.kill(os.getpid(), signal.SIGSTOP)


_paused: set[str] = set()


class StoreBusy(InputError):
    """Another build holds the store's lock."""


@dataclass
class OxigraphStore:
    """An embedded, persistent Oxigraph store in a folder ``DIR``.

    ``kgraph build`` fills it through :mod:`kgraph.bulk`, holding a lock on it
    (:meth:`locked_for_build`, an OS file lock on ``.DIR.lock`` beside it, which the kernel
    releases if the build dies): a second build at once is refused, or waits. The build fills
    a staging store ``.DIR.staging`` beside it, which replaces it (:meth:`replace_with`) once
    the data is valid: ``DIR`` is renamed ``.DIR.old``, the staging store renamed ``DIR``,
    ``.DIR.old`` removed. A build killed between the two renames leaves no ``DIR``; the next
    command puts ``.DIR.old`` back, so that whatever happens, ``DIR`` holds the previous store
    or the new one. Readers open it read-only, so that several commands (and a running
    ``kgraph serve``) can read it while a build fills the staging store.

    ``create``: a new store to fill (a build's staging store), opened for writing.
    ``target``: the store a build will replace, which need not exist yet.
    """

    path: Path
    create: bool = False
    target: bool = False

    def __post_init__(self):
        # The folder itself, through any symbolic link: the lock, staging and retired stores
        # sit beside the store, not beside a link to it.
        self._folder = Path(os.path.realpath(self.path))
        self._lock = None
        if not (self.create or self.target):
            self._find()

    def _beside(self, suffix: str) -> Path:
        return self._folder.with_name(f".{self._folder.name}.{suffix}")

    def _find(self) -> None:
        """Make sure the store is there: put back the previous store of a build killed while
        swapping, or wait for a running build to finish its swap."""
        deadline = time.monotonic() + SWAP_WAIT
        while not self._folder.is_dir() and self._beside("old").is_dir():
            if self._restore_retired() or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if not self._folder.is_dir():
            raise InputError(f"No Oxigraph store at '{self.path}'. Build one first: "
                             f"kgraph build --store oxigraph:{self.path}")

    def _restore_retired(self) -> bool:
        """Rename ``.DIR.old`` back to ``DIR`` if no build holds the lock; False if one does
        (it puts the store back itself, or is about to finish its swap)."""
        try:
            with open(self._beside("lock"), "a", encoding="utf-8") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                if not _same_file(handle, self._beside("lock")):
                    return False  # removed by a build as it ended: look again
                self._recover()
                return True
        except OSError:
            return False  # no right to write beside the store: leave it to the next build

    @contextlib.contextmanager
    def locked_for_build(self, wait: bool = False, on_wait=None):
        """Hold the store's build lock for the block. Another build holding it: raise
        :class:`StoreBusy`, or with ``wait`` call ``on_wait(message)`` and wait for it. Once
        locked, what a killed build left is cleaned up. A build that leaves no store (the
        first one failed) removes the lock file too."""
        self._folder.parent.mkdir(parents=True, exist_ok=True)
        handle = self._lock_file(wait, on_wait)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\t{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.flush()
            self._recover()
            self._refuse_to_replace_other_data()
            self._lock = handle
            reached("locked")
            yield self
        finally:
            self._lock = None
            if not self._folder.exists():
                self._beside("lock").unlink(missing_ok=True)
            handle.close()

    def _lock_file(self, wait: bool, on_wait):
        """The lock file, opened and locked. A build that waited on a file its holder then
        removed locks the file of that name anew, so that two builds never hold two files."""
        while True:
            handle = open(self._beside("lock"), "a+", encoding="utf-8")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _lock_holder(handle)
                if not wait:
                    handle.close()
                    raise StoreBusy(
                        f"The store '{self.path}' is being built by {holder}; two builds at "
                        "once would overwrite each other. Wait for it to finish, or give this "
                        "build --wait to start as soon as it has.") from None
                if on_wait:
                    on_wait(f"waiting for {holder} to finish building '{self.path}'")
                    on_wait = None
                fcntl.flock(handle, fcntl.LOCK_EX)
            if _same_file(handle, self._beside("lock")):
                return handle
            handle.close()

    def _recover(self) -> None:
        """Under the lock: put back the previous store of a build killed between its two
        renames, and remove what killed builds left (a retired store, a staging store)."""
        retired = self._beside("old")
        if not self._folder.exists() and retired.is_dir():
            os.rename(retired, self._folder)
            _sync_folder(self._folder.parent)
        shutil.rmtree(retired, ignore_errors=True)
        shutil.rmtree(self._beside("staging"), ignore_errors=True)

    def _refuse_to_replace_other_data(self) -> None:
        """A build replaces a store, or an empty folder: never a folder of something else
        given by mistake (``--store oxigraph:.``)."""
        folder = self._folder
        if not folder.exists():
            return
        is_store = (folder / "CURRENT").is_file() and any(folder.glob("MANIFEST-*"))
        if not folder.is_dir() or not (is_store or not any(folder.iterdir())):
            raise InputError(f"'{self.path}' exists and is not an Oxigraph store; a build "
                             "replaces only a store (or an empty folder). Give --store "
                             "oxigraph: a new folder.")

    @contextlib.contextmanager
    def staging(self):
        """A new, empty store ``.DIR.staging`` to fill under the lock; removed if the block
        fails (the store stays as it was)."""
        if self._lock is None:
            raise RuntimeError("a staging store needs the build lock (locked_for_build)")
        path = self._beside("staging")
        shutil.rmtree(path, ignore_errors=True)
        staged = OxigraphStore(path, create=True)
        try:
            yield staged
        except BaseException:
            staged.close()
            shutil.rmtree(path, ignore_errors=True)
            raise

    @functools.cached_property
    def store(self):
        """The Oxigraph store, opened on first use (a build opens only its staging store)."""
        import pyoxigraph

        try:
            if self.create:
                return pyoxigraph.Store(str(self._folder))
            try:
                return pyoxigraph.Store.read_only(str(self._folder))
            except OSError:
                if self._folder.is_dir():
                    raise
                self._find()  # renamed away by a build's swap just now: open what it put there
                return pyoxigraph.Store.read_only(str(self._folder))
        except OSError as exc:
            raise InputError(f"'{self.path}' is not an Oxigraph store that can be opened "
                             f"({' '.join(str(exc).split())}). Build one with: "
                             f"kgraph build --store oxigraph:{self.path}") from None

    @property
    def spec(self) -> str:
        return f"oxigraph:{self.path}"

    @property
    def folder(self) -> Path:
        """The store's folder, through any symbolic link."""
        return self._folder

    def files(self, ignore: tuple[str, ...] = ()) -> list[tuple[str, int]]:
        """The names and sizes of the files Oxigraph keeps the store in, except its info logs
        and lock and the files named in ``ignore``. Oxigraph (RocksDB) never rewrites a data
        file in place: any change to the store adds files or grows its write-ahead log and
        manifest, and reading it changes none, so the same list means the same store."""
        return sorted((entry.name, entry.stat().st_size) for entry in os.scandir(self._folder)
                      if entry.is_file() and not entry.name.startswith(("LOG", "LOCK"))
                      and entry.name not in ignore)

    def close(self) -> None:
        """Release the store's folder (Oxigraph closes it when its last reference goes)."""
        self.__dict__.pop("store", None)
        gc.collect()

    def replace_with(self, staged: "OxigraphStore") -> None:
        """Put a filled staging store in this store's place, under the build lock: the old
        store renamed aside, the staging store renamed into place, the old one removed."""
        if self._lock is None:
            raise RuntimeError("replacing a store needs its build lock (locked_for_build)")
        staged.close()
        self.close()
        retired = self._beside("old")
        if self._folder.exists():
            os.rename(self._folder, retired)
            reached("retired")
        os.rename(staged._folder, self._folder)
        _sync_folder(self._folder.parent)
        reached("swapped")
        shutil.rmtree(retired, ignore_errors=True)
        reached("cleaned")

    def dump(self, output, fmt: str = "turtle"):
        """Write the store in an RDF format, streamed by Oxigraph, to a path (atomically) or
        a binary stream.

        Oxigraph writes in the order of its index, keyed by a hash of each term: the same
        triples always give the same bytes, whatever the order they were loaded in. TriG
        and JSON-LD go through ``kgraph.export.write_rdf`` (named graphs, ``@type``), JSON-LD
        a subject at a time.
        """
        import pyoxigraph

        from .export import JSON_LD_FORMATS, check_format, oxigraph_format, prefix_map, write_rdf
        from .files import atomic_path

        check_format(fmt)

        def write(target):
            if fmt in JSON_LD_FORMATS or fmt == "trig":
                triples = self._triples_by_subject() if fmt in JSON_LD_FORMATS else self._triples()
                write_rdf(triples, fmt, target)
            else:
                self.store.dump(target, format=oxigraph_format(fmt), from_graph=pyoxigraph.DefaultGraph(),
                                prefixes=prefix_map())

        if not isinstance(output, (str, Path)):
            write(output)
            return output
        with atomic_path(output) as temporary:
            write(str(temporary))
        return Path(output)

    def _triples(self):
        import pyoxigraph

        return (quad.triple for quad in
                self.store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))

    def _triples_by_subject(self):
        """The triples a subject at a time, subjects in SPARQL order: each subject is looked
        up in the store's subject index."""
        import pyoxigraph

        default = pyoxigraph.DefaultGraph()
        for solution in self.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s"):
            for quad in self.store.quads_for_pattern(solution[0], None, None, default):
                yield quad.triple

    def evaluate(self, text: str, bindings: dict | None = None, timeout: float | None = None,
                 origin: str = "query", limit: int | None = None,
                 memory_limit: int | None = None) -> QueryResult:
        from .query import evaluate_in_oxigraph

        return evaluate_in_oxigraph(self.store, text, bindings or {}, origin, timeout, limit,
                                    memory_limit)

    def triple_count(self) -> int:
        return len(self.store)

    def rdflib_graph(self) -> Graph:
        import pyoxigraph

        return Graph().parse(data=self.store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES,
                                                  from_graph=pyoxigraph.DefaultGraph()),
                             format="nt")


def _lock_holder(handle) -> str:
    """Who holds a store's lock, as its lock file says: process and start time."""
    handle.seek(0)
    pid, _, started = handle.read().strip().partition("\t")
    return f"kgraph build (process {pid}, started {started})" if pid.isdigit() else "another kgraph build"


def _same_file(handle, path: Path) -> bool:
    """Whether an open file is still the one at ``path`` (not removed or replaced since)."""
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def _sync_folder(folder: Path) -> None:
    """Write a folder's entries (a rename in it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- any SPARQL 1.1 engine ---------------------------------------------------------------------

@dataclass
class SparqlStore:
    """A SPARQL 1.1 engine reached over the SPARQL protocol; the graph lives in ``GRAPH_IRI``."""

    query_url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    #: The engine's SPARQL 1.1 Graph Store Protocol endpoint, for uploads.
    graph_store_url: str | None = None

    def __post_init__(self):
        handlers = []
        if self.user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.query_url, self.update_url or self.query_url, self.graph_store_url} - {None}:
                passwords.add_password(None, url, self.user, self.password or "")
            # Basic or Digest, whichever the engine asks for (Virtuoso wants Digest).
            handlers += [_AnsweringDigestAuth(passwords), _AnsweringBasicAuth(passwords)]
        self.opener = urllib.request.build_opener(*handlers)

    @property
    def spec(self) -> str:
        return f"sparql:{self.query_url}"

    def load(self, source: OxigraphStore, quiet: bool = False) -> int:
        """Replace the named graph's content with what an Oxigraph store holds (a build's
        staging store), read as it streams: in N-Triples batches through the Graph Store
        Protocol when the engine's endpoint for it is known, else in SPARQL Update batches."""
        import pyoxigraph

        quads = source.store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())
        statements = ((f"{quad.subject} {quad.predicate} {quad.object} .",
                       isinstance(quad.subject, pyoxigraph.BlankNode) or isinstance(quad.object, pyoxigraph.BlankNode))
                      for quad in quads)
        progress = Progress(f"uploading to {self.graph_store_url or self.query_url}",
                            source.triple_count(), quiet)
        if self.graph_store_url:
            self._upload_by_graph_store(statements, progress)
        else:
            self._upload_by_update(statements, progress)
        progress.finish()
        return self.triple_count()

    def _upload_by_update(self, statements, progress: Progress) -> None:
        self.update(f"CLEAR SILENT GRAPH <{GRAPH_IRI}>")
        # Blank nodes (the OWL axioms' lists) go in one INSERT ... WHERE {} request of their
        # own, where one label is one node: engines such as Virtuoso refuse them in INSERT DATA.
        with_blanks = []
        while batch := list(itertools.islice(statements, UPLOAD_BATCH)):
            plain = [text for text, blank in batch if not blank]
            with_blanks += [text for text, blank in batch if blank]
            if plain:
                self.update(f"INSERT DATA {{ GRAPH <{GRAPH_IRI}> {{\n" + "\n".join(plain) + "\n} }")
            progress.advance(len(batch))
        if with_blanks:
            self.update(f"INSERT {{ GRAPH <{GRAPH_IRI}> {{\n" + "\n".join(with_blanks) + "\n} } WHERE {}")

    def _upload_by_graph_store(self, statements, progress: Progress) -> None:
        """The first batch replaces the graph (PUT), the next ones add to it (POST). A
        document's blank-node labels name nodes of that document only, so every triple with a
        blank node goes in the last one."""
        if self.user:
            self._meet_the_challenge()
        method, batch, size, with_blanks = "PUT", [], 0, []
        for text, blank in statements:
            if blank:
                with_blanks.append(text)
                continue
            batch.append(text)
            size += len(text) + 1
            if size >= GRAPH_STORE_BATCH:
                self._send_triples(method, batch)
                progress.advance(len(batch))
                method, batch, size = "POST", [], 0
        if batch or method == "PUT":
            self._send_triples(method, batch)
            method = "POST"
        if with_blanks:
            self._send_triples(method, with_blanks)
        progress.advance(len(batch) + len(with_blanks))

    @property
    def _graph_document_url(self) -> str:
        """The named graph as a document of the Graph Store Protocol endpoint."""
        return f"{self.graph_store_url}?{urllib.parse.urlencode({'graph': GRAPH_IRI})}"

    def _meet_the_challenge(self) -> None:
        """A request without a body first, so that the engine's authentication challenge is
        answered before any request carries a batch (see ``_AnsweringDigestAuth``)."""
        try:
            self._send(urllib.request.Request(self._graph_document_url, method="HEAD"), 60, "upload")
        except QueryError:
            pass  # e.g. 404 for a graph not there yet: the challenge was answered all the same

    def _send_triples(self, method: str, lines: list[str]) -> None:
        # As Turtle, of which N-Triples is a part: Virtuoso 7 does not know N-Triples' type.
        body = "".join(line + "\n" for line in lines).encode("utf-8")
        request = urllib.request.Request(self._graph_document_url, data=body, method=method,
                                         headers={"Content-Type": "text/turtle"})
        self._send(request, 600, "upload")

    def update(self, text: str) -> None:
        url = self.update_url or self.query_url
        data = urllib.parse.urlencode({"update": text}).encode("utf-8")
        request = urllib.request.Request(url, data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        self._send(request, 600, "update")

    def evaluate(self, text: str, bindings: dict | None = None, timeout: float | None = None,
                 origin: str = "query", limit: int | None = None,
                 memory_limit: int | None = None) -> QueryResult:
        """Run a checked query (``kgraph.query.execute`` checks it) on the engine; parameters
        become a VALUES block of serialised terms. ``limit`` keeps the first rows (the first
        triples in sorted order) of the engine's whole answer. The engine's memory is its
        own: a ``memory_limit`` is refused."""
        if memory_limit is not None:
            raise QueryError(f"{origin}: --max-memory limits the queries kgraph evaluates itself; "
                             f"the SPARQL engine at {self.query_url} sets its own limits.")
        form = prepare(text, origin).algebra.name
        text = with_values(text, bindings or {})
        accept = ("text/turtle" if form in ("ConstructQuery", "DescribeQuery")
                  else "application/sparql-results+json")
        parameters = urllib.parse.urlencode({"query": _with_prefixes(text),
                                             "default-graph-uri": GRAPH_IRI})
        request = urllib.request.Request(f"{self.query_url}?{parameters}",
                                         headers={"Accept": accept})
        payload, headers = self._send(request, timeout, origin)
        if form in ("ConstructQuery", "DescribeQuery"):
            result = QueryResult("graph", graph=Graph().parse(data=payload, format="turtle"))
        else:
            result = parse_json_results(payload, f"{origin}: the SPARQL engine at {self.query_url}")
        self._refuse_cut_answer(result, headers.get("X-SPARQL-MaxRows"), origin)
        return first_rows(result, limit)

    def _refuse_cut_answer(self, result: QueryResult, cap: str | None, origin: str) -> None:
        """An answer the engine cut at its row limit is an error: a query or a network built
        from part of the rows would be wrong without a sign. Virtuoso cuts at its
        ResultSetMaxRows (10,000 in Debian's configuration) and says so only in this header."""
        if cap and cap.isdigit() and result.size >= int(cap):
            raise QueryError(
                f"{origin}: the SPARQL engine at {self.query_url} cut its answer at {cap} rows "
                "(X-SPARQL-MaxRows), and kgraph reads whole answers. Raise the engine's row "
                "limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini).")

    def triple_count(self) -> int:
        result = self.evaluate("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(result.rows[0][0])

    def rdflib_graph(self) -> Graph:
        return self.evaluate("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph

    def _send(self, request, timeout, origin) -> tuple[bytes, dict]:
        """The engine's answer and its headers; errors name the endpoint the request went to
        (query, update or Graph Store Protocol)."""
        endpoint = request.full_url.split("?")[0]
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())[:500]
            raise QueryError(f"{origin}: the SPARQL engine at {endpoint} "
                             f"answered {exc.code} {exc.reason}: {detail}") from None
        except (socket.timeout, TimeoutError):
            raise QueryTimeout(f"{origin}: stopped after {timeout:g} seconds (--timeout).") from None
        except urllib.error.URLError as exc:
            raise InputError(f"Cannot reach the SPARQL engine at {endpoint}: {exc.reason}.") from None


class _AnsweringDigestAuth(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that answers the engine's last challenge up front, on every
    request after the first. urllib alone sends each request without it, gets a 401 and
    sends it again: every upload twice, and Virtuoso answers the 401 before it has read a
    large body and closes the connection (a broken pipe, seen on a 1 MB upload)."""

    challenge: dict | None = None

    def get_authorization(self, req, chal):
        self.challenge = chal  # urllib passes the challenge it has parsed from the 401
        return super().get_authorization(req, chal)

    def http_request(self, req):
        if self.challenge and not req.has_header(self.auth_header):
            answer = self.get_authorization(req, self.challenge)
            if answer:
                req.add_unredirected_header(self.auth_header, f"Digest {answer}")
        return req

    https_request = http_request


class _AnsweringBasicAuth(urllib.request.HTTPBasicAuthHandler):
    """Basic authentication sent up front once the engine has asked for it, for the same
    reason; never before, so that an engine that wants Digest never sees the password."""

    asked = False

    def retry_http_basic_auth(self, host, req, realm):
        self.asked = True
        return super().retry_http_basic_auth(host, req, realm)

    def http_request(self, req):
        if self.asked and not req.has_header(self.auth_header):
            user, password = self.passwd.find_user_password(None, req.full_url)
            if password is not None:
                token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
                req.add_unredirected_header(self.auth_header, f"Basic {token}")
        return req

    https_request = http_request


def _with_prefixes(text: str) -> str:
    """The project prefixes declared before the query, for queries that rely on them."""
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([\w-]*):", text, re.IGNORECASE)}
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items())
                       if p.lower() not in declared)
    return prologue + text


def with_values(text: str, bindings: dict) -> str:
    """The query with each parameter as a VALUES block opening every group of the pattern
    that uses it.

    The SPARQL protocol has no way to pass bindings. Fixing the variable in every group that
    names it (the WHERE clause, a UNION branch, an OPTIONAL, a subquery's WHERE) means what
    Oxigraph's substitution (SEP-0007) means, and every engine agrees on it: with the block in
    the outer WHERE clause only, Virtuoso 7 drops rows of UNION branches that match the
    variable through a property path; in groups that do not name it, it estimates a cross
    product and refuses the query. The terms are serialised by rdflib (IRIs the graph holds,
    escaped literals), so a value never becomes query syntax. A parameter bound to several
    terms (a list or set) keeps the rows of each (``kgraph.query.run_for``).
    """
    if not bindings:
        return text
    masked = _masked(text)
    where = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE)
    if where is None:
        raise QueryError("A parameterised query needs a WHERE clause.")
    pieces, last = [], 0
    for match in _GROUP_OPENING.finditer(masked, where.start()):
        start = match.end()
        if _SUBSELECT.match(masked, start):
            continue
        group = masked[start:_closing_brace(masked, start)]
        values = " ".join(f"VALUES ?{name} {{ {_terms(term)} }}" for name, term in sorted(bindings.items())
                          if re.search(rf"[?$]{re.escape(name)}\b", group))
        if values:
            pieces += [text[last:start], f" {values} "]
            last = start
    return "".join(pieces) + text[last:]


def subquery(text: str, head: str) -> str:
    """The subquery of ``text`` that opens with ``head`` (``SELECT DISTINCT ?actor ?agent``),
    as a query of its own with the prologue (prefixes) of ``text``: one step of a query, to
    run alone where an engine plans the whole badly."""
    masked = _masked(text)
    start = masked.find(head)
    opening = masked.rfind("{", 0, start)
    if start < 0 or opening < 0:
        raise QueryError(f"The query has no subquery opening with {head!r}.")
    prologue = re.match(r"(?:\s|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^:\s]*:\s*<[^>]*>)*", text, re.IGNORECASE).group(0)
    return prologue + text[start:_closing_brace(masked, opening + 1)]


def _terms(value) -> str:
    """One term, or several (a list or set, in sorted order), as the data of a VALUES block."""
    terms = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    return " ".join(sorted(term.n3() for term in terms))


def _closing_brace(masked: str, start: int) -> int:
    """The position of the brace that closes the group opened just before ``start``."""
    depth = 1
    for position in range(start, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[position], 0)
        if depth == 0:
            return position
    return len(masked)


#: Strings, IRIs and comments, whose braces and keywords are not syntax.
_NOT_SYNTAX = re.compile("|".join([
    r"'''.*?'''", r'""".*?"""',                      # long strings
    r"'(?:[^'\\\n]|\\.)*'", r'"(?:[^"\\\n]|\\.)*"',  # strings
    r"<[^<>\"{}|^`\\\s]*>",                          # IRIs
    r"#[^\n]*",                                      # comments
]), re.DOTALL)
#: A brace that opens a group graph pattern: after WHERE, UNION, OPTIONAL, MINUS, EXISTS, or
#: where a nested group may start; not the data block of a VALUES clause.
_GROUP_OPENING = re.compile(r"(?:\b(?:WHERE|UNION|OPTIONAL|MINUS|EXISTS)|[{}.])\s*\{", re.IGNORECASE)
_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def _masked(text: str) -> str:
    """The text with strings, IRIs and comments blanked out, positions unchanged."""
    return _NOT_SYNTAX.sub(lambda match: " " * len(match.group(0)), text)


def parse_json_results(payload: bytes, origin: str = "SPARQL results") -> QueryResult:
    """SPARQL 1.1 JSON results (and Virtuoso's older "typed-literal"), read by Oxigraph's
    parser into its terms, as the on-disk store gives them: making an rdflib term of every
    value took longer than the engine's answer on listings of thousands of rows."""
    import pyoxigraph

    try:
        return answer_of(pyoxigraph.parse_query_results(payload, format=pyoxigraph.QueryResultsFormat.JSON))
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"{origin} answered results that are not SPARQL JSON: "
                         f"{' '.join(str(exc).split())[:300]}") from None

