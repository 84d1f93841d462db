"""Briefs and the comparison from an on-disk store whose build kept the network's measures:
the same pages as from the whole network, read without projecting or measuring it, and
never from measures that no longer describe the store."""

from __future__ import annotations

import math
import shutil
import sqlite3

import pytest

from conftest import MINIMAL, run
from kgraph.errors import QueryError
from kgraph.indicators import institution_reach, measure
from kgraph.namespaces import SPR
from kgraph.network import project
from kgraph.query import run as run_query
from kgraph.report import brief_page, comparison_page, gather
from kgraph.report.context import StoredContext
from kgraph.store import OxigraphStore, open_store
from kgraph.storedmeasures import MEASURES_FILE, open_measures

#: External actors and Central Asian states, and an entity of every other kind that has a
#: brief: a university, a campus, a programme, a person, a city, a company.
BRIEFED = ["china", "united-states", "kazakhstan", "tajikistan", "nazarbayev-university",
           "de-montfort-university-kazakhstan", "bolashak-scholarship", "a-cooley", "almaty", "binance"]
COMPARED = ["china", "russia", "united-states"]


def same(a, b) -> bool:
    """Equal values, NaN equal to NaN, and of the same type (an integer is not a float)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def same_rows(a: list[dict], b: list[dict]) -> bool:
    return len(a) == len(b) and all(list(x) == list(y) and all(same(x[k], y[k]) for k in x) for x, y in zip(a, b))


@pytest.fixture(scope="session")
def kept(tmp_path_factory):
    """The bundled data built into an on-disk store, which keeps its measures."""
    from kgraph.pipeline import build

    folder = tmp_path_factory.mktemp("kept")
    build(None, folder / "build", store=OxigraphStore(folder / "store", target=True), quiet=True, site=False)
    return folder / "store"


@pytest.fixture(scope="session")
def whole(kept):
    """The whole-network context of the store, as kgraph brief gathered it before."""
    return gather(open_store(f"oxigraph:{kept}"))


def test_the_build_keeps_every_measure_with_the_store(kept):
    store = open_store(f"oxigraph:{kept}")
    network = project(store)
    computed = measure(network)
    stored = open_measures(store)
    assert (kept / MEASURES_FILE).is_file()
    assert same_rows([stored.centrality_row(row["id"]) for row in computed.centralities], computed.centralities)
    for name, rows in computed.indicators.items():
        assert same_rows(stored.indicators[name], rows), name
    assert stored.entities == network.number_of_nodes() > 200
    assert stored.places == sum(1 for _, d in network.nodes(data=True) if d["kind"] in ("cities", "regions"))
    by_provider = [r for provider in sorted({r.provider for r in computed.relations})
                   for r in stored.relations("provider", [provider])]
    assert sorted(by_provider, key=lambda r: (r.provider, r.receiver, r.instrument)) == computed.relations
    assert stored.relations("receiver", ["kazakhstan"]) == [r for r in computed.relations if r.receiver == "kazakhstan"]
    reaching = institution_reach(network, computed.relations)
    assert stored.institutions() == reaching and len(reaching) > 10
    # An entity's ranks and community, counted by SQLite, are those of every row in Python.
    from kgraph.report.explain import rank_among

    by_id = {row["id"]: row for row in computed.centralities}
    for metric in ("degree", "pagerank", "betweenness", "eigenvector", "closeness"):
        values = {node: row[metric] for node, row in by_id.items()}
        assert all(stored.centrality_rank(metric, node) == rank_among(values, node) for node in by_id), metric
    for community in {row["community"] for row in computed.centralities}:
        members = [row for row in computed.centralities if row["community"] == community]
        leading = [row["label"] for row in sorted(members, key=lambda r: (-r["pagerank"], r["id"]))][:3]
        assert stored.community(community) == (len(members), leading)
    assert stored.has_entity("china") and not stored.has_entity("nowhere")
    assert same_rows([stored.centrality_row("china")], [by_id["china"]])
    # The indicators' tables are read when first asked for, one at a time.
    fresh = open_measures(store)
    assert dict(fresh.indicators) == {} and same_rows(fresh.indicators["brokerage"], computed.indicators["brokerage"])
    assert list(fresh.indicators) == ["brokerage"] and fresh.indicators.get("no-such-indicator") is None
    disagreed = {str(row["subject_iri"]) for row in run_query(store, "source-disagreements")}
    assert stored.disagreed_about(str(SPR[node]) for node in network) == disagreed
    assert disagreed == {str(SPR["kazakhstan"])}  # the two disagreements of the bundled data
    # Readable by any SQLite client, as docs/report.md shows.
    with sqlite3.connect(kept / MEASURES_FILE) as connection:
        top = connection.execute("SELECT id FROM centrality ORDER BY pagerank DESC LIMIT 1").fetchone()[0]
    assert top == max(computed.centralities, key=lambda r: r["pagerank"])["id"]


def test_pages_from_the_kept_measures_are_those_of_the_whole_network(kept, whole):
    store = open_store(f"oxigraph:{kept}")
    for node in BRIEFED:
        context = gather(store, entities=[node])
        assert isinstance(context, StoredContext) and context.notes == []
        assert bool(context.disagreements_about({node})) == (node == "kazakhstan")
        assert brief_page(context, node).html == brief_page(whole, node).html, node
        # What the page had read ahead in threads (instruments, disagreements) it used.
        assert context._ahead == {}, node
    context = gather(store, entities=COMPARED)
    assert context.institutions() == whole.institutions()
    assert comparison_page(context, COMPARED).html == comparison_page(whole, COMPARED).html
    translated = gather(store, lang="kk")
    assert (brief_page(gather(store, lang="kk", entities=["Қазақстан"]), "kazakhstan").html
            == brief_page(translated, "kazakhstan").html)
    assert (comparison_page(gather(store, lang="kk", entities=COMPARED), COMPARED).html
            == comparison_page(translated, COMPARED).html)


#: The indicator columns the briefs rank by: indicator, entity column, value, highest first.
RANKED = [("channel-portfolio", "actor", "instruments", True),
          ("benefactor-balance", "state", "benefactor_share", True),
          ("multivector", "state", "diversification", True),
          ("brokerage", "id", "betweenness", True), ("brokerage", "id", "constraint", False)]


def test_indicator_rows_and_ranks_counted_by_sqlite_are_those_of_python(kept, whole):
    """Every row and rank a brief shows of an indicator, read by SQLite from the kept
    measures, is the one the whole network's context finds among all the rows in Python:
    the benefactor balance's overall rows only, no rank for a missing value or a NaN."""
    context = gather(open_store(f"oxigraph:{kept}"), entities=["china"])
    ranked = 0
    for name, column, value, higher_first in RANKED:
        rows = whole.indicator_rows(name, column)
        unranked = {node for node, row in rows.items() if row[value] is None or row[value] != row[value]}
        for node, row in rows.items():
            assert same_rows([context.indicator_row(name, column, node)], [row]), (name, node)
            if node not in unranked:
                assert (context.indicator_rank(name, column, node, value, higher_first)
                        == whole.indicator_rank(name, column, node, value, higher_first)), (name, node)
                ranked += 1
    assert ranked > 100
    assert context.indicator_row("benefactor-balance", "state", "kazakhstan")["scope"] == "overall"
    assert context.indicator_row("brokerage", "id", "nowhere") is None


