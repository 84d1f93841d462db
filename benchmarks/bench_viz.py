"""How long `kgraph viz` takes to write its page and how soon the page is usable, by size.

For synthetic entity networks of 500, 5,000 and 20,000 nodes (shaped like the projection of
``kgraph.network``: states, some of them Central Asian, institutions, people, programmes;
belonging, location and influence edges with channels, years and sources), it measures:

* ``layout s``: :func:`kgraph.viz.ring_layout` alone (the page uses it above
  ``PHYSICS_MAX_NODES`` nodes);
* ``html s``: :func:`kgraph.viz.graph_html`, centralities and layout included, and the size
  of the page;
* ``ready s``: from navigation until the page has drawn its graph (``kgraph.isStabilised()``)
  in headless Chromium, and ``redraw ms``, one full redraw once it is ready: how fluid
  panning and zooming will be.

Prints medians over ``--repeat`` runs and their ratios to the smallest size.

    python3 benchmarks/bench_viz.py [--sizes 500 5000 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx

from kgraph.viz import graph_html, ring_layout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
CHANNELS = ("academic-mobility", "branch-campuses", "language", "scholarships",
            "cultural-centres", "digital-technology-education")
#: Record kinds of the non-state entities, their class and their share of the nodes.
KINDS = (("universities", "University", 0.16), ("people", "Person", 0.2),
         ("programmes", "ScholarshipProgramme", 0.12), ("organisations", "Organisation", 0.12),
         ("branch_campuses", "BranchCampus", 0.08), ("companies", "Company", 0.07),
         ("cities", "City", 0.1), ("events", "Event", 0.05),
         ("policy_documents", "PolicyDocument", 0.06), ("government_bodies", "Ministry", 0.04))


def synthetic_network(size: int, seed: int = 1) -> nx.MultiDiGraph:
    """About ``size`` nodes and 2.3 edges per node, shaped like ``kgraph.network.project``."""
    rng = random.Random(seed)
    network = nx.MultiDiGraph(name="synthetic", channels=";".join(CHANNELS))
    states = [f"state-{i}" for i in range(max(10, size // 100))]
    for index, state in enumerate(states):
        network.add_node(state, id=state, label=f"State {index}", kind="states",
                         central_asian=index < 5, iso_code=f"S{index}", **{"class": "State"})
    endpoints = list(states)  # one entry per edge end: preferential attachment
    for index in range(size - len(states)):
        kind, cls = rng.choices([k[:2] for k in KINDS], weights=[k[2] for k in KINDS])[0]
        node = f"{kind}-{index}"
        network.add_node(node, id=node, label=f"{cls} {index}", kind=kind, year=rng.randint(1991, 2025),
                         channel=rng.choice(CHANNELS), **{"class": cls})
        home = rng.choice(states[5:])
        network.add_edge(node, home, key=f"{node}|homeCountry|{home}", relation="homeCountry",
                         qualified=False, source="synthetic-source")
        if rng.random() < 0.5:
            host = rng.choice(states[:5])
            network.add_edge(node, host, key=f"{node}|hostState|{host}", relation="hostState",
                             qualified=False, source="synthetic-source")
        if rng.random() < 0.8:
            target = rng.choice(endpoints)
            record = f"influence-{index}"
            network.add_edge(node, target, key=record, relation="influences", qualified=True,
                             record=record, year=rng.randint(1991, 2025),
                             channel=rng.choice(CHANNELS), source="synthetic-source")
            endpoints.append(target)
        endpoints += [node, home]
    return network


def _median_time(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure_browser(page_file: Path, repeat: int, browser) -> tuple[float, float]:
    """Median seconds until the page has drawn its graph, and median ms of one redraw."""
    ready, redraw = [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        start = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_function("() => window.kgraph && kgraph.isStabilised()", timeout=600_000)
        ready.append(time.perf_counter() - start)
        redraw.append(page.evaluate("""() => {
            const start = performance.now();
            kgraph.network.redraw();
            return performance.now() - start;
        }"""))
        page.close()
    return statistics.median(ready), statistics.median(redraw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            network = synthetic_network(size)
            layout_s, _ = _median_time(lambda: ring_layout(network), args.repeat)
            html_s, html = _median_time(lambda: graph_html(network), args.repeat)
            page_file = Path(folder) / f"graph-{size}.html"
            page_file.write_text(html, encoding="utf-8")
            ready_s, redraw_ms = measure_browser(page_file, args.repeat, browser)
            rows.append((size, network.number_of_edges(), layout_s, html_s,
                         len(html.encode("utf-8")) / 1e6, ready_s, redraw_ms))
            print(f"measured {size} nodes", flush=True)
        browser.close()

    base = rows[0]
    print(f"\nmedians of {args.repeat} run(s); ratios to {base[0]} nodes in brackets\n")
    print(f"{'nodes':>7} {'edges':>7} {'layout s':>14} {'html s':>14} {'MB':>12} "
          f"{'ready s':>14} {'redraw ms':>15}")
    for size, edges, layout_s, html_s, megabytes, ready_s, redraw_ms in rows:
        cells = [(layout_s, base[2]), (html_s, base[3]), (megabytes, base[4]),
                 (ready_s, base[5]), (redraw_ms, base[6])]
        widths = (14, 14, 12, 14, 15)
        print(f"{size:>7} {edges:>7} " + " ".join(
            f"{f'{value:.3g} ({value / reference:.1f}x)':>{width}}"
            for (value, reference), width in zip(cells, widths)))


if __name__ == "__main__":
    main()
