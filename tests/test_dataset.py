"""The curated dataset: every quote is verbatim, each source's entities are in the graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from conftest import CORPUS
from kgraph.namespaces import SP, SPR
from kgraph.quotes import check_quotes
from kgraph.stats import graph_stats

EXPECTED = Path(__file__).resolve().parent / "expected_entities"
CORPUS_SOURCES = sorted(path.stem for path in EXPECTED.glob("*.txt"))


def expected_ids(source: str) -> list[str]:
    lines = (EXPECTED / f"{source}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_every_quote_is_found_verbatim_in_its_source(bundled_kg):
    if not CORPUS.is_dir():
        pytest.skip(f"the source corpus is not at {CORPUS}: quotes cannot be checked here")
    quoted = {quotation for quotation, source in bundled_kg.graph.subject_objects(PROV.wasQuotedFrom)
              if (source, SP.corpusFile, None) in bundled_kg.graph}
    checked, problems = check_quotes(bundled_kg.graph, CORPUS)
    assert [p.describe() for p in problems] == []
    assert checked == len(quoted) > 600


def test_every_corpus_source_has_an_expected_entity_list(bundled_kg):
    corpus_sources = {str(s).rsplit("/", 1)[-1] for s in bundled_kg.graph.subjects(SP.corpusFile, None)}
    assert set(CORPUS_SOURCES) == corpus_sources


@pytest.mark.parametrize("source", CORPUS_SOURCES)
def test_each_source_names_its_entities_in_the_graph(bundled_kg, source):
    """Each entity is in the graph with a label, and a fact citing the source mentions it."""
    graph = bundled_kg.graph
    ids = expected_ids(source)
    assert len(ids) >= 15
    source_node = SPR[source]
    citing = set(graph.subjects(DCTERMS.source, source_node))
    missing, unsupported = [], []
    for entity_id in ids:
        entity = SPR[entity_id]
        if graph.value(entity, RDFS.label) is None:
            missing.append(entity_id)
        elif entity not in citing and not any((fact, None, entity) in graph for fact in citing):
            unsupported.append(entity_id)
    assert missing == []
    assert unsupported == []


def test_every_source_supports_facts(bundled_kg):
    counts = graph_stats(bundled_kg.graph).as_dict()["facts_per_source"]
    sources = {str(s).rsplit("/", 1)[-1] for s in bundled_kg.graph.subjects(RDF.type, SP.Source)}
    assert {s: counts.get(s, 0) for s in sources if counts.get(s, 0) == 0} == {}


def test_disagreeing_figures_are_each_kept_with_their_source(bundled_kg):
    """Two sources' counts of foreign campuses and of international students both stay."""
    from kgraph.query import run

    observations = run(bundled_kg.graph, "observations")
    for indicator in ("number of foreign branch campuses", "number of international students"):
        stated = {(row["source"], row["value"]) for row in observations
                  if row["subject"] == "Kazakhstan" and row["indicator"] == indicator
                  and row["status"] in (None, "actual")}
        assert len({source for source, _ in stated}) >= 2, indicator
        assert len({value for _, value in stated}) >= 2, indicator


def test_bundled_build_has_no_violations(built):
    assert [v.describe() for v in built.report.errors] == []
