"""`kgraph synth`: synthetic data in the project's format, valid, deterministic, realistic."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from conftest import run
from kgraph.namespaces import RDF
from kgraph.schema import KINDS

TRIPLES = 10_000


@pytest.fixture(scope="session")
def synth_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "data"
    result = run("synth", "--triples", TRIPLES, "-o", folder, "--seed", 7)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def synth_kg(synth_folder):
    from kgraph.build import load_graph

    return load_graph([synth_folder])


def test_builds_without_violations_or_warnings(synth_folder, tmp_path):
    result = run("build", "--data", synth_folder, "-o", tmp_path / "build")
    assert result.exit_code == 0, result.output
    assert "validation: 0 violation(s), 0 warning(s)" in result.stdout


def test_compiles_to_about_the_requested_number_of_triples(synth_kg):
    assert 0.97 <= len(synth_kg.graph) / TRIPLES <= 1.03


def test_every_record_kind_and_class_is_present(synth_folder, synth_kg):
    kinds = {path.name.rsplit("-", 1)[0] for path in synth_folder.glob("*.yaml")}
    assert kinds == set(KINDS)
    classes = set(synth_kg.graph.objects(None, RDF.type))
    expected = {c for kind in KINDS.values() for c in (kind.rdf_class, *kind.subtypes.values())}
    assert expected - classes == set()


def test_every_fact_has_a_source_and_a_quote_and_no_corpus_file(synth_kg):
    from kgraph.query import execute

    unsourced = execute(synth_kg.graph, """
        SELECT ?record WHERE {
          ?record dcterms:identifier ?id .
          FILTER NOT EXISTS { ?record a sp:Source }
          FILTER NOT EXISTS { ?record dcterms:source ?source ; sp:evidence ?quotation .
                              ?quotation sp:quote ?quote ; prov:wasQuotedFrom ?source }
        }""")
    assert unsourced.rows == []
    assert execute(synth_kg.graph, "ASK { ?s sp:corpusFile ?file }").boolean is False


def test_years_span_decades(synth_kg):
    from kgraph.namespaces import SP

    years = [int(y) for y in synth_kg.graph.objects(None, SP.year)]
    decades = {year // 10 * 10 for year in years}
    assert {1970, 1980, 1990, 2000, 2010, 2020} <= decades
    assert statistics.median(years) >= 2000  # most facts are recent, as in the sources


def test_degrees_are_heavy_tailed(synth_folder):
    from kgraph.network import load_network

    network = load_network([synth_folder])
    degrees = sorted((d for _, d in network.degree()), reverse=True)
    top = degrees[: len(degrees) // 20]
    assert degrees[0] >= 20 * statistics.median(degrees)
    assert sum(top) >= 0.25 * sum(degrees)  # the top 5% of nodes hold a quarter of the links


def test_same_seed_same_bytes_other_seed_other_data(synth_folder, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    assert run("synth", "-n", TRIPLES, "-o", again, "--seed", 7).exit_code == 0
    assert run("synth", "-n", TRIPLES, "-o", other, "--seed", 8).exit_code == 0
    files = sorted(p.name for p in synth_folder.iterdir())
    assert sorted(p.name for p in again.iterdir()) == files
    assert all((again / f).read_bytes() == (synth_folder / f).read_bytes() for f in files)
    assert any((other / f).read_bytes() != (synth_folder / f).read_bytes() for f in files)


def test_size_scales(tmp_path):
    from kgraph.synth import synthesize

    small = synthesize(20_000, tmp_path / "small")
    large = synthesize(100_000, tmp_path / "large")
    assert abs(small.estimated_triples - 20_000) < 200
    assert abs(large.estimated_triples - 100_000) < 200
    assert 4.5 < large.records["influence_relations"] / small.records["influence_relations"] < 5.5
    assert large.records["states"] > small.records["states"]


def test_refuses_a_folder_that_holds_files(tmp_path):
    (tmp_path / "mine.yaml").write_text("states: []\n")
    result = run("synth", "-n", TRIPLES, "-o", tmp_path)
    assert result.exit_code == 2
    assert "not an empty folder" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]


def test_refuses_a_size_below_the_ontology(tmp_path):
    result = run("synth", "-n", 500, "-o", tmp_path / "data")
    assert result.exit_code == 2
    assert "the ontology alone has" in result.output


def test_writes_json_lines_of_the_same_records(synth_folder, tmp_path):
    folder = tmp_path / "jsonl"
    result = run("synth", "--triples", TRIPLES, "-o", folder, "--seed", 7, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    yaml_files = sorted(path.stem for path in synth_folder.glob("*.yaml"))
    assert sorted(path.stem for path in folder.glob("*.jsonl")) == yaml_files
    records = sum(1 for path in folder.glob("*.jsonl") for _ in path.open(encoding="utf-8"))
    assert f"wrote {records} records of {len(KINDS)} kinds" in result.output
