"""Query stage: the named SPARQL queries of ``queries/`` and ad-hoc SPARQL, run safely.

A named query is a ``.rq`` file whose header comment says what it answers::

    # title: Foreign branch campuses in a host state
    # question: Which foreign universities operate branch campuses in Kazakhstan?
    # param host: entity = kazakhstan -- the state hosting the campuses
    # columns: campus, parent, home_country, host_city, opened, source, quote
    # lists: source

A column the header declares a list is a ``GROUP_CONCAT`` whose values kgraph puts in
order, since SPARQL leaves their order to the engine; rows come in the order of the query's
``ORDER BY``, ties broken by the whole row (``kgraph.ordering``), so that the same data
gives the same answer, byte for byte, on every run and every store.

Parameters are bound to the query's variables (``?host``), never pasted into its text, so
a value is only ever a value. An entity parameter is given by id or by label and resolved
to its IRI; an unknown one is refused with the closest names.

Queries are parsed and checked with rdflib's SPARQL parser (syntax errors with line and
column; the algebra shows what a query would reach) and evaluated by Oxigraph, whose engine
is one to two orders of magnitude faster than rdflib's on joins and paths (see
``benchmarks/``). The graph is loaded into an in-memory Oxigraph store once per graph.
Parameters are passed as SEP-0007 substitutions, which Oxigraph applies to projected
variables: every query therefore returns its parameters as columns of their own.

Queries run over the local graph only. A ``SERVICE`` clause or a ``FROM`` graph would
reach out of it (both engines follow SERVICE over HTTP); such queries are refused unless the
caller allows network access. A time or memory limit runs the query in a worker process of
its own, killed at the limit, because a running query cannot be interrupted from Python: the
workers of ``kgraph serve`` (``kgraph.processes.Workers``), which end with the process that
started them.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef

from .errors import QueryError, QueryOutOfMemory, QueryTimeout
from .export import sorted_triples
from .namespaces import PREFIXES, SPR, SPV
from .ordering import Ordering, ordering_of, read_ordering, stable_answer
from .resources import bundled_path
from .terms import as_rdflib, from_oxigraph, plain_value, to_oxigraph

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

PARAMETER_TYPES = ("entity", "text", "integer")
_HEADER = re.compile(r"^#\s*(title|question|columns|lists|param|note)\s*:?\s*(.*)$")
#: Header fields whose lines may go on over several comment lines, and how they join.
_CONTINUED = {"question": " ", "note": " ", "columns": ", ", "lists": ", "}
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s*:\s*(?P<type>\w+)"
                    r"(?:\s*=\s*(?P<default>[^-\s][^\s]*))?\s*(?:--\s*(?P<doc>.*))?$")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "default": self.default,
                "description": self.description}


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file of ``queries/`` with the metadata of its header comment."""

    name: str
    path: Path
    title: str
    description: str
    columns: tuple[str, ...]
    parameters: tuple[Parameter, ...] = ()
    lists: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def as_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "columns": list(self.columns), "lists": list(self.lists),
                "parameters": [p.as_dict() for p in self.parameters]}


