"""Benchmark the stores at scale: compile, validate, load, every named query, centrality.

For each size, synthetic data (``kgraph synth``) is compiled, loaded into an on-disk
Oxigraph store through kgraph, and queried with every named query; the same work done by
pyoxigraph directly (its own bulk loader on the same N-Triples, the same query text) runs in
the same process, so the ratios compare like with like. Each size runs in a child process
whose peak memory (max RSS) is reported.

    python benchmarks/bench_store.py                      # 10k and 100k triples
    python benchmarks/bench_store.py --sizes 10000 100000 1000000 --runs 3

Prints a table of medians (seconds) and ratios kgraph / raw Oxigraph, and the start-up time
of everyday commands.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def measure(size: int, runs: int, with_pyshacl: bool) -> dict:
    import pyoxigraph

    from kgraph.build import load_graph
    from kgraph.export import serialize
    from kgraph.indicators import centralities
    from kgraph.network import project
    from kgraph.query import bind_parameters, named_queries, run
    from kgraph.store import OxigraphStore
    from kgraph.synth import synthesize
    from kgraph.terms import to_oxigraph
    from kgraph.validate import PYSHACL_MAX_TRIPLES, validate

    row: dict = {"requested": size}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        row["synth_s"], _ = timed(lambda: synthesize(size, folder / "data", 1), 1)
        row["compile_s"], kg = timed(lambda: load_graph([folder / "data"]), 1)
        row["triples"] = len(kg.graph)
        # kgraph's choice: pyshacl up to PYSHACL_MAX_TRIPLES, the SPARQL shape check above.
        row["validator"] = "pyshacl" if len(kg.graph) <= PYSHACL_MAX_TRIPLES else "sparql"
        row["validate_s"], report = timed(lambda: validate(kg), 1)
        row["violations"] = len(report.errors)
        if with_pyshacl and row["validator"] == "sparql":
            row["pyshacl_s"], _ = timed(lambda: validate(kg, engine="pyshacl"), 1)
        # What kgraph build writes, and loads into the store.
        row["write_turtle_s"], _ = timed(
            lambda: (folder / "softpower.ttl").write_bytes(serialize(kg.graph, "turtle")), 1)
        turtle = folder / "softpower.ttl"

        def raw_load(index=[0]):
            index[0] += 1
            store = pyoxigraph.Store(str(folder / f"raw{index[0]}"))
            store.bulk_load(path=str(turtle), format=pyoxigraph.RdfFormat.TURTLE)
            store.flush()
            return store

        def kgraph_load(index=[0]):
            index[0] += 1
            store = OxigraphStore(folder / f"kgraph{index[0]}", create=True)
            store.load(kg.graph, quiet=True, turtle_file=turtle)
            return store

        row["raw_load_s"], raw = timed(raw_load, runs)
        row["kgraph_load_s"], store = timed(kgraph_load, runs)
        queries = {}
        for name, named in sorted(named_queries().items()):
            bindings = bind_parameters(store, named, {})
            substitutions = {pyoxigraph.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
            # The named queries declare their prefixes, so the raw engine runs the same text.
            raw_s, _ = timed(lambda: list(raw.query(named.text, substitutions=substitutions or None)),
                             runs)
            ours_s, _ = timed(lambda: run(store, name), runs)
            queries[name] = (ours_s, raw_s)
        row["queries"] = queries
        row["centrality_s"], _ = timed(lambda: centralities(project(store)), 1)
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def table(rows: list[dict]) -> str:
    lines = ["| triples | compile | validate | write Turtle | load kgraph | load raw | ratio | slowest query (kgraph / raw) | worst query ratio | centrality | peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        slowest = max(row["queries"].items(), key=lambda item: item[1][0])
        worst = max(row["queries"].items(), key=lambda item: item[1][0] / max(item[1][1], 1e-9))
        validate_cell = (f"{row['validate_s']:.2f} s by {row['validator']} "
                         f"({row['violations']} violations)")
        if "pyshacl_s" in row:
            validate_cell += f"; pyshacl {row['pyshacl_s']:.0f} s"
        lines.append(
            f"| {row['triples']:,} | {row['compile_s']:.2f} s | {validate_cell} | "
            f"{row['write_turtle_s']:.2f} s | "
            f"{row['kgraph_load_s']:.2f} s | {row['raw_load_s']:.2f} s | "
            f"{row['kgraph_load_s'] / row['raw_load_s']:.2f} | {slowest[0]} {slowest[1][0]:.3f} / "
            f"{slowest[1][1]:.3f} s | {worst[0]} {worst[1][0] / max(worst[1][1], 1e-9):.2f} | "
            f"{row['centrality_s']:.2f} s | {row['peak_rss_mb']:.0f} MB |")
    return "\n".join(lines)


def query_table(rows: list[dict]) -> str:
    names = sorted(rows[0]["queries"])
    header = "| query | " + " | ".join(f"{row['triples']:,} kgraph / raw (ratio)" for row in rows) + " |"
    lines = [header, "|---" * (len(rows) + 1) + "|"]
    for name in names:
        cells = []
        for row in rows:
            ours, raw = row["queries"][name]
            cells.append(f"{ours * 1000:.1f} / {raw * 1000:.1f} ms ({ours / max(raw, 1e-9):.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
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
    parser.add_argument("--with-pyshacl", action="store_true",
                        help="time pyshacl too where kgraph uses the SPARQL shape check (slow)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(measure(options.child, options.runs, options.with_pyshacl)))
        return
    rows = []
    for size in options.sizes:
        done = subprocess.run([sys.executable, __file__, "--child", str(size), "--runs",
                               str(options.runs)] + (["--with-pyshacl"] if options.with_pyshacl else []),
                              capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.splitlines()[-1]))
        print(f"measured {rows[-1]['triples']:,} triples", file=sys.stderr)
    print(table(rows))
    print()
    print(query_table(rows))
    print()
    print(startup(max(options.runs, 5)))


if __name__ == "__main__":
    main()
