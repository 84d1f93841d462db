"""Serve stage: a read-only SPARQL 1.1 Protocol endpoint over the graph.

Other tools (YASGUI, SPARQLWrapper, R's SPARQL package, Gephi's SemanticWeb importer, a
colleague's notebook) speak the SPARQL Protocol, not kgraph's Python API. ``kgraph serve``
answers them at ``/sparql``:

* queries by GET (``?query=``) and POST (a URL-encoded form, or the query as the body with
  ``Content-Type: application/sparql-query``);
* results chosen by the ``Accept`` header: SPARQL JSON, XML, CSV and TSV for SELECT and
  ASK, Turtle, JSON-LD, N-Triples and RDF/XML for CONSTRUCT and DESCRIBE;
* a SPARQL Service Description (Turtle) at ``GET /sparql`` without a query, and an offline
  query page at ``/`` (no script, style or font from anywhere else).

It is read-only and never reaches out of the graph: SPARQL Update is refused with 403;
SERVICE, LOAD and FROM (which would make the engine fetch URLs: a server-side request
forgery hole) are refused with 400 before anything is evaluated.

Every query, of every form, is parsed, checked, evaluated and written out in a worker
process of its own (:class:`kgraph.processes.Workers`), under the same limits: a time limit
(the worker is killed, 503), a memory limit (503), and a row cap (the worker reads no more
than it may send; ``X-SPARQL-MaxRows`` says when an answer was cut). The server process
only speaks HTTP, so whatever a query costs goes back to the system when its worker ends.
The connections are bounded too: how many at once, and how long one may take to send its
request or stay idle. Bound to a loopback address, the server answers only requests whose
``Host`` is a loopback name, so that a web page cannot reach it by DNS rebinding.

The server evaluates queries through a *query function* ``(text, limit) -> QueryResult``
that reads at most ``limit`` rows and raises :class:`~kgraph.errors.QueryError` for a query
it will not or cannot answer; :func:`query_function` makes one over an in-memory graph or a
store.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import ipaddress
import math
import re
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from .errors import InputError, QueryError, QueryTimeout
from .export import serialize, serialize_sorted, sorted_triples
from .processes import Workers, WorkerError, WorkerOutOfMemory, WorkerTimeout
from .query import (QueryResult, evaluate_in_oxigraph, first_rows, outside_data, oxigraph_store,
                    prepare)
from .results import serialize_results

#: What the server calls, in a worker, to answer a query: ``(text, limit) -> QueryResult``,
#: reading at most ``limit`` rows (or distinct triples).
QueryFunction = Callable[[str, "int | None"], QueryResult]

#: Media types of SELECT and ASK answers, in the order of preference when the client
#: accepts several: media type -> kgraph.results format.
SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: Media types of CONSTRUCT and DESCRIBE answers (and of the service description):
#: media type -> kgraph.export format.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
HTML_TYPE = "text/html"

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_FORMAT_IRIS = (FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML,
                FORMATS.SPARQL_Results_CSV, FORMATS.SPARQL_Results_TSV, FORMATS.Turtle,
                FORMATS["JSON-LD"], FORMATS["N-Triples"], FORMATS.RDF_XML)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")
#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost"})
#: The longest request line http.server reads (a GET query travels in it).
MAX_REQUEST_LINE = 65_536
#: Methods the endpoint answers.
ALLOWED_METHODS = "GET, HEAD, POST"


@dataclass(frozen=True)
class Limits:
    """What one request may cost: evaluation time, rows, query size, memory, queries at once;
    and what the connections may: how many at once, how long to send a request or stay idle."""

    timeout: float = 30.0
    max_rows: int = 10_000
    max_query_bytes: int = 65_536
    concurrent_queries: int = 4
    max_memory_mb: int = 1024
    idle_timeout: float = 10.0
    max_connections: int = 64

    def __post_init__(self):
        for name in ("timeout", "idle_timeout"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"Limits.{name} must be a finite number of seconds above 0, "
                                 f"not {value!r}.")
        for name in ("max_rows", "max_query_bytes", "concurrent_queries", "max_memory_mb",
                     "max_connections"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"Limits.{name} must be a whole number of at least 1, not {value!r}.")


class HttpError(Exception):
    """A request the endpoint answers with an error status and a message in plain text."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}

    def response(self) -> tuple:
        return self.status, "text/plain", (str(self) + "\n").encode("utf-8"), self.headers