@dataclass
class QueryResult:
    """What a query returned: rows of RDF terms (SELECT), a boolean (ASK) or a graph.

    ``terms`` are the rows as Oxigraph's terms (its engine's, or parsed from a remote
    engine's answer); ``rows`` has them as rdflib terms, made only when asked for, and
    ``records()`` reads them directly.
    """

    kind: str  # "select", "ask" or "graph"
    columns: list[str] = field(default_factory=list)
    terms: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @functools.cached_property
    def rows(self) -> list[tuple]:
        return [tuple(map(as_rdflib, row)) for row in self.terms]

    def records(self) -> list[dict]:
        """The rows as dicts of plain Python values (``pandas.DataFrame(result.records())``)."""
        return [dict(zip(self.columns, map(plain_value, row))) for row in self.terms]

    @property
    def size(self) -> int:
        """Rows, or triples of a graph."""
        return len(self.graph) if self.kind == "graph" else len(self.terms)

    def to_pandas(self):
        """The rows as a pandas data frame of plain values (a graph: its triples)."""
        from .notebook import data_frame

        if self.kind == "graph":
            return data_frame(triple_records(self.graph), list(TRIPLE_COLUMNS))
        if self.kind == "ask":
            return data_frame([{"boolean": self.boolean}], ["boolean"])
        return data_frame(self.records(), self.columns)

    def _repr_html_(self) -> str:
        """A table in a notebook: the rows (a graph: its triples; ASK: true or false)."""
        from .notebook import html_table
        from .results import cell

        if self.kind == "ask":
            return html_table(["boolean"], [["true" if self.boolean else "false"]])
        if self.kind == "graph":
            triples = sorted_triples(self.graph)
            return html_table(list(TRIPLE_COLUMNS), [[cell(t) for t in triple] for triple in triples])
        return html_table(self.columns, [[cell(t) for t in row] for row in self.rows])


def first_rows(result: QueryResult, limit: int | None) -> QueryResult:
    """The result with at most ``limit`` rows, or triples (the first in sorted order)."""
    if limit is None or result.size <= limit:
        return result
    if result.kind == "graph":
        graph = Graph()
        for triple in sorted_triples(result.graph)[:limit]:
            graph.add(triple)
        return QueryResult("graph", graph=graph)
    return QueryResult(result.kind, result.columns, result.terms[:limit])


TRIPLE_COLUMNS = ("subject", "predicate", "object")


def triple_records(graph: Graph) -> list[dict]:
    return [dict(zip(TRIPLE_COLUMNS, map(plain_value, triple))) for triple in sorted_triples(graph)]


# --- the named queries ---------------------------------------------------------------------

def queries_folder() -> Path:
    return bundled_path("queries")


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query of the folder (the bundled ``queries/`` by default), by name."""
    folder = folder or queries_folder()
    return {path.stem: _cached_header(path, path.stat().st_mtime_ns)
            for path in sorted(folder.glob("*.rq"))}


@functools.lru_cache(maxsize=1024)
def _cached_header(path: Path, modified: int) -> NamedQuery:
    return parse_header(path)


def parse_header(path: Path) -> NamedQuery:
    """The metadata of a named query, read from its leading comment lines."""
    fields = header_fields(path.read_text(encoding="utf-8"))
    parameters = tuple(_parameter(path, text) for text in fields["param"])
    if not fields["title"]:
        raise QueryError(f"{path}: the header has no '# title:' line; expected a comment "
                         "header with title, question, param and columns lines.")
    description = " ".join(fields["question"] + fields["note"])
    return NamedQuery(path.stem, path, fields["title"][0], description, _names(fields["columns"]),
                      parameters, _names(fields["lists"]))


def header_fields(text: str) -> dict[str, list[str]]:
    """The fields of a query's leading comment lines (title, question, columns, lists,
    param, note), each as the list of its lines' values."""
    fields: dict[str, list[str]] = {"title": [], "question": [], "columns": [], "lists": [],
                                    "param": [], "note": []}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            last = match.group(1)
            fields[last].append(match.group(2).strip())
        elif last in _CONTINUED and line[1:].strip():
            fields[last][-1] += _CONTINUED[last] + line[1:].strip()
    return fields


def declared_lists(text: str) -> tuple[str, ...]:
    """The columns a query's header declares lists (``# lists: sources, channels``): a
    named query's, or one's own query file's."""
    return _names(header_fields(text)["lists"]) if text.lstrip().startswith("#") else ()


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(name.strip() for name in ",".join(values).split(",") if name.strip())


def _parameter(path: Path, text: str) -> Parameter:
    match = _PARAM.match(text)
    if not match or match.group("type") not in PARAMETER_TYPES:
        raise QueryError(f"{path}: malformed parameter line '# param {text}'; expected "
                         f"'# param NAME: TYPE [= DEFAULT] -- description' with TYPE one of "
                         f"{', '.join(PARAMETER_TYPES)}.")
    return Parameter(match.group("name"), match.group("type"), match.group("default"),
                     (match.group("doc") or "").strip())


