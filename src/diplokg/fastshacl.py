"""SHACL validation at scale: the shapes compiled to SPARQL and run by pyoxigraph.

pyshacl (diplokg.validation) stays the reference. Here every constraint of every shape becomes one
SELECT over the whole graph that returns the violating (focus node, value) pairs at once, instead
of a check per focus node. Supported, which is what ontology/shapes.ttl uses:

- targets: sh:targetClass (with rdfs:subClassOf*), sh:targetNode, sh:targetSubjectsOf,
  sh:targetObjectsOf, and SHACL-AF SPARQL targets (sh:target [ a sh:SPARQLTarget ]);
- Core: sh:class, sh:datatype, sh:nodeKind, sh:minCount, sh:maxCount, sh:pattern (with sh:flags),
  sh:minLength, sh:maxLength, sh:min/maxInclusive, sh:min/maxExclusive, sh:languageIn, sh:uniqueLang,
  sh:in, sh:hasValue, sh:lessThan,
  sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount, sh:not, sh:or
  (the nested shapes of the last three: sh:class, sh:datatype, sh:nodeKind, sh:minCount with a
  path), on property shapes whose sh:path is an IRI and on node shapes;
- SHACL-SPARQL: sh:sparql SELECT constraints, with $this bound by joining the compiled target into
  the query (sh:prefixes resolved from sh:declare), and {?var} / {$var} in sh:message.

A shape using anything else raises DiplokgError, so a shape is never silently skipped.

One known difference: pyoxigraph stores every literal of a type derived from xsd:integer (such as
xsd:nonNegativeInteger) as xsd:integer (oxigraph issue 526), so `sh:datatype xsd:nonNegativeInteger`
is checked as "an xsd:integer that is at least 0": a value typed xsd:integer where a
nonNegativeInteger is required passes here and fails in pyshacl.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.prefixes import PREFIX_IRIS

if TYPE_CHECKING:
    from rdflib import Graph

    from diplokg.paths import Layout
    from diplokg.validation import Finding

SH, RDF, RDFS, XSD = (PREFIX_IRIS[p] for p in ("sh", "rdf", "rdfs", "xsd"))
Term = ox.NamedNode | ox.BlankNode | ox.Literal
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    # datatypes oxigraph stores as xsd:integer, with their inclusive bounds
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
CASTABLE = {"boolean", "decimal", "double", "float", "date", "dateTime", "time", "duration",
            "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay"}
NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
              "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
              "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))"}
HANDLED = {SH + p for p in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target", "path", "property", "sparql",
    "severity", "message", "name", "description", "order", "group", "deactivated", "class", "datatype",
    "nodeKind", "minCount", "maxCount", "pattern", "flags", "minLength", "maxLength", "languageIn",
    "uniqueLang", "in", "hasValue", "lessThan", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
    "not", "or", "prefixes", "declare", "defaultValue")} | {RDF + "type", RDFS + "label", RDFS + "comment"}


@dataclass(frozen=True)
class ValidationResult:
    """One validation result, as pyshacl reports it (terms are pyoxigraph terms, IRIs full)."""

    focus: Term
    path: str | None
    component: str
    severity: str
    message: str
    value: Term | None
    shape: Term

    def key(self) -> tuple[str, str]:
        """(focus node, constraint component), what the equivalence with pyshacl is checked on."""
        return self.focus.value, self.component


class ShapesGraph:
    """The triples of a shapes file, indexed by subject and predicate."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.index: dict[tuple[Term, str], list[Term]] = defaultdict(list)
        for triple in triples:
            self.index[triple.subject, triple.predicate.value].append(triple.object)

    @classmethod
    def parse(cls, path: Path) -> ShapesGraph:
        try:
            return cls(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError) as error:
            raise DiplokgError(f"{path}: cannot read the shapes: {' '.join(str(error).split())}") from None

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return self.index.get((node, predicate), [])

    def value(self, node: Term, predicate: str) -> Term | None:
        found = self.objects(node, predicate)
        return found[0] if found else None

    def items(self, head: Term | None) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            out += self.objects(head, RDF + "first")
            head = self.value(head, RDF + "rest")
        return out

    def predicates(self, node: Term) -> set[str]:
        return {p for (s, p) in self.index if s == node}

    def prologue(self, node: Term) -> str:
        """PREFIX lines for a SPARQL-based constraint or target (sh:prefixes → sh:declare)."""
        lines = []
        for owner in self.objects(node, SH + "prefixes"):
            for declaration in self.objects(owner, SH + "declare"):
                prefix, namespace = self.value(declaration, SH + "prefix"), self.value(declaration, SH + "namespace")
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return "\n".join(lines) + "\n"


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def term(node: Term) -> str:
    """A term in SPARQL syntax."""
    return str(node)


