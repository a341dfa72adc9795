"""The saved queries: exact expected answers, engine agreement, no dependence on the inferred graph, and the query CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from diplokg.catalogue import SavedQuery, load_catalogue, read_query
from diplokg.cli import main
from diplokg.engines import OxigraphEngine, RdflibEngine, from_oxigraph
from diplokg.errors import DiplokgError
from diplokg.paths import Layout, default_layout
from diplokg.prefixes import expand_curie
from diplokg.results import WRITERS, Result, Term, graph_bytes
from diplokg.sparqltext import bind_constants, inject_values
from diplokg.store import open_store

CATALOGUE = load_catalogue(default_layout().queries_dir)
QUERIES = list(CATALOGUE.values())
SELECT_FORMATS = ["table", "csv", "tsv", "json", "xml"]
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}
OPEN_FILTER = 'zzz"))) || true || ((("'
INJECTIONS = ['x" } UNION { ?s ?p ?o } #', "<x> } ; DROP ALL", OPEN_FILTER, 'x" . ?s ?p ?o } #']


@pytest.fixture(scope="session")
def oxigraph(layout: Layout) -> OxigraphEngine:
    return OxigraphEngine(open_store(layout))


@pytest.fixture(scope="session")
def rdflib_engine(reasoned: Dataset) -> RdflibEngine:
    return RdflibEngine(reasoned)


def expected_path(query: SavedQuery) -> Path:
    return query.path.with_suffix(".nt" if query.form in ("CONSTRUCT", "DESCRIBE") else ".csv")


def answer_text(result: Result) -> str:
    """The answer as the expected-answer files hold it: SPARQL CSV, or sorted N-Triples lines."""
    if result.kind == "graph":
        return "".join(sorted(graph_bytes(result, "nt").decode("utf-8").splitlines(keepends=True)))
    return WRITERS["csv"](result)


def size(result: Result) -> int:
    return {"select": len(result.rows), "graph": len(result.triples), "ask": 1}[result.kind]


def plain(term: Term | None) -> tuple[str, ...] | None:
    """A term by value: IRIs and blank nodes by their string, literals by lexical form and language.

    pyoxigraph canonicalises derived integer datatypes (xsd:nonNegativeInteger is read back as xsd:integer),
    so the two engines are compared on values, not datatype IRIs.
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language or "")
    return (type(term).__name__, term.value)


def by_value(result: Result) -> object:
    """The answer by value, in order for SELECT, as a set of triples for CONSTRUCT."""
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted({tuple(map(plain, (t.subject, t.predicate, t.object))) for t in result.triples})
    return [tuple(map(plain, row)) for row in result.rows]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- the catalogue and its expected answers


def test_catalogue_is_complete() -> None:
    assert len(QUERIES) >= 20
    numbers = [query.path.name.split("-", 1)[0] for query in QUERIES]
    assert numbers == [f"{n:02d}" for n in range(1, len(QUERIES) + 1)]
    assert {query.form for query in QUERIES} >= {"SELECT", "CONSTRUCT", "ASK"}
    for query in QUERIES:
        assert query.title and query.description, query.name
        assert query.examples and all(e.startswith(f"diplokg query {query.name}") for e in query.examples), query.name
        assert expected_path(query).is_file(), f"no expected answer beside {query.path.name}"
        for parameter in query.parameters:
            assert parameter.default is not None and parameter.description, (query.name, parameter.name)
            assert re.search(rf"\?{parameter.name}\b", query.text), (query.name, parameter.name)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_saved_query_gives_its_expected_answer(oxigraph: OxigraphEngine, query: SavedQuery) -> None:
    result = oxigraph.query(query.text, query.bind({}))
    assert size(result) >= 1
    if result.kind == "ask":
        assert result.boolean is True
    assert answer_text(result) == expected_path(query).read_bytes().decode("utf-8")


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_reference_engine_gives_the_same_answer(oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine,
                                                 query: SavedQuery) -> None:
    bindings = query.bind({})
    fast = oxigraph.query(query.text, bindings)
    reference = rdflib_engine.query(query.text, bindings)
    assert (reference.kind, reference.variables) == (fast.kind, fast.variables)
    assert by_value(reference) == by_value(fast)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_answer_does_not_depend_on_the_inferred_graph(oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine,
                                                      query: SavedQuery) -> None:
    bindings = query.bind({})
    for engine in (oxigraph, rdflib_engine):
        with_closure = engine.query(query.text, bindings, inferred=True)
        asserted_only = engine.query(query.text, bindings, inferred=False)
        assert asserted_only.comparable() == with_closure.comparable(), type(engine).__name__