def query_function(source) -> QueryFunction:
    """Queries over an rdflib graph or a store, evaluated as the server has checked them.

    What the workers share is made here, once, before they are forked: an rdflib graph is
    loaded into Oxigraph, an on-disk store opened.
    """
    from .store import OxigraphStore

    if isinstance(source, Graph):
        store = oxigraph_store(source)
        return lambda text, limit: evaluate_in_oxigraph(store, text, {}, "the query", limit=limit)
    if isinstance(source, OxigraphStore):
        source.store  # noqa: B018 (opened here, once, for every worker)
    return lambda text, limit: source.evaluate(text, {}, None, "the query", limit)


#: The forms of query whose answer is a graph.
GRAPH_FORMS = ("ConstructQuery", "DescribeQuery")


def answer_query(query: QueryFunction, limits: Limits, request: tuple) -> tuple:
    """What a worker does: the response to ``(query text, Accept header, form)`` as
    ``(status, media type, body, headers)``, with the query's form once it has been checked.

    The query is parsed and checked here, in the worker, because parsing too has a cost (a
    long query can keep rdflib's parser busy for many seconds). A form given is that of a
    query already checked: the text is evaluated at once. The form chooses the media type;
    at most ``max_rows + 1`` rows are read, to know whether the answer was cut.
    """
    text, accept, form = request
    try:
        form = form or _checked_form(text)
        offers = GRAPH_TYPES if form in GRAPH_FORMS else SOLUTION_TYPES
        media_type = negotiate(accept, list(offers))
        if media_type is None:
            raise _not_acceptable(offers)
        body, cut = written_answer(query(text, limits.max_rows + 1), media_type, limits.max_rows)
        headers = {"X-SPARQL-MaxRows": str(limits.max_rows)} if cut else {}
        return (HTTPStatus.OK, media_type, body, headers), form
    except HttpError as exc:
        return exc.response(), form
    except QueryTimeout as exc:
        return HttpError(HTTPStatus.SERVICE_UNAVAILABLE, str(exc)).response(), form
    except QueryError as exc:
        return HttpError(HTTPStatus.BAD_REQUEST, str(exc)).response(), form


def _checked_form(text: str) -> str:
    """The query's form (``SelectQuery``, ``ConstructQuery``, ...) once parsed, and refused
    (400) if it would read data from outside the graph."""
    parsed = prepare(text, "the query")
    found = outside_data(parsed)
    if found:
        raise HttpError(HTTPStatus.BAD_REQUEST,
                        f"The query would load data from outside the graph ({'; '.join(found)}). "
                        "This endpoint answers from its own graph only and fetches nothing "
                        "else: remove SERVICE, FROM and FROM NAMED.")
    return parsed.algebra.name


# --- HTTP ----------------------------------------------------------------------------------

