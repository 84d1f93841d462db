"""Query results as text: aligned tables and Markdown for people, the W3C SPARQL 1.1 result
formats for tools, and RDF for graphs.

Tables show what a reader wants (labels, numbers, IRIs shortened with the project prefixes)
and fit the terminal. JSON, XML, CSV and TSV are the SPARQL 1.1 Query Results formats,
written by one implementation of them, Oxigraph's (the endpoint, ``kgraph serve``, uses the
same): any SPARQL client library reads them back, TSV with its ``?variable`` header and
terms in Turtle syntax. CONSTRUCT and DESCRIBE answers are graphs, written in an RDF format
of ``kgraph.export``.
"""

from __future__ import annotations

import json
import shutil
import textwrap

from rdflib import Literal, URIRef

from .choices import GRAPH_FORMATS, RESULT_FORMATS as FORMATS
from .errors import QueryError
from .export import serialize
from .namespaces import PREFIXES
from .query import QueryResult

#: The SPARQL 1.1 result formats, by their pyoxigraph name.
SPARQL_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
#: Widest a table cell grows before it wraps, whatever the terminal.
MAX_CELL = 60


def render(result: QueryResult, fmt: str = "table", width: int | None = None) -> str:
    """The result in a format of ``FORMATS`` (SELECT, ASK) or ``GRAPH_FORMATS`` (CONSTRUCT,
    DESCRIBE; "table" gives Turtle); a table of an ASK is true or false."""
    if result.kind == "graph":
        return serialize(result.graph, _graph_format(fmt)).decode("utf-8")
    if fmt in SPARQL_FORMATS:
        return serialize_results(result, fmt).decode("utf-8")
    if fmt not in FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT and DESCRIBE answers; a "
                         f"{result.kind.upper()} answer is given as {', '.join(FORMATS)}.")
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    return {"table": _table, "markdown": _markdown}[fmt](result, width)


def _graph_format(fmt: str) -> str:
    if fmt == "table":
        return "turtle"
    if fmt not in GRAPH_FORMATS:
        raise QueryError(f"--format {fmt} is for SELECT and ASK answers; a CONSTRUCT or "
                         f"DESCRIBE answer is a graph, given as {', '.join(GRAPH_FORMATS)}.")
    return fmt


def serialize_results(result: QueryResult, fmt: str) -> bytes:
    """A SELECT or ASK answer in a SPARQL 1.1 result format (``json``, ``xml``, ``csv``,
    ``tsv``), written by Oxigraph: kgraph hands it the answer as SPARQL JSON, which it reads
    in Rust, and its serialiser writes the format."""
    import pyoxigraph

    parsed = pyoxigraph.parse_query_results(sparql_json(result),
                                            format=pyoxigraph.QueryResultsFormat.JSON)
    return parsed.serialize(format=getattr(pyoxigraph.QueryResultsFormat, SPARQL_FORMATS[fmt]))


def sparql_json(result: QueryResult) -> bytes:
    """The answer in the SPARQL 1.1 Query Results JSON Format, from Oxigraph's terms."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}).encode("utf-8")
    bindings = [{column: _json_term(term) for column, term in zip(result.columns, row)
                 if term is not None} for row in result.terms]
    return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def _json_term(term) -> dict:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    value = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
    else:
        value["datatype"] = term.datatype.value
    return value


def cell(term) -> str:
    """A term as a reader wants to see it: literal text, or a prefixed name for an IRI."""
    if term is None:
        return ""
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(term).startswith(str(namespace)) and prefix in ("spr", "spv", "sp"):
                return f"{prefix}:{str(term)[len(str(namespace)):]}"
        return str(term)
    return f"_:{term}"


def _markdown(result: QueryResult, width=None) -> str:
    def escape(text):
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(result.columns) + " |",
             "|" + "|".join("---" for _ in result.columns) + "|"]
    lines += ["| " + " | ".join(escape(cell(term)) for term in row) + " |" for row in result.rows]
    return "\n".join(lines) + "\n"


def _table(result: QueryResult, width: int | None = None) -> str:
    """Aligned columns; long cells wrap so that the table fits the terminal width."""
    if not result.rows:
        return "(no rows)\n"
    width = width or shutil.get_terminal_size((120, 24)).columns
    texts = [[cell(term) for term in row] for row in result.rows]
    widths = _column_widths(result.columns, texts, width)
    lines = [_line(result.columns, widths), "  ".join("-" * w for w in widths)]
    for row in texts:
        wrapped = [textwrap.wrap(text, w) or [""] for text, w in zip(row, widths)]
        for depth in range(max(len(parts) for parts in wrapped)):
            lines.append(_line([parts[depth] if depth < len(parts) else "" for parts in wrapped],
                               widths))
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _line(cells, widths) -> str:
    return "  ".join(text.ljust(w) for text, w in zip(cells, widths)).rstrip()


def _column_widths(columns, texts, width: int) -> list[int]:
    """Natural widths, capped; the widest columns shrink until the row fits ``width``."""
    widths = [min(MAX_CELL, max([len(c)] + [len(row[i]) for row in texts]))
              for i, c in enumerate(columns)]
    budget = width - 2 * (len(columns) - 1)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=widths.__getitem__)
        floor = max(len(columns[widest]), 8)
        if widths[widest] <= floor:
            break
        widths[widest] -= 1
    return widths
