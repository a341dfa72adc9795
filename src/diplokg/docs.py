"""The HTML reference of the ontology and its shapes, in the manner of pyLODE and Widoco.

Every class and property of the ontology with its label, definition, super-classes, domain and
range; the SHACL rules that apply to it (ontology/shapes.ttl) with their names, severities,
cardinalities and messages; examples drawn from the data (the reasoner's conclusions included);
and the SKOS schemes: topics, event types with their CAMEO notations, capacities and the rest.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from diplokg.errors import DiplokgError
from diplokg.prefixes import GRAPH, ID, ONTOLOGY_GRAPH, PREFIX_IRIS, shorten, sparql_prologue

if TYPE_CHECKING:
    import pyoxigraph as ox
    from markupsafe import Markup

    from diplokg.engines import Engine
    from diplokg.paths import Layout
    from diplokg.results import Term

DEFAULT_DIR = "build/docs"
EXAMPLES = 5
SHAPES_NS = "https://w3id.org/diplokg/shapes#"
PROPERTY_KINDS = {"owl:ObjectProperty": "object property", "owl:DatatypeProperty": "datatype property",
                  "owl:AnnotationProperty": "annotation property"}
CHARACTERISTICS = {"owl:FunctionalProperty": "functional", "owl:InverseFunctionalProperty": "inverse functional",
                   "owl:SymmetricProperty": "symmetric", "owl:AsymmetricProperty": "asymmetric",
                   "owl:TransitiveProperty": "transitive", "owl:IrreflexiveProperty": "irreflexive"}


def iri(curie: str) -> str:
    """The full IRI of a CURIE with a known prefix."""
    prefix, _, local = curie.partition(":")
    return PREFIX_IRIS[prefix] + local


class Triples:
    """An index of one graph's triples, for reading the ontology and the shapes."""

    def __init__(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.back: dict[tuple[str, Term], list[Term]] = defaultdict(list)
        for s, p, o in triples:
            self.out[s][p.value].append(o)
            self.back[(p.value, o)].append(s)

    def objects(self, subject: Term, curie: str) -> list[Term]:
        return self.out.get(subject, {}).get(iri(curie), [])

    def subjects(self, curie: str, value: Term) -> list[Term]:
        return self.back.get((iri(curie), value), [])

    def typed(self, curie: str) -> list[ox.NamedNode]:
        import pyoxigraph as ox

        return [s for s in self.subjects("rdf:type", ox.NamedNode(iri(curie))) if isinstance(s, ox.NamedNode)]

    def text(self, subject: Term, *curies: str) -> str | None:
        """The English (else untagged, else any) value of the first of `curies` that has one."""
        for curie in curies:
            values = [v for v in self.objects(subject, curie) if hasattr(v, "language")]
            if values:
                return min(values, key=lambda v: {"en": 0, None: 1}.get(v.language, 2)).value
        return None

    def number(self, subject: Term, curie: str) -> int | None:
        values = self.objects(subject, curie)
        return int(values[0].value) if values else None

    def items(self, head: Term) -> list[Term]:
        """The members of an RDF list."""
        members: list[Term] = []
        while head.value != iri("rdf:nil") and self.objects(head, "rdf:first"):
            members.append(self.objects(head, "rdf:first")[0])
            head = self.objects(head, "rdf:rest")[0]
        return members


# ---------------------------------------------------------------------------------------- what the page shows


@dataclass
class Rule:
    """One constraint of a shape: on a property path, or on the focus node itself (path None)."""

    path: Markup | None
    name: str | None
    description: str | None
    text: Markup
    severity: str
    message: str | None
    query: str | None = None


@dataclass
class Shape:
    anchor: str
    name: str
    description: str | None
    targets: list[Markup]
    rules: list[Rule]


@dataclass
class Example:
    subject: Markup
    value: Markup | None = None


@dataclass
class Entry:
    """A class or property of the ontology as its section shows it."""

    curie: str
    iri: str
    label: str
    kind: str
    definition: str | None
    facts: list[tuple[str, list[Markup]]] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    inherited: list[tuple[Markup, Markup]] = field(default_factory=list)
    rules: list[tuple[Markup, Rule]] = field(default_factory=list)
    selected: list[tuple[Markup, Rule]] = field(default_factory=list)
    count: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class Concept:
    curie: str
    label: str
    depth: int
    notation: str | None
    definition: str | None
    alt_labels: list[str]


@dataclass
class Scheme:
    curie: str
    label: str
    definition: str | None
    source: str | None
    concepts: list[Concept]


class Reference:
    """Reads the ontology, the shapes and the data, and builds what each section of the page shows."""

    def __init__(self, ontology: Triples, shapes: Triples, engine: Engine) -> None:
        self.ontology = ontology
        self.shapes = shapes
        self.engine = engine
        self.classes = sorted(ontology.typed("owl:Class"), key=self.order)
        kinds = [(kind, p) for kind in PROPERTY_KINDS for p in ontology.typed(kind)]
        self.properties = sorted({p for _, p in kinds}, key=self.order)
        self.kinds: dict[Term, list[str]] = defaultdict(list)
        for kind, prop in kinds:
            self.kinds[prop].append(PROPERTY_KINDS[kind])
        self.schemes = sorted(ontology.typed("skos:ConceptScheme"), key=self.order)
        concepts = [c for s in self.schemes for c in ontology.subjects("skos:inScheme", s)]
        self.documented = {t.value for t in [*self.classes, *self.properties, *self.schemes, *concepts]}

    @staticmethod
    def order(term: Term) -> tuple[bool, str]:
        """Our own terms first, then the reused ones, each by CURIE."""
        return (not term.value.startswith(PREFIX_IRIS["dip"]), shorten(term.value).lower())

    def label(self, term: Term) -> str:
        return self.ontology.text(term, "rdfs:label", "skos:prefLabel") or shorten(term.value)

    def link(self, term: Term) -> Markup:
        """A documented term as a link to its section; anything else as its CURIE (or literal)."""
        from markupsafe import Markup, escape

        if not hasattr(term, "value") or hasattr(term, "language"):
            return Markup("<q>{}</q>").format(term.value)
        curie = shorten(term.value)
        if term.value in self.documented:
            return Markup('<a href="#{}" title="{}">{}</a>').format(curie, term.value, self.label(term))
        if term.value.startswith(SHAPES_NS):
            return Markup("<code>dsh:{}</code>").format(term.value[len(SHAPES_NS):])
        return Markup("<code title=\"{}\">{}</code>").format(term.value, escape(curie))

    def links(self, terms: Iterable[Term]) -> list[Markup]:
        return [self.link(t) for t in sorted(set(terms), key=self.order)]

    # ------------------------------------------------------------------------------------ shapes

    def severity(self, node: Term) -> str:
        values = self.shapes.objects(node, "sh:severity")
        return values[0].value.rsplit("#", 1)[-1] if values else "Violation"

    @staticmethod
    def cardinality(low: int | None, high: int | None) -> str:
        """'exactly 1 value', 'at least 1 value', 'at most 2 values', ..."""
        def values(n: int) -> str:
            return f"{n} value" if n == 1 else f"{n} values"

        if low and high is not None:
            return f"exactly {values(low)}" if low == high else f"{low} to {values(high)}"
        if low:
            return f"at least {values(low)}"
        return f"at most {values(high)}" if high is not None else "any number of values"

    def value_rules(self, node: Term) -> list[Markup]:
        """The value constraints of a shape node as short phrases."""
        from markupsafe import Markup

        s, parts = self.shapes, []
        for cls in s.objects(node, "sh:class"):
            parts.append(Markup("each a {}").format(self.link(cls)))
        for datatype in s.objects(node, "sh:datatype"):
            parts.append(Markup("of datatype {}").format(self.link(datatype)))
        for kind in s.objects(node, "sh:nodeKind"):
            parts.append(Markup("an {}").format(kind.value.rsplit("#", 1)[-1]))
        for head in s.objects(node, "sh:in"):
            parts.append(Markup("one of {}").format(Markup(", ").join(self.link(t) for t in s.items(head))))
        for head in s.objects(node, "sh:languageIn"):
            parts.append(Markup("language {}").format(" or ".join(t.value for t in s.items(head))))
        if any(v.value == "true" for v in s.objects(node, "sh:uniqueLang")):
            parts.append(Markup("one per language"))
        for pattern in s.objects(node, "sh:pattern"):
            parts.append(Markup("matching <code>{}</code>").format(pattern.value))
        for length in s.objects(node, "sh:minLength"):
            parts.append(Markup("at least {} characters").format(length.value))
        for other in s.objects(node, "sh:lessThan"):
            parts.append(Markup("less than its {}").format(self.link(other)))
        for qualified in s.objects(node, "sh:qualifiedValueShape"):
            count = self.cardinality(s.number(node, "sh:qualifiedMinCount"), s.number(node, "sh:qualifiedMaxCount"))
            kinds = Markup(" and ").join(self.value_rules(qualified))
            parts.append(Markup("{} {}").format(count, kinds))
        for negated in s.objects(node, "sh:not"):
            parts.append(Markup("not {}").format(Markup(" and ").join(self.value_rules(negated))))
        for head in s.objects(node, "sh:or"):
            options = [Markup("{} {}").format(self.path(o), self.property_text(o)) for o in s.items(head)]
            parts.append(Markup("either {}").format(Markup(" or ").join(options)))
        return parts

    def path(self, node: Term) -> Markup:
        from markupsafe import Markup

        paths = self.shapes.objects(node, "sh:path")
        if not paths:
            return Markup("")
        return self.link(paths[0]) if not hasattr(paths[0], "language") and paths[0].value.startswith("http") \
            else Markup("<code>(a property path)</code>")

    def property_text(self, node: Term) -> Markup:
        """A property shape's cardinality and value constraints, e.g. 'exactly 1 value, of datatype xsd:string'."""
        from markupsafe import Markup

        low, high = self.shapes.number(node, "sh:minCount"), self.shapes.number(node, "sh:maxCount")
        parts = [Markup(self.cardinality(low, high))] if low or high is not None else []
        return Markup(", ").join([*parts, *self.value_rules(node)]) or Markup("any values")

    def rule(self, prop: Term) -> Rule:
        """The rule of one property shape."""
        s = self.shapes
        return Rule(self.path(prop), s.text(prop, "sh:name"), s.text(prop, "sh:description"), self.property_text(prop),
                    self.severity(prop), s.text(prop, "sh:message"))

    def shape(self, node: Term, anchored: bool = True) -> Shape:
        """A node shape with its targets, node-level rules, property rules and SPARQL rules; `anchored` gives
        it the id that links point to (a shape with several target classes is shown in each of their sections)."""
        import pyoxigraph as ox
        from markupsafe import Markup

        s = self.shapes
        local = node.value.rsplit("#", 1)[-1]
        targets = self.links(s.objects(node, "sh:targetClass"))
        if s.objects(node, "sh:target"):
            queries = " ".join(s.text(rule, "sh:select") or "" for rule in s.objects(node, "sh:sparql"))
            classes = Markup(" or ").join(self.link(ox.NamedNode(c)) for c in dict.fromkeys(self.selected_classes(queries)))
            targets.append(Markup("the nodes {}a SPARQL query selects").format(
                Markup("of class {} that ").format(classes) if classes else ""))
        rules: list[Rule] = []
        node_rules = self.value_rules(node)
        if node_rules:
            rules.append(Rule(None, "the node itself", None, Markup("; ").join(node_rules), self.severity(node),
                              s.text(node, "sh:message")))
        rules += [self.rule(prop) for prop in s.objects(node, "sh:property")]
        rules += [self.sparql_rule(node, sparql) for sparql in s.objects(node, "sh:sparql")]
        return Shape(f"shape-{local}" if anchored else "", s.text(node, "sh:name") or local,
                     s.text(node, "sh:description"), targets, rules)

    def sparql_rule(self, node: Term, sparql: Term) -> Rule:
        """A SPARQL constraint of a node shape, with its query."""
        from markupsafe import Markup

        s = self.shapes
        return Rule(None, s.text(sparql, "sh:name"), s.text(sparql, "sh:description"), Markup("a SPARQL rule across nodes"),
                    self.severity(node), s.text(sparql, "sh:message"), s.text(sparql, "sh:select"))

    def selected_classes(self, query: str) -> list[str]:
        """The classes a rule's query selects its focus nodes from (`$this a C`, or `$this a/rdfs:subClassOf* C`)."""
        from diplokg.prefixes import expand_curie

        found = re.findall(r"\$this\s+(?:a|rdf:type)(?:/rdfs:subClassOf\*)?\s+([A-Za-z][\w-]*:[\w-]+)", query)
        return [full for curie in found if (full := expand_curie(curie))]

    def shape_link(self, node: Term) -> Markup:
        from markupsafe import Markup

        local = node.value.rsplit("#", 1)[-1]
        return Markup('<a href="#shape-{}">{}</a>').format(local, self.shapes.text(node, "sh:name") or local)

    def node_shapes(self) -> list[Term]:
        return sorted(self.shapes.typed("sh:NodeShape"), key=lambda n: n.value)

    # ------------------------------------------------------------------------------------ data

    def count(self, text: str) -> int:
        rows = self.engine.query(sparql_prologue() + text).rows
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def show(self, term: Term | None, labels: dict[str, str]) -> Markup:
        """A data node by its label (linked to its IRI), or a literal, shortened."""
        import pyoxigraph as ox
        from markupsafe import Markup

        if term is None:
            return Markup("")
        if isinstance(term, ox.NamedNode):
            if term.value in self.documented:
                return self.link(term)
            return Markup('<a href="{}" title="{}">{}</a>').format(term.value, shorten(term.value),
                                                                   labels.get(term.value, shorten(term.value)))
        if isinstance(term, ox.BlankNode):
            return Markup("<code>[ ]</code>")
        text = term.value if len(term.value) <= 90 else term.value[:89] + "…"
        return Markup("<q>{}</q>").format(text)

    def examples(self, rows_text: str) -> list[Example]:
        from diplokg.engines import labels_of

        result = self.engine.query(sparql_prologue() + rows_text)
        labels = labels_of(self.engine, result)
        return [Example(self.show(row[0], labels), self.show(row[1], labels) if len(row) > 1 else None)
                for row in result.rows]

    # ------------------------------------------------------------------------------------ sections

    def ancestors(self, cls: Term) -> list[Term]:
        """Every super-class of `cls` (not itself), nearest first."""
        seen: list[Term] = []
        frontier = [cls]
        while frontier:
            nxt = [sup for c in frontier for sup in self.ontology.objects(c, "rdfs:subClassOf")
                   if sup not in seen and sup != cls and hasattr(sup, "value") and not hasattr(sup, "language")]
            seen.extend(dict.fromkeys(nxt))
            frontier = nxt
        return seen

    def class_section(self, cls: Term, shapes_by_target: dict[Term, list[Term]],
                      selected: dict[str, list[tuple[Markup, Rule]]]) -> Entry:
        o = self.ontology
        term = Entry(shorten(cls.value), cls.value, self.label(cls), "class",
                     o.text(cls, "skos:definition", "rdfs:comment"))
        facts = [("Super-classes", self.links(o.objects(cls, "rdfs:subClassOf"))),
                 ("Sub-classes", self.links(o.subjects("rdfs:subClassOf", cls))),
                 ("Disjoint with", self.links([*o.objects(cls, "owl:disjointWith"), *o.subjects("owl:disjointWith", cls)])),
                 ("In the domain of", self.links(o.subjects("rdfs:domain", cls))),
                 ("In the range of", self.links(o.subjects("rdfs:range", cls)))]
        term.facts = [(name, values) for name, values in facts if values]
        term.shapes = [self.shape(node, anchored=min(self.shapes.objects(node, "sh:targetClass"), key=self.order) == cls)
                       for node in shapes_by_target.get(cls, [])]
        for ancestor in self.ancestors(cls):
            for node in shapes_by_target.get(ancestor, []):
                term.inherited.append((self.shape_link(node), self.link(ancestor)))
        term.selected = selected.get(cls.value, [])
        term.count = self.count(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls.value}> }}")
        term.examples = self.examples(f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls.value}> FILTER(isIRI(?x)) }} "
                                      f"ORDER BY ?x LIMIT {EXAMPLES}")
        return term

    def property_section(self, prop: Term, rules: dict[str, list[tuple[Markup, Rule]]]) -> Entry:
        o = self.ontology
        characteristics = [name for curie, name in CHARACTERISTICS.items()
                           if any(t.value == iri(curie) for t in o.objects(prop, "rdf:type"))]
        kind = " ".join([*characteristics, " / ".join(self.kinds[prop])])
        term = Entry(shorten(prop.value), prop.value, self.label(prop), kind,
                     o.text(prop, "skos:definition", "rdfs:comment"))
        facts = [("Domain", self.links(o.objects(prop, "rdfs:domain"))),
                 ("Range", self.links(o.objects(prop, "rdfs:range"))),
                 ("Super-properties", self.links(o.objects(prop, "rdfs:subPropertyOf"))),
                 ("Sub-properties", self.links(o.subjects("rdfs:subPropertyOf", prop))),
                 ("Inverse of", self.links([*o.objects(prop, "owl:inverseOf"), *o.subjects("owl:inverseOf", prop)]))]
        for chain in o.objects(prop, "owl:propertyChainAxiom"):
            from markupsafe import Markup

            facts.append(("Chain", [Markup(" then ").join(self.link(p) for p in o.items(chain))]))
        term.facts = [(name, values) for name, values in facts if values]
        term.rules = rules.get(prop.value, [])
        term.count = self.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop.value}> ?o }} }}")
        term.examples = self.examples(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop.value}> ?o }} "
                                      f"ORDER BY ?s ?o LIMIT {min(EXAMPLES, 3)}")
        return term

    def scheme_section(self, scheme: Term) -> Scheme:
        o = self.ontology
        members = o.subjects("skos:inScheme", scheme)
        inside = set(members)
        concepts: list[Concept] = []

        def walk(level: list[Term], depth: int) -> None:
            for concept in sorted(level, key=lambda c: (o.text(c, "skos:notation") or "", self.label(c).lower())):
                alt = sorted(v.value for v in o.objects(concept, "skos:altLabel"))
                concepts.append(Concept(shorten(concept.value), self.label(concept), depth,
                                        o.text(concept, "skos:notation"), o.text(concept, "skos:definition"), alt))
                walk([c for c in o.subjects("skos:broader", concept) if c in inside], depth + 1)

        walk([c for c in members if not any(b in inside for b in o.objects(c, "skos:broader"))], 0)
        sources = o.objects(scheme, "dcterms:source")
        return Scheme(shorten(scheme.value), self.label(scheme), o.text(scheme, "skos:definition", "rdfs:comment"),
                      sources[0].value if sources else None, concepts)

    def context(self) -> dict[str, object]:
        """Everything the template needs."""
        import pyoxigraph as ox

        shapes_by_target: dict[Term, list[Term]] = defaultdict(list)
        untargeted: list[Term] = []
        rules: dict[str, list[tuple[Markup, Rule]]] = defaultdict(list)
        selected: dict[str, list[tuple[Markup, Rule]]] = defaultdict(list)
        for node in self.node_shapes():
            targets = self.shapes.objects(node, "sh:targetClass")
            for target in targets:
                shapes_by_target[target].append(node)
            if not targets:
                untargeted.append(node)
            for prop in self.shapes.objects(node, "sh:property"):
                for path in self.shapes.objects(prop, "sh:path"):
                    rules[path.value].append((self.shape_link(node), self.rule(prop)))
            for sparql in self.shapes.objects(node, "sh:sparql") if not targets else []:
                rule = self.sparql_rule(node, sparql)
                for cls in self.selected_classes(rule.query or ""):
                    selected[cls].append((self.shape_link(node), rule))
        onto = next(iter(self.ontology.typed("owl:Ontology")), ox.NamedNode(PREFIX_IRIS["dip"].rstrip("#")))
        o = self.ontology
        header = {
            "title": o.text(onto, "dcterms:title", "rdfs:label") or "Ontology",
            "iri": onto.value,
            "description": o.text(onto, "dcterms:description"),
            "comment": o.text(onto, "rdfs:comment"),
            "facts": [(name, value) for name, value in [
                ("Version", o.text(onto, "owl:versionInfo")),
                ("Version IRI", next((v.value for v in o.objects(onto, "owl:versionIRI")), None)),
                ("Created", o.text(onto, "dcterms:created")),
                ("Creator", o.text(onto, "dcterms:creator")),
                ("Licence", next((v.value for v in o.objects(onto, "dcterms:license")), None)),
            ] if value],
        }
        classes = [self.class_section(c, shapes_by_target, selected) for c in self.classes]
        properties = [self.property_section(p, rules) for p in self.properties]
        groups = [(kind.capitalize().replace("property", "properties"), [p for p in properties if p.kind.endswith(kind)])
                  for kind in PROPERTY_KINDS.values()]
        return {
            "ontology": header,
            "classes": classes,
            "property_groups": [(kind, items) for kind, items in groups if items],
            "other_shapes": [self.shape(node) for node in untargeted],
            "schemes": [self.scheme_section(s) for s in self.schemes],
            "namespaces": [*((p, ns) for p, ns in PREFIX_IRIS.items() if not ns.startswith((ID, GRAPH))),
                           ("dsh", SHAPES_NS)],
            "shape_count": len(self.node_shapes()),
        }


