"""Benchmark the on-disk store at scale: build (load + validate), every named query,
centrality and the page, against pyoxigraph doing the same work directly.

For each size, synthetic data (``kgraph synth``, as YAML and as JSON Lines) is built into an
on-disk Oxigraph store the way ``kgraph build --store oxigraph:DIR`` does it (``kgraph.bulk``),
and pyoxigraph bulk-loads the same triples (the store's N-Triples dump) into a store of its
own; every build and raw load runs in a fresh process, whose peak memory (max RSS) is reported. kgraph also builds
from that N-Triples file as a Turtle input of a data folder, to compare loading RDF like
with like. Every named query then runs through kgraph and as the same text in pyoxigraph,
on the same store, in the same process.

    python benchmarks/bench_store.py                      # 10k and 100k triples
    python benchmarks/bench_store.py --sizes 10000 100000 1000000 --runs 3
    python benchmarks/bench_store.py --sizes 10000000 --runs 1 --network-max 0 --no-queries
    python benchmarks/bench_store.py --queries-of graph-db --runs 1   # an existing store

Prints tables of medians (seconds) and ratios kgraph / raw Oxigraph, and the start-up time
of everyday commands.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(function, runs: int):
    """The median wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# A process started by another inherits the peak memory of its parent in the max RSS that
# os.wait4 reports (Linux keeps the parent's high-water mark across vfork and exec): a child of
# this process, which holds a compiled graph, would report at least this process's peak. So
# the children report their own peak (VmHWM), and an external command is timed by a child.

