"""The fast SHACL engine on shapes that use more than ontology/shapes.ttl does (sh:node, sh:xone,
sequence and inverse paths, sh:closed, qualified shapes, SPARQL constraints on property shapes),
checked against pyshacl on the real data; its messages; what it refuses."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from diplokg import shacl
from diplokg.errors import DiplokgError
from diplokg.validation import data_graph, store_of

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix dip: <https://w3id.org/diplokg/ontology#> .
@prefix t: <urn:test:> .

t:Named a sh:NodeShape ; sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ; sh:datatype xsd:string ] .
t:Person a sh:NodeShape ; sh:targetClass foaf:Person ;
    sh:xone ( [ sh:path org:holds ; sh:minCount 1 ] [ sh:path skos:altLabel ; sh:minCount 1 ] ) ;
    sh:property [ sh:path ( org:holds org:postIn ) ; sh:node t:Named ; sh:class org:Organization ] ;
    sh:property [ sh:path [ sh:inversePath dip:participant ] ; sh:qualifiedValueShape [ sh:class dip:Participation ] ;
                  sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] ;
    sh:property [ sh:path [ sh:zeroOrMorePath org:unitOf ] ; sh:maxCount 3 ] .
t:Post a sh:NodeShape ; sh:targetClass org:Post ; sh:closed true ; sh:ignoredProperties ( t:none ) ;
    sh:property [ sh:path org:postIn ] .
t:Event a sh:NodeShape ; sh:targetClass schema:Event ;
    sh:or ( [ sh:path schema:startDate ; sh:minCount 1 ] [ sh:path dip:dateBasis ; sh:hasValue dip:Nowhere ] ) ;
    sh:property [ sh:path schema:attendee ; sh:sparql [
        sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER NOT EXISTS { ?value ?p ?o } }" ] ] .
"""


def keys_of_pyshacl(dataset: Dataset, shapes: Graph) -> set[tuple[str, str]]:
    """(focus node, constraint component) of each pyshacl result."""
    _, report, _ = pyshacl.validate(data_graph(dataset), shacl_graph=shapes, inference="none", advanced=True)
    return {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceConstraintComponent)))
            for r in report.objects(None, SH.result)}  # not the nested ones under sh:detail


def test_new_features_agree_with_pyshacl_on_the_real_data(reasoned: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    results = shacl.validate_store(store_of(reasoned), path)
    components = {r.component.split("#")[1] for r in results}
    assert {"XoneConstraintComponent", "ClosedConstraintComponent", "OrConstraintComponent"} <= components
    assert {r.key() for r in results} == keys_of_pyshacl(reasoned, Graph().parse(path))


def test_or_and_xone_messages_say_which_alternatives_failed(reasoned: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text(SHAPES, encoding="utf-8")
    results = shacl.validate_store(store_of(reasoned), path)
    xone = next(r for r in results if r.component.endswith("Xone" + "ConstraintComponent"))
    assert "exactly one is required" in xone.message or "none of the 2 alternatives" in xone.message
    failed_or = next(r for r in results if r.component.endswith("#OrConstraintComponent"))
    assert "none of the 2 alternatives" in failed_or.message and "Fewer than 1 values" in failed_or.message
    assert all(r.shape is not None for r in results)


@pytest.mark.parametrize("shape, refused", [
    ("t:S a sh:NodeShape ; sh:targetNode t:x ; sh:rule [ a sh:TripleRule ] .", "sh:rule"),
    ('t:S a sh:NodeShape ; sh:targetNode t:x ; sh:sparql [ sh:select "SELECT $this WHERE { MINUS { $this ?p ?o } }" ] .',
     "MINUS"),
    ('t:S a sh:NodeShape ; sh:targetNode t:x ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o . '
     '{ SELECT ?o WHERE { ?o ?q ?r } } }" ] .', "sub-select"),
])
def test_unsupported_or_prohibited_input_is_a_clear_error(reasoned: Dataset, tmp_path: Path, shape: str,
                                                          refused: str) -> None:
    path = tmp_path / "shapes.ttl"
    path.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix t: <urn:test:> .\n" + shape, encoding="utf-8")
    with pytest.raises(DiplokgError, match=refused):
        shacl.validate_store(store_of(reasoned), path)