def find_query(name: str, folder: Path | None = None) -> NamedQuery:
    """One named query; only its own file is read (and its header parsed once per version)."""
    path = (folder or queries_folder()) / f"{name}.rq"
    if Path(name).name == name and path.is_file():
        return _cached_header(path, path.stat().st_mtime_ns)
    queries = named_queries(folder)
    close = difflib.get_close_matches(name, queries, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise QueryError(f"No named query '{name}'.{hint} `kgraph queries` lists all "
                     f"{len(queries)}.")


# --- parsing and safety --------------------------------------------------------------------

_PARSER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=256)
def prepare(text: str, origin: str = "query") -> Query:
    """Parse SPARQL with the project prefixes; a syntax error says where it is.

    Cached: rdflib's parser takes tens of milliseconds, the evaluation of a named query on
    the bundled data a few. One parse at a time: rdflib's parser (pyparsing) is not
    thread-safe, and ``kgraph serve`` answers from many threads. rdflib's SPARQL package is
    imported here, not with the module: a page that runs only kgraph's own queries never
    parses one, and the import costs a twentieth of a second.
    """
    from rdflib.plugins.sparql import prepareQuery

    if _looks_like_update(text):
        raise QueryError(f"{origin}: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) "
                         "are not run; kgraph answers queries only (SELECT, ASK, CONSTRUCT, "
                         "DESCRIBE).")
    try:
        with _PARSER_LOCK:
            return prepareQuery(text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing's ParseException and rdflib's own errors
        raise QueryError(_syntax_message(origin, text, exc)) from None


_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                     re.IGNORECASE | re.MULTILINE)


def _looks_like_update(text: str) -> bool:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return bool(_UPDATE.search(body)) and not re.search(
        r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)


def _syntax_message(origin: str, text: str, exc: Exception) -> str:
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    if line is None:
        return f"{origin}: not valid SPARQL: {' '.join(str(exc).split())}."
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    return (f"{origin}: SPARQL syntax error at line {line}, column {column}:\n"
            f"  {source_line}\n  {' ' * max(column - 1, 0)}^\n"
            f"Expected valid SPARQL 1.1 here ({' '.join(str(exc).split())}).")


def check_safety(query: Query, origin: str, allow_network: bool = False) -> None:
    """Refuse what would make rdflib reach the network: SERVICE (unless allowed), and FROM
    and FROM NAMED always.

    A FROM graph is never fetched: Oxigraph, which evaluates the queries, reads FROM and
    FROM NAMED graphs from its store, which holds the graph only, so such a query would answer
    nothing even with network access allowed.
    """
    found = outside_data(query)
    datasets = [clause for clause in found if clause.startswith("FROM")]
    if datasets:
        raise QueryError(
            f"{origin}: the query names graphs outside the graph ({'; '.join(datasets)}), and "
            "kgraph does not fetch graphs: Oxigraph, which runs the queries, reads FROM and FROM "
            "NAMED graphs from its own store, which holds kgraph's graph only, so the query would "
            "answer nothing. Leave FROM out to query the graph; for remote data, query its SPARQL "
            "endpoint with SERVICE <url> { ... } (kgraph query --allow-network), or save it as a "
            "Turtle file in a data folder (--data DIR).")
    if found and not allow_network:
        raise QueryError(f"{origin}: the query would load data from outside the graph "
                         f"({'; '.join(found)}). kgraph queries only the local graph; SERVICE "
                         "needs network access allowed (kgraph query --allow-network).")


