"""HTTP load benchmark: `diplokg serve` beside `oxigraph serve-read-only` on the same data, on 127.0.0.1.

Both servers run as processes of their own; this process is the client. It exports the dataset
(asserted and inferred graphs) as N-Quads with diplokg.export, loads it with `oxigraph load`, checks
that every target gives the same answer, then sends requests to each target for a fixed time from
CONCURRENCY connections and reports requests per second, p50/p99 latency and errors:

  saved query     diplokg  GET /queries/NAME             (parameters bound by the server)
  same query      diplokg  GET /sparql?query=TEXT        (the text with a VALUES block for the parameters)
  same query      oxigraph GET /query?query=TEXT         (the same text; default graph = union of the graphs)
  entity page     diplokg  GET /id/person/...            (HTML)

    python bench/http_load.py [--seconds 10] [--concurrency 8] [--query attendees-by-delegation]

Prints a table and writes JSON to bench/results/. The client shares the machine with the servers,
so figures are relative to each other, not absolute capacities.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

from diplokg.catalogue import find_query, load_catalogue
from diplokg.cli import load_reasoned
from diplokg.export import export
from diplokg.formats import graph_format
from diplokg.paths import default_layout
from diplokg.remote import inject_values

RESULTS_DIR = Path(__file__).parent / "results"
JSON_RESULTS = "application/sparql-results+json"


@dataclass(frozen=True)
class Target:
    """One URL to load, and the Accept header to send."""

    name: str
    server: str
    url: str
    accept: str


@dataclass(frozen=True)
class Figures:
    target: str
    server: str
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], ready: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """Run a server process until the block ends; wait until `ready` answers 200."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + 300
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"{command[0]} did not start:\n{log.read().decode(errors='replace')}")
                try:
                    if httpx.get(ready, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


async def load(target: Target, seconds: float, concurrency: int) -> Figures:
    """Send requests to one target from `concurrency` connections for `seconds` (after a one-second warm-up)."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers={"Accept": target.accept}) as client:

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                started = time.perf_counter()
                try:
                    response = await client.get(target.url)
                    failed = response.status_code != 200
                except httpx.HTTPError:
                    failed = True
                if record:
                    latencies.append(time.perf_counter() - started)
                    errors += failed

        warm = time.perf_counter() + 1
        await asyncio.gather(*(worker(warm, False) for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(target.name, target.server, len(latencies), errors, round(elapsed, 2),
                   round(len(latencies) / elapsed, 1), round(cuts[49] * 1000, 2), round(cuts[98] * 1000, 2))


def answers(target: Target) -> list[tuple[str, ...]]:
    """The rows of a target's SPARQL JSON answer, as plain values, in order."""
    data = httpx.get(target.url, headers={"Accept": JSON_RESULTS}, timeout=30).raise_for_status().json()
    names = data["head"]["vars"]
    return [tuple(b.get(v, {}).get("value", "") for v in names) for b in data["results"]["bindings"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per target (default: 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections (default: 8)")
    parser.add_argument("--query", default="attendees-by-delegation", help="the saved query to load (SELECT)")
    parser.add_argument("--entity", default="person/marcelo-ebrard", help="the entity page to load (path under /id/)")
    parser.add_argument("--workers", type=int, default=2, help="diplokg query worker processes (default: 2)")
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("the `oxigraph` command is missing: pip install oxigraph")

    layout = default_layout()
    saved = find_query(load_catalogue(layout.queries_dir), args.query)
    text = inject_values(saved.text, saved.bind({}))
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="diplokg-bench-")))
        dataset, _ = load_reasoned(layout)
        export(dataset, graph_format("nq"), work / "dataset.nq", inferred=True)
        subprocess.run([oxigraph, "load", "--location", str(work / "oxigraph"), "--file", str(work / "dataset.nq")],
                       check=True, capture_output=True)
        ours, theirs = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        stack.enter_context(serving([sys.executable, "-m", "diplokg", "serve", "--port", ours.rsplit(":", 1)[1],
                                     "--workers", str(args.workers)], ours + "/sparql",
                                    {**os.environ, "DIPLOKG_HOME": str(layout.root)}))
        stack.enter_context(serving([oxigraph, "serve-read-only", "--location", str(work / "oxigraph"), "--bind",
                                     theirs.removeprefix("http://"), "--union-default-graph"], theirs + "/query?query=ASK%7B%7D"))
        query = httpx.QueryParams({"query": text})
        targets = [
            Target(f"saved query {saved.name}", "diplokg", f"{ours}/queries/{saved.name}", JSON_RESULTS),
            Target("same query text", "diplokg", f"{ours}/sparql?{query}", JSON_RESULTS),
            Target("same query text", "oxigraph", f"{theirs}/query?{query}", JSON_RESULTS),
            Target(f"entity page {args.entity}", "diplokg", f"{ours}/id/{args.entity}", "text/html"),
        ]
        reference = answers(targets[0])
        for target in targets[1:3]:
            if answers(target) != reference:
                raise SystemExit(f"{target.server} answers the query differently; the comparison would be meaningless")
        print(f"{len(reference)} rows from each server; {args.seconds:g} s per target, {args.concurrency} connections",
              file=sys.stderr)
        figures = [asyncio.run(load(target, args.seconds, args.concurrency)) for target in targets]

    print(f"{'target':40} {'server':9} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for f in figures:
        print(f"{f.target:40} {f.server:9} {f.requests:9} {f.requests_per_second:8} {f.p50_ms:8} {f.p99_ms:8} {f.errors:7}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp, "seconds": args.seconds, "concurrency": args.concurrency, "query": saved.name,
        "diplokg_workers": args.workers, "rows": len(reference),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "versions": {name: version(name) for name in ("pyoxigraph", "oxigraph", "starlette", "uvicorn", "httpx")},
        "figures": [asdict(f) for f in figures],
    }
    target = RESULTS_DIR / f"http_load-{stamp}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {target}", file=sys.stderr)
    return 1 if any(f.errors for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
