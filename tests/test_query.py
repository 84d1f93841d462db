"""Named queries answer the competency questions with specific rows; `kgraph query` is safe."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from conftest import ROOT, run
from kgraph.errors import QueryError
from kgraph.query import bind_parameters, execute, find_query, named_queries, run as run_query


def rows(bundled_kg, name, **params):
    return run_query(bundled_kg.graph, name, **params)


def only(found: list[dict], **match) -> dict:
    hits = [row for row in found if all(row.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, f"expected one row matching {match}, found {len(hits)}"
    return hits[0]


def data_records(kind: str) -> list[dict]:
    records = []
    for path in sorted((ROOT / "data").glob("*.yaml")):
        records.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get(kind, []) or [])
    return records


# --- every named query -----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_header_matches_its_result(bundled_kg, name):
    named = named_queries()[name]
    assert named.title and named.description
    result = execute(bundled_kg.graph, named.text, name, bind_parameters(bundled_kg.graph, named, {}))
    assert tuple(result.columns) == named.columns
    if name == "proposed-facts":  # the curated data holds no unreviewed proposal
        assert not result.rows, "the bundled data holds proposed records"
        return
    assert result.rows, f"{name} returns no rows on the bundled data"


def test_queries_lists_every_named_query_as_json():
    result = run("queries", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [q["name"] for q in listed] == sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    campuses = next(q for q in listed if q["name"] == "branch-campuses")
    assert set(campuses) >= {"name", "title", "description", "parameters"}
    assert campuses["parameters"] == [{"name": "host", "type": "entity", "default": "kazakhstan",
                                       "description": "the state hosting the campuses (id or label)"}]


# --- specific answers on the bundled data ----------------------------------------------------

def test_branch_campuses_give_parent_home_country_city_and_investment(bundled_kg):
    found = rows(bundled_kg, "branch-campuses")
    dmu = only(found, campus="De Montfort University Kazakhstan")
    assert (dmu["parent"], dmu["home_country"], dmu["host_city"]) == (
        "De Montfort University", "United Kingdom", "Almaty")
    assert (dmu["investment"], dmu["currency"]) == (16000000, "USD")
    assert "frigerio-east-west-bridge" in dmu["source"] and dmu["quote"]
    coventry = only(found, campus="Coventry University Kazakhstan")
    assert (coventry["host_city"], coventry["investment"]) == ("Astana", 50000000)
    campuses = data_records("branch_campuses")
    assert len(found) == len([c for c in campuses if c["host_state"] == "kazakhstan"])


def test_a_parameter_is_accepted_by_label_or_by_id(bundled_kg):
    assert rows(bundled_kg, "branch-campuses", host="Kazakhstan") == \
        rows(bundled_kg, "branch-campuses", host="kazakhstan")
    assert rows(bundled_kg, "branch-campuses", host="china") == []


def test_campus_investment_totals_per_source(bundled_kg):
    found = rows(bundled_kg, "campus-investment-totals")
    reported = only(found, source="frigerio-east-west-bridge")
    assert (reported["total"], reported["currency"], reported["investments"]) == (66000000, "USD", 2)
    stated = only(found, source="nurbek-academic-hub")
    assert (stated["basis"], stated["total"]) == ("total it states", 66000000)


def test_comparative_models_match_the_data_of_table_2(bundled_kg):
    found = {row["actor"]: row for row in rows(bundled_kg, "comparative-models")}
    models = {m["actor"]: m for m in data_records("soft_power_models")}
    for actor_id, actor in (("china", "China"), ("russia", "Russia"), ("united-states", "United States")):
        row = found[actor]
        for column in ("strengths", "constraints"):  # numbered in the source's order
            assert row[column] == " | ".join(f"{number}. {text}" for number, text in
                                             enumerate(models[actor_id][column], start=1))
        assert row["narrative"]
        assert "ustemirova-cultural-humanitarian-cooperation" in row["source"]
    assert "Confucius Institute" in found["China"]["instruments"]


def test_actor_channel_matrix_counts_campuses_by_parent_country(bundled_kg):
    found = rows(bundled_kg, "actor-channel-matrix")
    campuses = data_records("branch_campuses")
    universities = {u["id"]: u for u in data_records("universities")}
    british = {c["id"] for c in campuses if c.get("parent")
               and universities[c["parent"]]["country"] == "united-kingdom"}
    uk = only(found, actor="United Kingdom", channel="branch campuses")
    assert uk["instruments"] >= len(british) > 0
    assert {row["actor"] for row in found} >= {"China", "Russia", "United States"}
    assert "Kazakhstan" not in {row["actor"] for row in found}


def test_actor_instruments_of_china(bundled_kg):
    found = rows(bundled_kg, "actor-instruments", actor="China")
    names = {row["instrument"] for row in found}
    assert {"Belt and Road Initiative", "Confucius Institute", "Chinese Government Scholarship"} <= names
    scholarship = only(found, instrument="Chinese Government Scholarship")
    assert "scholarships" in scholarship["channels"]


def test_scholarship_programmes_with_funders(bundled_kg):
    found = rows(bundled_kg, "scholarship-programmes")
    assert only(found, programme="Bolashak Scholarship")["funders"] == "Kazakhstan"
    assert only(found, programme="Chinese Government Scholarship")["funders"] == "China"


def test_tech_company_programmes(bundled_kg):
    found = rows(bundled_kg, "tech-company-programmes")
    binance = only(found, programme="Binance Crypto School")
    assert (binance["company"], binance["fields"]) == ("Binance", "blockchain")
    assert "1000" in binance["measured"]
    assert {"Google", "Huawei", "NVIDIA"} <= {row["company"] for row in found}


def test_international_students_numbers_target_and_origins(bundled_kg):
    found = rows(bundled_kg, "international-students")
    target = only(found, status="target")
    assert (target["value"], target["year"], target["source"]) == (
        150000, 2029, "qazinform-educational-diplomacy")
    origins = {row["origin"] for row in found if row["measure"] == "student flow"}
    flows = {f["origin"] for f in data_records("student_flows") if f["destination"] == "kazakhstan"}
    assert len(origins) == len(flows) and "India" in origins


def test_beneficiary_and_benefactor_directions(bundled_kg):
    found = rows(bundled_kg, "beneficiary-benefactor")
    incoming = {r["counterpart"] for r in found if r["direction"] == "incoming"}
    outgoing = {r["counterpart"] for r in found if r["direction"] == "outgoing"}
    assert {"United Kingdom", "China"} <= incoming
    assert "India" in outgoing
    assert all(r["source"] for r in found)


def test_platforms_and_members(bundled_kg):
    found = rows(bundled_kg, "platforms")
    bologna = only(found, platform="Bologna Process", member="Kazakhstan")
    assert (bologna["kind"], bologna["since"]) == ("higher-education area", 2010)
    assert only(found, platform="C5+1", member="United States")["kind"] == "cooperation platform"


def test_multivector_index_is_a_consistent_concentration(bundled_kg):
    found = rows(bundled_kg, "multivector-index")
    assert found[0]["state"] == "Kazakhstan"
    for row in found:
        assert row["partners"] >= 1 and row["links"] >= row["partners"]
        assert 1 / row["partners"] - 5e-7 <= row["concentration"] <= 1  # to six decimals
        assert row["diversification"] == pytest.approx(1 - row["concentration"])


def test_events_with_place_date_and_participants(bundled_kg):
    connected = only(rows(bundled_kg, "events"), event="ConnectED 2024")
    assert (connected["city"], connected["date"]) == ("Astana", "2024-10-17")
    assert "Yuval Noah Harari" in connected["participants"]


def test_people_roles(bundled_kg):
    found = rows(bundled_kg, "people-roles")
    roles = {row["role"] for row in found if row["person"] == "Sayasat Nurbek"}
    assert any("Minister of Science and Higher Education" in role for role in roles)


def test_observations_hold_every_observation_record(bundled_kg):
    found = rows(bundled_kg, "observations")
    assert len({row["observation_iri"] for row in found}) == len(data_records("observations"))
    assert all(row["source"] for row in found)


def test_source_disagreements_keep_both_values_with_their_sources(bundled_kg):
    found = rows(bundled_kg, "source-disagreements")
    campuses = only(found, indicator="number of foreign branch campuses")
    assert {(campuses["value_a"], campuses["source_a"]), (campuses["value_b"], campuses["source_b"])} == {
        (30, "qazinform-educational-diplomacy"), (34, "nurbek-academic-hub")}
    students = only(found, indicator="number of international students")
    assert {students["source_a"], students["source_b"]} == {
        "qazinform-educational-diplomacy", "frigerio-east-west-bridge"}
    assert all(row["source_a"] != row["source_b"] for row in found)


def test_fact_sources_for_one_fact(bundled_kg):
    found = rows(bundled_kg, "fact-sources", fact="de-montfort-university-kazakhstan")
    assert {row["source"] for row in found} >= {"frigerio-east-west-bridge"}
    assert all(row["quote"] for row in found)


def test_framework_concepts_with_kazakh_and_russian_labels(bundled_kg):
    found = rows(bundled_kg, "framework-concepts")
    mobility = only(found, id="academic-mobility", scheme="analytical concepts")
    assert (mobility["label_kk"], mobility["label_ru"]) == ("академиялық ұтқырлық", "академическая мобильность")
    channels = [row for row in found if row["scheme"] == "Influence channels"]
    assert only(channels, id="scholarships")["broader"] == "educational cooperation"


def test_framework_concepts_list_each_vocabulary_concept_once(bundled_kg):
    found = rows(bundled_kg, "framework-concepts")
    assert len({row["concept_iri"] for row in found}) == len(found)
    responses = {row["id"]: row for row in found if row["scheme"] == "Response types"}
    assert set(responses) == {"acceptance", "adaptation", "limitation", "diversification"}
    assert (responses["limitation"]["label_kk"], responses["limitation"]["label_ru"]) == (
        "шектеу", "ограничение")


def test_policy_goals_with_holder_place_and_every_source(bundled_kg):
    found = rows(bundled_kg, "policy-goals")
    assert len({row["goal_iri"] for row in found}) == len(found) == len(data_records("goals"))
    hub = only(found, goal="Leading academic and research hub in Central Asia")
    assert (hub["holder"], hub["place"], hub["epistemic_status"]) == ("Kazakhstan", "Central Asia", "stated")
    assert hub["source"] == "frigerio-east-west-bridge; nurbek-academic-hub; qazinform-educational-diplomacy"
    assert "ambition to become a leading academic and research hub" in hub["quote"]
    assert only(found, goal="Integrating AI into university curricula")["epistemic_status"] == "inferred"
    assert only(found, holder="Uzbekistan")["goal"] == "Uzbekistan's foreign-policy diversification"
    assert only(found, goal="Leader in the global digital economy")["instruments"] == "Google; Huawei; NVIDIA"


def test_regional_responses_by_respondent_and_actor(bundled_kg):
    found = rows(bundled_kg, "regional-responses")
    assert len(found) == len(data_records("regional_responses"))
    assert {row["actor"] for row in found} == {"China", "Russia", "United States"}
    russia = [row for row in found if (row["respondent"], row["actor"]) == ("Central Asia", "Russia")]
    assert sorted(row["responses"] for row in russia) == [
        "acceptance", "acceptance; diversification", "limitation"]
    limitation = only(russia, responses="limitation")
    assert limitation["means"] == "diversified partnerships; language reform; nation-building"
    assert limitation["quote"].startswith("Nation-building, language reform")
    assert only(found, actor="China")["channels"] == "infrastructure and connectivity; scholarships"


def test_framework_dimensions_are_the_rows_of_table_1(bundled_kg):
    found = rows(bundled_kg, "framework-dimensions")
    assert [row["order"] for row in found] == sorted(d["order"] for d in data_records("analytical_dimensions"))


# --- parameters are values, never query text ---------------------------------------------------

@pytest.mark.parametrize("hostile", ['x" } ; DROP ALL #', "<http://evil>", "kazakhstan> } #"])
def test_hostile_entity_parameter_is_a_clean_error(bundled_kg, hostile):
    size = len(bundled_kg.graph)
    result = run("query", "branch-campuses", "--param", f"host={hostile}")
    assert result.exit_code == 2
    assert "is not the id or label of anything in the graph" in result.output
    assert len(bundled_kg.graph) == size


def test_hostile_text_parameter_is_only_a_value(bundled_kg, tmp_path):
    (tmp_path / "by-label.rq").write_text(
        "# title: Entities with a label\n# param name: text -- an exact English label\n"
        "# columns: entity, label, name\n"
        "SELECT ?entity ?label ?name WHERE { ?entity rdfs:label ?label . FILTER(STR(?label) = ?name) }\n",
        encoding="utf-8")
    size = len(bundled_kg.graph)
    assert run_query(bundled_kg.graph, "by-label", folder=tmp_path, name='x" } ; DROP ALL #') == []
    found = run_query(bundled_kg.graph, "by-label", folder=tmp_path, name="Kazakhstan")
    assert found and {row["label"] for row in found} == {"Kazakhstan"}
    assert len(bundled_kg.graph) == size


def test_unknown_parameter_value_suggests_close_names():
    result = run("query", "branch-campuses", "--param", "host=Kazakstan")
    assert result.exit_code == 2
    assert "Close names: Kazakhstan" in result.output


def test_unknown_query_name_suggests_close_names():
    result = run("query", "branch-campus")
    assert result.exit_code == 2
    assert "No named query 'branch-campus'. Did you mean: branch-campuses" in result.output


def test_a_query_name_is_not_a_path(tmp_path):
    """A name is looked up as a file of the queries folder: one that reaches outside it is
    unknown, not read."""
    (tmp_path / "queries").mkdir()
    (tmp_path / "outside.rq").write_text("# title: outside\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"No named query '\.\./outside'"):
        find_query("../outside", tmp_path / "queries")
    assert find_query("branch-campuses").title == "Foreign branch campuses in a host state"


def test_syntax_error_shows_line_and_column():
    result = run("query", "--sparql", "SELECT ?s\nWHERE { ?s ?p }")
    assert result.exit_code == 2
    assert "syntax error at line 2, column" in result.output
    assert "WHERE { ?s ?p }" in result.output


# --- nothing leaves the machine ---------------------------------------------------------------

def test_service_is_refused_and_no_connection_is_attempted(listener):
    port, connections = listener
    result = run("query", "--sparql",
                 f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    assert result.exit_code == 2
    assert f"SERVICE <http://127.0.0.1:{port}/sparql>" in result.output
    assert "--allow-network" in result.output
    assert connections == []


def test_remote_from_is_refused(listener):
    port, connections = listener
    result = run("query", "--sparql", f"SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}")
    assert result.exit_code == 2
    assert f"FROM <http://127.0.0.1:{port}/g>" in result.output
    assert connections == []


@pytest.mark.parametrize("clause", ["FROM <{remote}>", "FROM NAMED <{remote}>"])
def test_remote_from_is_refused_with_network_allowed_and_says_why(listener, clause):
    """Oxigraph reads FROM graphs from its store, never from the network: the query would
    answer nothing, so it is refused with the way to reach remote data."""
    port, connections = listener
    remote = f"http://127.0.0.1:{port}/g"
    result = run("query", "--allow-network", "--sparql",
                 f"SELECT * {clause.format(remote=remote)} WHERE {{ ?s ?p ?o }}")
    assert result.exit_code == 2
    assert f"({clause.format(remote=remote)}), and kgraph does not fetch graphs" in result.output
    assert "SERVICE <url> { ... }" in result.output
    assert connections == []


def test_updates_are_refused():
    result = run("query", "--sparql", "DROP ALL")
    assert result.exit_code == 2
    assert "SPARQL updates" in result.output


@pytest.mark.parametrize("value,expected", [
    ("nan", "'nan' is not a time limit"), ("inf", "'inf' is not a time limit"),
    ("1e300", "'1e300' is not a time limit"), ("0", "'0' is not a time limit"),
    ("-5", "'-5' is not a time limit"), ("86401", "'86401' is not a time limit"),
    ("soon", "'soon' is not a number of seconds"),
])
def test_timeout_must_be_a_time_limit(value, expected):
    result = run("query", "--timeout", value, "--sparql", "ASK {}")
    assert result.exit_code == 2
    assert f"Invalid value for '--timeout': {expected}" in result.output
    assert "Traceback" not in result.output


#: A trillion rows to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_timeout_stops_a_runaway_query():
    result = run("query", "--timeout", "1", "--sparql", RUNAWAY)
    assert result.exit_code == 2
    assert "stopped after 1 seconds (--timeout)" in result.output


def test_max_memory_stops_a_query_that_would_fill_the_memory():
    result = run("query", "--max-memory", "64", "--sparql",
                 "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d")
    assert result.exit_code == 2
    assert "stopped at 64 MB of memory (--max-memory). Narrow the query" in result.output
    # Within the limits, the same answer as without them.
    limited = run("query", "--max-memory", "256", "--timeout", "60", "branch-campuses", "-f", "csv")
    assert limited.exit_code == 0, limited.output
    assert limited.stdout == run("query", "branch-campuses", "-f", "csv").stdout
    assert limited.stdout.count("\n") > 10


def test_a_remote_engine_s_memory_is_its_own():
    result = run("query", "--store", "sparql:http://127.0.0.1:9/sparql", "--max-memory", "64",
                 "--sparql", "ASK { ?s ?p ?o }")
    assert result.exit_code == 2
    assert "--max-memory limits the queries kgraph evaluates itself" in result.output


def test_a_killed_query_leaves_no_process_behind():
    from test_serve_limits import assert_gone, query_processes

    process = subprocess.Popen([sys.executable, "-m", "kgraph", "query", "--timeout", "600",
                                "--sparql", RUNAWAY], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        helpers = query_processes(process.pid, within=120)
    finally:
        process.kill()
        process.wait(10)
    assert_gone(helpers)


# --- output formats parse back ------------------------------------------------------------------

@pytest.fixture(scope="module")
def campus_rows(bundled_kg):
    return rows(bundled_kg, "branch-campuses")


#: rdflib's and Oxigraph's names of the SPARQL 1.1 result formats.
RESULT_PARSERS = {"json": ("json", "JSON"), "xml": ("xml", "XML"), "csv": ("csv", "CSV"),
                  "tsv": ("tsv", "TSV")}


@pytest.fixture(scope="module")
def campus_answer(bundled_kg):
    from kgraph.query import bind_parameters, execute, find_query

    named = find_query("branch-campuses")
    return execute(bundled_kg.graph, named.text, bindings=bind_parameters(bundled_kg.graph, named, {}))


@pytest.mark.parametrize("fmt", sorted(RESULT_PARSERS))
def test_every_result_format_is_read_back_by_rdflib_and_oxigraph(fmt, campus_answer):
    """Two independent readers of the W3C formats get the rows back: the same terms from
    JSON, XML and TSV, the same texts from CSV, which keeps no types or languages (Oxigraph
    refuses to read it, so Python's csv module reads it instead)."""
    import pyoxigraph
    from rdflib.query import Result

    payload = run("query", "branch-campuses", "--format", fmt).stdout_bytes
    by_rdflib = Result.parse(io.BytesIO(payload), format=RESULT_PARSERS[fmt][0])
    from_rdflib = [tuple(row) for row in by_rdflib]
    assert [str(v) for v in by_rdflib.vars] == campus_answer.columns
    assert len(from_rdflib) == len(campus_answer.rows) > 10
    if fmt == "csv":
        def texts(rows):
            return [tuple("" if t is None else getattr(t, "value", str(t)) for t in row) for row in rows]
        by_csv = list(csv.reader(io.StringIO(payload.decode("utf-8"), newline="")))
        assert by_csv[0] == campus_answer.columns
        assert texts(from_rdflib) == [tuple(row) for row in by_csv[1:]] == texts(campus_answer.terms)
    else:
        by_oxigraph = pyoxigraph.parse_query_results(
            payload, format=getattr(pyoxigraph.QueryResultsFormat, RESULT_PARSERS[fmt][1]))
        assert [v.value for v in by_oxigraph.variables] == campus_answer.columns
        from_oxigraph = [tuple(solution) for solution in by_oxigraph]
        assert from_oxigraph == campus_answer.terms
        assert from_rdflib == campus_answer.rows


def test_tsv_is_sparql_tsv_and_json_is_sparql_json(campus_answer):
    tsv = run("query", "branch-campuses", "--format", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["?host", "?campus", "?parent"]
    assert '"Nazarbayev University"@en' not in tsv[0] and any('"@en' in line for line in tsv[1:])
    parsed = json.loads(run("query", "branch-campuses", "--format", "json").stdout)
    assert parsed["head"]["vars"][:3] == ["host", "campus", "parent"]
    bindings = parsed["results"]["bindings"]
    assert len(bindings) == len(campus_answer.rows)
    assert bindings[0]["campus_iri"]["type"] == "uri"
    assert bindings[0]["campus"]["xml:lang"] == "en"


@pytest.mark.parametrize("fmt, parser", [("table", "turtle"), ("turtle", "turtle"), ("nt", "nt"),
                                         ("jsonld", "json-ld"), ("xml", "xml")])
def test_construct_obeys_the_format(fmt, parser):
    query = "CONSTRUCT { ?c sp:hostState ?s } WHERE { ?c a sp:BranchCampus ; sp:hostState ?s }"
    result = run("query", "--sparql", query, "--format", fmt)
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout_bytes, format=parser)
    assert len(graph) == len(data_records("branch_campuses"))


def test_a_format_of_the_other_kind_of_answer_is_refused():
    construct = run("query", "--sparql", "CONSTRUCT { ?s a sp:State } WHERE { ?s a sp:State }",
                    "--format", "csv")
    assert construct.exit_code != 0
    assert "a CONSTRUCT or DESCRIBE answer is a graph, given as turtle, nt, jsonld, xml" in construct.output
    select = run("query", "--sparql", "SELECT ?s WHERE { ?s a sp:State }", "--format", "turtle")
    assert select.exit_code != 0
    assert "a SELECT answer is given as table, csv, tsv, json, xml, markdown" in select.output


@pytest.mark.parametrize("fmt, expected", [("json", '{"head":{},"boolean":true}'), ("table", "true\n"),
                                           ("xml", "<boolean>true</boolean>")])
def test_ask_in_result_formats(fmt, expected):
    result = run("query", "--sparql", "ASK { spr:kazakhstan a sp:State }", "--format", fmt)
    assert expected in result.stdout and result.exit_code == 0


def test_markdown_and_table(campus_rows):
    markdown = run("query", "branch-campuses", "--format", "markdown").stdout.splitlines()
    assert len(markdown) == len(campus_rows) + 2 and markdown[1].startswith("|---")
    table = run("query", "branch-campuses", "--format", "table").stdout.splitlines()
    assert table[-1] == f"({len(campus_rows)} rows)"


def test_construct_prints_turtle_and_ask_sets_the_exit_status():
    construct = run("query", "--sparql",
                    "CONSTRUCT { ?c sp:hostState ?s } WHERE { ?c a sp:BranchCampus ; sp:hostState ?s }")
    graph = Graph().parse(data=construct.stdout, format="turtle")
    assert len(graph) == len(data_records("branch_campuses"))
    assert run("query", "--sparql", "ASK { spr:kazakhstan a sp:State }").stdout == "true\n"
    assert run("query", "--sparql", "ASK { spr:kazakhstan a sp:State }").exit_code == 0
    assert run("query", "--sparql", "ASK { spr:kazakhstan a sp:City }").exit_code == 1


def test_query_from_file_and_standard_input(tmp_path):
    query = "SELECT ?label WHERE { spr:kazakhstan rdfs:label ?label }"
    path = tmp_path / "q.rq"
    path.write_text(query, encoding="utf-8")
    from_file = run("query", "--file", path, "--format", "csv").stdout_bytes.decode("utf-8")
    from click.testing import CliRunner
    from kgraph.cli import cli
    from_stdin = CliRunner().invoke(cli, ["query", "--file", "-", "--format", "csv"],
                                    input=query).stdout_bytes.decode("utf-8")
    assert from_file == from_stdin == "label\r\nKazakhstan\r\n"  # SPARQL CSV: RFC 4180 line ends


def test_output_file_is_written(tmp_path, campus_rows):
    target = tmp_path / "campuses.csv"
    result = run("query", "branch-campuses", "--format", "csv", "-o", target)
    assert result.exit_code == 0
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == len(campus_rows)


def test_python_api_raises_query_error_for_unknown_parameter(bundled_kg):
    with pytest.raises(QueryError, match="has no parameter 'country'; its parameters: host"):
        run_query(bundled_kg.graph, "branch-campuses", country="kazakhstan")


@pytest.mark.parametrize("literal", [
    Literal(42), Literal("42", datatype=XSD.nonNegativeInteger), Literal("1.50", datatype=XSD.decimal),
    Literal("3", datatype=XSD.decimal), Literal("2.5E3", datatype=XSD.double), Literal(True),
    Literal("2023-05-01", datatype=XSD.date), Literal("2023", datatype=XSD.gYear),
    Literal("Almaty", lang="en"), Literal("Алматы", lang="ru"), Literal("plain text"),
    Literal("many", datatype=XSD.integer), URIRef("https://w3id.org/softpower/id/almaty")])
def test_rows_read_from_oxigraph_give_the_values_rdflib_gives(literal):
    """Query rows are read straight from Oxigraph's terms; the values are those of the rdflib
    terms a remote engine's rows hold."""
    from kgraph.terms import plain_value, to_oxigraph

    direct, through_rdflib = plain_value(to_oxigraph(literal)), plain_value(literal)
    assert direct == through_rdflib
    assert type(direct) is (str if isinstance(through_rdflib, str) else type(through_rdflib))


# --- query files that are not SPARQL text ------------------------------------------------------

@pytest.mark.parametrize("content,expected", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "holds binary data (a NUL byte at position 7)"),
    ('SELECT ?s WHERE { ?s rdfs:label "Astana – Almaty" }'.encode("latin-1", "replace")
     .replace(b"?", b"\xe9", 1), "is not UTF-8 text (byte 0xe9 at position 7"),
    (b"x" * (1024 * 1024 + 1), "holds more than 1 MiB; expected a SPARQL query"),
])
def test_query_file_that_is_not_sparql_text(tmp_path, content, expected):
    path = tmp_path / "query.rq"
    path.write_bytes(content)
    result = run("query", "--file", path)
    assert result.exit_code == 2
    assert f"Error: Query file '{path}' {expected}" in result.output
    assert "Traceback" not in result.output


def test_query_file_that_never_ends():
    result = run("query", "--file", "/dev/zero")
    assert result.exit_code == 2
    assert "Query file '/dev/zero' holds more than 1 MiB" in result.output


def test_query_file_from_a_pipe(tmp_path):
    """A named pipe is no regular file, and a query can come from one (``--file <(...)``)."""
    import os
    import threading

    fifo = tmp_path / "query.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("SELECT (40 + 2 AS ?answer) {}"))
    writer.start()
    result = run("query", "--file", fifo, "--format", "csv")
    writer.join()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["answer", "42"]


def test_standard_input_that_is_not_utf8():
    from click.testing import CliRunner
    from kgraph.cli import cli

    result = CliRunner().invoke(cli, ["query", "--sparql", "-"], input=b"ASK { ?s ?p \"\xff\" }")
    assert result.exit_code == 2
    assert "Standard input is not UTF-8 text (byte 0xff at position 13" in result.output
