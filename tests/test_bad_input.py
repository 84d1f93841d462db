"""Bad input gets one clear paragraph (file, line, value, expectation), an exit status, and no output."""

from __future__ import annotations

import re

import pytest

from conftest import MINIMAL, run


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
    ("amount", "    amount: 50000000", "    amount: fifty million", "expected a finite number"),
    ("amount", "    amount: 50000000", "    amount: -5", "expected a number that is not negative"),
])
def test_values_that_are_not_numbers(minimal_data, build_data, field, old, new, expected):
    _replace(minimal_data / "facts.yaml", old, new)
    result = build_data(minimal_data)
    assert result.exit_code == 1
    value = new.split(": ", 1)[1]
    shown = repr(int(value)) if value.lstrip("-").isdigit() else repr(value)
    assert re.search(rf"field '{field}' \(line \d+\) is {re.escape(shown)};", result.output)
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


# --- values YAML or JSON accept but the data format does not -------------------------------------

@pytest.mark.parametrize("old,new,expected", [
    ("    year: 2024\n", "    date: 2024-13-17\n",
     "(sources record 'test-report'): field 'date' (line 6) is '2024-13-17'; "
     "expected a calendar date written YYYY-MM-DD."),
    ("    year: 2024\n", "    date: 2023-02-29\n", "field 'date' (line 6) is '2023-02-29'"),
])
def test_impossible_dates(minimal_data, build_data, old, new, expected):
    _replace(minimal_data / "sources.yaml", old, new)
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert f"{minimal_data / 'sources.yaml'}, line 3 " in result.output
    assert expected in result.output


@pytest.mark.parametrize("value,shown", [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf"),
                                         (".NaN", "nan")])
def test_amounts_that_are_not_finite(minimal_data, build_data, value, shown):
    _replace(minimal_data / "facts.yaml", "    amount: 50000000", f"    amount: {value}")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert (f"facts.yaml, line 28 (investments record): field 'amount' (line 30) is {shown}; "
            "expected a finite number.") in result.output


def test_json_lines_not_a_number(minimal_data, build_data):
    path = _json_lines(minimal_data, '{"kind": "observations", "subject": "kazakhstan", '
                       '"indicator": "foreign-branch-campus-count", "value": NaN, '
                       '"source": "test-report", "quote": "about 30 foreign campuses"}')
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert f"{path}, line 3 (observations record): field 'value' is nan; expected a finite number." \
        in result.output


@pytest.mark.parametrize("labels,expected", [
    ('{kk: Қазақстан, "ru\\n": Казахстан}', "has the language 'ru\\n', which is not a language code"),
    ("{kk: Қазақстан, ru: []}", "gives [] as the 'ru' name"),
    ("{kk: Қазақстан, ru: [Казахстан, 5]}", "gives ['Казахстан', 5] as the 'ru' name"),
])
def test_bad_language_labels(minimal_data, build_data, labels, expected):
    _replace(minimal_data / "places.yaml", "{kk: Қазақстан, ru: Казахстан}", labels)
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert f"places.yaml, line 2 (states record 'kazakhstan'): field 'labels' (line 4) {expected}" \
        in result.output


# --- alias bombs, and sizes beyond the documented limits ------------------------------------------

