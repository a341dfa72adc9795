"""Statistics: triples and entities of each kind, per named graph and for the whole dataset.

Computed once per build on the store (a few SPARQL aggregates; kept in the store's manifest), so that
`diplokg stats` only reads them. An entity of a kind is a node typed (in an asserted graph) with the kind's
class or a subclass of it; a graph mentions it when it holds a triple with it as subject or object.
"""

from __future__ import annotations

import pyoxigraph as ox

from diplokg.prefixes import INFERRED_GRAPH, PREFIX_IRIS

KINDS: dict[str, str] = {
    "persons": "foaf:Person",
    "organisations": "foaf:Organization",
    "posts": "org:Post",
    "events": "schema:Event",
    "statements": "dip:Statement",
}
ALL = "all (distinct)"

ENTITIES = """SELECT DISTINCT ?kind ?x WHERE {
  VALUES (?kind ?class) { %s }
  ?c rdfs:subClassOf* ?class .
  GRAPH ?g { ?x a ?c } FILTER(?g != <%s>)
}"""
MENTIONS = """SELECT ?g ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  { %s } { GRAPH ?g { ?x ?p ?o } } UNION { GRAPH ?g { ?s ?p ?x } }
} GROUP BY ?g ?kind"""
TRIPLES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def graph_statistics(store: ox.Store) -> dict[str, dict[str, int]]:
    """Per named graph, then for the whole dataset (under ALL): the triple count and how many persons,
    organisations, posts, events and statements it mentions."""
    values = " ".join(f'("{kind}" {curie})' for kind, curie in KINDS.items())
    entities = ENTITIES % (values, INFERRED_GRAPH)
    table = {row["g"].value: {"triples": int(row["n"].value), **dict.fromkeys(KINDS, 0)} for row in store.query(TRIPLES)}
    for row in store.query(MENTIONS % entities, prefixes=PREFIX_IRIS, use_default_graph_as_union=True):
        table[row["g"].value][row["kind"].value] = int(row["n"].value)
    total = {"triples": int(next(iter(store.query(DISTINCT_TRIPLES)))["n"].value), **dict.fromkeys(KINDS, 0)}
    for row in store.query(entities, prefixes=PREFIX_IRIS, use_default_graph_as_union=True):
        total[row["kind"].value] += 1
    return {**dict(sorted(table.items())), ALL: total}
