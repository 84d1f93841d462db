"""The ``kgraph`` command line: a thin click layer over the library.

Each command parses options, calls one library function and formats its result. Heavy
libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands that need
them, so that ``kgraph --help`` starts at once; the names options choose from come from
``kgraph.choices``, which the library imports too.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import re
import sys
import warnings
from pathlib import Path

import click

from .choices import (EPISTEMIC_STATUSES, EXPORT_FORMATS, INDICATORS, INGEST_LANGUAGES, LANGUAGES,
                      METRICS, NETWORK_FORMATS, QUERY_FORMATS, SIZE_METRICS, SOURCE_TYPES,
                      SYNTH_FORMATS, VALIDATORS, VIEWS)
from .errors import DataWarning, KgraphError


class _Group(click.Group):
    """Reports kgraph's own errors as a message and an exit status, never a traceback, and its
    warnings about the data (``DataWarning``) as one line each on standard error."""

    def invoke(self, ctx):
        with warnings.catch_warnings():
            warnings.simplefilter("always", DataWarning)
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except KgraphError as exc:
                click.echo(f"Error: {exc}", err=True)
                ctx.exit(exc.exit_code)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, DataWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOWWARNING = warnings.showwarning


class Seconds(click.ParamType):
    """A time limit in seconds: a finite number above zero and at most ``most``. click's
    FloatRange lets nan, inf and 1e300 through, which the waits that use them refuse with a
    traceback (or, in a server, an error on every query)."""

    name = "seconds"

    def __init__(self, most: float = 86_400.0):
        self.most = most

    def convert(self, value, param, ctx):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not a number of seconds.", param, ctx)
        if not (math.isfinite(seconds) and 0 < seconds <= self.most):
            self.fail(f"'{value}' is not a time limit; expected a number of seconds above 0 "
                      f"and at most {self.most:,.0f} (a day).", param, ctx)
        return seconds


#: The type of every option that is a time limit in seconds (``query --timeout``, ``serve
#: --timeout`` and ``--idle-timeout``).
SECONDS = Seconds()
#: The type of every option that is a memory limit in MB (``query`` and ``serve --max-memory``).
MEGABYTES = click.IntRange(16, 1 << 20)

#: The ``--data`` value that names the bundled data, to add one's own folders to it.
BUNDLED_DATA = "@bundled"


def data_option(command):
    """``--data DIR`` (repeatable): the data folders to read; the bundled data by default."""
    return click.option(
        "--data", "data_folders", multiple=True, type=click.Path(path_type=Path),
        help="Data folder of YAML records and Turtle files (repeatable). Default: the bundled "
             f"data; '{BUNDLED_DATA}' names it, to add your folders to it.")(command)


def store_option(command):
    """``--store SPEC`` (with ``--store-update-url``, ``--store-graph-store-url`` and
    ``--store-user``): where the graph lives; the command receives them as one ``store`` dict
    of ``kgraph.store.open_store``'s options."""
    @functools.wraps(command)
    def with_store(*args, store_spec, store_update_url, store_graph_store_url, store_user,
                   **kwargs):
        return command(*args, store={"spec": store_spec, "update_url": store_update_url,
                                     "graph_store_url": store_graph_store_url,
                                     "user": store_user}, **kwargs)

    for option in (
            click.option("--store-user", envvar="KGRAPH_STORE_USER", metavar="USER",
                         help="User of a remote store; the password is read from "
                              "KGRAPH_STORE_PASSWORD, never from the command line."),
            click.option("--store-update-url", envvar="KGRAPH_STORE_UPDATE_URL", metavar="URL",
                         help="SPARQL Update URL of a remote store (default: its query URL)."),
            click.option("--store-graph-store-url", envvar="KGRAPH_STORE_GRAPH_STORE_URL",
                         metavar="URL",
                         help="Graph Store Protocol URL of a remote store (the Oxigraph "
                              "server: .../store; Virtuoso: .../sparql-graph-crud-auth): "
                              "build uploads through it, many times faster than by SPARQL "
                              "Update."),
            click.option("--store", "store_spec", default="memory", show_default=True,
                         envvar="KGRAPH_STORE", metavar="SPEC",
                         help="Where the graph lives: memory (compiled from --data on each "
                              "command), oxigraph:DIR (on disk, filled by kgraph build) or "
                              "sparql:QUERY_URL (any SPARQL 1.1 engine).")):
        with_store = option(with_store)
    return with_store