def process_peak_mb() -> float:
    """This process's peak memory, or that of a helper process it has waited for if larger
    (what os.wait4 reports for a process), in MB."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    own_kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    return max(own_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def in_child(*arguments: str) -> dict:
    """Run this script with ``arguments`` in a fresh process: its JSON answer, which holds its
    own peak memory."""
    done = subprocess.run([sys.executable, __file__, *arguments], stdout=subprocess.PIPE, text=True,
                          check=True)
    return json.loads(done.stdout.splitlines()[-1])


def medians(answers: list[dict]) -> dict:
    return {key: statistics.median(answer[key] for answer in answers)
            if isinstance(answers[0][key], (int, float)) else answers[0][key] for key in answers[0]}


# --- what the child processes do ----------------------------------------------------------------

def child_build(data: str, store_path: str, out: str) -> dict:
    """What ``kgraph build --store oxigraph:DIR --no-network`` does, phase by phase."""
    from kgraph.bulk import bulk_load
    from kgraph.pipeline import GRAPH_FILE
    from kgraph.stats import graph_stats
    from kgraph.store import OxigraphStore
    from kgraph.validate import PYSHACL_MAX_TRIPLES, check_shapes

    target = OxigraphStore(Path(store_path), target=True)
    times = {}
    with target.locked_for_build(), target.staging() as staged:
        times["load_s"], loaded = timed(lambda: bulk_load([Path(data)], staged, quiet=True), 1)
        times["reading_s"] = loaded.reading_seconds
        times["validate_s"], report = timed(lambda: check_shapes(staged, loaded.origin), 1)
        times["violations"] = len(report.errors)
        times["validator"] = "pyshacl" if staged.triple_count() <= PYSHACL_MAX_TRIPLES else "SPARQL"
        times["turtle_s"], _ = timed(lambda: staged.dump(Path(out) / GRAPH_FILE), 1)
        times["stats_s"], stats = timed(lambda: graph_stats(staged), 1)
        target.replace_with(staged)
    return {**times, "triples": stats.triples}


def child_raw_load(ntriples: str, store_path: str) -> dict:
    import pyoxigraph

    def load():
        store = pyoxigraph.Store(store_path)
        store.bulk_load(path=ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()

    seconds, _ = timed(load, 1)
    return {"load_s": seconds}


# --- one size ----------------------------------------------------------------------------------

def measure(size: int, runs: int, network_max: int, folder: Path, queries: bool) -> dict:
    row: dict = {"requested": size}
    nt_folder = folder / "rdf-input"
    from kgraph.synth import FORMATS, synthesize

    for file_format in FORMATS:
        data = folder / file_format
        synthesize(size, data, 1, file_format)
        builds = []
        for run in range(runs):
            shutil.rmtree(folder / "kgraph-store", ignore_errors=True)
            builds.append(in_child("--child-build", str(data), str(folder / "kgraph-store"), str(folder / "out")))
        row[file_format] = medians(builds)
    row["triples"] = row["yaml"]["triples"]

    from kgraph.store import OxigraphStore

    store = OxigraphStore(folder / "kgraph-store")
    nt_folder.mkdir()
    store.dump(nt_folder / "graph.nt", "nt")
    raws = []
    for run in range(runs):
        shutil.rmtree(folder / "raw-store", ignore_errors=True)
        raws.append(in_child("--child-raw", str(nt_folder / "graph.nt"), str(folder / "raw-store")))
    row["raw"] = medians(raws)
    # The same triples as an RDF input of kgraph: N-Triples is Turtle.
    (nt_folder / "graph.nt").rename(nt_folder / "graph.ttl")
    shutil.rmtree(folder / "rdf-store", ignore_errors=True)
    row["rdf_input"] = in_child("--child-build", str(nt_folder), str(folder / "rdf-store"), str(folder / "out-rdf"))
    if queries:
        row["queries"] = measure_queries(store, runs)
    if row["triples"] <= network_max:
        row["network"] = in_child("--child-network", str(folder / "kgraph-store"), str(folder / "page.html"))
    return row


def measure_queries(store, runs: int) -> dict:
    """Every named query through kgraph and as the same text in pyoxigraph, both on the same
    store files (a store loaded separately can answer at another speed: its files are laid
    out and cached differently)."""
    import pyoxigraph

    from kgraph.query import bind_parameters, named_queries, prepare, run
    from kgraph.terms import to_oxigraph

    raw = pyoxigraph.Store.read_only(str(store.path))

    def both(named, given: dict) -> tuple[float, float, list]:
        bindings = bind_parameters(store, named, given)
        substitutions = {pyoxigraph.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        # The named queries declare their prefixes, so the raw engine runs the same text.
        raw_s, raw_rows = timed(lambda: list(raw.query(named.text, substitutions=substitutions or None)), runs)
        prepare(named.text, f"query '{named.name}'")  # warm: parsed once, as in a serving process
        ours_s, _ = timed(lambda: run(store, named.name, **given), runs)
        return ours_s, raw_s, raw_rows

    queries = {}
    for name, named in sorted(named_queries().items()):
        ours_s, raw_s, raw_rows = both(named, {})
        queries[name] = (ours_s, raw_s)
        # A parameter without a default makes the query list everything when it is not
        # given (fact-sources: every fact); its everyday use asks about one entity, timed
        # here with the first one the listing names.
        for parameter in named.parameters:
            if parameter.default is None and raw_rows:
                one = {parameter.name: raw_rows[0][parameter.name].value}
                ours_s, raw_s, _ = both(named, one)
                queries[f"{name}, one {parameter.name}"] = (ours_s, raw_s)
    return queries


def measure_network(store, page: Path) -> dict:
    """What ``kgraph build`` does with the network: project it, compute every centrality and
    indicator (``centrality.csv``, ``indicators.csv``) and write the page."""
    from kgraph.indicators import centralities, indicators
    from kgraph.network import project
    from kgraph.pipeline import PAGE_MAX_NODES
    from kgraph.viz import write_graph_html

    project_s, network = timed(lambda: project(store), 1)
    centrality_s, _ = timed(lambda: centralities(network), 1)
    indicators_s, _ = timed(lambda: indicators(network), 1)
    view = "actors-channels" if network.number_of_nodes() > PAGE_MAX_NODES else None
    viz_s, _ = timed(lambda: write_graph_html(store, page, network=network, view=view), 1)
    return {"nodes": network.number_of_nodes(), "edges": network.number_of_edges(),
            "project_s": project_s, "centrality_s": centrality_s, "indicators_s": indicators_s,
            "viz_s": viz_s, "view": view or "full", "page_mb": page.stat().st_size / 1e6}


def child_network(store_path: str, page: str) -> dict:
    """The network of an on-disk store, in a process of its own whose peak memory is its."""
    from kgraph.store import OxigraphStore

    return measure_network(OxigraphStore(Path(store_path)), Path(page))


# --- tables ------------------------------------------------------------------------------------

def load_table(rows: list[dict]) -> str:
    """The load of each input format against pyoxigraph's bulk load of the same triples."""
    lines = ["| triples | raw load | YAML: load (reading), ratio | JSON Lines: load (reading), ratio | "
             "RDF input: load, ratio | peak RSS of the build: YAML / JSON Lines / raw |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        raw = row["raw"]["load_s"]
        cells = [f"{build['load_s']:.2f} s ({build['reading_s']:.2f} s), {build['load_s'] / raw:.2f}"
                 for build in (row["yaml"], row["jsonl"])]
        lines.append(
            f"| {row['triples']:,} | {raw:.2f} s | {cells[0]} | {cells[1]} | "
            f"{row['rdf_input']['load_s']:.2f} s, {row['rdf_input']['load_s'] / raw:.2f} | "
            f"{row['yaml']['peak_mb']:,.0f} / {row['jsonl']['peak_mb']:,.0f} / {row['raw']['peak_mb']:,.0f} MB |")
    return "\n".join(lines)


def after_load_table(rows: list[dict]) -> str:
    """What a build does once the store is loaded (the YAML builds; the same store either way)."""
    lines = ["| triples | validate | write Turtle | count |", "|---|---|---|---|"]
    for row in rows:
        build = row["yaml"]
        lines.append(f"| {row['triples']:,} | {build['validate_s']:.2f} s by {build['validator']}, "
                     f"{build['violations']:.0f} violations | {build['turtle_s']:.2f} s | {build['stats_s']:.2f} s |")
    return "\n".join(lines)


def query_table(rows: list[dict]) -> str:
    names = sorted(rows[0]["queries"])
    header = "| query | " + " | ".join(f"{row['triples']:,}: kgraph / raw (ratio)" for row in rows) + " |"
    lines = [header, "|---" * (len(rows) + 1) + "|"]
    for name in names:
        cells = []
        for row in rows:
            ours, raw = row["queries"][name]
            cells.append(f"{ours:.3f} / {raw:.3f} s ({ours / max(raw, 1e-9):.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def network_table(rows: list[dict]) -> str:
    """The network stage of a build; its peak memory where it ran in a process of its own."""
    lines = ["| triples | nodes | edges | projection | centralities | indicators | page (view, size) | peak RSS |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        if "network" in row:
            net = row["network"]
            peak = f"{net['peak_mb']:,.0f} MB" if "peak_mb" in net else "-"
            lines.append(f"| {row['triples']:,} | {net['nodes']:,} | {net['edges']:,} | {net['project_s']:.2f} s | "
                         f"{net['centrality_s']:.2f} s | {net['indicators_s']:.2f} s | "
                         f"{net['viz_s']:.2f} s ({net['view']}, {net['page_mb']:.1f} MB) | {peak} |")
    return "\n".join(lines)


def startup(runs: int) -> str:
    """Wall time of commands a user types often, each a fresh process (imports included)."""
    commands = {"kgraph --help": ["--help"],
                "kgraph queries": ["queries"],
                "kgraph query branch-campuses (bundled data)": ["query", "branch-campuses", "-f", "csv"]}
    lines = ["| command | median wall time |", "|---|---|"]
    for label, arguments in commands.items():
        seconds, _ = timed(lambda: subprocess.run([sys.executable, "-m", "kgraph", *arguments],
                                                  capture_output=True, check=True), runs)
        lines.append(f"| `{label}` | {seconds:.2f} s |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--network-max", type=int, default=2_000_000,
                        help="measure centrality and the page up to this many triples")
    parser.add_argument("--no-queries", action="store_true",
                        help="skip the named queries (e.g. at 10M, where they take half an hour)")
    parser.add_argument("--queries-of", type=Path, metavar="DIR",
                        help="only time the named queries on an existing on-disk store")
    parser.add_argument("--network-of", type=Path, metavar="DIR",
                        help="only measure the network stage on an existing on-disk store")
    parser.add_argument("--child-build", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-network", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-raw", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child_build:
        print(json.dumps({**child_build(*options.child_build), "peak_mb": process_peak_mb()}))
        return
    if options.child_raw:
        print(json.dumps({**child_raw_load(*options.child_raw), "peak_mb": process_peak_mb()}))
        return
    if options.child_network:
        print(json.dumps({**child_network(*options.child_network), "peak_mb": process_peak_mb()}))
        return
    if options.network_of:
        from kgraph.store import OxigraphStore

        with tempfile.TemporaryDirectory() as folder:
            network = in_child("--child-network", str(options.network_of), str(Path(folder) / "page.html"))
        print(network_table([{"triples": OxigraphStore(options.network_of).triple_count(), "network": network}]))
        return
    if options.queries_of:
        from kgraph.store import OxigraphStore

        store = OxigraphStore(options.queries_of)
        print(query_table([{"triples": store.triple_count(), "queries": measure_queries(store, options.runs)}]))
        return
    rows = []
    for size in options.sizes:
        with tempfile.TemporaryDirectory() as folder:
            rows.append(measure(size, options.runs, options.network_max, Path(folder),
                                not options.no_queries))
        print(f"measured {rows[-1]['triples']:,} triples", file=sys.stderr)
        print(json.dumps(rows[-1]), file=sys.stderr)
    print(load_table(rows))
    print()
    print(after_load_table(rows))
    print()
    if not options.no_queries:
        print(query_table(rows))
        print()
    print(network_table(rows))
    print()
    print(startup(max(options.runs, 5)))


if __name__ == "__main__":
    main()
