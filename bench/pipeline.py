"""Benchmark of the pipeline on the real data: load, reason (owlrl), validate (pyshacl).

Each step runs --repeat times in this process; the table gives the median and the ratio to the
baseline measured in the same run (parsing the same files with rdflib alone). Prints the machine
and versions, and writes JSON to bench/results/pipeline.json.

    python bench/pipeline.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from rdflib import Graph

from diplokg.loading import load_dataset, ontology_files, source_files
from diplokg.paths import default_layout
from diplokg.reasoning import reason
from diplokg.validation import validate


def timed(step: Callable[[], object], repeat: int) -> float:
    """The median wall time of `step` over `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> dict[str, object]:
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "rdflib": version("rdflib"), "owlrl": version("owlrl"), "pyshacl": version("pyshacl")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    layout = default_layout()
    files = [*ontology_files(layout), layout.entities_file, *(s.facts for s in source_files(layout))]

    def parse_only() -> None:
        graph = Graph()
        for path in files:
            graph.parse(path)

    def reasoned():  # noqa: ANN202
        dataset = load_dataset(layout)
        reason(dataset)
        return dataset

    prepared = reasoned()
    steps = {
        "baseline: rdflib parse of the same files": parse_only,
        "load (diplokg.load)": lambda: load_dataset(layout),
        "reason (owlrl OWL RL closure)": lambda: reason(load_dataset(layout)),
        "validate (pyshacl, reasoned data)": lambda: validate(prepared, layout),
    }
    results = {name: timed(step, args.repeat) for name, step in steps.items()}
    base = results["baseline: rdflib parse of the same files"]
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    triples = sum(len(graph) for graph in prepared.graphs())
    print(f"triples: {triples} (with inferred); repeat {args.repeat}, medians")
    print(f"{'step':45} {'seconds':>9} {'x baseline':>11}")
    for name, seconds in results.items():
        print(f"{name:45} {seconds:9.3f} {seconds / base:11.1f}")
    out = Path(__file__).parent / "results" / "pipeline.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"machine": info, "triples": triples, "seconds": results}, indent=2))


if __name__ == "__main__":
    main()
