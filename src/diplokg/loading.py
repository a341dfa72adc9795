"""Loading: parse the ontology, the shared entities and every source into one rdflib Dataset.

Each source gets a named graph holding its facts, its generated evidence anchors and its full
text; nothing is fetched from the network. Parse errors name the file, line and column.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax import SAXParseException

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.util import guess_format

from diplokg.errors import DiplokgError, line_of
from diplokg.fileio import decode_utf8, folder_files
from diplokg.namespaces import DIP, ENTITIES_GRAPH, GRAPH, ID, INFERRED_GRAPH, ONTOLOGY_GRAPH, SCHEMA, bind_prefixes
from diplokg.paths import Layout, default_layout
from diplokg.progress import bar, step

RDF_EXTENSIONS = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".xml", ".owl", ".n3"}
QUAD_FORMATS = {"nquads", "trig", "json-ld"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class SourceFiles:
    """The files that make up one source's named graph."""

    slug: str
    facts: Path
    anchors: Path
    text: Path

    @property
    def graph(self) -> URIRef:
        return GRAPH[self.slug]

    @property
    def node(self) -> URIRef:
        return ID["source/" + self.slug]


def ontology_files(layout: Layout) -> list[Path]:
    """The ontology and vocabulary files (every Turtle file of ontology/ except the shapes)."""
    return [layout.ontology_dir / name for name in folder_files(layout.ontology_dir, ".ttl") if name != layout.shapes_file.name]


def source_slug(path: Path) -> str:
    """The name of a facts file without its extension, which becomes its graph IRI: it must be a slug."""
    if not SLUG.match(path.stem):
        raise DiplokgError(f"{path}: the file name {path.stem!r} cannot name a graph; name facts files with lowercase "
                           "ASCII letters, digits, '-', '_' and '.' only (e.g. sre-2021-08-11-lunch-meeting.ttl).")
    return path.stem


def source_of(path: Path, layout: Layout) -> SourceFiles:
    """The files of the source whose facts are in `path` (its anchors and text found by its name)."""
    slug = source_slug(path)
    return SourceFiles(slug, path, layout.anchors_dir / f"{slug}.ttl", layout.sources_dir / f"{slug}.txt")


def source_files(layout: Layout) -> list[SourceFiles]:
    """One entry per facts file, with its anchors and text."""
    return [source_of(layout.facts_dir / name, layout) for name in folder_files(layout.facts_dir, ".ttl")]


def computed_anchors(source: SourceFiles, layout: Layout) -> Graph | None:
    """None when the source's anchors file exists (the loaders read it); else its anchors computed
    from the quotes, for either loader, so that both see the same triples (a note says so on stderr)."""
    if source.anchors.exists():
        return None
    from diplokg.anchor import anchor_facts, anchors_graph

    graph = anchors_graph(anchor_facts(source.facts, layout))
    if source.facts.parent.resolve() == layout.facts_dir.resolve():
        note(f"{source.anchors} is missing; the evidence offsets were computed on the fly (run `diplokg anchor`).")
    return graph


_noted: set[str] = set()


def note(message: str) -> None:
    """A one-time remark on stderr about the data (not an error)."""
    if message not in _noted:
        _noted.add(message)
        print(f"diplokg: note: {message}", file=sys.stderr)


def describe_syntax_error(path: Path, error: Exception) -> str:
    """A one-paragraph message naming the file, line and column of an RDF syntax error."""
    if isinstance(error, BadSyntax):
        text = error._str.decode("utf-8", "replace") if isinstance(error._str, bytes) else str(error._str)
        before = text[: error._i]
        line = before.count("\n") + 1
        column = error._i - (before.rfind("\n") + 1) + 1
        found = text[error._i : error._i + 30].split("\n")[0] or "end of line"
        return f"{path}:{line}:{column}: syntax error: {error._why} (at {found!r})."
    if isinstance(error, SAXParseException):
        return f"{path}:{error.getLineNumber()}:{error.getColumnNumber() + 1}: syntax error: {error.getMessage()}."
    if isinstance(error, json.JSONDecodeError):
        return f"{path}:{error.lineno}:{error.colno}: syntax error: {error.msg}."
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    invalid = re.match(r"Invalid line: (.*)$", message)
    line = line_of(path, invalid.group(1)) if invalid else None
    message = message.rstrip(".")
    return f"{path}:{line}: syntax error: {message}." if line else f"{path}: cannot parse as RDF: {message}."


