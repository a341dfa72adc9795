"""RDF and SPARQL-results formats: short names, file extensions and media types in one table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diplokg.errors import DiplokgError


@dataclass(frozen=True)
class Format:
    """One serialisation format, as the command line, files and HTTP name it."""

    name: str
    rdflib_name: str
    media_type: str
    extensions: tuple[str, ...]
    quads: bool = False


GRAPH_FORMATS = [
    Format("ttl", "turtle", "text/turtle", (".ttl",)),
    Format("nt", "nt", "application/n-triples", (".nt",)),
    Format("nq", "nquads", "application/n-quads", (".nq",), quads=True),
    Format("trig", "trig", "application/trig", (".trig",), quads=True),
    Format("jsonld", "json-ld", "application/ld+json", (".jsonld", ".json"), quads=True),
    Format("xml", "xml", "application/rdf+xml", (".rdf", ".xml", ".owl")),
]

RESULT_FORMATS = [
    Format("table", "table", "text/plain", (".txt",)),
    Format("csv", "csv", "text/csv", (".csv",)),
    Format("tsv", "tsv", "text/tab-separated-values", (".tsv",)),
    Format("json", "json", "application/sparql-results+json", (".srj", ".json")),
    Format("xml", "xml", "application/sparql-results+xml", (".srx", ".xml")),
]

ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
           "json-ld": "jsonld", "rdfxml": "xml", "rdf/xml": "xml", "text": "table"}


def choose(formats: list[Format], requested: str | None, path: str | None, default: str, what: str) -> Format:
    """The format named by `requested` (short name, alias or media type), else guessed from `path`."""
    if requested:
        key = ALIASES.get(requested.lower(), requested.lower())
        for candidate in formats:
            if key in (candidate.name, candidate.media_type):
                return candidate
        names = ", ".join(f.name for f in formats)
        raise DiplokgError(f"Unknown {what} format {requested!r}; use one of: {names} (or their media types).")
    if path and path != "-":
        suffix = Path(path).suffix.lower()
        for candidate in formats:
            if suffix in candidate.extensions:
                return candidate
    return next(f for f in formats if f.name == default)


def graph_format(requested: str | None, path: str | None = None, default: str = "ttl") -> Format:
    """An RDF graph or dataset format."""
    return choose(GRAPH_FORMATS, requested, path, default, "RDF")


def result_format(requested: str | None, path: str | None = None, default: str = "table") -> Format:
    """A SPARQL SELECT/ASK results format."""
    return choose(RESULT_FORMATS, requested, path, default, "results")
