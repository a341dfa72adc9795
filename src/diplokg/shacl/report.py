"""Validation results: the result record, default messages, the SHACL report graph and the findings
located in the project's files (with the evidence quote of the focus node)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplokg.prefixes import PREFIX_IRIS
from diplokg.shacl import paths
from diplokg.shacl.shapes import RDFS, SH, ShapesGraph, Term, label

if TYPE_CHECKING:
    from rdflib import Graph

    from diplokg.paths import Layout
    from diplokg.validation import Finding

MESSAGES = {
    "class": "Value is not an instance of {p}", "datatype": "Value is not a well-formed literal of datatype {p}",
    "nodeKind": "Value is not of node kind {p}", "minCount": "Fewer than {p} values",
    "maxCount": "More than {p} values", "minExclusive": "Value is not > {p}", "minInclusive": "Value is not >= {p}",
    "maxExclusive": "Value is not < {p}", "maxInclusive": "Value is not <= {p}",
    "minLength": "Value is shorter than {p} characters", "maxLength": "Value is longer than {p} characters",
    "pattern": "Value does not match the pattern {p}", "languageIn": "Value's language is not one of the allowed ones",
    "uniqueLang": "More than one value with the same language", "equals": "Value is not also a value of {p}",
    "disjoint": "Value is also a value of {p}", "lessThan": "Value is not < the values of {p}",
    "lessThanOrEquals": "Value is not <= the values of {p}", "not": "Value conforms to the shape {p} it must not",
    "and": "Value does not conform to every shape of the sh:and", "or": "Value conforms to none of the sh:or shapes",
    "xone": "Value does not conform to exactly one of the sh:xone shapes", "node": "Value does not conform to shape {p}",
    "qualifiedMinCount": "Fewer than {p} values conform to the qualified shape",
    "qualifiedMaxCount": "More than {p} values conform to the qualified shape",
    "closed": "Predicate is not allowed by the closed shape", "hasValue": "Missing the required value {p}",
    "in": "Value is not one of the allowed values", "sparql": "SPARQL constraint not met",
}


@dataclass(frozen=True)
class ValidationResult:
    """One validation result (terms are pyoxigraph terms; `path` and `shape` are shapes-graph nodes)."""

    focus: Term
    path: Term | None
    component: str
    severity: str
    message: str
    value: Term | None
    shape: Term
    constraint: Term | None = None

    def key(self) -> tuple[str, str]:
        """(focus node, constraint component), what the equivalence with pyshacl is checked on."""
        return self.focus.value, self.component


def default_message(parameter: str, value: Term | None) -> str:
    return MESSAGES.get(parameter, "Constraint not met").replace("{p}", label(value) if value is not None else "")


def sort_key(result: ValidationResult) -> tuple[str, ...]:
    return (result.focus.value, result.component, str(result.path or ""), str(result.value), str(result.shape),
            result.message)


def results_graph(results: list[ValidationResult], shapes: ShapesGraph | None = None) -> Graph:
    """The results as a SHACL validation report graph; complex paths are copied from the shapes."""
    from rdflib import BNode, Graph, Literal
    from rdflib.namespace import RDF as RDFNS
    from rdflib.namespace import SH as SHNS
    from rdflib.term import URIRef

    from diplokg.engines import to_rdflib
    from diplokg.namespaces import bind_prefixes

    graph = Graph()
    bind_prefixes(graph.namespace_manager)
    report = BNode()
    graph.add((report, RDFNS.type, SHNS.ValidationReport))
    graph.add((report, SHNS.conforms, Literal(not any(r.severity == SH + "Violation" for r in results))))
    for result in results:
        node = BNode()
        graph.add((report, SHNS.result, node))
        graph.add((node, RDFNS.type, SHNS.ValidationResult))
        graph.add((node, SHNS.focusNode, to_rdflib(result.focus)))
        graph.add((node, SHNS.sourceConstraintComponent, URIRef(result.component)))
        graph.add((node, SHNS.resultSeverity, URIRef(result.severity)))
        graph.add((node, SHNS.sourceShape, to_rdflib(result.shape)))
        graph.add((node, SHNS.resultMessage, Literal(result.message)))
        if result.constraint is not None:
            graph.add((node, SHNS.sourceConstraint, to_rdflib(result.constraint)))
        if result.path is not None:
            graph.add((node, SHNS.resultPath, to_rdflib(result.path)))
            if isinstance(result.path, ox.BlankNode) and shapes is not None:
                copy_path(shapes, result.path, graph)
        if result.value is not None:
            graph.add((node, SHNS.value, to_rdflib(result.value)))
    return graph


def copy_path(shapes: ShapesGraph, node: Term, graph: Graph) -> None:
    """The triples of a blank-node path (and its lists) from the shapes graph into `graph`."""
    from diplokg.engines import to_rdflib

    todo, seen = [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in shapes.triples:
            if triple.subject == subject:
                graph.add((to_rdflib(subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
                if isinstance(triple.object, ox.BlankNode):
                    todo.append(triple.object)


def path_text(shapes: ShapesGraph, path: Term | None) -> str:
    return "" if path is None else paths.text(shapes, path)


def evidence(store: ox.Store, node: Term) -> str:
    """The quote (with its offsets) of the evidence of `node`: prov:wasDerivedFrom → oa:hasSelector."""
    oa, prov = PREFIX_IRIS["oa"], PREFIX_IRIS["prov"]

    def objects(subject: Term, predicate: str) -> list[Term]:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    quotes = []
    for item in dict.fromkeys(objects(node, prov + "wasDerivedFrom")):
        selectors = dict.fromkeys(objects(item, oa + "hasSelector"))
        exact = next((e for s in selectors for e in objects(s, oa + "exact")), None)
        if exact is None:
            continue
        span = next((f" [{start.value}-{end.value}]" for s in selectors for start in objects(s, oa + "start")
                     for end in objects(s, oa + "end")), "")
        quotes.append(f"“{exact.value}”{span}")
    return "; ".join(sorted(quotes)[:2])


def findings(results: list[ValidationResult], store: ox.Store, layout: Layout, shapes: ShapesGraph | None = None,
             extra: dict | None = None) -> list[Finding]:
    """The results as diplokg.validation Findings, labelled, located in the files (those of the layout,
    and `extra`: graph name → files) and with the evidence quote of the focus node."""
    from diplokg.errors import line_of
    from diplokg.prefixes import INFERRED_GRAPH, shorten
    from diplokg.validation import Finding, display_path, graph_files

    files = {str(name): paths_ for name, paths_ in {**graph_files(layout), **(extra or {})}.items()}
    has_selector = ox.NamedNode(PREFIX_IRIS["oa"] + "hasSelector")
    out = []
    for result in results:
        node = result.focus
        if isinstance(node, ox.BlankNode) or (isinstance(node, ox.NamedNode) and "#position" in node.value):
            owner = next(store.quads_for_pattern(None, has_selector, node), None)
            node = owner.subject if owner is not None else node
        graphs = sorted({q.graph_name.value for q in store.quads_for_pattern(node, None, None)
                         if isinstance(q.graph_name, ox.NamedNode)} - {INFERRED_GRAPH}) \
            if not isinstance(node, ox.Literal) else []
        file, line = "(inferred)", None
        for name in graphs:
            for path in files.get(name, []):
                line = line_of(path, shorten(node.value) + " ") or line_of(path, f"<{node.value}>")
                if line:
                    file = display_path(path, layout.root)
                    break
            if line:
                break
        label_ = next((q.object.value for p in (RDFS + "label", PREFIX_IRIS["skos"] + "prefLabel")
                       for q in store.quads_for_pattern(node, ox.NamedNode(p), None)), "") \
            if not isinstance(node, ox.Literal) else ""
        if isinstance(result.path, ox.NamedNode) or result.path is None:
            shown_path = shorten(result.path.value) if result.path is not None else ""
        else:
            shown_path = path_text(shapes, result.path) if shapes is not None else "(complex path)"
        out.append(Finding(
            focus=node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}", label=label_,
            path=shown_path, message=result.message, severity=shorten(result.severity),
            component=shorten(result.component),
            shape=shorten(result.shape.value) if isinstance(result.shape, ox.NamedNode) else "(anonymous shape)",
            value="" if result.value is None else result.value.value, file=file, line=line,
            evidence=evidence(store, node) if not isinstance(node, ox.Literal) else ""))
    return sorted(out, key=lambda f: (f.file, f.line or 0, f.focus, f.path, f.message))