@functools.lru_cache(maxsize=256)
def outside_data(query: Query) -> tuple[str, ...]:
    """The FROM, FROM NAMED and SERVICE clauses of a parsed query, found once per query (the
    parsed queries are cached too): walking the algebra costs more than a small query's
    evaluation."""
    found = []
    for clause in query.algebra.get("datasetClause") or []:
        named = "named" in clause
        found.append(f"FROM{' NAMED' if named else ''} <{clause['named' if named else 'default']}>")
    found.extend(f"SERVICE <{term}>" for term in _services(query.algebra))
    return tuple(found)


def _services(node) -> list:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        found = [node.get("term")] if node.name == "ServiceGraphPattern" else []
        for value in node.values():
            found.extend(_services(value))
        return found
    if isinstance(node, (list, tuple)):
        return [term for item in node for term in _services(item)]
    return []


#: The longest query text read from a file or standard input.
QUERY_MAX_BYTES = 1024 * 1024


def read_query_file(path: Path) -> str:
    """The SPARQL text of a file (or of a pipe, ``/dev/stdin``, ``<(...)``), read at most
    ``QUERY_MAX_BYTES`` at a time: a device that never ends (``/dev/zero``), a binary file or a
    text in another encoding than UTF-8 is refused with what it is."""
    from .errors import InputError

    path = Path(path)
    if not path.exists():
        raise InputError(f"Query file '{path}' does not exist.")
    if path.is_dir():
        raise InputError(f"Query file '{path}' is a folder; expected a file of SPARQL text (.rq).")
    with open(path, "rb") as handle:
        data = handle.read(QUERY_MAX_BYTES + 1)
    return query_text(data, f"Query file '{path}'")


def query_text(data: bytes, what: str) -> str:
    """Bytes of a query as text, refusing what is not a query: too long, binary, not UTF-8."""
    from .errors import InputError

    if len(data) > QUERY_MAX_BYTES:
        raise InputError(f"{what} holds more than {QUERY_MAX_BYTES // 2**20} MiB; expected a "
                         "SPARQL query (a text file such as queries/branch-campuses.rq).")
    if b"\0" in data:
        raise InputError(f"{what} holds binary data (a NUL byte at position {data.index(0)}); "
                         "expected a SPARQL query as UTF-8 text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 text (byte {data[exc.start]:#04x} at position "
                         f"{exc.start}: {exc.reason}); expected a SPARQL query as UTF-8 text. "
                         "Convert it first, e.g. iconv -f latin1 -t utf-8.") from None


# --- parameters ----------------------------------------------------------------------------

def bind_parameters(source, named: NamedQuery, given: dict[str, str]) -> dict:
    """The variable bindings for a named query: given values, or the defaults.

    ``source`` is an rdflib graph or a store (``kgraph.store``): entities are looked up in it.
    """
    known = {p.name: p for p in named.parameters}
    unknown = sorted(set(given) - set(known))
    if unknown:
        expected = ", ".join(known) or "none"
        raise QueryError(f"Query '{named.name}' has no parameter '{unknown[0]}'; its "
                         f"parameters: {expected}.")
    bindings = {}
    for parameter in named.parameters:
        value = given.get(parameter.name, parameter.default)
        if value is None:
            continue
        bindings[parameter.name] = resolve_value(source, parameter, value, named.name)
    return bindings


def resolve_value(source, parameter: Parameter, value: str, query_name: str):
    """A parameter value as an RDF term: an entity by id or label, a number, or text."""
    if parameter.type == "text":
        return Literal(value)
    if parameter.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise QueryError(f"Parameter '{parameter.name}' of query '{query_name}' is "
                             f"'{value}'; expected a whole number.") from None
    return resolve_entity(source, value, f"parameter '{parameter.name}' of query '{query_name}'")


