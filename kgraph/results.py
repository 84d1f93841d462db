"""Query results as text: aligned tables, CSV, TSV, SPARQL JSON, Markdown, Turtle.

Tables show what a reader wants (labels, numbers, IRIs shortened with the project prefixes)
and fit the terminal; CSV, TSV and JSON keep every value whole for other tools. JSON is the
SPARQL 1.1 Query Results JSON Format, so any SPARQL client library reads it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from rdflib import BNode, Literal, URIRef

from .export import serialize
from .namespaces import PREFIXES
from .query import QueryResult

FORMATS = ("table", "csv", "tsv", "json", "markdown")
#: Widest a table cell grows before it wraps, whatever the terminal.
MAX_CELL = 60


def render(result: QueryResult, fmt: str = "table", width: int | None = None) -> str:
    """The result in one of ``FORMATS`` (graphs are always Turtle, ASK is true/false)."""
    if result.kind == "graph":
        return serialize(result.graph, "turtle").decode("utf-8")
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n" if fmt == "json" \
            else ("true" if result.boolean else "false") + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown result format '{fmt}'; expected one of {', '.join(FORMATS)}")
    return {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json,
            "markdown": _markdown}[fmt](result, width)


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


def _full(term) -> str:
    return "" if term is None else str(term)


def _csv(result: QueryResult, width=None, delimiter=",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_full(term) for term in row])
    return out.getvalue()


def _tsv(result: QueryResult, width=None) -> str:
    """Tab-separated values as SPARQL TSV readers expect them: tabs and newlines escaped."""
    def clean(term):
        return _full(term).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    lines = ["\t".join(result.columns)]
    lines += ["\t".join(clean(term) for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json(result: QueryResult, width=None) -> str:
    bindings = [{column: _json_term(term) for column, term in zip(result.columns, row)
                 if term is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value = {"type": "literal", "value": str(term)}
    if term.language:
        value["xml:lang"] = term.language
    elif term.datatype:
        value["datatype"] = str(term.datatype)
    return value


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
