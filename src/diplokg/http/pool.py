"""Query worker processes, shared fairly: spares kept warm, limits per client, deadlines, cancellation.

Nothing here blocks a thread: the server process talks to each worker over pipes with asyncio, so
pages and static files never wait behind queries.

- Each query takes an idle worker, and another is started in its place so that `spares` stay ready
  (up to `max_workers` in all); workers beyond the spares that stay idle for IDLE_LIFETIME stop.
- The last RESERVED idle workers go only to clients with no query running, and when workers are
  short the next free one goes to the waiting client with the fewest queries running: a client
  with runaway queries cannot take the worker a cheap query from someone else needs.
- A query still running after DEMOTE_AFTER seconds has its process niced, so the CPU goes to short
  queries and to the server process first; a demoted worker is retired after its query.
- A worker whose query outlives the deadline, or whose client disconnects, is killed and replaced; one
  whose query needs more than `memory_mib` MiB beyond the open store stops (its own RLIMIT_DATA) and is
  replaced too.
- One client (by address) may have `per_client` queries running or waiting; more get 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diplokg.http.problems import Problem
from diplokg.http.worker import HEADER, Job

DEMOTE_AFTER = 1.0  # seconds of running after which a query is no longer "cheap"
NICE = 10
START_TIMEOUT = 600.0  # a worker opening a large store may take minutes
RESERVED = 1  # idle workers kept for clients that have no query running
IDLE_LIFETIME = 30.0  # seconds a worker beyond the spares may stay idle


@dataclass(eq=False)
class Worker:
    """A worker process and its pipes."""

    process: asyncio.subprocess.Process
    demoted: bool = False
    idle_since: float = 0.0
    client: str = ""
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    async def receive(self) -> Any:
        assert self.process.stdout is not None
        header = await self.process.stdout.readexactly(HEADER.size)
        return pickle.loads(await self.process.stdout.readexactly(HEADER.unpack(header)[0]))  # our worker

    def send(self, job: Job) -> None:
        assert self.process.stdin is not None
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.process.stdin.write(HEADER.pack(len(data)) + data)

    def demote(self) -> None:
        """Lower the priority of a worker whose query runs long (it cannot be raised again unprivileged)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, NICE)
        self.demoted = True


@dataclass
class Answer:
    """A worker's answer: status, format name (or error message), and the body (if it fit one message), the
    size of the body still to come in chunks, or a Result."""

    status: int
    detail: str
    payload: Any


