"""Names of the states in the languages of the region, and identifiers other datasets use:
generated from maintained sources (tools/reference_states.py), found by every lookup."""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import re
import shutil

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, SDO

from conftest import ROOT, run
from kgraph.namespaces import SP, SPR, WD

pycountry = pytest.importorskip("pycountry")


def _generator():
    spec = importlib.util.spec_from_file_location("reference_states", ROOT / "tools" / "reference_states.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _states() -> list[dict]:
    return yaml.safe_load((ROOT / "data" / "reference.yaml").read_text(encoding="utf-8"))["states"]


def _wikidata_table() -> dict[str, dict]:
    with open(ROOT / "tools" / "wikidata-countries.csv", encoding="utf-8", newline="") as handle:
        return {row["iso_alpha2"]: row for row in csv.DictReader(handle)}


def test_every_state_has_kazakh_and_russian_names_and_its_codes():
    table = _wikidata_table()
    for state in _states():
        country = pycountry.countries.get(alpha_2=state["iso_code"])
        assert set(state["labels"]) >= {"kk", "ru"}, state["id"]
        for names in state["labels"].values():
            names = names if isinstance(names, list) else [names]
            assert all(re.fullmatch(r"[^\sA-Za-z][^A-Za-z]*", name) for name in names), names
        assert (state["iso_alpha3"], state["iso_numeric"]) == (country.alpha_3, country.numeric)
        assert state["wikidata"] == table[state["iso_code"]]["wikidata"]
        cited = {item["source"] for item in state["evidence"]}
        assert {"reference-iso-3166", "reference-cldr-territory-names",
                "reference-iso-3166-translations", "reference-wikidata-countries"} <= cited


def test_the_data_is_what_the_generator_writes():
    sources = yaml.safe_load((ROOT / "data" / "reference-identifiers.yaml").read_text(encoding="utf-8"))
    titles = " ".join(source["title"] for source in sources["sources"])
    installed = (f"Babel {importlib.metadata.version('babel')}",
                 f"pycountry {importlib.metadata.version('pycountry')}")
    if not all(version in titles for version in installed):
        pytest.skip(f"the data was written with other versions than the installed {installed}")
    assert _generator().main(["--check"]) == 0


def _adjectives_tool():
    spec = importlib.util.spec_from_file_location("country_adjectives",
                                                  ROOT / "tools" / "country_adjectives.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_adjectives_table_is_what_its_tool_writes_and_states_carry_them():
    from kgraph.ingest.countries import ADJECTIVES_FILE, adjectives

    pytest.importorskip("countryinfo")
    header = ADJECTIVES_FILE.read_text(encoding="utf-8").split("\n", 3)[2]
    installed = [f"{name} {importlib.metadata.version(name)}" for name in ("countryinfo", "pycountry")]
    installed.append(f"Babel {importlib.metadata.version('babel')}")
    if not all(version in header for version in installed):
        pytest.skip(f"the table was written with other versions than the installed {installed}")
    assert _adjectives_tool().main(["--check"]) == 0
    table = adjectives()
    # A demonym and the name of the language official there whose likely country it is;
    # not "English" (official in the United States only de facto), and a demonym of two
    # countries of like size ("Congolese") or a language another country's demonym
    # ("Portuguese" for Brazil) named for one only.
    assert table["KZ"] == ("Kazakhstani", "Kazakh") and table["KR"] == ("South Korean", "Korean")
    assert table["GB"] == ("British",) and table["US"] == ("American",)
    assert "Portuguese" not in table["BR"]
    assert sum("Congolese" in names for names in table.values()) <= 1
    for state in _states():
        assert state.get("variants", []) == list(table.get(state["iso_code"], ())), state["id"]


def test_the_generator_fills_a_new_state_and_keeps_the_rest(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    reference = data / "reference.yaml"
    original = reference.read_text(encoding="utf-8")
    added = ("  - id: mongolia\n    label: Mongolia\n    iso_code: MN\n"
             "    source: reference-iso-3166\n")
    reference.write_text(original.replace("cities:\n", added + "cities:\n", 1), encoding="utf-8")
    generator = _generator()
    assert generator.main(["--data", str(data)]) == 0
    written = reference.read_text(encoding="utf-8")
    block = written[written.index("  - id: mongolia"):written.index("cities:\n")]
    mongolia = yaml.safe_load(block)[0]
    assert mongolia["iso_alpha3"] == "MNG" and mongolia["iso_numeric"] == "496"
    assert mongolia["labels"]["kk"] and mongolia["labels"]["ru"]
    assert "wikidata" not in mongolia  # not in the reference table: no item, never a guess
    assert mongolia["variants"] == ["Mongolian"]  # its demonym (countryinfo)
    assert mongolia["evidence"] == [{"source": s} for s in (
        "reference-iso-3166", "reference-cldr-territory-names", "reference-iso-3166-translations",
        "reference-country-adjectives")]
    assert written.replace(block, "") == original  # every other line as it was
    assert generator.main(["--data", str(data), "--check"]) == 0
    result = run("validate", "--data", data)
    assert result.exit_code == 0, result.output


def test_a_record_quote_survives_regeneration(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    reference = data / "reference.yaml"
    text = reference.read_text(encoding="utf-8")
    start = text.index("  - id: japan\n")
    end = text.index("  - id: ", start + 1)
    quoted = ("  - id: japan\n    label: Japan\n    iso_code: JP\n    source: reference-iso-3166\n"
              "    quote: 'Japan: a quote, with \"marks\"'\n")
    reference.write_text(text[:start] + quoted + text[end:], encoding="utf-8")
    _generator().main(["--data", str(data)])
    japan = next(s for s in yaml.safe_load(reference.read_text(encoding="utf-8"))["states"]
                 if s["id"] == "japan")
    assert japan["evidence"][0] == {"source": "reference-iso-3166",
                                    "quote": 'Japan: a quote, with "marks"'}


# --- every lookup takes the names --------------------------------------------------------------

@pytest.mark.parametrize("query,parameter,names", [
    ("branch-campuses", "host", ["kazakhstan", "Қазақстан", "Казахстан", "ҚАЗАҚСТАН",
                                 "Республика Казахстан"]),
    ("actor-instruments", "actor", ["russia", "Россия", "россия", "Ресей", "Российская Федерация"]),
    ("actor-instruments", "actor", ["china", "Китай", "Қытай"]),
])
def test_query_parameters_take_kazakh_and_russian_names(query, parameter, names):
    answers = {name: run("query", query, "--param", f"{parameter}={name}", "-f", "csv") for name in names}
    assert all(result.exit_code == 0 for result in answers.values()), answers
    outputs = {result.stdout for result in answers.values()}
    assert len(outputs) == 1 and outputs.pop().count("\n") > 2


def test_russian_page_names_every_state_in_russian(tmp_path):
    output = tmp_path / "ru.html"
    assert run("viz", "--view", "actors-channels", "--lang", "ru", "-o", output).exit_code == 0
    found = re.search(r'<script type="application/json" id="kgraph-data">(.*?)</script>',
                      output.read_text(encoding="utf-8"), re.S)
    nodes = [n for n in json.loads(found.group(1))["nodes"] if not n["id"].startswith("channel:")]
    russian = {s["id"]: (s["labels"]["ru"] if isinstance(s["labels"]["ru"], str)
                         else s["labels"]["ru"][0]) for s in _states()}
    assert len(nodes) >= 10
    assert {n["id"]: n["label"] for n in nodes} == {n["id"]: russian[n["id"]] for n in nodes}


# --- identifiers other datasets use --------------------------------------------------------------

def test_states_link_to_wikidata_and_carry_their_iso_codes_as_schema_org_identifiers(bundled_kg):
    graph = bundled_kg.graph
    kazakhstan = SPR["kazakhstan"]
    assert set(graph.objects(kazakhstan, OWL.sameAs)) == {WD["Q232"]}
    identifiers = {str(graph.value(node, SDO.propertyID)): graph.value(node, SDO.value)
                   for node in graph.objects(kazakhstan, SDO.identifier)}
    assert identifiers == {"ISO 3166-1 alpha-2": Literal("KZ"), "ISO 3166-1 alpha-3": Literal("KAZ"),
                           "ISO 3166-1 numeric": Literal("398")}
    assert all((node, RDF.type, SDO.PropertyValue) in graph
               for node in graph.objects(kazakhstan, SDO.identifier))
    assert graph.value(kazakhstan, SP.iso3166Numeric) == Literal("398")
    states = set(graph.subjects(RDF.type, SP.State))
    assert {s for s in states if (s, OWL.sameAs, None) in graph} == states
    assert len({graph.value(s, OWL.sameAs) for s in states}) == len(states)


@pytest.mark.parametrize("prop,kind", [
    (SDO.identifier, OWL.ObjectProperty), (SDO.propertyID, OWL.DatatypeProperty),
    (SDO.value, OWL.DatatypeProperty), (SP.iso3166Alpha2, OWL.DatatypeProperty),
    (SP.iso3166Alpha3, OWL.DatatypeProperty), (SP.iso3166Numeric, OWL.DatatypeProperty),
])
def test_identifier_properties_keep_to_their_declared_kind(bundled_kg, prop, kind):
    """OWL 2 DL: an object property never takes a literal, a datatype property never an IRI
    (the OWL API's "Cannot pun between properties")."""
    graph = bundled_kg.graph
    assert set(graph.objects(prop, RDF.type)) == {kind}
    wrong = Literal if kind == OWL.ObjectProperty else URIRef
    used = list(graph.objects(None, prop))
    assert used and not [o for o in used if isinstance(o, wrong)]
