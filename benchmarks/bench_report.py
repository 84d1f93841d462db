"""The report site and the briefs: what the site adds to ``kgraph build``, how large it is,
how fast its pages open, and how briefs and the comparison hold at a million triples.

    python benchmarks/bench_report.py [--runs 3]                 # the bundled data
    python benchmarks/bench_report.py --triples 1000000 --runs 3  # synthetic data, on disk
    python benchmarks/bench_report.py --store DIR --runs 3         # briefs of a built store

Bundled data: ``kgraph build`` in a fresh process with the site and with ``--no-site``
(medians of --runs), the size of every file of the site, and each page's opening time in
headless Chromium (navigation until the load event; for graph.html until its layout has
settled), medians of --runs.

Synthetic data (``kgraph synth --format jsonl``): ``kgraph build --store oxigraph:DIR``
without and with the site (one run each: minutes), the site's size and briefs; then, on
the store that build left (which keeps the network's measures), ``kgraph brief`` of the
largest external actor and ``kgraph brief --compare china russia united-states`` from the
command line, each in a fresh process (Python's start and the imports included: "cold")
and in a process that has run them once already ("warm", the library called as a notebook
would), medians of --runs; the imports alone; and, as the baseline of the same run, the
same brief and comparison with the kept measures set aside, which measure the whole
network first as kgraph did before it kept them. The load average is printed with each
measurement: the machine is shared.

``--store DIR``: the briefs alone (cold, warm, the imports) on a store an earlier ``kgraph
build --store oxigraph:DIR`` left, without its baseline; run it with two versions of kgraph
(``PYTHONPATH=`` another checkout) to compare them on the same store.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
        print(f"| build of the bundled data (load {load()}) | median wall time |\n|---|---:|")
        print(f"| `kgraph build` (with the site) | {with_site:.2f} s |")
        print(f"| `kgraph build --no-site` | {without:.2f} s |")
        print(f"| added by the site | {with_site - without:.2f} s ({(with_site / without - 1):.0%}) |")
        print(f"\nThe site: {len(site_files)} files, {sum(p.stat().st_size for p in site_files) / 1e6:.2f} MB "
              f"(the whole build folder: {sum(p.stat().st_size for p in out.rglob('*') if p.is_file()) / 1e6:.2f} MB)\n")
        print(f"| page (load {load()}) | size | opened in Chromium |\n|---|---:|---:|")
        for name, seconds, size in opening_times(out, runs):
            print(f"| {name} | {size / 1e3:,.0f} kB | {seconds:.2f} s |")


WARM_SCRIPT = r"""
import sys, time
from pathlib import Path
from kgraph.report import gather
from kgraph.report.site import write_briefs, write_comparison
from kgraph.store import open_store

