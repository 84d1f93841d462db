"""Shared fixtures: one compiled graph and one build of the bundled data per session, and
the guard that the tests leave the checkout as they found it."""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgraph.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "sources"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


#: What Python and pytest write beside the code by themselves, and git's own folder.
NOT_THE_TESTS = {".git", "__pycache__", ".pytest_cache"}


def checkout_state(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` (but ``NOT_THE_TESTS`` and the inside of a
    virtual environment, such as the README's ``.venv/``), with its size and the time it
    last changed."""
    state = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if name not in NOT_THE_TESTS
                      and not Path(folder, name, "pyvenv.cfg").is_file()]
        for name in folders + files:
            path = Path(folder, name)
            status = path.lstat()
            state[str(path.relative_to(root))] = (status.st_size, status.st_mtime_ns)
    return state


def changes(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@pytest.fixture(scope="session", autouse=True)
def the_checkout_is_left_as_it_was():
    """Tests write under temporary folders only: a test that wrote into the checkout (a
    build/ in the working folder, a changed data file) fails the run, naming what changed."""
    before = checkout_state()
    yield
    changed = changes(before, checkout_state())
    assert not changed, f"the tests wrote into the checkout {ROOT}: {', '.join(changed[:20])}"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, to see what progress displays show there."""

    def isatty(self):
        return True


@pytest.fixture(scope="session")
def bundled_kg():
    """The bundled data compiled once (not validated: see ``built``)."""
    from kgraph.build import load_graph

    return load_graph()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One full build of the bundled data into a temporary folder."""
    from kgraph.pipeline import build

    return build(None, tmp_path_factory.mktemp("build"))


@pytest.fixture
def minimal_data(tmp_path) -> Path:
    """A copy of the tiny test data folder, for tests that break it on purpose."""
    folder = tmp_path / "data"
    shutil.copytree(MINIMAL, folder)
    return folder


def run(*args: str):
    """Run the command line in-process, as a user would type it."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def listener():
    """A loopback socket that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright, one for the session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