@dataclass
class Query:
    """A compiled check: SELECT ?this ?value (?path, and message variables) of every violation."""

    text: str
    component: str
    severity: str
    message: str
    shape: Term
    path: str | None
    sparql: bool = False


@dataclass
class Compiler:
    """Compiles the shapes of a ShapesGraph into queries against one data store."""

    shapes: ShapesGraph
    store: ox.Store
    queries: list[Query] = field(default_factory=list)
    subclasses_cache: dict[str, list[str]] = field(default_factory=dict)
    counter: int = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"?_{self.counter}"

    def subclasses(self, cls: str) -> list[str]:
        """The class and every class below it in the data (rdfs:subClassOf*)."""
        if cls not in self.subclasses_cache:
            rows = self.store.query(f"SELECT DISTINCT ?c WHERE {{ ?c {iri(RDFS + 'subClassOf')}* {iri(cls)} }}",
                                    use_default_graph_as_union=True)
            self.subclasses_cache[cls] = sorted({row["c"].value for row in rows} | {cls})
        return self.subclasses_cache[cls]

    def instance_of(self, node: str, cls: str) -> str:
        """A group pattern: `node` is a SHACL instance of `cls`."""
        var = self.fresh()
        classes = " ".join(iri(c) for c in self.subclasses(cls))
        return f"VALUES {var} {{ {classes} }} {node} {iri(RDF + 'type')} {var} ."

    def target(self, shape: Term) -> str | None:
        """A group pattern binding ?this to each focus node of `shape`, or None without targets."""
        parts = []
        for cls in self.shapes.objects(shape, SH + "targetClass"):
            parts.append(self.instance_of("?this", cls.value))
        for node in self.shapes.objects(shape, SH + "targetNode"):
            parts.append(f"VALUES ?this {{ {term(node)} }}")
        for prop in self.shapes.objects(shape, SH + "targetSubjectsOf"):
            parts.append(f"?this {term(prop)} {self.fresh()} .")
        for prop in self.shapes.objects(shape, SH + "targetObjectsOf"):
            parts.append(f"{self.fresh()} {term(prop)} ?this .")
        for target in self.shapes.objects(shape, SH + "target"):
            text = self.shapes.value(target, SH + "select")
            if text is None:
                raise DiplokgError(f"Shape {shape}: only SPARQL targets (sh:select) are supported as sh:target.")
            parts.append(f"{{ {strip_prologue(text.value)} }}")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { { " + " } UNION { ".join(parts) + " } } }"

    def target_predicates(self, shape: Term) -> set[str]:
        return self.shapes.predicates(shape) & {SH + p for p in ("targetClass", "targetNode", "targetSubjectsOf",
                                                                 "targetObjectsOf", "target")}

    def compile_all(self) -> list[Query]:
        for shape in sorted({s for (s, p) in self.shapes.index if p in {SH + "targetClass", SH + "targetNode",
                             SH + "targetSubjectsOf", SH + "targetObjectsOf", SH + "target"}}, key=str):
            if self.shapes.value(shape, SH + "deactivated") == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")):
                continue
            focus = self.target(shape)
            assert focus is not None
            self.compile_shape(shape, focus, None)
            for prop in self.shapes.objects(shape, SH + "property"):
                path = self.shapes.value(prop, SH + "path")
                if not isinstance(path, ox.NamedNode):
                    raise DiplokgError(f"Property shape {prop} of {shape}: only IRI paths are supported, not {path}.")
                self.compile_shape(prop, focus, path.value)
        return self.queries

    def add(self, shape: Term, path: str | None, component: str, where: str, value: bool) -> None:
        """Register the query of one constraint; `value` says whether ?v is the offending value."""
        severity = self.shapes.value(shape, SH + "severity")
        own = self.shapes.value(shape, SH + "message")
        select = "?this (?v AS ?value)" if value else "?this"
        self.queries.append(Query(f"SELECT DISTINCT {select} WHERE {{ {where} }}", SH + component + "ConstraintComponent",
                                  severity.value if severity is not None else SH + "Violation",
                                  own.value if own is not None else f"{component} constraint not met", shape, path))

    def compile_shape(self, shape: Term, focus: str, path: str | None) -> None:
        """Queries for the constraints of one shape: a node shape (path None) or a property shape."""
        unknown = self.shapes.predicates(shape) - HANDLED
        if unknown:
            raise DiplokgError(f"Shape {shape} uses what the fast validator does not support: {', '.join(sorted(unknown))}.")
        values = f"{focus} ?this {iri(path)} ?v ." if path else f"{focus} BIND(?this AS ?v)"
        get = self.shapes.value
        for cls in self.shapes.objects(shape, SH + "class"):
            self.add(shape, path, "Class", f"{values} FILTER NOT EXISTS {{ {self.instance_of('?v', cls.value)} }}", True)
        for datatype in self.shapes.objects(shape, SH + "datatype"):
            self.add(shape, path, "Datatype", f"{values} FILTER(!COALESCE({has_datatype('?v', datatype.value)}, false))", True)
        for kind in self.shapes.objects(shape, SH + "nodeKind"):
            test = NODE_KINDS[kind.value.removeprefix(SH)].format(v="?v")
            self.add(shape, path, "NodeKind", f"{values} FILTER(!{test})", True)
        for pattern in self.shapes.objects(shape, SH + "pattern"):
            flags = get(shape, SH + "flags")
            regex = f"REGEX(STR(?v), {literal(pattern.value)}, {literal(flags.value if flags else '')})"
            self.add(shape, path, "Pattern", f"{values} FILTER(isBlank(?v) || !COALESCE({regex}, false))", True)
        for bound, component, test in (("minLength", "MinLength", "<"), ("maxLength", "MaxLength", ">")):
            for limit in self.shapes.objects(shape, SH + bound):
                self.add(shape, path, component, f"{values} FILTER(isBlank(?v) || STRLEN(STR(?v)) {test} {limit.value})", True)
        for bound, component, test in (("minInclusive", "MinInclusive", ">="), ("maxInclusive", "MaxInclusive", "<="),
                                        ("minExclusive", "MinExclusive", ">"), ("maxExclusive", "MaxExclusive", "<")):
            for limit in self.shapes.objects(shape, SH + bound):
                self.add(shape, path, component, f"{values} FILTER(!COALESCE(?v {test} {term(limit)}, false))", True)
        for head in self.shapes.objects(shape, SH + "languageIn"):
            tags = " || ".join(f"langMatches(lang(?v), {literal(t.value)})" for t in self.shapes.items(head)) or "false"
            test = f"isLiteral(?v) && lang(?v) != '' && ({tags})"
            self.add(shape, path, "LanguageIn", f"{values} FILTER(!COALESCE({test}, false))", True)
        for head in self.shapes.objects(shape, SH + "in"):
            members = " || ".join(f"sameTerm(?v, {term(t)})" for t in self.shapes.items(head)) or "false"
            self.add(shape, path, "In", f"{values} FILTER(!({members}))", True)
        for expected in self.shapes.objects(shape, SH + "hasValue"):
            self.add(shape, path, "HasValue", f"{focus} FILTER NOT EXISTS {{ ?this {iri(path)} {term(expected)} }}"
                     if path else f"{values} FILTER(!sameTerm(?v, {term(expected)}))", not path)
        if path:
            self.compile_property(shape, focus, path)
        for negated in self.shapes.objects(shape, SH + "not"):
            self.add(shape, path, "Not", f"{values} FILTER({self.conforms(negated, '?v')})", True)
        for head in self.shapes.objects(shape, SH + "or"):
            options = " || ".join(self.conforms(s, "?v") for s in self.shapes.items(head)) or "false"
            self.add(shape, path, "Or", f"{values} FILTER(!({options}))", True)
        for constraint in self.shapes.objects(shape, SH + "sparql"):
            self.compile_sparql(shape, constraint, focus, path)

    def compile_property(self, shape: Term, focus: str, path: str) -> None:
        """The constraints that only property shapes have: counts, languages, pairs, qualified shapes."""
        p = iri(path)
        get = self.shapes.value
        for limit in self.shapes.objects(shape, SH + "minCount"):
            if int(limit.value) == 1:
                self.add(shape, path, "MinCount", f"{focus} FILTER NOT EXISTS {{ ?this {p} ?v }}", False)
            else:
                self.add(shape, path, "MinCount", count_below(focus, p, "", int(limit.value)), False)
        for limit in self.shapes.objects(shape, SH + "maxCount"):
            self.add(shape, path, "MaxCount", f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} ?this {p} ?v }} "
                     f"GROUP BY ?this }} FILTER(?n > {limit.value})", False)
        if get(shape, SH + "uniqueLang") == ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")):
            self.add(shape, path, "UniqueLang", f"{focus} ?this {p} ?v , ?w FILTER(!sameTerm(?v, ?w) && lang(?v) != '' "
                     "&& LCASE(lang(?v)) = LCASE(lang(?w)))", False)
        for other in self.shapes.objects(shape, SH + "lessThan"):
            self.add(shape, path, "LessThan",
                     f"{focus} ?this {p} ?v . ?this {term(other)} ?w FILTER(!COALESCE(?v < ?w, false))", True)
        qualified = get(shape, SH + "qualifiedValueShape")
        if qualified is not None:
            test = f"FILTER({self.conforms(qualified, '?v')})"
            minimum, maximum = get(shape, SH + "qualifiedMinCount"), get(shape, SH + "qualifiedMaxCount")
            if minimum is not None:
                self.add(shape, path, "QualifiedMinCount", count_below(focus, p, test, int(minimum.value)), False)
            if maximum is not None:
                self.add(shape, path, "QualifiedMaxCount", f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} "
                         f"?this {p} ?v {test} }} GROUP BY ?this }} FILTER(?n > {maximum.value})", False)

    def conforms(self, shape: Term, node: str) -> str:
        """A SPARQL expression: `node` conforms to a small nested shape."""
        unknown = self.shapes.predicates(shape) - {SH + p for p in ("class", "datatype", "nodeKind", "path", "minCount")} \
            - {RDF + "type"}
        if unknown:
            raise DiplokgError(f"Nested shape {shape}: the fast validator does not support {', '.join(sorted(unknown))}.")
        tests = []
        path = self.shapes.value(shape, SH + "path")
        subject = self.fresh() if path is not None else node
        for cls in self.shapes.objects(shape, SH + "class"):
            inside = f"EXISTS {{ {self.instance_of(subject, cls.value)} }}"
            tests.append(inside if path is None else f"NOT EXISTS {{ {node} {term(path)} {subject} FILTER(!{inside}) }}")
        for datatype in self.shapes.objects(shape, SH + "datatype"):
            tests.append(f"COALESCE({has_datatype(node, datatype.value)}, false)")
        for kind in self.shapes.objects(shape, SH + "nodeKind"):
            tests.append(NODE_KINDS[kind.value.removeprefix(SH)].format(v=node))
        for limit in self.shapes.objects(shape, SH + "minCount"):
            if path is None or int(limit.value) != 1:
                raise DiplokgError(f"Nested shape {shape}: only sh:minCount 1 with a sh:path is supported.")
            tests.append(f"EXISTS {{ {node} {term(path)} {self.fresh()} }}")
        return "(" + " && ".join(tests or ["true"]) + ")"

    def compile_sparql(self, shape: Term, constraint: Term, focus: str, path: str | None) -> None:
        """A SHACL-SPARQL constraint: its SELECT with the focus nodes joined in where $this is first bound.

        When the shape's only target is a SPARQL target with the same query (a rule that selects the nodes
        that break it), the focus nodes are the query's own solutions: the query runs once, as it is.
        """
        text = self.shapes.value(constraint, SH + "select")
        if text is None:
            raise DiplokgError(f"SPARQL constraint {constraint} of {shape}: only sh:select is supported.")
        body = strip_prologue(text.value).replace("$this", "?this")
        targets = [self.shapes.value(t, SH + "select") for t in self.shapes.objects(shape, SH + "target")]
        if path is None and targets == [text] and self.target_predicates(shape) == {SH + "target"}:
            focus = ""
        if path is not None:
            body = body.replace("$PATH", iri(path))
        opening = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE) or re.search(r"\{", body)
        if opening is None:
            raise DiplokgError(f"SPARQL constraint {constraint} of {shape}: no WHERE clause.")
        query = f"{self.shapes.prologue(constraint)}{body[:opening.end()]} {focus} {body[opening.end():]}"
        message = self.shapes.value(constraint, SH + "message") or self.shapes.value(shape, SH + "message")
        severity = self.shapes.value(shape, SH + "severity")
        self.queries.append(Query(query, SH + "SPARQLConstraintComponent",
                                  severity.value if severity is not None else SH + "Violation",
                                  message.value if message is not None else "SPARQL constraint not met", shape, path,
                                  sparql=True))


