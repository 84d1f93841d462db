"""`kgraph build`, `stats` and `export`: outputs re-read by an independent parser, byte-identical."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pyoxigraph
import pytest
from rdflib.namespace import RDF, SKOS
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from conftest import run
from kgraph.export import RDF_FORMATS, serialize

SP = "https://w3id.org/softpower/ontology#"
SPR_TEXT = "https://w3id.org/softpower/id/"

OXIGRAPH_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "jsonld-expanded": pyoxigraph.RdfFormat.JSON_LD,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}
#: rdflib's parser of each format: Oxigraph writes them (pyld the compacted JSON-LD), so
#: rdflib re-reading them checks the writer with another implementation.
RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "jsonld-expanded": "json-ld",
                  "trig": "trig", "xml": "xml"}


def oxigraph_count(payload: bytes, fmt: str) -> int:
    return sum(1 for _ in pyoxigraph.parse(payload, format=OXIGRAPH_FORMATS[fmt]))


def rdflib_graph(payload: bytes, fmt: str) -> Graph:
    """The triples of any export, read by rdflib; TriG's named graphs merged into one."""
    if fmt != "trig":
        return Graph().parse(data=payload, format=RDFLIB_FORMATS[fmt])
    dataset = Dataset()
    dataset.parse(data=payload, format="trig")
    merged = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def independent_count(payload: bytes, fmt: str) -> int:
    return len(rdflib_graph(payload, fmt))


def test_build_writes_a_valid_graph(built):
    assert built.report.conforms
    assert built.report.errors == []
    written = built.outputs[0]
    assert written.name == "softpower.ttl"
    assert {"centrality.csv", "indicators.csv"} <= {path.name for path in built.outputs}
    assert independent_count(written.read_bytes(), "turtle") == len(built.source.graph)


@pytest.fixture(scope="module")
def ntriples_graph(bundled_kg) -> Graph:
    return Graph().parse(data=serialize(bundled_kg.graph, "nt"), format="nt")


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_every_export_format_is_the_same_graph_as_n_triples(bundled_kg, ntriples_graph, fmt, tmp_path):
    """Read back by rdflib and by Oxigraph, every format is isomorphic to the N-Triples
    export (blank nodes included): no writer rewrites a literal (rdflib's TriG writer turned
    "50000000"^^xsd:decimal into 50000000.0)."""
    target = tmp_path / f"graph.{RDF_FORMATS[fmt][1]}"
    result = run("export", "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    payload = target.read_bytes()
    reread = rdflib_graph(payload, fmt)
    assert len(reread) == len(bundled_kg.graph) == len(ntriples_graph)
    assert isomorphic(reread, ntriples_graph)
    assert oxigraph_count(payload, fmt) == len(bundled_kg.graph)


def test_trig_puts_data_ontology_and_vocabularies_in_named_graphs(bundled_kg):
    from kgraph.build import load_ontology
    from kgraph.namespaces import DATA_GRAPH, ONTOLOGY_GRAPH, VOCABULARY_GRAPH, SP, SPR, SPV
    from kgraph.resources import ontology_file, vocabulary_file
    from kgraph.store import GRAPH_IRI

    dataset = Dataset()
    dataset.parse(data=serialize(bundled_kg.graph, "trig"), format="trig")
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert set(graphs) == {DATA_GRAPH, ONTOLOGY_GRAPH, VOCABULARY_GRAPH} and DATA_GRAPH == GRAPH_IRI
    # The ontology's graph is the ontology file (its OWL axioms' blank nodes included), the
    # vocabularies' graph the vocabulary file; everything else is data.
    assert isomorphic(graphs[ONTOLOGY_GRAPH], Graph().parse(ontology_file()))
    assert isomorphic(graphs[VOCABULARY_GRAPH], Graph().parse(vocabulary_file()))
    assert len(graphs[DATA_GRAPH]) == len(bundled_kg.graph) - len(load_ontology())
    assert (SPR.kazakhstan, RDF.type, SP.State) in graphs[DATA_GRAPH]
    assert (SPV.language, RDF.type, SKOS.Concept) in graphs[VOCABULARY_GRAPH]
    assert not any(s for s in graphs[DATA_GRAPH].subjects() if str(s).startswith(str(SP)))


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


def _refusing_loader(url, options=None):
    raise AssertionError(f"a JSON-LD processor tried to fetch {url}")


def test_json_ld_frames_by_type_and_reads_as_a_web_developer_expects(bundled_kg):
    """Compacted JSON-LD carries the shipped context inline: pyld frames it by @type with a
    document loader that refuses every URL, and a node reads with short names."""
    from pyld import jsonld

    from kgraph.export import json_ld_context

    campuses = {str(s) for s in bundled_kg.graph.subjects(RDF.type, URIRef(SP + "BranchCampus"))}
    compacted = json.loads(serialize(bundled_kg.graph, "jsonld"))
    assert compacted["@context"] == json_ld_context()["@context"]
    options = {"documentLoader": _refusing_loader}
    framed = jsonld.frame(compacted, {"@context": compacted["@context"], "@type": "BranchCampus"}, options)
    assert {node["@id"] for node in framed["@graph"]} == {
        "spr:" + iri[len(SPR_TEXT):] for iri in campuses}
    nu = next(node for node in compacted["@graph"] if node["@id"] == "spr:nazarbayev-university")
    # The ontology's class first, then the standard classes it implies (materialised).
    assert nu["@type"][0] == "University" and "schema:CollegeOrUniversity" in nu["@type"]
    assert nu["label"]["en"] == "Nazarbayev University"
    assert nu["identifier"] == "nazarbayev-university" and nu["epistemicStatus"] == "spv:stated"
    kazakhstan = next(node for node in compacted["@graph"] if node["@id"] == "spr:kazakhstan")
    assert kazakhstan["isCentralAsian"] is True and kazakhstan["iso3166Alpha2"] == "KZ"
    expanded = json.loads(serialize(bundled_kg.graph, "jsonld-expanded"))
    framed = jsonld.frame(expanded, {"@type": SP + "BranchCampus"}, options)
    assert {node["@id"] for node in framed["@graph"]} == campuses


def test_the_shipped_json_ld_context_is_in_step_with_the_ontology():
    from kgraph.build import load_ontology
    from kgraph.publish.context import context_text
    from kgraph.resources import context_file

    assert context_file().read_text(encoding="utf-8") == context_text(load_ontology()), (
        "ontology/context.jsonld is out of date: regenerate it with `kgraph docs --no-page -o ontology`")


