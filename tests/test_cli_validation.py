"""The validation and reasoning commands: reports, exit codes, new files, bad input, read-only."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from diplokg.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's ontology and data that a test may edit; DIPLOKG_HOME points at it."""
    for folder in ("ontology", "data", "queries"):
        if (REPO / folder).exists():
            shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setenv("DIPLOKG_HOME", str(tmp_path))
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_real_data_conforms_in_every_report_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate")
    assert code == 0 and "The data conforms: 0 violation(s)" in out
    code, out, _ = run(capsys, "validate", "--format", "json", "--no-reason")
    assert code == 0 and json.loads(out)["conforms"] is True
    code, out, _ = run(capsys, "validate", "--format", "turtle", "--no-reason")
    assert code == 0 and "sh:conforms true" in out
    Graph().parse(data=out, format="turtle")


def test_violation_is_reported_with_file_line_node_path_and_exit_1(project: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    facts = project / "data/facts/sre-2021-08-11-lunch-meeting.ttl"
    title = "undersecretary of Civil Security, Democracy and Human Rights of the State Department"
    edit(facts, f'dip:printedTitle "{title}"@en ;', "")
    code, out, _ = run(capsys, "validate", "--no-reason")
    assert code == 1
    lines = facts.read_text(encoding="utf-8").splitlines()
    membership = "mem:uzra-zeya--us-under-secretary-civilian-security"
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(membership + " "))
    assert f"data/facts/sre-2021-08-11-lunch-meeting.ttl:{line}: Violation: <{membership}>" in out
    assert "[dip:printedTitle]" in out and "sh:MinCountConstraintComponent" in out
    assert "does NOT conform: 1 violation(s)" in out


def test_fail_on_warning(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = project / "data/facts/sre-2021-08-11-lunch-meeting.ttl"
    edit(facts, "dip:announcedAt event:2021-08-11-lunch-meeting", "")
    code, out, _ = run(capsys, "validate", "--no-reason")
    assert code == 0 and "1 warning(s)" in out
    code, out, _ = run(capsys, "validate", "--no-reason", "--fail-on", "warning")
    assert code == 1
    assert "Warning: Relaunch of the High-Level Economic Dialogue (DEAN) <event:2021-09-09-dean-relaunch>" in out


def test_report_to_file_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, _, _ = run(capsys, "validate", "--no-reason", "--format", "json", "-o", str(target))
    assert code == 0 and json.loads(target.read_text())["findings"] == []


NEW_TEXT = "On Monday, Jake Sullivan met Marcelo Ebrard in Mexico City.\n"
NEW_FACTS = """@prefix dip: <https://w3id.org/diplokg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix src: <https://w3id.org/diplokg/id/source/> .
@prefix ev: <https://w3id.org/diplokg/id/evidence/> .
@prefix name: <https://w3id.org/diplokg/id/name/> .
@prefix person: <https://w3id.org/diplokg/id/person/> .

src:new-note a dip:SourceDocument ;
    rdfs:label "A new note"@en ; schema:inLanguage "en" ;
    dip:dateBasis dip:DateNotStated ; dip:fileName "new-note.txt" ;
    prov:wasDerivedFrom ev:nn-sullivan .

ev:nn-sullivan a oa:SpecificResource ;
    oa:hasSource src:new-note ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "QUOTE" ] .

name:nn-jake-sullivan a skosxl:Label ;
    skosxl:literalForm "FORM" ;
    dip:labelOf person:jake-sullivan ;
    prov:wasDerivedFrom ev:nn-sullivan .
"""


def write_new_source(project: Path, quote: str, form: str) -> Path:
    (project / "data/sources/new-note.txt").write_text(NEW_TEXT, encoding="utf-8")
    path = project / "new-note.ttl"
    path.write_text(NEW_FACTS.replace("QUOTE", quote).replace("FORM", form), encoding="utf-8")
    return path


def test_a_new_file_is_checked_against_the_rest(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_new_source(project, "Jake Sullivan", "Jake Sullivan")
    code, out, _ = run(capsys, "validate", str(good), "--no-reason")
    assert code == 0, out
    bad = write_new_source(project, "Jake Sullivan", "Jake Sulivan")
    code, out, _ = run(capsys, "validate", str(bad), "--no-reason")
    assert code == 1
    assert "new-note.ttl" in out and "<name:nn-jake-sullivan>" in out and '"Jake Sulivan"' in out
    assert "evidence: “Jake Sullivan” [" in out  # the fast engine (the default) quotes the evidence span
    code, reference, _ = run(capsys, "validate", str(bad), "--no-reason", "--engine", "pyshacl")
    assert code == 1 and "new-note.ttl" in reference and "<name:nn-jake-sullivan>" in reference


def test_a_quote_not_in_the_source_is_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_new_source(project, "Jake Sullivan met Ebrard", "Jake Sullivan")
    code, _, err = run(capsys, "validate", str(path), "--no-reason")
    assert code == 2
    assert "new-note.ttl:" in err and "evidence/nn-sullivan" in err and "is not in new-note.txt" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name, content, expected", [
    ("broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e "unterminated .\n',
     "broken.ttl:3:26: syntax error: newline found in string literal"),
    ("prefix.ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nfoo:d ex:e ex:f .\n",
     'prefix.ttl:3:1: syntax error: Prefix "foo:" not bound'),
    ("broken.nt", "<http://e/a> <http://e/b> <http://e/c> .\n<a> <b> <c> .\n", "broken.nt:2: syntax error"),
    ("broken.jsonld", '{"@id": ', "broken.jsonld:1:9: syntax error"),
    ("broken.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>',
     "broken.rdf:1:"),
    ("notes.txt", "hello", "the extension .txt is not an RDF format"),
])
def test_bad_input_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path), "--no-reason")
    assert code == 2 and out == ""
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2 and err.startswith("diplokg: project ")


