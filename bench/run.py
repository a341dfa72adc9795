"""Benchmark diplokg's fast paths against the reference engines on generated corpora.

    python bench/run.py --quick                      # small sizes, a couple of minutes at most (CI smoke test)
    python bench/run.py --sizes 1e4,1e5,1e6 --serve  # the full run (see bench/README.md)

For each size a corpus is generated (bench/generate.py). First the commands a user runs are timed on it in
fresh processes (bench/commands.py): `diplokg build` without a store and with it current, `diplokg stats`,
a cold saved query beside `oxigraph query` on the same store and, with --serve, `diplokg serve` beside
`oxigraph serve-read-only`. Then two worker processes run the steps, one on the fast path (pyoxigraph
load, rules.py closure and diplokg.shacl in memory, as the build runs them; every saved query through
OxigraphEngine and as raw text on the built on-disk store; its N-Quads dump) and one on the reference path
(rdflib parse, owlrl, pyshacl, rdflib's query engine, rdflib export); the reference steps stop at the size
limits given and are then extrapolated linearly from the largest size measured. Each row gives the
seconds of both, their ratio and the peak resident memory of the worker after the step.
The growth exponent k of each query between the two largest sizes (time ~ size^k) is tabled at the end.
The machine's load average is recorded before and after each size. The table goes to stdout, the JSON
to bench/results/ (or --results).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from commands import command_figures, command_table

ROOT = Path(__file__).resolve().parents[1]
QUICK_SIZES = [5_000, 10_000]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """The median seconds of `repeat` calls, and the last call's value."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def fast_worker(layout_root: Path, repeat: int) -> dict[str, Any]:
    """The fast path: pyoxigraph load, rules closure, diplokg.shacl (in memory, as the build runs them), then every
    saved query and the N-Quads export on the built on-disk store, opened read-only as the commands open it."""

    from diplokg import rules, shacl
    from diplokg.catalogue import load_catalogue
    from diplokg.engines import OxigraphEngine, default_dataset
    from diplokg.export import write_store
    from diplokg.formats import graph_format
    from diplokg.paths import Layout
    from diplokg.sparqltext import bind_constants, inject_values
    from diplokg.store import open_built

    layout = Layout(layout_root)
    out: dict[str, Any] = {}
    seconds, store = timed(lambda: rules.load_store(layout))
    out["load"] = {"seconds": seconds, "peak_mb": peak_mb(), "triples": len(store)}
    seconds, closure = timed(lambda: rules.reason_store(store))
    out["reason"] = {"seconds": seconds, "peak_mb": peak_mb(), "inferred": closure.added, "consistent": closure.consistent}
    seconds, results = timed(lambda: shacl.validate_store(store, layout.shapes_file))
    out["validate"] = {"seconds": seconds, "peak_mb": peak_mb(), "results": len(results)}
    del store, closure
    store = open_built(layout).store  # built by the commands before this worker runs
    engine = OxigraphEngine(store)
    for query in load_catalogue(layout.queries_dir).values():
        bindings = query.bind({})
        text = (bind_constants(query.text, bindings) or inject_values(query.text, bindings)) if bindings else query.text
        seconds, result = timed(lambda q=query, b=bindings: engine.query(q.text, b), repeat)
        raw, _ = timed(lambda t=text: consume(store.query(t, **default_dataset(store))), repeat)
        out[f"query {query.name}"] = {"seconds": seconds, "raw_seconds": raw, "peak_mb": peak_mb(),
                                      "answer": size_of(result)}
    stream = io.BytesIO()
    seconds, _ = timed(lambda: write_store(store, graph_format("nq"), stream, inferred=True))
    data = stream.getvalue()
    out["export"] = {"seconds": seconds, "peak_mb": peak_mb(), "bytes": len(data)}
    return out


