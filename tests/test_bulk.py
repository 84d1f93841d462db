"""The bulk build into an on-disk store: same graph as in memory, byte-identical output,
Turtle inputs streamed, and a failed build that leaves the old store as it was."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import run
from rdflib.namespace import RDFS
from kgraph.build import load_graph
from kgraph.store import OxigraphStore

ALMATY = URIRef("https://w3id.org/softpower/id/almaty")
EXTRA_TURTLE = """@prefix sp: <https://w3id.org/softpower/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix spr: <https://w3id.org/softpower/id/> .
spr:almaty rdfs:comment "The largest city of Kazakhstan."@en ;
    rdfs:seeAlso [ rdfs:label "a note without an IRI" ] , [ rdfs:label "another note" ] .
"""


def _build_in_process(data, out, store, seed):
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "-m", "kgraph", "build", "--quiet", "--data", data,
                           "-o", out, "--store", f"oxigraph:{store}"],
                          env=env, capture_output=True, text=True)


def test_the_store_holds_the_graph_the_memory_build_compiles(minimal_data, tmp_path):
    (minimal_data / "extra.ttl").write_text(EXTRA_TURTLE, encoding="utf-8")
    written = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        result = _build_in_process(minimal_data, out, tmp_path / f"db{seed}", seed)
        assert result.returncode == 0, result.stderr
        written.append((out / "softpower.ttl").read_bytes())
    # Blank nodes of a Turtle input are relabelled in the order they appear, so two builds
    # in processes with different hash seeds write the very same bytes.
    assert written[0] == written[1]
    from_store = Graph().parse(data=written[0], format="turtle")
    in_memory = load_graph([minimal_data]).graph
    assert len(from_store) == len(in_memory)
    assert isomorphic(from_store, in_memory)
    assert b'"The largest city of Kazakhstan."@en' in written[0]


def test_a_failed_build_leaves_the_previous_store_and_outputs_as_they_were(minimal_data, tmp_path):
    store, out = tmp_path / "db", tmp_path / "out"
    first = run("build", "--data", minimal_data, "-o", out, "--store", f"oxigraph:{store}")
    assert first.exit_code == 0, first.output
    triples = OxigraphStore(store).triple_count()
    turtle = (out / "softpower.ttl").read_bytes()
    outputs = sorted(p.name for p in out.iterdir())
    facts = minimal_data / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("host_city: almaty", "host_city: nowhere"),
                     encoding="utf-8")
    second = run("build", "--data", minimal_data, "-o", out, "--store", f"oxigraph:{store}")
    assert second.exit_code == 1
    assert "field 'host_city' refers to 'nowhere', which no record defines" in second.output
    assert OxigraphStore(store).triple_count() == triples
    assert (out / "softpower.ttl").read_bytes() == turtle
    assert sorted(p.name for p in out.iterdir()) == outputs
    # Only the store's lock file stays beside it: no staging store, no retired store.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.lock", "data", "db", "out"]


def test_a_reference_to_a_record_of_a_later_file_is_resolved(minimal_data, tmp_path):
    """Files are checked one at a time: a reference to an id defined in a file read later
    waits until every file is read, rather than failing."""
    places = minimal_data / "places.yaml"
    moved = minimal_data / "zz-places.yaml"  # read after facts.yaml
    places.rename(moved)
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out",
                 "--store", f"oxigraph:{tmp_path / 'db'}")
    assert result.exit_code == 0, result.output
    assert OxigraphStore(tmp_path / "db").triple_count() == len(load_graph([minimal_data]).graph)


TRICKY_TEXT = 'He said "yes", C:\\path\\n is not a line break,\nthis is,\r\nand\ttabs, ünïcödé 🙂'


def test_text_with_quotes_backslashes_and_line_breaks_is_kept_by_both_builds(minimal_data, tmp_path):
    import json

    from kgraph.bulk import bulk_load
    from kgraph.namespaces import DCTERMS, SPR

    record = {"kind": "cities", "id": "astana", "label": "Astana", "state": "kazakhstan",
              "description": TRICKY_TEXT, "source": "test-report",
              "quote": "De Montfort University opened a campus in Almaty."}
    (minimal_data / "more.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    in_memory = load_graph([minimal_data]).graph
    store = OxigraphStore(tmp_path / "db", create=True)
    bulk_load([minimal_data], store, quiet=True)
    from_store = Graph().parse(data=store.dump(io.BytesIO(), "nt").getvalue().decode("utf-8"), format="nt")
    for graph in (in_memory, from_store):
        assert [str(d) for d in graph.objects(SPR["astana"], DCTERMS.description)] == [TRICKY_TEXT]
    assert isomorphic(in_memory, from_store)


def test_json_lines_and_yaml_of_the_same_records_make_the_same_store(tmp_path):
    from kgraph.bulk import bulk_load
    from kgraph.synth import synthesize

    dumps = []
    for file_format in ("yaml", "jsonl"):
        data = tmp_path / file_format
        synthesize(3700, data, seed=5, file_format=file_format)
        assert {path.suffix for path in data.iterdir()} == {f".{file_format}"}
        store = OxigraphStore(tmp_path / f"db-{file_format}", create=True)
        loaded = bulk_load([data], store, quiet=True)
        assert len(loaded.checker.index) > 120
        dumps.append(store.dump(io.BytesIO(), "nt").getvalue())
    assert dumps[0] == dumps[1]
    assert dumps[0].count(b"\n") > 2900


def test_every_format_dumped_from_a_store_is_the_memory_graph(minimal_data, tmp_path):
    """A store's dumps are the graph the memory build compiles, in every format (the decimals
    of amounts and values written as Oxigraph keeps them), and the same bytes from two
    stores of the same data; TriG keeps a data file's blank nodes in the data graph."""
    from rdflib import Dataset

    from kgraph.bulk import bulk_load
    from kgraph.export import RDF_FORMATS, serialize
    from kgraph.namespaces import DATA_GRAPH

    (minimal_data / "extra.ttl").write_text(EXTRA_TURTLE, encoding="utf-8")
    facts = minimal_data / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("amount: 50000000", "amount: 50000000.50"),
                     encoding="utf-8")
    in_memory = load_graph([minimal_data]).graph
    assert '"50000000.5"^^<http://www.w3.org/2001/XMLSchema#decimal>' in serialize(in_memory, "nt").decode()
    stores = []
    for name in ("a", "b"):
        store = OxigraphStore(tmp_path / name, create=True)
        bulk_load([minimal_data], store, quiet=True)
        stores.append(store)
    for fmt in RDF_FORMATS:
        dumps = [store.dump(io.BytesIO(), fmt).getvalue() for store in stores]
        assert dumps[0] == dumps[1], fmt
        dataset = Dataset()
        dataset.parse(data=dumps[0], format="trig" if fmt == "trig" else RDF_FORMATS[fmt][0])
        merged = Graph()
        for s, p, o, g in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        assert isomorphic(merged, in_memory), fmt
        if fmt == "trig":
            notes = [g for s, p, o, g in dataset.quads((ALMATY, RDFS.seeAlso, None, None))]
            assert len(notes) == 2 and {str(g) for g in notes} == {DATA_GRAPH}