def validator_option(command):
    """``--validator auto|pyshacl|sparql``: who checks the shapes."""
    return click.option(
        "--validator", type=click.Choice(VALIDATORS), default="auto",
        show_default=True,
        help="pyshacl, or the same shapes checked with SPARQL in Oxigraph (fast on large "
             "graphs); auto picks SPARQL above 200,000 triples.")(command)


def status_option(command):
    """``--status S`` (repeatable): only the facts of these epistemic statuses."""
    return click.option(
        "--status", "statuses", multiple=True, type=click.Choice(EPISTEMIC_STATUSES),
        help="Only facts of this epistemic status (repeatable); default: all. --status stated "
             "is the strictest graph: facts the quotes say, without inferred or proposed "
             "ones and what hangs only on them (docs/data-format.md).")(command)


def _source(data_folders, store, statuses=()):
    """The compiled data folders (only the facts of ``statuses``, if given), or the store
    that holds the built graph."""
    from .store import open_source

    return open_source(data_folders=_folders(data_folders), statuses=statuses, **store)


def _folders(data_folders) -> list[Path] | None:
    from .resources import bundled_path

    return [bundled_path("data") if str(f) == BUNDLED_DATA else Path(f) for f in data_folders] or None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgraph")
def cli():
    """kgraph: the soft-power knowledge graph.

    Build, validate, query, measure and export a graph of who projects influence where
    and how (branch campuses, scholarships, language programmes, cultural centres,
    summits, tech academies), with every fact traceable to a quoted source.
    """


def main() -> None:
    """The ``kgraph`` program: :func:`cli` in a process that ends with its command. On the
    way out Python's garbage collector would walk once more every object the command's
    libraries made (rdflib, networkx, matplotlib: a tenth to a fifth of a second for
    ``kgraph brief``) though the process frees all its memory anyway; freezing them skips
    that walk. Nothing is lost by it: a store's writes are on disk once they return, and
    files are closed by reference counting, which freezing leaves alone."""
    try:
        cli()
    finally:
        gc.freeze()


@cli.command()
@data_option
@store_option
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="Folder for the outputs.")
@validator_option
@status_option
@click.option("-q", "--quiet", is_flag=True,
              help="No progress display (loading, uploading, validating) and no warnings: only "
                   "their count.")
@click.option("--no-network", is_flag=True,
              help="Write the graph only, not the centralities, indicators, page and site: for "
                   "very large graphs, where they take long (compute them later with --store).")
@click.option("--no-site", is_flag=True,
              help="Leave out the report site (index.html, briefs, comparison, charts, "
                   "network.graphml); the centralities, indicators and network page are written.")
@click.option("--wait", is_flag=True,
              help="If another build is filling the same --store oxigraph:DIR, wait for it to "
                   "finish instead of stopping with an error.")
