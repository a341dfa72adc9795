"""Statistics: triples and entities of each kind, per named graph."""

from __future__ import annotations

from rdflib import Dataset, URIRef

from diplokg.prefixes import sparql_prologue

KINDS: dict[str, str] = {
    "persons": "foaf:Person",
    "organisations": "foaf:Organization",
    "posts": "org:Post",
    "events": "schema:Event",
    "statements": "schema:Quotation",
}

MENTIONED = sparql_prologue() + """
SELECT ?g ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?kind ?class) { %s }
  GRAPH ?g { { ?x ?p ?o } UNION { ?s ?p ?x } }
  ?x a/rdfs:subClassOf* ?class .
} GROUP BY ?g ?kind
"""


TOTAL = sparql_prologue() + """
SELECT ("all" AS ?g) ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?kind ?class) { %s }
  ?x a/rdfs:subClassOf* ?class .
} GROUP BY ?kind
"""


def graph_statistics(dataset: Dataset, per_graph: bool = True) -> dict[str, dict[str, int]]:
    """Per named graph (or, with per_graph False, for the whole dataset under "all"): the triple
    count and how many persons, organisations, posts, events and statements it mentions."""
    values = " ".join(f'("{kind}" {curie})' for kind, curie in KINDS.items())
    table: dict[str, dict[str, int]] = {}
    if per_graph:
        for graph in dataset.graphs():
            if isinstance(graph.identifier, URIRef) and len(graph) and not str(graph.identifier).startswith("urn:"):
                table[str(graph.identifier)] = {"triples": len(graph), **dict.fromkeys(KINDS, 0)}
    else:
        table["all"] = {"triples": len({t for g in dataset.graphs() for t in g}), **dict.fromkeys(KINDS, 0)}
    for row in dataset.query((MENTIONED if per_graph else TOTAL) % values):
        name = str(row.g)
        if name in table:
            table[name][str(row.kind)] = int(row.n)
    return table
