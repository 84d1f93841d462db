"""The same data gives the same bytes: every command's output, in every format, in fresh
processes with different hash seeds, in memory and in an on-disk store; and the named
queries give the same bytes from both stores (the engines: tests/test_store.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from kgraph.choices import EXPORT_FORMATS, RESULT_FORMATS
from kgraph.errors import QueryError
from kgraph.ordering import Ordering, group_concat_separators, order_keys, ordering_of, read_ordering, sorted_list
from kgraph.query import execute, named_queries, prepare

SCRIPT = Path(__file__).resolve().parent / "every_output.py"
#: Hash seeds of the processes compared; Python draws a random one for each process otherwise.
SEEDS = (1, 4242)
STORES = ("memory", "oxigraph")


@pytest.fixture(scope="module")
def digests(tmp_path_factory) -> dict[tuple[str, int], dict[str, str]]:
    """The digests of every output (``every_output.py``), per store and seed: each process
    in an empty folder of its own, all of them at once."""
    processes = {}
    for store in STORES:
        for seed in SEEDS:
            environment = {**os.environ, "PYTHONHASHSEED": str(seed), "COLUMNS": "120"}
            processes[store, seed] = subprocess.Popen(
                [sys.executable, SCRIPT, store], cwd=tmp_path_factory.mktemp(f"{store}-{seed}"),
                env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    found = {}
    for key, process in processes.items():
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err
        found[key] = json.loads(out)
    return found


@pytest.mark.parametrize("store", STORES)
def test_every_output_is_the_same_bytes_under_every_hash_seed(digests, store):
    first, *others = (digests[store, seed] for seed in SEEDS)
    # build and its four files, every query in every format, stats, centrality, indicators,
    # every export, 2 network exports, 2 pages.
    assert len(first) == (5 + len(named_queries()) * len(RESULT_FORMATS) + 2 + 6
                          + len(EXPORT_FORMATS) + 2 + 4)
    for other in others:
        assert sorted(label for label in first if first[label] != other[label]) == []


def test_named_queries_give_the_same_bytes_in_memory_and_on_disk(digests):
    memory, disk = digests["memory", SEEDS[0]], digests["oxigraph", SEEDS[0]]
    queries = [label for label in memory if label.startswith("query ")]
    assert len(queries) == len(named_queries()) * len(RESULT_FORMATS)
    assert [label for label in queries if memory[label] != disk[f"{label} --store oxigraph:db"]] == []


def test_every_named_query_orders_by_its_columns_and_declares_its_lists():
    """What kgraph.ordering needs to settle a named query's answer: ORDER BY keys it can
    compare (projected variables), and every GROUP_CONCAT column declared a list."""
    for name, named in named_queries().items():
        query = prepare(named.text)
        assert order_keys(query, list(named.columns)), f"{name}: ORDER BY projected variables"
        concatenated = set(group_concat_separators(query)) & set(named.columns)
        assert set(named.lists) == concatenated, name


def test_the_order_read_from_a_named_querys_text_is_the_order_its_parse_gives():
    """kgraph runs its own queries without rdflib's parse: what it reads of their order from
    the text must be what the parse says."""
    for name, named in named_queries().items():
        read = read_ordering(named.text)
        assert read is not None, name
        assert read == ordering_of(prepare(named.text)), name


@pytest.mark.parametrize("text, expected", [
    ('SELECT ?a (GROUP_CONCAT(?b) AS ?bs) WHERE { ?a ?p ?b } GROUP BY ?a ORDER BY DESC(?bs) ?a LIMIT 3',
     Ordering({"bs": " "}, (("bs", True), ("a", False)))),
    ('SELECT ?a (GROUP_CONCAT(DISTINCT STR(?b); separator=", ") AS ?bs) WHERE { ?a ?p ?b } GROUP BY ?a',
     Ordering({"bs": ", "}, ())),
])
def test_the_order_of_plain_text_is_read(text, expected):
    assert read_ordering(text) == expected == ordering_of(prepare(text))


@pytest.mark.parametrize("text", [
    'SELECT ?a WHERE { ?a ?p ?b } ORDER BY STR(?a)',  # an expression: the parse says so
    'SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a } }',  # a subquery's
    'SELECT ?a (GROUP_CONCAT(?b; separator="\\t") AS ?bs) WHERE { ?a ?p ?b } GROUP BY ?a',
    'SELECT ?a (COALESCE(GROUP_CONCAT(?b), "") AS ?bs) WHERE { ?a ?p ?b } GROUP BY ?a',
])
def test_text_too_intricate_to_read_is_left_to_the_parser(text):
    assert read_ordering(text) is None


def records(text: str) -> list[dict]:
    return execute(Graph(), text).records()


def test_rows_follow_order_by_and_ties_follow_the_whole_row():
    rows = records('SELECT ?x ?n WHERE { VALUES (?x ?n) { ("b" 10) ("c" 2) ("a" 10) (UNDEF 5) '
                   '("d" "ten") } } ORDER BY DESC(?n)')
    # Literals that are not numbers after numbers, as SPARQL orders them; DESC reverses.
    assert [(r["x"], r["n"]) for r in rows] == [("d", "ten"), ("a", 10), ("b", 10), (None, 5), ("c", 2)]
    rows = records('SELECT ?x ?n WHERE { VALUES (?x ?n) { ("b" 1) ("a" 2) (UNDEF 3) } }')
    assert [r["x"] for r in rows] == [None, "a", "b"]  # no ORDER BY: the whole row, unbound first


def test_a_declared_list_has_its_values_in_order_and_an_empty_one_no_value():
    concatenation = 'GROUP_CONCAT(?x; separator="; ")'
    rows = records(f'# lists: names\nSELECT ({concatenation} AS ?names) ({concatenation} AS ?raw) '
                   'WHERE { VALUES ?x { "item 10" "b" "Item 2" } }')
    assert rows[0]["names"] == "b; Item 2; item 10"  # numbers by value, case aside
    assert sorted(rows[0]["raw"].split("; ")) == ["Item 2", "b", "item 10"]  # not declared
    # A group without values: "" in Virtuoso, no value in Oxigraph; no value from both.
    assert records(f"# lists: names\nSELECT ?g ({concatenation} AS ?names) "
                   'WHERE { VALUES (?g ?x) { ("a" UNDEF) } } GROUP BY ?g') == [{"g": "a", "names": None}]
    assert sorted_list(pyoxigraph.Literal(""), "; ") is None


def test_a_declared_list_that_no_group_concat_binds_is_a_clear_error():
    with pytest.raises(QueryError, match="declares 'names' a list.*no GROUP_CONCAT"):
        records('# lists: names\nSELECT ?names WHERE { VALUES ?names { "a" } }')
