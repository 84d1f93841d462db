"""`kgraph serve` under load and abuse: every query in a worker within time, memory and rows;
connections bounded and timed out; only loopback host names on loopback; every error plain
text. A ``kgraph serve`` process with small limits, so that each can be hit in a second or two,
driven by real clients (urllib, http.client, raw sockets); its memory read from /proc."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import run
from test_serve import get

TIMEOUT, MEMORY, IDLE, CONNECTIONS, MAX_ROWS = 20, 200, 1, 8, 5000
#: The CONSTRUCT the endpoint once ran past its time limit in its own process, growing it by
#: half a gigabyte: every observation times every triple.
HEAVY_CONSTRUCT = "CONSTRUCT { ?s ?p ?x } WHERE { ?s a sp:Observation . ?o ?p ?x }"
#: A hundred million rows to sort: memory grows until something stops it.
SORTED_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d"


def start_server(*options: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "kgraph", "serve", "--port", "0", "--quiet",
                                *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("SPARQL endpoint at http://127.0.0.1:"), line + process.stderr.read()
    return process, line.split()[3].rstrip(",")


@pytest.fixture(scope="module")
def strict():
    """A server with small limits: (process, URL of /sparql)."""
    process, url = start_server("--timeout", str(TIMEOUT), "--max-memory", str(MEMORY),
                                "--idle-timeout", str(IDLE), "--max-connections", str(CONNECTIONS),
                                "--max-rows", str(MAX_ROWS))
    yield process, url
    assert process.poll() is None, "the server died during the tests"
    process.terminate()
    process.wait(10)


def status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise KeyError(name)


def rss_mb(pid: int) -> float:
    return status_field(pid, "VmRSS") / 1024


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def query_processes(pid: int, within: float) -> list[int]:
    """The forking process and the query's worker under ``pid``, once both exist."""
    deadline = time.monotonic() + within
    while len(descendants(pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    found = descendants(pid)
    assert len(found) == 2, "the forking process and the query's worker"
    return found


def assert_gone(pids: list[int]) -> None:
    """Every one of ``pids`` ends within seconds (its parent has just been killed)."""
    deadline = time.monotonic() + 5
    while any(map(alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in pids if alive(pid)] == []


def port_of(url: str) -> int:
    return urllib.parse.urlsplit(url).port


def raw_exchange(url: str, data: bytes, pause: float = 0.0) -> bytes:
    """Send ``data`` on a raw connection (a byte at a time every ``pause`` seconds, if given)
    and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port_of(url)), timeout=30) as connection:
        try:
            for start in range(0, len(data), 1 if pause else len(data) or 1):
                connection.sendall(data[start:start + (1 if pause else len(data))])
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed on us mid-way: read what it said
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


# --- every query in a worker ---------------------------------------------------------------

def test_a_heavy_construct_is_cut_in_its_worker_and_the_server_keeps_its_size(strict):
    process, url = strict
    get(url, "ASK { ?s ?p ?o }")  # the first request's buffers and threads, before measuring
    before = rss_mb(process.pid)
    started = time.monotonic()
    status, headers, body = get(url, HEAVY_CONSTRUCT, Accept="application/n-triples")
    elapsed = time.monotonic() - started
    assert status == 200
    assert headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    assert len(body.splitlines()) == MAX_ROWS
    assert elapsed < TIMEOUT
    with ThreadPoolExecutor(4) as pool:  # four at once, as the probe did
        answers = list(pool.map(lambda _: get(url, HEAVY_CONSTRUCT)[0], range(4)))
    assert answers == [200] * 4
    assert rss_mb(process.pid) - before < 10


def test_a_query_past_the_memory_limit_is_stopped_and_said_so(strict):
    process, url = strict
    before = rss_mb(process.pid)
    status, headers, body = get(url, SORTED_PRODUCT)
    assert status == 503
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert (f"stopped at {MEMORY} MB of memory, this endpoint's limit for one query (kgraph "
            "serve --max-memory)") in body
    assert rss_mb(process.pid) - before < 10
    status, _, body = get(url, "ASK { spr:kazakhstan a sp:State }")
    assert (status, json.loads(body)["boolean"]) == (200, True)


#: A trillion rows, none of which passes.
NEVER = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STRLEN(STR(?c)) + STRLEN(STR(?i)) < 0)"


def test_every_query_form_stops_at_the_time_limit_and_the_server_goes_on(bundled_kg):
    process, url = start_server("--timeout", "2")
    queries = [f"ASK {{ {NEVER} }}",
               "CONSTRUCT { spr:a spr:b spr:c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
               f"DESCRIBE ?a WHERE {{ {NEVER} }}",
               "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"]
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(len(queries)) as pool:  # all four at once: 2 s, not 8
            answers = list(pool.map(lambda query: get(url, query), queries))
        assert 2 <= time.monotonic() - started < 2 + 5
        for status, headers, body in answers:
            assert (status, headers["Content-Type"]) == (503, "text/plain; charset=utf-8")
            assert body == ("The query was stopped after 2 seconds, this endpoint's time limit "
                            "(kgraph serve --timeout). Narrow it (a LIMIT, fewer unbound "
                            "patterns), or ask for more time.\n")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        status, _, body = get(url, count)
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(len(bundled_kg.graph))
    finally:
        process.terminate()
        process.wait(10)


def test_a_killed_server_leaves_no_worker_behind():
    process, url = start_server("--timeout", "60")

    def ask():
        with contextlib.suppress(OSError):  # the server is killed under it
            get(url, SORTED_PRODUCT)

    threading.Thread(target=ask, daemon=True).start()
    helpers = query_processes(process.pid, within=30)
    process.kill()
    process.wait(10)
    assert_gone(helpers)


# --- options -------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value, expected", [
    ("--timeout", "nan", "'nan' is not a time limit; expected a number of seconds above 0 and "
                         "at most 86,400 (a day)."),
    ("--timeout", "inf", "'inf' is not a time limit"),
    ("--timeout", "1e300", "'1e300' is not a time limit"),
    ("--timeout", "0", "'0' is not a time limit"),
    ("--idle-timeout", "-1", "'-1' is not a time limit"),
    ("--max-memory", "0", "0 is not in the range 16<=x<=1048576"),
    ("--max-connections", "0", "0 is not in the range 1<=x<=10000"),
    ("--max-rows", "10000000000000", "is not in the range 1<=x<=100000000"),
    ("--allow-host", "evil host", "'evil host' is not a host name"),
])
def test_options_are_checked_before_the_server_starts(option, value, expected):
    result = run("serve", "--port", "0", option, value)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output and "SPARQL endpoint at" not in result.output


# --- host names ----------------------------------------------------------------------------

def ask_with_host(url: str, host: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(url), timeout=30)
    connection.putrequest("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}),
                          skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    answer = (response.status, response.getheader("Content-Type"), response.read().decode())
    connection.close()
    return answer


def test_on_loopback_only_loopback_host_names_are_answered(strict):
    _, url = strict
    port = port_of(url)
    for host in (f"localhost:{port}", "LOCALHOST", f"127.0.0.1:{port}", f"[::1]:{port}",
                 "localhost."):
        assert ask_with_host(url, host)[0] == 200, host
    status, media_type, body = ask_with_host(url, f"attacker.example:{port}")
    assert (status, media_type) == (403, "text/plain; charset=utf-8")
    assert body == (f"Host 'attacker.example:{port}' is not a name of this endpoint: it answers "
                    "localhost and IP addresses. Give more names with kgraph serve --allow-host "
                    "NAME.\n")


def test_allowed_host_names(bundled_kg):
    from kgraph.serve import host_names, make_server, query_function

    assert host_names("0.0.0.0") is None  # reachable by any name the machine has
    assert host_names("0.0.0.0", ("kg.example.org",)) == {"localhost", "kg.example.org"}
    assert host_names("127.0.0.1", ("*",)) is None
    server = make_server(query_function(bundled_kg.graph), port=0, allow_hosts=("KG.example.",))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert ask_with_host(server.url, "kg.example:8000")[0] == 200
        assert ask_with_host(server.url, "other.example")[0] == 403
    finally:
        server.shutdown()
        server.server_close()


# --- connections ---------------------------------------------------------------------------

def test_idle_and_half_sent_connections_are_closed(strict):
    _, url = strict
    started = time.monotonic()
    assert raw_exchange(url, b"") == b""  # a connection that never speaks: closed, no answer
    assert IDLE <= time.monotonic() - started < IDLE + 2
    timed_out = (f"The request did not arrive within {IDLE} seconds, this endpoint's limit "
                 "(kgraph serve --idle-timeout).\n").encode()
    half = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: localhost\r\n"
    answer = raw_exchange(url, half)
    assert answer.startswith(b"HTTP/1.0 408 Request Timeout\r\n")
    assert b"Content-Type: text/plain; charset=utf-8" in answer and answer.endswith(timed_out)
    started = time.monotonic()  # sent a byte at a time, never finishing in time
    answer = raw_exchange(url, half + b"X-Padding: " + b"x" * 100 + b"\r\n\r\n", pause=0.1)
    assert answer.startswith(b"HTTP/1.0 408") and time.monotonic() - started < IDLE + 2
    short_body = (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/"
                  b"sparql-query\r\nContent-Length: 100\r\n\r\nASK {}")
    answer = raw_exchange(url, short_body)
    assert answer.startswith(b"HTTP/1.0 408") and b"The request body did not arrive" in answer


def test_idle_connections_make_room_and_threads_stay_bounded(strict):
    """Connections that send nothing hold no client out: past the limit, the one that has
    waited longest is closed to make room, and the server's threads stay bounded."""
    process, url = strict
    idle = [socket.create_connection(("127.0.0.1", port_of(url))) for _ in range(CONNECTIONS)]
    try:
        time.sleep(0.3)
        threads = status_field(process.pid, "Threads")
        idle += [socket.create_connection(("127.0.0.1", port_of(url))) for _ in range(50)]
        time.sleep(0.3)
        assert status_field(process.pid, "Threads") <= threads + 1
        status, _, body = get(url, "ASK { spr:kazakhstan a sp:State }")
        assert (status, json.loads(body)["boolean"]) == (200, True)
        closed = 0
        for connection in idle:
            connection.settimeout(0.01)
            with contextlib.suppress(TimeoutError):
                closed += connection.recv(1) == b""
        assert closed >= 50
    finally:
        for connection in idle:
            connection.close()


def slow_answer(text, limit):
    from kgraph.query import QueryResult

    time.sleep(float(text.split("#")[1]))
    return QueryResult("ask", boolean=True)


def test_connections_beyond_the_limit_are_refused_while_all_are_busy():
    from kgraph.serve import Limits, make_server

    server = make_server(slow_answer, port=0, limits=Limits(max_connections=2))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with ThreadPoolExecutor(2) as pool:
            busy = [pool.submit(get, server.url, "ASK {} #2") for _ in range(2)]
            time.sleep(0.5)
            answer = raw_exchange(server.url, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n\r\n")
            assert [future.result()[0] for future in busy] == [200, 200]
        assert answer.startswith(b"HTTP/1.0 503 Service Unavailable\r\n")
        assert b"Content-Type: text/plain; charset=utf-8" in answer
        assert answer.endswith(b"The endpoint is busy: 2 connections are open, its limit (kgraph "
                               b"serve --max-connections). Try again shortly.\n")
        assert get(server.url, "ASK {} #0")[0] == 200
    finally:
        server.shutdown()
        server.server_close()


# --- every error in plain text -------------------------------------------------------------

@pytest.mark.parametrize("request_bytes, status, words", [
    (b"GET /sparql?query=" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414,
     b"The request line is longer than 65536 bytes. Send long queries by POST"),
    (b"NONSENSE\r\n\r\n", 400, b"Bad Request: Bad request syntax ('NONSENSE')."),
    (b"GET / HTTP/9.9\r\n\r\n", 505, b"HTTP Version Not Supported: Invalid HTTP version (9.9)."),
    (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431,
     b"Request Header Fields Too Large: Too many headers."),
])
def test_malformed_requests_get_plain_text_errors(strict, request_bytes, status, words):
    _, url = strict
    answer = raw_exchange(url, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split()[1] == str(status).encode()
    assert b"Content-Type: text/plain; charset=utf-8" in head
    assert body.startswith(words) and b"<" not in body


def test_every_serve_option_is_documented():
    from kgraph.cli import cli

    document = (Path(__file__).resolve().parent.parent / "docs" / "serve.md").read_text(encoding="utf-8")
    options = [name for param in cli.commands["serve"].params for name in param.opts
               if name.startswith("--") and name not in ("--store-user", "--store-update-url",
                                                         "--store-graph-store-url")]
    assert [option for option in options if f"`{option}" not in document] == []