def test_a_missing_value_or_a_nan_is_not_ranked(whole):
    """Burt's constraint of an isolated entity is NaN, a state without partners has no
    diversification: neither is ranked, by SQLite or by Python, and the NaN is read back."""
    import dataclasses

    from kgraph.indicators import NetworkMeasures
    from kgraph.storedmeasures import StoredMeasures, _write_table

    rows = [{"id": "a", "constraint": 0.5}, {"id": "b", "constraint": math.nan},
            {"id": "c", "constraint": None}, {"id": "d", "constraint": 0.2}, {"id": "e", "constraint": 0.2}]
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE columns (name TEXT PRIMARY KEY, columns TEXT, numeric TEXT)")
    _write_table(connection, "brokerage", rows)
    stored = StoredMeasures(connection, entities=5, places=0)
    python = dataclasses.replace(whole, measures=NetworkMeasures([], {"brokerage": rows}))
    constraint = {row["id"]: row["constraint"] for row in rows}
    for node, lowest_first, highest_first in [("a", (3, 3, False), (1, 3, False)), ("d", (1, 3, True), (2, 3, True))]:
        mine = constraint[node]
        assert stored.indicator_rank("brokerage", "constraint", mine, higher_first=False) == lowest_first
        assert python.indicator_rank("brokerage", "id", node, "constraint", higher_first=False) == lowest_first
        assert stored.indicator_rank("brokerage", "constraint", mine) == highest_first
        assert python.indicator_rank("brokerage", "id", node, "constraint") == highest_first
    assert math.isnan(stored.indicator_row("brokerage", "id", "b")["constraint"])
    assert stored.indicator_row("brokerage", "id", "c") == {"id": "c", "constraint": None}


