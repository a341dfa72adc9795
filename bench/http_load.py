"""HTTP load benchmark: `diplokg serve` beside `oxigraph serve-read-only` on the same data, on 127.0.0.1.

Both servers run as processes of their own; this process is the client. It exports the dataset
(asserted and inferred graphs) as N-Quads with diplokg.export, loads it with `oxigraph load`, checks
that every target gives the same answer, then sends requests to each target for a fixed time from
CONCURRENCY connections (each from its own loopback address, as separate clients) and reports
requests per second, p50/p99 latency and errors:

  saved query     diplokg  GET /queries/NAME             (parameters bound by the server)
  same query      diplokg  GET /sparql?query=TEXT        (the text with a VALUES block for the parameters)
  same query      oxigraph GET /query?query=TEXT         (the same text; default graph = union of the graphs)
  ASK {}          both                                   (the cheapest query: the server's own overhead)
  entity page     diplokg  GET /id/person/...            (HTML)

Then the fairness scenario, one server at a time: another client (from 127.0.0.2) keeps RUNAWAY
queries in flight (a cross product that only the timeout stops, 10 s on both servers), and once
they run, one client sends `ASK {}` and an entity page (diplokg's HTML page; DESCRIBE of the same
IRI on oxigraph) one after the other, and reports their latencies.

    python bench/http_load.py [--seconds 10] [--concurrency 8] [--runaway 4] [--query attendees-by-delegation]

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
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

from commands import free_port, serving
from diplokg.catalogue import find_query, load_catalogue
from diplokg.cli import load_reasoned
from diplokg.export import export
from diplokg.formats import graph_format
from diplokg.paths import default_layout
from diplokg.prefixes import ID
from diplokg.remote import inject_values

RESULTS_DIR = Path(__file__).parent / "results"
JSON_RESULTS = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 10


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


async def load(target: Target, seconds: float, concurrency: int) -> Figures:
    """Send requests to one target from `concurrency` connections for `seconds` (after a one-second warm-up)."""
    latencies: list[float] = []
    errors = 0
    # one client per connection, each from its own loopback address (diplokg limits queries per client address)
    clients = [httpx.AsyncClient(timeout=30, headers={"Accept": target.accept},
                                 transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + n}"))
               for n in range(concurrency)]

    async def worker(client: httpx.AsyncClient, until: float, record: bool) -> None:
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
    await asyncio.gather(*(worker(client, warm, False) for client in clients))
    started = time.perf_counter()
    await asyncio.gather(*(worker(client, started + seconds, True) for client in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.aclose()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(target.name, target.server, len(latencies), errors, round(elapsed, 2),
                   round(len(latencies) / elapsed, 1), round(cuts[49] * 1000, 2), round(cuts[98] * 1000, 2))


@dataclass(frozen=True)
class Fairness:
    target: str
    server: str
    runaway: int
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    runaway_answered: int


async def fairness(targets: list[Target], endpoint: str, runaway: int, seconds: float) -> list[Fairness]:
    """Latency of `targets` (one request at a time, alternating) while `runaway` heavy queries stay in flight."""
    latencies: dict[str, list[float]] = {t.name: [] for t in targets}
    errors = dict.fromkeys(latencies, 0)
    answered = 0
    heavy_transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2", limits=httpx.Limits(max_connections=runaway))
    async with httpx.AsyncClient(transport=heavy_transport, timeout=120) as heavy, httpx.AsyncClient(timeout=60) as light:
        until = time.perf_counter() + seconds + 3

        async def heavy_loop() -> None:
            nonlocal answered
            while time.perf_counter() < until:
                try:
                    await heavy.post(endpoint, data={"query": RUNAWAY}, headers={"Accept": JSON_RESULTS})
                    answered += 1
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)

        loops = [asyncio.ensure_future(heavy_loop()) for _ in range(runaway)]
        await asyncio.sleep(3)  # the heavy queries are running (and, on diplokg, demoted)
        while time.perf_counter() < until:
            for target in targets:
                started = time.perf_counter()
                try:
                    response = await light.get(target.url, headers={"Accept": target.accept})
                    errors[target.name] += response.status_code != 200
                except httpx.HTTPError:
                    errors[target.name] += 1
                latencies[target.name].append(time.perf_counter() - started)
                await asyncio.sleep(0.02)
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
    out = []
    for target in targets:
        measured = sorted(latencies[target.name])
        cuts = statistics.quantiles(measured, n=100, method="inclusive")
        out.append(Fairness(target.name, target.server, runaway, len(measured), errors[target.name],
                            round(cuts[49] * 1000, 2), round(cuts[98] * 1000, 2), round(measured[-1] * 1000, 2), answered))
    return out


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
    parser.add_argument("--workers", type=int, default=2, help="diplokg query worker processes kept ready (default: 2)")
    parser.add_argument("--runaway", type=int, default=4, help="heavy queries in flight in the fairness scenario (default: 4)")
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
                                     "--workers", str(args.workers), "--timeout", str(TIMEOUT)], ours + "/sparql",
                                    {**os.environ, "DIPLOKG_HOME": str(layout.root)}))
        stack.enter_context(serving([oxigraph, "serve-read-only", "--location", str(work / "oxigraph"), "--bind",
                                     theirs.removeprefix("http://"), "--union-default-graph", "--timeout-s", str(TIMEOUT)],
                                    theirs + "/query?query=ASK%7B%7D"))
        query = httpx.QueryParams({"query": text})
        ask = httpx.QueryParams({"query": "ASK {}"})
        describe = httpx.QueryParams({"query": f"DESCRIBE <{ID}{args.entity}>"})
        targets = [
            Target(f"saved query {saved.name}", "diplokg", f"{ours}/queries/{saved.name}", JSON_RESULTS),
            Target("same query text", "diplokg", f"{ours}/sparql?{query}", JSON_RESULTS),
            Target("same query text", "oxigraph", f"{theirs}/query?{query}", JSON_RESULTS),
            Target("ASK {}", "diplokg", f"{ours}/sparql?{ask}", JSON_RESULTS),
            Target("ASK {}", "oxigraph", f"{theirs}/query?{ask}", JSON_RESULTS),
            Target(f"entity page {args.entity}", "diplokg", f"{ours}/id/{args.entity}", "text/html"),
            Target(f"DESCRIBE {args.entity}", "oxigraph", f"{theirs}/query?{describe}", "text/turtle"),
        ]
        reference = answers(targets[0])
        for target in targets[1:3]:
            if answers(target) != reference:
                raise SystemExit(f"{target.server} answers the query differently; the comparison would be meaningless")
        print(f"{len(reference)} rows from each server; {args.seconds:g} s per target, {args.concurrency} connections",
              file=sys.stderr)
        figures = [asyncio.run(load(target, args.seconds, args.concurrency)) for target in targets]
        load_before = os.getloadavg()
        fair = asyncio.run(fairness([targets[3], targets[5]], f"{ours}/sparql", args.runaway, args.seconds))
        fair += asyncio.run(fairness([targets[4], targets[6]], f"{theirs}/query", args.runaway, args.seconds))

    print(f"{'target':40} {'server':9} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for f in figures:
        print(f"{f.target:40} {f.server:9} {f.requests:9} {f.requests_per_second:8} {f.p50_ms:8} {f.p99_ms:8} {f.errors:7}")
    print(f"\nwith {args.runaway} runaway queries in flight from another client (load average before: "
          f"{' '.join(f'{x:.2f}' for x in load_before)})")
    print(f"{'target':40} {'server':9} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for f in fair:
        print(f"{f.target:40} {f.server:9} {f.requests:9} {f.p50_ms:8} {f.p99_ms:8} {f.max_ms:8} {f.errors:7}")
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp, "seconds": args.seconds, "concurrency": args.concurrency, "query": saved.name,
        "diplokg_workers": args.workers, "rows": len(reference),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average": os.getloadavg()},
        "versions": {name: version(name) for name in ("pyoxigraph", "oxigraph", "starlette", "uvicorn", "httpx")},
        "figures": [asdict(f) for f in figures],
        "fairness": [asdict(f) for f in fair], "load_average_before_fairness": load_before,
    }
    target = RESULTS_DIR / f"http_load-{stamp}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {target}", file=sys.stderr)
    return 1 if any(f.errors for f in [*figures, *fair]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
