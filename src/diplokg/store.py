"""The built dataset in a pyoxigraph Store, cached on disk so unchanged data is not rebuilt.

Building means: parse every file with pyoxigraph, reason (rules to fixpoint), and write the quads
(asserted and inferred) to `.cache/dataset-<fingerprint>.nq`. The fingerprint hashes every input file and the package
version, so any edit rebuilds; a query on unchanged data only parses the cache with pyoxigraph.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplokg import __version__
from diplokg.fileio import write_atomically
from diplokg.paths import Layout

if TYPE_CHECKING:
    from diplokg.rules import StoreClosure


def input_files(layout: Layout) -> list[Path]:
    """Every file the built dataset depends on."""
    patterns = [(layout.ontology_dir, "*.ttl"), (layout.data_dir, "entities.ttl"), (layout.facts_dir, "*.ttl"),
                (layout.anchors_dir, "*.ttl"), (layout.sources_dir, "*.txt")]
    return sorted(path for folder, pattern in patterns for path in folder.glob(pattern)
                  if path != layout.shapes_file)


def fingerprint(layout: Layout) -> str:
    """A hash of every input file's name and bytes, and of the package version."""
    digest = hashlib.sha256(__version__.encode())
    for path in input_files(layout):
        digest.update(str(path.relative_to(layout.root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def cache_path(layout: Layout) -> Path:
    return layout.cache_dir / f"dataset-{fingerprint(layout)}.nq"


def build_store(layout: Layout, reason: bool = True) -> tuple[ox.Store, StoreClosure | None]:
    """Parse every file into a pyoxigraph Store and, unless told not to, add the OWL RL closure
    (SPARQL rules to fixpoint; equal to owlrl's closure for the constructs the ontology uses)."""
    from diplokg.rules import load_store, reason_store

    store = load_store(layout)
    return store, reason_store(store) if reason else None


def build_quads(layout: Layout) -> bytes:
    """Load, reason, and serialise the whole dataset as N-Quads (the slow path, run on a cache miss)."""
    store, _ = build_store(layout)
    return store.dump(format=ox.RdfFormat.N_QUADS) or b""


def open_store(layout: Layout, use_cache: bool = True) -> ox.Store:
    """An in-memory pyoxigraph Store of the built dataset, from the cache when it is current."""
    cached = cache_path(layout)
    if not (use_cache and cached.exists()):
        data = build_quads(layout)
        for stale in layout.cache_dir.glob("dataset-*.nq"):
            stale.unlink(missing_ok=True)
        write_atomically(cached, lambda stream: stream.write(data))
    store = ox.Store()
    store.bulk_load(path=str(cached), format=ox.RdfFormat.N_QUADS, lenient=True)  # our own file
    return store
