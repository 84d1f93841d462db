"""Builds into an on-disk store never lose it and never leave a process behind.

Real ``kgraph build`` processes, stopped at a named phase (``KGRAPH_PAUSE_AT`` makes a build
stop itself there with SIGSTOP), then killed with SIGKILL, or left stopped while a second
build or a reader starts, or let go on. After each scenario the store must open and answer
with the old data or the new, the ``-o`` outputs must be the old ones unless the build got to
the end, and no process of the build may be left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, run
from kgraph.store import BUILD_PHASES, OxigraphStore

LABEL = "SELECT ?label WHERE { spr:almaty rdfs:label ?label }"


def data_folder(root: Path, city: str) -> Path:
    """The minimal data with Almaty's label set to ``city``: which build made a store shows
    in one query."""
    folder = root / f"data-{city.replace(' ', '-')}"
    shutil.copytree(MINIMAL, folder)
    places = folder / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace("label: Almaty", f"label: {city}"),
                      encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def old_build(tmp_path_factory):
    """A store and outputs built from the old data, to copy for each scenario."""
    root = tmp_path_factory.mktemp("old")
    result = start_build(data_folder(root, "Old Almaty"), root / "out", root / "db")
    assert result.wait(120) == 0, result.stderr.read()
    return root


@pytest.fixture
def scene(old_build, tmp_path):
    """A copy of the old store and outputs, and the new data."""
    shutil.copytree(old_build / "db", tmp_path / "db")
    shutil.copytree(old_build / "out", tmp_path / "out")
    return {"store": tmp_path / "db", "out": tmp_path / "out",
            "new": data_folder(tmp_path, "New Almaty"),
            "other": data_folder(tmp_path, "Other Almaty"),
            "old_turtle": (tmp_path / "out" / "softpower.ttl").read_bytes()}


def start_build(data: Path, out: Path, store: Path, pause_at: str | None = None, *extra):
    env = dict(os.environ)
    env.pop("KGRAPH_PAUSE_AT", None)
    if pause_at:
        env["KGRAPH_PAUSE_AT"] = pause_at
    return subprocess.Popen(
        [sys.executable, "-m", "kgraph", "build", "--quiet", "--no-network", "--data", str(data),
         "-o", str(out), "--store", f"oxigraph:{store}", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_until_stopped(process: subprocess.Popen, timeout: float = 120) -> None:
    """Until the build has stopped itself at its pause phase."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the build ended before its pause: {process.stderr.read()}")
        if state(process.pid) == "T":
            return
        time.sleep(0.02)
    pytest.fail("the build did not reach its pause")


def state(pid: int) -> str | None:
    """The process's state letter (R, S, T, Z, ...), None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def answer(store: Path) -> str:
    """Almaty's label in the store, read as any later command reads it."""
    return str(OxigraphStore(store).evaluate(LABEL).rows[0][0])


def leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")
                  and p.name != f".{store.name}.lock")


@pytest.mark.parametrize("phase", BUILD_PHASES)
def test_a_build_killed_at_any_phase_leaves_the_old_store_or_the_new(scene, phase):
    build = start_build(scene["new"], scene["out"], scene["store"], phase)
    wait_until_stopped(build)
    build.kill()
    assert build.wait(10) == -signal.SIGKILL
    swapped = BUILD_PHASES.index(phase) >= BUILD_PHASES.index("swapped")
    assert answer(scene["store"]) == ("New Almaty" if swapped else "Old Almaty")
    turtle = (scene["out"] / "softpower.ttl").read_bytes()
    if phase == "committed":
        assert b'"New Almaty"@en' in turtle
    else:
        assert turtle == scene["old_turtle"]
    # The lock died with the build: the next one runs, and clears what the killed one left.
    again = run("build", "--quiet", "--no-network", "--data", scene["other"], "-o", scene["out"],
                "--store", f"oxigraph:{scene['store']}")
    assert again.exit_code == 0, again.output
    assert answer(scene["store"]) == "Other Almaty"
    assert b'"Other Almaty"@en' in (scene["out"] / "softpower.ttl").read_bytes()
    assert leftovers(scene["store"]) == []
    assert not [p for p in scene["out"].iterdir() if p.name.startswith(".")]


