"""The entity network: projection, filters, centralities, soft-power indicators and exports.

Measures are checked against values computed by hand on small graphs built here (a star, a
path, two communities joined by one broker, a hand-made partner distribution), and the
wrappers against networkx's own functions on the bundled data.
"""

from __future__ import annotations

import csv
import io
import json
import math

import networkx as nx
import pytest

from conftest import MINIMAL, run
from kgraph import indicators as ind
from kgraph.netexport import NETWORK_FORMATS, serialize_network
from kgraph.network import (by_channel, by_class, by_relation, ego_network, filter_network,
                            project, simple_digraph, simple_graph, until_year)

# --- small graphs built by hand ---------------------------------------------------------------


def entity(graph, node, kind="organisations", cls=None, **attributes):
    graph.add_node(node, id=node, label=node.title(), kind=kind,
                   **{"class": cls or {"states": "State", "programmes": "Programme"}.get(kind, "Organisation")},
                   **attributes)


def link(graph, u, v, relation="linksTo", **attributes):
    graph.add_edge(u, v, key=f"{u}|{relation}|{v}", relation=relation, qualified=False, **attributes)


@pytest.fixture
def star():
    """A centre and four leaves, every edge pointing to the centre."""
    graph = nx.MultiDiGraph()
    for node in ("centre", "l1", "l2", "l3", "l4"):
        entity(graph, node)
    for leaf in ("l1", "l2", "l3", "l4"):
        link(graph, leaf, "centre")
    return graph


@pytest.fixture
def path():
    """a -> b -> c -> d -> e."""
    graph = nx.MultiDiGraph()
    for node in "abcde":
        entity(graph, node)
    for u, v in ("ab", "bc", "cd", "de"):
        link(graph, u, v)
    return graph


@pytest.fixture
def two_spheres():
    """Two cliques of four (China and three Chinese institutions; Russia and three Russian
    ones) joined only through a platform that a1 and b1 belong to."""
    graph = nx.MultiDiGraph()
    entity(graph, "china", "states")
    entity(graph, "russia", "states")
    entity(graph, "platform")
    for side, state in (("a", "china"), ("b", "russia")):
        for i in (1, 2, 3):
            entity(graph, f"{side}{i}", "universities", "University")
            link(graph, f"{side}{i}", state, "homeCountry")
        for u, v in ((f"{side}1", f"{side}2"), (f"{side}1", f"{side}3"), (f"{side}2", f"{side}3")):
            link(graph, u, v, "partnerOf")
    link(graph, "a1", "platform", "memberOf")
    link(graph, "b1", "platform", "memberOf")
    return graph


def programme(graph, node, funder, reaches, channel=None, year=None):
    entity(graph, node, "programmes", **({"channel": channel} if channel else {}),
           **({"launched": year} if year else {}))
    link(graph, node, funder, "fundedBy")
    link(graph, node, reaches, "reaches")


@pytest.fixture
def partners():
    """Kazakhstan receives two Chinese programmes, one Russian and one American; gives one
    programme to Kyrgyzstan and educates Kyrgyz students; Bolashak reaches Kazakhstan itself."""
    graph = nx.MultiDiGraph(channels="language;scholarships")
    for state, central in (("kazakhstan", True), ("kyrgyzstan", True), ("china", False),
                           ("russia", False), ("united-states", False)):
        entity(graph, state, "states", central_asian=central)
    programme(graph, "cn-scholarship", "china", "kazakhstan", "scholarships", 2010)
    programme(graph, "cn-language", "china", "kazakhstan", "language", 2012)
    programme(graph, "ru-language", "russia", "kazakhstan", "language")
    programme(graph, "us-exchange", "united-states", "kazakhstan")
    programme(graph, "kz-scholarship", "kazakhstan", "kyrgyzstan", "scholarships", 2020)
    programme(graph, "bolashak", "kazakhstan", "kazakhstan", "scholarships", 1993)
    graph.add_edge("kyrgyzstan", "kazakhstan", key="flow-1", relation="sendsStudentsTo",
                   qualified=True, record="flow-1", count=1200, year=2022)
    # The same Chinese scholarship stated again as an influence relation: one relation, not two.
    graph.add_edge("china", "kazakhstan", key="influence-1", relation="influences", qualified=True,
                   record="influence-1", instrument="cn-scholarship", channel="scholarships", year=2011)
    return graph


# --- centralities by hand ----------------------------------------------------------------------


def test_star_degrees_betweenness_closeness_and_pagerank(star):
    assert ind.degrees(star)["centre"] == (4, 0, 4)
    assert ind.degrees(star)["l1"] == (0, 1, 1)
    between, method = ind.betweenness(star)
    assert method == "exact"
    assert between["centre"] == pytest.approx(1.0)  # all 6 leaf pairs pass the centre
    assert between["l1"] == 0
    assert ind.closeness(star)[0]["centre"] == pytest.approx(1.0)
    assert ind.closeness(star)[0]["l1"] == pytest.approx(4 / 7)
    # PageRank by hand (N=5, d=0.85, the centre dangling): x = 0.03 + 3.4y + 0.17x,
    # y = 0.03 + 0.17x, so x = 11/21 and y = 2.5/21.
    rank = ind.pagerank(star)
    assert rank["centre"] == pytest.approx(11 / 21, abs=1e-6)
    assert rank["l1"] == pytest.approx(2.5 / 21, abs=1e-6)
    assert sum(rank.values()) == pytest.approx(1.0)


