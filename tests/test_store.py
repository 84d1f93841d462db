"""Stores: the same named queries give the same rows in memory, in an on-disk Oxigraph store,
and in two real SPARQL engines (the Oxigraph server and Virtuoso) started on 127.0.0.1."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest
from rdflib.namespace import RDF

from conftest import Terminal, run
from engines import (VIRTUOSO_INI, VIRTUOSO_PASSWORD, VIRTUOSO_USER, free_port,
                     oxigraph_server_command, virtuoso_command, wait_until_up)
from kgraph.errors import InputError
from kgraph.namespaces import SP
from kgraph.network import QUERIES as NETWORK_QUERIES, project, run_select
from kgraph.query import named_queries, run as run_query
from kgraph.progress import Progress
from kgraph.store import OxigraphStore, open_store


@contextlib.contextmanager
def running_oxigraph_server(folder: Path):
    """The Oxigraph server (PyPI package `oxigraph`) on a loopback port, its store in ``folder``."""
    executable = shutil.which("oxigraph")
    if executable is None:
        pytest.skip("the Oxigraph server (pip install oxigraph) is not installed")
    port = free_port()
    process = subprocess.Popen(oxigraph_server_command(executable, folder, port),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/query?query=ASK%7B%7D", process, 60)
        yield {"spec": f"sparql:{base}/query", "update_url": f"{base}/update",
               "graph_store_url": f"{base}/store", "user": None, "password": None}
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def running_virtuoso(folder: Path):
    """Virtuoso 7 with its own database in ``folder``, loopback ports and Debian's limit of
    10,000 rows per answer."""
    executable = shutil.which("virtuoso-t")
    if executable is None or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso (Debian virtuoso-opensource) is not installed")
    http_port, sql_port = free_port(), free_port()
    process = subprocess.Popen(virtuoso_command(executable, folder, http_port, sql_port), cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(f"{base}/sparql?query=ASK%7B%7D", process, 60)
        yield {"spec": f"sparql:{base}/sparql", "update_url": f"{base}/sparql-auth",
               "graph_store_url": f"{base}/sparql-graph-crud-auth", "user": VIRTUOSO_USER,
               "password": VIRTUOSO_PASSWORD}
    finally:
        process.terminate()
        process.wait(30)


@contextlib.contextmanager
def loopback_engine(handler):
    """A stand-in engine: ``handler`` answering HTTP on a loopback port until the block ends."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as options:
        yield options


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as options:
        yield options


@pytest.fixture(scope="session")
def oxigraph_dir(tmp_path_factory):
    return {"spec": f"oxigraph:{tmp_path_factory.mktemp('store') / 'db'}"}


@pytest.fixture(scope="session", params=["oxigraph_dir", "oxigraph_server", "virtuoso"])
def loaded_store(request, bundled_kg, tmp_path_factory):
    """Each store, built once from the bundled data as ``kgraph build --store`` does it: file
    by file into Oxigraph (``kgraph.bulk``), and uploaded from there to the engines through
    their Graph Store Protocol endpoints (the OWL axioms' blank nodes included)."""
    from kgraph.pipeline import build

    options = request.getfixturevalue(request.param)
    store = open_store(**options, create=True)
    build(None, tmp_path_factory.mktemp("outputs"), store, quiet=True, network=False)
    assert store.triple_count() == len(bundled_kg.graph)
    return store


def comparable(rows: list[dict]) -> list[tuple]:
    """Rows as every store must give them: the same cells in the same rows in the same order
    (``kgraph.ordering``)."""
    return [tuple(row.items()) for row in rows]


@pytest.fixture(scope="module")
def memory_answers(bundled_kg):
    return {name: comparable(run_query(bundled_kg.graph, name)) for name in named_queries()}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_give_the_same_rows_on_every_store(loaded_store, memory_answers, name):
    assert comparable(run_query(loaded_store, name)) == memory_answers[name]