class WorkerPool:
    """Worker processes that run queries with a deadline, fairly between clients."""

    def __init__(self, folder: Path, spares: int, max_workers: int, per_client: int, memory_mib: int) -> None:
        self.folder, self.spares, self.max_workers, self.per_client = folder, spares, max_workers, per_client
        self.memory_mib = memory_mib
        self.idle: list[Worker] = []
        self.busy: set[Worker] = set()
        self.starting = 0
        self.waiters: list[tuple[str, asyncio.Future[Worker]]] = []
        self.clients: Counter[str] = Counter()
        self.closed = False
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def total(self) -> int:
        return len(self.idle) + len(self.busy) + self.starting

    async def spawn(self) -> Worker:
        """Start one worker and wait until it has opened the store."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "diplokg.http.worker", str(self.folder), str(self.memory_mib), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=1 << 20)
        worker = Worker(process)
        try:
            ready = await asyncio.wait_for(worker.receive(), START_TIMEOUT)
        except (TimeoutError, asyncio.IncompleteReadError, OSError):
            ready = None
        if not (isinstance(ready, tuple) and ready[0] == "ready"):
            await self.kill(worker)
            raise RuntimeError("a query worker did not start (it could not open the built store, or has no sandbox; "
                               "see the messages above)")
        return worker

    async def start(self) -> None:
        """Start the spare workers (in parallel) and wait for them."""
        self.starting += self.spares
        try:
            results = await asyncio.gather(*(self.spawn() for _ in range(self.spares)), return_exceptions=True)
        finally:
            self.starting -= self.spares
        for result in results:
            if isinstance(result, Worker):
                self.idle.append(result)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise RuntimeError(str(failures[0]))

    def hand_over(self, worker: Worker) -> None:
        """Give a ready worker to the least served waiting client (unless that would empty the reserve for a
        client that already has a query running), else keep it idle; retire idle ones long unused past the spares."""
        self.waiters = [(client, waiter) for client, waiter in self.waiters if not waiter.done()]
        running = Counter(w.client for w in self.busy)
        if self.waiters:
            client, waiter = min(self.waiters, key=lambda item: running[item[0]])  # the least served client first
        if self.waiters and (running[client] == 0 or len(self.idle) >= RESERVED):
            self.waiters.remove((client, waiter))
            worker.client = client
            self.busy.add(worker)
            waiter.set_result(worker)
            return
        if self.closed:
            self.background(self.kill(worker))
            return
        now = worker.idle_since = time.monotonic()
        self.idle.append(worker)
        for old in [w for w in self.idle[:-self.spares] if now - w.idle_since > IDLE_LIFETIME]:
            self.idle.remove(old)
            self.background(self.kill(old))

    def background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def restock(self) -> None:
        try:
            worker = await self.spawn()
        except RuntimeError as error:
            print(f"diplokg serve: {error}", file=sys.stderr)
            return
        finally:
            self.starting -= 1
        if self.closed:
            await self.kill(worker)
        else:
            self.hand_over(worker)

    def replenish(self) -> None:
        """Start workers so that the spares stay ready and every waiting query will have one, within max_workers."""
        wanted = self.spares + sum(1 for _, waiter in self.waiters if not waiter.done())
        while not self.closed and len(self.idle) + self.starting < wanted and self.total < self.max_workers:
            self.starting += 1
            self.background(self.restock())

    def take_idle(self, client: str) -> Worker | None:
        """An idle worker for a client now, if one may go to it (the reserve is kept for clients with no query)."""
        running = sum(1 for w in self.busy if w.client == client)
        if not self.idle or (running and len(self.idle) <= RESERVED):
            return None
        worker = self.idle.pop()  # the most recently used
        worker.client = client
        self.busy.add(worker)
        self.replenish()
        return worker

    async def acquire(self, client: str, timeout: float) -> Worker:
        """An idle worker for a client, waiting at most `timeout` seconds (503 past it); when workers are short,
        the client with the fewest queries running is served first."""
        worker = self.take_idle(client)
        if worker is not None:
            return worker
        waiter: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self.waiters.append((client, waiter))
        self.replenish()
        try:
            return await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise Problem(503, f"Every query worker stayed busy for {timeout:g} s; try again shortly.",
                          {"Retry-After": "5"}) from None
        except BaseException:  # cancelled (the client left) just as a worker was handed over: give it back
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            raise
        finally:
            if (client, waiter) in self.waiters:
                self.waiters.remove((client, waiter))

    def release(self, worker: Worker) -> None:
        """A worker's query is over: keep it (retire it if it was demoted)."""
        if worker.timer is not None:
            worker.timer.cancel()
        self.busy.discard(worker)
        if worker.demoted or worker.process.returncode is not None:
            self.background(self.kill(worker))
            self.replenish()
        else:
            self.hand_over(worker)

    async def kill(self, worker: Worker) -> None:
        """Stop a worker (stuck, demoted, surplus or dead) and forget it."""
        if worker.timer is not None:
            worker.timer.cancel()
        self.busy.discard(worker)
        if worker in self.idle:
            self.idle.remove(worker)
        if worker.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
        await worker.process.wait()

    def discard(self, worker: Worker) -> None:
        """Kill a worker in the background and start another."""
        self.busy.discard(worker)
        self.background(self.kill(worker))
        self.replenish()

    def enter(self, client: str) -> None:
        """Count one more query of a client; 429 if it already has `per_client` running or waiting."""
        if self.clients[client] >= self.per_client:
            raise Problem(429, f"This client already has {self.per_client} queries running or waiting, this server's "
                               "limit per client; wait for them to finish.", {"Retry-After": "2"})
        self.clients[client] += 1

    def leave(self, client: str) -> None:
        self.clients[client] -= 1
        if self.clients[client] <= 0:
            del self.clients[client]

    async def run(self, worker: Worker, job: Job, deadline: float, timeout: float) -> Answer:
        """Send a job to a worker and wait for its answer's head until `deadline` (monotonic); 503 past it."""
        worker.timer = asyncio.get_running_loop().call_later(DEMOTE_AFTER, worker.demote)
        try:
            worker.send(job)
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                head = await worker.receive()
        except TimeoutError:
            self.discard(worker)
            raise Problem(503, f"The query ran longer than this server's limit of {timeout:g} s and was "
                               "stopped. Add LIMIT, narrow the patterns, or run it locally with `diplokg query`.") from None
        except (asyncio.IncompleteReadError, OSError, ConnectionError):
            self.discard(worker)
            raise Problem(503, "The query's worker process stopped while running it, most likely because the query "
                               f"needed more memory than this server's limit of {self.memory_mib} MiB per query; another "
                               "worker has taken its place. Add LIMIT, narrow the patterns, or run it locally with "
                               "`diplokg query`.") from None
        return Answer(*head)

    async def close(self) -> None:
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*(self.kill(w) for w in [*self.idle, *self.busy]), return_exceptions=True)