def test_path_betweenness_and_closeness(path):
    between, _ = ind.betweenness(path)
    # Pairs through b: (a,c) (a,d) (a,e) = 3 of 6; through c: 4 of 6.
    assert between == pytest.approx({"a": 0, "b": 0.5, "c": 4 / 6, "d": 0.5, "e": 0})
    close, method = ind.closeness(path)
    assert method == "exact"
    assert close["c"] == pytest.approx(4 / 6)
    assert close["a"] == pytest.approx(4 / 10)


def test_broker_between_two_communities(two_spheres):
    between, _ = ind.betweenness(two_spheres)
    # n = 9, so (n-1)(n-2)/2 = 28 pairs; the platform carries the 16 pairs across.
    assert between["platform"] == pytest.approx(16 / 28)
    assert between["a1"] == pytest.approx(15 / 28)  # a2, a3, china x platform, b-side
    community = ind.communities(two_spheres)
    assert community["a2"] == community["a3"] == community["china"] != community["b2"]
    assert community["b2"] == community["b3"] == community["russia"]
    brokers = {row["id"]: row for row in ind.brokerage(two_spheres)}
    platform = brokers["platform"]
    assert platform["communities_bridged"] == 2
    assert platform["spheres"] == "china;russia"
    assert platform["constraint"] == pytest.approx(0.5)  # two unconnected contacts: 2 x (1/2)^2
    assert platform["effective_size"] == pytest.approx(2.0)
    assert ind.brokerage(two_spheres)[0]["id"] == "platform"


def test_sampled_betweenness_is_flagged_and_repeatable(path):
    first, method = ind.betweenness(path, exact_max_nodes=3, sample=4)
    assert method == "sampled k=4 seed=42"
    assert ind.betweenness(path, exact_max_nodes=3, sample=4)[0] == first
    rows = ind.centralities(path, ["betweenness"], exact_max_nodes=3)
    assert {r["betweenness_method"] for r in rows} == {"sampled k=5 seed=42"}


def test_simple_views_state_how_parallel_edges_combine(partners):
    directed = simple_digraph(partners)
    # china -> kazakhstan: one influence relation; the programmes point the other way.
    assert directed["china"]["kazakhstan"]["weight"] == 1
    undirected = simple_graph(partners)
    assert undirected["cn-scholarship"]["china"]["weight"] == 1
    graph = nx.MultiDiGraph()
    entity(graph, "x")
    entity(graph, "y")
    for direction in (("x", "y"), ("y", "x")):
        graph.add_edge(*direction, key=f"p|{direction[0]}|{direction[1]}", relation="partnerOf",
                       record="p")
    link(graph, "x", "y", "basedIn")
    assert simple_digraph(graph)["x"]["y"] == {"weight": 2, "relations": "basedIn;partnerOf"}
    assert simple_graph(graph)["x"]["y"]["weight"] == 2  # one partnership + one plain link


# --- soft-power indicators by hand ---------------------------------------------------------------


def test_concentration_by_hand():
    found = ind.concentration({"china": 2, "russia": 1, "united-states": 1})
    assert found["partners"] == 3
    assert found["relations"] == 4
    assert found["hhi"] == pytest.approx(0.375)
    assert found["diversification"] == pytest.approx(0.625)
    assert found["entropy"] == pytest.approx(-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)))
    assert found["entropy_normalised"] == pytest.approx(1.0397208 / math.log(3))
    assert found["effective_partners"] == pytest.approx(8 / 3)
    assert ind.concentration({"china": 5})["entropy_normalised"] == 0.0
    assert ind.concentration({})["hhi"] is None


def test_soft_power_relations_merge_duplicates_and_drop_self_relations(partners):
    relations = {(r.provider, r.receiver, r.instrument): r for r in ind.soft_power_relations(partners)}
    assert set(relations) == {
        ("china", "kazakhstan", "cn-scholarship"), ("china", "kazakhstan", "cn-language"),
        ("russia", "kazakhstan", "ru-language"), ("united-states", "kazakhstan", "us-exchange"),
        ("kazakhstan", "kyrgyzstan", "kz-scholarship"), ("kazakhstan", "kyrgyzstan", "flow-1")}
    merged = relations[("china", "kazakhstan", "cn-scholarship")]
    assert merged.year == 2010 and merged.channels == {"scholarships"}


def test_multivector_index_by_hand(partners):
    rows = {r["state"]: r for r in ind.multivector_index(partners)}
    kazakhstan = rows["kazakhstan"]
    assert kazakhstan["partners"] == 3
    assert kazakhstan["relations"] == 4
    assert kazakhstan["hhi"] == pytest.approx(0.375)
    assert kazakhstan["diversification"] == pytest.approx(0.625)
    assert kazakhstan["entropy_normalised"] == pytest.approx(0.946395, abs=1e-6)
    assert kazakhstan["top_partner"] == "china" and kazakhstan["top_share"] == 0.5
    assert kazakhstan["partner_counts"] == "china:2;russia:1;united-states:1"
    assert rows["kyrgyzstan"]["partners"] == 0 and rows["kyrgyzstan"]["hhi"] is None