class SparqlServer(ThreadingHTTPServer):
    """A threaded HTTP server: the query workers, the limits, and the connections it holds."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], query: QueryFunction, limits: Limits,
                 log: Callable[[str], None] | None = None,
                 host_names: frozenset[str] | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.limits = limits
        self.log = log
        #: Names a request's Host may give (IP addresses always pass); None: any name.
        self.host_names = host_names
        self.slots = threading.BoundedSemaphore(limits.concurrent_queries)
        self._checked = _CheckedQueries()
        self._closing = threading.Event()
        # rdflib's parser builds itself on its first query: once here, not in every worker.
        prepare("SELECT * WHERE { ?s ?p ?o }")
        # Forked first: while this process has one thread, and no listening socket to inherit.
        self.workers = Workers(functools.partial(answer_query, query, limits),
                               limits.max_memory_mb << 20)
        super().__init__(address, _Handler)  # on failure, closes the workers (server_close)
        self._pending = 0  # connections accepted whose handler has not started yet
        self._handlers: set[_Handler] = set()
        #: Guards the connections' count; notified when one ends.
        self._room = threading.Condition()
        threading.Thread(target=self._time_out_slow_requests, daemon=True,
                         name="kgraph-serve-timeouts").start()

    def run(self, text: str, accept: str | None) -> tuple:
        """The response to a query, from a worker, within the limits: wait for a free slot,
        then for the worker until the time limit."""
        limits = self.limits
        if not self.slots.acquire(timeout=limits.timeout):
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"The endpoint is busy: {limits.concurrent_queries} queries are "
                            "running. Try again shortly.", {"Retry-After": "1"})
        try:
            response, form = self.workers.run((text, accept, self._checked.get(text)),
                                              limits.timeout)
            self._checked.add(text, form)
            return response
        except WorkerTimeout:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"The query was stopped after {limits.timeout:g} seconds, this "
                            "endpoint's time limit (kgraph serve --timeout). Narrow it (a "
                            "LIMIT, fewer unbound patterns), or ask for more time.") from None
        except WorkerOutOfMemory:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"The query was stopped at {limits.max_memory_mb} MB of memory, this "
                            "endpoint's limit for one query (kgraph serve --max-memory). Narrow "
                            "it: ORDER BY, GROUP BY and DISTINCT over many rows hold them "
                            "all.") from None
        except WorkerError as exc:
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR,
                            f"Internal error in kgraph: the query's worker failed ({exc}).") from None
        finally:
            self.slots.release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"

    # -- connections ---------------------------------------------------------------------------
    def process_request(self, request, client_address):
        """Serve the connection in a thread of its own. With ``max_connections`` open, the one
        that has waited longest for its request is closed to make room (idle connections must
        not lock clients out); if every one is busy answering, the new one is refused (503)."""
        with self._room:
            if self._open_connections() >= self.limits.max_connections:
                waiting = [h for h in self._handlers if h.reading_since is not None]
                if waiting:
                    min(waiting, key=lambda handler: handler.reading_since).time_out()
                    self._room.wait_for(
                        lambda: self._open_connections() < self.limits.max_connections, 1.0)
            full = self._open_connections() >= self.limits.max_connections
            if not full:
                self._pending += 1
        if full:
            _refuse_connection(request, self.limits.max_connections)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def _open_connections(self) -> int:
        return self._pending + len(self._handlers)

    def started(self, handler: "_Handler") -> None:
        with self._room:
            self._pending -= 1
            self._handlers.add(handler)

    def finished(self, handler: "_Handler") -> None:
        with self._room:
            self._handlers.discard(handler)
            self._room.notify_all()

    def _time_out_slow_requests(self) -> None:
        """Close the reading side of every connection that has been waiting longer than
        ``idle_timeout`` for its request (idle, or sending it too slowly): its handler sees
        the request end, answers 408 if one was begun, and closes."""
        while not self._closing.wait(0.25):
            now = time.monotonic()
            with self._room:
                handlers = list(self._handlers)
            for handler in handlers:
                since = handler.reading_since
                if since is not None and now - since > self.limits.idle_timeout:
                    handler.time_out()

    def handle_error(self, request, client_address):
        """A connection that broke or timed out is not news; anything else is logged."""
        error = sys.exc_info()[1]
        if self.log and not isinstance(error, (ConnectionError, TimeoutError)):
            self.log(f"{client_address[0]} internal error: {error!r}")

    def server_close(self):
        self._closing.set()
        super().server_close()
        self.workers.close()


class _CheckedQueries:
    """The forms of the queries workers have parsed and found safe, by text, so that a query
    asked again is evaluated at once (a parse costs tens of milliseconds, often more than
    the evaluation); the most recent ones, short ones only."""

    max_entries = 1024
    max_length = 8192

    def __init__(self):
        self._forms: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> str | None:
        with self._lock:
            form = self._forms.get(text)
            if form:
                self._forms.move_to_end(text)
            return form

    def add(self, text: str, form: str | None) -> None:
        if form and len(text) <= self.max_length:
            with self._lock:
                self._forms[text] = form
                while len(self._forms) > self.max_entries:
                    self._forms.popitem(last=False)


def _refuse_connection(connection: socket.socket, limit: int) -> None:
    """A 503 written without waiting (the socket's buffer is empty), before closing."""
    body = (f"The endpoint is busy: {limit} connections are open, its limit (kgraph serve "
            "--max-connections). Try again shortly.\n").encode("utf-8")
    head = (f"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
    try:
        connection.setblocking(False)
        connection.send(head.encode("ascii") + body)
        connection.recv(MAX_REQUEST_LINE)  # what the client sent already, so that closing
    except OSError:                        # does not reset the connection before it reads
        pass


def make_server(query: QueryFunction, host: str = "127.0.0.1", port: int = 8000,
                limits: Limits = Limits(), log: Callable[[str], None] | None = None,
                allow_hosts: tuple[str, ...] = ()) -> SparqlServer:
    """A SPARQL endpoint bound to ``host:port`` (port 0: any free port); call
    ``serve_forever()`` on it, and ``server_close()`` to stop its workers. ``log`` receives
    one line per request. ``allow_hosts``: more names the ``Host`` header may give ("*":
    any), beyond the loopback names a loopback-bound server accepts."""
    try:
        return SparqlServer((host, port), query, limits, log, host_names(host, allow_hosts))
    except OSError as exc:
        raise InputError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Choose "
                         "another --port (0 picks a free one) or --host.") from None


def host_names(bound: str, allow_hosts: tuple[str, ...] = ()) -> frozenset[str] | None:
    """The host names a server bound to ``bound`` answers (None: any). A server on loopback
    answers the loopback names and those allowed; one on another address any name, unless
    names are given."""
    if "*" in allow_hosts:
        return None
    if allow_hosts or is_loopback(bound):
        return LOOPBACK_NAMES | {name.lower().rstrip(".") for name in allow_hosts}
    return None


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _host_name(header: str) -> str:
    """The host of a ``Host`` header, without port or brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    name, _, port = header.rpartition(":")
    return (name if name and port.isdigit() else header).rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kgraph-sparql"
    # A request line without a version is answered with a status line and headers all the
    # same (http.server would answer it as HTTP/0.9: a bare body, no status).
    default_request_version = "HTTP/1.0"

    #: When the handler began waiting for the current request (None: not waiting).
    reading_since: float | None = None
    timed_out = False

    def setup(self):
        # No socket operation may wait without progress past twice the idle time; the
        # watcher of slow requests ends reads sooner.
        self.timeout = 2 * self.server.limits.idle_timeout
        super().setup()
        self.server.started(self)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.finished(self)

    def time_out(self) -> None:
        """Called by the server's watcher: stop waiting for this request."""
        self.reading_since = None
        self.timed_out = True
        try:
            self.connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass

    def version_string(self) -> str:
        return self.server_version

    def handle_one_request(self):
        """Read one request within ``idle_timeout``, check its host, and answer it; every
        error is plain text (http.server's own, about the request line or headers, too)."""
        self.reading_since = time.monotonic()
        self.command, self.requestline, self.request_version = "", "", "HTTP/1.0"
        try:
            self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > MAX_REQUEST_LINE:
                self.requestline = self.request_version = self.command = ""
                self._send_error(HttpError(
                    HTTPStatus.REQUEST_URI_TOO_LONG,
                    f"The request line is longer than {MAX_REQUEST_LINE} bytes. Send long "
                    "queries by POST (application/sparql-query or a form)."))
                return
            if not self.raw_requestline.endswith(b"\n"):
                self._end_incomplete_request()
                return
            if not self.parse_request():
                return
            if self.timed_out:
                self._end_incomplete_request()
                return
            self._respond()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def _end_incomplete_request(self) -> None:
        """A request cut short: by the time limit (408 if it had begun), or by the client
        going away."""
        self.close_connection = True
        if self.timed_out and self.raw_requestline:
            self._send_error(HttpError(
                HTTPStatus.REQUEST_TIMEOUT,
                f"The request did not arrive within {self.server.limits.idle_timeout:g} "
                "seconds, this endpoint's limit (kgraph serve --idle-timeout)."))

    def send_error(self, code, message=None, explain=None):
        """http.server's errors (malformed request line, headers too long, ...) in plain
        text, as every other answer of the endpoint."""
        status = HTTPStatus(code)
        self._send_error(HttpError(status, f"{status.phrase}: {message or status.description}."))

    def _send_error(self, error: HttpError) -> None:
        self.close_connection = True
        status, media_type, body, headers = error.response()
        self._send(status, media_type, body, {**headers, "Connection": "close"})

    def _respond(self) -> None:
        handlers = {"GET": self._get, "HEAD": self._get, "POST": self._post}
        if self.command != "POST":
            self.reading_since = None  # the whole request is in (a POST's body is read later)
        try:
            self._check_host()
            handler = handlers.get(self.command, self._wrong_method)
            status, media_type, body, headers = handler()
        except HttpError as exc:
            status, media_type, body, headers = exc.response()
            self.close_connection = self.close_connection or status >= 500
        except Exception as exc:  # a bug in kgraph: say so, and keep serving
            self.log_error("internal error: %r", exc)
            status, media_type, body, headers = HttpError(
                HTTPStatus.INTERNAL_SERVER_ERROR, f"Internal error in kgraph: {exc!r}").response()
        extra = {"Content-Security-Policy": _PAGE_POLICY, "X-Frame-Options": "DENY"} \
            if media_type == HTML_TYPE else {}
        self._send(status, media_type, body, {**headers, **extra})

    def _send(self, status, media_type: str, body: bytes, headers: dict) -> None:
        """The response; a HEAD gets the headers of the GET alone."""
        self.send_response(status)
        self.send_header("Content-Type", media_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the name BaseHTTPRequestHandler uses)
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    # -- checks -------------------------------------------------------------------------------
    def _check_host(self) -> None:
        """Refuse a Host the server does not go by: a web page that rebinds its own name to
        127.0.0.1 sends its name, not ours. IP addresses cannot be rebound and always pass."""
        names, header = self.server.host_names, self.headers.get("Host")
        if names is None or header is None:
            return
        name = _host_name(header)
        if name in names or _is_address(name):
            return
        raise HttpError(HTTPStatus.FORBIDDEN,
                        f"Host '{header}' is not a name of this endpoint: it answers "
                        f"{', '.join(sorted(names))} and IP addresses. Give more names with "
                        "kgraph serve --allow-host NAME.")

    def _wrong_method(self):
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED,
                        f"{self.command} is not allowed: this read-only endpoint answers "
                        f"{ALLOWED_METHODS}.", {"Allow": ALLOWED_METHODS})

    def _check_path(self, path: str) -> None:
        if path != "/sparql":
            raise HttpError(HTTPStatus.NOT_FOUND, f"Nothing at '{path}': the SPARQL endpoint is "
                            "/sparql and the query page is /.")

    def _too_large(self) -> str:
        return (f"The query is longer than {self.server.limits.max_query_bytes} bytes, this "
                "endpoint's limit (kgraph serve --max-query-bytes).")

    @staticmethod
    def _refuse_update(params: dict) -> None:
        if "update" in params:
            raise _read_only()

    # -- methods ------------------------------------------------------------------------------
    def _get(self):
        url = urlsplit(self.path)
        if url.path == "/":
            return _page()
        self._check_path(url.path)
        if len(url.query) > self.server.limits.max_query_bytes:
            raise HttpError(HTTPStatus.REQUEST_URI_TOO_LONG, self._too_large())
        params = parse_qs(url.query, keep_blank_values=True)
        self._refuse_update(params)
        if "query" not in params:
            return self._description()
        return self._answer(_single(params, "query"), params)

    def _post(self):
        url = urlsplit(self.path)
        self._check_path(url.path)
        body = self._read_body()
        content_type = self.headers.get_content_type()
        params = parse_qs(url.query, keep_blank_values=True)
        if content_type == "application/sparql-update":
            raise _read_only()
        if content_type == "application/x-www-form-urlencoded":
            params.update(parse_qs(_text(body), keep_blank_values=True))
            self._refuse_update(params)
            if "query" not in params:
                raise HttpError(HTTPStatus.BAD_REQUEST, "The form has no 'query' field; send "
                                "query=<SPARQL text>.")
            return self._answer(_single(params, "query"), params)
        if content_type == "application/sparql-query":
            return self._answer(_text(body), params)
        raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                        f"Content-Type '{content_type}' is not a SPARQL query; send "
                        "application/x-www-form-urlencoded (query=...) or "
                        "application/sparql-query.")

    def _read_body(self) -> bytes:
        """The body of a POST, all of it, within the limits of size and time."""
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "A POST needs a Content-Length header.")
        if int(length) > self.server.limits.max_query_bytes:
            self.close_connection = True
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, self._too_large())
        body = self.rfile.read(int(length))
        self.reading_since = None
        if len(body) < int(length):
            self.close_connection = True
            if self.timed_out:
                raise HttpError(HTTPStatus.REQUEST_TIMEOUT,
                                f"The request body did not arrive within "
                                f"{self.server.limits.idle_timeout:g} seconds, this endpoint's "
                                "limit (kgraph serve --idle-timeout).")
            raise HttpError(HTTPStatus.BAD_REQUEST, f"The request body ended after {len(body)} "
                            f"of the {length} bytes its Content-Length announced.")
        return body

    # -- answers ------------------------------------------------------------------------------
    def _description(self):
        media_type = negotiate(self.headers.get("Accept"), [*GRAPH_TYPES, HTML_TYPE])
        if media_type == HTML_TYPE:
            return _page()
        if media_type is None:
            raise _not_acceptable(GRAPH_TYPES)
        graph = service_description(self._endpoint_url())
        return HTTPStatus.OK, media_type, serialize(graph, GRAPH_TYPES[media_type]), {}

    def _endpoint_url(self) -> str:
        """The URL the client used, when its Host header is a plain host name or address."""
        host = self.headers.get("Host", "")
        return f"http://{host}/sparql" if _HOST.match(host) else self.server.url

    def _answer(self, text: str, params: dict):
        dataset = sorted(set(params) & {"default-graph-uri", "named-graph-uri"})
        if dataset:
            raise HttpError(HTTPStatus.BAD_REQUEST,
                            f"{' and '.join(dataset)} cannot be used: this endpoint serves one "
                            "local graph and fetches no other.")
        accept = self.headers.get("Accept")
        if negotiate(accept, [*SOLUTION_TYPES, *GRAPH_TYPES]) is None:
            raise _not_acceptable({**SOLUTION_TYPES, **GRAPH_TYPES})
        return self.server.run(text, accept)


