"""`kgraph build`, `stats` and `export`: outputs re-read by an independent parser, byte-identical."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pyoxigraph
import pytest
from rdflib import Graph

from conftest import run
from kgraph.export import RDF_FORMATS, serialize

OXIGRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}


#: Formats that Oxigraph writes (all but TriG); rdflib re-reads them, and Oxigraph re-reads
#: what rdflib writes, so no writer checks itself.
WRITTEN_BY_OXIGRAPH = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}


def oxigraph_count(payload: bytes, fmt: str) -> int:
    return sum(1 for _ in pyoxigraph.parse(payload, format=OXIGRAPH_FORMATS[fmt]))


def independent_count(payload: bytes, fmt: str) -> int:
    if fmt in WRITTEN_BY_OXIGRAPH:
        return len(Graph().parse(data=payload, format=WRITTEN_BY_OXIGRAPH[fmt]))
    return oxigraph_count(payload, fmt)


def test_build_writes_a_valid_graph(built):
    assert built.report.conforms
    assert built.report.errors == []
    written = built.outputs[0]
    assert written.name == "softpower.ttl"
    assert {"centrality.csv", "indicators.csv"} <= {path.name for path in built.outputs}
    assert independent_count(written.read_bytes(), "turtle") == len(built.source.graph)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_every_export_format_is_reread_by_an_independent_parser(bundled_kg, fmt, tmp_path):
    target = tmp_path / f"graph.{RDF_FORMATS[fmt][1]}"
    result = run("export", "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    assert independent_count(target.read_bytes(), fmt) == len(bundled_kg.graph)


def test_export_to_stdout_is_turtle(bundled_kg):
    result = run("export")
    assert result.exit_code == 0
    reread = Graph().parse(data=result.stdout_bytes, format="turtle")
    assert len(reread) == len(bundled_kg.graph)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_serialisation_is_deterministic_across_processes(fmt, tmp_path):
    """Two processes with different hash seeds write byte-identical files."""
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"{seed}.{fmt}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kgraph", "export", "--format", fmt, "-o", target],
                       check=True, env=env, capture_output=True)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_serialize_does_not_depend_on_insertion_order(bundled_kg):
    reversed_graph = Graph()
    for triple in reversed(list(bundled_kg.graph)):
        reversed_graph.add(triple)
    assert serialize(reversed_graph) == serialize(bundled_kg.graph)


def test_stats_counts_match_the_graph(bundled_kg):
    result = run("stats", "--format", "json")
    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    assert counts["triples"] == len(bundled_kg.graph)
    states = bundled_kg.graph.query(
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s a sp:State ; dcterms:identifier ?id }")
    assert counts["classes"]["sp:State"] == int(next(iter(states))[0])
    sources = {str(s).rsplit("/", 1)[-1] for s in bundled_kg.graph.objects(None, None)
               if str(s).startswith("https://w3id.org/softpower/id/")} & set(counts["facts_per_source"])
    assert "reference-iso-3166" in sources


def test_build_summary_on_the_minimal_data(minimal_data, tmp_path):
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split() == ["sp:BranchCampus", "1"] for line in lines)
    assert any(line.split() == ["sp:State", "2"] for line in lines)
    citing_report = (minimal_data / "facts.yaml").read_text(encoding="utf-8").count("source: test-report")
    assert any(line.split() == ["test-report", str(citing_report)] for line in lines)


def test_installed_entry_point_runs_as_a_subprocess(tmp_path):
    executable = shutil.which("kgraph")
    assert executable, "the kgraph console script is not installed"
    done = subprocess.run([executable, "build", "-o", tmp_path / "out"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 violation(s)" in done.stdout
    assert (tmp_path / "out" / "softpower.ttl").is_file()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_writes_the_entity_network_for_network_tools(bundled_kg, fmt, tmp_path):
    import networkx as nx
    from kgraph.network import project

    target = tmp_path / f"network.{fmt}"
    assert run("export", "--format", fmt, "-o", target).exit_code == 0
    reread = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    network = project(bundled_kg)
    assert (reread.number_of_nodes(), reread.number_of_edges()) == (
        network.number_of_nodes(), network.number_of_edges())


def test_build_without_the_network_writes_the_graph_only(minimal_data, tmp_path):
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out", "--no-network")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["softpower.ttl"]


def test_a_network_too_large_for_a_page_gets_the_overview_page(minimal_data, tmp_path, monkeypatch):
    from kgraph import pipeline
    from kgraph.build import load_graph
    from kgraph.network import project
    from kgraph.viz import graph_page

    kg = load_graph([minimal_data])
    nodes = project(kg).number_of_nodes()
    monkeypatch.setattr(pipeline, "PAGE_MAX_NODES", nodes - 1)
    result = pipeline.build([minimal_data], tmp_path / "out")
    assert result.notes == [
        f"graph.html draws the external actors, channels and Central Asian states: the network "
        f"has {nodes:,} nodes, more than a page shows ({nodes - 1:,}); kgraph viz --focus ID "
        "draws any part of it."]
    overview = graph_page(kg, view="actors-channels")
    assert overview.nodes < nodes
    assert (tmp_path / "out" / "graph.html").read_text(encoding="utf-8") == overview.html
