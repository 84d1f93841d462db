"""The support check: each rule fires on a record that says more than its quote, and not on
one its quote supports; an inferred record with a note is explained; the bundled data has
no unexplained finding."""

from __future__ import annotations

import pytest
import yaml

from conftest import CORPUS, run
from kgraph.build import load_ontology, vocabulary_ids
from kgraph.load import load_dataset
from kgraph.support import check_support, number_in, number_spellings

PLACES = {
    "sources": [{"id": "report", "title": "A report", "type": "news-analysis"},
                {"id": "geo", "title": "A geographic reference", "type": "reference"}],
    "states": [{"id": "kazakhstan", "label": "Kazakhstan", "variants": ["Kazakh"], "source": "geo"},
               {"id": "india", "label": "India", "source": "geo"},
               {"id": "china", "label": "China", "source": "geo"},
               {"id": "south-korea", "label": "South Korea", "source": "geo"},
               {"id": "united-kingdom", "label": "United Kingdom", "source": "geo"}],
    "cities": [{"id": "turkistan", "label": "Turkistan", "alt_labels": ["Turkestan"], "state": "kazakhstan",
                "source": "geo"}],
    "universities": [{"id": "woosong-university", "label": "Woosong University", "country": "south-korea",
                      "evidence": [{"source": "report", "quote": "Woosong University"}, {"source": "geo"}]},
                     {"id": "de-montfort-university", "label": "De Montfort University",
                      "alt_labels": ["DeMontfort University"], "country": "united-kingdom",
                      "evidence": [{"source": "report", "quote": "DeMontfort University"}, {"source": "geo"}]}],
    "indicators": [{"id": "student-count", "label": "number of students", "source": "geo"}],
}


@pytest.fixture(scope="module")
def vocabularies():
    return vocabulary_ids(load_ontology())


