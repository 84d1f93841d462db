"""Child processes that never outlive what started them and never outgrow their share.

Two kinds of work run in processes of their own. The bulk build parses the next YAML file in
a helper process (``kgraph.load.read_ahead``); ``kgraph serve`` evaluates every query in a
worker that can be killed at its time limit and whose memory is bounded, and so does
``kgraph query`` given a time or memory limit. Both kinds must end with their parent: a helper orphaned by ``kill -9`` stays blocked on its pipe for minutes, holding
the parent's standard output, and whoever waits for that output (a pipe, a CI step) hangs.

:class:`Workers` forks one worker per job from a single-threaded process that holds what the
jobs need (the graph, a store), started before the server has threads: forking a threaded
process may copy a lock another thread holds, and the child would wait for it forever.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time
from typing import Any, Callable

#: prctl(2) option: the signal a process gets when its parent (the thread that forked it) ends.
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when its parent ends (Linux; a no-op elsewhere), and
    end now if the parent is already gone. Call it first thing in a forked child, with the
    parent's pid taken before the fork.

    The kernel sends the signal when the *thread* that forked this process ends, so fork from
    a thread that lives as long as the child is needed (the main thread, or a ``Workers``
    process, which has only one).
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def release_standard_streams() -> None:
    """Point standard input, output and error at /dev/null: a child keeps no copy of its
    parent's pipes, so that the pipe's reader sees its end when the parent ends."""
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.close(null)


def virtual_memory_size() -> int:
    """Bytes of address space this process holds (what ``RLIMIT_AS`` counts)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_memory(extra_bytes: int) -> None:
    """Let this process take at most ``extra_bytes`` more address space than it holds now.

    A forked child starts with its parent's mappings (the loaded graph, shared until written),
    so the limit is what a job may add. Past it, Python raises ``MemoryError`` and Oxigraph's
    allocator aborts the process (SIGABRT).
    """
    if not sys.platform.startswith("linux"):
        return  # RLIMIT_AS is Linux's; other systems do not enforce it
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = virtual_memory_size() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# --- workers forked per job ------------------------------------------------------------------

class WorkerError(Exception):
    """A job ended without an answer."""


class WorkerTimeout(WorkerError):
    """The job was still running at its time limit; its worker was killed."""


class WorkerOutOfMemory(WorkerError):
    """The job's worker reached its memory limit."""


_JOB, _KILL = b"J", b"K"
_CONTROL = struct.Struct("!cQ")
_LENGTH = struct.Struct("!Q")
#: What a worker tells the forking process when it has answered and can take another job.
_IDLE = b"I"
#: How often the forking process looks for ended workers when no message comes.
_REAP_INTERVAL = 0.05


class Workers:
    """Runs ``job(request)`` in a worker process, with a time limit and a memory limit; the
    result comes back pickled.

    The workers are forked from one process, itself forked at construction, that does nothing
    else: the caller's process may be threaded (an HTTP server), that one never is. A worker
    gets each request and sends its answer over a socket of its own; the forking process kills
    a worker when its caller gives up on it, reports how a worker died when it died without
    an answer, and ends (killing its workers) when the caller's process ends or :meth:`close`
    is called.

    A worker takes job after job while it stays small: once its memory has grown by
    ``retire_growth`` bytes (a large answer, a heap that keeps what it took) or it has done
    ``retire_after`` jobs, it exits, and what it allocated goes back to the system. Up to
    ``spare`` workers wait for jobs between them; a fork costs more than most queries.
    """

    retire_growth = 32 << 20
    retire_after = 1000

    def __init__(self, job: Callable[[Any], Any], memory_limit: int | None = None, spare: int = 4):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        ours, theirs = socket.socketpair()
        _open_controls.add(ours.fileno())
        pid = os.fork()
        if pid == 0:  # the forking process: serve until the caller goes away
            try:
                ours.close()
                for other in _open_controls:
                    _close_quietly(other)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                release_standard_streams()
                _Forker(theirs, _Job(job, memory_limit, self.retire_growth, self.retire_after),
                        spare).serve()
            finally:
                os._exit(0)
        theirs.close()
        self.pid = pid
        self._control = ours

    def run(self, request: Any, timeout: float | None) -> Any:
        """The job's result for ``request``; raise :class:`WorkerTimeout` at the time limit
        (none if ``timeout`` is None), :class:`WorkerOutOfMemory` at the memory limit,
        :class:`WorkerError` for a worker that died otherwise or a job that raised."""
        deadline = None if timeout is None else time.monotonic() + timeout
        job_id = next(self._ids)
        ours, theirs = socket.socketpair()
        try:
            with self._lock:
                try:
                    socket.send_fds(self._control, [_CONTROL.pack(_JOB, job_id)], [theirs.fileno()])
                except OSError:
                    raise WorkerError("the query workers have stopped; restart the server") from None
            theirs.close()
            _send_message(ours, request)
            try:
                kind, value = _receive_message(ours, deadline)
            except TimeoutError:
                self._kill(job_id)
                raise WorkerTimeout(f"still running after {timeout:g} seconds") from None
        finally:
            ours.close()
            theirs.close()
        if kind == "ok":
            return value
        if kind == "memory":
            raise WorkerOutOfMemory(value)
        raise WorkerError(value)

    def _kill(self, job_id: int) -> None:
        with self._lock:
            try:
                self._control.sendall(_CONTROL.pack(_KILL, job_id))
            except OSError:
                pass

    def close(self) -> None:
        """Stop the forking process and its workers."""
        _open_controls.discard(self._control.fileno())
        self._control.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