def test_an_actors_instruments_read_step_by_step_are_the_named_querys_rows(kept, monkeypatch):
    import kgraph.report.context
    from kgraph.query import run
    from kgraph.store import subquery

    store = open_store(f"oxigraph:{kept}")
    context = gather(store, entities=["china"])
    for actor in ("china", "russia", "united-states", "coventry-university", "kazakhstan"):
        whole = run(store, "actor-instruments", actor=actor)
        assert context._instrument_rows(actor) == whole and whole, actor
    # Past the limit, the whole query runs: the same rows.
    monkeypatch.setattr(kgraph.report.context, "STEPWISE_INSTRUMENTS", 1)
    assert context._instrument_rows("china") == run(store, "actor-instruments", actor="china")
    # A step is the subquery as written, with the query's prefixes.
    step = subquery("# note\nPREFIX sp: <https://w3id.org/softpower/ontology#>\n"
                    "SELECT ?a WHERE { { SELECT DISTINCT ?a WHERE { ?a sp:x \"}\" } } ?a sp:y ?b }",
                    "SELECT DISTINCT ?a")
    assert step == ("# note\nPREFIX sp: <https://w3id.org/softpower/ontology#>\n"
                    "SELECT DISTINCT ?a WHERE { ?a sp:x \"}\" } ")
    with pytest.raises(QueryError, match=r"no subquery opening with 'SELECT \?z'"):
        subquery(step, "SELECT ?z")


def test_the_brief_command_reads_only_what_its_page_shows(kept, whole, tmp_path, monkeypatch):
    import kgraph.indicators
    import kgraph.network

    def refused(*args, **kwargs):
        raise AssertionError("the whole network was projected or measured")

    monkeypatch.setattr(kgraph.network, "project", refused)
    monkeypatch.setattr(kgraph.indicators, "measure", refused)
    result = run("brief", "United States", "--store", f"oxigraph:{kept}", "-o", tmp_path / "us.html")
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output
    assert (tmp_path / "us.html").read_text(encoding="utf-8") == brief_page(whole, "united-states").html
    result = run("brief", "--compare", *COMPARED, "--store", f"oxigraph:{kept}", "-o", tmp_path / "c.html")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.html").read_text(encoding="utf-8") == comparison_page(whole, COMPARED).html
    result = run("brief", "china", "nowhere", "--store", f"oxigraph:{kept}", "-o", tmp_path / "out")
    assert result.exit_code != 0 and "The entity value 'nowhere' is not the id or label" in result.output


def _changed_copy(kept, folder):
    """A copy of the store with China's relation records removed, changed behind the build's
    back (by Oxigraph itself, as another tool would)."""
    import pyoxigraph

    copy = folder / "changed"
    shutil.copytree(kept, copy)
    store = pyoxigraph.Store(str(copy))
    records = [row[0] for row in store.query(
        "SELECT DISTINCT ?r WHERE { ?r <https://w3id.org/softpower/ontology#actor> <https://w3id.org/softpower/id/china> }")]
    for record in records:
        for quad in list(store.quads_for_pattern(record, None, None)) + list(store.quads_for_pattern(None, None, record)):
            store.remove(quad)
    store.flush()
    del store
    return copy, len(records)


