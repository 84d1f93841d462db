"""Real SPARQL engines on 127.0.0.1, each from a folder of its own: how the tests and the
engine benchmark (``benchmarks/bench_engines.py``) start the Oxigraph server and Virtuoso 7,
so that the benchmark measures the engines exactly as the tests prove kgraph against them."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

#: Debian's configuration of ``virtuoso-opensource``, the template of every engine's own.
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_server_command(executable: str, location: Path, port: int) -> list[str]:
    return [executable, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]


def virtuoso_command(executable: str, folder: Path, http_port: int, sql_port: int,
                     max_rows: int | None = None) -> list[str]:
    """Virtuoso with Debian's configuration moved to ``folder`` (its database, logs) and to
    loopback ports; ``max_rows`` replaces Debian's 10,000 rows per answer (ResultSetMaxRows).
    The command runs with ``folder`` as its working directory."""
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini = re.sub(r"/var/lib/virtuoso-opensource-7/db/", f"{folder}/", ini)
    ini = re.sub(r"(\[Parameters\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{sql_port}", ini, flags=re.S)
    ini = re.sub(r"(\[HTTPServer\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>127.0.0.1:{http_port}", ini,
                 flags=re.S)
    if max_rows is not None:
        ini = re.sub(r"ResultSetMaxRows\s*=\s*\d+", f"ResultSetMaxRows = {max_rows}", ini)
    configuration = folder / "virtuoso.ini"
    configuration.write_text(ini, encoding="utf-8")
    return [executable, "+foreground", "+configfile", str(configuration)]


#: A fresh Virtuoso database's administrator; its updates need HTTP Digest auth.
VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"


def wait_until_up(url: str, process: subprocess.Popen, seconds: float) -> str:
    """Wait for ``url`` to answer; return the engine's name and version (its ``Server``
    header). Fails at once if the engine exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the engine behind {url} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.headers.get("Server", "")
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {seconds} s")
