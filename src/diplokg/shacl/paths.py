"""SHACL property paths: as SPARQL 1.1 path text (for compiled queries), evaluated from a node in
Python (for per-node checks, blank nodes included) and written as readable text."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.shacl.shapes import RDF, SH, ShapesGraph, Term

Step = Callable[[Term, ox.NamedNode, bool], Iterable[Term]]  # (node, predicate, inverse) → next nodes
UNARY = {SH + "inversePath": "^", SH + "zeroOrMorePath": "*", SH + "oneOrMorePath": "+", SH + "zeroOrOnePath": "?"}


def kind(shapes: ShapesGraph, path: Term) -> tuple[str, Term | list[Term]]:
    """The kind of a path node ('iri', 'sequence', 'alternative' or a UNARY key) and its operand(s)."""
    if isinstance(path, ox.NamedNode):
        return "iri", path
    if isinstance(path, ox.BlankNode):
        if shapes.objects(path, RDF + "first"):
            return "sequence", shapes.items(path)
        alternative = shapes.value(path, SH + "alternativePath")
        if alternative is not None:
            return "alternative", shapes.items(alternative)
        for predicate in UNARY:
            inner = shapes.value(path, predicate)
            if inner is not None:
                return predicate, inner
    raise DiplokgError(f"{path} is not a SHACL property path.")


def sparql(shapes: ShapesGraph, path: Term) -> str:
    """The path in SPARQL 1.1 property path syntax."""
    what, operand = kind(shapes, path)
    if what == "iri":
        return f"<{operand.value}>"
    if what in ("sequence", "alternative"):
        joiner = "/" if what == "sequence" else "|"
        return "(" + joiner.join(sparql(shapes, p) for p in operand) + ")"
    inner = sparql(shapes, operand)
    return f"(^{inner})" if what == SH + "inversePath" else f"({inner}{UNARY[what]})"


def text(shapes: ShapesGraph, path: Term, name: Callable[[str], str] | None = None) -> str:
    """The path for a person: CURIEs (diplokg's, or as `name` writes an IRI), SPARQL operators, no brackets
    around a single IRI."""
    from diplokg.prefixes import shorten

    name = name or shorten
    what, operand = kind(shapes, path)
    if what == "iri":
        return name(operand.value)
    if what in ("sequence", "alternative"):
        return "(" + ("/" if what == "sequence" else "|").join(text(shapes, p, name) for p in operand) + ")"
    inner = text(shapes, operand, name)
    return "^" + inner if what == SH + "inversePath" else inner + UNARY[what]


def evaluate(shapes: ShapesGraph, path: Term, start: Iterable[Term], step: Step, backwards: bool = False) -> set[Term]:
    """The nodes reached from `start` along the path (against it if `backwards`)."""
    nodes = set(start)
    what, operand = kind(shapes, path)
    if what == "iri":
        return {o for n in nodes for o in step(n, operand, backwards)}
    if what == SH + "inversePath":
        return evaluate(shapes, operand, nodes, step, not backwards)
    if what == "sequence":
        for part in reversed(operand) if backwards else operand:
            nodes = evaluate(shapes, part, nodes, step, backwards)
        return nodes
    if what == "alternative":
        return set().union(*(evaluate(shapes, p, nodes, step, backwards) for p in operand))
    if what == SH + "zeroOrOnePath":
        return nodes | evaluate(shapes, operand, nodes, step, backwards)
    reached: set[Term] = set(nodes) if what == SH + "zeroOrMorePath" else set()
    frontier = nodes
    while frontier:
        frontier = evaluate(shapes, operand, frontier, step, backwards) - reached
        reached |= frontier
    return reached
