"""Where the project's files live: ontology, data, sources, queries."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """The folders of a diplokg project (the repository by default)."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def facts_dir(self) -> Path:
        return self.data_dir / "facts"

    @property
    def anchors_dir(self) -> Path:
        return self.data_dir / "anchors"

    @property
    def entities_file(self) -> Path:
        return self.data_dir / "entities.ttl"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"


def default_layout() -> Layout:
    """The project layout: $DIPLOKG_HOME if set, else the repository this package sits in."""
    home = os.environ.get("DIPLOKG_HOME")
    return Layout(Path(home) if home else Path(__file__).resolve().parents[2])
