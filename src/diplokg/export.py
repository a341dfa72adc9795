"""Export: the dataset in any W3C RDF format, named graphs kept where the format has them.

The command exports the built store with pyoxigraph's serialisers (`export_store`); `export` does the
same for an rdflib Dataset (the API type).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Dataset, Graph

from diplokg.fileio import write_atomically
from diplokg.formats import Format
from diplokg.loading import new_dataset
from diplokg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, bind_prefixes
from diplokg.progress import bar


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


def store_graphs(store: ox.Store, ontology: bool = True, inferred: bool = False,
                 only: str | None = None) -> list[ox.NamedNode]:
    """The named graphs of a built store to export: the data always, the ontology and inferred graphs on
    request; or only the graph `only` (an IRI or a CURIE such as graph:entities)."""
    names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    if only:
        from diplokg.errors import DiplokgError
        from diplokg.prefixes import expand_curie

        iri = expand_curie(only) or only.strip("<>")
        chosen = [g for g in names if g.value == iri]
        if not chosen:
            raise DiplokgError(f"--graph {only}: no such named graph; the graphs are: "
                               f"{', '.join(g.value for g in names)}.")
        return chosen
    left_out = {str(name) for name, wanted in ((ONTOLOGY_GRAPH, ontology), (INFERRED_GRAPH, inferred)) if not wanted}
    return [g for g in names if g.value not in left_out]


def write_store(store: ox.Store, rdf_format: Format, stream: BinaryIO, ontology: bool = True, inferred: bool = False,
                graph: str | None = None) -> None:
    """Serialise the chosen graphs of a built store with pyoxigraph: quads for N-Quads/TriG/JSON-LD, the
    merged (deduplicated) triples otherwise."""
    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.results import OX_GRAPH_FORMATS

    quads = bar(itertools.chain.from_iterable(store.quads_for_pattern(None, None, None, g)
                                              for g in store_graphs(store, ontology, inferred, graph)),
                "exporting", unit="quad")
    target = OX_GRAPH_FORMATS[rdf_format.name]
    if rdf_format.quads:
        ox.serialize(quads, output=stream, format=target, prefixes=PREFIX_IRIS)
        return
    merged = ox.Store()
    merged.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    merged.dump(output=stream, format=target, from_graph=ox.DefaultGraph(), prefixes=PREFIX_IRIS)


def export_store(store: ox.Store, rdf_format: Format, target: str | Path, ontology: bool = True,
                 inferred: bool = False, graph: str | None = None) -> None:
    """Write the chosen graphs of a built store (or the one named `graph`) to `target` ('-' for stdout)
    atomically; the command has checked `target` with diplokg.fileio.check_output."""
    store_graphs(store, ontology, inferred, graph)  # an unknown graph is an error before anything is written
    write_atomically(target, lambda stream: write_store(store, rdf_format, stream, ontology, inferred, graph))


DUMP_FORMATS = ("ttl", "nq", "trig", "jsonld")


class Dumps:
    """The asserted graphs of a build (ontology and data, not the inferred graph) as files in each dump format,
    written beside the build on first use (atomically; later requests read the file)."""

    def __init__(self, store: ox.Store, folder: Path) -> None:
        from diplokg.formats import graph_format

        self.store, self.folder = store, folder
        self.formats = {"dataset" + graph_format(name).extensions[0]: graph_format(name) for name in DUMP_FORMATS}

    def media_type(self, name: str) -> str:
        return self.formats[name].media_type

    def size(self, name: str) -> int | None:
        """The size of a dump already written, else None."""
        path = self.folder / name
        return path.stat().st_size if path.exists() else None

    def path(self, name: str) -> Path:
        """The file of a dump, written first if it is not yet."""
        path = self.folder / name
        if not path.exists():
            export_store(self.store, self.formats[name], path)
        return path
