"""The README never lies: its worked example builds, it documents every command, its set-up
is what CI runs, and its numbers are measured."""

from __future__ import annotations

import re
import textwrap

import pytest
from rdflib import Literal

from conftest import ROOT, run
from kgraph.cli import cli
from kgraph.namespaces import PROV, RDF, SP, SPR
from kgraph.stats import graph_stats

README = (ROOT / "README.md").read_text(encoding="utf-8")
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def test_the_worked_example_of_a_new_source_builds_and_answers(tmp_path):
    section = README[README.index("### Adding a source"):]
    sources, facts = re.findall(r"```yaml\n(.*?)```", section, re.S)[:2]
    folder = tmp_path / "my-data"
    folder.mkdir()
    (folder / "sources.yaml").write_text(textwrap.dedent(sources), encoding="utf-8")
    (folder / "example-campus-report.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    built = run("build", "--data", "@bundled", "--data", folder, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    answer = run("query", "branch-campuses", "--param", "host=Uzbekistan", "--format", "csv",
                 "--data", "@bundled", "--data", folder)
    assert "Example University Tashkent,Example University,United Kingdom,Tashkent,2026" in answer.stdout


def test_every_command_has_help_and_is_in_the_readme():
    for name, command in cli.commands.items():
        assert command.help, f"kgraph {name} has no help text"
        assert f"`kgraph {name}" in README, f"kgraph {name} is not documented in README.md"


def test_the_python_example_runs(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(tmp_path)  # it writes build/ and graph-db/ where it runs, as a user's would
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own example)
    assert namespace["report"].conforms
    assert {row["actor"] for row in namespace["rows"]} >= {"China", "Russia", "United States"}
    assert namespace["store"].triple_count() == len(namespace["kg"].graph)
    assert (tmp_path / "build" / "softpower.ttl").is_file() and (tmp_path / "graph-db").is_dir()


def test_the_set_up_commands_are_the_ones_ci_runs():
    """The README's two commands: the main job, which .ci/run runs in a copy of the checkout,
    and the test command, with which .ci/run ends."""
    section = README[README.index("## Set-up on a fresh machine"):README.index("## Commands")]
    main_job, ci, test_command = re.findall(r"^    (\S.*)$", section, re.M)
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert main_job == "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && kgraph build"
    assert f"    {main_job}\n" in script
    assert ci == "bash .ci/run"
    assert script.rstrip().splitlines()[-1] == test_command


def release(version: str) -> tuple[int, ...]:
    """A release number as PEP 440 compares it: 3.0 is 3.0.0."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_the_lowest_versions_ci_installs_are_the_declared_lower_bounds():
    """.ci/lowest.txt pins every requirement of pyproject.toml to its lower bound, and
    .ci/run looks for the lowest Python that requires-python admits."""
    # What CI installs: the base requirements, the test extra's and those of the extras it
    # takes in, one a line ("NAME>=X", maybe followed by exclusions); a name bound twice is
    # installed at the higher bound.
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"^([\w-]+) = \[\n(.*?)^\]", project, re.M | re.S))
    taken_in = re.findall(r'"kgraph\[([\w-]+)\]"', blocks["test"])
    installed = blocks["dependencies"] + blocks["test"] + "".join(blocks[extra] for extra in taken_in)
    requirements = re.findall(r'^\s+"([A-Za-z0-9_.-]+)>=([\w.]+)[^"]*",', installed, re.M)
    assert taken_in == ["ingest"] and len(requirements) > 30
    bounds = {}
    for name, version in requirements:
        bounds[name] = max(bounds.get(name, ()), release(version))
    lowest = {name: release(version) for name, version in
              (line.split("==") for line in (ROOT / ".ci" / "lowest.txt").read_text("utf-8").split("\n")
               if line and not line.startswith("#"))}
    assert lowest == bounds
    oldest_python = re.search(r'^requires-python = ">=([\d.]+)"$', project, re.M).group(1)
    assert f"\noldest={oldest_python}\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_numbers_the_readme_gives_of_the_data_are_measured(bundled_kg):
    section = README[README.index("## The data"):README.index("### Adding a source")]
    graph = bundled_kg.graph
    measured = graph_stats(graph)
    classes = measured.classes

    def number(pattern: str) -> int:
        found = re.search(pattern, section)
        assert found, f"the README's data section no longer says {pattern!r}"
        text = found.group(1)
        return NUMBERS.index(text) if text in NUMBERS else int(text.replace(",", ""))

    quotations = set(graph.subjects(RDF.type, SP.Quotation))
    campuses_in_kazakhstan = set(graph.subjects(SP.hostState, SPR.kazakhstan))
    assert number(r"about\s+([\d,]+) records") == pytest.approx(measured.entities, rel=0.05)
    assert number(r"about ([\d,]+) triples") == pytest.approx(measured.triples, rel=0.05)
    assert number(r"\(([\d,]+) quotes") == len(quotations)
    assert number(r"(\d+) facts stated") == measured.statuses["stated"]
    assert number(r"(\d+) inferred with their notes") == measured.statuses["inferred"]
    assert number(r"what the (\w+) sources") == len({graph.value(q, PROV.wasQuotedFrom) for q in quotations})
    assert number(r"the (\w+) Central Asian states") == len(set(graph.subjects(SP.isCentralAsian, Literal(True))))
    assert number(r"(\d+) universities") == classes["sp:University"]
    assert number(r"(\d+) foreign branch campuses in Kazakhstan") == classes["sp:BranchCampus"] \
        == len(campuses_in_kazakhstan & set(graph.subjects(RDF.type, SP.BranchCampus)))
    assert number(r"(\d+) influence relations") == classes["sp:InfluenceRelation"]
    assert number(r"the roles of (\d+) people") == classes["sp:Person"]
    assert number(r"(\d+) quantitative observations") == classes["sp:Observation"]
    assert number(r"- ([\d,]+) policy goals") == classes["sp:PolicyGoal"]
    assert number(r"([\d,]+) regional responses") == classes["sp:RegionalResponse"]
    assert number(r"Table 1 as (\w+) analytical dimensions") == classes["sp:AnalyticalDimension"]
    assert number(r"(\d+) concepts with the sources' definitions") == classes["sp:AnalyticalConcept"]