@pytest.fixture(scope="module")
def synthetic_stores(tmp_path_factory):
    """Synthetic data (every record kind, many more rows per query than the bundled data) in
    an on-disk store and uploaded to both engines, each engine a second instance of its own:
    differences between engines show on data the bundled corpus is too small to hold. The
    Oxigraph server is filled by SPARQL Update, Virtuoso through its Graph Store Protocol
    endpoint in batches of 200 kB, so that both ways of uploading are compared."""
    import kgraph.store
    from kgraph.pipeline import build
    from kgraph.synth import synthesize

    folder = tmp_path_factory.mktemp("synthetic")
    # About 500 records: each compiles to some 25 triples, the standard classes it implies included.
    synthesize(12_500, folder / "data", seed=1)
    with running_oxigraph_server(tmp_path_factory.mktemp("oxigraph-synthetic")) as server, \
            running_virtuoso(tmp_path_factory.mktemp("virtuoso-synthetic")) as engine, \
            pytest.MonkeyPatch.context() as patch:
        patch.setattr(kgraph.store, "GRAPH_STORE_BATCH", 200_000)
        server = {key: value for key, value in server.items() if key != "graph_store_url"}
        stores = {}
        for name, options in (("oxigraph_dir", {"spec": f"oxigraph:{folder / 'db'}"}),
                              ("oxigraph_server", server), ("virtuoso", engine)):
            store = open_store(**options, create=True)
            build([folder / "data"], folder / f"out-{name}", store, quiet=True, network=False)
            stores[name] = store
        assert len({store.triple_count() for store in stores.values()}) == 1
        yield stores


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_agree_across_stores_on_synthetic_data(synthetic_stores, name):
    answers = {store_name: comparable(run_query(store, name)) for store_name, store in synthetic_stores.items()}
    assert answers["oxigraph_server"] == answers["oxigraph_dir"]
    assert answers["virtuoso"] == answers["oxigraph_dir"]


@pytest.mark.parametrize("name", sorted(NETWORK_QUERIES))
def test_network_queries_give_the_same_rows_on_every_store(synthetic_stores, name):
    """Row for row, duplicates counted: an engine that sent more rows than another would
    still project the same network, only slower (Virtuoso sent each label twice)."""
    answers = {store_name: sorted(map(repr, run_select(store, name)))
               for store_name, store in synthetic_stores.items()}
    assert answers["oxigraph_server"] == answers["oxigraph_dir"]
    assert answers["virtuoso"] == answers["oxigraph_dir"]


def test_the_synthetic_comparison_has_rows_to_compare(synthetic_stores):
    sizes = {name: len(run_query(synthetic_stores["oxigraph_dir"], name)) for name in named_queries()}
    assert sum(size > 0 for size in sizes.values()) >= 15
    assert sizes["beneficiary-benefactor"] > 100 and sizes["fact-sources"] > 500


def test_parameters_by_label_work_on_every_store(loaded_store, bundled_kg):
    assert comparable(run_query(loaded_store, "branch-campuses", host="Kazakhstan")) == \
        comparable(run_query(bundled_kg.graph, "branch-campuses", host="kazakhstan"))


