"""Where `diplokg serve` gets its data: everything that loads, checks or opens the built dataset.

`load_served_data` runs once in the server process: load, reason and validate (refusing invalid
data unless allowed), write the dumps, and open the store the pages read. `open_worker_store` is
what each query worker process calls to get its own store. Nothing else in the HTTP layer loads
data, so a change of how the store is built or opened happens here alone.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Dataset

    from diplokg.paths import Layout

DUMP_FORMATS = ("ttl", "nq", "trig", "jsonld")


@dataclass(frozen=True)
class ServedData:
    """What the server process needs: the store for the pages and descriptions, and the dumps by file name."""

    store: ox.Store
    dumps: dict[str, tuple[bytes, str]]


def make_dumps(dataset: Dataset) -> dict[str, tuple[bytes, str]]:
    """The asserted graphs (ontology and data, not the inferred graph) in each dump format, by file name."""
    from diplokg.export import select_graphs, serialize
    from diplokg.formats import graph_format

    chosen = select_graphs(dataset, ontology=True, inferred=False)
    dumps = {}
    for name in DUMP_FORMATS:
        rdf_format, buffer = graph_format(name), io.BytesIO()
        serialize(chosen, rdf_format, buffer)
        dumps["dataset" + rdf_format.extensions[0]] = (buffer.getvalue(), rdf_format.media_type)
    return dumps


def load_served_data(layout: Layout, allow_invalid: bool) -> ServedData | None:
    """Load, reason, validate and open the data; None (after saying why on stderr) if it is invalid and not allowed."""
    from diplokg.cli import load_reasoned, progress
    from diplokg.store import open_store
    from diplokg.validation import render_text, validate

    dataset, closure = load_reasoned(layout)
    assert closure is not None
    progress("validating (SHACL)")
    report = validate(dataset, layout)
    if report.fails("violation") or not closure.consistent:
        print(render_text(report), end="", file=sys.stderr)
        for message in closure.inconsistencies:
            print(f"  inconsistency: {message}", file=sys.stderr)
        if not allow_invalid:
            print("diplokg serve: refusing to start: the data has SHACL violations or OWL RL inconsistencies (above). "
                  "Fix them, or pass --allow-invalid to serve the data as it is.", file=sys.stderr)
            return None
        print("diplokg serve: serving data that does not conform (--allow-invalid)", file=sys.stderr)
    progress("writing the dumps")
    dumps = make_dumps(dataset)
    del dataset
    return ServedData(open_store(layout), dumps)


def open_worker_store(root: str) -> ox.Store:
    """The store a query worker answers from (the project at `root`, built by the server before)."""
    from diplokg.paths import Layout
    from diplokg.store import open_store

    return open_store(Layout(Path(root)))