def build(data_folders, store, out_dir, validator, statuses, quiet, no_network, no_site, wait):
    """Load, validate and write the graph and its outputs; with --store, load it into the
    store too, for later commands to open without rebuilding. Outputs and store change only
    if the whole build succeeds."""
    from .pipeline import build as run_build
    from .resources import describe_folder, unread_checkout_data
    from .stats import format_stats
    from .store import open_store

    target = open_store(create=True, **store)
    result = run_build(_folders(data_folders), out_dir, target, quiet, validator,
                       network=not no_network, statuses=statuses, site=not no_site, wait=wait,
                       on_wait=lambda message: click.echo(message, err=True))
    for folder in result.data_folders:
        click.echo(f"read {describe_folder(folder)}")
    unread = unread_checkout_data(result.data_folders)
    if unread and not quiet:
        click.echo(f"Note: {unread} was not read: this kgraph was installed with a copy of the "
                   "data (pip install .). Install it editable (pip install -e .) to read the "
                   "checkout's folders, or give --data data.", err=True)
    click.echo(format_stats(result.stats))
    click.echo(f"\nvalidation: {result.report.summary()}")
    for warning in [] if quiet else result.report.warnings:
        click.echo(f"  {warning.describe()}")
    for path in result.outputs:
        click.echo(f"wrote {path}")
    for note in result.notes:
        click.echo(note)
    if target is not None:
        click.echo(f"loaded {result.stored} triples into {target.spec}")


@cli.command()
@data_option
@store_option
@validator_option
def validate(data_folders, store, validator):
    """Check the data (or a store's graph) against the SHACL shapes and report in human
    terms."""
    from .validate import validate_source

    report = validate_source(_source(data_folders, store), engine=validator)
    for violation in report.violations:
        click.echo(violation.describe())
    click.echo(f"{report.summary()}: {'conforms' if report.conforms else 'does not conform'}")
    sys.exit(0 if report.conforms else 1)


@cli.command()
@data_option
@store_option
@click.option("-f", "--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(list(EXPORT_FORMATS)),
              help="Output format: an RDF format (jsonld: compacted with kgraph's context; "
                   "jsonld-expanded: expanded, written as it streams; trig: data, ontology and "
                   "vocabularies in named graphs), or GraphML/GEXF for the entity network.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write; default: stdout.")
@status_option
def export(data_folders, store, fmt, output, statuses):
    """Export the graph in an RDF format, or its entity network as GraphML or GEXF
    (byte-identical for the same data; an on-disk store writes in its own order)."""
    from .netexport import write_export

    with click.open_file("-", "wb") as stdout:
        write_export(_source(data_folders, store, statuses), fmt, output, stdout)
    if output:
        click.echo(f"wrote {output}", err=True)


@cli.command()
@data_option
@store_option
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json"]), help="Output format.")
@status_option
def stats(data_folders, store, fmt, statuses):
    """Counts by class, by relation, by source and by epistemic status."""
    from .stats import format_stats, graph_stats
    from .store import queryable

    counts = graph_stats(queryable(_source(data_folders, store, statuses)))
    click.echo(json.dumps(counts.as_dict(), indent=2) if fmt == "json" else format_stats(counts))


@cli.command("check-quotes")
@data_option
@store_option
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), required=True,
              multiple=True, help="Folder holding the source texts named by the sources' "
                                  "text_file (repeatable: a file is looked for in each).")
@click.option("--support", is_flag=True,
              help="Also check that each fact's quotes support it: they name its entities and "
                   "write its numbers, their tense agrees with its status, and no quote backs "
                   "several facts it does not tell apart. Findings on inferred records (with "
                   "their note) are explained; the others fail the check.")
def check_quotes(data_folders, store, corpus, support):
    """Check that every quote occurs verbatim in the source text it cites, and with
    --support that it supports its fact; exit 1 on any quote not found or unexplained
    finding."""
    from .quotes import check

    result = check(list(corpus), _folders(data_folders), support, **store)
    for problem in result.problems:
        click.echo(problem.describe())
    click.echo(f"{result.checked} quotes checked, {len(result.problems)} not found")
    if result.support is not None:
        for finding in result.support.findings:
            click.echo(finding.describe())
        click.echo(result.support.summary())
    sys.exit(0 if result.passes else 1)


# --- growing the graph from new documents --------------------------------------------------

@cli.command()
@click.argument("documents", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@data_option
@store_option
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Proposals folder (default: proposals/<source-id>); with several documents, "
                   "the folder that holds one per document.")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a JSON report: mentions, proposals and new entities with their "
                   "offsets (docs/ingest.md).")