def remote_contexts(node: object) -> list[str]:
    """The remote `@context` (and `@import`) references anywhere in a JSON-LD document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                found += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
            found += remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += remote_contexts(item)
    return found


def parse_into(graph: Graph, path: Path, rdf_format: str | None = None) -> None:
    """Parse one local RDF file into `graph`; any failure becomes a DiplokgError naming the file.

    Nothing is fetched: a JSON-LD document with a remote @context is refused. Quads (N-Quads,
    TriG, JSON-LD with named graphs) are merged into `graph`.
    """
    if not path.is_file():
        raise DiplokgError(f"{path}: no such file." if not path.exists() else f"{path}: not a regular file.")
    if rdf_format is None and path.suffix.lower() not in RDF_EXTENSIONS:
        raise DiplokgError(
            f"{path}: the extension {path.suffix or '(none)'} is not an RDF format; "
            f"use one of {', '.join(sorted(RDF_EXTENSIONS))}."
        )
    rdf_format = rdf_format or guess_format(str(path)) or "turtle"
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DiplokgError(f"{path}: cannot read the file: {error.strerror or error}.") from None
    text = decode_utf8(path, raw, "RDF file") if rdf_format != "xml" else None
    if rdf_format == "json-ld" and text is not None:
        try:
            remote = remote_contexts(json.loads(text))
        except json.JSONDecodeError as error:
            raise DiplokgError(describe_syntax_error(path, error)) from None
        if remote:
            raise DiplokgError(f"{path}: the JSON-LD document refers to a remote @context ({remote[0]}); diplokg "
                               "never fetches anything while loading. Put the context inline (an object) instead.")
    target: Graph = Dataset() if rdf_format in QUAD_FORMATS else graph
    try:
        target.parse(data=raw if text is None else text, format=rdf_format, publicID=path.resolve().as_uri())
    except Exception as error:  # every parser raises its own kind of syntax error
        raise DiplokgError(describe_syntax_error(path, error)) from None
    if isinstance(target, Dataset):
        for named in target.graphs():
            for triple in named:
                graph.add(triple)


def source_text_facts(source: SourceFiles) -> list[tuple[str, ox.Literal]]:
    """(predicate IRI, value) of a source's full text, its SHA-256 and its length, for either loader.

    A missing text file gives nothing (validation then reports the source's missing text)."""
    if not source.text.exists():
        return []
    try:
        raw = source.text.read_bytes()
    except OSError as error:
        raise DiplokgError(f"{source.text}: cannot read the source text of {source.facts}: {error}.") from None
    text = decode_utf8(source.text, raw, "source text")
    return [(str(SCHEMA.text), ox.Literal(text, language="en")),
            (str(DIP.sha256), ox.Literal(hashlib.sha256(raw).hexdigest())),
            (str(SCHEMA.characterCount), ox.Literal(str(len(text)), datatype=ox.NamedNode(str(XSD.integer))))]


def add_source_text(graph: Graph, source: SourceFiles) -> None:
    """Put the full text of a source, its length and its SHA-256 into the source's graph."""
    from diplokg.engines import to_rdflib

    for predicate, value in source_text_facts(source):
        graph.add((source.node, URIRef(predicate), to_rdflib(value)))


def load_source(dataset: Dataset, source: SourceFiles, layout: Layout, empty_ok: bool = True) -> Graph:
    """Load one source's facts, anchors (computed if the anchors file is missing) and text."""
    graph = dataset.graph(source.graph)
    parse_into(graph, source.facts)
    if not empty_ok and not len(graph):
        raise DiplokgError(f"{source.facts}: holds no triples; there is nothing to check.")
    computed = computed_anchors(source, layout)
    if computed is None:
        parse_into(graph, source.anchors)
    else:
        for triple in computed:
            graph.add(triple)
    add_source_text(graph, source)
    return graph


def new_dataset() -> Dataset:
    """An empty Dataset whose default graph is the union of its named graphs, with our prefixes."""
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset.namespace_manager)
    return dataset


def load_dataset(layout: Layout | None = None, extra_files: list[Path] | None = None) -> Dataset:
    """The whole dataset: ontology, entities, every source, and any extra facts files.

    An extra file (a new source a curator is writing) gets a named graph of its own, with its
    evidence anchored on the fly and the text of its source; a file that is already one of the
    dataset's facts files is not loaded twice.
    """
    layout = layout or default_layout()
    dataset = new_dataset()
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    for path in ontology_files(layout):
        parse_into(ontology, path)
    parse_into(dataset.graph(ENTITIES_GRAPH), layout.entities_file)
    sources = source_files(layout)
    for source in bar(sources, "loading sources"):
        load_source(dataset, source, layout)
    known = {source.facts.resolve() for source in sources}
    for path in extra_files or []:
        if path.resolve() not in known:
            if path.is_file() and path.stat().st_size > 10_000_000:  # a long parse: say so before it starts
                step(f"parsing {path} ({path.stat().st_size / 1e6:.0f} MB, with rdflib)")
            load_source(dataset, source_of(path, layout), layout, empty_ok=False)
    return dataset


def data_graph_names(dataset: Dataset) -> list[URIRef]:
    """The named graphs holding data (entities and sources), in a stable order."""
    skip = {ONTOLOGY_GRAPH, INFERRED_GRAPH}
    names = {g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef) and g.identifier not in skip}
    names.discard(URIRef("urn:x-rdflib:default"))
    return sorted(name for name in names if len(dataset.graph(name)))
