"""Fast OWL RL closure: the rules our ontology uses, as SPARQL run to a fixpoint in pyoxigraph.

owlrl (diplokg.reasoning) stays the reference; this module gives the same inferred triples (after
the same tautology filter, `is_worth_keeping`) and the same inconsistency messages for the OWL RL
constructs that ontology/diplomacy.ttl uses:

- schema: rdfs:subClassOf and rdfs:subPropertyOf (transitive), domain and range propagated along
  both (scm-cls, scm-sco, scm-spo, scm-dom1/2, scm-rng1/2, scm-eqc2, scm-eqp2), computed in Python
  from the axioms read out of the store (the schema is small);
- data: prp-spo1, prp-inv1/2, prp-symp, prp-trp, prp-spo2 (chains of any length), prp-fp, eq-sym,
  eq-trans, eq-rep-s/p/o, prp-dom, prp-rng, cax-sco, cax-eqc1/2, each one SPARQL CONSTRUCT per axiom
  that returns only triples not yet in the store; a rule runs again only when a triple it reads
  (by predicate, or by class for rdf:type) was added after its last run (semi-naive by predicate);
- inconsistencies: cax-dw, prp-asyp, prp-irp, cls-nothing2, dt-not-type (owlrl's own lexical
  checks), and the unique-name rule of diplokg.reasoning (owl:sameAs between two of our IRIs).

Not covered (the ontology does not use them): class expressions (owl:intersectionOf, unionOf,
someValuesFrom, allValuesFrom, hasValue, maxCardinality), owl:hasKey, inverse-functional and
disjoint properties, owl:AllDifferent, owl:differentFrom, negative property assertions.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplokg.prefixes import BASE, INFERRED_GRAPH, PREFIX_IRIS
from diplokg.progress import bar

if TYPE_CHECKING:
    from pathlib import Path

    from rdflib import Graph

    from diplokg.paths import Layout
    from diplokg.reasoning import Closure

RDF, RDFS, OWL, XSD = (PREFIX_IRIS[p] for p in ("rdf", "rdfs", "owl", "xsd"))
TYPE, SUBCLASS, SUBPROPERTY = RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf"
DOMAIN, RANGE, SAME_AS, THING = RDFS + "domain", RDFS + "range", OWL + "sameAs", OWL + "Thing"
EQUIVALENT_CLASS, EQUIVALENT_PROPERTY = OWL + "equivalentClass", OWL + "equivalentProperty"
BUILT_IN = (RDF, RDFS, OWL, XSD)
TRIVIAL = {SAME_AS, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, SUBCLASS, SUBPROPERTY}
UNTYPED = {THING, RDFS + "Resource", OWL + "NamedIndividual"}
ANY = "*"  # dependency key: a rule that reads triples of every predicate
KINDS = ("Class", "ObjectProperty", "DatatypeProperty", "SymmetricProperty", "TransitiveProperty", "FunctionalProperty",
         "AsymmetricProperty", "IrreflexiveProperty")
CASTABLE = [XSD + t for t in ("integer", "decimal", "boolean", "date", "dateTime", "time", "float", "double")]


def iri(value: str) -> str:
    """An IRI in SPARQL syntax."""
    return f"<{value}>"


def type_key(cls: str) -> str:
    """The dependency key of the rdf:type triples of one class."""
    return f"a {cls}"


def worth_keeping(triple: ox.Triple) -> bool:
    """diplokg.reasoning.is_worth_keeping on pyoxigraph terms: no tautologies, no built-in subjects."""
    subject, predicate, obj = triple
    if subject.value.startswith(BUILT_IN):
        return False
    if predicate.value in TRIVIAL and subject == obj:
        return False
    return not (predicate.value == TYPE and obj.value in UNTYPED)


def transitive(direct: dict[str, set[str]]) -> dict[str, set[str]]:
    """The strict transitive closure of a relation given as node -> direct successors."""
    closed: dict[str, set[str]] = {}
    for start in direct:
        seen: set[str] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(direct.get(node, ()))
        closed[start] = seen
    return closed


@dataclass
class Schema:
    """The axioms the rules need, read from the store, with the schema closure computed."""

    asserted: set[tuple[str, str, str]] = field(default_factory=set)
    superclasses: dict[str, set[str]] = field(default_factory=dict)
    superproperties: dict[str, set[str]] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    equivalent_classes: set[tuple[str, str]] = field(default_factory=set)
    equivalent_properties: set[tuple[str, str]] = field(default_factory=set)
    inverses: set[tuple[str, str]] = field(default_factory=set)
    chains: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    disjoint: list[tuple[str, str]] = field(default_factory=list)

    def inferred(self) -> Iterator[tuple[str, str, str]]:
        """The schema triples of the closure (scm-*) that are not asserted."""
        for relation, closure in ((SUBCLASS, self.superclasses), (SUBPROPERTY, self.superproperties),
                                  (DOMAIN, self.domains), (RANGE, self.ranges)):
            for subject, objects in closure.items():
                for obj in objects:
                    if subject != obj and (subject, relation, obj) not in self.asserted:
                        yield subject, relation, obj
        for relation, pairs in ((EQUIVALENT_CLASS, self.equivalent_classes),
                                (EQUIVALENT_PROPERTY, self.equivalent_properties)):
            for left, right in pairs:
                if (left, relation, right) not in self.asserted:
                    yield left, relation, right


def select(store: ox.Store, text: str) -> list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal, ...]]:
    """Rows of a SELECT over the union of all graphs."""
    answer = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    return [tuple(row[name] for name in names) for row in answer]


def read_pairs(store: ox.Store, predicate: str) -> list[tuple[str, str]]:
    """(subject, object) IRIs of every triple with `predicate`."""
    rows = select(store, f"SELECT DISTINCT ?s ?o WHERE {{ ?s {iri(predicate)} ?o FILTER(isIRI(?s) && isIRI(?o)) }}")
    return [(s.value, o.value) for s, o in rows]


def read_schema(store: ox.Store) -> Schema:
    """The axioms of the store's ontology, and their closure (what owlrl's scm-* rules add)."""
    schema = Schema()
    pairs = {p: read_pairs(store, p) for p in (SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, EQUIVALENT_CLASS,
                                                EQUIVALENT_PROPERTY, OWL + "inverseOf", OWL + "disjointWith")}
    schema.asserted = {(s, p, o) for p, rows in pairs.items() for s, o in rows}
    kinds = " ".join(iri(OWL + k) for k in KINDS)
    for s, o in select(store, f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?o {{ {kinds} }} ?s a ?o FILTER(isIRI(?s)) }}"):
        schema.kinds[o.value].add(s.value)
    classes: dict[str, set[str]] = defaultdict(set)
    for s, o in pairs[SUBCLASS]:
        classes[s].add(o)
    for s, o in pairs[EQUIVALENT_CLASS]:
        classes[s].add(o)
        classes[o].add(s)
    for cls in schema.kinds[OWL + "Class"]:
        classes[cls].add(THING)  # scm-cls
    properties: dict[str, set[str]] = defaultdict(set)
    for s, o in pairs[SUBPROPERTY]:
        properties[s].add(o)
    for s, o in pairs[EQUIVALENT_PROPERTY]:
        properties[s].add(o)
        properties[o].add(s)
    schema.superclasses = {c: supers - {c} for c, supers in transitive(classes).items()}
    schema.superproperties = {p: supers - {p} for p, supers in transitive(properties).items()}
    for relation, target in ((DOMAIN, schema.domains), (RANGE, schema.ranges)):
        direct: dict[str, set[str]] = defaultdict(set)
        for prop, cls in pairs[relation]:
            direct[prop].add(cls)
        for prop in set(direct) | set(schema.superproperties):  # scm-dom2 / scm-rng2, then scm-dom1 / scm-rng1
            stated = set(direct.get(prop, ())).union(*(direct.get(q, set()) for q in schema.superproperties.get(prop, ())))
            closed = stated.union(*(schema.superclasses.get(c, set()) for c in stated))
            if closed:
                target[prop] = closed
    schema.equivalent_classes = {(a, b) for a, supers in schema.superclasses.items() for b in supers
                                 if a != b and a in schema.superclasses.get(b, ())}
    schema.equivalent_properties = {(a, b) for a, supers in schema.superproperties.items() for b in supers
                                    if a != b and a in schema.superproperties.get(b, ())}
    schema.inverses = {pair for s, o in pairs[OWL + "inverseOf"] for pair in ((s, o), (o, s))}
    schema.disjoint = sorted(pairs[OWL + "disjointWith"])
    for prop, head in select(store, f"SELECT ?p ?l WHERE {{ ?p {iri(OWL + 'propertyChainAxiom')} ?l }}"):
        schema.chains.append((prop.value, tuple(read_list(store, head))))
    return schema


def read_list(store: ox.Store, head: ox.NamedNode | ox.BlankNode) -> list[str]:
    """The members of an RDF list, in order."""
    items: list[str] = []
    node: ox.NamedNode | ox.BlankNode | ox.Literal = head
    while node != ox.NamedNode(RDF + "nil"):
        first = next(store.quads_for_pattern(node, ox.NamedNode(RDF + "first"), None), None)
        rest = next(store.quads_for_pattern(node, ox.NamedNode(RDF + "rest"), None), None)
        if first is None or rest is None:
            break
        items.append(first.object.value)
        node = rest.object
    return items


@dataclass(frozen=True)
class Rule:
    """One rule instance: a CONSTRUCT that returns only new triples, and the keys of what it reads."""

    name: str
    reads: frozenset[str]
    query: str


def values(variable: str, terms: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(iri(t) for t in sorted(terms))} }}"


def data_rules(schema: Schema) -> list[Rule]:
    """The rule instances for the data, in an order that reaches the fixpoint in few passes."""
    rules: list[Rule] = []
    for prop, supers in sorted(schema.superproperties.items()):
        if supers:
            rules.append(Rule(f"prp-spo1 {prop}", frozenset({prop}), f"""
                CONSTRUCT {{ ?x ?q ?y }} WHERE {{ {values('q', supers)} ?x {iri(prop)} ?y
                FILTER NOT EXISTS {{ ?x ?q ?y }} }}"""))
    symmetric = schema.kinds[OWL + "SymmetricProperty"]
    for prop, inverse in sorted(schema.inverses | {(p, p) for p in symmetric}):
        rules.append(Rule(f"prp-inv {prop} {inverse}", frozenset({prop}), f"""
            CONSTRUCT {{ ?y {iri(inverse)} ?x }} WHERE {{ ?x {iri(prop)} ?y FILTER(!isLiteral(?y))
            FILTER NOT EXISTS {{ ?y {iri(inverse)} ?x }} }}"""))
    for prop in sorted(schema.kinds[OWL + "TransitiveProperty"]):
        rules.append(Rule(f"prp-trp {prop}", frozenset({prop}), f"""
            CONSTRUCT {{ ?x {iri(prop)} ?z }} WHERE {{ ?x {iri(prop)}+ ?z FILTER NOT EXISTS {{ ?x {iri(prop)} ?z }} }}"""))
    for prop, chain in schema.chains:
        steps = " . ".join(f"?z{i} {iri(p)} ?z{i + 1}" for i, p in enumerate(chain))
        rules.append(Rule(f"prp-spo2 {prop}", frozenset(chain), f"""
            CONSTRUCT {{ ?z0 {iri(prop)} ?z{len(chain)} }} WHERE {{ {steps}
            FILTER NOT EXISTS {{ ?z0 {iri(prop)} ?z{len(chain)} }} }}"""))
    for prop in sorted(schema.kinds[OWL + "FunctionalProperty"]):
        rules.append(Rule(f"prp-fp {prop}", frozenset({prop}), f"""
            CONSTRUCT {{ ?y1 {iri(SAME_AS)} ?y2 }} WHERE {{ ?x {iri(prop)} ?y1 , ?y2
            FILTER(!sameTerm(?y1, ?y2) && !isLiteral(?y1)) FILTER NOT EXISTS {{ ?y1 {iri(SAME_AS)} ?y2 }} }}"""))
    same = f"?s {iri(SAME_AS)} ?o FILTER(!sameTerm(?s, ?o))"
    rules += [
        Rule("eq-sym", frozenset({SAME_AS}), f"""CONSTRUCT {{ ?o {iri(SAME_AS)} ?s }} WHERE {{ {same}
            FILTER(!isLiteral(?o)) FILTER NOT EXISTS {{ ?o {iri(SAME_AS)} ?s }} }}"""),
        Rule("eq-trans", frozenset({SAME_AS}), f"""CONSTRUCT {{ ?s {iri(SAME_AS)} ?z }} WHERE {{ {same}
            ?o {iri(SAME_AS)} ?z FILTER(!sameTerm(?s, ?z)) FILTER NOT EXISTS {{ ?s {iri(SAME_AS)} ?z }} }}"""),
        Rule("eq-rep-s", frozenset({ANY}), f"""CONSTRUCT {{ ?o ?p ?v }} WHERE {{ {same} FILTER(!isLiteral(?o))
            ?s ?p ?v FILTER NOT EXISTS {{ ?o ?p ?v }} }}"""),
        Rule("eq-rep-p", frozenset({ANY}), f"""CONSTRUCT {{ ?x ?o ?v }} WHERE {{ {same} FILTER(isIRI(?o))
            ?x ?s ?v FILTER NOT EXISTS {{ ?x ?o ?v }} }}"""),
        Rule("eq-rep-o", frozenset({ANY}), f"""CONSTRUCT {{ ?x ?p ?s }} WHERE {{ {same}
            ?x ?p ?o FILTER NOT EXISTS {{ ?x ?p ?s }} }}"""),
    ]
    for relation, closure, node in (("prp-dom", schema.domains, "?x"), ("prp-rng", schema.ranges, "?y")):
        for prop, classes in sorted(closure.items()):
            targets = classes - UNTYPED
            if targets:
                rules.append(Rule(f"{relation} {prop}", frozenset({prop}), f"""
                    CONSTRUCT {{ {node} a ?c }} WHERE {{ {values('c', targets)}
                    {{ SELECT DISTINCT {node} WHERE {{ ?x {iri(prop)} ?y FILTER(!isLiteral({node})) }} }}
                    FILTER NOT EXISTS {{ {node} a ?c }} }}"""))
    for cls, supers in sorted(schema.superclasses.items()):
        targets = supers - UNTYPED
        if targets:
            rules.append(Rule(f"cax-sco {cls}", frozenset({type_key(cls)}), f"""
                CONSTRUCT {{ ?x a ?d }} WHERE {{ {values('d', targets)} ?x a {iri(cls)} FILTER NOT EXISTS {{ ?x a ?d }} }}"""))
    return rules


def keys_of(triple: ox.Triple) -> str:
    """The dependency key a new triple touches."""
    return type_key(triple.object.value) if triple.predicate.value == TYPE else triple.predicate.value


def run_to_fixpoint(store: ox.Store, rules: list[Rule], graph: ox.NamedNode) -> int:
    """Run the rules until none adds a triple; a rule reruns only when what it reads has changed."""
    version = 0
    changed: dict[str, int] = {}
    last_run: dict[str, int] = {}
    added, passes = 0, 0
    while True:
        ran, passes = False, passes + 1
        for rule in bar(rules, f"reasoning, pass {passes}", unit="rule"):
            seen = last_run.get(rule.name)
            if seen is not None:
                newest = max(changed.values(), default=-1) if ANY in rule.reads else max(
                    (changed.get(key, -1) for key in rule.reads), default=-1)
                if newest <= seen:
                    continue
            ran = True
            last_run[rule.name] = version
            new = {t for t in store.query(rule.query, use_default_graph_as_union=True) if worth_keeping(t)}
            if new:
                version += 1
                for triple in new:
                    changed[keys_of(triple)] = version
                store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new)
                added += len(new)
        if not ran:
            return added


def inconsistencies(store: ox.Store, schema: Schema, graph: ox.NamedNode, literals: Iterable[ox.Literal]) -> list[str]:
    """owlrl's messages for what the closure makes inconsistent, then the unique-name violations."""
    messages: set[str] = set(ill_typed(literals))
    for left, right in schema.disjoint:
        for (node,) in select(store, f"SELECT DISTINCT ?x WHERE {{ ?x a {iri(left)} , {iri(right)} }}"):
            messages.add(f"Disjoint classes {left} and {right} have a common individual {node.value}")
    for prop in schema.kinds[OWL + "AsymmetricProperty"]:
        for x, y in select(store, f"SELECT DISTINCT ?x ?y WHERE {{ ?x {iri(prop)} ?y . ?y {iri(prop)} ?x }}"):
            messages.add(f"Erroneous usage of asymmetric property {prop} on {x.value} and {y.value}")
    for prop in schema.kinds[OWL + "IrreflexiveProperty"]:
        for (x,) in select(store, f"SELECT DISTINCT ?x WHERE {{ ?x {iri(prop)} ?x }}"):
            messages.add(f"Irreflexive property used on {x.value} with {prop}")
    for (node,) in select(store, f"SELECT DISTINCT ?x WHERE {{ ?x a {iri(OWL + 'Nothing')} }}"):
        messages.add(f"{node.value} is defined of type 'Nothing'")
    return sorted(messages) + unique_name_violations(store, graph)