@click.option("--source-id", help="Id of the document's source record (default: made from "
                                  "its title).")
@click.option("--title", help="Title (default: from the HTML or PDF metadata, or the first line).")
@click.option("--url", help="Where the document was read.")
@click.option("--date", help="Publication date, YYYY-MM-DD (default: from the HTML metadata).")
@click.option("--publisher", help="Publisher: an organisation of the graph (id or name), or a "
                                  "name kept in the source's description.")
@click.option("--lang", type=click.Choice(INGEST_LANGUAGES),
              help="The document's language (default: told by its letters).")
@click.option("--type", "source_type", type=click.Choice(SOURCE_TYPES), default="report",
              show_default=True, help="What kind of source the document is.")
@click.option("--force", is_flag=True, help="Replace an existing proposals folder.")
def ingest(documents, data_folders, store, output, report, source_id, title, url, date, publisher,
           lang, source_type, force):
    """Propose sourced facts from documents (text, HTML or PDF), for review.

    Links the entities each document mentions, proposes the facts it states with the
    sentence that states them, and writes them to a proposals folder, every record marked
    epistemic_status: proposed with its cue (docs/ingest.md). Needs the ingest extra:
    pip install 'kgraph[ingest]'.
    """
    from .ingest import SourceDetails, ingest_files
    from .resources import bundled_path

    details = SourceDetails(source_id, title, url, date, publisher, lang, source_type)
    protected = (_folders(data_folders) or []) + [bundled_path("data")]
    written = ingest_files(documents, _source(data_folders, store), details, output, force,
                           report, protected)
    for result in written:
        ingestion = result.ingestion
        linked = sum(1 for m in ingestion.mentions if m.status == "linked")
        click.echo(f"{ingestion.source_id}: {ingestion.words} words, {len(ingestion.mentions)} "
                   f"mentions ({linked} linked), {len(ingestion.entities)} new entities, "
                   f"{len(ingestion.proposals)} proposed facts")
        click.echo(f"wrote {result.folder}")
    if report:
        click.echo(f"wrote {report}")


@cli.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("ontology-docs"), show_default=True, help="Folder to write.")
@click.option("--no-page", is_flag=True,
              help="Write the ontology files only, not the documentation page (which needs "
                   "pyLODE: pip install 'kgraph[docs]').")
def docs(out_dir, no_page):
    """Write the ontology's documentation page (index.html, offline) with the ontology in
    Turtle and RDF/XML, the vocabularies and the JSON-LD context, ready to publish."""
    from .publish import publish

    for path in publish(out_dir, page=not no_page):
        click.echo(f"wrote {path}")


# --- SPARQL: named queries and ad-hoc queries ----------------------------------------------

@cli.command("queries")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json"]), help="Output format.")
def list_queries(fmt):
    """List the named queries with their titles and parameters."""
    from .query import named_queries

    queries = list(named_queries().values())
    if fmt == "json":
        click.echo(json.dumps([q.as_dict() for q in queries], indent=1, ensure_ascii=False))
        return
    width = max(len(q.name) for q in queries)
    for named in queries:
        params = " ".join(f"[--param {p.name}=" + (p.default or p.type.upper()) + "]"
                          for p in named.parameters)
        click.echo(f"{named.name.ljust(width)}  {named.title}" + (f"  {params}" if params else ""))


def _parse_params(values) -> dict[str, str]:
    from .errors import QueryError

    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param '{item}' is not NAME=VALUE.")
        params[name.strip()] = value
    return params