def _page():
    return HTTPStatus.OK, HTML_TYPE, QUERY_PAGE, {}


def _single(params: dict, name: str) -> str:
    values = params[name]
    if len(values) != 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"Give exactly one '{name}' parameter, not "
                        f"{len(values)}.")
    return values[0]


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(HTTPStatus.BAD_REQUEST, "The request body is not UTF-8 text.") from None


def _read_only() -> HttpError:
    return HttpError(HTTPStatus.FORBIDDEN, "This endpoint is read-only: SPARQL Update (INSERT, "
                     "DELETE, LOAD, CLEAR, ...) is refused. Change the data in its YAML files "
                     "and rebuild.")


def _not_acceptable(offers) -> HttpError:
    return HttpError(HTTPStatus.NOT_ACCEPTABLE, "None of the media types in the Accept header "
                     f"can be given for this answer; available: {', '.join(offers)}.")


# --- content negotiation and formats -------------------------------------------------------

def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the Accept header rates highest (ties: the first offer); None if none fits.

    Each offer takes the quality of the most specific range that matches it (``text/csv``,
    then ``text/*``, then ``*/*``); a missing header accepts the first offer.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None
    ranges = {}
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.setdefault(media_range.lower(), quality)
    best, best_quality = None, 0.0
    for offer in offers:
        family = offer.split("/")[0]
        quality = next((ranges[r] for r in (offer, f"{family}/*", "*/*") if r in ranges), 0.0)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def written_answer(result: QueryResult, media_type: str, max_rows: int) -> tuple[bytes, bool]:
    """The result in a media type, cut at ``max_rows`` rows (or triples, the first in sorted
    order), and whether it was cut. A graph is sorted once, for the cut and the writing."""
    if result.kind == "graph":
        triples = sorted_triples(result.graph)
        return serialize_sorted(triples[:max_rows], GRAPH_TYPES[media_type]), len(triples) > max_rows
    return format_result(first_rows(result, max_rows), media_type), result.size > max_rows


