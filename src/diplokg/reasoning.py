"""Reasoning: the OWL 2 RL closure of ontology and data (owlrl), kept in its own named graph.

Inconsistencies are reported, not silently added: what owlrl flags (disjoint classes shared,
asymmetric properties broken, members of owl:Nothing, sameAs against differentFrom) and, under
our unique-name rule (one IRI per real thing), any owl:sameAs it derives between two of our IRIs,
which is how a broken functional property shows in OWL RL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import owlrl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from diplokg.namespaces import BASE, INFERRED_GRAPH, bind_prefixes

ERRNS = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
TRIVIAL = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}


@dataclass
class Closure:
    """The result of reasoning: the triples added and the inconsistencies found."""

    inferred: Graph
    inconsistencies: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies


def asserted_graph(dataset: Dataset) -> Graph:
    """Every asserted triple of the dataset (all graphs but the inferred one) in one graph."""
    merged = Graph()
    for graph in dataset.graphs():
        if graph.identifier != INFERRED_GRAPH:
            for triple in graph:
                merged.add(triple)
    return merged


def is_worth_keeping(triple: tuple) -> bool:
    """False for the closure's tautologies: reflexive axioms, owl:Thing types, built-in vocabulary."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal) or str(subject).startswith(BUILT_IN):
        return False
    if predicate in TRIVIAL and subject == obj:
        return False
    return not (predicate == RDF.type and obj in (OWL.Thing, RDFS.Resource, OWL.NamedIndividual))


def unique_name_violations(inferred: Graph) -> list[str]:
    """owl:sameAs between two distinct IRIs of ours: two real things merged by the axioms."""
    found = []
    for left, right in inferred.subject_objects(OWL.sameAs):
        if left != right and str(left).startswith(BASE) and str(right).startswith(BASE) and str(left) < str(right):
            found.append(
                f"{left} and {right} are inferred to be the same (owl:sameAs); a functional property "
                "probably has two different values, or an identity was duplicated"
            )
    return sorted(found)


def owl_rl_closure(asserted: Graph) -> Closure:
    """Compute the OWL RL closure of `asserted` with owlrl (the reference engine)."""
    started = time.perf_counter()
    expanded = Graph()
    for triple in asserted:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    messages = [str(expanded.value(node, ERROR)) for node in expanded.subjects(RDF.type, ERRNS)]
    inferred = Graph()
    bind_prefixes(inferred.namespace_manager)
    for triple in expanded:
        if triple in asserted or (isinstance(triple[0], BNode) and (triple[0], RDF.type, ERRNS) in expanded):
            continue
        if is_worth_keeping(triple):
            inferred.add(triple)
    return Closure(inferred, sorted(messages) + unique_name_violations(inferred), time.perf_counter() - started)


def reason(dataset: Dataset) -> Closure:
    """Reason over the dataset and put the inferred triples into its inferred named graph."""
    closure = owl_rl_closure(asserted_graph(dataset))
    dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    target = dataset.graph(INFERRED_GRAPH)
    for triple in closure.inferred:
        target.add(triple)
    return closure