def test_shared_membership_counts_as_an_engagement(partners):
    entity(partners, "c5-plus-1", cls="CooperationPlatform")
    for member in ("kazakhstan", "kyrgyzstan", "united-states"):
        link(partners, member, "c5-plus-1", "memberOf")
    rows = {r["state"]: r for r in ind.multivector_index(partners)}
    # Kazakhstan: China 2, Russia 1, United States 1 + 1 = 5; HHI = (4 + 1 + 4) / 25.
    assert rows["kazakhstan"]["partner_counts"] == "china:2;united-states:2;russia:1"
    assert rows["kazakhstan"]["hhi"] == pytest.approx(0.36)
    assert rows["kyrgyzstan"]["partner_counts"] == "united-states:1"
    assert rows["kyrgyzstan"]["diversification"] == 0.0


def test_benefactor_balance_by_hand(partners):
    rows = {(r["state"], r["scope"], r["key"]): r for r in ind.benefactor_balance(partners)}
    overall = rows[("kazakhstan", "overall", "")]
    assert (overall["outgoing"], overall["incoming"], overall["balance"]) == (2, 4, -2)
    assert overall["benefactor_share"] == pytest.approx(1 / 3)
    assert (rows[("kazakhstan", "channel", "scholarships")]["outgoing"],
            rows[("kazakhstan", "channel", "scholarships")]["incoming"]) == (1, 1)
    assert rows[("kazakhstan", "channel", "language")]["incoming"] == 2
    assert rows[("kazakhstan", "channel", "unspecified")]["outgoing"] == 1  # the student flow
    assert rows[("kazakhstan", "year", "2010")]["incoming"] == 1
    assert rows[("kazakhstan", "year", "2022")]["outgoing"] == 1
    assert ("kazakhstan", "year", "1993") not in rows  # Bolashak reaches Kazakhstan itself
    assert rows[("china", "overall", "")]["benefactor_share"] == 1.0


def test_channel_portfolio_by_hand(partners):
    rows = {r["actor"]: r for r in ind.channel_portfolio(partners)}
    assert set(rows) == {"china", "russia", "united-states"}  # Kazakhstan is not external
    assert rows["china"] == {"actor": "china", "label": "China", "instruments": 2, "channels": 2,
                             "language": 1, "scholarships": 1, "unspecified": 0}
    assert rows["united-states"]["unspecified"] == 1
    assert ind.channel_portfolio(partners)[0]["actor"] == "china"


def test_long_rows_flatten_every_indicator(partners):
    rows = ind.long_rows(ind.indicators(partners, ["multivector", "channel-portfolio"]))
    assert {"indicator": "multivector", "entity": "kazakhstan", "label": "Kazakhstan",
            "measure": "relations", "scope": "partner", "key": "china", "value": 2} in rows
    assert {"indicator": "channel-portfolio", "entity": "china", "label": "China",
            "measure": "instruments", "scope": "channel", "key": "language", "value": 1} in rows


# --- the projection ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_kg():
    from kgraph.build import load_graph

    return load_graph([MINIMAL])


@pytest.fixture(scope="module")
def minimal_net(minimal_kg):
    return project(minimal_kg)


@pytest.fixture(scope="module")
def bundled_net(bundled_kg):
    return project(bundled_kg)


def test_minimal_projection_nodes(minimal_net):
    assert sorted(minimal_net) == ["almaty", "de-montfort-university",
                                   "de-montfort-university-kazakhstan", "kazakhstan",
                                   "test-scholarship", "united-kingdom"]
    assert minimal_net.nodes["kazakhstan"] == {
        "id": "kazakhstan", "label": "Kazakhstan", "label_kk": "Қазақстан", "label_ru": "Казахстан",
        "class": "State", "kind": "states", "iso_code": "KZ", "central_asian": True,
        "epistemic_status": "stated"}
    campus = minimal_net.nodes["de-montfort-university-kazakhstan"]
    assert (campus["class"], campus["opened"], campus["label"]) == (
        "BranchCampus", 2023, "De Montfort University Kazakhstan")
    assert minimal_net.nodes["test-scholarship"]["class"] == "ScholarshipProgramme"
    assert minimal_net.nodes["test-scholarship"]["channel"] == "scholarships"


