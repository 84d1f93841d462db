"""Progress of long work (loads, uploads, validation) on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    """Items and rate on a terminal for long work; silent when piped or asked to be quiet.
    ``total`` is None when the work streams and its size is not known in advance."""

    def __init__(self, what: str, total: int | None, quiet: bool = False, stream=None):
        self.what, self.total, self.done = what, total, 0
        self.stream = stream or sys.stderr
        self.active = not quiet and self.stream.isatty()
        self.started = self.shown = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.active and (now - self.shown > 0.2 or self.done == self.total):
            self.show(now)

    def show(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        of_total = f"/{self.total:,}" if self.total is not None else ""
        self.stream.write(f"\r{self.what}: {self.done:,}{of_total} ({rate:,.0f}/s)")
        self.stream.flush()
        self.shown = now

    def finish(self) -> None:
        if self.active:
            self.show(time.monotonic())
            self.stream.write("\n")
