"""Benchmark `kgraph serve` under load and abuse, against the Oxigraph server (the raw engine,
PyPI ``oxigraph``, ``serve-read-only``) on the same graph in the same run.

kgraph serves the data folders (the bundled data by default) with its default limits;
Oxigraph serves an on-disk store that ``kgraph build --store oxigraph:DIR`` filled from the
same folders. Each is measured from outside, as a client sees it, with its memory read from
/proc (the server process, and for kgraph also its query workers):

* throughput: 20 clients x 250 light queries (four SELECTs), requests per second, every
  answer's row count checked;
* memory: the server's RSS, and for kgraph the PSS of the server with its query workers
  (the pages they share counted once);
* a heavy CONSTRUCT (every observation times every triple): time, status, triples
  answered, the server's memory before, at its peak and after;
* four of them at once, and a light query asked meanwhile: its time;
* a sorted cartesian SELECT (a hundred million rows to sort): kgraph stops it at its
  memory limit; Oxigraph has none, so it is not sent there;
* 3,000 idle connections: the server's threads while they are open, whether a light query
  is answered meanwhile and in what time, and how many were refused or closed.

    python benchmarks/bench_serve.py
    python benchmarks/bench_serve.py --data my-data --clients 40 --idle 1000

Prints a Markdown table: kgraph, Oxigraph, and their ratio where one makes sense.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests")]
from engines import free_port, wait_until_up  # noqa: E402

PREFIXES = """PREFIX sp: <https://w3id.org/softpower/ontology#>
PREFIX spr: <https://w3id.org/softpower/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
LIGHT = [
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class",
    "SELECT ?campus ?label WHERE { ?campus a sp:BranchCampus ; rdfs:label ?label } ORDER BY ?campus",
    "SELECT ?state WHERE { ?state a sp:State ; sp:isCentralAsian true } ORDER BY ?state",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s sp:evidence ?q }",
]
HEAVY_CONSTRUCT = "CONSTRUCT { ?s ?p ?x } WHERE { ?s a sp:Observation . ?o ?p ?x }"
SORTED_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d"


# --- processes and their memory ------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """The process's proportional share of memory: pages shared by several processes (the
    graph a worker shares with the process it was forked from) counted once in all."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0.0


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found = [pid]
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += tree(int(child))
    return found


class PeakMemory:
    """The highest RSS of a process, and the highest PSS of it with its descendants, sampled
    every 20 ms."""

    def __init__(self, pid: int):
        self.pid, self.server, self.total = pid, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.02):
            self.server = max(self.server, rss_mb(self.pid))
            self.total = max(self.total, sum(pss_mb(p) for p in tree(self.pid)))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --- the two servers ---------------------------------------------------------------------------