_NODE = """SELECT ?node WHERE { ?node ?p ?o } LIMIT 1"""
# The names come last, in a VALUES block: each label is then lower-cased once and compared
# with every name (one pass over the labels, not one per name).
_LABELLED = """SELECT DISTINCT ?node ?name WHERE {
  ?node rdfs:label|skos:prefLabel|skos:altLabel ?label .
  FILTER(isIRI(?node))
  BIND(LCASE(STR(?label)) AS ?lower)
  VALUES ?name { %s }
  FILTER(?lower = LCASE(?name))
}"""
_NAMES = f"""SELECT ?node ?label WHERE {{
  ?node rdfs:label|skos:prefLabel|skos:altLabel ?label .
  FILTER(isIRI(?node) && (STRSTARTS(STR(?node), "{SPR}") || STRSTARTS(STR(?node), "{SPV}")))
}}"""


def resolve_entity(source, value: str, what: str = "value") -> URIRef:
    """The entity or vocabulary concept with this id, IRI or (case-insensitive) label.

    Two small queries find it; the names of everything are fetched only to suggest close
    ones when nothing matches.
    """
    for candidate in _candidate_iris(value):
        if execute(source, _NODE, "entity lookup", {"node": candidate}, trusted=True).rows:
            return candidate
    matches = labelled(source, value)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise QueryError(f"The {what} '{value}' names {len(matches)} entities "
                         f"({', '.join(_local(m) for m in matches)}); give the id instead.")
    names = execute(source, _NAMES, "names", trusted=True, stable=False).rows
    # Compared in lower case; a label is shown rather than an id that differs only in case.
    choices = {name.lower(): name for name in [*sorted({_local(node) for node, _ in names}),
                                                *sorted({str(label) for _, label in names})]}
    close = [choices[key] for key in
             difflib.get_close_matches(value.lower(), list(choices), n=5, cutoff=0.6)]
    hint = f" Close names: {', '.join(close)}." if close else ""
    raise QueryError(f"The {what} '{value}' is not the id or label of anything in the "
                     f"graph.{hint}")


def labelled(source, name: str) -> list[URIRef]:
    """What has the label (``rdfs:label``, ``skos:prefLabel`` or ``skos:altLabel``) ``name``,
    in any case, sorted."""
    return labelled_each(source, [name])[name]


def labelled_each(source, names) -> dict[str, list[URIRef]]:
    """:func:`labelled` for each of ``names``, with one query."""
    import pyoxigraph

    names = sorted(set(map(str, names)))
    found = {name: set() for name in names}
    if names:
        text = _LABELLED % " ".join(str(pyoxigraph.Literal(name)) for name in names)
        for node, name in execute(source, text, "label lookup", trusted=True, stable=False).rows:
            found[str(name)].add(node)
    return {name: sorted(nodes) for name, nodes in found.items()}


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _candidate_iris(value: str) -> list[URIRef]:
    """The IRIs a value may name: an entity or concept id, or an IRI written in full."""
    candidates = [SPR[value], SPV[value]] if _ID.match(value) else []
    return candidates + ([URIRef(value)] if _IRI.match(value) else [])


def _local(node) -> str:
    return str(node).rsplit("/", 1)[-1]


# --- running -------------------------------------------------------------------------------

def run(source, name: str, /, folder: Path | None = None, **params) -> list[dict]:
    """Run a named query with keyword parameters; rows as dicts of plain Python values.

    ``kgraph.query.run(kg.graph, "branch-campuses", host="Kazakhstan")``; ``source`` may also
    be a store of ``kgraph.store``.
    """
    named = find_query(name, folder)
    result = execute(source, named.text, origin=f"query '{name}'",
                     bindings=bind_parameters(source, named, {k: str(v) for k, v in params.items()}),
                     trusted=folder is None)
    if result.kind != "select":
        raise QueryError(f"query '{name}' is not a SELECT query; use execute() for it.")
    return result.records()