#: Control sockets of the live ``Workers`` of this process: a newly forked process closes
#: them, so that each forking process sees its own caller go away.
_open_controls: set[int] = set()


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


class _Worker:
    """The forking process's view of a worker: its socket, and the job it is doing."""

    def __init__(self, pid: int, link: socket.socket):
        self.pid = pid
        self.link = link
        self.job_id: int | None = None
        self.channel: socket.socket | None = None

    def finish_job(self) -> None:
        if self.channel is not None:
            self.channel.close()
        self.job_id = self.channel = None


class _Forker:
    """The loop of the forking process: hand each job to a waiting worker or a new one,
    kill on request, reap."""

    def __init__(self, control: socket.socket, job: "_Job", spare: int):
        self.control = control
        self.job = job
        self.spare = spare
        self.workers: dict[int, _Worker] = {}
        self.idle: list[_Worker] = []

    def serve(self) -> None:
        # What exists now is shared with every worker: kept out of the cycle collector, whose
        # passes would write to every object and so copy every page into the worker.
        gc.freeze()
        try:
            while True:
                links = {worker.link: worker for worker in self.workers.values()}
                ready = select.select([self.control, *links], [], [], _REAP_INTERVAL)[0]
                for link in ready:
                    if link is not self.control:
                        self._heard_from(links[link])
                if self.control in ready and not self._handle():
                    return
                self._reap()
        finally:
            for pid in self.workers:
                os.kill(pid, signal.SIGKILL)

    def _handle(self) -> bool:
        """Act on one control message; False once the caller has gone."""
        message, fds, _, _ = socket.recv_fds(self.control, _CONTROL.size, 1)
        if not message:
            return False  # end of stream: the caller closed it, or its process ended
        while len(message) < _CONTROL.size:
            rest = self.control.recv(_CONTROL.size - len(message))
            if not rest:
                return False
            message += rest
        kind, job_id = _CONTROL.unpack(message)
        if kind == _JOB and fds:
            self._assign(job_id, socket.socket(fileno=fds[0]))
        elif kind == _KILL:
            for worker in self.workers.values():
                if worker.job_id == job_id:
                    os.kill(worker.pid, signal.SIGKILL)
        return True

    def _assign(self, job_id: int, channel: socket.socket) -> None:
        """Give the job to a waiting worker, or to a new one."""
        while self.idle:
            worker = self.idle.pop()
            try:
                socket.send_fds(worker.link, [_JOB], [channel.fileno()])
            except OSError:
                continue  # it has just ended; reaped later
            worker.job_id, worker.channel = job_id, channel
            return
        worker = self._fork(channel)
        socket.send_fds(worker.link, [_JOB], [channel.fileno()])
        worker.job_id, worker.channel = job_id, channel

    def _fork(self, pending: socket.socket) -> _Worker:
        """A new worker; it keeps no socket of the forking process's (``pending``: the job it
        is about to be sent), so that each socket ends when its users do."""
        ours, theirs = socket.socketpair()
        forker = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                self.control.close()
                ours.close()
                pending.close()
                for other in self.workers.values():
                    other.link.close()
                    if other.channel is not None:
                        other.channel.close()
                die_with_parent(forker)
                self.job.serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        worker = self.workers[pid] = _Worker(pid, ours)
        return worker

    def _heard_from(self, worker: _Worker) -> None:
        """A worker has answered: it waits for another job, unless enough already do."""
        if worker.link.recv(1) != _IDLE:
            return  # it has ended; reaped next
        worker.finish_job()
        if len(self.idle) < self.spare:
            self.idle.append(worker)
        else:
            os.kill(worker.pid, signal.SIGKILL)

    def _reap(self) -> None:
        """Collect ended workers; tell the caller how one ended that sent no answer."""
        while self.workers:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            worker = self.workers.pop(pid)
            if worker in self.idle:
                self.idle.remove(worker)
            code = os.waitstatus_to_exitcode(status)
            if worker.channel is not None and code != 0:
                worker.channel.setblocking(False)
                try:
                    _send_message(worker.channel, _ending(code))
                except OSError:
                    pass  # the caller has given up on this job already
            worker.finish_job()
            worker.link.close()