def reference_worker(layout_root: Path, reason: bool, validate: bool) -> dict[str, Any]:
    """The reference path: rdflib parse, owlrl, pyshacl, rdflib's SPARQL engine, rdflib export."""
    from diplokg.catalogue import load_catalogue
    from diplokg.engines import RdflibEngine
    from diplokg.loading import load_dataset
    from diplokg.paths import Layout
    from diplokg.reasoning import reason as run_owlrl
    from diplokg.validation import validate as run_pyshacl

    layout = Layout(layout_root)
    out: dict[str, Any] = {}
    seconds, dataset = timed(lambda: load_dataset(layout))
    out["load"] = {"seconds": seconds, "peak_mb": peak_mb(), "triples": len(dataset)}
    if reason:
        seconds, closure = timed(lambda: run_owlrl(dataset))
        out["reason"] = {"seconds": seconds, "peak_mb": peak_mb(), "inferred": len(closure.inferred)}
    if reason and validate:
        seconds, report = timed(lambda: run_pyshacl(dataset, layout))
        out["validate"] = {"seconds": seconds, "peak_mb": peak_mb(), "results": len(report.findings)}
    if reason:  # queries need the inferred graph
        engine = RdflibEngine(dataset)
        for query in load_catalogue(layout.queries_dir).values():
            seconds, result = timed(lambda q=query: engine.query(q.text, q.bind({})))
            out[f"query {query.name}"] = {"seconds": seconds, "peak_mb": peak_mb(), "answer": size_of(result)}
    seconds, data = timed(lambda: dataset.serialize(format="nquads", encoding="utf-8"))
    out["export"] = {"seconds": seconds, "peak_mb": peak_mb(), "bytes": len(data)}
    return out


def consume(answer: Any) -> int:
    """Read a raw pyoxigraph answer to its end (a boolean has nothing to read)."""
    return 1 if isinstance(answer, bool) or type(answer).__name__ == "QueryBoolean" else sum(1 for _ in answer)


def size_of(result: Any) -> int:
    return len(result.rows) if result.kind == "select" else len(result.triples) if result.kind == "graph" else 1


def run_worker(kind: str, layout: Path, options: list[str], timeout: float) -> dict[str, Any]:
    """Run one worker in a fresh process; its JSON answer (an error entry if it failed)."""
    command = [sys.executable, __file__, "--worker", kind, "--layout", str(layout), *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed on {layout}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def proc_line(path: str, key: str) -> str:
    """The value of the first `key:` line of a /proc file ('' where there is none)."""
    lines = Path(path).read_text().splitlines() if Path(path).exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), "")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (2 cores: above 2 means processes waited for a core)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, Any]:
    cpu = proc_line("/proc/cpuinfo", "model name") or platform.processor()
    memory = int(proc_line("/proc/meminfo", "MemTotal").split()[0] or 0) // 1024 if proc_line("/proc/meminfo", "MemTotal") else 0
    return {"cpu": cpu, "cores": os.cpu_count() or 1, "ram_mb": memory, "platform": platform.platform()}


def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {"python": platform.python_version(), **{p: version(p) for p in ("rdflib", "pyshacl", "owlrl", "pyoxigraph")}}


def rows_for(fast: dict[str, Any], reference: dict[str, Any], extrapolated: dict[str, float]) -> list[dict[str, Any]]:
    """One row per step: fast and reference seconds (measured or extrapolated), ratio, peaks."""
    rows = []
    for step, measured in fast.items():
        ref = reference.get(step)
        ref_seconds = ref["seconds"] if ref else extrapolated.get(step)
        rows.append({"step": step, "fast_seconds": measured["seconds"], "raw_seconds": measured.get("raw_seconds"),
                     "reference_seconds": ref_seconds, "reference_extrapolated": ref is None and ref_seconds is not None,
                     "ratio": ref_seconds / measured["seconds"] if ref_seconds and measured["seconds"] else None,
                     "fast_peak_mb": measured["peak_mb"], "reference_peak_mb": ref["peak_mb"] if ref else None,
                     "answer": measured.get("answer"), "reference_answer": ref.get("answer") if ref else None})
    return rows


