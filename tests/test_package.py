"""A plain, non-editable install works from anywhere: the wheel ships ontology, data and queries."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

from conftest import ROOT


def test_wheel_installs_and_builds_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT],
                   check=True, capture_output=True)
    wheel = next(dist.glob("kgraph-*.whl"))
    check_wheel_contents(wheel)
    environment = tmp_path / "venv"
    # A fresh environment that sees the already installed dependencies, not the checkout.
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(environment)
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = subprocess.run([python, "-c", "import kgraph.resources as r; print(r.bundled_path('data'))"],
                             cwd=elsewhere, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(located).is_relative_to(environment), located
    done = subprocess.run([environment / "bin" / "kgraph", "build"], cwd=elsewhere,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 violation(s)" in done.stdout
    assert (elsewhere / "build" / "softpower.ttl").stat().st_size > 10_000
    listing = subprocess.run([environment / "bin" / "kgraph", "queries", "--format", "json"],
                             cwd=elsewhere, capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout) > 100


def check_wheel_contents(wheel: Path) -> None:
    """The wheel ships the ontology in its three forms, the vocabularies, the JSON-LD context
    and both licences, and its metadata says who made it, under which licences, what it is
    for and where its ontology lives."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(archive.read("kgraph-0.1.0.dist-info/METADATA").decode("utf-8"))
    bundled = {name.split("kgraph/bundled/ontology/")[1] for name in names if "kgraph/bundled/ontology/" in name}
    assert {"softpower.ttl", "softpower.owl", "vocabularies.ttl", "shapes.ttl", "context.jsonld"} <= bundled
    assert {"kgraph-0.1.0.dist-info/licenses/LICENSE", "kgraph-0.1.0.dist-info/licenses/LICENSE-DATA"} <= names
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0"
    assert metadata["Author"] == "The kgraph project"
    assert "Intended Audience :: Science/Research" in metadata.get_all("Classifier")
    assert "Ontology, https://w3id.org/softpower/ontology" in metadata.get_all("Project-URL")