def load_shapes(layout: Layout) -> Triples:
    import pyoxigraph as ox

    try:
        quads = ox.parse(path=str(layout.shapes_file), format=ox.RdfFormat.TURTLE)
        return Triples((q.subject, q.predicate, q.object) for q in quads)
    except (OSError, SyntaxError) as error:
        raise DiplokgError(f"{layout.shapes_file}: cannot read the shapes: {error}") from None


def render_docs(layout: Layout, engine: Engine | None = None) -> dict[str, str]:
    """The reference pages, file name -> HTML: the ontology and vocabularies of the built store, the shapes of
    `layout`, and examples from the data (pass the engine you already have, else the cached store is opened)."""
    import jinja2

    if engine is None:
        from diplokg.engines import OxigraphEngine
        from diplokg.store import open_store

        engine = OxigraphEngine(open_store(layout))
    rows = engine.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}").rows
    ontology = Triples((s, p, o) for s, p, o in rows if s is not None and p is not None and o is not None)
    reference = Reference(ontology, load_shapes(layout), engine)
    environment = jinja2.Environment(loader=jinja2.PackageLoader("diplokg", "templates"),
                                     autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    return {"index.html": environment.get_template("docs-index.html").render(**reference.context())}


def run(args: argparse.Namespace) -> int:
    from diplokg.fileio import check_output, write_atomically
    from diplokg.paths import default_layout

    layout = default_layout()
    folder = Path(args.output)
    check_output(folder, layout, folder=True)
    pages = render_docs(layout)
    for name, text in pages.items():
        data = text.encode("utf-8")
        write_atomically(folder / name, lambda stream, data=data: stream.write(data))
    print(f"wrote {', '.join(str(folder / name) for name in pages)}", file=sys.stderr)
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("-o", "--output", default=DEFAULT_DIR, metavar="DIR",
                        help=f"folder to write index.html into (default: {DEFAULT_DIR})")
    parser.set_defaults(run=run)
