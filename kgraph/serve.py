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
forgery hole) are refused with 400 before anything is evaluated. Each query runs under a
time limit (503 when it is hit; the query is stopped and the server goes on) and its rows
are capped (the ``X-SPARQL-MaxRows`` header says when an answer was cut). It binds
127.0.0.1 unless asked otherwise.

The server evaluates queries through a *query function* ``(text, timeout) -> QueryResult``
that raises :class:`~kgraph.errors.QueryError` for a query it will not or cannot answer;
:func:`query_function` makes one over an in-memory graph, and any store with the same
call plugs in unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import socket
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from .errors import InputError, QueryError, QueryTimeout
from .export import serialize, sorted_triples
from .query import QueryResult, execute, oxigraph_store
from .results import serialize_results

#: What the server calls to answer a query: ``(text, timeout in seconds) -> QueryResult``.
QueryFunction = Callable[[str, "float | None"], QueryResult]

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


@dataclass(frozen=True)
class Limits:
    """What one request may cost: evaluation time, rows, query size, queries at once."""

    timeout: float = 30.0
    max_rows: int = 10_000
    max_query_bytes: int = 65_536
    concurrent_queries: int = 4


class HttpError(Exception):
    """A request the endpoint answers with an error status and a message in plain text."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def query_function(source) -> QueryFunction:
    """Queries over an rdflib graph (or a store ``kgraph.query.execute`` takes), refusing
    SERVICE and FROM, stopped at the time limit.

    An rdflib graph is loaded into Oxigraph here, once, rather than by the first request;
    each of its queries runs in a forked child that is killed at the time limit.
    """
    if isinstance(source, Graph):
        oxigraph_store(source)

    def answer(text: str, timeout: float | None) -> QueryResult:
        return execute(source, text, "the query", timeout=timeout)

    return answer


# --- HTTP ----------------------------------------------------------------------------------

class SparqlServer(ThreadingHTTPServer):
    """A threaded HTTP server holding the query function and the limits for its handlers."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], query: QueryFunction, limits: Limits,
                 log: Callable[[str], None] | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.query = query
        self.limits = limits
        self.log = log
        self.slots = threading.BoundedSemaphore(limits.concurrent_queries)

    def run(self, text: str) -> QueryResult:
        """Evaluate within the limits: wait for a free slot, then run under the time limit.

        A query stopped by the time limit answers 503; one refused or malformed, 400.
        """
        limits = self.limits
        if not self.slots.acquire(timeout=limits.timeout):
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"The endpoint is busy: {limits.concurrent_queries} queries are "
                            "running. Try again shortly.", {"Retry-After": "1"})
        try:
            return self.query(text, limits.timeout)
        except QueryTimeout as exc:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, str(exc)) from None
        except QueryError as exc:
            raise HttpError(HTTPStatus.BAD_REQUEST, str(exc)) from None
        finally:
            self.slots.release()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/sparql"


def make_server(query: QueryFunction, host: str = "127.0.0.1", port: int = 8000,
                limits: Limits = Limits(), log: Callable[[str], None] | None = None
                ) -> SparqlServer:
    """A SPARQL endpoint bound to ``host:port`` (port 0: any free port); call
    ``serve_forever()`` on it. ``log`` receives one line per request."""
    try:
        return SparqlServer((host, port), query, limits, log)
    except OSError as exc:
        raise InputError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Choose "
                         "another --port (0 picks a free one) or --host.") from None


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kgraph-sparql"

    def do_GET(self):
        self._respond(self._get)

    def do_POST(self):
        self._respond(self._post)

    def do_PUT(self):
        self._respond(self._wrong_method)

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _respond(self, handler) -> None:
        try:
            status, media_type, body, headers = handler()
        except HttpError as exc:
            status, media_type = exc.status, "text/plain"
            body, headers = (str(exc) + "\n").encode("utf-8"), exc.headers
        except Exception as exc:  # a bug in kgraph: say so, and keep serving
            self.log_error("internal error: %r", exc)
            status, media_type, headers = HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain", {}
            body = f"Internal error in kgraph: {exc!r}\n".encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", media_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the name BaseHTTPRequestHandler uses)
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    # -- methods ------------------------------------------------------------------------------
    def _wrong_method(self):
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED,
                        f"{self.command} is not allowed: this read-only endpoint answers GET and "
                        "POST queries.", {"Allow": "GET, POST"})

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
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "A POST needs a Content-Length header.")
        if int(length) > self.server.limits.max_query_bytes:
            self.close_connection = True
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, self._too_large())
        body = self.rfile.read(int(length))
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

    # -- checks -------------------------------------------------------------------------------
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
        result = self.server.run(text)
        offers = GRAPH_TYPES if result.kind == "graph" else SOLUTION_TYPES
        media_type = negotiate(accept, list(offers))
        if media_type is None:
            raise _not_acceptable(offers)
        result, cut = cap_rows(result, self.server.limits.max_rows)
        headers = {"X-SPARQL-MaxRows": str(self.server.limits.max_rows)} if cut else {}
        return HTTPStatus.OK, media_type, format_result(result, media_type), headers


def _page():
    return HTTPStatus.OK, HTML_TYPE, QUERY_PAGE, {"Content-Security-Policy": _PAGE_POLICY}


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


def cap_rows(result: QueryResult, max_rows: int) -> tuple[QueryResult, bool]:
    """The result with at most ``max_rows`` rows (or triples, the first in sorted order),
    and whether it was cut."""
    if result.kind == "select" and len(result.terms) > max_rows:
        return QueryResult("select", result.columns, result.terms[:max_rows]), True
    if result.kind == "graph" and len(result.graph) > max_rows:
        graph = Graph()
        for triple in sorted_triples(result.graph)[:max_rows]:
            graph.add(triple)
        return QueryResult("graph", graph=graph), True
    return result, False


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
#: The page may run its own script and style and talk to this server, nothing else.
_PAGE_POLICY = (f"default-src 'none'; script-src {_digest(_SCRIPT)}; style-src {_digest(_STYLE)}; "
                "connect-src 'self'; form-action 'self'; base-uri 'none'")
