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

REPORT_FORMATS = [
    Format("text", "text", "text/plain", (".txt",)),
    Format("turtle", "turtle", "text/turtle", (".ttl",)),
    Format("json", "json", "application/json", (".json",)),
]

TABLE_FORMATS = [
    Format("table", "table", "text/plain", (".txt",)),
    Format("csv", "csv", "text/csv", (".csv",)),
    Format("json", "json", "application/json", (".json",)),
]

IMAGE_FORMATS = [
    Format("svg", "svg", "image/svg+xml", (".svg",)),
    Format("png", "png", "image/png", (".png",)),
]

KNOWN_EXTENSIONS = {e for kind in (GRAPH_FORMATS, RESULT_FORMATS, IMAGE_FORMATS) for f in kind for e in f.extensions}
KNOWN_EXTENSIONS |= {".html", ".htm", ".pdf", ".rq", ".sparql", ".txt"}

ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
           "json-ld": "jsonld", "rdfxml": "xml", "rdf/xml": "xml", "text": "table"}


def choose(formats: list[Format], requested: str | None, path: str | None, default: str, what: str) -> Format:
    """The format named by `requested` (short name, alias or media type), else the one `path`'s extension names.

    One rule everywhere: the format follows the extension; an extension that names another format
    than the requested one, or (with no format requested) none of this kind, is an error. A file with
    no extension, or '-', gets the default format.
    """
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    extensions = ", ".join(e for f in formats for e in f.extensions)
    if requested:
        keys = {requested.lower(), ALIASES.get(requested.lower(), requested.lower())}
        chosen = next((f for f in formats if keys & {f.name, f.media_type}), None)
        if chosen is None:
            names = ", ".join(f.name for f in formats)
            raise DiplokgError(f"Unknown {what} format {requested!r}; use one of: {names} (or their media types).")
        if suffix in KNOWN_EXTENSIONS and suffix not in chosen.extensions:
            raise DiplokgError(f"{path}: the extension {suffix} contradicts the {what} format {chosen.name!r}; "
                               f"name the file {' or '.join(chosen.extensions)}, or leave --format out.")
        return chosen
    if suffix:
        chosen = next((f for f in formats if suffix in f.extensions), None)
        if chosen is None:
            raise DiplokgError(f"{path}: cannot tell the {what} format from the extension {suffix}; "
                               f"name the file with one of {extensions}, or give --format.")
        return chosen
    return next(f for f in formats if f.name == default)


def graph_format(requested: str | None, path: str | None = None, default: str = "ttl") -> Format:
    """An RDF graph or dataset format."""
    return choose(GRAPH_FORMATS, requested, path, default, "RDF")


def report_format(requested: str | None, path: str | None = None) -> Format:
    """A validation report format (text, turtle, json)."""
    return choose(REPORT_FORMATS, requested, path, "text", "report")


def table_format(requested: str | None, path: str | None = None) -> Format:
    """A format for a plain table such as `stats` (table, csv, json)."""
    return choose(TABLE_FORMATS, requested, path, "table", "table")


def image_format(requested: str | None, path: str | None = None) -> Format:
    """A picture format (svg, png)."""
    return choose(IMAGE_FORMATS, requested, path, "svg", "picture")


def result_format(requested: str | None, path: str | None = None, default: str = "table") -> Format:
    """A SPARQL SELECT/ASK results format."""
    return choose(RESULT_FORMATS, requested, path, default, "results")