def _query_text(name, file, sparql) -> tuple[str, str]:
    """The SPARQL text and a name for messages, from exactly one of the three sources."""
    from .errors import QueryError
    from .query import read_query_file

    given = [v for v in (name, file, sparql) if v is not None]
    if len(given) != 1:
        raise QueryError("Give exactly one of: a query NAME, --file F.rq, or --sparql TEXT "
                         "('-' reads standard input).")
    if sparql is not None:
        return (_standard_input() if sparql == "-" else sparql), "--sparql query"
    if file is not None:
        if str(file) == "-":
            return _standard_input(), "query from standard input"
        return read_query_file(file), str(file)
    return "", f"query '{name}'"


def _standard_input() -> str:
    from .query import QUERY_MAX_BYTES, query_text

    return query_text(sys.stdin.buffer.read(QUERY_MAX_BYTES + 1), "Standard input")


@cli.command()
@click.argument("name", required=False)
@data_option
@store_option
@click.option("--file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="Run the SPARQL in this file ('-' for standard input).")
@click.option("--sparql", help="Run this SPARQL text ('-' for standard input).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Parameter of a named query (repeatable); an entity by id or label.")
@click.option("-f", "--format", "fmt", type=click.Choice(QUERY_FORMATS),
              help="Output format. SELECT and ASK: table or markdown, or a SPARQL 1.1 result "
                   "format (csv, tsv, json, xml); default: table on a terminal, csv otherwise. "
                   "CONSTRUCT and DESCRIBE: turtle (default), nt, jsonld or xml (RDF/XML).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write; default: stdout.")
@click.option("--timeout", type=SECONDS, metavar="SECONDS",
              help="Stop the query after this many seconds (at most a day).")
@click.option("--max-memory", metavar="MB", type=MEGABYTES,
              help="Stop the query if it needs more than this much memory (the graph in "
                   "memory or an on-disk store; a SPARQL engine keeps its own limits).")
@click.option("--allow-network", is_flag=True,
              help="Let SERVICE clauses query remote SPARQL endpoints over the network. FROM and "
                   "FROM NAMED are refused either way: kgraph does not fetch graphs.")
@status_option
def query(name, data_folders, store, file, sparql, params, fmt, output, timeout, max_memory,
          allow_network, statuses):
    """Run a named query (see `kgraph queries`), a query file or SPARQL text.

    ASK prints true or false and exits 0 or 1; CONSTRUCT and DESCRIBE print a graph
    (Turtle unless --format says otherwise). With --timeout or --max-memory the query runs
    in a process of its own, stopped at the limit.
    """
    from .files import write_atomic
    from .query import bind_parameters, execute, find_query
    from .results import render
    from .store import queryable

    text, origin = _query_text(name, file, sparql)
    named = find_query(name) if name else None
    if params and not named:
        raise click.UsageError("--param applies to named queries only.")
    source = queryable(_source(data_folders, store, statuses))
    bindings = bind_parameters(source, named, _parse_params(params)) if named else {}
    result = execute(source, named.text if named else text, origin, bindings,
                     allow_network=allow_network, timeout=timeout,
                     memory_limit=max_memory << 20 if max_memory else None)
    fmt = fmt or ("table" if result.kind != "select" or (sys.stdout.isatty() and not output) else "csv")
    payload = render(result, fmt)
    if output:
        write_atomic(output, payload)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(payload, nl=False)
    if result.kind == "ask":
        sys.exit(0 if result.boolean else 1)


# --- network analysis: centralities, soft-power indicators, GraphML/GEXF --------------------

def _selected_source(data_folders, store, statuses=()):
    """The data folders compiled with only the facts of ``statuses``, or the store as it was
    built, whose network the caller selects (``kgraph.network.by_status``)."""
    return _source(data_folders, store, statuses if store["spec"] == "memory" else ())


def _source_and_network(data_folders, store, statuses=()):
    """The graph and its entity network, only the facts of ``statuses``: selected as the
    data folders are compiled, or in the projection of a store (built with all of them)."""
    from .network import by_status, project

    source = _selected_source(data_folders, store, statuses)
    network = project(source)
    return source, network if store["spec"] == "memory" else by_status(network, statuses)


def _network(data_folders, store, statuses=()):
    return _source_and_network(data_folders, store, statuses)[1]


@cli.command()
@data_option
@store_option
@click.option("-m", "--metric", "metrics", multiple=True, type=click.Choice(METRICS),
              help="Metric to show (repeatable); default: all. The first one ranks the rows.")
@click.option("-c", "--class", "classes", multiple=True, metavar="CLASS",
              help="Only entities of this class or record kind (repeatable), e.g. University, "
                   "Programme, states. Metrics are still computed on the whole network.")
@click.option("-n", "--top", type=click.IntRange(min=1), help="Only the N highest-ranked rows.")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]), help="Output format.")
@status_option
def centrality(data_folders, store, metrics, classes, top, fmt, statuses):
    """Centralities of the entity network: degree, PageRank, betweenness, eigenvector,
    closeness and Louvain community (docs/network.md)."""
    from .indicators import centralities, rows_as_csv, rows_as_json, rows_as_table
    from .indicators import top as ranked

    metrics = list(dict.fromkeys(metrics)) or list(METRICS)
    rank_by = "pagerank" if len(metrics) == len(METRICS) else metrics[0]
    rows = ranked(centralities(_network(data_folders, store, statuses), metrics, classes), rank_by,
                  top)
    if fmt == "json":
        click.echo(rows_as_json(rows))
    elif fmt == "csv":
        click.echo(rows_as_csv(rows), nl=False)
    else:
        click.echo(rows_as_table(rows) if rows else "no entities match")


