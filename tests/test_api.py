"""The Python API: load, query (saved and ad hoc, typed parameters), validate, saved_queries; and the
runnable example in docs/."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

import diplokg
from diplokg.cli import main

REPO = Path(__file__).resolve().parents[1]
EVENTS = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a schema:Event }"


def cli_csv(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["query", *args, "--format", "csv"]) == 0
    return capsys.readouterr().out


def test_load_with_and_without_inferences_matches_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    asserted, inferred = diplokg.load(), diplokg.load(inferred=True)
    prefixes = "PREFIX schema: <https://schema.org/>\n"
    count = int(next(iter(inferred.query(prefixes + EVENTS)))[0])
    assert int(next(iter(asserted.query(prefixes + EVENTS)))[0]) == 0
    assert count == int(cli_csv(capsys, "-e", EVENTS).splitlines()[1]) and count > 0
    names = {str(g.identifier) for g in inferred.graphs() if len(g)}
    assert "https://w3id.org/diplokg/graph/inferred" in names
    assert "https://w3id.org/diplokg/graph/inferred" not in {str(g.identifier) for g in asserted.graphs() if len(g)}


def test_saved_query_with_typed_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    table = diplokg.query("planned-events", after=datetime.date(2021, 8, 1))
    assert isinstance(table, diplokg.Table)
    assert table.columns[:3] == ["after", "event", "label"]
    assert table.to_csv() == cli_csv(capsys, "planned-events", "--param", "after=2021-08-01")
    assert len(table) >= 1 and all(row[0] == datetime.date(2021, 8, 1) for row in table.rows)
    assert all(isinstance(row[1], str) and row[1].startswith("https://w3id.org/diplokg/id/event/") for row in table.rows)
    same = diplokg.query("planned-events", after="2021-08-01", engine="rdflib")
    assert sorted(map(str, same.rows)) == sorted(map(str, table.rows))


def test_dataframe_and_notebook_view(monkeypatch: pytest.MonkeyPatch) -> None:
    table = diplokg.query("SELECT ?name WHERE { ?p a foaf:Person ; skos:prefLabel ?name } ORDER BY ?name")
    frame = table.to_dataframe()
    assert list(frame.columns) == ["name"] and list(frame["name"]) == [row[0] for row in table.rows]
    html = table._repr_html_()
    assert html.count("<tr>") == len(table) + 1 and f"{len(table)} row(s)" in html
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(diplokg.DiplokgError, match=r"needs pandas.*diplokg\[dataframe\]"):
        table.to_dataframe()


def test_ask_and_construct() -> None:
    assert diplokg.query("met", person="person:marcelo-ebrard", other="person:jake-sullivan") is True
    card = diplokg.query("person-card", person="person:marcelo-ebrard")
    expected = Graph().parse(REPO / "queries" / "21-person-card.nt", format="nt")
    assert isinstance(card, Graph) and set(card) == set(expected)


@pytest.mark.parametrize(("name", "params", "message"), [
    ("planned-events", {"after": "2021-13-45"}, "is not a date that exists"),
    ("planned-events", {"before": "2021-01-01"}, "has no parameter before"),
    ("attendees-by-delegation", {"event": "foo:bar"}, "the prefix 'foo' is not one of diplokg's"),
    ("who-met-whom", {"minimum": "two"}, "is not an xsd:integer"),
    ("who-met-whom", {"minimum": [2]}, "is a list"),
    ("no-such-query", {}, "No saved query named 'no-such-query'"),
    ("SELECT ?x WHERE { ?x ?p ?o }", {"x": "1"}, "Parameters work with saved queries only"),
    ("SELECT ?x WHERE { ?x ?p }", {}, "not valid SPARQL"),
])
def test_bad_query_input_is_a_diplokg_error(name: str, params: dict[str, object], message: str) -> None:
    with pytest.raises(diplokg.DiplokgError, match=message):
        diplokg.query(name, **params)


def test_validate_and_saved_queries(tmp_path: Path) -> None:
    report = diplokg.validate()
    assert report.conforms and report.findings == []
    for folder in ("ontology", "data"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    facts = tmp_path / "data/facts/sre-2021-08-11-lunch-meeting.ttl"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("schema:startDate \"2021-08-11\"^^xsd:date ;", "", 1), encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        broken = diplokg.validate(project=tmp_path, engine=engine)
        assert not broken.conforms and broken.findings, engine
        assert {f.file for f in broken.findings} == {"data/facts/sre-2021-08-11-lunch-meeting.ttl"}
    saved = {q.name: q for q in diplokg.saved_queries()}
    assert len(saved) == len(list((REPO / "queries").glob("*.rq")))
    assert [(p.name, p.type, p.default) for p in saved["planned-events"].parameters] == [("after", "date", "2021-08-11")]
    with pytest.raises(diplokg.DiplokgError, match="no such folder"):
        diplokg.saved_queries(project=tmp_path / "missing")


def test_the_documented_example_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "docs" / "api_example.py")], capture_output=True, text=True,
                          cwd=REPO, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["events, asserted only: 0", "events, with inferences: 12"]
    assert "met: True" in lines and "conforms: True findings: 0" in lines
    assert any(line.startswith("error: Parameter 'after' (date): '2021-13-45' is not a date") for line in lines)