def test_a_killed_build_leaves_no_process_and_releases_its_output(scene):
    """The YAML reader of a build is another process: killed with the build, it must not
    live on holding the build's standard output."""
    build = start_build(scene["new"], scene["out"], scene["store"], "loading")
    wait_until_stopped(build)
    helpers = children(build.pid)
    assert helpers, "the build reads YAML ahead in a helper process"
    read = threading.Thread(target=build.stdout.read, daemon=True)
    read.start()
    build.kill()
    build.wait(10)
    read.join(5)
    assert not read.is_alive(), "the build's standard output stayed open after it was killed"
    deadline = time.monotonic() + 5
    while any(state(pid) not in (None, "Z") for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in helpers if state(pid) not in (None, "Z")] == []
    assert answer(scene["store"]) == "Old Almaty"


@pytest.mark.parametrize("phase", ["loading", "retired", "cleaned"])
def test_a_second_build_is_refused_while_one_runs(scene, phase):
    """A second build started while the first loads, or swaps the store (even with the
    store's folder renamed away), stops with a clear message and touches nothing; the first
    then finishes as if alone."""
    first = start_build(scene["new"], scene["out"], scene["store"], phase)
    wait_until_stopped(first)
    second = start_build(scene["other"], scene["out"], scene["store"])
    assert second.wait(60) == 2
    message = second.stderr.read()
    assert f"is being built by kgraph build (process {first.pid}, started " in message
    assert "--wait" in message and "Traceback" not in message
    first.send_signal(signal.SIGCONT)
    assert first.wait(120) == 0, first.stderr.read()
    assert answer(scene["store"]) == "New Almaty"
    assert b'"New Almaty"@en' in (scene["out"] / "softpower.ttl").read_bytes()
    assert leftovers(scene["store"]) == []


@pytest.mark.parametrize("phase", ["loading", "retired"])
def test_a_second_build_with_wait_runs_after_the_first(scene, phase):
    first = start_build(scene["new"], scene["out"], scene["store"], phase)
    wait_until_stopped(first)
    second = start_build(scene["other"], scene["out"], scene["store"], None, "--wait")
    line = second.stderr.readline()
    assert line.startswith(f"waiting for kgraph build (process {first.pid}, started ")
    assert second.poll() is None
    first.send_signal(signal.SIGCONT)
    assert first.wait(120) == 0, first.stderr.read()
    assert second.wait(120) == 0, second.stderr.read()
    assert answer(scene["store"]) == "Other Almaty"
    assert b'"Other Almaty"@en' in (scene["out"] / "softpower.ttl").read_bytes()


def test_a_reader_waits_for_the_store_a_build_is_swapping(scene):
    """Between the build's two renames the store's folder does not exist: a command started
    then waits for the new store rather than saying there is none."""
    build = start_build(scene["new"], scene["out"], scene["store"], "retired")
    wait_until_stopped(build)
    assert not scene["store"].exists()
    reader = subprocess.Popen([sys.executable, "-m", "kgraph", "query", "--store",
                               f"oxigraph:{scene['store']}", "--sparql", LABEL, "-f", "csv"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert reader.poll() is None
    build.send_signal(signal.SIGCONT)
    assert build.wait(60) == 0
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.splitlines() == ["label", "New Almaty"]


def test_a_build_refuses_to_replace_a_folder_that_is_not_a_store(tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "thesis.pdf").write_bytes(b"%PDF")
    build = start_build(MINIMAL, tmp_path / "out", folder)
    assert build.wait(60) == 2
    assert "exists and is not an Oxigraph store" in build.stderr.read()
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.pdf"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_build_that_cannot_put_an_output_in_place_writes_none(tmp_path, store):
    """A folder takes the page's place: the build fails once every output is written, and
    neither the graph file written before nor the store changes."""
    from kgraph.errors import InputError
    from kgraph.pipeline import build
    from kgraph.store import open_store

    out, db = tmp_path / "out", tmp_path / "db"
    (out / "graph.html").mkdir(parents=True)
    (out / "softpower.ttl").write_text("previous", encoding="utf-8")
    target = open_store(f"oxigraph:{db}", create=True) if store == "oxigraph" else None
    with pytest.raises(InputError, match=f"Cannot write '{out / 'graph.html'}': a folder"):
        build([MINIMAL], out, target, quiet=True)
    assert (out / "softpower.ttl").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in out.iterdir()) == ["graph.html", "softpower.ttl"]
    assert not db.exists()
