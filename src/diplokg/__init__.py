"""diplokg: a knowledge graph of diplomacy built from source texts, with evidence for every fact."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Dataset

__version__ = "0.1.0"


def load() -> Dataset:
    """The dataset: the ontology graph, the shared entities and one named graph per source."""
    from diplokg.loading import load_dataset

    return load_dataset()
