"""The SPARQL shape check (for large graphs) reports what pyshacl reports."""

from __future__ import annotations

import re
import shutil
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from conftest import MINIMAL, Terminal, run
from kgraph.build import KnowledgeGraph, load_ontology, parse_turtle
from kgraph.validate import validate

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken" / "broken.ttl"


def comparable(report) -> set[tuple]:
    """The results as a set, numbers compared by value (engines write -5.0 or -5)."""
    def value(text):
        try:
            return Decimal(text)
        except InvalidOperation:
            return text

    return {(v.severity, v.focus, v.path, v.message, value(v.value)) for v in report.violations}


@pytest.fixture(scope="module")
def broken_kg():
    graph = load_ontology()
    parse_turtle(BROKEN, graph)
    return KnowledgeGraph(graph)


def test_both_engines_report_the_same_on_a_graph_that_breaks_many_shapes(broken_kg):
    by_pyshacl = comparable(validate(broken_kg, engine="pyshacl"))
    by_sparql = comparable(validate(broken_kg, engine="sparql"))
    assert by_sparql == by_pyshacl
    messages = {message for _, _, _, message, _ in by_sparql}
    assert {"the programme names no funder or operator: say who pays for it or runs it if the source does",
            "an amount needs an ISO 4217 currency code such as USD",
            "a quotation needs exactly one non-empty quote",
            "a branch campus has at most one parent institution, a university",
            "year must be one whole number between 1800 and 2100"} <= messages
    assert len(by_sparql) >= 25


def test_both_engines_report_the_same_on_the_bundled_data(bundled_kg):
    by_sparql = validate(bundled_kg, engine="sparql")
    assert comparable(by_sparql) == comparable(validate(bundled_kg, engine="pyshacl"))
    # Neither errors nor warnings: every gap the shapes warn of is filled or explained.
    assert by_sparql.violations == []


def test_validate_chooses_the_engine_from_the_command_line(tmp_path):
    extra = tmp_path / "data"
    shutil.copytree(MINIMAL, extra)
    shutil.copy(BROKEN, extra / "broken.ttl")
    outputs = [run("validate", "--data", extra, "--validator", engine).output
               for engine in ("pyshacl", "sparql")]
    for output in outputs:
        assert output.count("Violation: ") >= 25
        assert output.splitlines()[-1].endswith(": does not conform")
    # The same results, but for the lexical form of a number (-5.0 or -5), and for results
    # pyshacl repeats once per constraint component (so the counts may differ).
    def results(output):
        return {line for line in output.splitlines()[:-1] if "(value: -5" not in line}

    assert results(outputs[0]) == results(outputs[1])


def test_the_sparql_check_shows_its_progress_on_a_terminal(bundled_kg, monkeypatch):
    from kgraph.query import execute
    from kgraph.shapecheck import check
    from kgraph.validate import load_shapes

    asked = []
    check(load_shapes(), lambda text: asked.append(text) or execute(bundled_kg.graph, text).rows)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    validate(bundled_kg, engine="sparql")
    shown = re.findall(r"validating, constraints checked: ([\d,]+) \(", terminal.getvalue())
    assert shown[-1] == f"{len(asked):,}" and len(asked) > 20
    monkeypatch.setattr(sys, "stderr", terminal := Terminal())
    validate(bundled_kg, engine="sparql", quiet=True)
    assert terminal.getvalue() == ""


def test_a_funder_counts_from_either_side_for_both_engines(broken_kg):
    """sp:fundedBy on the programme or sp:funds from the funder (a funding record's edge);
    the funder warning only for the kinds of programme that are defined by who pays."""
    for engine in ("pyshacl", "sparql"):
        report = validate(broken_kg, engine=engine)
        messages = {}
        for violation in report.violations:
            messages.setdefault(violation.focus.rsplit("/", 1)[-1], set()).add(violation.message)
        funder_or_operator = ("the programme names no funder or operator: say who pays for it or "
                              "runs it if the source does")
        no_funder = "the programme names no funder: say who pays for it if the source does"
        not_an_actor = "a programme's funder must be an actor (state, bloc, institution or person)"
        assert {funder_or_operator, no_funder} & messages.get("funded-from-the-funder", set()) == set()
        assert not_an_actor in messages["funded-by-a-city"]
        assert no_funder in messages["unfunded-exchange"]
        assert funder_or_operator not in messages["unfunded-exchange"]
        assert {funder_or_operator, no_funder} & messages.get("operated-courses", set()) == set()
        assert {funder_or_operator, no_funder} <= messages["orphan-programme"]