def number(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def table(report: dict[str, Any]) -> str:
    """The report as Markdown: a header, then one table per size."""
    m, v = report["machine"], report["versions"]
    out = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_mb']} MB RAM; " + ", ".join(f"{k} {x}" for k, x in v.items())]
    for size in report["sizes"]:
        out += ["", f"### {size['triples']} triples ({size['documents']} synthetic documents + the real data)", "",
                "| step | fast s | raw pyoxigraph s | reference s | ratio | fast peak MB | ref peak MB | answer size |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in size["rows"]:
            ref = number(r["reference_seconds"], ".3f") + (" (extrap.)" if r["reference_extrapolated"] else "")
            ratio = number(r["ratio"], ".1f" if (r["ratio"] or 0) < 10 else ".0f") + ("x" if r["ratio"] else "")
            cells = [r["step"], number(r["fast_seconds"], ".4f"), number(r["raw_seconds"], ".4f"), ref, ratio,
                     number(r["fast_peak_mb"], ".0f"), number(r["reference_peak_mb"], ".0f"),
                     "" if r["answer"] is None else f"{r['answer']}" + ("" if r["reference_answer"] in (None, r["answer"])
                                                                         else f" ≠ {r['reference_answer']}")]
            out.append("| " + " | ".join(cells) + " |")
        if size.get("commands"):
            out += ["", f"Commands on this corpus (load average before {size['load'][0]}, after {size['load'][1]}):", ""]
            out += command_table(size["commands"])
    out += growth_table(report["sizes"])
    return "\n".join(out) + "\n"


def growth_table(sizes: list[dict[str, Any]]) -> list[str]:
    """Each saved query's seconds at every size and its exponent k between the two largest (time ~ size^k)."""
    import math

    if len(sizes) < 2:
        return []
    small, large = sizes[-2], sizes[-1]
    out = ["", "| saved query | " + " | ".join(f"{s['triples']} triples" for s in sizes) + " | answer | k |",
           "| --- |" + " ---: |" * (len(sizes) + 2)]
    steps = [r["step"] for r in large["rows"] if r["step"].startswith("query ")]
    for step in steps:
        seconds = [next((r["fast_seconds"] for r in s["rows"] if r["step"] == step), None) for s in sizes]
        answers = [next((r["answer"] for r in s["rows"] if r["step"] == step), None) for s in sizes]
        k = math.log(seconds[-1] / seconds[-2]) / math.log(large["triples"] / small["triples"]) \
            if seconds[-1] and seconds[-2] else None
        out.append(f"| {step.removeprefix('query ')} | " + " | ".join(number(x, ".4f") for x in seconds) +
                   f" | {answers[-2]} → {answers[-1]} | {number(k, '.2f')} |")
    return out


def extrapolate(history: list[tuple[int, dict[str, Any]]], triples: int) -> dict[str, float]:
    """Reference seconds per step, scaled linearly from the largest size where the step was measured."""
    out: dict[str, float] = {}
    for measured_size, measured in sorted(history, key=lambda item: item[0]):
        for step, row in measured.items():
            out[step] = row["seconds"] * triples / measured_size
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one repetition (CI smoke test)")
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="comma-separated corpus sizes in triples")
    parser.add_argument("--owlrl-max", type=float, default=1e5, help="largest size to run owlrl and rdflib's queries on")
    parser.add_argument("--pyshacl-max", type=float, default=1e5, help="largest size to run pyshacl on")
    parser.add_argument("--reference-max", type=float, default=1e6, help="largest size to run the reference path at all")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each fast query (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help="also time `diplokg serve` beside `oxigraph serve-read-only`")
    parser.add_argument("--requests", type=int, default=50, help="requests per server for the median latency")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="folder for the JSON")
    parser.add_argument("--worker", choices=["fast", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--layout", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-reason", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        answer = fast_worker(args.layout, args.repeat) if args.worker == "fast" else reference_worker(
            args.layout, not args.no_reason, not args.no_validate)
        print(json.dumps(answer))
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    sizes = QUICK_SIZES if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    report: dict[str, Any] = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                              "versions": versions(), "sizes": []}
    history: list[tuple[int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="diplokg-bench-") as scratch:
        for wanted in sizes:
            folder = Path(scratch) / f"corpus-{wanted}"
            counts = generate(folder, wanted, args.seed)
            print(f"… {counts['triples']} triples: commands", file=sys.stderr, flush=True)
            before = load_average()
            commands = command_figures(folder, 3, args.serve, args.requests)
            print("… fast path", file=sys.stderr, flush=True)
            fast = run_worker("fast", folder, ["--repeat", str(repeat)], timeout=3600)
            reference: dict[str, Any] = {}
            if wanted <= args.reference_max:
                print("… reference path", file=sys.stderr, flush=True)
                flags = ([] if wanted <= args.owlrl_max else ["--no-reason"])
                flags += [] if wanted <= args.pyshacl_max else ["--no-validate"]
                reference = run_worker("reference", folder, flags, timeout=3600)
            rows = rows_for(fast, reference, extrapolate(history, counts["triples"]))
            history.append((counts["triples"], reference))
            report["sizes"].append({**counts, "rows": rows, "commands": commands, "load": [before, load_average()]})
    text = table(report)
    print(text)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"bench-{report['date'].replace(':', '')}.json"
    target.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
