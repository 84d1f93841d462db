"""Epistemic status: in the data format, the graph, the queries, the network and the
commands; --status stated gives the strictest graph, and the same one from records or from a
projected network."""

from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import MINIMAL, ROOT, run
from kgraph.build import load_graph
from kgraph.namespaces import SP, SPR, SPV
from kgraph.network import by_status, project
from kgraph.query import run as run_query
from kgraph.schemadoc import reference
from kgraph.stats import graph_stats

INFERRED = {"epistemic_status": "inferred", "note": "The coder's reading of the report."}


@pytest.fixture
def graded_data(tmp_path):
    """The minimal data plus facts that hang on an inferred state and an inferred university."""
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    (folder / "graded.yaml").write_text(yaml.safe_dump({
        "states": [{"id": "atlantis", "label": "Atlantis", "source": "test-report",
                    "quote": "Atlantis", **INFERRED}],
        "universities": [
            {"id": "atlantis-university", "label": "Atlantis University", "country": "atlantis",
             "source": "test-report", "quote": "Atlantis University"},
            {"id": "ghost-university", "label": "Ghost University", "country": "united-kingdom",
             "source": "test-report", "quote": "Ghost University", **INFERRED}],
        "branch_campuses": [{"id": "ghost-campus", "label": "Ghost campus", "parent": "ghost-university",
                             "host_state": "kazakhstan", "source": "test-report", "quote": "a campus"}],
        "programmes": [{"id": "joint-scholarship", "label": "Joint Scholarship", "type": "scholarship",
                        "funders": ["united-kingdom", "ghost-university"], "source": "test-report",
                        "quote": "Joint Scholarship"}],
        "partnerships": [
            {"parties": ["united-kingdom", "kazakhstan", "ghost-university"], "source": "test-report",
             "quote": "a partnership of three"},
            {"parties": ["kazakhstan", "ghost-university"], "source": "test-report", "quote": "a pair"}],
        "influence_relations": [
            {"actor": "ghost-university", "target": "kazakhstan", "source": "test-report", "quote": "ghost"},
            {"actor": "united-kingdom", "target": "kazakhstan", "channels": ["scholarships"],
             "source": "test-report", "quote": "The United Kingdom reaches Kazakhstan.", **INFERRED}],
    }), encoding="utf-8")
    return folder


def records_of(kg) -> set[str]:
    return {str(s)[len(SPR):] for s in kg.graph.subjects(SP.epistemicStatus, None)}


def test_every_fact_carries_one_status_and_inferred_ones_their_note(graded_data):
    kg = load_graph([graded_data])
    statuses = {str(s)[len(SPR):]: str(o)[len(SPV):] for s, o in kg.graph.subject_objects(SP.epistemicStatus)}
    assert statuses["ghost-university"] == "inferred" and statuses["ghost-campus"] == "stated"
    assert statuses["de-montfort-university"] == "stated"
    assert "test-report" not in statuses  # a source states no fact


def test_stated_only_leaves_out_inferred_facts_and_what_hangs_on_them(graded_data):
    everything = records_of(load_graph([graded_data]))
    strict_kg = load_graph([graded_data], statuses=["stated"])
    strict = records_of(strict_kg)
    left_out = everything - strict
    assert {"atlantis", "ghost-university", "atlantis-university"} <= left_out  # own status, required country
    assert any(r.startswith("influence-relation-ghost-university-kazakhstan") for r in left_out)
    assert any(r.startswith("influence-relation-united-kingdom-kazakhstan") for r in left_out)
    assert "ghost-campus" in strict  # its parent is optional: the reference goes, the campus stays
    assert strict_kg.graph.value(SPR["ghost-campus"], SP.parentInstitution) is None
    funders = set(strict_kg.graph.objects(SPR["joint-scholarship"], SP.fundedBy))
    assert funders == {SPR["united-kingdom"]}
    partnerships = [r for r in strict if r.startswith("partnership-")]
    assert len(partnerships) == 1  # the pair goes; of the three parties two are left
    assert len(set(strict_kg.graph.objects(SPR[partnerships[0]], SP.party))) == 2
    assert not any(SPV.inferred == o for o in strict_kg.graph.objects(None, SP.epistemicStatus))


