"""Every output of every command on the bundled data, as SHA-256 digests in JSON.

``tests/test_stable.py`` runs this script in fresh processes with different
``PYTHONHASHSEED``s, on the memory store and on an on-disk store each process builds, and
compares the digests byte for byte. Usage, from an empty working folder:

    python every_output.py memory|oxigraph
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path

from click.testing import CliRunner

import kgraph.build
from kgraph.choices import EXPORT_FORMATS, RESULT_FORMATS
from kgraph.cli import cli
from kgraph.query import named_queries

#: Where the process builds its store and writes its files, relative to its working folder,
#: so that the paths the commands print are the same in every process.
STORE, OUTPUTS = "db", "out"


def _cached_load_graph():
    """Each command of a process compiles the data again; once is enough to show how the
    process's hash seed shapes what follows, and keeps the script to seconds."""
    load = kgraph.build.load_graph
    cache = {}

    @functools.wraps(load)
    def cached(data_folders=None, statuses=None):
        key = (tuple(map(str, data_folders or ())), tuple(sorted(statuses or ())))
        if key not in cache:
            cache[key] = load(data_folders, statuses)
        return cache[key]

    return cached


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def every_output(store: str) -> dict[str, str]:
    """Digest of each command's standard output (and of each file it writes), by command."""
    kgraph.build.load_graph = _cached_load_graph()
    digests = {}
    store_args = ["--store", f"oxigraph:{STORE}"] if store == "oxigraph" else []

    def record(*args: str, files: tuple[str, ...] = ()):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        label = " ".join(args)
        if result.exit_code != 0:
            raise SystemExit(f"kgraph {label} failed: {result.output}")
        digests[label] = digest(result.stdout_bytes)
        for name in files:
            digests[f"{label}: {name}"] = digest(Path(name).read_bytes())

    record("build", *store_args, "-o", OUTPUTS, files=tuple(
        f"{OUTPUTS}/{name}" for name in ("softpower.ttl", "centrality.csv", "indicators.csv",
                                         "graph.html")))
    for name in named_queries():
        for fmt in RESULT_FORMATS:
            record("query", name, "--format", fmt, *store_args)
    for fmt in ("table", "json"):
        record("stats", "--format", fmt, *store_args)
    for fmt in ("table", "csv", "json"):
        record("centrality", "--format", fmt, *store_args)
        record("indicators", "--format", fmt, *store_args)
    for fmt in EXPORT_FORMATS:
        record("export", "--format", fmt, *store_args)
    for fmt in ("graphml", "gexf"):
        record("graph-export", "--format", fmt, *store_args)
    record("viz", "-o", "graph.html", *store_args, files=("graph.html",))
    record("viz", "--view", "actors-channels", "--lang", "ru", "-o", "actors.html", *store_args,
           files=("actors.html",))
    return digests


if __name__ == "__main__":
    json.dump(every_output(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