@cli.command()
@data_option
@store_option
@click.option("-i", "--indicator", "names", multiple=True, type=click.Choice(INDICATORS),
              help="Indicator to compute (repeatable); default: all four.")
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]),
              help="table: one table per indicator; csv: the tidy long form of indicators.csv; "
                   "json: {indicator: rows}.")
@status_option
def indicators(data_folders, store, names, fmt, statuses):
    """Soft-power indicators: channel portfolio, multi-vector index, benefactor balance and
    brokerage, with their formulas in docs/indicators.md."""
    from .indicators import LONG_COLUMNS, long_rows, rows_as_csv, rows_as_json, rows_as_table
    from .indicators import indicators as compute

    results = compute(_network(data_folders, store, statuses), list(dict.fromkeys(names)) or None)
    if fmt == "json":
        click.echo(rows_as_json(results))
    elif fmt == "csv":
        click.echo(rows_as_csv(long_rows(results), LONG_COLUMNS), nl=False)
    else:
        click.echo("\n\n".join(f"{name}:\n{rows_as_table(rows) if rows else '(no rows)'}"
                               for name, rows in results.items()))


@cli.command("graph-export")
@data_option
@store_option
@click.option("-f", "--format", "fmt", default="graphml", show_default=True,
              type=click.Choice(list(NETWORK_FORMATS)), help="Network file format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write; default: stdout.")
@click.option("--relation", "relations", multiple=True, help="Only edges of this relation (repeatable), e.g. hostState.")
@click.option("--channel", "channels", multiple=True, help="Only edges in this influence channel (repeatable), e.g. scholarships.")
@click.option("--class", "classes", multiple=True, help="Only entities of this class or record kind (repeatable).")
@click.option("--until", type=int, help="Only relations dated up to this year (undated ones are kept).")
@click.option("--actor", metavar="ENTITY",
              help="Only this entity's ego network: its id or any of its labels, in any language.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Radius of the ego network, in links.")
@status_option
def graph_export(data_folders, store, fmt, output, relations, channels, classes, until, actor, depth,
                 statuses):
    """Export the entity network as GraphML or GEXF for Gephi, Cytoscape or igraph."""
    from .files import write_atomic
    from .netexport import serialize_network
    from .network import entity_id, filter_network

    source, network = _source_and_network(data_folders, store, statuses)
    network = filter_network(network, relations=relations, channels=channels,
                             classes=classes, until=until, depth=depth,
                             actor=entity_id(source, actor, "--actor") if actor else None)
    payload = serialize_network(network, fmt)
    if output:
        write_atomic(output, payload)
        click.echo(f"wrote {output}: {network.number_of_nodes()} nodes, "
                   f"{network.number_of_edges()} edges", err=True)
    else:
        click.echo(payload, nl=False)


