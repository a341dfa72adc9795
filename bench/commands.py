"""What a user runs, timed as a user sees it, beside the `oxigraph` command on the same stored data.

Each command runs in a fresh process on a corpus folder (DIPLOKG_HOME): `diplokg build` with no store, then
with the store current; `diplokg stats`; a cold `diplokg query NAME` beside `oxigraph query` on the same
store with the same (bound) query text; and, with `serve`, `diplokg serve` (with its answer cache, as users
run it, and with `--answer-cache 0`: every request runs the query) beside `oxigraph serve-read-only
--location` the same store: time until it answers, resident memory of all its processes, and the median
latency of the saved query over HTTP (sequential requests, keep-alive), in the steady state: after as many
requests again to warm both servers up and SETTLE seconds for diplokg's pool to start the spare worker the first
request asked for (which otherwise shares the two cores with the timed requests). Oxigraph reads the store's default
graph, as diplokg does: every triple, asserted and inferred, once.
Wall times are medians; memory is each process's peak RSS (os.wait4) or, for servers, the sum of the
current RSS of the server and its child processes once it answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SETTLE = 2.0  # seconds between the warm-up requests and the timed ones
COLD_QUERY = "attendees-by-delegation"  # a saved query with a small answer that does not grow with the graph


def oxigraph_command() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if found is None:
        raise SystemExit("the `oxigraph` command is missing: pip install oxigraph")
    return found


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and stdout of one run (which must succeed). The peak comes from GNU time
    (`/usr/bin/time -f %M`): a child's own ru_maxrss would include the memory of the Python process it forked
    from, and the small `time` process adds about a millisecond to the wall time."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=out, stderr=err, env=env)
        seconds = time.perf_counter() - started
        err.seek(0)
        errors = err.read().decode(errors="replace")
        if done.returncode not in (0, 1):  # build exits 1 on violations, which generated corpora do not have
            raise SystemExit(f"{' '.join(command)} failed:\n{errors[-3000:]}")
        out.seek(0)
        return seconds, int(errors.split()[-1]) / 1024, out.read().decode(errors="replace")


def timed_runs(command: list[str], env: dict[str, str], repeat: int) -> dict[str, float]:
    runs = [run_once(command, env) for _ in range(repeat)]
    return {"seconds": statistics.median(r[0] for r in runs), "peak_mb": max(r[1] for r in runs)}


def tree_rss_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants, in MB."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, todo = set(), [pid]
    while todo:
        current = todo.pop()
        family.add(current)
        todo += [child for child, parent in parents.items() if parent == current and child not in family]
    total = 0
    for member in family:
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)
    return total / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(command: list[str], ready: str, env: dict[str, str] | None = None,
            deadline: float = 300) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends, once `ready` answers 200 (within `deadline` seconds)."""
    import httpx

    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            give_up = time.monotonic() + deadline
            while True:
                if process.poll() is not None or time.monotonic() > give_up:
                    log.seek(0)
                    raise SystemExit(f"{command[0]} did not start:\n{log.read().decode(errors='replace')[-2000:]}")
                try:
                    if httpx.get(ready, timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve_figures(command: list[str], env: dict[str, str], ready: str, query_url: str, accept: str,
                  requests: int) -> dict[str, float]:
    """Start a server, time until `ready` answers, measure its memory and the median latency of `query_url` in the
    steady state (`requests` requests to warm up, SETTLE seconds, then `requests` timed ones)."""
    import httpx

    started = time.perf_counter()
    with serving(command, ready, env, deadline=1200) as process:
        startup = time.perf_counter() - started
        latencies = []
        with httpx.Client(timeout=60, headers={"Accept": accept}) as client:
            for _ in range(requests):
                client.get(query_url)
            time.sleep(SETTLE)
            for _ in range(requests):
                sent = time.perf_counter()
                response = client.get(query_url)
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    raise SystemExit(f"{query_url}: {response.status_code} {response.text[:500]}")
        return {"startup_seconds": startup, "rss_mb": tree_rss_mb(process.pid), "p50_seconds": statistics.median(latencies)}


def command_figures(folder: Path, repeat: int, serve: bool, requests: int = 50) -> dict[str, Any]:
    """Every command's figures on one corpus folder (its store is removed first, then built by the commands)."""
    from urllib.parse import quote

    from diplokg.catalogue import find_query, load_catalogue
    from diplokg.paths import Layout
    from diplokg.sparqltext import bind_constants

    layout = Layout(folder)
    # as on a user's machine, where pip compiled diplokg's bytecode at install: cached .pyc files, whatever this shell says
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "DIPLOKG_HOME": str(folder)}
    diplokg = [sys.executable, "-m", "diplokg"]
    oxigraph = oxigraph_command()
    shutil.rmtree(layout.cache_dir, ignore_errors=True)
    out: dict[str, Any] = {}
    out["build, no store"] = timed_runs([*diplokg, "build"], env, 1)
    out["build, store current"] = timed_runs([*diplokg, "build"], env, repeat)
    out["stats"] = timed_runs([*diplokg, "stats"], env, repeat)
    saved = find_query(load_catalogue(layout.queries_dir), COLD_QUERY)
    text = bind_constants(saved.text, saved.bind({})) or saved.text
    query_file = layout.cache_dir / "bench-query.rq"
    query_file.write_text(text, encoding="utf-8")
    store = str(layout.cache_dir / "store")
    out[f"cold query {COLD_QUERY}"] = {
        "diplokg": timed_runs([*diplokg, "query", COLD_QUERY, "--format", "csv"], env, repeat),
        "oxigraph": timed_runs([oxigraph, "query", "--location", store, "--query-file", str(query_file),
                                "--results-format", "csv"], env, repeat)}
    if serve:
        ours, theirs = free_port(), free_port()
        server = ([*diplokg, "serve", "--port", str(ours), "--workers", "2"], env,
                  f"http://127.0.0.1:{ours}/sparql?query=ASK%7B%7D", f"http://127.0.0.1:{ours}/queries/{COLD_QUERY}",
                  "application/sparql-results+json")
        shutil.rmtree(layout.cache_dir)  # first a server that builds the store itself
        fresh = serve_figures(*server, 1)
        command, *rest = server
        out[f"serve, query {COLD_QUERY}"] = {
            "fresh_startup_seconds": fresh["startup_seconds"],
            "diplokg": serve_figures(*server, requests),
            "diplokg_uncached": serve_figures([*command, "--answer-cache", "0"], *rest, requests),
            "oxigraph": serve_figures([oxigraph, "serve-read-only", "--location", store, "--bind", f"127.0.0.1:{theirs}"],
                                      env, f"http://127.0.0.1:{theirs}/query?query=ASK%7B%7D",
                                      f"http://127.0.0.1:{theirs}/query?query={quote(text)}",
                                      "application/sparql-results+json", requests)}
    return out


