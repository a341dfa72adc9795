"""A query's trip through the worker pool for one HTTP request: client limit, worker, answer, stream.

The request's client is counted for its whole trip (429 past the limit per client). Waiting for a
worker and waiting for the answer both race the client's disconnection: a client that leaves has
its query killed at once. An answer that fits one message comes with its head; a larger one is
streamed from the worker in chunks (the server process never holds a whole one), and its worker is
released once the last chunk is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.responses import StreamingResponse

from diplokg.http.pool import Answer, Worker, WorkerPool
from diplokg.http.problems import Problem

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import Receive, Scope, Send

    from diplokg.http.worker import Job

T = TypeVar("T")


class ClientGone(Exception):
    """The client closed the connection before its answer was ready."""


async def disconnected(request: Request) -> None:
    """Return when the client closes the connection (the request body must already be read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def race(work: Awaitable[T], watcher: asyncio.Future[None]) -> T:
    """The result of `work`, unless the client leaves first (then `work` is cancelled and ClientGone raised)."""
    task = asyncio.ensure_future(work)
    await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Problem):
        await task
    raise ClientGone


class Trip:
    """One request's query: its client slot, its worker and the answer's head."""

    def __init__(self, pool: WorkerPool, client: str) -> None:
        self.pool, self.client = pool, client
        self.worker: Worker | None = None
        self.remaining = 0
        self.done = False

    async def run(self, request: Request, job: Job, timeout: float) -> Answer:
        """Run the job; the answer's head (with the body, or the body's size in bytes: then the body waits in the
        worker, see `chunks`)."""
        self.pool.enter(self.client)
        watcher = asyncio.ensure_future(disconnected(request))
        deadline = time.monotonic() + timeout
        try:
            self.worker = self.pool.take_idle(self.client) or await race(self.pool.acquire(self.client, timeout), watcher)
            try:
                answer = await race(self.pool.run(self.worker, job, deadline, timeout), watcher)
            except ClientGone:
                self.pool.discard(self.worker)
                self.worker = None
                raise
            except Problem:
                self.worker = None  # the pool has killed it
                raise
            if answer.status == 200 and isinstance(answer.payload, int):
                self.remaining = answer.payload
            return answer
        except BaseException:
            self.finish()
            raise
        finally:
            watcher.cancel()
            if not self.remaining:
                self.finish()

    def finish(self) -> None:
        """Give back the worker (killed if it still owes part of an answer) and the client's slot; idempotent."""
        if self.done:
            return
        self.done = True
        if self.worker is not None:
            if self.remaining:
                self.pool.discard(self.worker)
            else:
                self.pool.release(self.worker)
        self.pool.leave(self.client)

    async def chunks(self, timeout: float) -> AsyncIterator[bytes]:
        """The answer's body as the worker sends it, within `timeout` seconds in all."""
        assert self.worker is not None
        deadline = time.monotonic() + timeout
        while self.remaining > 0:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                chunk = await self.worker.receive()
            self.remaining -= len(chunk)
            yield chunk


class TripResponse(StreamingResponse):
    """A streamed answer that gives its worker back however the response ends (sent, failed, client gone)."""

    def __init__(self, trip: Trip, timeout: float, **options: Any) -> None:
        super().__init__(trip.chunks(timeout), **options)
        self.trip = trip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.trip.finish()