def test_inferred_graph_is_really_left_out(oxigraph: OxigraphEngine) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with_closure, asserted_only = (int(oxigraph.query(count, inferred=flag).rows[0][0].value) for flag in (True, False))
    assert with_closure > asserted_only


# ---------------------------------------------------------------- parameters are terms, never query text


@pytest.mark.parametrize("value", INJECTIONS)
def test_string_parameter_cannot_change_the_query(oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine,
                                                  value: str) -> None:
    query = CATALOGUE["find-names"]
    for engine in (oxigraph, rdflib_engine):
        result = engine.query(query.text, query.bind({"text": value}))
        assert result.variables == ["text", "printedName", "entity", "label", "source"]
        assert result.rows == []
        assert engine.query(query.text, query.bind({})).rows, "the same query does answer for a real name"


def test_pasting_the_value_would_have_changed_the_query(oxigraph: OxigraphEngine) -> None:
    query = CATALOGUE["find-names"]
    pasted = query.text.replace("?text)", f'"{OPEN_FILTER}")', 1)
    every_name = oxigraph.query("SELECT ?m WHERE { ?m <https://w3id.org/diplokg/ontology#labelOf> ?x }")
    assert len(oxigraph.query(pasted).rows) >= len(every_name.rows) > 50
    assert oxigraph.query(query.text, query.bind({"text": OPEN_FILTER})).rows == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_term_in_iri_position_cannot_change_the_query(oxigraph: OxigraphEngine, value: str) -> None:
    query = CATALOGUE["statements-by-person"]
    assert len(oxigraph.query("SELECT * WHERE { ?s ?p ?o }").rows) > 1000
    for term in (ox.Literal(value), ox.Literal(value, language="en")):
        assert oxigraph.query(query.text, {"person": term}).rows == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_cli_binds_injected_values_as_terms(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, _ = run_cli(capsys, "query", "find-names", "--param", f"text={value}", "--format", "csv")
    assert code == 0 and out == "text,printedName,entity,label,source\r\n"
    code, out, err = run_cli(capsys, "query", "statements-by-person", "--param", f"person={value}")
    assert code == 2 and out == "" and "'person' (iri)" in err and "is not an IRI" in err


def test_parameter_values_are_typed_terms() -> None:
    title = CATALOGUE["printed-title-holders"].bind({"title": "Foreign Minister@en"})["title"]
    assert (title.value, title.language) == ("Foreign Minister", "en")
    minimum = CATALOGUE["who-met-whom"].bind({"minimum": "3"})["minimum"]
    assert (minimum.value, minimum.datatype.value) == ("3", "http://www.w3.org/2001/XMLSchema#integer")
    after = CATALOGUE["planned-events"].bind({"after": "2021-01-01"})["after"]
    assert after.datatype.value == "http://www.w3.org/2001/XMLSchema#date"
    event = CATALOGUE["attendees-by-delegation"].bind({"event": "<https://example.org/e>"})["event"]
    assert event == ox.NamedNode("https://example.org/e")


# ---------------------------------------------------------------- the command line


def test_cli_lists_every_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "queries")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(CATALOGUE)
    for query in QUERIES:
        assert query.title in out
    assert "who-met-whom" in out and "minimum (integer, default 1)" in out and "umbrella (boolean, default false)" in out