def test_the_network_filter_gives_the_network_of_the_strict_graph(graded_data):
    whole = project(load_graph([graded_data]))
    filtered = by_status(whole, ["stated"])
    strict = project(load_graph([graded_data], statuses=["stated"]))
    assert sorted(filtered.nodes) == sorted(strict.nodes)
    assert sorted(filtered.edges(keys=True)) == sorted(strict.edges(keys=True))
    assert whole.nodes["ghost-university"]["epistemic_status"] == "inferred"
    edge = next(d for _, _, d in whole.edges(data=True) if d.get("relation") == "influences"
                and d.get("channel") == "scholarships")
    assert edge["epistemic_status"] == "inferred"


def test_the_network_filter_matches_on_the_bundled_data(bundled_kg):
    filtered = by_status(project(bundled_kg), ["stated"])
    strict = project(load_graph(statuses=["stated"]))
    assert sorted(filtered.nodes) == sorted(strict.nodes)
    assert sorted(filtered.edges(keys=True)) == sorted(strict.edges(keys=True))
    assert filtered.number_of_edges() < project(bundled_kg).number_of_edges()


def test_queries_show_the_status_of_each_fact(bundled_kg):
    rows = run_query(bundled_kg.graph, "beneficiary-benefactor")
    india = [r for r in rows if r["counterpart"] == "India" and r["direction"] == "outgoing"]
    assert india and {r["epistemic_status"] for r in india} == {"inferred"}
    campuses = run_query(bundled_kg.graph, "branch-campuses")
    assert {r["epistemic_status"] for r in campuses} == {"stated"}
    sources = [r for r in run_query(bundled_kg.graph, "fact-sources", fact="kazakhstan-educational-soft-power-model")]
    assert sources and sources[0]["epistemic_status"] == "inferred" and "presents no model" in sources[0]["note"]


def test_query_status_option_runs_on_the_strict_graph():
    everything = run("query", "beneficiary-benefactor", "--format", "csv")
    strict = run("query", "beneficiary-benefactor", "--format", "csv", "--status", "stated")
    assert everything.exit_code == strict.exit_code == 0
    assert ",inferred," in everything.stdout and ",inferred," not in strict.stdout
    assert 0 < strict.stdout.count("\n") < everything.stdout.count("\n")


def test_a_store_refuses_status_for_queries_but_networks_filter(tmp_path):
    store = tmp_path / "db"
    assert run("build", "--store", f"oxigraph:{store}", "-o", tmp_path / "out", "--no-network",
               "--status", "stated", "-q").exit_code == 0
    refused = run("query", "branch-campuses", "--store", f"oxigraph:{store}", "--status", "stated")
    assert refused.exit_code != 0 and "holds the graph it was built with" in refused.output
    strict_memory = run("export", "--format", "nt", "--status", "stated")
    dumped = run("export", "--format", "nt", "--store", f"oxigraph:{store}")
    assert sorted(strict_memory.stdout.splitlines()) == sorted(dumped.stdout.splitlines())
    centrality = run("centrality", "--store", f"oxigraph:{store}", "--status", "stated", "-f", "csv")
    assert centrality.exit_code == 0


def test_stats_count_facts_per_status(bundled_kg):
    counts = graph_stats(bundled_kg.graph).as_dict()["facts_per_status"]
    assert set(counts) == {"stated", "inferred"}
    assert counts["inferred"] > 40 and counts["stated"] > 400
    assert "facts per epistemic status" in run("stats").stdout


def test_marking_a_relation_inferred_keeps_its_id(graded_data, tmp_path):
    before = {r for r in records_of(load_graph([graded_data])) if r.startswith("influence-relation-ghost")}
    path = graded_data / "graded.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["influence_relations"][0].update(INFERRED)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    after = {r for r in records_of(load_graph([graded_data])) if r.startswith("influence-relation-ghost")}
    assert before == after and len(after) == 1


def test_the_data_format_doc_holds_the_generated_reference():
    document = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert reference() in document, ("docs/data-format.md differs from kgraph/schema.py: run "
                                     "python -m kgraph.schemadoc docs/data-format.md")
    assert "| `epistemic_status` | ref → epistemic_statuses |" in reference()
    assert "| `variants` | text (list) |" in reference()
