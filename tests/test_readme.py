"""The README never lies: its worked example builds, and it documents every command."""

from __future__ import annotations

import re
import textwrap

from conftest import ROOT, run
from kgraph.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_the_python_example_runs(tmp_path):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    code = code.replace('"oxigraph:graph-db"', repr(f"oxigraph:{tmp_path / 'graph-db'}"))
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (the README's own example)
    assert namespace["report"].conforms
    assert {row["actor"] for row in namespace["rows"]} >= {"China", "Russia", "United States"}
    assert namespace["store"].triple_count() == len(namespace["kg"].graph)


def test_the_counts_of_the_bundled_data_in_the_readme_are_measured(bundled_kg):
    """The data section's exact figures (quotes, stated and inferred facts, policy goals,
    regional responses, observations) are the graph's own."""
    from rdflib.namespace import PROV

    from kgraph.stats import graph_stats

    section = README[README.index("## The data"):]
    number = lambda pattern: int(re.search(pattern, section, re.S).group(1).replace(",", ""))  # noqa: E731
    stats = graph_stats(bundled_kg.graph).as_dict()
    classes = stats["classes"]
    quotations = set(bundled_kg.graph.subjects(PROV.wasQuotedFrom, None))
    assert number(r"\(([\d,]+) quotes,") == len(quotations)
    assert number(r"([\d,]+) facts stated") == stats["facts_per_status"]["stated"]
    assert number(r"([\d,]+) inferred with their notes") == stats["facts_per_status"]["inferred"]
    assert number(r"- ([\d,]+) policy goals") == classes["sp:PolicyGoal"]
    assert number(r"([\d,]+) regional responses") == classes["sp:RegionalResponse"]
    assert number(r"- ([\d,]+) quantitative observations") == classes["sp:Observation"]