def command_table(figures: dict[str, Any]) -> list[str]:
    """Markdown rows: one per command, diplokg beside oxigraph where there is an anchor; a server's startup
    also as measured without a store (it builds the store first, without `diplokg build`'s saved queries)."""
    lines = ["| command | diplokg | oxigraph (same store) | ratio |", "| --- | ---: | ---: | ---: |"]
    for name, row in figures.items():
        if name.startswith("serve"):
            ours, theirs = row["diplokg"], row["oxigraph"]
            lines += [f"| {name}: startup | {ours['startup_seconds']:.2f} s (with a fresh build "
                      f"{row['fresh_startup_seconds']:.1f} s) | "
                      f"{theirs['startup_seconds']:.2f} s | |",
                      f"| {name}: RSS of all processes | {ours['rss_mb']:.0f} MB | {theirs['rss_mb']:.0f} MB | |",
                      f"| {name}: p50 latency | {ours['p50_seconds'] * 1000:.1f} ms | {theirs['p50_seconds'] * 1000:.1f} ms "
                      f"| {ours['p50_seconds'] / theirs['p50_seconds']:.2f}x |"]
            if "diplokg_uncached" in row:
                uncached = row["diplokg_uncached"]["p50_seconds"]
                lines.append(f"| {name}: p50 latency, answer cache off | {uncached * 1000:.1f} ms | "
                             f"{theirs['p50_seconds'] * 1000:.1f} ms | {uncached / theirs['p50_seconds']:.2f}x |")
        elif "diplokg" in row:
            ours, theirs = row["diplokg"], row["oxigraph"]
            lines.append(f"| {name} | {ours['seconds']:.3f} s, {ours['peak_mb']:.0f} MB | {theirs['seconds']:.3f} s, "
                         f"{theirs['peak_mb']:.0f} MB | {ours['seconds'] / theirs['seconds']:.1f}x |")
        else:
            lines.append(f"| {name} | {row['seconds']:.3f} s, {row['peak_mb']:.0f} MB | | |")
    return lines
