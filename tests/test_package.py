"""kgraph installs as a user installs it, in a fresh virtual environment: a plain install
works from anywhere (the package carries ontology, data and queries), and an editable one,
the README's set-up, reads the checkout's folders, so that an edit of data/ is what the next
build reads. Its command starts at once: its help loads none of the libraries that do the
work."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from conftest import ROOT

#: What a checkout holds that an install reads.
CHECKOUT = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-DATA", "kgraph", "ontology", "data",
            "queries")


def fresh_environment(folder: Path) -> Path:
    """A new virtual environment whose only packages are its own, plus the dependencies
    this test run already has: the folders of the running interpreter's site-packages are
    added to its path (not their .pth files, so that no other install of kgraph, editable
    or not, shows through). pip builds kgraph there as ``pip install`` does for a user, in
    an isolated build environment. Returns the environment's bin folder."""
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    inner = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    outer = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(inner) / "zz-dependencies-of-the-test-run.pth").write_text("\n".join(outer) + "\n")
    return folder / "bin"


def pip_install(bin_folder: Path, *args) -> None:
    done = subprocess.run([bin_folder / "python", "-m", "pip", "install", "--no-deps", "-q", *args],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def kgraph(bin_folder: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([bin_folder / "kgraph", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """``pip install .`` of the checkout, in a fresh environment, in its two steps: pip
    builds the wheel (its contents checked), then installs it."""
    folder = tmp_path_factory.mktemp("installed")
    bin_folder = fresh_environment(folder / "venv")
    done = subprocess.run([bin_folder / "python", "-m", "pip", "wheel", "--no-deps", "-q",
                           "--wheel-dir", folder / "dist", ROOT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wheel = next((folder / "dist").glob("kgraph-*.whl"))
    check_wheel_contents(wheel)
    pip_install(bin_folder, wheel)
    return bin_folder


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


def test_a_plain_install_builds_from_anywhere_with_the_data_it_carries(installed, tmp_path):
    environment = installed.parent
    located = subprocess.run([installed / "python", "-c",
                              "import kgraph.resources as r; print(r.bundled_path('data'))"],
                             cwd=tmp_path, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(located).is_relative_to(environment), located
    done = kgraph(installed, "build", cwd=tmp_path)
    assert f"read {located} (the bundled data, the copy installed with kgraph)\n" in done.stdout
    assert "validation: 0 violation(s), 0 warning(s)" in done.stdout
    assert (tmp_path / "build" / "softpower.ttl").stat().st_size > 10_000
    assert done.stderr == ""
    listing = kgraph(installed, "queries", "--format", "json", cwd=tmp_path)
    assert len(listing.stdout) > 100


def test_a_plain_install_run_in_a_checkout_says_that_its_data_is_not_read(installed, tmp_path):
    checkout = tmp_path / "kgraph"
    checkout.mkdir()
    shutil.copy(ROOT / "pyproject.toml", checkout)
    shutil.copytree(ROOT / "data", checkout / "data")
    done = kgraph(installed, "build", "-o", tmp_path / "out", cwd=checkout)
    assert f"Note: {checkout / 'data'} was not read" in done.stderr
    assert "pip install -e ." in done.stderr
    read = kgraph(installed, "build", "--data", "data", "-o", tmp_path / "out", cwd=checkout)
    assert f"read {checkout / 'data'}\n" in read.stdout and read.stderr == ""


def test_an_editable_install_reads_the_checkouts_data_as_edited(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in CHECKOUT:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, checkout / name)
    bin_folder = fresh_environment(tmp_path / "venv")
    pip_install(bin_folder, "-e", checkout)
    facts = checkout / "data" / "frigerio-east-west-bridge.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "    label: De Montfort University\n" in text
    facts.write_text(text.replace("    label: De Montfort University\n",
                                  "    label: De Montfort University (edited)\n"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = kgraph(bin_folder, "build", "-q", cwd=elsewhere)
    assert done.stdout.startswith(f"read {checkout / 'data'} (the bundled data, in the checkout)\n")
    graph = (elsewhere / "build" / "softpower.ttl").read_text(encoding="utf-8")
    assert re.search(r'"De Montfort University \(edited\)"@en', graph)


#: Libraries a command imports when it needs them, never to show the help or parse options.
HEAVY = {"rdflib", "networkx", "pyshacl", "pyvis", "pyoxigraph", "igraph", "yaml", "jinja2",
         "matplotlib", "pyld", "num2words", "pysbd", "pycountry", "pypdf", "trafilatura"}


@pytest.mark.parametrize("command", [[], ["query"], ["ingest"], ["viz"]])
def test_the_help_loads_none_of_the_libraries_that_do_the_work(command):
    shown = subprocess.run([sys.executable, "-X", "importtime", "-m", "kgraph", *command, "--help"],
                           capture_output=True, text=True, check=True)
    assert "Usage: python -m kgraph" in shown.stdout
    loaded = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in shown.stderr.splitlines()
              if line.startswith("import time:") and "|" in line}
    assert {"click", "kgraph"} <= loaded and loaded & HEAVY == set()
    # What the options choose from (kgraph.choices) imports nothing, for the library's sake too.
    tree = ast.parse((ROOT / "kgraph" / "choices.py").read_text(encoding="utf-8"))
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_running_kgraphs_own_queries_leaves_rdflibs_sparql_parser_unloaded():
    """Named queries are kgraph's own text, evaluated by Oxigraph unparsed: the query stage
    loads rdflib's SPARQL package (a twentieth of a second) only to parse a user's query."""
    code = ("import sys\n"
            "import kgraph.query, kgraph.ordering, kgraph.store\n"
            "before = 'rdflib.plugins.sparql' in sys.modules\n"
            "kgraph.query.prepare('SELECT * WHERE { ?s ?p ?o }')\n"
            "print(before, 'rdflib.plugins.sparql' in sys.modules)\n")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "True"]


#: Runs ``python -m kgraph`` with its arguments and prints, once the command has ended, how
#: many objects were frozen out of the garbage collector's reach (atexit runs before the
#: interpreter's last collection).
FROZEN_AT_EXIT = ("import atexit, gc, runpy, sys\n"
                  "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
                  "sys.argv[0] = 'kgraph'\n"
                  "runpy.run_module('kgraph', run_name='__main__')\n")


@pytest.mark.parametrize("arguments, status", [(["queries"], 0), (["no-such-command"], 2)])
def test_the_program_freezes_its_objects_when_its_command_ends(arguments, status):
    """The process ends with the command: its objects are frozen, whether the command
    succeeded or failed, so that Python's last collection does not walk them."""
    done = subprocess.run([sys.executable, "-c", FROZEN_AT_EXIT, *arguments], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == status, done.stderr
    frozen = int(done.stdout.rsplit("frozen ", 1)[1])
    assert frozen > 10_000


def test_the_installed_program_is_the_one_that_freezes(installed):
    shown = subprocess.run([installed / "python", "-c", "from importlib.metadata import entry_points; "
                            "print(entry_points(group='console_scripts')['kgraph'].value)"],
                           capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "kgraph.cli:main"
