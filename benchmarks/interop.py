"""Round trips through the tools people use: every export format read by every reader that
takes it, as a Markdown table.

    python benchmarks/interop.py            # the kgraph installed (or on PYTHONPATH)

Each cell says what the reader got: the triples and whether they are the graph of the
N-Triples export (rdflib.compare.isomorphic), the rows of a query, the nodes and edges of
the network, or the error. Readers: rdflib, pyoxigraph, rapper (Debian raptor2-utils),
pyld (framing by type), owlready2 (with HermiT), networkx, igraph, SPARQLWrapper against
``kgraph serve``. Formats a kgraph version does not write are marked as such.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kgraph.cli import cli

SP = "https://w3id.org/softpower/ontology#"
RDF_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "jsonld-expanded": "json-ld",
               "trig": "trig", "xml": "xml"}
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
CAMPUSES = "SELECT ?campus ?label WHERE { ?campus a sp:BranchCampus ; rdfs:label ?label }"


def export(fmt: str) -> bytes | None:
    result = CliRunner().invoke(cli, ["export", "--format", fmt])
    return result.stdout_bytes if result.exit_code == 0 else None


def merged(payload: bytes, fmt: str) -> Graph:
    dataset = Dataset()
    dataset.parse(data=payload, format=fmt)
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def attempt(read):
    try:
        return read()
    except Exception as exc:  # a reader's failure is a cell of the table
        return f"fails: {type(exc).__name__}: {' '.join(str(exc).split())[:60]}"


def rdf_cells(reference: Graph) -> dict:
    import pyoxigraph

    ox_formats = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
                  "jsonld": pyoxigraph.RdfFormat.JSON_LD, "jsonld-expanded": pyoxigraph.RdfFormat.JSON_LD,
                  "trig": pyoxigraph.RdfFormat.TRIG, "xml": pyoxigraph.RdfFormat.RDF_XML}
    cells = {}
    for fmt, rdflib_name in RDF_FORMATS.items():
        payload = export(fmt)
        if payload is None:
            cells[fmt] = {"rdflib": "not written"}
            continue

        def same(graph):
            return f"{len(graph)} triples, {'same graph' if isomorphic(graph, reference) else 'NOT the same graph'}"

        def by_oxigraph():
            graph = Graph()
            nt = pyoxigraph.serialize((q.triple for q in pyoxigraph.parse(payload, format=ox_formats[fmt])),
                                      format=pyoxigraph.RdfFormat.N_TRIPLES)
            return same(graph.parse(data=nt, format="nt"))

        row = {"rdflib": attempt(lambda: same(merged(payload, rdflib_name))),
               "pyoxigraph": attempt(by_oxigraph)}
        if fmt in ("turtle", "nt", "trig", "xml") and shutil.which("rapper"):
            row["rapper"] = attempt(lambda: rapper(payload, fmt))
        if fmt.startswith("jsonld"):
            row["pyld"] = attempt(lambda: framed(payload))
        if fmt == "xml":
            row["owlready2"] = attempt(lambda: owlready(payload))
        cells[fmt] = row
    return cells


def rapper(payload: bytes, fmt: str) -> str:
    name = {"turtle": "turtle", "nt": "ntriples", "trig": "trig", "xml": "rdfxml"}[fmt]
    done = subprocess.run(["rapper", "-q", "-i", name, "-o", "ntriples", "-", "http://example.org/"],
                          input=payload, capture_output=True)
    if done.returncode:
        return f"fails: {done.stderr.decode()[:60]}"
    return f"{len(done.stdout.splitlines())} triples"


def framed(payload: bytes) -> str:
    import json

    from pyld import jsonld

    def refuse(url, options=None):
        raise RuntimeError(f"fetch {url}")

    document = json.loads(payload)
    context = document.get("@context", {}) if isinstance(document, dict) else {}
    frame = {"@context": context, "@type": "BranchCampus"} if context else {"@type": SP + "BranchCampus"}
    found = jsonld.frame(document, frame, {"documentLoader": refuse}).get("@graph", [])
    return f"frame by @type: {len(found)} branch campuses"


def owlready(payload: bytes) -> str:
    import owlready2

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.owl"
        path.write_bytes(payload)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        return f"loads, HermiT consistent ({len(list(world.classes()))} classes)"


def network_cells() -> dict:
    import igraph
    import networkx as nx

    cells = {}
    for fmt in ("graphml", "gexf"):
        payload = export(fmt)
        reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        row = {"networkx": attempt(lambda: _nx(reader(io.BytesIO(payload)), fmt))}

        def by_igraph():
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"network.{fmt}"
                path.write_bytes(payload)
                if not hasattr(igraph.Graph, "Read_GEXF") and fmt == "gexf":
                    return "fails: igraph has no GEXF reader"
                graph = igraph.Graph.Read_GraphML(str(path))
                ids = "entity id apart from igraph's" if "identifier" in graph.vs.attributes() else \
                    "entity id in igraph's own 'id'"
                return f"{graph.vcount()} nodes, {graph.ecount()} edges, {ids}"
        row["igraph"] = attempt(by_igraph)
        cells[fmt] = row
    return cells


def _nx(graph, fmt: str) -> str:
    text = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    if fmt == "gexf":
        coloured = sum(1 for _, d in graph.nodes(data=True) if "color" in d.get("viz", {}))
        dated = sum(1 for _, d in graph.nodes(data=True) if "start" in d)
        text += f", {coloured} coloured, {dated} dated, {graph.graph.get('mode')}"
    return text


def result_cells() -> dict:
    import pyoxigraph
    from rdflib.query import Result

    cells = {}
    for fmt in RESULT_FORMATS:
        payload = CliRunner().invoke(cli, ["query", "--sparql", CAMPUSES, "--format", fmt]).stdout_bytes
        ox = getattr(pyoxigraph.QueryResultsFormat, fmt.upper())
        cells[f"query --format {fmt}"] = {
            "rdflib": attempt(lambda: f"{len(list(Result.parse(io.BytesIO(payload), format=fmt)))} rows"),
            "pyoxigraph": attempt(lambda: f"{len(list(pyoxigraph.parse_query_results(payload, format=ox)))} rows")}
    return cells


def endpoint_cells() -> dict:
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    from kgraph.build import load_graph
    from kgraph.serve import Limits, make_server, query_function

    server = make_server(query_function(load_graph().graph), "127.0.0.1", 0, Limits())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    cells = {}
    try:
        for name, fmt in (("json", JSON), ("xml", XML), ("csv", CSV), ("tsv", TSV)):
            client = SPARQLWrapper(server.url)
            client.setQuery("PREFIX sp: <%s> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> %s" % (SP, CAMPUSES))
            client.setReturnFormat(fmt)
            cells[f"kgraph serve, {name}"] = {"SPARQLWrapper": attempt(lambda: _rows(client.queryAndConvert(), name))}
    finally:
        server.shutdown()
        server.server_close()
    return cells


def _rows(converted, name: str) -> str:
    if name == "json":
        return f"{len(converted['results']['bindings'])} rows"
    if name == "xml":
        return f"{len(converted.getElementsByTagName('result'))} rows"
    return f"{len(converted.decode('utf-8').strip().splitlines()) - 1} rows"


def main() -> None:
    reference = Graph().parse(data=export("nt"), format="nt")
    print(f"kgraph at {Path(sys.modules['kgraph'].__file__).parent}: {len(reference)} triples\n")
    table = {**rdf_cells(reference), **network_cells(), **result_cells(), **endpoint_cells()}
    readers = list(dict.fromkeys(reader for row in table.values() for reader in row))
    print("| format | " + " | ".join(readers) + " |")
    print("|---|" + "---|" * len(readers))
    for fmt, row in table.items():
        print(f"| {fmt} | " + " | ".join(row.get(reader, "") for reader in readers) + " |")


if __name__ == "__main__":
    main()
