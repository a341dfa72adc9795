"""The knowledge graph itself: evidence spans, labels, identity, dates, sources, no network."""

from __future__ import annotations

import socket

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from diplokg.anchor import anchor_all
from diplokg.loading import load_dataset, source_files
from diplokg.namespaces import DIP, GRAPH, ID, OA, SCHEMA
from diplokg.prefixes import sparql_prologue


def ask(dataset: Dataset, query: str) -> list:
    return list(dataset.query(sparql_prologue() + query))


def test_every_cited_span_equals_the_source_text(dataset: Dataset, layout) -> None:
    texts = {s.node: s.text.read_text(encoding="utf-8") for s in source_files(layout)}
    rows = ask(dataset, """
        SELECT ?evidence ?source ?exact ?start ?end WHERE {
          ?evidence oa:hasSource ?source ; oa:hasSelector ?q , ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }""")
    assert len(rows) >= 80
    for evidence, source, exact, start, end in rows:
        assert texts[source][int(start) : int(end)] == str(exact), evidence


def test_every_evidence_node_has_both_selectors(dataset: Dataset) -> None:
    for evidence in set(dataset.subjects(RDF.type, OA.SpecificResource)):
        kinds = {dataset.value(s, RDF.type) for s in dataset.objects(evidence, OA.hasSelector)}
        assert kinds == {OA.TextQuoteSelector, OA.TextPositionSelector}, evidence


def test_anchors_are_up_to_date(layout) -> None:
    assert anchor_all(layout, check=True) == []


def test_every_assertion_node_carries_evidence(dataset: Dataset) -> None:
    rows = ask(dataset, """
        SELECT ?node WHERE {
          VALUES ?class { org:Membership dip:Participation schema:Event dip:Delegation dip:Statement
                          skosxl:Label dip:Situation dip:Discrepancy dip:Agreement dip:SourceDocument }
          ?node a/rdfs:subClassOf* ?class .
          FILTER NOT EXISTS { ?node prov:wasDerivedFrom/oa:hasSource ?source }
        }""")
    assert rows == []


def test_every_person_organisation_and_event_has_a_label(dataset: Dataset) -> None:
    rows = ask(dataset, """
        SELECT ?node WHERE {
          VALUES ?class { foaf:Person foaf:Organization schema:Event }
          ?node a/rdfs:subClassOf* ?class .
          FILTER NOT EXISTS { ?node rdfs:label ?label }
        }""")
    assert rows == []


def test_about_forty_named_people_each_one_node(dataset: Dataset) -> None:
    people = {p for p in dataset.subjects(RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person"))}
    assert 40 <= len(people) <= 45
    labels = [dataset.value(p, SKOS.prefLabel) for p in people]
    assert len(labels) == len(set(labels)), "two person nodes share a preferred name"


@pytest.mark.parametrize("person, variants", [
    ("juan-gonzalez", {"Juan Gonzalez", "Juan González"}),
    ("marcelo-ebrard", {"Marcelo Ebrard", "Marcelo Ebrard Casaubon"}),
    ("roberto-velasco", {"Roberto Velasco", "Roberto Velasco Álvarez"}),
    ("francisco-garduno", {"Francisco Garduño", "Francisco Garduño Yáñez"}),
    ("ricardo-zuniga", {"Ricardo Zúñiga"}),
])
def test_a_person_named_in_both_texts_is_one_node(dataset: Dataset, person: str, variants: set[str]) -> None:
    node = ID["person/" + person]
    mentions = {
        (str(graph), str(form))
        for form, graph in ask(dataset, f"""
            SELECT ?form ?g WHERE {{ GRAPH ?g {{ ?label dip:labelOf <{node}> ; skosxl:literalForm ?form }} }}""")
    }
    assert {form for _, form in mentions} == variants
    assert {graph for graph, _ in mentions} == {str(GRAPH["sre-2021-08-11-lunch-meeting"]),
                                                str(GRAPH["sre-washington-working-visit"])}
    labels = {str(v) for v in dataset.objects(node, SKOS.prefLabel)} | {str(v) for v in dataset.objects(node, SKOS.altLabel)}
    assert variants <= labels


def test_each_event_has_a_date_or_says_the_text_gives_none(dataset: Dataset) -> None:
    rows = ask(dataset, """
        SELECT ?event ?date ?basis WHERE {
          ?event a/rdfs:subClassOf* schema:Event .
          OPTIONAL { ?event schema:startDate ?date }
          OPTIONAL { ?event dip:dateBasis ?basis }
        }""")
    assert len(rows) >= 12
    for event, date, basis in rows:
        assert (date is not None) != (basis == DIP.DateNotStated), event


def test_sources_record_date_or_its_absence_language_and_text(dataset: Dataset, layout) -> None:
    lunch = ID["source/sre-2021-08-11-lunch-meeting"]
    visit = ID["source/sre-washington-working-visit"]
    assert dataset.value(lunch, SCHEMA.dateCreated) == Literal("2021-08-11", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert dataset.value(visit, SCHEMA.dateCreated) is None
    assert dataset.value(visit, DIP.dateBasis) == DIP.DateNotStated
    for source in source_files(layout):
        graph = dataset.graph(source.graph)
        assert str(graph.value(source.node, SCHEMA.text)) == source.text.read_text(encoding="utf-8")
        assert str(graph.value(source.node, SCHEMA.inLanguage)) == "en"


def test_discrepancies_can_be_listed(dataset: Dataset) -> None:
    rows = ask(dataset, """
        SELECT ?d ?kind WHERE { ?d a dip:Discrepancy ; dip:discrepancyKind ?kind ; dip:printedForm ?form ;
                                   dip:normalisedForm ?normal }""")
    kinds = {str(kind).split("#")[1] for _, kind in rows}
    assert {"TitleVariant", "NameVariant", "OddAttribution", "LikelyMistranslation"} <= kinds


def test_outside_knowledge_is_marked(dataset: Dataset) -> None:
    marked = set(dataset.subjects(DIP.outsideTexts, Literal(True)))
    assert ID["post/us-under-secretary-civilian-security"] in marked
    for node in marked:
        assert dataset.value(node, SKOS.editorialNote) is not None or dataset.value(node, RDFS.comment) is not None


def test_loading_makes_no_network_access(layout, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during load")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert len(load_dataset(layout)) > 3000


def test_one_named_graph_per_source_plus_ontology_and_entities(dataset: Dataset, layout) -> None:
    names = {g.identifier for g in dataset.graphs() if len(g)}
    expected = {GRAPH["ontology"], GRAPH["entities"]} | {s.graph for s in source_files(layout)}
    assert expected <= names