def _ending(code: int) -> tuple[str, str]:
    """What a worker's exit code says: SIGABRT is the allocator failing at the memory limit,
    SIGKILL not sent by us the kernel's OOM killer."""
    if code in (-signal.SIGABRT, -signal.SIGKILL):
        return "memory", f"the worker ran out of memory (signal {-code})"
    return "died", f"the worker ended with status {code} without an answer"


class _Job:
    """A worker's life: jobs one after another, until it has grown or done enough."""

    def __init__(self, job, memory_limit: int | None, retire_growth: int, retire_after: int):
        self.job = job
        self.memory_limit = memory_limit
        self.retire_growth = retire_growth
        self.retire_after = retire_after

    def serve(self, link: socket.socket) -> None:
        if self.memory_limit:
            limit_memory(self.memory_limit)
        start = _resident_size()
        for _ in range(self.retire_after):
            _, fds, _, _ = socket.recv_fds(link, 1, 1)
            if not fds:
                return  # the forking process has ended
            with socket.socket(fileno=fds[0]) as channel:
                self._answer(channel)
            if _resident_size() - start > self.retire_growth:
                return
            link.sendall(_IDLE)

    def _answer(self, channel: socket.socket) -> None:
        try:
            request = _receive_message(channel, None)
            answer = ("ok", self.job(request))
        except MemoryError:
            answer = ("memory", "the job ran out of memory")
        except BaseException as exc:  # noqa: BLE001 (any failure is reported, not raised here)
            answer = ("died", f"{type(exc).__name__}: {exc}")
        try:
            _send_message(channel, answer)
        except MemoryError:
            _send_message(channel, ("memory", "the answer did not fit in memory"))
        except OSError:
            pass  # the caller has given up on this job


def _resident_size() -> int:
    """Bytes of this process in memory."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _send_message(channel: socket.socket, message) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    channel.sendall(_LENGTH.pack(len(payload)) + payload)


def _receive_message(channel: socket.socket, deadline: float | None):
    """One message (a request for a worker, ``(kind, value)`` for the caller). Raises
    ``TimeoutError`` past the deadline, ``WorkerError`` if the channel ends first."""
    size = _LENGTH.unpack(_receive_exactly(channel, _LENGTH.size, deadline))[0]
    return pickle.loads(_receive_exactly(channel, size, deadline))


def _receive_exactly(channel: socket.socket, size: int, deadline: float | None) -> bytearray:
    """``size`` bytes, received into one buffer (an answer of megabytes is not copied)."""
    buffer = bytearray(size)
    view, received = memoryview(buffer), 0
    while received < size:
        if deadline is not None:
            channel.settimeout(max(deadline - time.monotonic(), 0) or 1e-6)
        try:
            count = channel.recv_into(view[received:])
        except socket.timeout:
            raise TimeoutError from None
        if not count:
            raise WorkerError("the worker ended without an answer")
        received += count
    return buffer