def test_the_network_projects_the_same_from_every_store(loaded_store, bundled_kg):
    """The projection asks the store for its rows only (SELECT), never for the whole graph."""
    asked = []
    evaluate = loaded_store.evaluate

    def recording(text, *args, **kwargs):
        asked.append(re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", text).group(1))
        return evaluate(text, *args, **kwargs)

    loaded_store.evaluate = recording
    try:
        from_store = project(loaded_store)
    finally:
        del loaded_store.evaluate
    in_memory = project(bundled_kg)
    assert set(asked) == {"SELECT"}
    assert sorted(from_store.nodes) == sorted(in_memory.nodes)
    assert sorted(from_store.edges(keys=True)) == sorted(in_memory.edges(keys=True))


def test_build_fills_an_on_disk_store_that_later_commands_open(tmp_path):
    store = f"oxigraph:{tmp_path / 'db'}"
    built = run("build", "--store", store, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    loaded = re.search(r"loaded (\d+) triples into", built.output)
    # Later commands read the store: a --data folder that does not exist is never opened.
    missing = tmp_path / "no-such-folder"
    stats = run("stats", "--store", store, "--data", missing, "--format", "json")
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["triples"] == int(loaded.group(1))
    answer = run("query", "branch-campuses", "--store", store, "--data", missing, "--format", "csv")
    assert "De Montfort University Kazakhstan" in answer.stdout
    # The store writes in its own index order: the same lines as from the data, and the
    # very bytes of the build's Turtle.
    from_store = run("export", "--store", store, "--format", "nt").stdout_bytes
    from_data = run("export", "--format", "nt").stdout_bytes
    assert sorted(from_store.splitlines()) == sorted(from_data.splitlines())
    assert from_store.count(b"\n") == int(loaded.group(1))
    turtle = run("export", "--store", store, "--format", "turtle").stdout_bytes
    assert turtle == (tmp_path / "out" / "softpower.ttl").read_bytes()
    pages = [run("viz", *extra, "-o", tmp_path / f"{i}.html").output.splitlines()[-1].split(": ")[1]
             for i, extra in enumerate((("--store", store), ()))]
    assert pages[0] == pages[1]  # "N nodes, M edges" from the store and from the data


@pytest.mark.parametrize("upload", ["update", "graph-store"])
def test_build_uploads_to_a_remote_engine_with_credentials_from_the_environment(
        virtuoso, bundled_kg, tmp_path, monkeypatch, upload):
    """By SPARQL Update, or through the Graph Store Protocol alone: given only that endpoint,
    no update is sent (Virtuoso's query URL would refuse one)."""
    monkeypatch.setenv("KGRAPH_STORE_USER", virtuoso["user"])
    monkeypatch.setenv("KGRAPH_STORE_PASSWORD", virtuoso["password"])
    if upload == "graph-store":
        monkeypatch.setenv("KGRAPH_STORE_GRAPH_STORE_URL", virtuoso["graph_store_url"])
        target = ()
    else:
        target = ("--store-update-url", virtuoso["update_url"])
    built = run("build", "--store", virtuoso["spec"], *target, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert open_store(virtuoso["spec"]).triple_count() == len(bundled_kg.graph)
    answer = run("query", "comparative-models", "--store", virtuoso["spec"], "--format", "csv")
    assert {"China", "Russia", "United States"} <= {line.split(",")[0] for line in answer.stdout.splitlines()}


def test_an_answer_the_engine_cut_at_its_row_limit_is_an_error(virtuoso):
    """Debian's Virtuoso answers at most 10,000 rows (ResultSetMaxRows) and says so only in a
    header: kgraph refuses the cut answer rather than reporting part of the rows."""
    from kgraph.errors import QueryError

    store = open_store(virtuoso["spec"])
    digits = "{ 0 1 2 3 4 5 6 7 8 9 }"

    def crossed(variables: str) -> str:
        return "SELECT * WHERE { " + " ".join(f"VALUES ?{v} {digits}" for v in variables) + " }"
    assert len(store.evaluate(crossed("abc")).terms) == 1000
    with pytest.raises(QueryError, match=r"cut its answer at 10000 rows .*ResultSetMaxRows"):
        store.evaluate(crossed("abcde"))


def test_parameters_open_only_the_groups_that_name_them():
    """A remote engine gets a parameter as a VALUES block in each group that uses it (the
    WHERE clause, a subquery's WHERE), not in other groups, strings, comments or data blocks."""
    from rdflib import URIRef

    from kgraph.store import with_values

    text = ('SELECT ?s WHERE { ?s ?p "a { ?x }" . OPTIONAL { ?s ?q ?o } '
            '{ SELECT ?x WHERE { ?x ?p <http://example.org/a#b> } } VALUES ?o { 1 } # { ?x\n}')
    values = "VALUES ?x { <http://example.org/x> }"
    assert with_values(text, {"x": URIRef("http://example.org/x")}) == (
        f'SELECT ?s WHERE {{ {values}  ?s ?p "a {{ ?x }}" . OPTIONAL {{ ?s ?q ?o }} '
        f'{{ SELECT ?x WHERE {{ {values}  ?x ?p <http://example.org/a#b> }} }} VALUES ?o {{ 1 }} # {{ ?x\n}}')


def test_a_parameterised_query_whose_only_where_is_in_a_comment_is_a_clear_error():
    from rdflib import URIRef

    from kgraph.errors import QueryError
    from kgraph.store import with_values

    with pytest.raises(QueryError, match="needs a WHERE clause"):
        with_values("SELECT * { ?x ?p ?o } # WHERE { ?x }", {"x": URIRef("http://example.org/x")})


def test_an_unreachable_engine_is_a_clear_error():
    port = free_port()
    result = run("query", "branch-campuses", "--store", f"sparql:http://127.0.0.1:{port}/sparql")
    assert result.exit_code == 2
    assert f"Cannot reach the SPARQL engine at http://127.0.0.1:{port}/sparql" in result.output


def test_engine_results_are_read_into_the_values_every_store_gives():
    """Oxigraph's parser reads the SPARQL JSON of any engine, Virtuoso's older
    "typed-literal" included; unbound columns stay None."""
    from rdflib import BNode, Literal, URIRef

    from kgraph.store import parse_json_results

    xsd = "http://www.w3.org/2001/XMLSchema#"
    document = {"head": {"vars": ["iri", "blank", "label", "year", "amount", "text", "none"]},
                "results": {"bindings": [{
                    "iri": {"type": "uri", "value": "https://w3id.org/softpower/id/kazakhstan"},
                    "blank": {"type": "bnode", "value": "b0"},
                    "label": {"type": "literal", "value": "Қазақстан", "xml:lang": "kk"},
                    "year": {"type": "typed-literal", "datatype": f"{xsd}gYear", "value": "2017"},
                    "amount": {"type": "literal", "datatype": f"{xsd}decimal", "value": "1.5e9"},
                    "text": {"type": "literal", "value": "Bolashak"}}]}}
    result = parse_json_results(json.dumps(document).encode())
    assert result.columns == document["head"]["vars"]
    assert result.records() == [{"iri": "https://w3id.org/softpower/id/kazakhstan", "blank": "b0",
                                 "label": "Қазақстан", "year": "2017", "amount": 1_500_000_000,
                                 "text": "Bolashak", "none": None}]
    iri, blank, label, year, _, text, none = result.rows[0]
    assert (iri, blank, label, text, none) == (
        URIRef("https://w3id.org/softpower/id/kazakhstan"), BNode("b0"),
        Literal("Қазақстан", lang="kk"), Literal("Bolashak"), None)
    assert year == Literal("2017", datatype=URIRef(f"{xsd}gYear"))
    assert parse_json_results(b'{"head": {}, "boolean": true}').boolean is True


def test_an_engine_answer_that_is_not_sparql_results_is_a_clear_error():
    """A proxy's login page with status 200, say: the error names the endpoint."""
    class LoginPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><body>Please sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with loopback_engine(LoginPage) as server:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        result = run("query", "branch-campuses", "--store", f"sparql:{url}")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"the SPARQL engine at {url} answered results that are not SPARQL JSON" in result.output
    assert "Unexpected char: '<'" in result.output


class DigestOnlyEngine(http.server.BaseHTTPRequestHandler):
    """An engine that wants Digest and, like Virtuoso, answers a request without it at once,
    closing the connection without reading its body. Graph Store uploads are counted; a
    query is answered with the number of triples received."""

    realm, nonce, user, password = "kgraph-test", "5ccc069c403ebaf9", "kgraph", "secret"
    challenge = f'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm="MD5"'

    def authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
        known = md5(f"{self.user}:{self.realm}:{self.password}")
        asked = md5(f"{self.command}:{fields['uri']}")
        return fields["nonce"] == self.nonce and fields["response"] == md5(
            f"{known}:{self.nonce}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{asked}")

    def answer(self, status: int, body: bytes = b"", **headers) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def handle_one(self) -> None:
        authorized = self.authorized()
        self.server.requests.append((self.command, authorized))
        if not authorized:
            self.close_connection = True
            return self.answer(401, **{"WWW-Authenticate": self.challenge})
        if self.command in ("PUT", "POST"):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.server.triples += body.count(b"\n")
            return self.answer(201)
        if self.command == "GET":
            count = {"type": "literal", "value": str(self.server.triples),
                     "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
            return self.answer(200, json.dumps({"head": {"vars": ["n"]},
                                                "results": {"bindings": [{"n": count}]}}).encode())
        return self.answer(404)

    do_GET = do_HEAD = do_PUT = do_POST = handle_one

    def log_message(self, *args):
        pass


class BasicOnlyEngine(DigestOnlyEngine):
    challenge = f'Basic realm="{DigestOnlyEngine.realm}"'

    def authorized(self) -> bool:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {token}"


@pytest.mark.parametrize("engine", [DigestOnlyEngine, BasicOnlyEngine], ids=["digest", "basic"])
def test_uploads_answer_the_challenge_before_sending_a_body(tmp_path, monkeypatch, engine):
    """Every batch goes once, authenticated: none is sent to be refused (Virtuoso closed
    the connection on such a 1 MB upload, and the build stopped on a broken pipe)."""
    import kgraph.store
    from kgraph.store import SparqlStore

    monkeypatch.setattr(kgraph.store, "GRAPH_STORE_BATCH", 2_000_000)  # 3.2 MB: two batches

    staging = OxigraphStore(tmp_path / "staging", create=True)
    staging.store.bulk_load("".join(f'<https://example.org/s{i}> <https://example.org/label> '
                                    f'"a label long enough to fill two batches, {i}" .\n'
                                    for i in range(30_000)).encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    with loopback_engine(engine) as server:
        server.requests, server.triples = [], 0
        base = f"http://127.0.0.1:{server.server_port}"
        remote = SparqlStore(f"{base}/sparql", user="kgraph", password="secret",
                             graph_store_url=f"{base}/store")
        assert remote.load(staging, quiet=True) == 30_000
    assert server.requests == [("HEAD", False), ("HEAD", True), ("PUT", True), ("POST", True),
                               ("GET", True)]


def test_unknown_store_and_missing_directory_are_clear_errors(tmp_path):
    result = run("stats", "--store", "postgres:somewhere")
    assert result.exit_code == 2 and "expected memory, oxigraph:DIR or sparql:QUERY_URL" in result.output
    with pytest.raises(InputError, match="Build one first: kgraph build --store oxigraph:"):
        OxigraphStore(tmp_path / "missing")
    (tmp_path / "not-a-store").mkdir()
    result = run("query", "branch-campuses", "--store", f"oxigraph:{tmp_path / 'not-a-store'}")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"'{tmp_path / 'not-a-store'}' is not an Oxigraph store that can be opened" in result.output


def test_progress_shows_items_and_rate_on_a_terminal_only():
    terminal = Terminal()
    progress = Progress("loading", 2000, stream=terminal)
    progress.advance(2000)
    progress.finish()
    assert re.search(r"loading: 2,000/2,000 \([\d,]+/s\)\n$", terminal.getvalue())
    piped = io.StringIO()
    Progress("loading", 10, stream=piped).advance(10)
    quiet = Terminal()
    Progress("loading", 10, quiet=True, stream=quiet).advance(10)
    assert piped.getvalue() == quiet.getvalue() == ""


def test_the_endpoint_answers_from_every_store(loaded_store, bundled_kg):
    from kgraph.serve import query_function

    count = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a sp:BranchCampus }"
    answer = query_function(loaded_store)(count, 10)
    expected = len(set(bundled_kg.graph.subjects(RDF.type, SP.BranchCampus)))
    assert int(answer.rows[0][0]) == expected > 0


def test_ingest_knows_the_same_entities_names_and_facts_from_every_store(loaded_store, bundled_kg):
    """kgraph ingest links against a store as against the compiled data."""
    from kgraph.ingest.known import read_known

    def summary(known):
        return ({i: (e.kind, sorted(e.names), e.iso_code) for i, e in known.entities.items()},
                known.facts, known.source_ids)

    compiled, stored = summary(read_known(bundled_kg)), summary(read_known(loaded_store))
    assert stored == compiled
    assert compiled[0]["kazakhstan"][2] == "KZ" and len(compiled[1]) > 300