def format_result(result: QueryResult, media_type: str) -> bytes:
    """The result in a media type of ``SOLUTION_TYPES`` or ``GRAPH_TYPES``: the writers of
    ``kgraph query --format`` (Oxigraph's implementation of the W3C result formats)."""
    if result.kind == "graph":
        return serialize(result.graph, GRAPH_TYPES[media_type])
    return serialize_results(result, SOLUTION_TYPES[media_type])


def service_description(endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint: language, formats, dataset."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service, dataset, default_graph = BNode(), BNode(), BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, DCTERMS.title, Literal("kgraph: the soft-power knowledge graph "
                                               "(read-only)", lang="en")))
    for format_iri in _FORMAT_IRIS:
        graph.add((service, SD.resultFormat, format_iri))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    return graph


# --- the query page ------------------------------------------------------------------------

_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; }
textarea { width: 100%; height: 14em; font: 13px/1.4 monospace; box-sizing: border-box; }
table { border-collapse: collapse; margin-top: 1em; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
pre { background: #f7f7f7; padding: 0.8em; overflow: auto; }
#status { margin-left: 1em; color: #555; }
#status.error { color: #a00; }
"""

_SCRIPT = """
const form = document.getElementById("form");
const output = document.getElementById("output");
const status = document.getElementById("status");

function cell(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

function table(data) {
  const element = document.createElement("table");
  const head = element.insertRow();
  for (const name of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  for (const binding of data.results.bindings) {
    const row = element.insertRow();
    for (const name of data.head.vars) row.insertCell().textContent = cell(binding[name]);
  }
  return element;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const accept = document.getElementById("accept").value;
  status.className = "";
  status.textContent = "running...";
  output.replaceChildren();
  const started = performance.now();
  try {
    const response = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
      body: new URLSearchParams({query: document.getElementById("query").value}),
    });
    const text = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.className = "error";
      status.textContent = response.status + " " + response.statusText;
      const pre = document.createElement("pre");
      pre.textContent = text;
      output.appendChild(pre);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    const cap = response.headers.get("X-SPARQL-MaxRows");
    let note = seconds + " s";
    if (type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text);
      if ("boolean" in data) {
        const pre = document.createElement("pre");
        pre.textContent = String(data.boolean);
        output.appendChild(pre);
      } else {
        output.appendChild(table(data));
        note = data.results.bindings.length + " rows, " + note;
      }
    } else {
      const pre = document.createElement("pre");
      pre.textContent = text;
      output.appendChild(pre);
    }
    status.textContent = note + (cap ? " (cut at " + cap + " rows, the server's limit)" : "");
  } catch (error) {
    status.className = "error";
    status.textContent = String(error);
  }
});
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kgraph SPARQL endpoint</title>
<style>{style}</style>
</head>
<body>
<h1>kgraph SPARQL endpoint</h1>
<p>A read-only SPARQL 1.1 endpoint over the soft-power knowledge graph, at
<code>/sparql</code>. The prefixes sp:, spr:, spv:, skos:, prov:, org:, schema:, dcterms:,
owl:, rdf:, rdfs: and xsd: are predeclared. SERVICE, FROM and updates are refused.</p>
<form id="form" method="post" action="sparql">
<textarea id="query" name="query" spellcheck="false">SELECT ?class (COUNT(?entity) AS ?entities)
WHERE {{ ?entity a ?class . FILTER(STRSTARTS(STR(?class), STR(sp:))) }}
GROUP BY ?class
ORDER BY DESC(?entities) ?class</textarea>
<p>
<label>Answer as <select id="accept">
<option value="application/sparql-results+json, text/turtle">table (SPARQL JSON) or Turtle</option>
<option value="application/sparql-results+xml">SPARQL XML</option>
<option value="text/csv">CSV</option>
<option value="text/tab-separated-values">TSV</option>
<option value="application/ld+json">JSON-LD (CONSTRUCT, DESCRIBE)</option>
</select></label>
<button type="submit">Run</button><span id="status"></span>
</p>
</form>
<div id="output"></div>
<script>{script}</script>
</body>
</html>
"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


QUERY_PAGE = _PAGE.format(style=_STYLE, script=_SCRIPT).encode("utf-8")
#: The page may run its own script and style and talk to this server, nothing else, and no
#: other site may frame it (to make a visitor click its Run button).
_PAGE_POLICY = (f"default-src 'none'; script-src {_digest(_SCRIPT)}; style-src {_digest(_STYLE)}; "
                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
