"""Writing outputs so that a failure never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write to a temporary file in the same folder, then rename it over the target."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as temporary:
        temporary.write_bytes(payload)
    return Path(path)


@contextlib.contextmanager
def atomic_path(path: Path):
    """A temporary path in the target's folder for a writer that wants a file name; renamed
    over the target when the block ends, removed if it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; outputs are not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


#: Prefix of the hidden folders outputs are staged in, followed by the writer's process id.
STAGING_PREFIX = ".kgraph-staging-"


class StagedOutputs:
    """Outputs written into a hidden folder inside their destination, and moved into it only
    by :meth:`commit`, once the whole job has succeeded: a failed build writes none of them."""

    def __init__(self, destination: Path, folder: Path):
        self.destination = destination
        #: Where to write the outputs until they are committed.
        self.folder = folder
        self.committed = False

    def check(self, paths: list[Path]) -> None:
        """Refuse, before anything is moved, outputs whose place a folder takes."""
        for path in paths:
            target = self._target(path)
            if target.is_dir():
                raise InputError(f"Cannot write '{target}': a folder of that name is in the way. "
                                 "Move it, or give another output folder (-o).")

    def commit(self, paths: list[Path]) -> list[Path]:
        """Move the written files into the destination (each replaced atomically); their new
        paths."""
        self.check(paths)
        moved = []
        for path in paths:
            target = self._target(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(target)
        self.committed = True
        return moved

    def _target(self, path: Path) -> Path:
        return self.destination / Path(path).relative_to(self.folder)


@contextlib.contextmanager
def staged_outputs(destination: Path):
    """A :class:`StagedOutputs` for ``destination``; what is not committed is removed, and so
    is a destination made here for outputs that never came."""
    destination = Path(destination)
    created = not destination.exists()
    destination.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(destination)
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=destination))
    outputs = StagedOutputs(destination, folder)
    try:
        yield outputs
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if created and not outputs.committed:
            with contextlib.suppress(OSError):
                destination.rmdir()


def _remove_abandoned_staging(destination: Path) -> None:
    """Remove the staging folders of writers that were killed (their process is gone)."""
    for folder in destination.glob(f"{STAGING_PREFIX}*-*"):
        pid = folder.name[len(STAGING_PREFIX):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
