"""Writing: the proposals folder (a data folder) and the JSON report.

A proposals folder is a data folder like ``data/``: ``sources.yaml`` with the document's
source record, ``proposals.yaml`` with the proposed records, and the document's text, which
the source record names as its ``text_file``, so that ``kgraph check-quotes --corpus`` finds
every quote in it. The folder is made in a temporary sibling and renamed into place, so that
a failure leaves no half-written folder, and an existing folder is replaced only when asked.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import InputError
from ..files import _umask

if TYPE_CHECKING:
    from .pipeline import Ingestion

_HEADER = """\
# Proposed by kgraph ingest from {document}: not reviewed.
# Every record says epistemic_status: proposed and, in its note, the cue that proposed it.
# To accept a record, delete its epistemic_status line (and the note, if you like) or move
# the record into your data folder; to reject it, delete it. docs/ingest.md explains.
"""


def check_output(folder: Path, force: bool, protected: list[Path]) -> None:
    """Refuse an output folder that exists (unless ``force``) or lies inside a data folder
    the graph is read from: unreviewed proposals never go into curated data."""
    folder = Path(folder)
    resolved = folder.resolve()
    for data in protected:
        data = Path(data).resolve()
        if resolved == data or data in resolved.parents:
            raise InputError(f"{folder}: the output folder lies inside the data folder {data}; "
                             "proposals are written apart from curated data (the default is "
                             "proposals/<source-id>). Choose another -o.")
    if folder.exists() and not force:
        raise InputError(f"{folder}: the output folder already exists; use --force to "
                         "replace it, or choose another -o.")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder.")


def write_folder(ingestion: "Ingestion", folder: Path, document_name: str) -> list[Path]:
    """Write the proposals folder atomically; the files written, as they are named in it."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        files = {
            "sources.yaml": _yaml({"sources": [ingestion.source]},
                                  _HEADER.format(document=document_name)),
            "proposals.yaml": _yaml(ingestion.records(), _HEADER.format(document=document_name)),
            ingestion.text_file: ingestion.text,
        }
        for name, content in files.items():
            (staging / name).write_text(content, encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        _replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in files]


def _replace(staging: Path, folder: Path) -> None:
    """Move the staged folder into place; an old folder goes only once the new one is in."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    os.rename(staging, folder)
    shutil.rmtree(old, ignore_errors=True)


def _yaml(content: dict, header: str) -> str:
    return header + "\n" + yaml.safe_dump(content, sort_keys=False, allow_unicode=True,
                                          width=100, default_flow_style=False)


def report_json(ingestions: list["Ingestion"]) -> str:
    """The report of one document (an object), or of several (a list of such objects)."""
    reports = [i.report() for i in ingestions]
    payload = reports[0] if len(reports) == 1 else reports
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"
