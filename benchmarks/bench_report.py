"""The report site: what it adds to ``kgraph build``, how large it is, how fast its pages
open, and how it holds at a million triples.

    python benchmarks/bench_report.py [--runs 3]                 # the bundled data
    python benchmarks/bench_report.py --triples 1000000 --runs 1  # synthetic data, on disk

Bundled data: ``kgraph build`` in a fresh process with the site and with ``--no-site``
(medians of --runs), the size of every file of the site, and each page's opening time in
headless Chromium (navigation until the load event; for graph.html until its layout has
settled), medians of --runs.

Synthetic data (``kgraph synth --format jsonl``, built with ``kgraph build --store
oxigraph:DIR --no-site``): in a fresh process, the network stage as the build runs it
(projection, measures, quotes), then the site on top of it (what the build adds: the index
with the briefs of the 50 external actors with the most instruments and of the Central
Asian states, the comparison, the charts, GraphML), the brief of the largest actor and the
comparison alone on the same context; and ``kgraph brief`` of the largest actor from the
command line, which gathers its own context.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
KGRAPH = [sys.executable, "-m", "kgraph"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def opening_times(folder: Path, runs: int) -> list[tuple[str, float, int]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for path in sorted(folder.rglob("*.html")):
            times = []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                if path.name == "graph.html":
                    page.wait_for_function("() => window.kgraph && kgraph.isStabilised()", timeout=120_000)
                times.append(time.perf_counter() - start)
                page.close()
            rows.append((path.relative_to(folder).as_posix(), statistics.median(times), path.stat().st_size))
        browser.close()
    return rows


def bundled(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "build"
        with_site = statistics.median(timed(KGRAPH + ["build", "-q", "-o", str(out)]) for _ in range(runs))
        without = statistics.median(timed(KGRAPH + ["build", "-q", "--no-site", "-o", str(Path(folder) / "plain")])
                                    for _ in range(runs))
        site_files = [p for p in out.rglob("*") if p.is_file() and (p.suffix == ".html" and p.name != "graph.html"
                                                                     or p.name == "network.graphml")]
        print("| build of the bundled data | median wall time |\n|---|---:|")
        print(f"| `kgraph build` (with the site) | {with_site:.2f} s |")
        print(f"| `kgraph build --no-site` | {without:.2f} s |")
        print(f"| added by the site | {with_site - without:.2f} s ({(with_site / without - 1):.0%}) |")
        print(f"\nThe site: {len(site_files)} files, {sum(p.stat().st_size for p in site_files) / 1e6:.2f} MB "
              f"(the whole build folder: {sum(p.stat().st_size for p in out.rglob('*') if p.is_file()) / 1e6:.2f} MB)\n")
        print("| page | size | opened in Chromium |\n|---|---:|---:|")
        for name, seconds, size in opening_times(out, runs):
            print(f"| {name} | {size / 1e3:,.0f} kB | {seconds:.2f} s |")


SCALE_SCRIPT = r"""
import sys, time
from pathlib import Path
from kgraph.store import open_store
from kgraph.network import project
from kgraph.indicators import measure
from kgraph.viz import load_evidence
from kgraph.report import gather, brief_page, comparison_page, write_site

store = open_store("oxigraph:" + sys.argv[1])
out = Path(sys.argv[2])
clock = time.perf_counter
t = clock(); network = project(store); projection = clock() - t
t = clock(); measures = measure(network); measured = clock() - t
t = clock(); evidence = load_evidence(store); quoted = clock() - t
t = clock(); result = write_site(store, out, network=network, measures=measures, evidence=evidence); site = clock() - t
context = gather(store, network=network, measures=measures, evidence=evidence)
largest = context.external_actors()[0]
t = clock(); brief_page(context, largest); brief = clock() - t
context = gather(store, network=network, measures=measures, evidence=evidence)
t = clock(); comparison_page(context, ["china", "russia", "united-states"]); compared = clock() - t
size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
print(f"{network.number_of_nodes()} {network.number_of_edges()} {projection:.2f} {measured:.2f} {quoted:.2f} "
      f"{site:.2f} {brief:.2f} {compared:.2f} {len(list(out.rglob('briefs/*.html')))} {size} {largest}")
"""


def scale(triples: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data, store, out = (Path(folder) / name for name in ("data", "store", "site"))
        subprocess.run(KGRAPH + ["synth", "--triples", str(triples), "-o", str(data), "--format", "jsonl"],
                       check=True, capture_output=True)
        built = timed(KGRAPH + ["build", "-q", "--no-site", "--store", f"oxigraph:{store}", "--data", str(data),
                                "-o", str(Path(folder) / "build")])
        found = subprocess.run([sys.executable, "-c", SCALE_SCRIPT, str(store), str(out)], check=True,
                               capture_output=True, text=True).stdout.split()
        nodes, edges, projection, measured, quoted, site, brief, compared, briefs, size, largest = found
        cli = timed(KGRAPH + ["brief", largest, "--store", f"oxigraph:{store}", "-o", str(Path(folder) / "b.html")])
        print(f"| {triples:,} triples: {int(nodes):,} entities, {int(edges):,} edges | time |\n|---|---:|")
        print(f"| `kgraph build --store oxigraph:DIR --no-site` | {built:.1f} s |")
        print(f"| network stage as the build runs it: projection, measures, quotes | "
              f"{projection} s + {measured} s + {quoted} s |")
        print(f"| the site on top of it ({briefs} briefs, comparison, charts, GraphML; {int(size) / 1e6:.1f} MB) | {site} s |")
        print(f"| brief of the largest actor ({largest}), on the site's context | {brief} s |")
        print(f"| the comparison of China, Russia and the United States, on the site's context | {compared} s |")
        print(f"| `kgraph brief {largest} --store oxigraph:DIR` alone (gathers its own context) | {cli:.1f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--triples", type=int, help="measure the site on synthetic data of this size instead")
    args = parser.parse_args()
    if args.triples:
        scale(args.triples)
    else:
        bundled(args.runs)


if __name__ == "__main__":
    main()