def test_minimal_projection_edges(minimal_net):
    edges = {(u, v, d["relation"]): d for u, v, d in minimal_net.edges(data=True)}
    assert sorted(edges) == [
        ("almaty", "kazakhstan", "containedInPlace"),
        ("de-montfort-university", "de-montfort-university-kazakhstan", "investsIn"),
        ("de-montfort-university", "united-kingdom", "homeCountry"),
        ("de-montfort-university-kazakhstan", "almaty", "hostCity"),
        ("de-montfort-university-kazakhstan", "de-montfort-university", "parentInstitution"),
        ("de-montfort-university-kazakhstan", "kazakhstan", "hostState"),
        ("test-scholarship", "kazakhstan", "reaches"),
        ("test-scholarship", "united-kingdom", "fundedBy"),
        ("united-kingdom", "kazakhstan", "influences"),
    ]
    host = edges[("de-montfort-university-kazakhstan", "kazakhstan", "hostState")]
    assert (host["year"], host["qualified"], host["source"]) == (2023, False, "test-report")
    investment = edges[("de-montfort-university", "de-montfort-university-kazakhstan", "investsIn")]
    assert (investment["amount"], investment["currency"], investment["year"]) == (50_000_000.0, "USD", 2023)
    assert investment["record"].startswith("investment-de-montfort-university-")
    influence = edges[("united-kingdom", "kazakhstan", "influences")]
    assert influence["channel"] == "branch-campuses"
    assert influence["instrument"] == "de-montfort-university-kazakhstan"
    # the truthy edges beside the qualified relations are not doubled
    assert minimal_net.number_of_edges("united-kingdom", "kazakhstan") == 1
    assert minimal_net.number_of_edges("de-montfort-university", "de-montfort-university-kazakhstan") == 1


def assert_graphml_safe(network):
    for _, data in network.nodes(data=True):
        assert all(type(v) in (str, int, float, bool) for v in data.values()), data
    for _, _, data in network.edges(data=True):
        assert all(type(v) in (str, int, float, bool) for v in data.values()), data


def assert_only_entities(network, kg):
    """No literal, class, vocabulary concept, scheme, source, evidence, amount or relation node."""
    from kgraph.namespaces import DCTERMS, RDF, SKOS, SP, SPR

    graph = kg.graph
    ids = {str(o): s for s, o in graph.subject_objects(DCTERMS.identifier)}
    for node in network:
        iri = ids[node]
        assert str(iri).startswith(str(SPR)), node
        types = set(graph.objects(iri, RDF.type))
        assert not types & {SP.Source, SP.Quotation, SP.Observation, SP.InfluenceRelation,
                            SP.Investment, SP.Membership, SP.Partnership, SKOS.Concept,
                            SKOS.ConceptScheme, SP.InfluenceChannel}, (node, types)
        assert "/evidence/" not in node and "/amount" not in node
    sources = {str(o) for s in graph.subjects(RDF.type, SP.Source)
               for o in graph.objects(s, DCTERMS.identifier)}
    assert sources and not sources & set(network)


def test_minimal_projection_holds_only_entities(minimal_net, minimal_kg):
    assert_only_entities(minimal_net, minimal_kg)
    assert not {"test-report", "test-reference", "foreign-branch-campus-count", "scholarships",
                "branch-campuses", "students"} & set(minimal_net)
    assert_graphml_safe(minimal_net)


def test_projection_is_repeatable(minimal_kg, minimal_net):
    again = project(minimal_kg)
    assert list(again.nodes(data=True)) == list(minimal_net.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(minimal_net.edges(keys=True, data=True))


# --- filters --------------------------------------------------------------------------------------


def test_channel_filter_keeps_only_that_channel(minimal_net):
    filtered = by_channel(minimal_net, ["scholarships"])
    assert sorted((u, v, d["relation"]) for u, v, d in filtered.edges(data=True)) == [
        ("test-scholarship", "kazakhstan", "reaches"),
        ("test-scholarship", "united-kingdom", "fundedBy")]
    assert sorted(filtered) == ["kazakhstan", "test-scholarship", "united-kingdom"]


def test_until_year_drops_later_relations(minimal_net):
    as_of_2022 = until_year(minimal_net, 2022)
    assert {d["relation"] for _, _, d in as_of_2022.edges(data=True)} == {
        "containedInPlace", "homeCountry", "reaches", "fundedBy"}
    assert "de-montfort-university-kazakhstan" not in as_of_2022  # opened in 2023
    assert until_year(minimal_net, 2023).number_of_edges() == minimal_net.number_of_edges()
    dated_only = until_year(minimal_net, 2022, keep_undated=False)
    assert {d["relation"] for _, _, d in dated_only.edges(data=True)} == {"reaches", "fundedBy"}


def test_relation_class_and_ego_filters(minimal_net):
    assert sorted(by_relation(minimal_net, ["hostState", "hostCity"]).edges()) == [
        ("de-montfort-university-kazakhstan", "almaty"),
        ("de-montfort-university-kazakhstan", "kazakhstan")]
    assert sorted(by_class(minimal_net, ["State"])) == ["kazakhstan", "united-kingdom"]
    assert sorted(by_class(minimal_net, ["Programme"])) == ["test-scholarship"]  # a subclass
    assert sorted(by_class(minimal_net, ["universities", "BranchCampus"])) == [
        "de-montfort-university", "de-montfort-university-kazakhstan"]
    assert sorted(ego_network(minimal_net, "almaty", 1)) == [
        "almaty", "de-montfort-university-kazakhstan", "kazakhstan"]
    assert len(ego_network(minimal_net, "almaty", 2)) == 6
    combined = filter_network(minimal_net, channels=["branch-campuses"], actor="almaty", depth=1)
    assert sorted(combined) == ["almaty", "de-montfort-university-kazakhstan"]


def test_unknown_actor_is_reported_with_a_suggestion(minimal_net):
    from kgraph.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="Did you mean: kazakhstan"):
        ego_network(minimal_net, "kazakstan")


