"""Bad input gets one clear paragraph (file, line, value, expectation), an exit status, and no output."""

from __future__ import annotations

import re

import pytest

from conftest import run


@pytest.fixture(params=["memory", "oxigraph"])
def build_mode(request):
    """Every case is checked on both builds: compiled in memory, and file by file into an
    on-disk store (``kgraph.bulk``)."""
    return request.param


@pytest.fixture
def build_data(build_mode, tmp_path):
    def build(data):
        out, store = tmp_path / "out", tmp_path / "db"
        store_args = ("--store", f"oxigraph:{store}") if build_mode == "oxigraph" else ()
        result = run("build", "--data", data, "-o", out, *store_args)
        assert not (out / "softpower.ttl").exists(), "a failed build must not write its outputs"
        assert "Traceback" not in result.output
        assert not store.exists() and list(tmp_path.glob(".db*")) == [], \
            "a failed build must leave no store behind"
        return result
    return build


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_minimal_data_builds(minimal_data, tmp_path):
    out = tmp_path / "out"
    result = run("build", "--data", minimal_data, "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "softpower.ttl").is_file()
    assert "0 violation(s)" in result.output


def test_malformed_yaml(minimal_data, build_data):
    facts = minimal_data / "facts.yaml"
    _replace(facts, "    opened: 2023\n", "    opened: [2023\n")
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert f"{facts}, line " in result.output
    assert "malformed YAML" in result.output
    assert re.search(r"line \d+, column \d+", result.output)


def test_unknown_field_suggests_the_right_one(minimal_data, build_data):
    _replace(minimal_data / "facts.yaml", "    host_city: almaty", "    hots_city: almaty")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "facts.yaml, line 8 (branch_campuses record 'de-montfort-university-kazakhstan')" in result.output
    assert "unknown field 'hots_city' (did you mean 'host_city'?)" in result.output


def test_reference_to_missing_id_lists_close_ids(minimal_data, build_data):
    _replace(minimal_data / "facts.yaml", "    host_city: almaty", "    host_city: almatty")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "field 'host_city' refers to 'almatty', which no record defines (did you mean 'almaty'?)" in result.output
    assert "expected the id of one of: cities" in result.output


def test_reference_of_the_wrong_kind(minimal_data, build_data):
    _replace(minimal_data / "facts.yaml", "    host_state: kazakhstan", "    host_state: test-scholarship")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "field 'host_state' refers to 'test-scholarship', which is a programmes record" in result.output
    assert "expected a reference to: states" in result.output


def test_duplicate_id_names_both_places(minimal_data, build_data):
    places = minimal_data / "places.yaml"
    original = places.read_text(encoding="utf-8")
    first_line = original.splitlines().index("  - id: almaty") + 1
    places.write_text(original + (
        "  - id: almaty\n    label: Almaty again\n    state: kazakhstan\n    source: test-reference\n"),
        encoding="utf-8")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "duplicate id 'almaty'" in result.output
    assert f"{places}, line {first_line} (cities record 'almaty') already defines it" in result.output
    assert f"{places}, line {len(original.splitlines()) + 1} (cities record 'almaty')" in result.output


def test_missing_source(minimal_data, build_data):
    _replace(minimal_data / "facts.yaml",
             "    launched: 2020\n    source: test-report\n", "    launched: 2020\n")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "(programmes record 'test-scholarship'): evidence without a source" in result.output


def test_missing_quote(minimal_data, build_data):
    _replace(minimal_data / "facts.yaml",
             "    quote: The Test Scholarship funds students from Kazakhstan.\n", "")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "evidence from source 'test-report' has no quote" in result.output


@pytest.mark.parametrize("field,old,new,expected", [
    ("opened", "    opened: 2023", "    opened: twenty-three", "expected a year (a whole number)"),
    ("opened", "    opened: 2023", "    opened: 20233", "expected a year between 1800 and 2100"),
    ("amount", "    amount: 50000000", "    amount: fifty million", "expected a number"),
    ("amount", "    amount: 50000000", "    amount: -5", "expected a number that is not negative"),
])
def test_values_that_are_not_numbers(minimal_data, build_data, field, old, new, expected):
    _replace(minimal_data / "facts.yaml", old, new)
    result = build_data(minimal_data)
    assert result.exit_code == 1
    value = new.split(": ", 1)[1]
    assert f"field '{field}' is {value!r}" in result.output or f"field '{field}' is {int(value)!r}" in result.output
    assert expected in result.output


def test_missing_data_folder(build_data, tmp_path):
    result = build_data(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert f"Data folder '{tmp_path / 'nowhere'}' does not exist" in result.output


def test_malformed_turtle(minimal_data, build_data):
    extra = minimal_data / "extra.ttl"
    extra.write_text("@prefix sp: <https://w3id.org/softpower/ontology#> .\n\nsp:a sp:b \"unterminated .\n",
                     encoding="utf-8")
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert f"{extra}: malformed Turtle" in result.output
    assert "line 3" in result.output


def test_shape_violation_in_turtle_names_the_node_and_rule(minimal_data, build_data):
    extra = minimal_data / "extra.ttl"
    extra.write_text(
        "@prefix sp: <https://w3id.org/softpower/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/softpower/id/orphan-campus> a sp:BranchCampus ;\n"
        "    rdfs:label \"Orphan campus\"@en .\n", encoding="utf-8")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert "'Orphan campus' <https://w3id.org/softpower/id/orphan-campus>, property sp:hostState" in result.output
    assert f"Written at {extra}" in result.output
    validate = run("validate", "--data", minimal_data)
    assert validate.exit_code == 1
    assert "property sp:epistemicStatus" in validate.output


# --- JSON Lines --------------------------------------------------------------------------------

CAMPUS_LINE = ('{"kind": "branch_campuses", "id": "test-campus", "label": "Test Campus", '
               '"parent": "de-montfort-university", "host_city": "almaty", "host_state": "kazakhstan", '
               '"opened": 2024, "source": "test-report", '
               '"quote": "De Montfort University opened a campus in Almaty."}')


def _json_lines(folder, *lines: str):
    path = folder / "more.jsonl"
    path.write_text("\n".join(["", CAMPUS_LINE, *lines]) + "\n", encoding="utf-8")
    return path


def test_json_lines_records_build(minimal_data, tmp_path):
    _json_lines(minimal_data)
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Test Campus" in (tmp_path / "out" / "softpower.ttl").read_text(encoding="utf-8")


@pytest.mark.parametrize("line,status,expected", [
    ('{"kind": "cities", "id": "astana", "label": "Astana",', 2,
     "line 3, column 54: malformed JSON: Expecting property name enclosed in double quotes"),
    ('{"kind": "cities", "id": "astana", "id": "nur-sultan", "label": "Astana"}', 2,
     "line 3: malformed JSON: found the key 'id' twice (expected each field once)"),
    ('["cities", "astana"]', 1, "line 3: the line holds ['cities', 'astana']; expected a JSON object"),
    ('{"id": "astana", "label": "Astana"}', 1, 'line 3: the record has no "kind". Expected one of: sources,'),
    ('{"kind": "citys", "id": "astana", "label": "Astana"}', 1,
     "line 3: unknown record kind 'citys' (did you mean 'cities'?)"),
    ('{"kind": "cities", "id": "astana", "label": "Astana", "country": "kazakhstan", "founded": "1830s"}', 1,
     "line 3 (cities record 'astana'): unknown field 'founded'"),
    ('{"kind": "branch_campuses", "id": "test-campus-2", "label": "Test Campus 2", '
     '"parent": "de-montfort-university", "host_state": "kazakhstan", "opened": "soon", '
     '"source": "test-report", "quote": "De Montfort University opened a campus in Almaty."}', 1,
     "line 3 (branch_campuses record 'test-campus-2'): field 'opened' is 'soon'; expected a year"),
])
def test_bad_json_lines_name_file_and_line(minimal_data, build_data, line, status, expected):
    """Malformed JSON stops the reading (status 2); bad records are all reported (status 1)."""
    path = _json_lines(minimal_data, line)
    result = build_data(minimal_data)
    assert result.exit_code == status
    assert f"{path}, {expected}" in result.output
