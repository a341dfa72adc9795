"""The server described in RDF: the SPARQL 1.1 Service Description of /sparql and the VoID/DCAT of the dataset.

Every IRI of these descriptions starts with the server's public base URL (`--base-url`, else the
address it listens on), never with what a client sent in its Host header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from diplokg.export import Dumps
    from diplokg.store import Built

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"  # the data's licence, as pyproject.toml states it
EXTRA_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "formats": "http://www.w3.org/ns/formats/"}
RESULT_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                      "tsv": "SPARQL_Results_TSV"}
GRAPH_FORMAT_IRIS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "xml": "RDF_XML"}


def curie(value: str) -> ox.NamedNode:
    """The IRI of a prefixed name (diplokg prefixes, sd: and formats:)."""
    from diplokg.prefixes import PREFIX_IRIS

    prefix, _, local = value.partition(":")
    return ox.NamedNode((PREFIX_IRIS | EXTRA_PREFIXES)[prefix] + local)


def rdf_triples(subject: ox.NamedNode | ox.BlankNode, properties: dict[str, Any]) -> list[ox.Triple]:
    """Triples of one subject from {curie: object or list of objects}; plain Python values become literals."""

    def term(value: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
            return value
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=curie("xsd:integer"))
        return ox.Literal(str(value), language="en")

    return [ox.Triple(subject, curie(predicate), term(value)) for predicate, objects in properties.items()
            for value in (objects if isinstance(objects, list) else [objects])]


def vocabularies(store: ox.Store) -> list[str]:
    """The namespaces of the dataset's predicates and classes, among the known prefixes (not our own IRIs)."""
    from diplokg.engines import default_dataset
    from diplokg.prefixes import GRAPH, ID, PREFIX_IRIS

    spaces = sorted((ns for ns in PREFIX_IRIS.values() if not ns.startswith((ID, GRAPH))), key=len, reverse=True)
    terms = store.query("SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }",
                        **default_dataset(store))
    return sorted({next((ns for ns in spaces if s["term"].value.startswith(ns)), "") for s in terms} - {""})


@dataclass(frozen=True)
class Descriptions:
    """What the descriptions say of the dataset: its graphs with their sizes, dumps and vocabularies.

    Each description is built once per base URL (its blank nodes, and so its ETag, stay the same)."""

    counts: dict[str, int]
    union: int  # triples in the default graph, the union of the named graphs: each triple once
    dumps: Dumps
    vocabularies: list[str]
    built: dict[tuple[str, str], list[ox.Triple]] = field(default_factory=dict, compare=False)

    def described(self, what: str, base: str) -> list[ox.Triple]:
        """The service description ("sd") or VoID ("void") of the server at `base`."""
        if (what, base) not in self.built:
            self.built[what, base] = self.service_description(base) if what == "sd" else self.void(base)
        return self.built[what, base]

    @classmethod
    def of(cls, build: Built, dumps: Dumps) -> Descriptions:
        """From a build's manifest (graph sizes) and its derived values (vocabularies, computed once per build)."""
        vocabularies_used = build.derived("vocabularies", lambda: vocabularies(build.store))
        return cls(build.manifest.graphs, build.manifest.merged, dumps, vocabularies_used)

    @cached_property
    def graphs(self) -> list[str]:
        """The graph names, sorted (once: a large corpus has thousands)."""
        return sorted(self.counts)

    def asserted_triples(self) -> int:
        """Triples in the asserted graphs, per graph (the lines of the N-Quads dump)."""
        from diplokg.prefixes import INFERRED_GRAPH

        return sum(n for g, n in self.counts.items() if g != INFERRED_GRAPH)

    def service_description(self, base: str) -> list[ox.Triple]:
        """The SPARQL 1.1 Service Description of /sparql."""
        endpoint = ox.NamedNode(base + "sparql")
        service, dataset, default = (ox.NamedNode(base + "sparql#" + n) for n in ("service", "dataset", "default-graph"))
        formats = [curie("formats:" + iri) for iri in [*RESULT_FORMAT_IRIS.values(), *GRAPH_FORMAT_IRIS.values()]]
        out = rdf_triples(service, {"rdf:type": curie("sd:Service"), "sd:endpoint": endpoint,
                                    "sd:supportedLanguage": curie("sd:SPARQL11Query"), "sd:resultFormat": formats,
                                    "sd:feature": curie("sd:UnionDefaultGraph"), "sd:defaultDataset": dataset})
        named = []
        for graph in self.graphs:
            node, description = ox.BlankNode(), ox.BlankNode()
            named.append(node)
            out += rdf_triples(node, {"rdf:type": curie("sd:NamedGraph"), "sd:name": ox.NamedNode(graph),
                                      "sd:graph": description})
            out += rdf_triples(description, {"rdf:type": curie("sd:Graph"), "void:triples": self.counts[graph]})
        out += rdf_triples(dataset, {"rdf:type": curie("sd:Dataset"), "sd:defaultGraph": default, "sd:namedGraph": named})
        return out + rdf_triples(default, {
            "rdf:type": curie("sd:Graph"), "void:triples": self.union,
            "rdfs:comment": "The union of the named graphs, the inferred graph included, each triple once."})

    def void(self, base: str) -> list[ox.Triple]:
        """VoID and DCAT description of the dataset, its endpoint, dumps, graphs and vocabularies."""
        import diplokg
        from diplokg.prefixes import ID

        document, dataset, service = (ox.NamedNode(base + ".well-known/void" + n) for n in ("", "#dataset", "#service"))
        endpoint = ox.NamedNode(base + "sparql")
        title, _, description = (diplokg.__doc__ or "").partition(":")
        distributions = []
        out = rdf_triples(document, {"rdf:type": curie("void:DatasetDescription"), "dcterms:title": f"VoID of {title}",
                                     "foaf:primaryTopic": dataset})
        for name in self.dumps.formats:
            node, size = ox.BlankNode(), self.dumps.size(name)
            distributions.append(node)
            out += rdf_triples(node, {
                "rdf:type": curie("dcat:Distribution"), "dcat:downloadURL": ox.NamedNode(base + "dumps/" + name),
                "dcat:mediaType": ox.NamedNode("https://www.iana.org/assignments/media-types/" + self.dumps.media_type(name)),
                **({} if size is None else {"dcat:byteSize": ox.Literal(str(size), datatype=curie("xsd:nonNegativeInteger"))})})
        out += rdf_triples(service, {"rdf:type": curie("dcat:DataService"), "dcat:endpointURL": endpoint,
                                     "dcterms:conformsTo": ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"),
                                     "dcat:servesDataset": dataset})
        for graph in self.graphs:
            out += rdf_triples(ox.NamedNode(graph), {"rdf:type": curie("void:Dataset"), "void:triples": self.counts[graph]})
        return out + rdf_triples(dataset, {
            "rdf:type": [curie("void:Dataset"), curie("dcat:Dataset")],
            "dcterms:title": title.strip(), "dcterms:description": description.strip(),
            "dcterms:license": ox.NamedNode(DATA_LICENSE), "void:triples": self.asserted_triples(),
            "void:uriSpace": ox.Literal(ID), "void:sparqlEndpoint": endpoint,
            "void:dataDump": [ox.NamedNode(base + "dumps/" + name) for name in self.dumps.formats],
            "void:vocabulary": [ox.NamedNode(v) for v in self.vocabularies],
            "void:subset": [ox.NamedNode(g) for g in self.graphs],
            "dcat:distribution": distributions, "dcat:accessService": service})
