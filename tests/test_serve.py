"""`kgraph serve`: the read-only SPARQL endpoint, driven by a real client and by plain HTTP.

One server for the whole file: ``kgraph serve`` started as a user would, in its own
process, on a free loopback port, with a row cap below the size of the bundled graph so that
it can be hit. The limits (time, memory, connections) are tested in test_serve_limits.py.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kgraph.namespaces import SP
from kgraph.query import execute
from kgraph.serve import SD, negotiate

TIMEOUT = 20
MAX_ROWS = 5000
COUNT_BY_CLASS = """SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class"""
CAMPUSES = """SELECT ?campus ?label WHERE { ?campus a sp:BranchCampus ; rdfs:label ?label }
ORDER BY ?campus"""
CAMPUS_GRAPH = """CONSTRUCT { ?campus sp:hostState ?state ; rdfs:label ?label }
WHERE { ?campus a sp:BranchCampus ; sp:hostState ?state ; rdfs:label ?label }"""


@pytest.fixture(scope="session")
def endpoint():
    """The URL of ``/sparql`` on a ``kgraph serve`` process serving the bundled data."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kgraph", "serve", "--port", "0", "--timeout", str(TIMEOUT),
         "--max-rows", str(MAX_ROWS), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("SPARQL endpoint at http://127.0.0.1:"), line + process.stderr.read()
    url = line.split()[3].rstrip(",")
    yield url
    assert process.poll() is None, "the server died during the tests"
    process.terminate()
    process.wait(10)