@pytest.mark.parametrize("command, expected", [
    (["graph-export", "--channel", "scholarship"],
     "No channel 'scholarship' in the network. Did you mean: scholarships? Known channels: "
     "academic-mobility, branch-campuses,"),
    (["graph-export", "--relation", "hoststate"],
     "No relation 'hoststate' in the network. Did you mean: hostState? Known relations: adoptedAt,"),
    (["graph-export", "--class", "Univercity"],
     "No class 'Univercity' in the network. Did you mean: University, universities, "
     "UniversityAlliance?"),
    (["centrality", "--class", "Stat"],
     "No class 'Stat' in the network. Did you mean: State, states, Strategy?"),
    (["graph-export", "--actor", "Kazakstan"],
     "The --actor value 'Kazakstan' is not the id or label of anything in the graph. "
     "Close names: Kazakhstan, "),
])
def test_filters_that_match_nothing_are_refused(tmp_path, command, expected):
    output = tmp_path / "network.graphml"
    result = run(*command, *(["-o", output] if command[0] == "graph-export" else []))
    assert result.exit_code == 2
    assert f"Error: {expected}" in result.output
    assert "no entities match" not in result.output and not output.exists()


def test_class_filters_ignore_case(tmp_path):
    rows = [run("centrality", "--class", name, "-f", "csv", "-m", "degree").stdout
            for name in ("University", "university", "UNIVERSITIES")]
    assert rows[0] == rows[1] == rows[2] and rows[0].count("\n") > 10


def test_actor_takes_a_label_in_any_language_and_case(tmp_path):
    exports = {}
    for name in ("kazakhstan", "Қазақстан", "КАЗАХСТАН", "kazakhstan".upper()):
        output = tmp_path / f"{len(exports)}.graphml"
        result = run("graph-export", "--data", MINIMAL, "--actor", name, "-o", output)
        assert result.exit_code == 0, result.output
        exports[name] = output.read_bytes()
    assert len(set(exports.values())) == 1
    assert b'"kazakhstan"' in exports["kazakhstan"]


# --- exports --------------------------------------------------------------------------------------


def reread(payload: bytes, fmt: str):
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(payload), force_multigraph=True)
    return nx.read_gexf(io.BytesIO(payload))


@pytest.mark.parametrize("fmt", sorted(NETWORK_FORMATS))
def test_exports_are_reread_by_networkx(minimal_net, fmt):
    payload = serialize_network(minimal_net, fmt)
    assert payload == serialize_network(project_copy(minimal_net), fmt)  # byte-identical
    again = reread(payload, fmt)
    assert again.number_of_nodes() == minimal_net.number_of_nodes()
    assert again.number_of_edges() == minimal_net.number_of_edges()
    kazakhstan = again.nodes["kazakhstan"]
    assert (kazakhstan["label"], kazakhstan["label_kk"], kazakhstan["iso_code"],
            kazakhstan["central_asian"]) == ("Kazakhstan", "Қазақстан", "KZ", True)
    assert again.nodes["de-montfort-university-kazakhstan"]["opened"] == 2023
    edges = {(u, v, d["relation"]): d for u, v, d in again.edges(data=True)}
    investment = edges[("de-montfort-university", "de-montfort-university-kazakhstan", "investsIn")]
    assert (investment["amount"], investment["currency"], investment["year"]) == (50_000_000.0, "USD", 2023)
    assert edges[("test-scholarship", "kazakhstan", "reaches")]["channel"] == "scholarships"


def project_copy(network):
    """The same network with nodes and edges inserted in reverse order."""
    copy = nx.MultiDiGraph(**network.graph)
    copy.add_nodes_from(reversed(list(network.nodes(data=True))))
    copy.add_edges_from(reversed(list(network.edges(keys=True, data=True))))
    return copy


# --- the command line -----------------------------------------------------------------------------


def test_cli_centrality_csv_and_top(minimal_net):
    result = run("centrality", "--data", MINIMAL, "--metric", "degree", "--metric", "betweenness",
                 "--format", "csv", "--top", "2")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["de-montfort-university-kazakhstan", "kazakhstan"]
    assert rows[1] == {"id": "kazakhstan", "label": "Kazakhstan", "class": "State", "degree": "4",
                       "betweenness": "0.35", "betweenness_method": "exact"}