def strip_prologue(text: str) -> str:
    """A query without its PREFIX and BASE lines (they are declared once, in front)."""
    return re.sub(r"(?im)^\s*(PREFIX|BASE)\s[^\n]*$", "", text)


def has_datatype(node: str, datatype: str) -> str:
    """A SPARQL expression: `node` is a well-formed literal of `datatype` (as pyshacl's sh:datatype)."""
    local = datatype.removeprefix(XSD)
    if datatype == XSD + "string":
        return f"(isLiteral({node}) && datatype({node}) = {iri(datatype)})"
    if datatype == RDF + "langString":
        return f"(isLiteral({node}) && lang({node}) != '')"
    if datatype.startswith(XSD) and local in INTEGER_RANGES:
        low, high = INTEGER_RANGES[local]
        bounds = "".join(f" && {node} {op} {limit}" for op, limit in ((">=", low), ("<=", high)) if limit is not None)
        return f"(isLiteral({node}) && datatype({node}) = {iri(XSD + 'integer')}{bounds})"
    if datatype.startswith(XSD) and local in CASTABLE:
        return f"(isLiteral({node}) && datatype({node}) = {iri(datatype)} && sameTerm({iri(datatype)}({node}), {node}))"
    return f"(isLiteral({node}) && datatype({node}) = {iri(datatype)})"


