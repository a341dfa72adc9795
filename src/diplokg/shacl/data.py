"""The data graph on pyoxigraph: SPARQL over it, path values and term tests with caches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from diplokg.engines import default_dataset
from diplokg.errors import DiplokgError
from diplokg.shacl import paths
from diplokg.shacl.shapes import RDF, RDFS, XSD, ShapesGraph, Term


class DataGraph:
    """The data graph: one named graph of a store, or the union of all its graphs (graph None).

    `shapes_graph` names the graph of the store that holds the shapes, for $shapesGraph in SHACL-SPARQL.
    `written` maps literals as the store keeps them to the literals as the files write them, when the
    caller has them: pyoxigraph stores numbers and booleans by value ("4.0"^^xsd:decimal as "4",
    "300"^^xsd:byte as "300"^^xsd:integer), so without it sh:datatype cannot tell a derived integer type
    from xsd:integer and results show the normalised form.
    """

    def __init__(self, store: ox.Store, graph: ox.NamedNode | None = None, shapes_graph: ox.NamedNode | None = None,
                 written: dict[Term, Term] | None = None) -> None:
        self.store, self.graph, self.shapes_graph, self.written = store, graph, shapes_graph, written
        self.options: dict[str, Any] = {"default_graph": graph} if graph else default_dataset(store)
        self.tests: dict[tuple[str, Term], bool] = {}
        self.superclasses: dict[str, set[str]] = {}

    def query(self, text: str, what: str, **extra: Any) -> Any:
        """Run a query; `what` names the shape or constraint in the error if it is not valid SPARQL."""
        try:
            return self.store.query(text, **self.options, **extra)
        except SyntaxError as error:
            raise DiplokgError(f"{what}: the query is not valid SPARQL: {' '.join(str(error).split())}") from None

    def select(self, text: str, what: str, **extra: Any) -> list[dict[str, Term]]:
        answer = self.query(text, what, **extra)
        names = [v.value for v in answer.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in answer]

    def objects(self, node: Term, predicate: ox.NamedNode, inverse: bool = False) -> list[Term]:
        """The objects (subjects if `inverse`) of `node` on `predicate`, each once."""
        if isinstance(node, ox.Literal) and not inverse:
            return []
        quads = (self.store.quads_for_pattern(None, predicate, node, self.graph) if inverse
                 else self.store.quads_for_pattern(node, predicate, None, self.graph))
        return list(dict.fromkeys(q.subject if inverse else q.object for q in quads))

    def values(self, shapes: ShapesGraph, focus: Term, path: Term | None) -> list[Term]:
        """The value nodes of `focus` for a shape with `path` (the focus itself for a node shape)."""
        if path is None:
            return [focus]
        if isinstance(path, ox.NamedNode):
            found = self.objects(focus, path)
        else:
            found = sorted(paths.evaluate(shapes, path, [focus], self.objects), key=str)
        return [self.as_written(v) for v in found] if self.written else found

    def as_written(self, term: Term) -> Term:
        return self.written.get(term, term) if self.written else term

    def triples_of(self, node: Term) -> Iterable[tuple[ox.NamedNode, Term]]:
        if isinstance(node, ox.Literal):
            return []
        return dict.fromkeys((q.predicate, q.object) for q in self.store.quads_for_pattern(node, None, None, self.graph))

    def instance_of(self, node: Term, cls: str) -> bool:
        """`node` is a SHACL instance of `cls` (rdf:type, then rdfs:subClassOf*)."""
        if isinstance(node, ox.Literal):
            return False
        return any(cls in self.supers(t.value) for t in self.objects(node, ox.NamedNode(RDF + "type"))
                   if isinstance(t, ox.NamedNode | ox.BlankNode))

    def supers(self, cls: str) -> set[str]:
        if cls not in self.superclasses:
            seen, frontier = {cls}, [ox.NamedNode(cls)]
            while frontier:
                frontier = [s for c in frontier for s in self.objects(c, ox.NamedNode(RDFS + "subClassOf"))
                            if isinstance(s, ox.NamedNode) and s.value not in seen]
                seen |= {s.value for s in frontier}
            self.superclasses[cls] = seen
        return self.superclasses[cls]

    def typed(self, node: Term, datatype: str) -> bool:
        """`node` is a literal written with `datatype` (checked on the term, which the store may have
        normalised, so before the value test)."""
        if not isinstance(node, ox.Literal):
            return False
        if node.language:
            return datatype == RDF + "langString"
        normalised = self.written is None and node.datatype.value == XSD + "integer" and datatype.startswith(XSD)
        return node.datatype.value == datatype or normalised

    def holds(self, expression: str, node: Term) -> bool:
        """A SPARQL expression over ?v holds for `node`; an error counts as false.

        A blank node is tested as a fresh one (BNODE()): the value tests only look at its kind.
        """
        key = (expression, node)
        if key not in self.tests:
            bind = "BIND(BNODE() AS ?v)" if isinstance(node, ox.BlankNode) else f"VALUES ?v {{ {node} }}"
            self.tests[key] = bool(self.store.query(f"ASK {{ {bind} FILTER(COALESCE({expression}, false)) }}"))
        return self.tests[key]

    def compare(self, left: Term, operator: str, right: Term) -> bool:
        """`left operator right` holds in SPARQL (a blank node or an incomparable pair: false)."""
        if isinstance(left, ox.BlankNode) or isinstance(right, ox.BlankNode):
            return False
        return bool(self.store.query(f"ASK {{ FILTER(COALESCE({left} {operator} {right}, false)) }}"))