def run_for(source, name: str, variable: str, terms, /, **fixed) -> list[dict]:
    """Run a bundled named query for some values of one of its variables only (rdflib terms:
    the facts of ``fact-sources``, ...): a VALUES block of them opens every group of the
    query that names the variable (``kgraph.store.with_values``), so that the engine reads
    only what concerns them. The rows are those of the whole query with these values.
    ``fixed``: other variables, each fixed to one term (a parameter's value)."""
    from .store import with_values

    named = find_query(name)
    origin = f"query '{name}'"
    text = with_values(named.text, {variable: list(terms), **fixed})
    result = execute(source, text, origin, trusted=True, stable=False)
    # Put in order as the whole query is (the same ORDER BY and lists): the long restricted
    # text is never parsed, the named query's parse is cached.
    return stable_answer(result, query_ordering(named.text, origin), declared_lists(named.text),
                         origin).records()


def run_step(source, name: str, head: str, **values) -> list[dict]:
    """The rows of the subquery of a bundled named query that opens with ``head``, run alone
    with these variables fixed (rdflib terms, or lists of them): one step of the query, for
    a caller that runs it step by step where the engine plans the whole badly. The rows come
    in the engine's order."""
    from .store import subquery, with_values

    text = with_values(subquery(find_query(name).text, head), values)
    return execute(source, text, f"query '{name}'", trusted=True, stable=False).records()


def execute(source, text: str, origin: str = "query", bindings: dict | None = None,
            allow_network: bool = False, timeout: float | None = None,
            limit: int | None = None, stable: bool = True,
            memory_limit: int | None = None, trusted: bool = False) -> QueryResult:
    """Parse, check and evaluate SPARQL text over an rdflib graph or a store; with ``limit``,
    read at most that many rows (or distinct triples) of the answer. ``timeout`` (seconds)
    and ``memory_limit`` (bytes the evaluation may add) stop a query past them.

    ``stable`` (the default) gives the answer in a fixed order, the same on every store
    (``kgraph.ordering``); the network projection and the shape check, which put the rows
    they read in order themselves, skip that work on their large answers.

    ``trusted``: a query kgraph itself wrote (a bundled named query, or one a stage builds),
    evaluated without the safety check and not parsed by rdflib, whose parser takes longer
    over a long query than Oxigraph takes to answer it: its order is read from its text
    (:func:`query_ordering`).
    """
    query = None if trusted else prepare(text, origin)
    if not trusted:
        check_safety(query, origin, allow_network)
    if isinstance(source, Graph):
        result = evaluate_in_oxigraph(oxigraph_store(source), text, bindings or {}, origin, timeout,
                                      limit, memory_limit)
    else:
        result = source.evaluate(text, bindings or {}, timeout, origin, limit, memory_limit)
    if not stable:
        return result
    ordering = ordering_of(query) if query is not None else query_ordering(text, origin)
    return stable_answer(result, ordering, declared_lists(text), origin)


@functools.lru_cache(maxsize=256)
def query_ordering(text: str, origin: str = "query") -> Ordering:
    """The order a query kgraph wrote gives its answer (``kgraph.ordering``): read from its
    text, else from rdflib's parse of it."""
    return read_ordering(text) or ordering_of(prepare(text, origin))


def evaluate_in_oxigraph(store, text: str, bindings: dict, origin: str,
                         timeout: float | None = None, limit: int | None = None,
                         memory_limit: int | None = None) -> QueryResult:
    """Evaluate checked SPARQL in an Oxigraph store (in memory or on disk); with a time or a
    memory limit, in a worker process killed at the limit."""
    if timeout is None and memory_limit is None:
        return _evaluate(store, text, bindings, origin, limit)
    return _evaluate_in_worker(store, (text, bindings, origin, limit), timeout, memory_limit)


_STORES: "weakref.WeakKeyDictionary[Graph, tuple[int, object]]" = weakref.WeakKeyDictionary()


def oxigraph_store(graph: Graph):
    """An in-memory Oxigraph store holding the graph's triples, built once per graph."""
    import pyoxigraph

    cached = _STORES.get(graph)
    if cached and cached[0] == len(graph):
        return cached[1]
    # In a fixed order, blank nodes labelled canonically: Oxigraph's in-memory store keeps
    # the order it was loaded in, and rdflib's follows Python's hash seed.
    store = pyoxigraph.Store()
    default = pyoxigraph.DefaultGraph()
    store.bulk_extend(pyoxigraph.Quad(*map(to_oxigraph, triple), default)
                      for triple in sorted_triples(graph))
    _STORES[graph] = (len(graph), store)
    return store