def message_for(query: Query, row: dict[str, Term]) -> str:
    """The message with {?var} and {$var} replaced by the values of the solution."""
    if not query.sparql:
        return query.message
    return re.sub(r"\{[?$](\w+)\}", lambda m: row[m.group(1)].value if m.group(1) in row else m.group(0), query.message)


def count_below(focus: str, path: str, test: str, limit: int) -> str:
    """Focus nodes with fewer than `limit` values (that pass `test`) on `path`."""
    return (f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v {test} }} }} "
            f"GROUP BY ?this }} FILTER(?n < {limit})")


def validate_store(store: ox.Store, shapes: ShapesGraph | Path,
                   graphs: list[ox.NamedNode] | None = None) -> list[ValidationResult]:
    """Validate the union of `graphs` (all named graphs by default) against the shapes."""
    if isinstance(shapes, Path):
        shapes = ShapesGraph.parse(shapes)
    options = {"default_graph": graphs} if graphs else {"use_default_graph_as_union": True}
    found: set[ValidationResult] = set()
    for query in Compiler(shapes, store).compile_all():
        try:
            answer = store.query(query.text, **options)
        except SyntaxError as error:
            raise DiplokgError(f"Shape {query.shape}: the compiled query is not valid SPARQL: {error}") from None
        names = [v.value for v in answer.variables]
        for solution in answer:
            row = {name: solution[name] for name in names if solution[name] is not None}
            focus = row["this"]
            path = row["path"].value if "path" in row else query.path
            value = row.get("value", focus if query.sparql and query.path is None else None)
            found.add(ValidationResult(focus, path, query.component, query.severity, message_for(query, row), value,
                                       query.shape))
    return sorted(found, key=lambda r: (r.focus.value, r.component, r.path or "", str(r.value)))


