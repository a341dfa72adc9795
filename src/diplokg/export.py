"""Export: the dataset in any W3C RDF format, named graphs kept where the format has them."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from rdflib import Dataset, Graph

from diplokg.fileio import write_atomically
from diplokg.formats import Format
from diplokg.loading import new_dataset
from diplokg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, bind_prefixes


def select_graphs(dataset: Dataset, ontology: bool, inferred: bool) -> Dataset:
    """A dataset with the chosen named graphs of `dataset` (data always, ontology/inferred on request)."""
    chosen = new_dataset()
    for graph in dataset.graphs():
        name = graph.identifier
        if not len(graph) or (name == ONTOLOGY_GRAPH and not ontology) or (name == INFERRED_GRAPH and not inferred):
            continue
        target = chosen.graph(name)
        for triple in graph:
            target.add(triple)
    return chosen


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph, merged into one graph (for triple-only formats)."""
    merged = Graph()
    bind_prefixes(merged.namespace_manager)
    for graph in dataset.graphs():
        for triple in graph:
            merged.add(triple)
    return merged


def serialize(dataset: Dataset, rdf_format: Format, stream: BinaryIO) -> None:
    """Write `dataset` to `stream`: quads for N-Quads/TriG/JSON-LD, the merged triples otherwise."""
    source = dataset if rdf_format.quads else union_graph(dataset)
    data = source.serialize(format=rdf_format.rdflib_name, encoding="utf-8")
    stream.write(data)


def export(dataset: Dataset, rdf_format: Format, target: str | Path, ontology: bool = True,
           inferred: bool = False) -> None:
    """Write the chosen graphs of `dataset` to `target` ('-' for stdout) atomically."""
    chosen = select_graphs(dataset, ontology, inferred)
    write_atomically(target, lambda stream: serialize(chosen, rdf_format, stream))
