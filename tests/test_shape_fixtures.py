"""Valid and invalid fixture pairs for every SHACL node shape (as BrickSchema does).

For each node shape `dsh:<Name>` of ontology/shapes.ttl, tests/fixtures/shapes/ holds `<Name>-valid.ttl`, a small
self-contained graph that conforms to every shape with no result at all, and `<Name>-invalid.ttl`, the same graph
with one defect, whose header comments name the focus node, constraint component and (for property constraints)
the path of the result the shape must report (`# expect-focus: ...`, `# expect-component: ...`, `# expect-path: ...`).
A fixture is validated merged with the ontology graph (subclass axioms, SKOS vocabularies), without the real data,
by pyshacl (the reference) and by the fast engine (diplokg.shacl), which must report the same results.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from diplokg import shacl
from diplokg.engines import to_oxigraph
from diplokg.loading import ontology_files, parse_into
from diplokg.namespaces import SH
from diplokg.paths import default_layout
from diplokg.prefixes import expand_curie
from diplokg.validation import load_shapes, run_shacl, stated_by

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
EXPECT = re.compile(r"^# expect-(focus|component|path): (\S+)$", re.MULTILINE)

SHAPES = load_shapes(default_layout())
NODE_SHAPES = sorted(s for s in SHAPES.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def local_name(shape: URIRef) -> str:
    return str(shape).rsplit("#", 1)[-1]


@cache
def ontology() -> Graph:
    """The ontology and vocabularies, parsed once."""
    graph = Graph()
    for path in ontology_files(default_layout()):
        parse_into(graph, path)
    return graph


def fixture(shape: URIRef, kind: str) -> Path:
    path = FIXTURES / f"{local_name(shape)}-{kind}.ttl"
    assert path.is_file(), f"dsh:{local_name(shape)} has no {kind} fixture: create {path}"
    return path


@cache
def validate(path: Path) -> tuple[Graph, bool, Graph]:
    """The fixture merged with the ontology, whether it conforms, and the SHACL results graph."""
    data = Graph()
    data += ontology()
    parse_into(data, path)
    conforms, results = run_shacl(data, SHAPES)
    return data, conforms, results


def shape_and_property_shapes(shape: URIRef) -> set[Node]:
    """The node shape and its sh:property shapes: any of them may be a result's sh:sourceShape."""
    return {shape, *SHAPES.objects(shape, SH.property)}


def expectations(path: Path) -> dict[str, URIRef]:
    found = {key: expand_curie(value) for key, value in EXPECT.findall(path.read_text(encoding="utf-8"))}
    assert {"focus", "component"} <= found.keys() and None not in found.values(), \
        f"{path.name}: give `# expect-focus:` and `# expect-component:` (and `# expect-path:`) as known prefixed names"
    return {key: URIRef(iri) for key, iri in found.items() if iri}


@pytest.mark.parametrize("shape", NODE_SHAPES, ids=local_name)
def test_valid_fixture_conforms_without_any_result(shape: URIRef) -> None:
    _, conforms, results = validate(fixture(shape, "valid"))
    report = results.serialize(format="turtle")
    assert conforms, report
    assert not list(results.subjects(RDF.type, SH.ValidationResult)), report


@pytest.mark.parametrize("shape", NODE_SHAPES, ids=local_name)
def test_invalid_fixture_is_reported_by_its_shape(shape: URIRef) -> None:
    path = fixture(shape, "invalid")
    expected = expectations(path)
    data, conforms, results = validate(path)
    sources = shape_and_property_shapes(shape)
    reported = [
        {"focus": stated_by(data, results.value(r, SH.focusNode)),  # a selector is reported as its evidence node
         "component": results.value(r, SH.sourceConstraintComponent),
         "path": results.value(r, SH.resultPath),
         "severity": results.value(r, SH.resultSeverity)}
        for r in results.subjects(RDF.type, SH.ValidationResult) if results.value(r, SH.sourceShape) in sources
    ]
    matching = [r for r in reported if all(r[key] == value for key, value in expected.items())]
    assert matching, (expected, reported, results.serialize(format="turtle"))
    assert not conforms or all(r["severity"] != SH.Violation for r in matching)


def test_every_fixture_belongs_to_a_shape() -> None:
    names = {f"{local_name(shape)}-{kind}.ttl" for shape in NODE_SHAPES for kind in ("valid", "invalid")}
    assert sorted(p.name for p in FIXTURES.glob("*.ttl") if p.name not in names) == []


def blank_as_one(node: object) -> str:
    """A focus node as a string; blank nodes (selectors) all alike, as their ids differ between engines."""
    return "_:blank" if isinstance(node, BNode) else str(node)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.stem)
def test_fast_engine_reports_what_pyshacl_reports(path: Path) -> None:
    data, _, results = validate(path)
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/diplokg/graph/fixture")
    store.extend(ox.Quad(*map(to_oxigraph, triple), graph) for triple in data)
    fast = {("_:blank" if isinstance(r.focus, ox.BlankNode) else r.focus.value, r.component)
            for r in shacl.validate_store(store, default_layout().shapes_file)}
    reference = {(blank_as_one(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceConstraintComponent)))
                 for r in results.subjects(RDF.type, SH.ValidationResult)}
    assert fast == reference