def http(url, data: bytes | None = None, method=None, **headers):
    """(status, headers, body text) of a request, whatever the status."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def get(endpoint, query, **headers):
    return http(f"{endpoint}?{urllib.parse.urlencode({'query': query})}", **headers)


def expected_rows(kg, query) -> list[tuple[str, ...]]:
    return [tuple(str(term) for term in row) for row in execute(kg.graph, query).rows]


def json_rows(text) -> list[tuple[str, ...]]:
    data = json.loads(text)
    names = data["head"]["vars"]
    return [tuple(b[n]["value"] for n in names) for b in data["results"]["bindings"]]


# --- a real SPARQL client ------------------------------------------------------------------

@pytest.mark.parametrize("method, request_method", [
    ("GET", None), ("POST", "urlencoded"), ("POST", "postdirectly")])
def test_sparqlwrapper_select_json(endpoint, bundled_kg, method, request_method):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    if request_method:
        client.setRequestMethod(request_method)
    client.setQuery(COUNT_BY_CLASS)
    client.setReturnFormat(JSON)
    data = client.queryAndConvert()
    rows = [(b["class"]["value"], b["n"]["value"]) for b in data["results"]["bindings"]]
    assert rows == expected_rows(bundled_kg, COUNT_BY_CLASS)
    campuses = len(set(bundled_kg.graph.subjects(RDF.type, SP.BranchCampus)))
    assert ("https://w3id.org/softpower/ontology#BranchCampus", str(campuses)) in rows


def test_sparqlwrapper_select_xml_csv_tsv(endpoint, bundled_kg):
    from SPARQLWrapper import CSV, TSV, XML, SPARQLWrapper

    expected = expected_rows(bundled_kg, CAMPUSES)
    assert len(expected) == 14
    client = SPARQLWrapper(endpoint)
    client.setQuery(CAMPUSES)

    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    results = document.getElementsByTagName("result")
    assert len(results) == 14
    first = {b.getAttribute("name"): b.firstChild.firstChild.data
             for b in results[0].getElementsByTagName("binding")}
    assert (first["campus"], first["label"]) == expected[0]

    client.setReturnFormat(CSV)
    lines = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert lines[0] == ["campus", "label"]
    assert [tuple(line) for line in lines[1:]] == expected

    client.setReturnFormat(TSV)
    lines = client.queryAndConvert().decode("utf-8").splitlines()
    assert lines[0] == "?campus\t?label"
    campus, label = expected[0]
    assert lines[1] == f'<{campus}>\t"{label}"@en'
    assert len(lines) == 15


def test_sparqlwrapper_construct_turtle_and_jsonld(endpoint, bundled_kg):
    from SPARQLWrapper import JSONLD, TURTLE, SPARQLWrapper

    expected = execute(bundled_kg.graph, CAMPUS_GRAPH).graph
    assert len(expected) == 28
    client = SPARQLWrapper(endpoint)
    client.setQuery(CAMPUS_GRAPH)
    client.setReturnFormat(TURTLE)
    turtle = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert set(turtle) == set(expected)
    client.setReturnFormat(JSONLD)
    assert set(client.queryAndConvert()) == set(expected)  # SPARQLWrapper parses JSON-LD


def test_sparqlwrapper_ask(endpoint):
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setReturnFormat(JSON)
    client.setQuery("ASK { spr:kazakhstan a sp:State }")
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery("ASK { spr:kazakhstan a sp:University }")
    assert client.queryAndConvert()["boolean"] is False


# --- plain HTTP ----------------------------------------------------------------------------

def test_get_and_both_kinds_of_post_give_the_same_rows(endpoint, bundled_kg):
    expected = expected_rows(bundled_kg, CAMPUSES)
    status, headers, body = get(endpoint, CAMPUSES)
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert json_rows(body) == expected
    form = urllib.parse.urlencode({"query": CAMPUSES}).encode()
    status, _, body = http(endpoint, form,
                           **{"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, json_rows(body)) == (200, expected)
    status, _, body = http(endpoint, CAMPUSES.encode(),
                           **{"Content-Type": "application/sparql-query"})
    assert (status, json_rows(body)) == (200, expected)


@pytest.mark.parametrize("accept, media_type", [
    ("text/csv", "text/csv"),
    ("text/tab-separated-values;q=0.9, text/csv;q=0.5", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/json"),
])
def test_accept_header_chooses_the_format(endpoint, accept, media_type):
    status, headers, _ = get(endpoint, CAMPUSES, Accept=accept)
    assert status == 200
    assert headers["Content-Type"] == f"{media_type}; charset=utf-8"


def test_wrong_accept_is_406_and_names_the_available_types(endpoint):
    status, _, body = get(endpoint, CAMPUSES, Accept="image/png")
    assert status == 406
    assert "application/sparql-results+json" in body and "text/csv" in body
    status, _, body = get(endpoint, CAMPUS_GRAPH, Accept="text/csv")  # a graph is not a table
    assert status == 406
    assert "text/turtle" in body


def test_wrong_method_is_405_in_plain_text(endpoint):
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"):
        status, headers, body = http(endpoint, b"", method=method)
        assert status == 405, method
        assert headers["Allow"] == "GET, HEAD, POST"
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert body == (f"{method} is not allowed: this read-only endpoint answers GET, HEAD, "
                        "POST.\n")


def test_head_answers_as_get_without_a_body(endpoint):
    for url in (endpoint, endpoint.removesuffix("sparql"),
                f"{endpoint}?{urllib.parse.urlencode({'query': CAMPUSES})}"):
        status, headers, body = http(url, method="HEAD")
        get_status, get_headers, get_body = http(url)
        assert (status, body) == (get_status, "")
        assert headers["Content-Type"] == get_headers["Content-Type"]
        assert headers["Content-Length"] == str(len(get_body.encode("utf-8")))


def test_wrong_content_type_is_415(endpoint):
    status, _, body = http(endpoint, CAMPUSES.encode(), **{"Content-Type": "text/plain"})
    assert status == 415
    assert "application/sparql-query" in body


def test_unknown_path_is_404(endpoint):
    status, _, body = http(endpoint.replace("/sparql", "/update"))
    assert status == 404
    assert "/sparql" in body


def test_oversize_query_is_refused_unread(endpoint):
    padding = "#" + "x" * 70_000 + "\n"
    status, _, body = http(endpoint, (padding + CAMPUSES).encode(),
                           **{"Content-Type": "application/sparql-query"})
    assert status == 413
    assert "longer than 65536 bytes" in body
    status, _, _ = get(endpoint, padding + CAMPUSES)
    assert status == 414


def test_malformed_query_is_400_with_the_place(endpoint):
    status, _, body = get(endpoint, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400
    assert "SPARQL syntax error at line 1" in body


def test_two_queries_are_400(endpoint):
    status, _, body = http(f"{endpoint}?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400
    assert "exactly one 'query'" in body


@pytest.mark.parametrize("data, content_type", [
    (b"update=INSERT+DATA+%7B%3Ca%3A1%3E+%3Ca%3A2%3E+%3Ca%3A3%3E%7D",
     "application/x-www-form-urlencoded"),
    (b"INSERT DATA { <a:1> <a:2> <a:3> }", "application/sparql-update"),
])
def test_update_is_refused_and_nothing_changes(endpoint, data, content_type):
    status, _, body = http(endpoint, data, **{"Content-Type": content_type})
    assert status == 403
    assert "read-only" in body
    assert json.loads(get(endpoint, "ASK { <a:1> ?p ?o }")[2])["boolean"] is False


def test_update_sent_as_a_query_is_refused(endpoint, bundled_kg):
    status, _, body = get(endpoint, "DELETE WHERE { ?s ?p ?o }")
    assert status == 400
    assert "SPARQL updates" in body
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert json_rows(get(endpoint, count)[2]) == expected_rows(bundled_kg, count)


def test_service_and_remote_datasets_are_refused_without_any_connection(endpoint, listener):
    port, connections = listener
    remote = f"http://127.0.0.1:{port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s a sp:State OPTIONAL {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?s a sp:State FILTER EXISTS {{ SERVICE <{remote}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{remote}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{remote}> {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        status, _, body = get(endpoint, query)
        assert status == 400, query
        assert "outside the graph" in body, query
        # The server's own words, not kgraph query's: it has no option to allow them.
        assert "This endpoint answers from its own graph only" in body
        assert "--allow-network" not in body
    status, _, body = http(f"{endpoint}?{urllib.parse.urlencode({'default-graph-uri': remote})}",
                           CAMPUSES.encode(), **{"Content-Type": "application/sparql-query"})
    assert status == 400
    assert "default-graph-uri" in body
    status, _, _ = http(endpoint, f"update=LOAD <{remote}>".encode(),
                        **{"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    time.sleep(0.5)
    assert connections == []


def test_row_cap_cuts_rows_and_says_so(endpoint):
    status, headers, body = get(endpoint, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    assert len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
    status, headers, body = get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }",
                                Accept="application/n-triples")
    assert status == 200
    assert headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    assert len(body.splitlines()) == MAX_ROWS
    status, headers, _ = get(endpoint, CAMPUSES)
    assert "X-SPARQL-MaxRows" not in headers


def test_service_description(endpoint):
    status, headers, body = http(endpoint)
    assert status == 200
    assert headers["Content-Type"] == "text/turtle; charset=utf-8"
    description = Graph().parse(data=body, format="turtle")
    service = description.value(None, RDF.type, SD.Service, any=False)
    assert description.value(service, SD.endpoint) == URIRef(endpoint)
    assert description.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    formats = {str(f).rsplit("/", 1)[1] for f in description.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                       "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML"}
    assert (None, SD.defaultGraph, None) in description
    status, headers, body = http(endpoint, Accept="application/ld+json")
    assert (status, headers["Content-Type"]) == (200, "application/ld+json; charset=utf-8")
    assert len(Graph().parse(data=body, format="json-ld")) == len(description)


def test_query_page_is_offline(endpoint):
    status, headers, body = http(endpoint.removesuffix("sparql"))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "http://" not in body and "https://" not in body and "//" not in body.split("<script>")[0]
    status, headers, _ = http(endpoint, Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")


def test_query_page_runs_a_query_in_a_browser(endpoint, browser):
    """The page as a person uses it: type a query, press Run, read the table."""
    page = browser.new_page()
    try:
        blocked = []
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(endpoint.removesuffix("sparql"))
        page.fill("#query", CAMPUSES)
        page.click("button")
        page.wait_for_selector("table")
        assert page.locator("th").all_inner_texts() == ["campus", "label"]
        assert page.locator("tr").count() == 15
        assert page.inner_text("#status").startswith("14 rows")
        page.fill("#query", "SELECT ?s WHERE { ?s ?p }")
        page.click("button")
        page.wait_for_selector("#status.error")
        assert "SPARQL syntax error" in page.inner_text("pre")
    finally:
        page.close()
    assert blocked == []


def test_concurrent_clients_all_get_correct_answers(endpoint, bundled_kg):
    """20 clients x 50 queries from loopback, every answer checked, the server alive after."""
    queries = [COUNT_BY_CLASS, CAMPUSES,
               "SELECT ?state WHERE { ?state a sp:State ; sp:isCentralAsian true } ORDER BY ?state",
               "SELECT (COUNT(*) AS ?n) WHERE { ?s sp:evidence ?q }"]
    expected = {q: expected_rows(bundled_kg, q) for q in queries}
    assert [len(expected[q]) for q in queries[1:]] == [14, 5, 1]

    def client(number):
        wrong = []
        for i in range(50):
            query = queries[(number + i) % len(queries)]
            status, _, body = get(endpoint, query)
            if status != 200 or json_rows(body) != expected[query]:
                wrong.append((number, i, status, body[:200]))
        return wrong

    with ThreadPoolExecutor(max_workers=20) as pool:
        wrong = [w for result in pool.map(client, range(20)) for w in result]
    assert wrong == []
    assert json_rows(get(endpoint, CAMPUSES)[2]) == expected[CAMPUSES]


# --- pieces --------------------------------------------------------------------------------

@pytest.mark.parametrize("accept, offers, chosen", [
    (None, ["text/turtle", "application/ld+json"], "text/turtle"),
    ("application/ld+json", ["text/turtle", "application/ld+json"], "application/ld+json"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", ["text/turtle", "application/ld+json"],
     "application/ld+json"),
    ("text/*;q=0.5, */*;q=0.1", ["application/ld+json", "text/turtle"], "text/turtle"),
    ("text/turtle;q=0, */*", ["text/turtle", "application/ld+json"], "application/ld+json"),
    ("image/png", ["text/turtle"], None),
])
def test_negotiate(accept, offers, chosen):
    assert negotiate(accept, offers) == chosen


def test_binds_loopback_by_default_and_reports_a_busy_port():
    from kgraph.errors import InputError
    from kgraph.serve import make_server

    server = make_server(lambda text, limit: None, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        with pytest.raises(InputError, match=f"Cannot listen on 127.0.0.1:{server.server_address[1]}"):
            make_server(lambda text, limit: None, port=server.server_address[1])
    finally:
        server.server_close()


def test_literal_terms_keep_language_and_datatype(endpoint):
    status, _, body = get(endpoint, 'SELECT ?l ?y WHERE { spr:kazakhstan rdfs:label ?l . '
                                    'BIND(2024 AS ?y) }')
    binding = json.loads(body)["results"]["bindings"][0]
    assert binding["l"] == {"type": "literal", "value": "Kazakhstan", "xml:lang": "en"}
    assert binding["y"]["datatype"] == str(Literal(2024).datatype)