def test_cli_runs_a_query_with_a_parameter(capsys: pytest.CaptureFixture[str], oxigraph: OxigraphEngine) -> None:
    event = "event:washington-meeting-with-us-delegation"
    code, out, _ = run_cli(capsys, "query", "attendees-by-delegation", "--param", f"event={event}", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    iri = expand_curie(event)
    assert {row["event"] for row in rows} == {iri}
    participants = oxigraph.query(f"SELECT DISTINCT ?p WHERE {{ ?x <{expand_curie('dip:event')}> <{iri}> ; "
                                  f"<{expand_curie('dip:participant')}> ?p }}")
    assert sorted(row["person"] for row in rows) == sorted(row[0].value for row in participants.rows)
    assert out != expected_path(CATALOGUE["attendees-by-delegation"]).read_bytes().decode("utf-8")


def test_cli_table_shows_labels_and_iris_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "query", "posts-of-person")
    assert code == 0 and "Juan González" in out and "National Security Council" in out
    assert "person:juan-gonzalez" not in out and out.rstrip().endswith("(3 rows)")
    code, out, _ = run_cli(capsys, "query", "posts-of-person", "--iri")
    assert code == 0 and "Juan González <person:juan-gonzalez>" in out


def test_cli_writes_an_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "answer.csv"
    code, out, _ = run_cli(capsys, "query", "timeline", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_bytes() == (CATALOGUE["timeline"].path.with_suffix(".csv")).read_bytes()


def test_cli_no_inferred_gives_the_same_answer(capsys: pytest.CaptureFixture[str]) -> None:
    answers = [run_cli(capsys, "query", "who-met-whom", flag, "--format", "csv")[1] for flag in ("--inferred", "--no-inferred")]
    assert answers[0] == answers[1] == expected_path(CATALOGUE["who-met-whom"]).read_bytes().decode("utf-8")


@pytest.mark.parametrize("output_format", SELECT_FORMATS)
def test_cli_select_formats_parse(capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    query = CATALOGUE["people-in-both-sources"]
    expected = list(csv.DictReader(io.StringIO(query.path.with_suffix(".csv").read_text(encoding="utf-8"), newline="")))
    code, out, _ = run_cli(capsys, "query", query.name, "--format", output_format)
    assert code == 0
    if output_format == "json":
        data = json.loads(out)
        assert data["head"]["vars"] == ["person", "name", "source", "printedName"]
        assert [b["printedName"]["value"] for b in data["results"]["bindings"]] == [r["printedName"] for r in expected]
    elif output_format == "xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(out)
        assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["person", "name", "source", "printedName"]
        assert len(root.findall("s:results/s:result", ns)) == len(expected)
    elif output_format == "csv":
        assert list(csv.DictReader(io.StringIO(out, newline=""))) == expected
    elif output_format == "tsv":
        lines = out.splitlines()
        assert lines[0] == "?person\t?name\t?source\t?printedName" and len(lines) == len(expected) + 1
        assert lines[1].split("\t")[3] == f'"{expected[0]["printedName"]}"'
    else:
        assert out.rstrip().endswith(f"({len(expected)} rows)") and "Roberto Velasco Álvarez" in out


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv", "table"])
def test_cli_ask_formats_parse(capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    code, out, _ = run_cli(capsys, "query", "met", "--param", "other=person:antony-blinken", "--format", output_format)
    assert code == 0
    if output_format == "json":
        assert json.loads(out)["boolean"] is True
    elif output_format == "xml":
        assert ET.fromstring(out).find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"
    else:
        assert out.split() in (["boolean", "true"], ["?boolean", "true"], ["yes"])
    code, out, _ = run_cli(capsys, "query", "met", "--param", "other=person:tyler-moran", "--format", "csv")
    assert code == 0 and out == "boolean\r\nfalse\r\n"


@pytest.mark.parametrize("output_format", list(GRAPH_FORMATS))
def test_cli_construct_formats_parse(capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    query = CATALOGUE["person-card"]
    expected = Graph().parse(data=query.path.with_suffix(".nt").read_text(encoding="utf-8"), format="nt")
    code, out, _ = run_cli(capsys, "query", query.name, "--format", output_format)
    assert code == 0
    parsed = Graph().parse(data=out, format=GRAPH_FORMATS[output_format])
    assert set(parsed) == set(expected) and len(parsed) >= 1


def test_cli_unknown_query_suggests_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "query", "atendees-by-delegaton")
    assert code == 2 and out == ""
    assert "No saved query named 'atendees-by-delegaton'" in err and "attendees-by-delegation" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2 and err.startswith("diplokg: project ")


@pytest.mark.parametrize(("name", "param", "wanted"), [
    ("who-met-whom", "minimum=abc", "'minimum' (integer)"),
    ("who-met-whom", "minimum=", "'minimum' (integer)"),
    ("who-met-whom", "minimum=١٢", "'minimum' (integer)"),  # digits, but not XSD's: an ill-typed literal, no rows
    ("who-met-whom", "minimum=\uff11", "'minimum' (integer)"),  # fullwidth
    ("who-met-whom", "minimum=1\n", "'minimum' (integer)"),
    ("planned-events", "after=\uff12\uff10\uff12\uff11-\uff10\uff18-\uff11\uff11", "'after' (date)"),
    ("posts-of-person", "person=http://a.example/x\n", "'person' (iri)"),
    ("who-met-whom", "minimum", "'minimum'"),
    ("posts-of-person", "person=not an iri", "'person' (iri)"),
    ("planned-events", "after=11 August 2021", "'after' (date)"),
    ("printed-title-holders", "title=Secretary", "'title' (langstring)"),
    ("timeline", "foo=1", "no parameter foo"),
    ("posts-of-person", "persn=person:juan-gonzalez", "no parameter persn; its parameters: person"),
])
def test_cli_bad_parameter_is_named(capsys: pytest.CaptureFixture[str], name: str, param: str, wanted: str) -> None:
    code, out, err = run_cli(capsys, "query", name, "--param", param)
    assert code == 2 and out == ""
    assert wanted in err and "Traceback" not in err


def test_missing_parameter_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "queries").mkdir()
    path = tmp_path / "queries" / "01-needs-event.rq"
    path.write_text("# title: needs an event\n# description: has no default\n"
                    "# param: event (iri) -- the event\nSELECT ?event WHERE { ?x ?p ?event }\n", encoding="utf-8")
    with pytest.raises(DiplokgError, match=r"needs --param event=VALUE \(iri\)"):
        read_query(path).bind({})
    monkeypatch.setenv("DIPLOKG_HOME", str(tmp_path))
    code, _, err = run_cli(capsys, "query", "needs-event")
    assert code == 2 and "--param event=VALUE" in err


@pytest.mark.parametrize(("text", "line"), [
    ("SELECT ?x\nWHERE {\n  ?x ?p ?o .\n}\nLIMIT x\n", 5),
    ("SELECT ?x\nWHERE {\n  ?x ?p ?o .\n  ?x nosuchprefix:p ?o .\n}\n", 4),
])
def test_cli_syntax_error_names_line_and_column(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str,
                                                line: int) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, "query", "-f", str(path))
    assert code == 2 and out == ""
    assert "not valid SPARQL" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2 and err.startswith("diplokg: project ")
    where = re.search(r"at (\d+):(\d+)", err)
    assert where and int(where.group(1)) == line and int(where.group(2)) >= 1


@pytest.mark.parametrize(("name", "what"), [("timeline", "results"), ("person-card", "RDF")])
def test_cli_unknown_format(capsys: pytest.CaptureFixture[str], name: str, what: str) -> None:
    code, out, err = run_cli(capsys, "query", name, "--format", "yaml")
    assert code == 2 and out == ""
    assert f"Unknown {what} format 'yaml'" in err


def rows_of(engine: OxigraphEngine, name: str, **params: str) -> list[dict[str, str]]:
    """A saved query's rows as {variable: value} (values as strings), with the given parameters."""
    query = CATALOGUE[name]
    result = engine.query(query.text, query.bind(params))
    return [{var: term.value for var, term in zip(result.variables, row, strict=True) if term is not None}
            for row in result.rows]


def test_statements_by_person_gives_only_what_the_person_said(oxigraph: OxigraphEngine) -> None:
    mayorkas, ebrard = expand_curie("person:alejandro-mayorkas"), expand_curie("person:marcelo-ebrard")
    emphasized = expand_curie("stmt:lm-ebrard-emphasized-importance")
    assert rows_of(oxigraph, "statements-by-person", person="person:alejandro-mayorkas") == []
    printed = rows_of(oxigraph, "statements-by-person", person="person:alejandro-mayorkas", include="printed")
    assert [(r["statement"], r["role"]) for r in printed] == [(emphasized, "printed as said by")]
    said = {r["statement"]: r["role"] for r in rows_of(oxigraph, "statements-by-person", person="person:marcelo-ebrard")}
    assert said[emphasized] == "said" and set(said.values()) == {"said"}
    assert mayorkas not in {r["person"] for r in rows_of(oxigraph, "statements-by-person", person=ebrard)}


def pairs(rows: list[dict[str, str]]) -> dict[frozenset[str], int]:
    return {frozenset((r["person"], r["other"])): int(r["encounters"]) for r in rows}


def test_who_met_whom_default_is_cross_side_in_person_encounters_counted_once(oxigraph: OxigraphEngine) -> None:
    person = expand_curie
    default = rows_of(oxigraph, "who-met-whom")
    met = pairs(default)
    assert all(r.get("side") != r.get("otherSide") and (r.get("side") or r.get("otherSide")) for r in default)
    same_side = frozenset((person("person:esteban-moctezuma-barragan"), person("person:roberto-velasco")))
    call = frozenset((person("person:marcelo-ebrard"), person("person:antony-blinken")))
    across = frozenset((person("person:esteban-moctezuma-barragan"), person("person:isabel-rioja-scott")))
    lunch = frozenset((person("person:marcelo-ebrard"), person("person:jake-sullivan")))
    assert same_side not in met and call not in met
    assert met[across] == 2 and met[lunch] == 1  # two meetings of the visit, never the visit itself
    everything = pairs(rows_of(oxigraph, "who-met-whom", sides="any", calls="true", umbrella="true"))
    assert everything[same_side] == 5 and everything[call] == 1 and everything[across] == 2
    assert len(default) == 139  # 7 x 8 at the lunch, 5 x 15 and 5 x 2 in Washington, two pairs met at both


SOURCES_WITHOUT_DATE_CASE = """
@prefix dip: <https://w3id.org/diplokg/ontology#> . @prefix ex: <https://example.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:g {
  ex:Talk rdfs:subClassOf ex:Meeting . ex:Meeting rdfs:subClassOf schema:Event .
  ex:undated a dip:SourceDocument ; schema:name "U" ; dip:fileName "u.txt" ; schema:characterCount 10 ;
      dip:dateBasis dip:DateNotStated .
  ex:empty a dip:SourceDocument ; schema:name "E" ; dip:fileName "e.txt" ; schema:characterCount 5 .
  ex:dated a dip:SourceDocument ; schema:name "D" ; dip:fileName "d.txt" ; schema:characterCount 7 ;
      schema:dateCreated "2021-07-01"^^xsd:date .
  ex:s1 oa:hasSource ex:undated . ex:s2 oa:hasSource ex:undated . ex:s3 oa:hasSource ex:dated .
  ex:talk a ex:Talk ; prov:wasDerivedFrom ex:s1, ex:s2 .
  ex:dinner a schema:Event ; prov:wasDerivedFrom ex:s2 ; schema:startDate "2021-07-01"^^xsd:date .
  ex:person a schema:Person ; prov:wasDerivedFrom ex:s1 .
  ex:other a schema:Event ; prov:wasDerivedFrom ex:s3 .
}
"""


def test_both_engines_read_from_clauses_as_a_merge_and_fetch_nothing(reasoned: Dataset, layout: Layout) -> None:
    """FROM names the default graph: two source graphs read as their RDF merge (the triples both state once),
    an IRI that names no graph of the dataset is empty (never fetched), FROM NAMED only names graphs."""
    graph = "https://w3id.org/diplokg/graph/"
    two = f"FROM <{graph}sre-2021-08-11-lunch-meeting> FROM <{graph}sre-washington-working-visit>"
    expected = len({t for name in ("sre-2021-08-11-lunch-meeting", "sre-washington-working-visit")
                    for t in reasoned.graph(expand_curie(f"graph:{name}"))})
    for engine in (OxigraphEngine(open_store(layout)), RdflibEngine(reasoned)):
        def count(clauses: str, engine: OxigraphEngine | RdflibEngine = engine) -> int:
            return int(engine.query(f"SELECT (COUNT(*) AS ?n) {clauses} WHERE {{ ?s ?p ?o }}").rows[0][0].value)

        assert count(two) == expected, engine
        assert count("FROM <http://127.0.0.1:9/nothing-here>") == 0, engine
        assert count(f"FROM NAMED <{graph}entities>") == 0, engine


def test_sources_without_date_counts_each_undated_event_once_through_subclasses() -> None:
    store = ox.Store()
    store.load(SOURCES_WITHOUT_DATE_CASE.encode(), ox.RdfFormat.TRIG)
    dataset = Dataset(default_union=True)
    dataset.parse(data=SOURCES_WITHOUT_DATE_CASE, format="trig")
    query = CATALOGUE["sources-without-date"]
    for engine in (OxigraphEngine(store), RdflibEngine(dataset)):
        result = engine.query(query.text)
        rows = {row[0].value: (row[1].value, row[3] and row[3].value, row[5].value) for row in result.rows}
        assert rows == {"https://example.org/undated": ("U", expand_curie("dip:DateNotStated"), "1"),
                        "https://example.org/empty": ("E", None, "0")}, type(engine).__name__



CONSTANT_BOUND = [q for q in QUERIES if q.parameters and bind_constants(q.text, q.bind({})) is not None]


def test_most_parameters_are_bound_as_constants() -> None:
    assert len(CONSTANT_BOUND) >= 10 and "find-names" in {q.name for q in CONSTANT_BOUND}


@pytest.mark.parametrize("query", CONSTANT_BOUND, ids=lambda q: q.name)
def test_values_block_gives_the_same_answer_as_constants(oxigraph: OxigraphEngine, query: SavedQuery) -> None:
    """Remote endpoints and the query page get the parameters as VALUES blocks (outermost group and each
    subquery that projects them); Oxigraph gets them as constants: both must mean the same."""
    bindings = query.bind({})
    texts = (bind_constants(query.text, bindings) or "", inject_values(query.text, bindings))
    answers = [from_oxigraph(oxigraph.store.query(text, use_default_graph_as_union=True)) for text in texts]
    assert size(answers[0]) > 0 and answers[0].comparable() == answers[1].comparable(), texts[1]


SUBQUERY_SHAPES = {  # text -> the ?o values expected with ?s bound to <http://x/s1>
    "SELECT ?s ?o WHERE { ?s <http://x/p> ?o }": ["v1"],
    "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?t <http://x/p> ?o FILTER(?t = ?s) } } }": ["v1"],
    "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?t <http://x/p> ?o } GROUP BY ?s ?o "
    "HAVING (STRAFTER(STR(?s), 'http://x/s') = STRAFTER(?o, 'v')) } }": ["v1"],
    "SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { { SELECT ?s ?o WHERE { ?s <http://x/p> ?o } } } } }": ["v1"],
    "SELECT ?o WHERE { { SELECT ?o WHERE { ?s <http://x/p> ?o } } } ORDER BY ?o": ["v0", "v1", "v2"],
    "SELECT ?s ?o WHERE { { SELECT * WHERE { ?s <http://x/p> ?o } } }": ["v1"],
}


@pytest.mark.parametrize("text", list(SUBQUERY_SHAPES))
def test_constants_and_values_blocks_mean_the_same_in_subqueries(text: str) -> None:
    """A parameter reaches a subquery exactly where the subquery projects it, however it is bound."""
    store = ox.Store()
    for i in range(3):
        store.add(ox.Quad(ox.NamedNode(f"http://x/s{i}"), ox.NamedNode("http://x/p"), ox.Literal(f"v{i}")))
    bindings = {"s": ox.NamedNode("http://x/s1")}
    constants = bind_constants(text, bindings)
    assert constants is not None
    for bound in (constants, inject_values(text, bindings)):
        result = from_oxigraph(store.query(bound))
        column = result.variables.index("o")
        assert [row[column].value for row in result.rows] == SUBQUERY_SHAPES[text], bound
