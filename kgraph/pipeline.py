"""The main job: from data folders to a validated graph and its outputs in one folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .build import KnowledgeGraph, load_graph
from .errors import DataError
from .export import serialize
from .files import write_atomic
from .indicators import write_network_outputs
from .network import project
from .stats import GraphStats, graph_stats
from .validate import ValidationReport, validate
from .viz import GRAPH_HTML_FILE, write_graph_html

GRAPH_FILE = "softpower.ttl"


@dataclass
class BuildResult:
    """What a build made: the graph, its validation, its counts and the files written."""

    kg: KnowledgeGraph
    report: ValidationReport
    stats: GraphStats
    outputs: list[Path] = field(default_factory=list)


def build(data_folders: list[Path] | None = None, out_dir: Path = Path("build"), store=None,
          quiet: bool = False, validator: str = "auto") -> BuildResult:
    """Load, compile, validate, then write the outputs and fill the store (``kgraph.store``)
    if one is given; write nothing if the data is invalid."""
    kg = load_graph(data_folders)
    report = validate(kg, engine=validator)
    if not report.conforms:
        raise DataError(f"The graph does not conform to the shapes: {report.summary()}. "
                        "Nothing was written.", [v.describe() for v in report.errors])
    out_dir = Path(out_dir)
    outputs = [write_atomic(out_dir / GRAPH_FILE, serialize(kg.graph, "turtle"))]
    network = project(kg)  # once, for the CSVs and the page
    outputs += write_network_outputs(network, out_dir)
    outputs.append(write_graph_html(kg, out_dir / GRAPH_HTML_FILE, network=network))
    if store is not None:
        store.load(kg.graph, quiet, turtle_file=outputs[0])
    return BuildResult(kg, report, graph_stats(kg.graph), outputs)