# --- serving: a read-only SPARQL 1.1 endpoint ----------------------------------------------

@cli.command()
@data_option
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any other than a loopback address makes the endpoint "
                   "reachable from other machines.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--timeout", default=30.0, show_default=True, metavar="SECONDS", type=SECONDS,
              help="Stop a query after this many seconds and answer 503.")
@click.option("--max-memory", default=1024, show_default=True, metavar="MB",
              type=MEGABYTES,
              help="Stop a query that needs more memory than this and answer 503.")
@click.option("--max-rows", default=10_000, show_default=True,
              type=click.IntRange(1, 100_000_000),
              help="Cut answers at this many rows or triples (the X-SPARQL-MaxRows header "
                   "says so).")
@click.option("--max-query-bytes", default=65_536, show_default=True,
              type=click.IntRange(1, 64 << 20), help="Refuse longer queries (413).")
@click.option("--idle-timeout", default=10.0, show_default=True, metavar="SECONDS",
              type=SECONDS,
              help="Close a connection that sends no complete request within this many "
                   "seconds (408 if it began one).")
@click.option("--max-connections", default=64, show_default=True,
              type=click.IntRange(1, 10_000),
              help="Refuse connections beyond this many open at once (503).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              callback=lambda ctx, param, names: _host_names(names),
              help="A host name clients may reach the server by (repeatable; '*': any). "
                   "Bound to loopback, it answers only localhost and IP addresses otherwise, "
                   "so that no web page can reach it by DNS rebinding.")
@click.option("-q", "--quiet", is_flag=True, help="Do not log requests to standard error.")
def serve(data_folders, store, host, port, timeout, max_memory, max_rows, max_query_bytes,
          idle_timeout, max_connections, allow_hosts, quiet):
    """Serve the graph as a read-only SPARQL 1.1 endpoint at /sparql, with a query page at /.

    Results as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, JSON-LD, N-Triples or
    RDF/XML, by the Accept header. Updates, SERVICE, LOAD and FROM are refused. Each query
    runs in a process of its own, within the time, memory and row limits (docs/serve.md).
    """
    from .serve import Limits, is_loopback, make_server, query_function
    from .store import queryable

    limits = Limits(timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes,
                    max_memory_mb=max_memory, idle_timeout=idle_timeout,
                    max_connections=max_connections)
    query = query_function(queryable(_source(data_folders, store)))
    server = make_server(query, host, port, limits,
                         log=None if quiet else lambda line: click.echo(line, err=True),
                         allow_hosts=allow_hosts)
    if not is_loopback(host):
        click.echo(f"Warning: listening on {host}: other machines can query the graph.", err=True)
    click.echo(f"SPARQL endpoint at {server.url}, query page at {server.url.removesuffix('sparql')}"
               " (Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


_HOST_NAME = re.compile(r"\*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?|\[?[0-9A-Fa-f:.]+\]?")


def _host_names(names) -> tuple[str, ...]:
    for name in names:
        if not _HOST_NAME.fullmatch(name):
            raise click.BadParameter(f"'{name}' is not a host name (e.g. kgraph.example.org), "
                                     "an address, or '*'.", param_hint="--allow-host")
    return tuple(names)


# --- synthetic data for benchmarks and scale tests ------------------------------------------

@cli.command()
@click.option("-n", "--triples", type=click.IntRange(min=1), required=True,
              help="About how many triples the data compiles to, the ontology included.")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="New or empty folder for the record files.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed and size write the same files.")
@click.option("--format", "file_format", type=click.Choice(SYNTH_FORMATS), default="yaml",
              show_default=True, help="Record files as YAML or as JSON Lines (faster to load).")
