"""Benchmark the in-memory store and two SPARQL engines: build (load + validate), every named
query, centrality and the page, against the raw engine doing the same work in the same run.

``--store memory``, the default store, compiles the data folders in memory: its build (read
and check the YAML records, compile them with rdflib, validate, count, write Turtle) runs in
a fresh process whose peak memory is reported, against pyoxigraph's in-memory store
bulk-loading the same triples as N-Triples, also in a fresh process. Every named query runs
through kgraph on the compiled graph and as the same text in that pyoxigraph store.

``--store sparql:URL`` is measured on two real engines started on 127.0.0.1 with their own
configuration in a temporary folder, as the tests start them: the Oxigraph server (PyPI
``oxigraph``) and Virtuoso 7 (Debian ``virtuoso-opensource``). kgraph's build (bulk load into
a staging Oxigraph store, validation, then the upload, timed both in batches of SPARQL Update
and in N-Triples batches through the engine's Graph Store Protocol endpoint, the one kept)
runs against the engine's own bulk loader reading the same N-Triples file into the same named
graph (the Graph Store Protocol for the Oxigraph server, ``ld_dir`` and ``rdf_loader_run``
for Virtuoso). Every named query runs through kgraph and as the same text sent in a plain
SPARQL protocol request.

    python benchmarks/bench_engines.py                    # 10k and 100k triples, every store
    python benchmarks/bench_engines.py --sizes 1000000 --runs 1
    python benchmarks/bench_engines.py --stores memory virtuoso

Prints one section of Markdown tables per store: medians (seconds), ratios kgraph / raw
engine, peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from bench_store import (child_build, measure_network, medians, network_table,  # noqa: E402
                         process_peak_mb, timed)
from engines import (VIRTUOSO_INI, VIRTUOSO_PASSWORD, VIRTUOSO_USER, free_port,  # noqa: E402
                     oxigraph_server_command, virtuoso_command, wait_until_up)
SPARQL_JSON = "application/sparql-results+json"


# --- processes and their peak memory -----------------------------------------------------------

def measured(command: list[str]) -> tuple[float, float]:
    """Run a command to its end, its advice on standard error silenced: its wall time and its
    peak memory (max RSS, MB), exact when this process is small."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command[:3])} ... failed with status {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def in_child(*arguments: str, env: dict | None = None) -> dict:
    """Run this script with ``arguments`` in a fresh process: its JSON answer, which holds its
    peak memory."""
    done = subprocess.run([sys.executable, __file__, *arguments], stdout=subprocess.PIPE, text=True,
                          env=env, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def executable(name: str) -> str | None:
    """The command installed beside this Python (where pip puts ``oxigraph``), else on the PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


# --- what the child processes do ----------------------------------------------------------------

def child_build_in_memory(data: str, out: str) -> dict:
    """What ``kgraph build --no-network`` does with the memory store, phase by phase."""
    from kgraph.build import compile_dataset, load_ontology, vocabulary_ids
    from kgraph.export import serialize
    from kgraph.files import write_atomic
    from kgraph.load import load_dataset
    from kgraph.pipeline import GRAPH_FILE
    from kgraph.stats import graph_stats
    from kgraph.validate import PYSHACL_MAX_TRIPLES, validate

    folders = [Path(data)]

    def read():
        ontology = load_ontology()
        vocabularies = vocabulary_ids(ontology)
        return ontology, vocabularies, load_dataset(folders, vocabularies)

    times = {}
    times["read_s"], (ontology, vocabularies, dataset) = timed(read, 1)
    times["compile_s"], kg = timed(lambda: compile_dataset(dataset, ontology, vocabularies, folders), 1)
    times["validate_s"], report = timed(lambda: validate(kg, quiet=True), 1)
    times["violations"] = len(report.errors)
    times["validator"] = "pyshacl" if len(kg.graph) <= PYSHACL_MAX_TRIPLES else "SPARQL"
    times["stats_s"], stats = timed(lambda: graph_stats(kg.graph), 1)
    times["turtle_s"], _ = timed(lambda: write_atomic(Path(out) / GRAPH_FILE, serialize(kg.graph, "turtle")), 1)
    return {**times, "triples": stats.triples}


def child_raw_in_memory(ntriples: str) -> dict:
    import pyoxigraph

    def load():
        store = pyoxigraph.Store()
        store.bulk_load(path=ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store

    seconds, store = timed(load, 1)
    return {"load_s": seconds, "triples": len(store)}


def child_offline_load(ntriples: str, folder: str) -> dict:
    """``oxigraph load`` of the file into the named graph of a new store: its time and its
    peak memory (not this process's)."""
    from kgraph.store import GRAPH_IRI

    seconds, peak_mb = measured([executable("oxigraph"), "load", "--location", folder, "--file", ntriples,
                                 "--graph", GRAPH_IRI])
    return {"load_s": seconds, "peak_mb": peak_mb}


def child_build_into_engine(data: str, query_url: str, update_url: str, graph_store_url: str,
                            user: str, out: str) -> dict:
    """What ``kgraph build --store sparql:URL --no-network`` does, phase by phase: the build
    into a staging Oxigraph store (as ``bench_store.py`` measures it), then the upload
    through the Graph Store Protocol (what the engine keeps) and again by SPARQL Update."""
    from kgraph.errors import QueryError
    from kgraph.store import GRAPH_IRI, OxigraphStore, open_store

    by_update = open_store(f"sparql:{query_url}", update_url=update_url, user=user or None)
    by_graph_store = open_store(f"sparql:{query_url}", graph_store_url=graph_store_url, user=user or None)
    with tempfile.TemporaryDirectory(prefix="kgraph-upload-") as folder:
        staged = Path(folder) / "graph"
        times = child_build(data, str(staged), out)
        staging = OxigraphStore(staged, create=True)
        times["upload_s"], uploaded = timed(lambda: by_graph_store.load(staging, quiet=True), 1)
        try:
            # From an empty graph too; Virtuoso may not clear 1M triples within its
            # transaction timeout, and then this upload is reported as not measured.
            by_update.update(f"CLEAR SILENT GRAPH <{GRAPH_IRI}>")
            times["update_upload_s"], _ = timed(lambda: by_update.load(staging, quiet=True), 1)
        except QueryError as exc:
            print(f"SPARQL Update upload not measured: {exc}", file=sys.stderr)
            times["update_upload_s"] = None
    return {**times, "uploaded": uploaded}


# --- the engines ------------------------------------------------------------------------------

@dataclass
class Engine:
    """A SPARQL engine serving on 127.0.0.1 from its own folder, for the length of a benchmark.

    Each engine says how to start it (``start``) and how it bulk-loads an N-Triples file into
    kgraph's named graph by its own means (``raw_load``).
    """

    name: ClassVar[str]  # the --stores choice
    title: ClassVar[str]
    commands: ClassVar[tuple[str, ...]]  # the executables it needs

    process: subprocess.Popen
    folder: Path
    base: str
    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None = None
    password: str | None = None
    version: str = ""

    def store(self):
        """The store kgraph makes of ``--store sparql:QUERY_URL`` for this engine."""
        from kgraph.store import SparqlStore

        return SparqlStore(self.query_url, self.update_url, self.user, self.password)

    def environment(self) -> dict:
        """A build process's environment: the password where kgraph reads it."""
        return {**os.environ, **({"KGRAPH_STORE_PASSWORD": self.password} if self.password else {})}

    def wait_until_up(self, seconds: float = 120) -> None:
        server = wait_until_up(f"{self.query_url}?query=ASK%7B%7D", self.process, seconds)
        self.version = server.split(" ")[0]

    def peak_mb(self) -> float:
        """The engine's peak memory so far (VmHWM: the server's whole life)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def offline_load(self, ntriples: Path, folder: Path) -> dict | None:
        """A bulk load with the server stopped, where the engine has one."""
        return None


class OxigraphServer(Engine):
    """``oxigraph serve`` (PyPI ``oxigraph``) on a store folder of its own."""

    name = "oxigraph-server"
    title = "the Oxigraph server"
    commands = ("oxigraph",)

    @classmethod
    def start(cls, folder: Path) -> OxigraphServer:
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        process = subprocess.Popen(oxigraph_server_command(executable("oxigraph"), folder / "db", port),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        return cls(process, folder, base, f"{base}/query", f"{base}/update", f"{base}/store")

    def raw_load(self, ntriples: Path) -> dict:
        """The whole N-Triples file in one Graph Store Protocol POST into the named graph."""
        from kgraph.store import GRAPH_IRI

        url = f"{self.base}/store?{urllib.parse.urlencode({'graph': GRAPH_IRI})}"
        with ntriples.open("rb") as body:
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/n-triples", "Content-Length": str(ntriples.stat().st_size)})
            seconds, _ = timed(lambda: urllib.request.urlopen(request).read(), 1)
        return {"load_s": seconds}

    def offline_load(self, ntriples: Path, folder: Path) -> dict:
        """``oxigraph load`` into a fresh store folder, as one would before serving it."""
        shutil.rmtree(folder, ignore_errors=True)
        loaded = in_child("--child-offline-load", str(ntriples), str(folder))
        shutil.rmtree(folder, ignore_errors=True)
        return loaded


@dataclass
class Virtuoso(Engine):
    """Virtuoso 7 (Debian ``virtuoso-opensource``) with a database of its own; ``isql`` reaches
    it on ``sql_port``."""

    sql_port: int = 0
    name = "virtuoso"
    title = "Virtuoso"
    commands = ("virtuoso-t", "isql-vt")

    @classmethod
    def start(cls, folder: Path) -> Virtuoso:
        """Virtuoso with the Debian configuration moved to ``folder`` and to loopback ports."""
        if not VIRTUOSO_INI.is_file():
            raise RuntimeError(f"{VIRTUOSO_INI} is missing: install virtuoso-opensource")
        folder.mkdir(parents=True, exist_ok=True)
        http_port, sql_port = free_port(), free_port()
        # Debian's 10,000 rows per answer would cut the answers at 1M triples (kgraph refuses
        # a cut answer): a Virtuoso serving such graphs raises it.
        command = virtuoso_command(executable("virtuoso-t"), folder, http_port, sql_port, max_rows=10_000_000)
        process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{http_port}"
        return cls(process, folder, base, f"{base}/sparql", f"{base}/sparql-auth",
                   f"{base}/sparql-graph-crud-auth", VIRTUOSO_USER, VIRTUOSO_PASSWORD, sql_port=sql_port)

    def sql(self, statements: str) -> None:
        """Run SQL statements with Virtuoso's ``isql``, which reports errors in its output."""
        done = subprocess.run([executable("isql-vt"), f"127.0.0.1:{self.sql_port}", self.user, self.password,
                               f"exec={statements}"], capture_output=True, text=True, check=True)
        if "*** Error" in done.stdout or "*** Error" in done.stderr:
            raise RuntimeError(f"isql: {statements}: {(done.stdout + done.stderr).strip()[-500:]}")

    def raw_load(self, ntriples: Path) -> dict:
        """Virtuoso's bulk loader (``ld_dir``, ``rdf_loader_run``, then the ``checkpoint`` it
        needs to keep the data) reading the file from the server's folder, which it may read."""
        from kgraph.store import GRAPH_IRI

        readable = self.folder / ntriples.name
        if not readable.exists():
            shutil.copyfile(ntriples, readable)
        self.sql("DELETE FROM DB.DBA.load_list;")
        seconds, _ = timed(lambda: self.sql(f"ld_dir('{self.folder}', '{readable.name}', '{GRAPH_IRI}'); "
                                            "rdf_loader_run(); checkpoint;"), 1)
        return {"load_s": seconds}


ENGINES = {engine.name: engine for engine in (OxigraphServer, Virtuoso)}
STORES = ("memory", *ENGINES)


@contextlib.contextmanager
def running(engine_class, folder: Path):
    """A started engine, stopped when the block ends, whatever happens in it."""
    engine = engine_class.start(folder)
    try:
        engine.wait_until_up()
        yield engine
    finally:
        engine.stop()


def missing_commands(engine_class) -> list[str]:
    return [command for command in engine_class.commands if executable(command) is None]


# --- one size, one store ------------------------------------------------------------------------

def ntriples_of(data: Path, folder: Path) -> tuple[Path, int]:
    """The triples kgraph builds from ``data`` as one N-Triples file, the raw engines' input."""
    from kgraph.bulk import bulk_load
    from kgraph.store import OxigraphStore

    store = OxigraphStore(folder / "ntriples-store", create=True)
    bulk_load([data], store, quiet=True)
    path, triples = store.dump(folder / "graph.nt", "nt"), store.triple_count()
    store.close()
    shutil.rmtree(store.path)
    return path, triples


def measure_memory(data: Path, ntriples: Path, runs: int, folder: Path) -> dict:
    from kgraph.store import open_source, queryable

    builds = [in_child("--child-build-memory", str(data), str(folder / "out")) for _ in range(runs)]
    raws = [in_child("--child-raw-memory", str(ntriples)) for _ in range(runs)]
    row = {"build": medians(builds), "raw": medians(raws)}
    row["triples"] = row["build"]["triples"]
    source = open_source("memory", [data])  # what every command makes of --store memory
    row["copy_s"], row["queries"] = memory_queries(queryable(source), ntriples, runs)
    row["network"] = measure_network(source, folder / "page.html")
    return row


def memory_queries(graph, ntriples: Path, runs: int) -> tuple[float, dict]:
    """The time of the first query's copy of the graph into Oxigraph (where every query of
    the memory store runs), then every named query through kgraph and as the same text in a
    pyoxigraph store that bulk-loaded the same triples."""
    import pyoxigraph

    from kgraph.query import bind_parameters, named_queries, oxigraph_store, prepare, run
    from kgraph.terms import to_oxigraph

    copy_s, _ = timed(lambda: oxigraph_store(graph), 1)
    raw = pyoxigraph.Store()
    raw.bulk_load(path=str(ntriples), format=pyoxigraph.RdfFormat.N_TRIPLES)
    queries = {}
    for name, named in sorted(named_queries().items()):
        bindings = bind_parameters(graph, named, {})
        substitutions = {pyoxigraph.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
        raw_s, raw_rows = timed(lambda: list(raw.query(named.text, substitutions=substitutions or None)), runs)
        prepare(named.text, f"query '{name}'")  # warm: the text parsed once, as in a serving process
        ours_s, rows = timed(lambda: run(graph, name), runs)
        queries[name] = {"ours_s": ours_s, "raw_s": raw_s, "rows": len(rows), "raw_rows": len(raw_rows)}
    return copy_s, queries


def measure_engine(engine_class, data: Path, ntriples: Path, triples: int, runs: int,
                   folder: Path) -> dict:
    """Raw loads first, then kgraph's builds, so that the queries run on what kgraph loaded;
    the named graph is emptied before each load, untimed."""
    from kgraph.store import GRAPH_IRI

    row: dict = {"triples": triples}
    with running(engine_class, folder / engine_class.name) as engine:
        row["engine"] = engine.version
        store = engine.store()

        raws = []
        for _ in range(runs):
            store.update(f"CLEAR SILENT GRAPH <{GRAPH_IRI}>")
            raws.append(engine.raw_load(ntriples))
            expect_triples(store, triples, f"{engine.title}'s bulk load")
        row["raw"] = medians(raws)
        row["offline"] = engine.offline_load(ntriples, folder / "offline-store")
        builds = []
        for _ in range(runs):
            store.update(f"CLEAR SILENT GRAPH <{GRAPH_IRI}>")
            builds.append(in_child("--child-build-engine", str(data), engine.query_url, engine.update_url,
                                   engine.graph_store_url,
                                   engine.user or "", str(folder / "out"), env=engine.environment()))
            expect_triples(store, triples, f"kgraph's upload to {engine.title}")
        row["build"] = medians(builds)
        row["queries"] = engine_queries(store, runs)
        row["network"] = measure_network(store, folder / "page.html")
        row["engine_peak_mb"] = engine.peak_mb()
    return row


def expect_triples(store, triples: int, what: str) -> None:
    held = store.triple_count()
    if held != triples:
        raise RuntimeError(f"{what} left {held:,} triples in the named graph; expected {triples:,}")


def engine_queries(store, runs: int) -> dict:
    """Every named query through kgraph on the engine, and the same text (parameters bound
    as kgraph binds them, in a VALUES block) sent in a plain SPARQL protocol GET."""
    from kgraph.errors import KgraphError
    from kgraph.query import bind_parameters, named_queries, run
    from kgraph.store import GRAPH_IRI, with_values

    queries = {}
    for name, named in sorted(named_queries().items()):
        bindings = bind_parameters(store, named, {})
        url = f"{store.query_url}?" + urllib.parse.urlencode(
            {"query": with_values(named.text, bindings), "default-graph-uri": GRAPH_IRI})
        try:
            # Each side runs once untimed: an engine such as Virtuoso compiles and caches a
            # plan for each query text on its first run.
            fetched_rows(url)
            raw_s, (raw_rows, cut) = timed(lambda: fetched_rows(url), runs)
            run(store, name)
            ours_s, rows = timed(lambda: run(store, name), runs)
        except (KgraphError, OSError) as exc:
            queries[name] = {"failed": " ".join(str(exc).split())[:200]}
            continue
        queries[name] = {"ours_s": ours_s, "raw_s": raw_s, "rows": len(rows), "raw_rows": raw_rows,
                         "cut": cut}
    return queries


def fetched_rows(url: str) -> tuple[int, str]:
    """The rows of a SPARQL protocol GET asking for JSON results, and what the engine said if
    it cut the answer short (Virtuoso: a row cap, or partial results at its time limit)."""
    request = urllib.request.Request(url, headers={"Accept": SPARQL_JSON})
    with urllib.request.urlopen(request) as response:
        rows = len(json.loads(response.read())["results"]["bindings"])
        headers = response.headers
    cap = headers.get("X-SPARQL-MaxRows")
    if headers.get("X-SQL-State"):
        return rows, f"partial: {headers.get('X-SQL-State')} {headers.get('X-SQL-Message', '')}".strip()
    if cap and rows >= int(cap):
        return rows, f"capped at {int(cap):,} rows by the engine"
    return rows, ""


# --- tables ------------------------------------------------------------------------------------

def memory_build_table(rows: list[dict]) -> str:
    lines = ["| triples | build: read YAML, compile | validate | count | write Turtle | whole build | "
             "raw load | ratio: read + compile / raw, whole build / raw | peak RSS build / raw |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        build, raw = row["build"], row["raw"]
        loading = build["read_s"] + build["compile_s"]
        whole = loading + build["validate_s"] + build["stats_s"] + build["turtle_s"]
        lines.append(
            f"| {row['triples']:,} | {build['read_s']:.2f} s, {build['compile_s']:.2f} s | "
            f"{build['validate_s']:.2f} s by {build['validator']}, {build['violations']:.0f} violations | "
            f"{build['stats_s']:.2f} s | {build['turtle_s']:.2f} s | {whole:.2f} s | {raw['load_s']:.2f} s | "
            f"{loading / raw['load_s']:.2f}, {whole / raw['load_s']:.2f} | "
            f"{build['peak_mb']:,.0f} / {raw['peak_mb']:,.0f} MB |")
    return "\n".join(lines)


def engine_build_table(rows: list[dict]) -> str:
    lines = ["| triples | staging store: load (reading YAML) | validate | Turtle, count | "
             "upload: Graph Store Protocol (SPARQL Update) | "
             "whole build | raw load | ratio: upload / raw, whole build / raw | peak RSS build | "
             "offline loader (peak RSS) | engine peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        build, raw, offline = row["build"], row["raw"], row["offline"]
        whole = build["load_s"] + build["validate_s"] + build["turtle_s"] + build["stats_s"] + build["upload_s"]
        offline_cell = f"{offline['load_s']:.2f} s ({offline['peak_mb']:,.0f} MB)" if offline else "-"
        update_cell = f"{build['update_upload_s']:.2f} s" if build.get("update_upload_s") else "not measured"
        lines.append(
            f"| {row['triples']:,} | {build['load_s']:.2f} s ({build['reading_s']:.2f} s) | "
            f"{build['validate_s']:.2f} s by {build['validator']}, {build['violations']:.0f} violations | "
            f"{build['turtle_s']:.2f} s, {build['stats_s']:.2f} s | "
            f"{build['upload_s']:.2f} s ({update_cell}) | {whole:.2f} s | "
            f"{raw['load_s']:.2f} s | {build['upload_s'] / raw['load_s']:.2f}, {whole / raw['load_s']:.2f} | "
            f"{build['peak_mb']:,.0f} MB | {offline_cell} | {row['engine_peak_mb']:,.0f} MB |")
    return "\n".join(lines)


def query_table(rows: list[dict]) -> str:
    header = "| query | " + " | ".join(f"{row['triples']:,}: kgraph / raw (ratio), rows" for row in rows) + " |"
    lines = [header, "|---" * (len(rows) + 1) + "|"]
    if "copy_s" in rows[0]:
        lines.append("| (first query: the graph copied into Oxigraph) | "
                     + " | ".join(f"{row['copy_s']:.3f} s" for row in rows) + " |")
    for name in sorted(rows[0]["queries"]):
        lines.append(f"| {name} | " + " | ".join(query_cell(row["queries"][name]) for row in rows) + " |")
    return "\n".join(lines)


def query_cell(timing: dict) -> str:
    if "failed" in timing:
        return f"failed: {timing['failed']}"
    ours, raw = timing["ours_s"], timing["raw_s"]
    rows = f"{timing['rows']:,}" if timing["rows"] == timing["raw_rows"] else \
        f"{timing['rows']:,} (raw {timing['raw_rows']:,})"
    cut = f", {timing['cut']}" if timing.get("cut") else ""
    return f"{ours:.3f} / {raw:.3f} s ({ours / max(raw, 1e-9):.2f}), {rows}{cut}"


def section(store: str, rows: list[dict]) -> str:
    measured_rows = [row for row in rows if "failed" not in row]
    title = "`--store memory`" if store == "memory" else \
        f"`--store sparql:` {ENGINES[store].title} ({next((r['engine'] for r in measured_rows), '')})"
    parts = [f"## {title}"]
    if measured_rows:
        build_table = memory_build_table if store == "memory" else engine_build_table
        parts += [build_table(measured_rows), query_table(measured_rows), network_table(measured_rows)]
    parts += [f"- {row['triples']:,} triples: failed: {row['failed']}" for row in rows if "failed" in row]
    return "\n\n".join(parts)


# --- the run -----------------------------------------------------------------------------------

def measure_size(size: int, stores: list[str], runs: int) -> dict:
    """Every store on the same synthetic data of about ``size`` triples; a store that fails is
    reported and the others still measured."""
    from kgraph.synth import synthesize

    results = {}
    with tempfile.TemporaryDirectory(prefix="kgraph-bench-") as name:
        folder = Path(name)
        synthesize(size, folder / "data", 1)
        ntriples, triples = ntriples_of(folder / "data", folder)
        for store in stores:
            print(f"measuring {store} at {triples:,} triples", file=sys.stderr)
            try:
                if store == "memory":
                    results[store] = measure_memory(folder / "data", ntriples, runs, folder)
                else:
                    results[store] = measure_engine(ENGINES[store], folder / "data", ntriples, triples, runs,
                                                    folder)
            except Exception as exc:  # a benchmark of several stores goes on after one fails
                traceback.print_exc()
                results[store] = {"triples": triples, "failed": " ".join(str(exc).split())[:300]}
            print(json.dumps(results[store]), file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--stores", nargs="+", choices=STORES, default=list(STORES))
    parser.add_argument("--child-build-memory", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-raw-memory", nargs=1, help=argparse.SUPPRESS)
    parser.add_argument("--child-build-engine", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--child-offline-load", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    children = {"child_build_memory": child_build_in_memory, "child_raw_memory": child_raw_in_memory,
                "child_build_engine": child_build_into_engine, "child_offline_load": child_offline_load}
    for option, child in children.items():
        if getattr(options, option):
            answer = child(*getattr(options, option))
            print(json.dumps({"peak_mb": process_peak_mb(), **answer}))
            return
    # A terminated benchmark still stops the engines it started (the `running` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    stores = []
    for store in options.stores:
        missing = missing_commands(ENGINES[store]) if store in ENGINES else []
        if missing:
            print(f"skipping {store}: {', '.join(missing)} not found (the Oxigraph server: pip install "
                  "oxigraph; Virtuoso: apt-get install virtuoso-opensource)", file=sys.stderr)
        else:
            stores.append(store)
    results = {store: [] for store in stores}
    for size in options.sizes:
        for store, row in measure_size(size, stores, options.runs).items():
            results[store].append(row)
    print("\n\n".join(section(store, rows) for store, rows in results.items()))


if __name__ == "__main__":
    main()
