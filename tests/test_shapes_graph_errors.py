"""An ill-formed shapes graph is a clear error before any data is checked (diplokg.shacl.wellformed):
each problem names the file, the line, the shape and the property; the real shapes pass the check."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from diplokg import shacl
from diplokg.cli import main
from diplokg.errors import DiplokgError
from diplokg.shacl.data import DataGraph
from diplokg.shacl.evaluate import Evaluator
from diplokg.shacl.shapes import ShapesGraph
from diplokg.shacl.wellformed import check

REPO = Path(__file__).resolve().parents[1]
PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <urn:ex:> .
"""


def shapes_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "shapes.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def error_of(tmp_path: Path, body: str) -> str:
    with pytest.raises(DiplokgError) as caught:
        ShapesGraph.parse(shapes_file(tmp_path, body))
    assert caught.value.exit_code == 2
    return str(caught.value)


def property_shape(constraint: str) -> str:
    return f"ex:S a sh:NodeShape ; sh:targetClass foaf:Person ;\n    sh:property [ sh:path foaf:name ; {constraint} ] .\n"


@pytest.mark.parametrize(("constraint", "expected"), [
    ('sh:minCount "one"', 'sh:minCount "one" is not a non-negative integer'),
    ("sh:maxCount -1", "sh:maxCount -1 is not a non-negative integer"),
    ("sh:minLength 1.5", 'sh:minLength "1.5"^^xsd:decimal is not a non-negative integer'),
    ('sh:maxLength "2"', 'sh:maxLength "2" is not a non-negative integer'),
    ('sh:qualifiedValueShape [ sh:class foaf:Person ] ; sh:qualifiedMinCount "x"',
     'sh:qualifiedMinCount "x" is not a non-negative integer'),
    ('sh:pattern "([a-z"', 'sh:pattern "([a-z" is not a valid regular expression'),
    ('sh:pattern "a" ; sh:flags "z"', 'sh:pattern "a" with sh:flags "z" is not a valid regular expression'),
    ("sh:pattern 3", "sh:pattern 3 is not a string"),
    ('sh:datatype "xsd:date"', 'sh:datatype "xsd:date" is not an IRI (for the IRI, write xsd:date without quotes)'),
    ('sh:class "foaf:Person"', 'sh:class "foaf:Person" is not an IRI'),
    ("sh:class [ ]", "sh:class [ ... ] is not an IRI"),
    ('sh:node "ex:T"', 'sh:node "ex:T" is not a shape'),
    ('sh:in "a"', 'sh:in "a" is not a list'),
    ("sh:in ex:notAList", "sh:in ex:notAList is not a list"),
    ("sh:in [ ex:p 1 ]", "sh:in [ ... ] is not a list"),
    ('sh:or ( "a" [ sh:class foaf:Person ] )', 'sh:or ( "a" [ ... ] ) has a member that is not a shape: "a"'),
    ("sh:languageIn ( ex:en )", "sh:languageIn ( ex:en ) has a member that is not a string: ex:en"),
    ("sh:nodeKind sh:Iri", "sh:nodeKind sh:Iri is not one of sh:BlankNode"),
    ('sh:uniqueLang "yes"', 'sh:uniqueLang "yes" is not true or false'),
    ("sh:datatype xsd:string , xsd:date", "sh:datatype has 2 values (xsd:string, xsd:date)"),
    ("sh:minInclusive ex:one", "sh:minInclusive ex:one is not a literal"),
])
def test_an_ill_formed_parameter_is_refused_naming_the_shape_and_property(tmp_path: Path, constraint: str,
                                                                          expected: str) -> None:
    message = error_of(tmp_path, property_shape(constraint))
    assert f"shapes.ttl:6: shape ex:S, property foaf:name: {expected}" in message
    assert "The shapes graph is ill-formed (one problem); nothing was validated" in message


@pytest.mark.parametrize(("path", "expected"), [
    ("( )", "sh:path ( ) is an empty list"),
    ('"foaf:name"', 'sh:path "foaf:name" is a literal'),
    ("( foaf:name )", "the sequence has 1 member(s); it needs two or more"),
    ("[ ex:p ex:q ]", "sh:path [ ... ] is not a path"),
    ('[ sh:inversePath "x" ]', 'sh:path [ ... ]: the member "x" is a literal'),
    ("[ sh:alternativePath ( foaf:name ) ]", "the sh:alternativePath has 1 member(s)"),
    ("[ sh:inversePath foaf:knows ; sh:zeroOrMorePath foaf:knows ]", "is not a path (it has sh:inversePath, "
                                                                    "sh:zeroOrMorePath)"),
    ("( foaf:knows ( ) )", "the member ( ) is an empty list"),
])
def test_a_path_that_is_not_a_path_is_refused(tmp_path: Path, path: str, expected: str) -> None:
    message = error_of(tmp_path, f"ex:S a sh:NodeShape ; sh:targetClass foaf:Person ;\n"
                                 f"    sh:property [ sh:path {path} ; sh:minCount 1 ] .\n")
    assert "shape ex:S, property shape 1 (of 1, in the order written): " in message
    assert expected in message


