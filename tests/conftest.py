"""Shared fixtures: one compiled graph and one build of the bundled data per session."""

from __future__ import annotations

import io
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