def test_measures_of_a_changed_store_are_never_shown(kept, tmp_path):
    copy, removed = _changed_copy(kept, tmp_path)
    assert removed > 0
    result = run("brief", "china", "--store", f"oxigraph:{copy}", "-o", tmp_path / "china.html")
    assert result.exit_code == 0, result.output
    assert "has changed since the build that measured it" in result.output
    changed = open_store(f"oxigraph:{copy}")
    assert (tmp_path / "china.html").read_text(encoding="utf-8") == brief_page(gather(changed), "china").html
    degree = project(changed).degree("china")
    assert degree < project(open_store(f"oxigraph:{kept}")).degree("china")
    assert f'<td class="number">{degree:,}</td>' in (tmp_path / "china.html").read_text(encoding="utf-8")


def test_a_rebuilt_store_is_read_with_its_own_measures(kept, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(kept, copy)
    result = run("build", "-q", "--no-site", "--data", MINIMAL, "--store", f"oxigraph:{copy}", "-o", tmp_path / "build")
    assert result.exit_code == 0, result.output
    rebuilt = open_store(f"oxigraph:{copy}")
    network = project(rebuilt)
    before = open_measures(open_store(f"oxigraph:{kept}")).entities
    assert open_measures(rebuilt).entities == network.number_of_nodes() < before
    node = max(network, key=network.degree)
    result = run("brief", node, "--store", f"oxigraph:{copy}", "-o", tmp_path / "brief.html")
    assert result.exit_code == 0 and "note:" not in result.output, result.output
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert html == brief_page(gather(rebuilt), node).html
    assert f"of {network.number_of_nodes():,} entities" in html and f"of {before:,} entities" not in html


def test_without_usable_measures_the_brief_measures_the_network_and_says_why(kept, whole, tmp_path, monkeypatch):
    result = run("build", "-q", "--no-network", "--store", f"oxigraph:{tmp_path / 'bare'}", "-o", tmp_path / "build")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "bare" / MEASURES_FILE).exists()
    result = run("brief", "china", "--store", f"oxigraph:{tmp_path / 'bare'}", "-o", tmp_path / "bare.html")
    assert result.exit_code == 0 and "keeps no measures (it was built with --no-network" in result.output
    assert "<h1>Brief: China</h1>" in (tmp_path / "bare.html").read_text(encoding="utf-8")

    import kgraph

    monkeypatch.setattr(kgraph, "__version__", "0.0.0-other")
    result = run("brief", "china", "--store", f"oxigraph:{kept}", "-o", tmp_path / "other.html")
    assert result.exit_code == 0 and "its measures were kept by kgraph" in result.output
    assert (tmp_path / "other.html").read_text(encoding="utf-8") == brief_page(whole, "china").html
    monkeypatch.undo()

    result = run("brief", "kazakhstan", "--until", "2013", "--store", f"oxigraph:{kept}", "-o", tmp_path / "kz.html")
    assert result.exit_code == 0 and "--until and --status measure the network they leave" in result.output
    as_of = gather(open_store(f"oxigraph:{kept}"), until=2013)
    assert (tmp_path / "kz.html").read_text(encoding="utf-8") == brief_page(as_of, "kazakhstan").html


def test_a_page_reads_the_quotes_of_the_facts_it_shows_not_of_all_around_it(kept, whole, monkeypatch):
    """The comparison shows a few quotes per actor: it reads those, not the quotes of every
    relation record of its actors; a brief reads those of the facts it lists."""
    import kgraph.viz

    asked = []
    load_evidence = kgraph.viz.load_evidence
    monkeypatch.setattr(kgraph.viz, "load_evidence", lambda graph, facts=None: (
        asked.extend(facts), load_evidence(graph, facts))[1])
    store = open_store(f"oxigraph:{kept}")
    records = {str(d["record"]) for actor in COMPARED
               for _, _, d in list(whole.network.in_edges(actor, data=True)) + list(whole.network.out_edges(actor, data=True))
               if d.get("record")}
    context = gather(store, entities=COMPARED)
    assert comparison_page(context, COMPARED).html == comparison_page(whole, COMPARED).html
    assert len(records) > 20 and len(set(asked) & records) < len(records) / 4, (len(records), len(set(asked) & records))
    asked.clear()
    context = gather(store, entities=["china"])
    assert brief_page(context, "china").html == brief_page(whole, "china").html
    assert set(whole.facts_about("china")) <= set(asked)