class Server:
    def __init__(self, name: str, process: subprocess.Popen, url: str, prefixes: str):
        self.name, self.process, self.url, self.prefixes = name, process, url, prefixes

    def get(self, query: str, accept: str = "application/sparql-results+json",
            timeout: float = 300) -> tuple[int, bytes, float]:
        """Status, body and seconds of one query by GET."""
        request = urllib.request.Request(
            f"{self.url}?{urllib.parse.urlencode({'query': self.prefixes + query})}",
            headers={"Accept": accept})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.monotonic() - started
        except OSError as error:
            return 0, str(error).encode(), time.monotonic() - started

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def start_kgraph(data: list[str]) -> Server:
    arguments = [a for folder in data for a in ("--data", folder)]
    process = subprocess.Popen([sys.executable, "-m", "kgraph", "serve", "--port", "0", "--quiet",
                                *arguments], stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().split()[3].rstrip(",")
    return Server("kgraph serve", process, url, "")


def start_oxigraph(data: list[str], folder: Path) -> Server | None:
    executable = shutil.which("oxigraph")
    if executable is None:
        print("the Oxigraph server (pip install oxigraph) is not installed: kgraph alone",
              file=sys.stderr)
        return None
    store = folder / "store"
    arguments = [a for path in data for a in ("--data", path)]
    subprocess.run([sys.executable, "-m", "kgraph", "build", "--quiet", "--no-network",
                    "--store", f"oxigraph:{store}", "-o", str(folder / "out"), *arguments],
                   check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    process = subprocess.Popen([executable, "serve-read-only", "--location", str(store), "--bind",
                                f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    wait_until_up(f"{url}?query=ASK%7B%7D", process, 60)
    return Server("Oxigraph server", process, url, PREFIXES)


# --- measurements ------------------------------------------------------------------------------

def row_count(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def throughput(server: Server, expected: dict[str, int], clients: int, queries: int) -> dict:
    def client(number: int) -> list[bool]:
        return [status == 200 and row_count(body) == expected[query]
                for query in (LIGHT[(number + i) % len(LIGHT)] for i in range(queries))
                for status, body, _ in [server.get(query)]]

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        right = [ok for answers in pool.map(client, range(clients)) for ok in answers]
    return {"req/s": len(right) / (time.monotonic() - started),
            "wrong or refused": len(right) - sum(right)}


def heavy_construct(server: Server) -> dict:
    server.get(LIGHT[0])
    time.sleep(0.5)
    before = rss_mb(server.process.pid)
    with PeakMemory(server.process.pid) as peak:
        status, body, seconds = server.get(HEAVY_CONSTRUCT, "application/n-triples")
    time.sleep(1)
    return {"status": status, "seconds": seconds, "triples": body.count(b"\n"),
            "before": before, "peak": peak.server, "peak with workers": peak.total,
            "after": rss_mb(server.process.pid)}


def four_at_once(server: Server) -> dict:
    with PeakMemory(server.process.pid) as peak, ThreadPoolExecutor(4) as pool:
        started = time.monotonic()
        heavy = [pool.submit(server.get, HEAVY_CONSTRUCT, "application/n-triples") for _ in range(4)]
        time.sleep(0.2)
        light = server.get(LIGHT[2])
        statuses = [future.result()[0] for future in heavy]
        seconds = time.monotonic() - started
    time.sleep(1)
    return {"seconds": seconds, "statuses": statuses, "light query": light[2],
            "light status": light[0], "peak": peak.server, "after": rss_mb(server.process.pid)}


def sorted_product(server: Server) -> dict:
    with PeakMemory(server.process.pid) as peak:
        status, body, seconds = server.get(SORTED_PRODUCT)
    return {"status": status, "seconds": seconds, "peak with workers": peak.total,
            "message": body.decode("utf-8", "replace").strip()[:120]}


def idle_connections(server: Server, count: int) -> dict:
    """Open ``count`` connections that send nothing; meanwhile, one light query."""
    port = urllib.parse.urlsplit(server.url).port
    opened, failed = [], 0
    for _ in range(count):
        try:  # a server that accepts no more leaves the handshake unanswered
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=0.2))
        except OSError:
            failed += 1
    time.sleep(1)
    held_threads = threads(server.process.pid)
    status, _, seconds = server.get(LIGHT[2], timeout=60)
    closed = sum(map(closed_by_server, opened))
    for connection in opened:
        connection.close()
    return {"threads": held_threads, "light status": status, "light seconds": seconds,
            "refused or closed": closed, "not connected": failed}


def closed_by_server(connection: socket.socket) -> bool:
    """Whether the server has answered (a 503) or closed the connection."""
    connection.setblocking(False)
    try:
        connection.recv(1)
    except BlockingIOError:
        return False  # still open, nothing said
    except OSError:
        return True  # reset
    return True


def raise_open_files(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 100), hard))


def measure(server: Server, expected, options) -> dict:
    results = {"throughput": throughput(server, expected, options.clients, options.queries),
               "heavy": heavy_construct(server), "four": four_at_once(server)}
    if server.name.startswith("kgraph"):
        results["product"] = sorted_product(server)
    results["idle"] = idle_connections(server, options.idle)
    return results


def table(measured: dict[str, dict]) -> str:
    names = list(measured)
    rows = [
        ("light queries, 20 clients: req/s", lambda m: f"{m['throughput']['req/s']:.0f}", True),
        ("  answers wrong or refused", lambda m: f"{m['throughput']['wrong or refused']}", False),
        ("heavy CONSTRUCT: status", lambda m: f"{m['heavy']['status']}", False),
        ("  seconds", lambda m: f"{m['heavy']['seconds']:.2f}", True),
        ("  triples answered", lambda m: f"{m['heavy']['triples']:,}", False),
        ("  server MB before / peak / after", lambda m: "{before:.0f} / {peak:.0f} / {after:.0f}"
         .format(**m["heavy"]), False),
        ("  peak MB (PSS) with its workers", lambda m: f"{m['heavy']['peak with workers']:.0f}", False),
        ("four at once: seconds", lambda m: f"{m['four']['seconds']:.2f}", True),
        ("  statuses", lambda m: " ".join(map(str, m["four"]["statuses"])), False),
        ("  light query meanwhile: status, seconds",
         lambda m: f"{m['four']['light status']}, {m['four']['light query']:.2f}", False),
        ("  server MB peak / after", lambda m: f"{m['four']['peak']:.0f} / {m['four']['after']:.0f}", False),
        ("sorted cartesian SELECT: status, seconds",
         lambda m: f"{m['product']['status']}, {m['product']['seconds']:.1f}" if "product" in m
         else "not sent (no memory limit)", False),
        ("  peak MB (PSS) with its workers", lambda m: f"{m['product']['peak with workers']:.0f}"
         if "product" in m else "", False),
        ("idle connections: server threads", lambda m: f"{m['idle']['threads']}", False),
        ("  light query meanwhile: status, seconds",
         lambda m: f"{m['idle']['light status']}, {m['idle']['light seconds']:.2f}", False),
        ("  closed or refused by the server / never connected",
         lambda m: f"{m['idle']['refused or closed']} / {m['idle']['not connected']}", False),
    ]
    head = "| | " + " | ".join(names) + (" | kgraph / Oxigraph |" if len(names) == 2 else " |")
    lines = [head, "|---" * (len(names) + 1 + (len(names) == 2)) + "|"]
    for label, value, ratio in rows:
        cells = [value(measured[name]) for name in names]
        if len(names) == 2:
            if ratio:
                numbers = [float(c.replace(",", "")) for c in cells]
                cells.append(f"{numbers[0] / numbers[1]:.2f}" if numbers[1] else "")
            else:
                cells.append("")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    notes = [f"kgraph's sorted cartesian SELECT: {measured[names[0]]['product']['message']}"]
    return "\n".join(lines + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", default=[], help="data folder (repeatable)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--queries", type=int, default=250, help="queries per client")
    parser.add_argument("--idle", type=int, default=3000, help="idle connections to open")
    options = parser.parse_args()
    raise_open_files(options.idle)

    from kgraph.build import load_graph
    from kgraph.query import execute

    graph = load_graph([Path(d) for d in options.data] or None).graph
    expected = {query: len(execute(graph, query).rows) for query in LIGHT}
    measured = {}
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        for start in (lambda: start_kgraph(options.data),
                      lambda: start_oxigraph(options.data, Path(folder))):
            server = start()
            if server is None:
                continue
            try:
                measured[server.name] = measure(server, expected, options)
            finally:
                server.stop()
    print(table(measured))


if __name__ == "__main__":
    main()
