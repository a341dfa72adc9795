"""Where `diplokg serve` gets its data: everything that builds, checks or opens the built store.

`load_served_data` runs once in the server process: open the project's build read-only (built first
if the data changed: loaded, reasoned and validated), refuse it if it does not conform (unless
allowed). `open_worker_store` is what each query worker process calls: it holds the same build
folder (so no later build removes it) and opens it read-only, so the operating system shares its
pages between all workers. Nothing else in the HTTP layer touches how data is stored.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph as ox

    from diplokg.paths import Layout
    from diplokg.store import Built


def load_served_data(layout: Layout, allow_invalid: bool) -> Built | None:
    """The project's build, opened read-only; None (after saying why on stderr) if it is invalid and not allowed."""
    from diplokg.cli import progress
    from diplokg.store import open_built

    built = open_built(layout, progress=progress)  # reasoned and validated when it was built
    manifest = built.manifest
    if manifest.validation["fails"]["violation"] or not manifest.consistent:
        print(manifest.validation["text"], end="", file=sys.stderr)
        for message in manifest.inconsistencies:
            print(f"  inconsistency: {message}", file=sys.stderr)
        if not allow_invalid:
            print("diplokg serve: refusing to start: the data has SHACL violations or OWL RL inconsistencies (above). "
                  "Fix them, or pass --allow-invalid to serve the data as it is.", file=sys.stderr)
            return None
        print("diplokg serve: serving data that does not conform (--allow-invalid)", file=sys.stderr)
    return built


def open_worker_store(folder: str) -> ox.Store:
    """The store a query worker answers from: the server's build folder, held and opened read-only."""
    import pyoxigraph as ox

    from diplokg.store import hold

    if not hold(Path(folder)):
        raise OSError(f"the build {folder} is gone (a newer build replaced it); restart `diplokg serve`")
    return ox.Store.read_only(folder)
