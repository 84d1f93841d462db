"""The ``kgraph`` command line: a thin click layer over the library.

Each command parses options, calls one library function and formats its result. Heavy
libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands that need
them, so that ``kgraph --help`` starts at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import KgraphError


class _Group(click.Group):
    """Reports kgraph's own errors as a message and an exit status, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgraphError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def data_option(command):
    """``--data DIR`` (repeatable): the data folders to read; the bundled data by default."""
    return click.option(
        "--data", "data_folders", multiple=True, type=click.Path(path_type=Path),
        help="Data folder of YAML records and Turtle files (repeatable). "
             "Default: the bundled data.")(command)


def _folders(data_folders) -> list[Path] | None:
    return list(data_folders) or None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kgraph")
def cli():
    """kgraph: the soft-power knowledge graph.

    Build, validate, query, measure and export a graph of who projects influence where
    and how (branch campuses, scholarships, language programmes, cultural centres,
    summits, tech academies), with every fact traceable to a quoted source.
    """


@cli.command()
@data_option
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="Folder for the outputs.")
def build(data_folders, out_dir):
    """Load, validate and write the graph and its outputs."""
    from .pipeline import build as run_build
    from .stats import format_stats

    result = run_build(_folders(data_folders), out_dir)
    click.echo(format_stats(result.stats))
    click.echo(f"\nvalidation: {result.report.summary()}")
    for warning in result.report.warnings:
        click.echo(f"  {warning.describe()}")
    for path in result.outputs:
        click.echo(f"wrote {path}")


@cli.command()
@data_option
def validate(data_folders):
    """Check the data against the SHACL shapes and report in human terms."""
    from .build import load_graph
    from .validate import validate as run_validate

    report = run_validate(load_graph(_folders(data_folders)))
    for violation in report.violations:
        click.echo(violation.describe())
    click.echo(f"{report.summary()}: {'conforms' if report.conforms else 'does not conform'}")
    sys.exit(0 if report.conforms else 1)


@cli.command()
@data_option
@click.option("-f", "--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "nt", "jsonld", "trig", "xml"]),
              help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write; default: stdout.")
def export(data_folders, fmt, output):
    """Export the graph in an RDF format (byte-identical for the same data)."""
    from .build import load_graph
    from .export import serialize
    from .files import write_atomic

    payload = serialize(load_graph(_folders(data_folders)).graph, fmt)
    if output:
        write_atomic(output, payload)
        click.echo(f"wrote {output}", err=True)
    else:
        click.get_binary_stream("stdout").write(payload)


@cli.command()
@data_option
@click.option("-f", "--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json"]), help="Output format.")
def stats(data_folders, fmt):
    """Counts by class, by relation and by source."""
    from .build import load_graph
    from .stats import format_stats, graph_stats

    counts = graph_stats(load_graph(_folders(data_folders)).graph)
    click.echo(json.dumps(counts.as_dict(), indent=2) if fmt == "json" else format_stats(counts))


@cli.command("check-quotes")
@data_option
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder holding the source texts named by the sources' text_file.")
def check_quotes(data_folders, corpus):
    """Check that every quote occurs verbatim in the source text it cites."""
    from .build import load_graph
    from .errors import InputError
    from .quotes import check_quotes as run_check

    if not corpus.is_dir():
        raise InputError(f"Corpus folder '{corpus}' does not exist; expected the folder of "
                         "source texts.")
    checked, problems = run_check(load_graph(_folders(data_folders)).graph, corpus)
    for problem in problems:
        click.echo(problem.describe())
    click.echo(f"{checked} quotes checked, {len(problems)} not found")
    sys.exit(1 if problems else 0)
