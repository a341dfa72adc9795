"""Query results, engine-neutral (pyoxigraph terms), and their W3C serialisations.

SELECT and ASK answers serialise as SPARQL 1.1 JSON, XML, CSV and TSV, or a readable table;
CONSTRUCT and DESCRIBE answers as any RDF graph format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
NOT_IN_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]"  # characters XML 1.0 cannot carry at all
OX_GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                    "xml": ox.RdfFormat.RDF_XML, "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


@dataclass
class Result:
    """The answer to a query: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def comparable(self) -> object:
        """A plain-data form of the answer, for comparing the answers of two engines."""
        if self.kind == "ask":
            return self.boolean
        if self.kind == "graph":
            return sorted(str(t) for t in self.triples if not any(isinstance(x, ox.BlankNode) for x in t))
        return [tuple(None if t is None else str(t) for t in row) for row in self.rows]


def lexical(term: Term | None) -> str:
    """The plain value of a term, as SPARQL CSV writes it."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def json_term(term: Term) -> dict[str, str]:
    """A term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def to_json(result: Result) -> str:
    """SPARQL 1.1 JSON results, compact (as SPARQL servers send them; Python's C encoder, 4x faster than
    indented output, which the pure-Python encoder writes)."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [{v: json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
                for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def escape(text: str) -> str:
    """Text as XML character data (xml.sax.saxutils would import urllib.request: 30 ms per command); a carriage
    return as a reference, which XML parsers would otherwise read as a line feed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def refuse_if_not_xml(text: str, what: str) -> None:
    """Raise DiplokgError if a value holds a character that no XML 1.0 document can carry (not even escaped)."""
    found = re.search(NOT_IN_XML, text)
    if found:
        from diplokg.errors import DiplokgError

        raise DiplokgError(f"The answer holds the character U+{ord(found.group()):04X}, which {what} cannot carry "
                           "(XML 1.0 allows no such control character); ask for another format, such as JSON or CSV "
                           "(N-Triples or Turtle for a graph).")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value."""
    escaped = escape(text).replace('"', "&quot;")
    return '"' + escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def to_xml(result: Result) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{str(result.boolean).lower()}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            cells = [f"<binding name={quoteattr(v)}>{xml_term(t)}</binding>"
                     for v, t in zip(result.variables, row, strict=True) if t is not None]
            out.append("<result>" + "".join(cells) + "</result>")
        out.append("</results>")
    out.append("</sparql>")
    text = "\n".join(out) + "\n"
    refuse_if_not_xml(text, "SPARQL XML results")
    return text


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerows([["boolean"], [str(result.boolean).lower()]])
    else:
        writer.writerow(result.variables)
        writer.writerows([lexical(t) for t in row] for row in result.rows)
    return buffer.getvalue()


def to_tsv(result: Result) -> str:
    if result.kind == "ask":
        return f"?boolean\n{str(result.boolean).lower()}\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def display(term: Term | None, labels: dict[str, str], show_iri: bool) -> str:
    """A cell of the readable table: an IRI as its label (and the IRI on request)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        from diplokg.prefixes import shorten

        label = labels.get(term.value)
        short = shorten(term.value)
        if label is None:
            return short
        return f"{label} <{short}>" if show_iri else label
    return lexical(term)


def to_table(result: Result, labels: dict[str, str] | None = None, show_iri: bool = False) -> str:
    """A fixed-width text table, IRIs shown by label."""
    if result.kind == "ask":
        return ("yes" if result.boolean else "no") + "\n"
    labels = labels or {}
    cells = [[display(t, labels, show_iri).replace("\n", " ") for t in row] for row in result.rows]
    widths = [min(60, max([len(v)] + [len(row[i]) for row in cells])) for i, v in enumerate(result.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(value[: w - 1] + "…" if len(value) > w else value.ljust(w)
                         for value, w in zip(values, widths, strict=True)).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])] + [line(row) for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def graph_bytes(result: Result, format_name: str) -> bytes:
    """The triples of a CONSTRUCT/DESCRIBE answer in an RDF format (short name)."""
    data = ox.serialize(result.triples, format=OX_GRAPH_FORMATS[format_name]) or b""
    if format_name == "xml":
        refuse_if_not_xml(data.decode("utf-8", "surrogatepass"), "RDF/XML")
    return data


WRITERS: dict[str, Callable[[Result], str]] = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}