def _nested_aliases(levels: int) -> list[str]:
    """Lines of a "billion laughs": each level a list of nine aliases of the one before."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return lines


CITY = "cities:\n  - id: bomb\n    label: Bomb\n    state: kazakhstan\n    source: test-reference\n"


@pytest.mark.parametrize("where", ["field value", "list items"])
def test_alias_bombs_are_refused(minimal_data, build_data, where):
    path = minimal_data / "bomb.yaml"
    if where == "field value":
        path.write_text(CITY + "    note:\n" + "".join(f"      {line}\n" for line in _nested_aliases(9)),
                        encoding="utf-8")
    else:
        path.write_text("\n".join(_nested_aliases(9)) + "\n" + CITY + "    alt_labels: [*l8, *l8]\n",
                        encoding="utf-8")
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert re.search(rf"{re.escape(str(path))}, line \d+, column \d+: aliases \(\*name\) repeat the "
                     r"value defined here [\d,]+ times, and the file would expand to [\d,]{11,} "
                     r"values; expected at most 10,000 values repeated through aliases in a file",
                     result.output)


def test_recursive_alias_is_refused(minimal_data, build_data):
    (minimal_data / "loop.yaml").write_text(
        "cities:\n  - &city\n    id: loop\n    label: Loop\n    state: kazakhstan\n"
        "    source: test-reference\n    alt_labels: [*city]\n", encoding="utf-8")
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert "loop.yaml, line 2, column 5: an alias refers to the value that contains it" in result.output


def test_alias_bomb_is_refused_at_once_in_little_memory(tmp_path):
    import time
    import tracemalloc

    from kgraph.errors import InputError
    from kgraph.load import read_yaml

    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(_nested_aliases(10)) + "\n", encoding="utf-8")
    sizes = [10]  # a list of nine texts, then lists of nine aliases of the one before
    for _ in range(9):
        sizes.append(1 + 9 * sizes[-1])
    expanded = 1 + 10 + sum(sizes)  # the mapping, its ten keys and their lists: 4.4 billion
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError, match=f"would expand to {expanded:,} values"):
        read_yaml(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2 * 2**20, f"{peak:,} bytes"
    assert elapsed < 1.0


def test_aliases_within_the_limit_still_work(minimal_data, tmp_path):
    (minimal_data / "more.yaml").write_text(
        "cities:\n  - id: shymkent\n    label: Shymkent\n    state: kazakhstan\n"
        "    alt_labels: &names [Chimkent, Шымкент]\n    source: test-reference\n"
        "  - id: turkistan\n    label: Turkistan\n    state: kazakhstan\n"
        "    alt_labels: *names\n    source: test-reference\n", encoding="utf-8")
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    graph = (tmp_path / "out" / "softpower.ttl").read_text(encoding="utf-8")
    assert graph.count('"Chimkent"@en') == 2


def test_yaml_file_beyond_the_limit_is_refused_unread(minimal_data, build_data):
    from kgraph.load import YAML_MAX_BYTES

    path = minimal_data / "big.yaml"
    path.write_text("states:\n  - id: x\n    alt_labels: [" + "a, " * (YAML_MAX_BYTES // 3 + 10),
                    encoding="utf-8")  # malformed too: the size is what is reported
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert (f"{path}: the file has {path.stat().st_size / 2**20:,.1f} MiB of YAML; expected at "
            f"most {YAML_MAX_BYTES // 2**20} MiB per YAML file") in result.output
    assert "kgraph build --store oxigraph:DIR" in result.output


def test_json_line_beyond_the_limit_is_refused(minimal_data, build_data):
    from kgraph.load import JSON_LINE_MAX_CHARS

    path = _json_lines(minimal_data, '{"kind": "cities", "id": "big", "label": "'
                       + "x" * JSON_LINE_MAX_CHARS + '"}')
    result = build_data(minimal_data)
    assert result.exit_code == 2
    assert f"{path}, line 3: the line is longer than 1,048,576 characters" in result.output


def test_text_beyond_the_limit_is_refused(minimal_data, build_data):
    _replace(minimal_data / "places.yaml", "    label: Almaty\n",
             "    label: Almaty\n    description: " + "y" * 100_001 + "\n")
    result = build_data(minimal_data)
    assert result.exit_code == 1
    assert ("places.yaml, line 13 (cities record 'almaty'): field 'description' (line 15) holds a "
            "text of 100,001 characters; expected at most 100,000") in result.output
    assert "required field" not in result.output


def test_turtle_term_beyond_the_store_parser_limit(minimal_data, tmp_path):
    extra = minimal_data / "extra.ttl"
    extra.write_text('<https://w3id.org/softpower/id/kazakhstan> '
                     '<http://www.w3.org/2004/02/skos/core#note> "' + "z" * (16 * 2**20 + 1) + '" .\n',
                     encoding="utf-8")
    result = run("build", "--data", minimal_data, "-o", tmp_path / "out",
                 "--store", f"oxigraph:{tmp_path / 'db'}")
    assert result.exit_code == 2
    assert f"{extra}: a term of the file (a literal or an IRI) is longer than 16 MiB" in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "db").exists()


# --- warnings: data read but probably not what was meant ----------------------------------------

@pytest.mark.parametrize("name,content", [("empty.yaml", ""), ("comments.yaml", "# to do\n"),
                                          ("nothing.yaml", "cities: []\n"), ("empty.jsonl", "\n")])
def test_empty_data_file_is_named_in_a_warning(minimal_data, tmp_path, name, content):
    (minimal_data / name).write_text(content, encoding="utf-8")
    for store in ((), ("--store", f"oxigraph:{tmp_path / 'db'}")):
        result = run("build", "--data", minimal_data, "-o", tmp_path / "out", *store)
        assert result.exit_code == 0, result.output
        assert (f"Warning: {minimal_data / name}: the file holds no records; nothing was read "
                "from it.") in result.stderr
    assert run("build", "--data", MINIMAL, "-o", tmp_path / "out").stderr == ""


def test_large_in_memory_build_is_warned(minimal_data, monkeypatch):
    from kgraph import load

    monkeypatch.setattr(load, "MEMORY_BUILD_WARN_BYTES", 1000)
    result = run("validate", "--data", minimal_data)
    assert result.exit_code == 0
    assert re.search(r"Warning: the data folders hold \d+ MiB of records, compiled in memory: .*"
                     r"kgraph build --store oxigraph:DIR", result.stderr)