def test_the_well_formed_paths_pass(tmp_path: Path) -> None:
    ShapesGraph.parse(shapes_file(tmp_path, "ex:S a sh:NodeShape ; sh:targetClass foaf:Person ;\n" + "".join(
        f"    sh:property [ sh:path {path} ; sh:minCount 1 ] ;\n"
        for path in ("foaf:name", "( foaf:knows foaf:name )", "[ sh:inversePath foaf:knows ]",
                     "[ sh:alternativePath ( foaf:knows [ sh:zeroOrMorePath foaf:member ] ) ]",
                     "( [ sh:oneOrMorePath foaf:knows ] [ sh:zeroOrOnePath foaf:name ] )")) + "    .\n"))


def test_scope_and_shape_rules(tmp_path: Path) -> None:
    message = error_of(tmp_path, "ex:S a sh:NodeShape ; sh:targetClass foaf:Person ; sh:minCount 1 ;\n"
                                 "    sh:property [ sh:class foaf:Person ] .\n"
                                 "ex:T a sh:NodeShape ; sh:path foaf:name .\n")
    assert "shape ex:S: sh:minCount needs sh:path: only a property shape may have it" in message
    assert "shape ex:S, property shape 1 (of 1, in the order written): sh:path is missing" in message
    assert "shape ex:T: a sh:NodeShape cannot have sh:path" in message
    assert "(3 problems)" in message


def test_nested_blank_shapes_are_described_by_where_they_sit(tmp_path: Path) -> None:
    message = error_of(tmp_path, "ex:S a sh:NodeShape ; sh:targetClass foaf:Person ;\n"
                                 "    sh:or ( [ sh:class foaf:Person ] [ sh:datatype \"x\" ] ) ;\n"
                                 "    sh:not [ sh:path foaf:knows ; sh:maxCount \"many\" ] .\n")
    assert 'shapes.ttl:6: shape ex:S, sh:or member 2: sh:datatype "x" is not an IRI' in message
    assert 'shapes.ttl:7: shape ex:S, sh:not: sh:maxCount "many" is not a non-negative integer' in message


def test_every_problem_is_its_own_paragraph(tmp_path: Path) -> None:
    message = error_of(tmp_path, property_shape('sh:minCount "one" ; sh:pattern "(" ; sh:datatype "xsd:date"'))
    paragraphs = message.split("\n\n")
    assert len(paragraphs) == 4
    assert all("shapes.ttl:6: shape ex:S, property foaf:name: sh:" in p for p in paragraphs[:3])


def test_a_shapes_graph_not_read_from_a_file_is_checked_before_the_data(tmp_path: Path) -> None:
    shapes = ShapesGraph(ox.parse(path=str(shapes_file(tmp_path, property_shape('sh:minCount "one"'))),
                                  format=ox.RdfFormat.TURTLE))
    with pytest.raises(DiplokgError, match='property foaf:name: sh:minCount "one" is not a non-negative integer'):
        shacl.validate_store(ox.Store(), shapes)


def test_the_real_shapes_pass_the_check() -> None:
    path = REPO / "ontology" / "shapes.ttl"
    shapes = ShapesGraph.parse(path)  # checks
    assert shapes.checked
    check(ShapesGraph(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)), path)


def test_recursion_guard_is_per_thread() -> None:
    """A check in progress on one thread is not a recursive check on another (the guard that assumes
    a recursive check conforms must not let another thread's node pass)."""
    evaluator = Evaluator(ShapesGraph([]), DataGraph(ox.Store()))
    evaluator.active.add(("shape", "node"))
    seen: list[set] = []
    thread = threading.Thread(target=lambda: seen.append(set(evaluator.active)))
    thread.start()
    thread.join()
    assert seen == [set()] and evaluator.active == {("shape", "node")}


def test_the_command_line_says_what_is_wrong_and_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setenv("DIPLOKG_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    shapes = tmp_path / "ontology" / "shapes.ttl"
    lines = shapes.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if line.strip().startswith("sh:minCount 1 ; sh:maxCount 1 ;"))
    lines[number] = lines[number].replace("sh:minCount 1", 'sh:minCount "one"', 1)
    shapes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for engine in ("fast", "pyshacl"):  # the reference engine refuses the same shapes graph, the same way
        code = main(["validate", "--no-reason", "--engine", engine])
        err = capsys.readouterr().err
        assert code == 2
        assert f'ontology/shapes.ttl:{number + 1}: shape dsh:PersonShape, property rdfs:label: sh:minCount "one" ' \
               "is not a non-negative integer." in err
        assert "internal error" not in err and "Violation" not in err