def results_graph(results: list[ValidationResult]) -> Graph:
    """The results as a SHACL validation report graph (what pyshacl returns), for the report writers."""
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
        if result.path:
            graph.add((node, SHNS.resultPath, URIRef(result.path)))
        if result.value is not None:
            graph.add((node, SHNS.value, to_rdflib(result.value)))
    return graph


def findings(results: list[ValidationResult], store: ox.Store, layout: Layout) -> list[Finding]:
    """The results as diplokg.validation Findings, labelled and located in the files from the store."""
    from diplokg.errors import line_of
    from diplokg.prefixes import INFERRED_GRAPH, shorten
    from diplokg.validation import Finding, display_path, graph_files

    files = {str(name): paths for name, paths in graph_files(layout).items()}
    has_selector = ox.NamedNode(PREFIX_IRIS["oa"] + "hasSelector")
    out = []
    for result in results:
        node = result.focus
        if isinstance(node, ox.BlankNode) or "#position" in node.value:
            owner = next(store.quads_for_pattern(None, has_selector, node), None)
            node = owner.subject if owner is not None else node
        graphs = sorted({q.graph_name.value for q in store.quads_for_pattern(node, None, None)} - {INFERRED_GRAPH})
        file, line = "(inferred)", None
        for name in graphs:
            for path in files.get(name, []):
                line = line_of(path, shorten(node.value) + " ") or line_of(path, f"<{node.value}>")
                if line:
                    file = display_path(path, layout.root)
                    break
            if line:
                break
        label = next((q.object.value for p in (RDFS + "label", PREFIX_IRIS["skos"] + "prefLabel")
                      for q in store.quads_for_pattern(node, ox.NamedNode(p), None)), False)
        out.append(Finding(
            focus=node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}", label=label,
            path=shorten(result.path) if result.path else "", message=result.message,
            severity=shorten(result.severity), component=shorten(result.component),
            shape=shorten(result.shape.value) if isinstance(result.shape, ox.NamedNode) else "(anonymous shape)",
            value="" if result.value is None else result.value.value, file=file, line=line))
    return sorted(out, key=lambda f: (f.file, f.line or 0, f.focus, f.path, f.message))


def validate(store: ox.Store, layout: Layout) -> tuple[list[ValidationResult], float]:
    """Validate a built store against the layout's shapes; the results and the seconds taken."""
    started = time.perf_counter()
    results = validate_store(store, layout.shapes_file)
    return results, time.perf_counter() - started