def ill_typed(literals: Iterable[ox.Literal]) -> list[str]:
    """owlrl's dt-not-type: literals of an OWL RL datatype whose lexical form owlrl rejects."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    checked = {str(dt): AltXSDToPYTHON[dt] for dt in OWL_RL_Datatypes if dt in AltXSDToPYTHON}
    found = []
    for literal in set(literals):
        try:
            checked.get(literal.datatype.value, str)(literal.value)
        except ValueError:
            found.append(f"Lexical value of the literal '{literal.value}' does not match its datatype ({literal.datatype.value})")
    return found


def suspect_literals(store: ox.Store) -> list[ox.Literal]:
    """Literals that may be ill-typed: pyoxigraph keeps a literal it could parse in canonical form, so a
    literal of a castable datatype that casts to itself is well-formed (derived integer types it stores as
    xsd:integer, which hides an ill-typed one); the rest of the datatypes owlrl checks are all returned."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    others = ", ".join(iri(str(dt)) for dt in OWL_RL_Datatypes if dt in AltXSDToPYTHON and str(dt) not in CASTABLE
                       and str(dt) != XSD + "string")
    casts = " || ".join(f"(?dt = {iri(dt)} && !COALESCE(sameTerm({iri(dt)}(?o), ?o), false))" for dt in sorted(CASTABLE))
    castable = ", ".join(iri(dt) for dt in sorted(CASTABLE))
    # the datatype is read once and tested against the list first (most literals are strings): 6x faster
    rows = select(store, f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o)) BIND(datatype(?o) AS ?dt) "
                         f"FILTER(?dt IN ({castable}, {others})) FILTER({casts} || ?dt IN ({others})) }}")
    return [literal for (literal,) in rows]