def test_missing_and_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "missing.ttl"), "--no-reason")
    assert code == 2 and "missing.ttl: no such file" in err
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    code, _, err = run(capsys, "validate", str(folder), "--no-reason")
    assert code == 2 and "folder.ttl" in err


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("ex:a ex:b", encoding="utf-8")
    with pytest.raises(Exception, match=r"broken\.ttl"):
        main(["--debug", "validate", str(path), "--no-reason"])


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_validation_never_changes_the_source_files(capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_hash(REPO / "data"), tree_hash(REPO / "ontology")
    assert main(["validate"]) == 0
    capsys.readouterr()
    assert (tree_hash(REPO / "data"), tree_hash(REPO / "ontology")) == before


def test_reason_reports_additions_and_no_inconsistency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "inferred.nt"
    code, _, err = run(capsys, "reason", "-o", str(target))
    assert code == 0 and "No inconsistency found." in err
    added = int(err.split("OWL RL closure (fast): ")[1].split()[0])
    assert added == len(Graph().parse(target, format="nt")) > 100


@pytest.mark.parametrize("old, new, expected", [
    ("person:jake-sullivan a foaf:Person ;", "person:jake-sullivan a foaf:Person , org:FormalOrganization ;",
     "Disjoint classes http://xmlns.com/foaf/0.1/Person and http://xmlns.com/foaf/0.1/Organization"),
    ("dip:followedBy event:foreign-ministry-meeting-scherer-cardenas-batel ;",
     "dip:followedBy event:foreign-ministry-meeting-scherer-cardenas-batel ; "
     "dip:precededBy event:foreign-ministry-meeting-scherer-cardenas-batel ;",
     "Erroneous usage of asymmetric property https://w3id.org/diplokg/ontology#followedBy"),
    ("dip:participant person:ricardo-mejia ;", "dip:participant person:ricardo-mejia , person:julio-scherer ;",
     "julio-scherer and https://w3id.org/diplokg/id/person/ricardo-mejia are inferred to be the same"),
])
def test_reason_reports_inconsistencies(project: Path, capsys: pytest.CaptureFixture[str],
                                        old: str, new: str, expected: str) -> None:
    target = project / ("data/entities.ttl" if "foaf:Person ;" in old else "data/facts/sre-2021-08-11-lunch-meeting.ttl")
    edit(target, old, new)
    code, _, err = run(capsys, "reason")
    assert code == 1 and "INCONSISTENT" in err and expected in err
