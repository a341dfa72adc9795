"""The shapes graph: its triples indexed by subject and predicate, and what a shape declares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.prefixes import PREFIX_IRIS

SH, RDF, RDFS, XSD = (PREFIX_IRIS[p] for p in ("sh", "rdf", "rdfs", "xsd"))
OWL = "http://www.w3.org/2002/07/owl#"
Term = ox.NamedNode | ox.BlankNode | ox.Literal
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
TARGETS = tuple(SH + p for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"))
# The parameters of the Core constraint components, each named after its main parameter; the
# parameters that only qualify another one (sh:flags, sh:ignoredProperties, ...) are not listed.
CORE = ("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
        "maxInclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang", "equals", "disjoint",
        "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "property", "qualifiedMinCount",
        "qualifiedMaxCount", "closed", "hasValue", "in", "sparql")
COMPONENT = {p: SH + p[0].upper() + p[1:] + "ConstraintComponent" for p in CORE}
COMPONENT.update(qualifiedMinCount=SH + "QualifiedMinCountConstraintComponent",
                 qualifiedMaxCount=SH + "QualifiedMaxCountConstraintComponent",
                 sparql=SH + "SPARQLConstraintComponent")
# sh: terms a shape may carry that the engine does not implement: an error, never a silent skip
UNSUPPORTED = {SH + p for p in ("rule", "expression", "js", "jsLibrary", "condition", "filterShape")}


class ShapesGraph:
    """The triples of the shapes graph, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self.triples = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
        self.index: dict[tuple[Term, str], list[Term]] = defaultdict(list)
        self.by_subject: dict[Term, set[str]] = defaultdict(set)
        for triple in self.triples:
            if triple.object not in self.index[triple.subject, triple.predicate.value]:
                self.index[triple.subject, triple.predicate.value].append(triple.object)
            self.by_subject[triple.subject].add(triple.predicate.value)
        self.checked = False  # by diplokg.shacl.wellformed, which refuses an ill-formed shapes graph

    @classmethod
    def parse(cls, path: Path) -> ShapesGraph:
        """The shapes of a Turtle file, checked: an ill-formed shapes graph is a DiplokgError naming
        the file, the shape and the property of each problem."""
        from diplokg.shacl.wellformed import check

        try:
            shapes = cls(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError) as error:
            raise DiplokgError(f"{path}: cannot read the shapes: {' '.join(str(error).split())}") from None
        check(shapes, path)
        return shapes

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return self.index.get((node, predicate), [])

    def subjects(self, predicate: str, obj: Term) -> list[Term]:
        return [t.subject for t in self.triples if t.predicate.value == predicate and t.object == obj]

    def value(self, node: Term, predicate: str) -> Term | None:
        found = self.objects(node, predicate)
        return found[0] if found else None

    def items(self, head: Term | None) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        seen = set()
        while head is not None and head != ox.NamedNode(RDF + "nil") and head not in seen:
            seen.add(head)
            out += self.objects(head, RDF + "first")
            head = self.value(head, RDF + "rest")
        return out

    def predicates(self, node: Term) -> set[str]:
        return self.by_subject.get(node, set())

    def is_true(self, node: Term, predicate: str) -> bool:
        return self.value(node, predicate) == TRUE

    def deactivated(self, shape: Term) -> bool:
        return self.is_true(shape, SH + "deactivated")

    def path(self, shape: Term) -> Term | None:
        return self.value(shape, SH + "path")

    def severity(self, shape: Term) -> str:
        found = self.value(shape, SH + "severity")
        return found.value if found is not None else SH + "Violation"

    def types(self, node: Term) -> set[str]:
        return {t.value for t in self.objects(node, RDF + "type")}

    def instances(self, cls: str) -> list[Term]:
        """The SHACL instances of `cls` in the shapes graph (rdf:type, then rdfs:subClassOf*)."""
        classes, frontier = {cls}, [ox.NamedNode(cls)]
        while frontier:
            frontier = [s for c in frontier for s in self.subjects(RDFS + "subClassOf", c) if s.value not in classes]
            classes |= {c.value for c in frontier}
        return [t.subject for t in self.triples if t.predicate.value == RDF + "type" and t.object.value in classes]

    def targeted(self) -> list[Term]:
        """The shapes that have targets, explicit or implicit (a shape that is also a class)."""
        classes = {RDFS + "Class", OWL + "Class"}
        shapes = {SH + "NodeShape", SH + "PropertyShape"}
        found = {s for (s, p) in self.index if p in TARGETS}
        found |= {s for s in self.by_subject if self.types(s) & classes and self.types(s) & shapes}
        return sorted(found, key=str)

    def prologue(self, node: Term) -> str:
        """PREFIX lines for a SPARQL-based constraint or target (sh:prefixes → sh:declare)."""
        lines = []
        owners, seen = list(self.objects(node, SH + "prefixes")), set()
        while owners:  # the declarations of each sh:prefixes value and of what it owl:imports
            owner = owners.pop()
            if owner in seen:
                continue
            seen.add(owner)
            owners += self.objects(owner, OWL + "imports")
            for declaration in self.objects(owner, SH + "declare"):
                prefix, namespace = self.value(declaration, SH + "prefix"), self.value(declaration, SH + "namespace")
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return "\n".join(lines) + "\n"

    def check_supported(self, shape: Term) -> None:
        """Refuse a shape that uses a SHACL feature the engine does not implement."""
        unknown = self.predicates(shape) & UNSUPPORTED
        if unknown:
            names = ", ".join(sorted(label(ox.NamedNode(p)) for p in unknown))
            raise DiplokgError(f"Shape {label(shape)} uses what the fast validator does not support: {names}; "
                               "use --engine pyshacl.")


def label(term: Term) -> str:
    """A term for a message: a CURIE where a prefix is known, else the IRI or the literal."""
    from diplokg.prefixes import shorten

    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return "(anonymous)"
    return term.value