def unique_name_violations(store: ox.Store, graph: ox.NamedNode) -> list[str]:
    """diplokg.reasoning.unique_name_violations on the inferred graph of the store."""
    found = []
    for quad in store.quads_for_pattern(None, ox.NamedNode(SAME_AS), None, graph):
        left, right = quad.subject.value, quad.object.value
        if isinstance(quad.object, ox.NamedNode) and left.startswith(BASE) and right.startswith(BASE) and left < right:
            found.append(f"{left} and {right} are inferred to be the same (owl:sameAs); a functional property "
                         "probably has two different values, or an identity was duplicated")
    return sorted(found)


@dataclass
class StoreClosure:
    """The closure computed in a store: its inferred named graph, counts and inconsistencies."""

    store: ox.Store
    graph: ox.NamedNode
    added: int
    inconsistencies: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies

    def triples(self) -> Iterator[ox.Triple]:
        """The inferred triples."""
        for quad in self.store.quads_for_pattern(None, None, None, self.graph):
            yield quad.triple


def reason_store(store: ox.Store, graph: str = INFERRED_GRAPH, literals: Iterable[ox.Literal] | None = None) -> StoreClosure:
    """Compute the closure of every other graph of `store` into the named graph `graph` (replaced).

    `literals` are the literals to check for dt-not-type (default: the store's suspect literals).
    """
    started = time.perf_counter()
    target = ox.NamedNode(graph)
    if target in set(store.named_graphs()):
        store.remove_graph(target)
    schema = read_schema(store)
    axioms = [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), target) for s, p, o in schema.inferred()]
    store.extend(q for q in axioms if worth_keeping(q.triple))
    added = run_to_fixpoint(store, data_rules(schema), target)
    found = inconsistencies(store, schema, target, suspect_literals(store) if literals is None else literals)
    return StoreClosure(store, target, added + len(axioms), found, time.perf_counter() - started)