def test_cli_centrality_json_by_class():
    result = run("centrality", "--data", MINIMAL, "--class", "State", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["kazakhstan", "united-kingdom"]  # ranked by PageRank
    assert set(rows[0]) == {"id", "label", "class", *ind.METRICS, "betweenness_method",
                            "closeness_method"}
    assert rows[0]["degree_in"] == 4


def test_cli_indicators_formats():
    result = run("indicators", "--data", MINIMAL, "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert list(found) == list(ind.INDICATORS)
    assert found["channel-portfolio"] == [{"actor": "united-kingdom", "label": "United Kingdom",
                                           "instruments": 2, "channels": 2,
                                           "branch-campuses": 1, "scholarships": 1}]
    result = run("indicators", "--data", MINIMAL, "--indicator", "benefactor-balance", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"indicator": "benefactor-balance", "entity": "united-kingdom", "label": "United Kingdom",
            "measure": "outgoing", "scope": "overall", "key": "", "value": "2"} in rows
    table = run("indicators", "--data", MINIMAL, "--indicator", "multivector").stdout
    assert table.splitlines()[0] == "multivector:"
    assert table.splitlines()[3].split()[:4] == ["kazakhstan", "Kazakhstan", "1", "2"]


def test_cli_graph_export_writes_a_file(tmp_path):
    target = tmp_path / "net.gexf"
    result = run("graph-export", "--data", MINIMAL, "--format", "gexf", "-o", target,
                 "--until", "2022")
    assert result.exit_code == 0, result.output
    again = nx.read_gexf(target)
    assert sorted(again) == ["almaty", "de-montfort-university", "kazakhstan", "test-scholarship",
                             "united-kingdom"]
    result = run("graph-export", "--data", MINIMAL, "--actor", "kazakstan")
    assert result.exit_code == 2
    assert "Close names: Kazakhstan" in result.output


def test_csv_writers(minimal_net, tmp_path):
    ind.write_centrality_csv(minimal_net, tmp_path / "centrality.csv")
    rows = list(csv.DictReader((tmp_path / "centrality.csv").open(encoding="utf-8")))
    assert len(rows) == 6
    assert list(rows[0]) == ["id", "label", "class", *ind.METRICS, "betweenness_method",
                             "closeness_method"]
    kazakhstan = next(r for r in rows if r["id"] == "kazakhstan")
    assert (kazakhstan["degree_in"], kazakhstan["degree_out"]) == ("4", "0")
    ind.write_indicators_csv(minimal_net, tmp_path / "indicators.csv")
    rows = list(csv.DictReader((tmp_path / "indicators.csv").open(encoding="utf-8")))
    assert list(rows[0]) == list(ind.LONG_COLUMNS)
    assert {r["indicator"] for r in rows} == set(ind.INDICATORS)


# --- the bundled data -----------------------------------------------------------------------------


def test_bundled_projection_holds_only_entities(bundled_net, bundled_kg):
    assert_only_entities(bundled_net, bundled_kg)
    assert_graphml_safe(bundled_net)
    kinds = {d["kind"] for _, d in bundled_net.nodes(data=True)}
    assert not kinds & {"concepts", "indicators", "analytical_dimensions", "narratives",
                        "soft_power_models", "sources", "observations"}


def test_wrappers_equal_networkx_on_the_bundled_data(bundled_net):
    undirected, directed = simple_graph(bundled_net), simple_digraph(bundled_net)
    assert {n: d[0] for n, d in ind.degrees(bundled_net).items()} == dict(bundled_net.in_degree())
    assert {n: d[2] for n, d in ind.degrees(bundled_net).items()} == dict(bundled_net.degree())
    assert ind.pagerank(bundled_net) == pytest.approx(nx.pagerank(directed, weight=None))
    assert ind.pagerank(bundled_net, weighted=True) == pytest.approx(nx.pagerank(directed, weight="weight"))
    between, method = ind.betweenness(bundled_net)
    assert method == "exact"
    assert between == pytest.approx(nx.betweenness_centrality(undirected))
    assert ind.closeness(bundled_net)[0] == pytest.approx(nx.closeness_centrality(undirected))
    assert ind.eigenvector(bundled_net) == pytest.approx(
        nx.eigenvector_centrality(undirected, weight="weight", max_iter=10_000, tol=1e-9))
    found = ind.communities(bundled_net)
    louvain = nx.community.louvain_communities(undirected, weight="weight", seed=ind.SEED)
    assert sorted(sorted(c) for c in louvain) == sorted(
        sorted(n for n in found if found[n] == k) for k in set(found.values()))
    assert sum(ind.pagerank(bundled_net).values()) == pytest.approx(1.0)


def test_structural_holes_equal_networkx_on_the_bundled_actors(bundled_net):
    actors = ind.actor_network(bundled_net)
    constraint, effective = ind.structural_holes(actors)
    expected_constraint, expected_effective = nx.constraint(actors), nx.effective_size(actors)
    isolated = {node for node in actors if not actors[node]}
    assert isolated and len(actors) - len(isolated) > 100  # both kinds of node are checked
    for node in actors:
        if node in isolated:
            assert math.isnan(constraint[node]) and math.isnan(effective[node])
            assert math.isnan(expected_constraint[node]) and math.isnan(expected_effective[node])
        else:
            assert constraint[node] == pytest.approx(expected_constraint[node]), node
            assert effective[node] == pytest.approx(expected_effective[node]), node


def test_sampled_metrics_equal_networkx_from_the_same_pivots(bundled_net):
    """Sampled betweenness and closeness run in igraph, from the pivots networkx would draw:
    betweenness equals networkx's own estimate for that k and seed, closeness the estimate
    made with networkx's breadth-first searches from the same seeded pivots."""
    import random

    undirected = simple_graph(bundled_net)
    between, method = ind.betweenness(bundled_net, exact_max_nodes=10, sample=40)
    assert method == f"sampled k=40 seed={ind.SEED}"
    expected = nx.betweenness_centrality(undirected, k=40, normalized=True, seed=ind.SEED)
    assert between == pytest.approx(expected)
    assert sum(value > 0 for value in between.values()) > 40  # not only the pivots: a real test

    close, method = ind.closeness(bundled_net, exact_max_nodes=10, sample=40)
    assert method == f"sampled k=40 seed={ind.SEED}"
    pivots = random.Random(ind.SEED).sample(sorted(undirected), 40)
    lengths = [nx.single_source_shortest_path_length(undirected, pivot) for pivot in pivots]
    for node in undirected:
        found = [found[node] for found, pivot in zip(lengths, pivots) if node in found and node != pivot]
        others = 40 - (node in pivots)
        assert close[node] == pytest.approx(
            (len(found) / others) / (sum(found) / len(found)) if found else 0.0), node


#: Attributes the exports add for the tools that read them (GEXF's drawing and timeline).
GEPHI_ATTRIBUTES = ("viz", "start", "end")


@pytest.mark.parametrize("fmt", sorted(NETWORK_FORMATS))
def test_bundled_exports_keep_every_node_edge_and_attribute(bundled_net, fmt):
    again = reread(serialize_network(bundled_net, fmt), fmt)
    assert again.number_of_nodes() == bundled_net.number_of_nodes()
    assert again.number_of_edges() == bundled_net.number_of_edges()
    for node, data in bundled_net.nodes(data=True):
        expected = {k: v for k, v in data.items() if k != "id"}
        if fmt == "graphml":
            expected["identifier"] = data["id"]
        assert {k: v for k, v in again.nodes[node].items() if k not in GEPHI_ATTRIBUTES} == expected
    written = sorted((u, v, tuple(sorted((k, w) for k, w in d.items()
                                         if k not in ("id", "networkx_key", *GEPHI_ATTRIBUTES))))
                     for u, v, d in again.edges(data=True))
    assert written == sorted((u, v, tuple(sorted(d.items()))) for u, v, d in bundled_net.edges(data=True))


def test_gexf_draws_as_the_page_and_has_a_timeline(bundled_net):
    """Read with an XML parser: GEXF 1.3, dynamic with integer years; every node in its
    class's colour on the page, sized by PageRank (the highest-ranked node largest), at the
    position of the page's layout; a campus starts the year it opened, an event also ends
    then, an edge starts in its fact's year. networkx reads the same back."""
    from xml.etree import ElementTree

    from kgraph.viz import MAX_SIZE, MIN_SIZE, NODE_STYLES, ring_layout

    payload = serialize_network(bundled_net, "gexf")
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    root = ElementTree.fromstring(payload)
    assert root.get("version") == "1.3"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == \
        "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
    graph = root.find("g:graph", ns)
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "integer")
    nodes = {n.get("id"): n for n in graph.iterfind("g:nodes/g:node", ns)}
    assert set(nodes) == set(bundled_net)
    ranks = {row["id"]: row["pagerank"] for row in ind.centralities(bundled_net, ["pagerank"])}
    layout = ring_layout(bundled_net)
    for node, element in nodes.items():
        data = bundled_net.nodes[node]
        kind = "central_asian_states" if data.get("central_asian") is True else data["kind"]
        colour = element.find("viz:color", ns)
        assert "#%02x%02x%02x" % tuple(int(colour.get(c)) for c in "rgb") == NODE_STYLES[kind][0]
        position = element.find("viz:position", ns)
        assert (float(position.get("x")), -float(position.get("y"))) == layout[node]
        size = float(element.find("viz:size", ns).get("value"))
        assert MIN_SIZE <= size <= MAX_SIZE
    top = max(ranks, key=ranks.get)
    assert float(nodes[top].find("viz:size", ns).get("value")) == MAX_SIZE
    starts = {n: next((d[k] for k in ("opened", "launched", "year", "founded") if k in d), None)
              for n, d in bundled_net.nodes(data=True)}
    assert sum(1 for year in starts.values() if year) > 10
    assert {n: int(e.get("start")) if e.get("start") else None for n, e in nodes.items()} == starts
    events = [n for n, d in bundled_net.nodes(data=True) if d["kind"] == "events" and "year" in d]
    assert events and all(nodes[e].get("start") == nodes[e].get("end") == str(bundled_net.nodes[e]["year"])
                          for e in events)
    dated_edges = [e for e in graph.iterfind("g:edges/g:edge", ns) if e.get("start")]
    assert len(dated_edges) == sum(1 for *_, d in bundled_net.edges(data=True) if "year" in d) > 30
    assert all(e.find("viz:color", ns) is not None for e in graph.iterfind("g:edges/g:edge", ns))
    again = nx.read_gexf(io.BytesIO(payload))
    assert again.graph["mode"] == "dynamic"
    assert {n: again.nodes[n]["start"] for n in again if "start" in again.nodes[n]} == {
        n: year for n, year in starts.items() if year}
    assert again.nodes["kazakhstan"]["viz"]["color"] == {"r": 0x1a, "g": 0x52, "b": 0x76, "a": 1.0}


def test_igraph_reads_the_graphml_with_entity_ids_apart_from_its_own(bundled_net, tmp_path):
    import igraph

    path = tmp_path / "network.graphml"
    path.write_bytes(serialize_network(bundled_net, "graphml"))
    graph = igraph.Graph.Read_GraphML(str(path))
    assert (graph.vcount(), graph.ecount()) == (bundled_net.number_of_nodes(), bundled_net.number_of_edges())
    assert graph.is_directed()
    assert sorted(graph.vs["identifier"]) == sorted(graph.vs["id"]) == sorted(bundled_net)
    kazakhstan = graph.vs.find(identifier="kazakhstan")
    assert (kazakhstan["label"], kazakhstan["iso_code"], kazakhstan["class"]) == ("Kazakhstan", "KZ", "State")
    degree = {v["identifier"]: v.degree() for v in graph.vs}
    assert degree == dict(bundled_net.degree())


def test_build_outputs_and_export_formats(minimal_kg, tmp_path):
    from kgraph.netexport import serialize_any

    written = ind.write_network_outputs(project(minimal_kg), tmp_path)
    assert [p.name for p in written] == ["centrality.csv", "indicators.csv"]
    assert len((tmp_path / "centrality.csv").read_text(encoding="utf-8").splitlines()) == 7
    again = reread(serialize_any(minimal_kg, "graphml"), "graphml")
    assert again.number_of_edges() == 9
    assert serialize_any(minimal_kg, "nt").count(b"\n") == len(minimal_kg.graph)


def test_bundled_campus_edges(bundled_net):
    """De Montfort University's Almaty branch (Frigerio: "De Montfort University (US$16
    million in Almaty)"): hosted by Kazakhstan, child of its parent, with the investment."""
    campus = "de-montfort-university-kazakhstan"
    out = {(v, d["relation"]): d for _, v, d in bundled_net.out_edges(campus, data=True)}
    assert ("kazakhstan", "hostState") in out
    assert ("almaty", "hostCity") in out
    assert ("de-montfort-university", "parentInstitution") in out
    assert out[("kazakhstan", "hostState")]["qualified"] is False
    invested = [(u, d) for u, _, d in bundled_net.in_edges(campus, data=True) if d["relation"] == "investsIn"]
    assert [(d["amount"], d["currency"]) for _, d in invested] == [(16_000_000.0, "USD")]
    assert invested[0][1]["source"] == "frigerio-east-west-bridge"
    assert bundled_net.nodes["kazakhstan"]["central_asian"] is True
    assert ("de-montfort-university", "united-kingdom") in {
        (u, v) for u, v, d in bundled_net.edges(data=True) if d["relation"] == "homeCountry"}


def test_sampled_closeness_is_exact_when_every_node_is_a_pivot(partners):
    import networkx as nx

    view = ind.simple_graph(partners)
    estimated, method = ind.closeness(partners, exact_max_nodes=1, sample=view.number_of_nodes())
    assert method == f"sampled k={view.number_of_nodes()} seed={ind.SEED}"
    exact = nx.closeness_centrality(view)
    assert estimated == pytest.approx(exact)
    fewer, _ = ind.closeness(partners, exact_max_nodes=1, sample=2)
    assert set(fewer) == set(exact) and all(0 <= value <= 1 for value in fewer.values())


def test_the_part_around_some_entities_is_what_the_whole_projection_says(bundled_kg):
    from kgraph.network import dated_facts, entity_attributes, project, project_around

    network = project(bundled_kg)
    for seeds in [[node] for node in sorted(network)] + [["china", "kazakhstan", "no-such-entity"]]:
        part = project_around(bundled_kg, seeds)
        assert all(part.nodes[n] == network.nodes[n] for n in part), seeds
        assert all(network.edges[u, v, k] == d for u, v, k, d in part.edges(keys=True, data=True)), seeds
        for seed in set(seeds) & set(network):
            assert list(part.out_edges(seed, keys=True, data=True)) == list(network.out_edges(seed, keys=True, data=True))
            assert list(part.in_edges(seed, keys=True, data=True)) == list(network.in_edges(seed, keys=True, data=True))
            assert set(part) >= set(nx.all_neighbors(network, seed))
    records = sorted({d["record"] for _, _, d in network.edges(data=True) if d.get("qualified")})
    part = project_around(bundled_kg, records)
    assert {d["record"] for _, _, d in part.edges(data=True) if d.get("qualified")} == set(records)
    whole = {f.fact: f for f in dated_facts(network)}
    assert all(whole[f.fact] == f for f in dated_facts(part))
    assert entity_attributes(bundled_kg, ["china", "almaty", records[0]]) == {
        "china": network.nodes["china"], "almaty": network.nodes["almaty"]}
