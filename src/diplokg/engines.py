"""Query engines with one interface: pyoxigraph (fast, the default) and rdflib (the reference).

Both answer over the union of the named graphs (the inferred graph included or left out), each triple
once, and bind parameters as RDF terms: pyoxigraph by serialised terms substituted for their variables
(`sparqltext.bind_constants`, so that its optimiser uses them in every pattern; a VALUES block where
substitution cannot keep the meaning), rdflib by initial bindings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.prefixes import INFERRED_GRAPH, PREFIX_IRIS
from diplokg.results import XSD_STRING, Result, Term

if TYPE_CHECKING:
    from rdflib import Dataset
    from rdflib.term import Node

LABEL_QUERY = f"""
PREFIX rdfs: <{PREFIX_IRIS["rdfs"]}> PREFIX skos: <{PREFIX_IRIS["skos"]}>
SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{
  VALUES ?s {{ %s }}
  {{ ?s rdfs:label ?l FILTER(langMatches(lang(?l), "en") || lang(?l) = "") }} UNION {{ ?s skos:prefLabel ?l }}
}} GROUP BY ?s
"""


class Engine(Protocol):
    """What the query command, the HTTP server and the benchmarks need of an engine."""

    def query(self, text: str, bindings: dict[str, Term] | None = None, inferred: bool = True,
              prefixes: dict[str, str] | None = None) -> Result: ...


def query_error(error: Exception, what: str = "The query is not valid SPARQL 1.1", text: str = "") -> DiplokgError:
    """A syntax or evaluation error as a one-paragraph message; an update sent as a query is said to be one."""
    from diplokg.sparqltext import is_update

    if is_update(text):
        return DiplokgError("This is a SPARQL update; diplokg answers queries only. The store is built from the data "
                            "files: change those, and the next command builds it again.")
    message = " ".join(str(error).split())
    return DiplokgError(f"{what}: {message}")


def default_dataset(store: ox.Store) -> dict[str, Any]:
    """The keyword arguments of Store.query that make the union of the named graphs the default graph.

    A built store holds that union in its own default graph, each triple once (diplokg.store.build): one graph
    to read, the union as a set, as SPARQL and rdflib read it. Other stores (one being built, a test's) have no
    default graph: there Oxigraph's union, a multiset (a triple two graphs hold is seen twice), which the rules,
    shapes and counts that read them do not mind."""
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        return {"default_graph": ox.DefaultGraph()}
    return {"use_default_graph_as_union": True}


def asserted_dataset(store: ox.Store, text: str) -> tuple[ox.Store, dict[str, Any]]:
    """The dataset without the inferred graph (`--no-inferred`): the RDF merge of the other graphs as the default
    graph, and those graphs named if the query has a GRAPH pattern. No graph of the store holds that merge, so
    several graphs are copied into a scratch store (named_dataset): about a second per 10^5 triples, for the
    rare query that asks for it."""
    from diplokg.sparqltext import keywords

    asserted = [g.value for g in store.named_graphs() if g.value != INFERRED_GRAPH]
    return named_dataset(store, asserted, asserted if "GRAPH" in keywords(text) else [])


def named_dataset(store: ox.Store, default: Sequence[str], named: Sequence[str]) -> tuple[ox.Store, dict[str, Any]]:
    """A dataset given by graph names (FROM and FROM NAMED, or the protocol's parameters), each graph once: the store
    to ask and Store.query's keyword arguments. SPARQL's default graph is the RDF merge of the graphs named, but
    Oxigraph reads them one after the other (a triple two of them hold would be seen twice): so several default
    graphs are merged into a scratch store, with the named graphs beside them (a copy the size of those graphs)."""
    defaults, names = [ox.NamedNode(g) for g in dict.fromkeys(default)], [ox.NamedNode(g) for g in dict.fromkeys(named)]
    if len(defaults) <= 1:
        return store, {"default_graph": defaults, "named_graphs": names}
    scratch = ox.Store()
    scratch.extend(ox.Quad(*q.triple) for g in defaults for q in store.quads_for_pattern(None, None, None, g))
    scratch.extend(q for g in names for q in store.quads_for_pattern(None, None, None, g))
    return scratch, {"default_graph": ox.DefaultGraph(), "named_graphs": names}


def query_dataset(store: ox.Store, text: str, prefixes: dict[str, str] | None, inferred: bool) -> tuple[ox.Store, dict[str, Any]]:
    """The dataset of a query on a store: that of its FROM and FROM NAMED clauses if it has any (named_dataset;
    read by Oxigraph itself if rdflib's parser cannot resolve them), else the union of the named graphs
    (default_dataset), or of the asserted ones (asserted_dataset)."""
    from diplokg.sparqltext import keywords

    if "FROM" in keywords(text):
        from diplokg.sparqlparse import dataset_clauses

        clauses = dataset_clauses(text, prefixes or {})
        return named_dataset(store, *clauses) if clauses is not None else (store, {})
    return (store, default_dataset(store)) if inferred else asserted_dataset(store, text)


class OxigraphEngine:
    """Queries on a pyoxigraph Store."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(self, text: str, bindings: dict[str, Term] | None = None, inferred: bool = True,
              prefixes: dict[str, str] | None = None) -> Result:
        try:
            store, dataset = query_dataset(self.store, text, prefixes, inferred)
            return from_oxigraph(bound_query(store, text, bindings or {}, prefixes=prefixes, **dataset))
        except SyntaxError as error:
            raise query_error(error, text=text) from None
        except (OSError, RuntimeError, ValueError) as error:
            raise query_error(error, "The query could not be evaluated") from None


def bound_query(store: ox.Store, text: str, bindings: dict[str, Term],
                **options: Any) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Store.query with parameters bound: as constants in the text, else (or if that does not parse, e.g. a
    literal where only an IRI may stand) by a VALUES block; `options` are Store.query's keyword arguments."""
    from diplokg.sparqltext import bind_constants, inject_values

    if not bindings:
        return store.query(text, **options)
    constants = bind_constants(text, bindings)
    if constants is not None:
        try:
            return store.query(constants, **options)
        except SyntaxError:
            pass
    return store.query(inject_values(text, bindings), **options)


def from_oxigraph(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
    """A pyoxigraph answer as a Result."""
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result("graph", triples=list(answer))
    return Result("select", [v.value for v in answer.variables], [tuple(solution) for solution in answer])  # in order


def to_oxigraph(node: Node | None) -> Term | None:
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if node is None:
        return None
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"not an RDF term: {node!r}")


def to_rdflib(term: Term) -> Node:
    """A pyoxigraph term as rdflib makes it when parsing (a plain string literal has no datatype,
    which rdflib does not equate with an explicit xsd:string)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))


class RdflibEngine:
    """Queries on an rdflib Dataset (the reference engine). FROM reads the dataset's graphs only: rdflib would
    otherwise fetch an IRI that names no graph of it from the web."""

    def __init__(self, dataset: Dataset) -> None:
        import rdflib.plugins.sparql

        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self.dataset = dataset

    def view(self, inferred: bool) -> Dataset:
        """The dataset itself, or a copy without the inferred graph."""
        from rdflib import URIRef

        from diplokg.loading import new_dataset

        if inferred or not len(self.dataset.graph(URIRef(INFERRED_GRAPH))):
            return self.dataset
        copy = new_dataset()
        for graph in self.dataset.graphs():
            if graph.identifier != URIRef(INFERRED_GRAPH):
                target = copy.graph(graph.identifier)
                for triple in graph:
                    target.add(triple)
        return copy

    def query(self, text: str, bindings: dict[str, Term] | None = None, inferred: bool = True,
              prefixes: dict[str, str] | None = None) -> Result:
        from pyparsing import ParseException

        initial = {name: to_rdflib(term) for name, term in (bindings or {}).items()}
        try:
            answer = self.view(inferred).query(text, initBindings=initial, initNs=prefixes or {})
        except ParseException as error:
            raise query_error(error, text=text) from None
        except Exception as error:  # rdflib's evaluator raises many kinds (unbound, type errors)
            raise query_error(error, "The query could not be evaluated by rdflib") from None
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            return Result("graph", triples=[ox.Triple(*map(to_oxigraph, t)) for t in answer])
        variables = [str(v) for v in answer.vars]
        rows = [tuple(to_oxigraph(row[i]) for i in range(len(variables))) for row in answer]
        return Result("select", variables, rows)


def labels_of(engine: Engine, result: Result) -> dict[str, str]:
    """rdfs:label (English) or skos:prefLabel of every IRI in a SELECT result."""
    iris = sorted({t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)})
    labels: dict[str, str] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(str(ox.NamedNode(i)) for i in iris[start : start + 500])
        for row in engine.query(LABEL_QUERY % values).rows:
            if row[0] is not None and row[1] is not None:
                labels[row[0].value] = row[1].value
    return labels
