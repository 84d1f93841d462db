"""The main job: from data folders to a validated graph and its outputs in one folder."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError
from .files import staged_outputs, write_atomic
from .stats import GraphStats, graph_stats
from .validate import ValidationReport

GRAPH_FILE = "softpower.ttl"
#: Above this many nodes the build's page draws the overview of external actors, channels
#: and Central Asian states: a browser stays interactive with about 20,000 nodes.
PAGE_MAX_NODES = 20_000


@dataclass
class BuildResult:
    """What a build made: the graph (a ``KnowledgeGraph``, or the store it was built into),
    its validation, its counts, the data folders it read, the files written and the triples
    the store holds."""

    source: object
    report: ValidationReport
    stats: GraphStats
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stored: int | None = None
    data_folders: list[Path] = field(default_factory=list)


def build(data_folders: list[Path] | None = None, out_dir: Path = Path("build"), store=None,
          quiet: bool = False, validator: str = "auto", network: bool = True,
          statuses=None, site: bool = True, wait: bool = False, on_wait=None) -> BuildResult:
    """Load, compile, validate, then write the outputs and fill the store (``kgraph.store``)
    if one is given. ``network=False`` leaves out the network outputs (centralities,
    indicators, page, site); ``site=False`` leaves out the report site only
    (``kgraph.report.site``: index, briefs, comparison, charts); ``statuses`` keeps only the
    facts of those epistemic statuses (``kgraph.statuses``: ``["stated"]`` is the strictest
    graph).

    The outputs are written in a hidden folder of ``out_dir`` and moved into it only once
    everything has succeeded, the store filled included: a failed build writes nothing.

    A store is built file by file (``kgraph.bulk``), without the graph in memory: an on-disk
    Oxigraph store directly, under its build lock (another build holding it: refused, or
    with ``wait`` waited for, ``on_wait`` called with a message first), a SPARQL engine by
    upload from a temporary one. Without a store the graph is compiled in memory.
    """
    from .load import data_folders as folders_read
    from .store import OxigraphStore

    with staged_outputs(out_dir) as outputs:
        if isinstance(store, OxigraphStore):
            result = _build_on_disk(data_folders, outputs, store, quiet, validator, network,
                                    statuses, site, wait, on_wait)
        elif store is not None:
            result = _build_and_upload(data_folders, outputs, store, quiet, validator, network,
                                       statuses, site)
        else:
            result = _build_in_memory(data_folders, outputs, validator, quiet, network, statuses,
                                      site)
    result.data_folders = folders_read(data_folders)
    return result


def _build_in_memory(data_folders, outputs, validator: str, quiet: bool, network: bool,
                     statuses, site: bool) -> BuildResult:
    from .build import load_graph
    from .export import serialize
    from .validate import validate

    kg = load_graph(data_folders, statuses)
    report = _conforming(validate(kg, engine=validator, quiet=quiet))
    result = BuildResult(kg, report, graph_stats(kg.graph))
    result.outputs.append(write_atomic(outputs.folder / GRAPH_FILE, serialize(kg.graph, "turtle")))
    if network:
        _network_outputs(kg, outputs.folder, result, site)
    result.outputs = outputs.commit(result.outputs)
    return result


def _build_on_disk(data_folders, outputs, store, quiet: bool, validator: str, network: bool,
                   statuses, site: bool, wait: bool, on_wait) -> BuildResult:
    """Under the store's lock: fill a staging store, validate it in Oxigraph, write the
    outputs from it, put it in the store's place, and only then the outputs in theirs."""
    from .store import reached

    with store.locked_for_build(wait, on_wait), store.staging() as staged:
        result = _fill(data_folders, staged, outputs, quiet, validator, network, statuses, site,
                       keep_measures=True)
        outputs.check(result.outputs)
        reached("validated")
        store.replace_with(staged)
        result.outputs = outputs.commit(result.outputs)
        reached("committed")
    result.source, result.stored = store, result.stats.triples
    return result


def _build_and_upload(data_folders, outputs, store, quiet: bool, validator: str,
                      network: bool, statuses, site: bool) -> BuildResult:
    """Fill and validate a temporary Oxigraph store, upload it to the engine, then put the
    outputs in place."""
    from .store import OxigraphStore

    with tempfile.TemporaryDirectory(prefix="kgraph-upload-") as folder:
        staged = OxigraphStore(Path(folder) / "graph", create=True)
        result = _fill(data_folders, staged, outputs, quiet, validator, network, statuses, site)
        result.stored = store.load(staged, quiet)
        staged.close()
    result.outputs = outputs.commit(result.outputs)
    result.source = store
    return result


def _fill(data_folders, staged, outputs, quiet: bool, validator: str, network: bool,
          statuses, site: bool, keep_measures: bool = False) -> BuildResult:
    """Load the data folders into an empty store, check the shapes there, and write the
    outputs from it into the staging folder; with ``keep_measures``, keep the network's
    measures in the store's folder (``kgraph.storedmeasures``), once it is closed."""
    from .bulk import bulk_load
    from .validate import check_shapes

    loaded = bulk_load(data_folders, staged, quiet, statuses)
    report = _conforming(check_shapes(staged, loaded.origin, engine=validator, quiet=quiet))
    result = BuildResult(staged, report, graph_stats(staged), [staged.dump(outputs.folder / GRAPH_FILE)])
    if network:
        measured = _network_outputs(staged, outputs.folder, result, site)
        if keep_measures:
            from .storedmeasures import disagreement_subjects, write_measures

            disagreements = disagreement_subjects(staged)
            staged.close()  # its files are final once it is closed
            write_measures(staged, *measured, disagreements)
    return result


def _conforming(report: ValidationReport) -> ValidationReport:
    if not report.conforms:
        raise DataError(f"The graph does not conform to the shapes: {report.summary()}. "
                        "Nothing was written.", [v.describe() for v in report.errors])
    return report


def _network_outputs(source, out_dir: Path, result: BuildResult, site: bool) -> tuple:
    """The centralities, the indicators, the page and the report site, from one projection
    of the network, one computation of its measures and one reading of its quotes; the
    network and its measures are returned for the store to keep."""
    from .indicators import measure, write_network_outputs
    from .network import project
    from .store import queryable
    from .viz import GRAPH_HTML_FILE, load_evidence, write_graph_html

    network = project(source)
    measures = measure(network)
    result.outputs += write_network_outputs(network, out_dir, measures)
    evidence = load_evidence(queryable(source))
    view = None
    if network.number_of_nodes() > PAGE_MAX_NODES:
        view = "actors-channels"
        result.notes.append(
            f"{GRAPH_HTML_FILE} draws the external actors, channels and Central Asian states: the "
            f"network has {network.number_of_nodes():,} nodes, more than a page shows "
            f"({PAGE_MAX_NODES:,}); kgraph viz --focus ID draws any part of it.")
    result.outputs.append(write_graph_html(source, out_dir / GRAPH_HTML_FILE, network=network,
                                           view=view, evidence=evidence))
    if site:
        # Imported here: the report uses the stages, and no stage imports it at load time.
        from .report.site import write_site

        written = write_site(source, out_dir, network=network, measures=measures, evidence=evidence)
        result.outputs += written.outputs
        result.notes += written.notes
    return network, measures