def _evaluate(store, text: str, bindings: dict, origin: str, limit: int | None = None) -> QueryResult:
    """The answer, read as Oxigraph streams it: with ``limit``, the rest is never computed
    (unless the query itself needs it, to sort or group)."""
    import pyoxigraph

    substitutions = {pyoxigraph.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
    try:
        result = store.query(text, prefixes={k: str(v) for k, v in PREFIXES.items()},
                             substitutions=substitutions or None)
    except (SyntaxError, RuntimeError, OSError) as exc:
        raise QueryError(f"{origin}: the query failed: {' '.join(str(exc).split())}") from None
    if isinstance(result, pyoxigraph.QueryTriples):
        graph = Graph()
        for triple in result:
            graph.add(tuple(from_oxigraph(t) for t in (triple.subject, triple.predicate, triple.object)))
            if limit is not None and len(graph) >= limit:
                break
        return QueryResult("graph", graph=graph)
    return answer_of(result, limit)


def answer_of(result, limit: int | None = None) -> QueryResult:
    """Oxigraph's solutions or boolean (from its engine, or parsed from a remote engine's
    results) as a QueryResult that keeps Oxigraph's terms: rows become Python values without
    an rdflib term each. ``limit``: the first rows only."""
    import pyoxigraph

    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    columns = [variable.value for variable in result.variables]
    return QueryResult("select", columns, [tuple(solution) for solution in itertools.islice(result, limit)])


def _evaluate_in_worker(store, request: tuple, timeout: float | None,
                        memory_limit: int | None) -> QueryResult:
    """Evaluate ``(text, bindings, origin, limit)`` in a worker that shares the loaded store,
    within the time and memory limits: a worker of ``kgraph serve``'s kind, with the same
    limits, the same account of how a worker died, and the same end with this process, even
    killed. For one query the forking process in between costs one fork more than forking
    the worker here would."""
    from .processes import WorkerError, WorkerOutOfMemory, Workers, WorkerTimeout

    origin = request[2]
    workers = Workers(functools.partial(_evaluated, store), memory_limit, spare=0)
    try:
        status, payload = workers.run(request, timeout)
    except WorkerTimeout:
        raise QueryTimeout(f"{origin}: stopped after {timeout:g} seconds (--timeout). "
                           "Narrow the query, or give it more time.") from None
    except WorkerOutOfMemory:
        raise QueryOutOfMemory(f"{origin}: stopped at {memory_limit >> 20} MB of memory "
                               "(--max-memory). Narrow the query (ORDER BY, GROUP BY and "
                               "DISTINCT over many rows hold them all), or give it more "
                               "memory.") from None
    except WorkerError as exc:
        raise QueryError(f"{origin}: the query's worker failed ({exc}).") from None
    finally:
        workers.close()
    if status == "error":
        raise QueryError(payload)
    return _unpack(payload)


def _evaluated(store, request: tuple) -> tuple[str, object]:
    """What a query's worker answers: the result, ready to travel, or the error's message."""
    text, bindings, origin, limit = request
    try:
        return "ok", _pack(_evaluate(store, text, bindings, origin, limit))
    except QueryError as exc:
        return "error", str(exc)


def _pack(result: QueryResult) -> QueryResult:
    if result.graph is not None:  # a Graph does not pickle with its store; send triples
        return QueryResult(result.kind, boolean=result.boolean, terms=list(result.graph))
    return result


def _unpack(result: QueryResult) -> QueryResult:
    if result.kind == "graph":
        graph = Graph()
        for triple in result.rows:
            graph.add(triple)
        return QueryResult("graph", graph=graph)
    return result

