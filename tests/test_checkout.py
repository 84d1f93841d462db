"""The guard of conftest.py sees what a test writes into the checkout."""

from __future__ import annotations

import os

from conftest import changes, checkout_state


def test_the_guard_names_a_file_written_changed_or_removed(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "facts.yaml").write_text("universities: []\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    before = checkout_state(tmp_path)
    assert changes(before, checkout_state(tmp_path)) == []
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "softpower.ttl").write_text("")
    (tmp_path / "__pycache__" / "conftest.pyc").write_bytes(b"")  # Python's own: not a change
    (tmp_path / ".venv" / "installed.py").write_text("")  # pip's, in a virtual environment
    assert changes(before, checkout_state(tmp_path)) == ["build", "build/softpower.ttl"]
    os.utime(tmp_path / "data" / "facts.yaml", ns=(0, 0))  # rewritten with the same bytes
    (tmp_path / "build" / "softpower.ttl").unlink()
    assert changes(before, checkout_state(tmp_path)) == ["build", "data/facts.yaml"]
