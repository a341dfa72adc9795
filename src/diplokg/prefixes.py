"""The IRIs of diplokg as plain strings (no rdflib import, for the fast query path)."""

from __future__ import annotations

BASE = "https://w3id.org/diplokg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
ENTITIES_GRAPH = GRAPH + "entities"
INFERRED_GRAPH = GRAPH + "inferred"

PREFIX_IRIS: dict[str, str] = {
    "dip": BASE + "ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "person": ID + "person/",
    "orgn": ID + "org/",
    "post": ID + "post/",
    "place": ID + "place/",
    "event": ID + "event/",
    "deleg": ID + "delegation/",
    "part": ID + "participation/",
    "mem": ID + "membership/",
    "stmt": ID + "statement/",
    "name": ID + "name/",
    "sit": ID + "situation/",
    "disc": ID + "discrepancy/",
    "agr": ID + "agreement/",
    "src": ID + "source/",
    "ev": ID + "evidence/",
    "topic": ID + "topic/",
    "etype": ID + "event-type/",
    "cap": ID + "capacity/",
    "role": ID + "role/",
    "agent": ID + "agent/",
    "graph": GRAPH,
}


def sparql_prologue() -> str:
    """The PREFIX declarations of every diplokg prefix, for SPARQL text."""
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIX_IRIS.items())


def expand_curie(value: str) -> str | None:
    """The full IRI of `prefix:local` for a known prefix, else None."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIX_IRIS and not local.startswith("//"):
        return PREFIX_IRIS[prefix] + local
    return None


def shorten(iri: str) -> str:
    """`prefix:local` for an IRI under a known namespace (the longest match), else the IRI."""
    best = max((p for p, ns in PREFIX_IRIS.items() if iri.startswith(ns)), key=lambda p: len(PREFIX_IRIS[p]),
               default=None)
    return f"{best}:{iri[len(PREFIX_IRIS[best]):]}" if best else iri