store, actor, out, runs = open_store("oxigraph:" + sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
compared = ["china", "russia", "united-states"]

def brief():
    write_briefs(gather(store, entities=[actor]), [actor], out / "warm-brief.html")

def comparison():
    write_comparison(gather(store, entities=compared), compared, out / "warm-compare.html")

for job in (brief, comparison):
    job()  # once untimed: imports, fonts, parsed queries
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    print(sorted(times)[len(times) // 2])
"""

COMPARED = ("china", "russia", "united-states")


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def median_of(runs: int, command: list[str]) -> float:
    return statistics.median(timed(command) for _ in range(runs))


def scale(triples: int, runs: int) -> None:
    from kgraph.store import open_store
    from kgraph.storedmeasures import MEASURES_FILE, open_measures

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        data, store, site, plain = (folder / name for name in ("data", "store", "site", "plain"))
        subprocess.run(KGRAPH + ["synth", "--triples", str(triples), "-o", str(data), "--format", "jsonl"],
                       check=True, capture_output=True)
        spec = ["--store", f"oxigraph:{store}", "--data", str(data)]
        rows = [("`kgraph build --store oxigraph:DIR --no-site`",
                 f"{timed(KGRAPH + ['build', '-q', '--no-site', *spec, '-o', str(plain)]):.1f} s", load())]
        rows.append(("`kgraph build --store oxigraph:DIR` (with the site)",
                     f"{timed(KGRAPH + ['build', '-q', *spec, '-o', str(site)]):.1f} s", load()))
        files = [p for p in site.rglob("*") if p.is_file() and (p.suffix == ".html" and p.name != "graph.html"
                                                                or p.name == "network.graphml")]
        briefs = len(list(site.glob("briefs/*.html")))
        graphml = (site / "network.graphml").stat().st_size
        rows.append((f"the site: {len(files)} files, {briefs} briefs", f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB "
                     f"(GraphML {graphml / 1e6:.1f} MB)", ""))
        kept = open_measures(open_store(f"oxigraph:{store}"))
        actor, brief, compare, measured = briefs(store, folder, runs)
        rows += measured
        aside = folder / MEASURES_FILE
        shutil.move(store / MEASURES_FILE, aside)  # the baseline: kgraph as it was before it kept them
        rows.append((f"baseline: `kgraph brief {actor}` measuring the whole network", f"{timed(brief):.1f} s", load()))
        rows.append(("baseline: the comparison measuring the whole network", f"{timed(compare):.1f} s", load()))
        shutil.move(aside, store / MEASURES_FILE)
        nodes = kept.entities
        print(f"| {triples:,} triples: {nodes:,} entities | time or size | load (1/5/15 min) |\n|---|---:|---|")
        for what, value, average in rows:
            print(f"| {what} | {value} | {average} |")


def briefs(store: Path, folder: Path, runs: int) -> tuple[str, list, list, list[tuple[str, str, str]]]:
    """The brief of the store's largest external actor and the comparison, cold and warm,
    and the imports: (the actor, the two commands, the rows of the table)."""
    from kgraph.store import open_store
    from kgraph.storedmeasures import open_measures

    kept = open_measures(open_store(f"oxigraph:{store}"))
    actor = kept.indicators["channel-portfolio"][0]["actor"]
    brief = KGRAPH + ["brief", actor, "--store", f"oxigraph:{store}", "-o", str(folder / "brief.html")]
    compare = KGRAPH + ["brief", "--compare", *COMPARED, "--store", f"oxigraph:{store}",
                        "-o", str(folder / "compare.html")]
    imports = [sys.executable, "-c", "import kgraph.cli, kgraph.report.pages, matplotlib.figure"]
    rows = [(f"`kgraph brief {actor}` (the largest actor), cold", f"{median_of(runs, brief):.2f} s", load()),
            ("`kgraph brief --compare china russia united-states`, cold", f"{median_of(runs, compare):.2f} s", load())]
    warm = subprocess.run([sys.executable, "-c", WARM_SCRIPT, str(store), actor, str(folder), str(runs)],
                          check=True, capture_output=True, text=True).stdout.split()
    rows += [(f"the brief of {actor}, warm (gather + write_briefs)", f"{float(warm[0]):.2f} s", load()),
             ("the comparison, warm (gather + write_comparison)", f"{float(warm[1]):.2f} s", load()),
             ("of which Python's start and the imports (kgraph.cli, the report, matplotlib)",
              f"{median_of(runs, imports):.2f} s", load())]
    return actor, brief, compare, rows


def stored_briefs(store: Path, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _, _, _, rows = briefs(store, Path(folder), runs)
    print(f"| briefs of {store.name} | median of {runs} | load (1/5/15 min) |\n|---|---:|---|")
    for what, value, average in rows:
        print(f"| {what} | {value} | {average} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--triples", type=int, help="measure the site on synthetic data of this size instead")
    parser.add_argument("--store", type=Path, metavar="DIR",
                        help="measure the briefs alone on this Oxigraph store, which kgraph build --store left")
    args = parser.parse_args()
    if args.store:
        stored_briefs(args.store.resolve(), args.runs)
    elif args.triples:
        scale(args.triples, args.runs)
    else:
        bundled(args.runs)


if __name__ == "__main__":
    main()