def findings(tmp_path, vocabularies, **records):
    """The support check's findings on the places above plus the given records."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "places.yaml").write_text(yaml.safe_dump(PLACES, allow_unicode=True), encoding="utf-8")
    (folder / "facts.yaml").write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return check_support(load_dataset([folder], vocabularies).records).findings


def rules(found) -> list[tuple[str, str]]:
    return sorted((f.rule, f.field) for f in found)


def relation(target, quote, **extra):
    return {"actor": "kazakhstan", "target": target, "channels": ["academic-mobility"],
            "source": "report", "quote": quote, **extra}


# --- the four rules ------------------------------------------------------------------------------

def test_an_end_the_quote_does_not_name_is_found(tmp_path, vocabularies):
    found = findings(tmp_path, vocabularies, influence_relations=[
        relation("india", "Foreign students develop ties to Kazakhstan.")])
    assert rules(found) == [("end-not-mentioned", "target")]
    assert "'target: india': the quotes do not name 'India' (india)" in found[0].message
    assert found[0].kind == "influence_relations" and found[0].line == 2
    assert found[0].file.name == "facts.yaml" and not found[0].explained


def test_names_labels_variants_and_possessives_support_an_end(tmp_path, vocabularies):
    assert findings(tmp_path, vocabularies, influence_relations=[
        relation("india", "Kazakhstan's universities attract students from India."),
        relation("china", "Kazakh universities attract students from China."),
    ]) == []


def test_a_number_must_be_written_in_the_quote_in_any_notation(tmp_path, vocabularies):
    observation = {"subject": "kazakhstan", "indicator": "student-count", "unit": "students",
                   "source": "report"}
    found = findings(tmp_path, vocabularies, observations=[
        {**observation, "value": 35000, "comparator": "over", "quote": "Kazakhstan hosts over 35 000 students."},
        {**observation, "value": 17, "year": 2024, "quote": "Seventeen universities in Kazakhstan, 2024."},
        {**observation, "value": 1000, "comparator": "at-least", "quote": "Kazakhstan trained thousands of students."},
    ])
    assert rules(found) == [("number-not-in-quote", "value")]
    assert "'value: 1000'" in found[0].message


@pytest.mark.parametrize("value, text", [
    (35000, "over 35,000 students"), (35000, "35 000"), (35000, "thirty-five thousand"),
    (16000000, "US$16 million in Almaty"), (75, "ranked 75th"), (50, "more than half of them"),
    (28.56, "with 28, 56 points"), (30, "отыз"), (2, "two petaflops")])
def test_number_notations_of_the_sources(value, text):
    from kgraph.quotes import fold

    assert number_in(value, fold(text))


def test_a_number_is_not_found_inside_another():
    from kgraph.quotes import fold

    assert not number_in(16, fold("in 2016"))
    assert not number_in(1000, fold("thousands of courses"))
    assert "thirty-five thousand" in number_spellings(35000)


def test_a_status_word_that_contradicts_the_record_is_found(tmp_path, vocabularies):
    campus = {"id": "woosong-university-turkistan", "label": "Woosong University branch in Turkestan",
              "parent": "woosong-university", "host_city": "turkistan", "host_state": "kazakhstan",
              "source": "report"}
    setting_up = "Kazakhstan engages universities, South Korea's Woosong University setting one up in Turkestan."
    found = findings(tmp_path, vocabularies, branch_campuses=[{**campus, "status": "operating", "quote": setting_up}])
    assert rules(found) == [("status-contradicted", "status")]
    assert '"setting one up"' in found[0].message
    assert findings(tmp_path, vocabularies, branch_campuses=[{**campus, "status": "planned", "quote": setting_up}]) == []
    assert findings(tmp_path, vocabularies, branch_campuses=[
        {**campus, "status": "operating", "quote": "Woosong University now operates its branch in Turkestan, Kazakhstan."}]) == []


def test_one_general_sentence_behind_one_fact_per_country_is_found(tmp_path, vocabularies):
    general = "They develop cultural and professional ties to Kazakhstan."
    found = findings(tmp_path, vocabularies, influence_relations=[
        relation("india", general), relation("china", general)])
    assert rules(found) == [("shared-quote", "target"), ("shared-quote", "target")]
    assert "one quote backs 2 influence_relations records that differ in 'target'" in found[0].message
    enumeration = "Kazakhstan hosts students from India and China."
    assert findings(tmp_path, vocabularies, influence_relations=[
        relation("india", enumeration), relation("china", enumeration)]) == []


def test_an_inferred_record_with_a_note_explains_its_findings(tmp_path, vocabularies):
    note = "The source speaks of foreign students in general; the coder reads it as influence in India."
    found = findings(tmp_path, vocabularies, influence_relations=[
        relation("india", "Foreign students develop ties to Kazakhstan.", epistemic_status="inferred", note=note)])
    assert [(f.rule, f.explanation) for f in found] == [("end-not-mentioned", note)]
    assert found[0].describe().endswith(f"[explained: inferred: {note}]")


def test_a_branch_campus_goes_by_its_parent_and_a_reference_supports_attributes(tmp_path, vocabularies):
    campus = {"id": "dmu-kazakhstan", "label": "De Montfort University Kazakhstan",
              "parent": "de-montfort-university", "host_state": "kazakhstan", "source": "report",
              "quote": "DeMontfort University opened a campus in Kazakhstan."}
    assert findings(tmp_path, vocabularies, branch_campuses=[campus]) == []


# --- the command and the bundled data --------------------------------------------------------------

def test_check_quotes_support_names_file_line_record_and_rule(tmp_path, vocabularies):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "places.yaml").write_text(yaml.safe_dump(PLACES), encoding="utf-8")
    (folder / "facts.yaml").write_text(yaml.safe_dump({"influence_relations": [
        relation("india", "Foreign students develop ties to Kazakhstan.")]}), encoding="utf-8")
    corpus = tmp_path / "texts"
    corpus.mkdir()
    result = run("check-quotes", "--data", folder, "--corpus", corpus, "--support")
    assert result.exit_code == 1
    line = next(l for l in result.stdout.splitlines() if "end-not-mentioned" in l)
    assert line.startswith(f"{folder / 'facts.yaml'}, line 2 (influence_relations record 'influence-relation-kazakhstan-india-")
    assert "1 unexplained" in result.stdout.splitlines()[-1]


def test_support_is_not_checked_on_a_store(tmp_path):
    corpus = tmp_path / "texts"
    corpus.mkdir()
    result = run("check-quotes", "--store", f"oxigraph:{tmp_path / 'db'}", "--corpus", corpus, "--support")
    assert result.exit_code != 0 and "--support reads the records of the data folders" in result.output


def test_the_bundled_data_has_no_unexplained_finding(vocabularies):
    report = check_support(load_dataset(None, vocabularies).records)
    assert [f.describe() for f in report.unexplained] == []
    assert report.facts > 500 and report.explained
    assert all(f.explanation for f in report.explained)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the source corpus is not beside the checkout")
def test_check_quotes_with_support_passes_on_the_bundled_data():
    result = run("check-quotes", "--corpus", CORPUS, "--support")
    assert result.exit_code == 0, result.output[-2000:]
    assert " 0 not found" in result.stdout and result.stdout.rstrip().endswith("0 unexplained")
