"""The main job: from data folders to a validated graph and its outputs in one folder."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .files import write_atomic
from .stats import GraphStats, graph_stats
from .validate import ValidationReport

GRAPH_FILE = "softpower.ttl"
#: Above this many nodes the build's page draws the overview of external actors, channels
#: and Central Asian states: a browser stays interactive with about 20,000 nodes.
PAGE_MAX_NODES = 20_000


@dataclass
class BuildResult:
    """What a build made: the graph (a ``KnowledgeGraph``, or the store it was built into),
    its validation, its counts, the data folders it read and the files written."""

    source: object
    report: ValidationReport
    stats: GraphStats
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data_folders: list[Path] = field(default_factory=list)


def build(data_folders: list[Path] | None = None, out_dir: Path = Path("build"), store=None,
          quiet: bool = False, validator: str = "auto", network: bool = True,
          statuses=None) -> BuildResult:
    """Load, compile, validate, then write the outputs and fill the store (``kgraph.store``)
    if one is given; write nothing if the data is invalid. ``network=False`` leaves out the
    network outputs (centralities, indicators, page); ``statuses`` keeps only the facts of
    those epistemic statuses (``kgraph.statuses``: ``["stated"]`` is the strictest graph).

    A store is built file by file (``kgraph.bulk``), without the graph in memory: an on-disk
    Oxigraph store directly, a SPARQL engine by upload from a temporary one. Without a store
    the graph is compiled in memory.
    """
    from .load import data_folders as folders_read
    from .store import OxigraphStore

    if isinstance(store, OxigraphStore):
        result = _build_on_disk(data_folders, Path(out_dir), store, quiet, validator, network,
                                statuses)
    elif store is not None:
        with tempfile.TemporaryDirectory(prefix="kgraph-upload-") as folder:
            staged = OxigraphStore(Path(folder) / "graph", create=True)
            result = _build_on_disk(data_folders, Path(out_dir), staged, quiet, validator, network,
                                    statuses)
            store.load(staged, quiet)
            staged.close()
        result.source = store
    else:
        result = _build_in_memory(data_folders, Path(out_dir), quiet, validator, network, statuses)
    result.data_folders = folders_read(data_folders)
    return result


def _build_in_memory(data_folders, out_dir: Path, quiet: bool, validator: str,
                     network: bool, statuses) -> BuildResult:
    from .build import load_graph
    from .export import serialize
    from .validate import validate

    kg = load_graph(data_folders, statuses)
    report = _conforming(validate(kg, engine=validator, quiet=quiet))
    result = BuildResult(kg, report, graph_stats(kg.graph))
    result.outputs.append(write_atomic(out_dir / GRAPH_FILE, serialize(kg.graph, "turtle")))
    if network:
        _network_outputs(kg, out_dir, result)
    return result


def _build_on_disk(data_folders, out_dir: Path, store, quiet: bool, validator: str,
                   network: bool, statuses=None) -> BuildResult:
    """Fill a staging store, validate it in Oxigraph, write the outputs from it, and only
    then put it in the store's place."""
    from .bulk import bulk_load, staging_store
    from .validate import check_shapes

    with staging_store(store) as staged:
        loaded = bulk_load(data_folders, staged, quiet, statuses)
        report = _conforming(check_shapes(staged, loaded.origin, engine=validator, quiet=quiet))
        result = BuildResult(store, report, graph_stats(staged), [staged.dump(out_dir / GRAPH_FILE)])
        if network:
            _network_outputs(staged, out_dir, result)
    store.replace_with(staged)
    return result


def _conforming(report: ValidationReport) -> ValidationReport:
    if not report.conforms:
        raise DataError(f"The graph does not conform to the shapes: {report.summary()}. "
                        "Nothing was written.", [v.describe() for v in report.errors])
    return report


def _network_outputs(source, out_dir: Path, result: BuildResult) -> None:
    """The centralities, the indicators and the page, from one projection of the network."""
    from .indicators import write_network_outputs
    from .network import project
    from .viz import GRAPH_HTML_FILE, write_graph_html

    network = project(source)
    result.outputs += write_network_outputs(network, out_dir)
    view = None
    if network.number_of_nodes() > PAGE_MAX_NODES:
        view = "actors-channels"
        result.notes.append(
            f"{GRAPH_HTML_FILE} draws the external actors, channels and Central Asian states: the "
            f"network has {network.number_of_nodes():,} nodes, more than a page shows "
            f"({PAGE_MAX_NODES:,}); kgraph viz --focus ID draws any part of it.")
    result.outputs.append(write_graph_html(source, out_dir / GRAPH_HTML_FILE, network=network, view=view))