def synth(triples, out_dir, seed, file_format):
    """Write synthetic soft-power data in the project's input format, valid under the shapes.

    Every record kind, a source and quote on every fact, heavy-tailed degrees and years
    across decades; for benchmarks and scale tests (`kgraph build --data DIR`).
    """
    from .synth import synthesize

    summary = synthesize(triples, out_dir, seed, file_format)
    click.echo(f"wrote {sum(summary.records.values())} records of {len(summary.records)} kinds "
               f"in {len(summary.files)} files to {out_dir} (about {summary.estimated_triples} "
               "triples)")


# --- the report: briefs and the comparison ----------------------------------------------------

@cli.command()
@click.argument("entities", nargs=-1, required=True, metavar="ENTITY...")
@data_option
@store_option
@click.option("--compare", is_flag=True,
              help="One page comparing the ENTITY actors side by side (narrative, instruments, "
                   "channels, audiences, strengths, constraints), e.g. china russia united-states.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The page to write (one entity, or --compare); a folder for several entities. "
                   "Default: brief-ID.html, compare-A-B-C.html, or the current folder.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of names and page words, falling back visibly to English.")
@click.option("--until", type=int, metavar="YEAR",
              help="The network as of this year: relations dated later are left out, and the "
                   "measures are those of what remains.")
@status_option
def brief(entities, data_folders, store, compare, output, lang, until, statuses):
    """Write the brief of an external actor or a Central Asian state (or any entity), or with
    --compare the comparison of several actors: offline HTML pages, printable (docs/report.md)."""
    from .report.context import gather
    from .report.site import check_briefs, write_briefs, write_comparison

    check_briefs(list(entities), output, compare)
    context = gather(_selected_source(data_folders, store, statuses), lang=lang, until=until, statuses=statuses,
                     entities=list(entities))
    for note in context.notes:
        click.echo(f"note: {note}", err=True)
    paths = [write_comparison(context, list(entities), output)] if compare else \
        write_briefs(context, list(entities), output)
    for path in paths:
        click.echo(f"wrote {path}", err=True)


# --- interactive HTML graph --------------------------------------------------------------------

@cli.command()
@data_option
@store_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("graph.html"), show_default=True, help="HTML file to write.")
@click.option("--view", type=click.Choice(VIEWS),
              help="full: the whole network; actors-channels: external actors, the channels "
                   "they use and the Central Asian states they reach; ego: the entities around "
                   "--focus. Default: ego with --focus, else full.")
@click.option("--focus", metavar="ENTITY",
              help="Entity at the centre of the ego view: its id or any of its labels, in any "
                   "language.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Radius of the ego view, in links.")
@click.option("--channel", "channels", multiple=True,
              help="Only relations in this influence channel (repeatable), e.g. scholarships.")
@click.option("--class", "classes", multiple=True,
              help="Only entities of this class or record kind (repeatable).")
@click.option("--until", type=int, help="Only relations dated up to this year (undated ones are kept).")
@click.option("--size-by", type=click.Choice(SIZE_METRICS), default="pagerank", show_default=True,
              help="Centrality that sizes the nodes (their area grows with it).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the labels, falling back to English.")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the web browser.")
@status_option
def viz(data_folders, store, output, view, focus, depth, channels, classes, until, size_by, lang,
        open_page, statuses):
    """Write the network as one interactive HTML page that works offline (docs/viz.md)."""
    import webbrowser

    from .files import write_atomic
    from .viz import graph_page

    source, network = _source_and_network(data_folders, store, statuses)
    page = graph_page(source, network=network, view=view, focus=focus, depth=depth,
                      channels=channels, classes=classes, until=until, size_by=size_by, lang=lang)
    write_atomic(output, page.html)
    click.echo(f"wrote {output}: {page.nodes} nodes, {page.edges} edges", err=True)
    if open_page:
        webbrowser.open(output.resolve().as_uri())