def owl_rl_closure(asserted: Graph) -> Closure:
    """Drop-in for diplokg.reasoning.owl_rl_closure: the same Closure, computed by the rules."""
    from rdflib import Graph, Literal

    from diplokg.engines import to_oxigraph, to_rdflib
    from diplokg.namespaces import bind_prefixes
    from diplokg.reasoning import Closure

    started = time.perf_counter()
    store = ox.Store()
    scratch = ox.NamedNode(BASE + "graph/asserted")
    store.extend(ox.Quad(*map(to_oxigraph, triple), scratch) for triple in asserted)
    closure = reason_store(store, literals=[to_oxigraph(o) for o in set(asserted.objects()) if isinstance(o, Literal)])
    inferred = Graph()
    bind_prefixes(inferred.namespace_manager)
    for triple in closure.triples():
        inferred.add(tuple(map(to_rdflib, triple)))
    return Closure(inferred, closure.inconsistencies, time.perf_counter() - started)


def load_store(layout: Layout) -> ox.Store:
    """The dataset of diplokg.loading.load_dataset, parsed by pyoxigraph straight into a Store.

    The same named graphs and triples (each source's text, SHA-256 and length, from
    diplokg.loading.source_text_facts, included); a file
    that does not parse raises DiplokgError naming the file, line and column.
    """

    from diplokg.engines import to_oxigraph
    from diplokg.errors import DiplokgError
    from diplokg.fileio import decode_utf8
    from diplokg.loading import computed_anchors, ontology_files, source_files, source_text_facts
    from diplokg.prefixes import ENTITIES_GRAPH, GRAPH, ONTOLOGY_GRAPH, PREFIX_IRIS

    store = ox.Store()

    def load(path: Path, graph: str) -> None:
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise DiplokgError(f"{path}: cannot read the file: {error.strerror or error}.") from None
        decode_utf8(path, raw, "RDF file")  # pyoxigraph skips bad bytes in comments; rdflib does not
        try:
            store.load(raw, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph), base_iri=path.resolve().as_uri())
        except SyntaxError as error:
            raise DiplokgError(f"{path}: cannot parse as Turtle: {' '.join(str(error).split())}") from None
        except MemoryError as error:  # pyoxigraph's parser holds one token at most 16 MiB long
            raise DiplokgError(f"{path}: cannot load it: one value is too long ({error}); split it.") from None

    for path in ontology_files(layout):
        load(path, ONTOLOGY_GRAPH)
    load(layout.entities_file, ENTITIES_GRAPH)
    texts = []
    for source in bar(source_files(layout), "loading sources"):
        graph = GRAPH + source.slug
        load(source.facts, graph)
        computed = computed_anchors(source, layout)
        if computed is None:
            load(source.anchors, graph)
        else:
            store.extend(ox.Quad(*map(to_oxigraph, triple), ox.NamedNode(graph)) for triple in computed)
        node, name = ox.NamedNode(PREFIX_IRIS["src"] + source.slug), ox.NamedNode(graph)
        texts += [ox.Quad(node, ox.NamedNode(predicate), value, name) for predicate, value in source_text_facts(source)]
    store.extend(texts)
    return store
