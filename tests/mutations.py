"""The mutation catalogue: small defects, each an edit to a copy of the real data, with the
focus node and SHACL constraint component that validation must report for it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import FOAF, ORG, RDF, RDFS, SKOS, XSD

from diplokg.loading import load_dataset, new_dataset
from diplokg.namespaces import DIP, GRAPH, ID, OA, SCHEMA, SH
from diplokg.paths import default_layout
from diplokg.validation import data_graph, load_shapes, run_shacl

LUNCH = GRAPH["sre-2021-08-11-lunch-meeting"]
VISIT = GRAPH["sre-washington-working-visit"]
ENTITIES = GRAPH["entities"]
ONTOLOGY = GRAPH["ontology"]
DCTERMS_SUBJECT = URIRef("http://purl.org/dc/terms/subject")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
SKOSXL_FORM = URIRef("http://www.w3.org/2008/05/skos-xl#literalForm")


def iri(path: str) -> URIRef:
    return ID[path]


def sh(component: str) -> str:
    return f"http://www.w3.org/ns/shacl#{component}ConstraintComponent"


@dataclass(frozen=True)
class Mutation:
    """One defect: how to make it, and the (focus node, constraint component) it must raise."""

    name: str
    apply: Callable[[Dataset], None]
    focus: str
    component: str


def remove(graph: URIRef, subject: URIRef, predicate: URIRef) -> Callable[[Dataset], None]:
    def edit(dataset: Dataset) -> None:
        dataset.graph(graph).remove((subject, predicate, None))
    return edit


def replace(graph: URIRef, subject: URIRef, predicate: URIRef, value: object) -> Callable[[Dataset], None]:
    def edit(dataset: Dataset) -> None:
        dataset.graph(graph).remove((subject, predicate, None))
        dataset.graph(graph).add((subject, predicate, value))
    return edit


def add(graph: URIRef, *triples: tuple) -> Callable[[Dataset], None]:
    def edit(dataset: Dataset) -> None:
        for triple in triples:
            dataset.graph(graph).add(triple)
    return edit


def both(*edits: Callable[[Dataset], None]) -> Callable[[Dataset], None]:
    def edit(dataset: Dataset) -> None:
        for one in edits:
            one(dataset)
    return edit


def shift_span(evidence: URIRef, by: int) -> Callable[[Dataset], None]:
    selector = URIRef(str(evidence) + "#position")

    def edit(dataset: Dataset) -> None:
        graph = dataset.graph(LUNCH)
        for predicate in (OA.start, OA.end):
            value = int(graph.value(selector, predicate))
            graph.set((selector, predicate, Literal(value + by, datatype=XSD.integer)))
    return edit


def swap_span(evidence: URIRef) -> Callable[[Dataset], None]:
    selector = URIRef(str(evidence) + "#position")

    def edit(dataset: Dataset) -> None:
        graph = dataset.graph(LUNCH)
        start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
        graph.set((selector, OA.start, end))
        graph.set((selector, OA.end, start))
    return edit


def rename(old: URIRef, new: URIRef) -> Callable[[Dataset], None]:
    def edit(dataset: Dataset) -> None:
        for graph in list(dataset.graphs()):
            for s, p, o in list(graph):
                if old in (s, o):
                    graph.remove((s, p, o))
                    graph.add((new if s == old else s, p, new if o == old else o))
    return edit


SULLIVAN = iri("person/jake-sullivan")
EBRARD = iri("person/marcelo-ebrard")
LUNCH_EVENT = iri("event/2021-08-11-lunch-meeting")
CALL = iri("event/ebrard-blinken-phone-call")
DEAN = iri("event/2021-09-09-dean-relaunch")
MEXICO_DELEGATION = iri("delegation/lm-mexico")
MEJIA_AT_LUNCH = iri("participation/lm-lunch-ricardo-mejia")
EBRARD_AT_LUNCH = iri("participation/lm-lunch-marcelo-ebrard")
GONZALEZ_MEMBERSHIP = iri("membership/juan-gonzalez--us-nsc-senior-director-western-hemisphere")
ZEYA_MEMBERSHIP = iri("membership/uzra-zeya--us-under-secretary-civilian-security")
MEJIA_MEMBERSHIP = iri("membership/ricardo-mejia--mx-undersecretary-of-public-security")
EMPHASIZED = iri("statement/lm-ebrard-emphasized-importance")
MAYORKAS = iri("person/alejandro-mayorkas")
JOINT_EFFORT = iri("situation/joint-effort-orderly-migration")
REVIEW_STATUS = DIP.reviewStatus
GONZALEZ_NAME = iri("name/lm-juan-gonzalez")
GOING_WELL = iri("statement/lm-going-very-well")
LUNCH_SOURCE = iri("source/sre-2021-08-11-lunch-meeting")
VISIT_SOURCE = iri("source/sre-washington-working-visit")
DURATION_EVIDENCE = iri("evidence/lm-lunch-duration")
NORTH_AMERICA_UNIT = iri("org/north-america-unit")
UNDERSECRETARY = iri("post/mx-undersecretary-of-public-security")
BORDER_RESTRICTIONS = iri("situation/border-restrictions-non-essential-traffic")
MIGRATION = iri("topic/migration")
PHONE_TYPE = iri("event-type/discuss-by-telephone")

MUTATIONS: list[Mutation] = [
    Mutation("person label removed", remove(ENTITIES, SULLIVAN, RDFS.label), str(SULLIVAN), sh("MinCount")),
    Mutation("person label language-tagged", replace(ENTITIES, SULLIVAN, RDFS.label, Literal("Jake Sullivan", lang="en")),
             str(SULLIVAN), sh("Datatype")),
    Mutation("person also typed as an organisation", add(ENTITIES, (SULLIVAN, RDF.type, ORG.FormalOrganization)),
             str(SULLIVAN), sh("Not")),
    Mutation("person IRI not a lower-case slug", rename(SULLIVAN, iri("person/Jake_Sullivan")),
             str(iri("person/Jake_Sullivan")), sh("Pattern")),
    Mutation("duplicated identity", add(ENTITIES, (iri("person/jake-sullivan-2"), RDF.type, FOAF.Person),
                                        (iri("person/jake-sullivan-2"), RDFS.label, Literal("Jake Sullivan")),
                                        (iri("person/jake-sullivan-2"), SKOS.prefLabel, Literal("Jake Sullivan"))),
             str(iri("person/jake-sullivan-2")), sh("SPARQL")),
    Mutation("honorific as a plain string", replace(ENTITIES, iri("person/benito-galeana"), SCHEMA.honorificPrefix,
                                                    Literal("Vice Admiral")),
             str(iri("person/benito-galeana")), sh("Datatype")),
    Mutation("event date as a string", replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate, Literal("2021-08-11")),
             str(LUNCH_EVENT), sh("Datatype")),
    Mutation("event dated after its source", replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate,
                                                     Literal("2021-08-12", datatype=XSD.date)),
             str(LUNCH_EVENT), sh("SPARQL")),
    Mutation("event both dated and undated", add(VISIT, (CALL, SCHEMA.startDate, Literal("2021-06-01", datatype=XSD.date))),
             str(CALL), sh("SPARQL")),
    Mutation("event date basis removed", remove(LUNCH, DEAN, DIP.dateBasis), str(DEAN), sh("MinCount")),
    Mutation("event type removed", remove(VISIT, CALL, DIP.eventType), str(CALL), sh("MinCount")),
    Mutation("event type code not three digits", replace(ONTOLOGY, PHONE_TYPE, SKOS.notation, Literal("41")),
             str(PHONE_TYPE), sh("Pattern")),
    Mutation("event evidence removed", remove(LUNCH, LUNCH_EVENT, PROV_DERIVED), str(LUNCH_EVENT), sh("MinCount")),
    Mutation("event located at a person", replace(LUNCH, LUNCH_EVENT, SCHEMA.location, EBRARD),
             str(LUNCH_EVENT), sh("Class")),
    Mutation("event topic not a concept", add(LUNCH, (LUNCH_EVENT, DCTERMS_SUBJECT, EBRARD)), str(LUNCH_EVENT), sh("Class")),
    Mutation("minimum duration not a duration", replace(LUNCH, LUNCH_EVENT, DIP.minimumDuration, Literal("two hours")),
             str(LUNCH_EVENT), sh("Datatype")),
    Mutation("delegation head not a member", replace(LUNCH, MEXICO_DELEGATION, DIP.headedBy, iri("person/julio-scherer")),
             str(MEXICO_DELEGATION), sh("SPARQL")),
    Mutation("delegation represents two countries", add(LUNCH, (MEXICO_DELEGATION, DIP.represents, iri("place/united-states"))),
             str(MEXICO_DELEGATION), sh("MaxCount")),
    Mutation("participant missing from every delegation", remove(LUNCH, MEJIA_AT_LUNCH, DIP.asMemberOf),
             str(MEJIA_AT_LUNCH), sh("SPARQL")),
    Mutation("participation in two events",
             add(LUNCH, (MEJIA_AT_LUNCH, DIP.event, iri("event/foreign-ministry-meeting-scherer-cardenas-batel"))),
             str(MEJIA_AT_LUNCH), sh("MaxCount")),
    Mutation("participation capacity outside the scheme", replace(LUNCH, MEJIA_AT_LUNCH, DIP.capacity, iri("capacity/guest")),
             str(MEJIA_AT_LUNCH), sh("In")),
    Mutation("head capacity for a non-head", replace(LUNCH, MEJIA_AT_LUNCH, DIP.capacity, iri("capacity/head-of-delegation")),
             str(MEJIA_AT_LUNCH), sh("SPARQL")),
    Mutation("membership in the wrong organisation", replace(LUNCH, GONZALEZ_MEMBERSHIP, ORG.organization,
                                                             iri("org/department-of-state")),
             str(GONZALEZ_MEMBERSHIP), sh("SPARQL")),
    Mutation("membership without printed title", remove(LUNCH, ZEYA_MEMBERSHIP, DIP.printedTitle),
             str(ZEYA_MEMBERSHIP), sh("MinCount")),
    Mutation("dangling post IRI", replace(LUNCH, GONZALEZ_MEMBERSHIP, DIP.post, iri("post/no-such-post")),
             str(GONZALEZ_MEMBERSHIP), sh("SPARQL")),
    Mutation("statement text not in its evidence", replace(LUNCH, GOING_WELL, SCHEMA.text,
                                                           Literal("The relationship is over.", lang="en")),
             str(GOING_WELL), sh("SPARQL")),
    Mutation("statement based on a person", replace(LUNCH, GOING_WELL, SCHEMA.isBasedOn, EBRARD), str(GOING_WELL), sh("Class")),
    Mutation("statement without text", remove(LUNCH, GOING_WELL, SCHEMA.text), str(GOING_WELL), sh("MinCount")),
    Mutation("printed name not a label of its entity", replace(LUNCH, GONZALEZ_NAME, SKOSXL_FORM, Literal("Juan Gonzales")),
             str(GONZALEZ_NAME), sh("SPARQL")),
    Mutation("source without language", remove(LUNCH, LUNCH_SOURCE, SCHEMA.inLanguage), str(LUNCH_SOURCE), sh("MinCount")),
    Mutation("source hash malformed", replace(LUNCH, LUNCH_SOURCE, DIP.sha256, Literal("not-a-hash")),
             str(LUNCH_SOURCE), sh("Pattern")),
    Mutation("undated source given a date",
             add(VISIT, (VISIT_SOURCE, SCHEMA.dateCreated, Literal("2021-06-08", datatype=XSD.date))),
             str(VISIT_SOURCE), sh("SPARQL")),
    Mutation("evidence span shifted by one", shift_span(DURATION_EVIDENCE, 1), str(DURATION_EVIDENCE), sh("SPARQL")),
    Mutation("evidence span reversed", swap_span(DURATION_EVIDENCE), str(DURATION_EVIDENCE) + "#position", sh("LessThan")),
    Mutation("evidence without position selector", remove(LUNCH, DURATION_EVIDENCE, OA.hasSelector),
             str(DURATION_EVIDENCE), sh("QualifiedMinCount")),
    Mutation("situation status outside the scheme", replace(LUNCH, BORDER_RESTRICTIONS, DIP.situationStatus, DIP.Abandoned),
             str(BORDER_RESTRICTIONS), sh("In")),
    Mutation("unit without a parent organisation", remove(ENTITIES, NORTH_AMERICA_UNIT, ORG.unitOf),
             str(NORTH_AMERICA_UNIT), sh("MinCount")),
    Mutation("post without organisation or country", remove(ENTITIES, UNDERSECRETARY, DIP.country),
             str(UNDERSECRETARY), sh("Or")),
    Mutation("topic outside every scheme", remove(ONTOLOGY, MIGRATION, SKOS.inScheme), str(MIGRATION), sh("MinCount")),
    Mutation("planned event not said to be announced", remove(LUNCH, DEAN, DIP.announcedAt), str(DEAN), sh("MinCount")),
    Mutation("participation in a planned event", replace(LUNCH, EBRARD_AT_LUNCH, DIP.event, DEAN), str(DEAN),
             sh("MaxCount")),
    # defects of meaning (ontology 0.2.0)
    Mutation("participation in an event dated after its source",
             replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate, Literal("2021-08-13", datatype=XSD.date)),
             str(MEJIA_AT_LUNCH), sh("SPARQL")),
    Mutation("speaker not among the event's participants",
             replace(LUNCH, EMPHASIZED, SCHEMA.creator, iri("person/julio-scherer")), str(EMPHASIZED), sh("SPARQL")),
    Mutation("statement attributed to the person its caption names",
             replace(LUNCH, EMPHASIZED, SCHEMA.creator, MAYORKAS), str(EMPHASIZED), sh("SPARQL")),
    Mutation("membership in an organisation of the other side",
             replace(LUNCH, MEJIA_MEMBERSHIP, ORG.organization, iri("org/government-of-the-united-states")),
             str(MEJIA_MEMBERSHIP), sh("SPARQL")),
    Mutation("near-equal person names", add(ENTITIES, (iri("person/juan-gonzalez-ruiz"), RDF.type, FOAF.Person),
                                            (iri("person/juan-gonzalez-ruiz"), RDFS.label, Literal("Juan Gonzalez Ruiz")),
                                            (iri("person/juan-gonzalez-ruiz"), SKOS.prefLabel, Literal("Juan Gonzalez Ruiz"))),
             str(iri("person/juan-gonzalez")), sh("SPARQL")),
    Mutation("event date contradicts its dateline basis",
             replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate, Literal("2021-08-10", datatype=XSD.date)),
             str(LUNCH_EVENT), sh("SPARQL")),
    Mutation("event 'yesterday' two days before its dateline",
             both(replace(LUNCH, LUNCH_EVENT, DIP.dateBasis, DIP.DayRelativeToDateline),
                  replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate, Literal("2021-08-09", datatype=XSD.date))),
             str(LUNCH_EVENT), sh("SPARQL")),
    Mutation("evidence names neither subject nor object",
             replace(LUNCH, MEJIA_AT_LUNCH, PROV_DERIVED, iri("evidence/lm-dateline")), str(MEJIA_AT_LUNCH), sh("SPARQL")),
    Mutation("statement without evidence", remove(LUNCH, GOING_WELL, PROV_DERIVED), str(GOING_WELL), sh("MinCount")),
    Mutation("head of delegation a member of the other delegation",
             replace(LUNCH, EBRARD_AT_LUNCH, DIP.asMemberOf, iri("delegation/lm-united-states")),
             str(MEXICO_DELEGATION), sh("SPARQL")),
    Mutation("joint commitment with one side only", replace(LUNCH, JOINT_EFFORT, DIP.party, MEXICO_DELEGATION),
             str(JOINT_EFFORT), sh("SPARQL")),
    Mutation("membership with neither post nor role", remove(LUNCH, ZEYA_MEMBERSHIP, DIP.post), str(ZEYA_MEMBERSHIP), sh("Or")),
    Mutation("membership without organisation", remove(LUNCH, ZEYA_MEMBERSHIP, ORG.organization),
             str(ZEYA_MEMBERSHIP), sh("MinCount")),
    Mutation("two organisations of one holding that do not nest",
             add(VISIT, (ZEYA_MEMBERSHIP, ORG.organization, iri("org/inm"))), str(ZEYA_MEMBERSHIP), sh("SPARQL")),
    Mutation("statement names its event with dip:event", add(LUNCH, (GOING_WELL, DIP.event, LUNCH_EVENT)),
             str(GOING_WELL), sh("MaxCount")),
    Mutation("node proposed by the drafting assistant not yet reviewed",
             add(LUNCH, (MEJIA_AT_LUNCH, REVIEW_STATUS, DIP.Unreviewed)), str(MEJIA_AT_LUNCH), sh("In")),
]


def copy_of(dataset: Dataset) -> Dataset:
    """A deep copy of a dataset, graph by graph."""
    copy = new_dataset()
    for graph in dataset.graphs():
        target = copy.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    return copy


def pyshacl_findings(dataset: Dataset) -> set[tuple[str, str]]:
    """(focus node, constraint component) of every result pyshacl reports on `dataset`."""
    _, results = run_shacl(data_graph(dataset), load_shapes(default_layout()))
    return {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceConstraintComponent)))
            for r in results.subjects(RDF.type, SH.ValidationResult)}


def findings_of_mutation(index: int) -> set[tuple[str, str]]:
    """pyshacl's findings on the real data with mutation `index` applied (None: unmutated)."""
    dataset = load_dataset(default_layout())
    if index >= 0:
        MUTATIONS[index].apply(dataset)
    return pyshacl_findings(dataset)


@functools.cache
def reference_findings() -> dict[str, set[tuple[str, str]]]:
    """pyshacl's findings for the real data ("") and for every mutation, computed on all cores."""
    with ProcessPoolExecutor() as pool:
        results = list(pool.map(findings_of_mutation, range(-1, len(MUTATIONS))))
    return {"": results[0], **{m.name: found for m, found in zip(MUTATIONS, results[1:], strict=True)}}
