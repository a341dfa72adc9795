"""`diplokg serve` over real HTTP: a live server (the CLI in a subprocess) probed with httpx.

SPARQL 1.1 Protocol (each method, each result and graph format, the dataset parameters, the
service description), every refusal (update, LOAD, SERVICE, FROM <file:...>, oversized answers
(422) and bodies, timeouts, malformed queries), saved queries, entity pages and their RDF, VoID and
dumps (see test_server_hardening for attacks, fairness, SPARQLWrapper and headers). Expected
answers come from the embedded engine on the same built store.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from diplokg.catalogue import load_catalogue
from diplokg.engines import OxigraphEngine
from diplokg.http.worker import Job, execute
from diplokg.paths import Layout, default_layout
from diplokg.prefixes import ENTITIES_GRAPH, ID, INFERRED_GRAPH, sparql_prologue
from diplokg.results import Result
from diplokg.store import open_store
from processes import stop

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
TIMEOUT = 2.0
MAX_RESULTS = 1000
CATALOGUE = load_catalogue(default_layout().queries_dir)
PEOPLE = sparql_prologue() + "SELECT ?p ?name WHERE { ?p a foaf:Person ; skos:prefLabel ?name } ORDER BY ?p"
NAMES = sparql_prologue() + "CONSTRUCT { ?p foaf:name ?name } WHERE { ?p a foaf:Person ; skos:prefLabel ?name }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PERSON = ID + "person/marcelo-ebrard"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(*options: str, home: Path | None = None, log_file: Path | None = None) -> Iterator[str]:
    """`diplokg serve` in a subprocess on a free port (its output to `log_file` if given); yields its base URL once
    it answers."""
    port = free_port()
    env = {**os.environ, "DIPLOKG_HOME": str(home or default_layout().root)}
    with open(log_file, "w+b") if log_file else tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "diplokg", "serve", "--port", str(port), *options],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 240
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the server did not start:\n{log.read().decode(errors='replace')}")
                try:
                    if httpx.get(url + "sparql", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            yield url
        finally:
            stop(process, 30)


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server") / "serve.log"


@pytest.fixture(scope="module")
def base(server_log: Path) -> Iterator[str]:
    with running_server("--timeout", str(TIMEOUT), "--max-results", str(MAX_RESULTS), "--workers", "2",
                        log_file=server_log) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30) as http:
        yield http


@pytest.fixture(scope="module")
def engine(base: str, layout: Layout) -> OxigraphEngine:
    return OxigraphEngine(open_store(layout))


def rows_of(result: Result) -> list[tuple[str, ...]]:
    return [tuple("" if t is None else t.value for t in row) for row in result.rows]


def json_rows(data: dict) -> list[tuple[str, ...]]:
    names = data["head"]["vars"]
    return [tuple(b.get(v, {}).get("value", "") for v in names) for b in data["results"]["bindings"]]


# ---------------------------------------------------------------- protocol


def test_service_description_on_get_without_query(client: httpx.Client, base: str, engine: OxigraphEngine) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == URIRef(base + "sparql")
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {g.value for g in engine.store.named_graphs()}
    default = graph.value(graph.value(service, SD.defaultDataset), SD.defaultGraph)
    union = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value
    assert int(graph.value(default, VOID.triples)) == int(union)  # the union of the graphs, each triple once


@pytest.mark.parametrize("method", ["get", "post-form", "post-direct"])
def test_each_method_gives_the_engines_answer(client: httpx.Client, engine: OxigraphEngine, method: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    if method == "get":
        response = client.get("/sparql", params={"query": PEOPLE}, headers=accept)
    elif method == "post-form":
        response = client.post("/sparql", data={"query": PEOPLE}, headers=accept)
    else:
        response = client.post("/sparql", content=PEOPLE.encode(), headers={**accept, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert json_rows(response.json()) == rows_of(engine.query(PEOPLE))


def parse_results(media: str, text: str) -> list[tuple[str, ...]]:
    """Rows of a SPARQL results document as plain values."""
    if media == "application/sparql-results+json":
        return json_rows(json.loads(text))
    if media == "application/sparql-results+xml":
        root = ET.fromstring(text)
        names = [v.get("name") for v in root.iter(SRX + "variable")]
        return [tuple(next((b[0].text or "" for b in result if b.get("name") == n), "") for n in names)
                for result in root.iter(SRX + "result")]
    if media == "text/csv":
        return [tuple(row) for row in list(csv.reader(io.StringIO(text)))[1:]]
    terms = [line.split("\t") for line in text.splitlines()[1:]]
    return [tuple(next(ox.parse(f"<x:s> <x:p> {cell} .".encode(), format=ox.RdfFormat.N_TRIPLES)).object.value
                  for cell in row) for row in terms]


@pytest.mark.parametrize("media", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                   "text/tab-separated-values"])
def test_each_result_format_by_accept(client: httpx.Client, engine: OxigraphEngine, media: str) -> None:
    response = client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    assert parse_results(media, response.text) == rows_of(engine.query(PEOPLE))


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": PEOPLE, "format": "csv"}, headers={"Accept": "application/json"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "p,name"


@pytest.mark.parametrize(("media", "rdflib_format"), [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                      ("application/ld+json", "json-ld"),
                                                      ("application/rdf+xml", "xml")])
def test_construct_in_each_graph_format(client: httpx.Client, engine: OxigraphEngine, media: str,
                                        rdflib_format: str) -> None:
    response = client.post("/sparql", data={"query": NAMES}, headers={"Accept": media})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=rdflib_format)
    expected = {(URIRef(t.subject.value), URIRef(t.predicate.value), Literal(t.object.value))
                for t in engine.query(NAMES).triples}
    assert set(graph) == expected


def test_diplokg_prefixes_are_predeclared(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?n WHERE { person:marcelo-ebrard skos:prefLabel ?n }"})
    assert json_rows(response.json()) == [("Marcelo Ebrard",)]


def test_describe_and_ask(client: httpx.Client) -> None:
    described = client.get("/sparql", params={"query": f"DESCRIBE <{PERSON}>"}, headers={"Accept": "text/turtle"})
    assert (URIRef(PERSON), None, None) in Graph().parse(data=described.text, format="turtle")
    for query, expected in ((f"ASK {{ <{PERSON}> ?p ?o }}", True), ("ASK { <x:nothing> ?p ?o }", False)):
        assert client.get("/sparql", params={"query": query}).json()["boolean"] is expected


def count(client: httpx.Client, query: str, **params: str | list[str]) -> int:
    response = client.get("/sparql", params={"query": query, **params}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_dataset_parameters_and_from(client: httpx.Client, engine: OxigraphEngine) -> None:
    entities = int(engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}")
                   .rows[0][0].value)
    quads = int(engine.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0].value)
    everything = int(engine.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
                     .rows[0][0].value)
    assert everything < quads  # some triples are stated by two sources: the union counts each once, as RDF merge does
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == everything
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": ENTITIES_GRAPH}) == entities
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES_GRAPH}> WHERE {{ ?s ?p ?o }}") == entities
    assert count(client, "SELECT (COUNT(*) AS ?n) FROM graph:entities WHERE { ?s ?p ?o }") == entities  # predeclared
    named = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                          "named-graph-uri": INFERRED_GRAPH}, headers={"Accept": "application/json"})
    assert json_rows(named.json()) == [(INFERRED_GRAPH,)]
    # a dataset is a set of graphs: a graph named twice is read once (Oxigraph alone would double every answer)
    twice = [ENTITIES_GRAPH, ENTITIES_GRAPH]
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": twice}) == entities
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": twice}) == entities
    assert count(client, "SELECT (COUNT(*) AS ?n) FROM graph:entities FROM graph:entities WHERE { ?s ?p ?o }") == entities
    assert count(client, "SELECT (COUNT(*) AS ?n) FROM NAMED graph:entities FROM NAMED graph:entities "
                         "WHERE { GRAPH ?g { ?s ?p ?o } }") == entities
    assert count(client, "SELECT (COUNT(*) AS ?n) FROM NAMED graph:entities WHERE { ?s ?p ?o }") == 0  # no FROM: empty


def test_several_default_graphs_are_merged_as_a_set(client: httpx.Client, engine: OxigraphEngine) -> None:
    """FROM / default-graph-uri naming two graphs read their RDF merge: the triples both sources state, once
    (Oxigraph alone reads the graphs one after the other and would count those twice)."""
    lunch, washington = (f"https://w3id.org/diplokg/graph/{name}"
                         for name in ("sre-2021-08-11-lunch-meeting", "sre-washington-working-visit"))
    both = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{lunch}> {{ ?s ?p ?o }} GRAPH <{washington}> {{ ?s ?p ?o }} }}"
    sizes = [count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": g}) for g in (lunch, washington)]
    shared = count(client, both)
    assert shared > 0
    merged = sum(sizes) - shared
    query = f"SELECT (COUNT(*) AS ?n) FROM <{lunch}> FROM <{washington}> WHERE {{ ?s ?p ?o }}"
    assert count(client, query) == merged
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": [lunch, washington]}) == merged
    assert int(engine.query(query).rows[0][0].value) == merged  # diplokg query: FROM is read, not ignored
    named = f"SELECT (COUNT(*) AS ?n) FROM <{lunch}> FROM <{washington}> FROM NAMED <{lunch}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(client, named) == int(engine.query(named).rows[0][0].value) == sizes[0]
    saved = Job(query, {"results": "python"}, 10, 1 << 20, trusted=True)  # a saved query is not checked by the guard
    status, _, result = execute(engine.store, sorted(g.value for g in engine.store.named_graphs()), saved)
    assert status == 200 and int(result.rows[0][0].value) == merged


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(("name", "request_args", "fragment"), [
    ("update as a query", {"data": {"query": "INSERT DATA { <x:a> <x:b> <x:c> }"}}, "read-only"),
    ("update operation", {"data": {"update": "DELETE WHERE { ?s ?p ?o }"}}, "read-only"),
    ("update media type", {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, "read-only"),
    ("LOAD", {"data": {"query": "LOAD <http://example.org/data.ttl>"}}, "read-only"),
    ("SERVICE", {"data": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}, "SERVICE"),
    ("FROM a file", {"data": {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}}, "reads no files"),
    ("FROM a prefixed file", {"data": {"query": "PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { ?s ?p ?o }"}},
     "reads no files"),
    ("default-graph-uri a file", {"data": {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "file:///etc/passwd"}},
     "reads no files"),
])
def test_refusals_are_403_with_a_message(client: httpx.Client, name: str, request_args: dict, fragment: str) -> None:
    response = client.post("/sparql", **request_args)
    assert response.status_code == 403, (name, response.text)
    assert fragment in response.text


@pytest.mark.parametrize(("query", "fragment"), [("SELECT * WHERE { ?s ?p ?o }", f"more than {MAX_RESULTS} rows"),
                                                 ("CONSTRUCT WHERE { ?s ?p ?o }", f"more than {MAX_RESULTS} triples")])
def test_too_large_answers_are_422_with_a_message(client: httpx.Client, query: str, fragment: str) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 422, response.text
    assert fragment in response.text


def test_keywords_inside_literals_and_names_are_not_refused(client: httpx.Client) -> None:
    for query in ('SELECT ("SERVICE INSERT" AS ?x) WHERE {}',
                  "PREFIX ex: <http://example.org/> SELECT ?x WHERE { ?x ex:service ?y } # LOAD"):
        assert client.post("/sparql", data={"query": query}).status_code == 200, query


def test_a_capped_answer_passes_with_limit(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}"},
                           headers={"Accept": "application/json"})
    assert len(response.json()["results"]["bindings"]) == MAX_RESULTS


def test_malformed_query_gets_400_with_the_parser_message(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o . FILTER( }"})
    assert response.status_code == 400
    assert "not valid SPARQL" in response.text and "line 1, column" in response.text


def test_slow_query_times_out_and_the_server_recovers(client: httpx.Client, engine: OxigraphEngine) -> None:
    started = time.monotonic()
    response = client.post("/sparql", data={"query": SLOW})
    assert response.status_code == 503
    assert f"limit of {TIMEOUT:g} s" in response.text
    assert time.monotonic() - started < TIMEOUT + 5
    for _ in range(4):  # both workers, the replaced one included, answer again
        assert json_rows(client.get("/sparql", params={"query": PEOPLE}).json()) == rows_of(engine.query(PEOPLE))


def raw_request(base: str, data: bytes, wait: bool = True) -> bytes:
    """Send bytes on a fresh connection; what the server answers before it closes (nothing if not `wait`)."""
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(data)
        answer = b""
        while wait and (chunk := raw.recv(65536)):
            answer += chunk
        return answer


def test_a_trickled_body_gets_408_and_an_abandoned_one_is_not_an_error(base: str, client: httpx.Client,
                                                                       server_log: Path) -> None:
    started = time.monotonic()
    answer = raw_request(base, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: 100\r\n\r\nASK")  # and never the rest
    assert answer.startswith(b"HTTP/1.1 408") and b"did not arrive within 2 s" in answer
    assert time.monotonic() - started < TIMEOUT + 5
    for _ in range(20):  # uploads cut short: the server answers no one and logs nothing
        raw_request(base, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 100\r\n\r\nASK", wait=False)
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert "Traceback" not in server_log.read_text(encoding="utf-8", errors="replace")


def test_oversized_headers_get_431(base: str) -> None:
    answer = raw_request(base, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (600 << 10) + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431") and b"larger than this server's limit" in answer


def test_a_request_the_http_parser_refuses_gets_a_sentence_saying_why(base: str, client: httpx.Client) -> None:
    """A query string past the 64 KiB the parser reads gets 414 pointing to POST (was uvicorn's bare 400), a
    malformed request a 400 that says so; the server goes on answering."""
    query = quote("ASK {} #" + "x" * 70_000)
    answer = raw_request(base, f"GET /sparql?query={query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 414") and b"Send a long query by POST" in answer and b"70" in answer
    answer = raw_request(base, b"GET / HTTP/1.1\r\nHost x\r\nBroken header line\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"request line or headers are malformed" in answer
    shorter = client.get("/sparql", params={"query": "ASK {} #" + "x" * 60_000})
    assert shorter.status_code == 200


def test_request_body_limit(client: httpx.Client) -> None:
    padding = "#" + "x" * (1 << 20) + "\n"
    response = client.post("/sparql", content=(padding + "ASK {}").encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "limit" in response.text


def test_text_that_is_not_utf8_gets_400_however_it_is_sent(client: httpx.Client) -> None:
    bad = "ASK%7B%3Fs%20%3Fp%20%22%FF%FE%22%7D"  # ASK {?s ?p "\xff\xfe"}: not UTF-8
    answers = [client.get(f"/sparql?query={bad}"),
               client.post("/sparql", content=f"query={bad}".encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"}),
               client.post("/sparql", content=b'ASK {?s ?p "\xff\xfe"}', headers={"Content-Type": "application/sparql-query"}),
               client.get("/queries/find-names?text=%FF%FE", headers={"Accept": "text/csv"})]
    assert [a.status_code for a in answers] == [400] * 4
    assert all("UTF-8" in a.text for a in answers)


def test_a_value_xml_cannot_carry_gets_406_in_xml_and_comes_in_json(client: httpx.Client) -> None:
    query = b'SELECT ?x WHERE { BIND("a\x01b\\rc" AS ?x) }'  # a raw U+0001 and an escaped carriage return

    def sent(accept: str) -> httpx.Response:
        return client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query", "Accept": accept})
    xml = sent("application/sparql-results+xml")
    assert xml.status_code == 406 and "U+0001" in xml.text and "JSON" in xml.text
    as_json = sent("application/sparql-results+json")
    assert as_json.json()["results"]["bindings"][0]["x"]["value"] == "a\x01b\rc"
    carriage = client.post("/sparql", content=b'SELECT ?x WHERE { BIND("b\\rc" AS ?x) }', headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"})
    assert ET.fromstring(carriage.content).find(".//{*}literal").text == "b\rc"  # not read back as a line feed


def test_unsupported_media_types(client: httpx.Client) -> None:
    assert client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": "image/png"}).status_code == 406
    assert client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415


def test_cors_for_reads(client: httpx.Client) -> None:
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# ---------------------------------------------------------------- saved queries


def test_catalogue_as_json_and_html(client: httpx.Client) -> None:
    listed = client.get("/queries", headers={"Accept": "application/json"}).json()
    assert [entry["name"] for entry in listed] == list(CATALOGUE)
    page = client.get("/queries", headers={"Accept": "text/html"}).text
    assert all(f'href="/queries/{name}"' in page for name in CATALOGUE)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_saved_query_answers_as_the_engine(client: httpx.Client, engine: OxigraphEngine, name: str) -> None:
    saved = CATALOGUE[name]
    expected = engine.query(saved.text, saved.bind({}))
    if expected.kind == "graph":
        response = client.get(f"/queries/{name}", headers={"Accept": "application/n-triples"})
        triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        assert Result("graph", triples=triples).comparable() == expected.comparable()
        return
    response = client.get(f"/queries/{name}", headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    if expected.kind == "ask":
        assert response.json()["boolean"] is expected.boolean
    else:
        assert json_rows(response.json()) == rows_of(expected)


def test_saved_query_with_a_parameter(client: httpx.Client, engine: OxigraphEngine) -> None:
    saved = CATALOGUE["attendees-by-delegation"]
    event = "event:washington-meeting-with-us-delegation"
    expected = rows_of(engine.query(saved.text, saved.bind({"event": event})))
    response = client.get("/queries/attendees-by-delegation", params={"event": event, "format": "json"})
    assert json_rows(response.json()) == expected and expected
    page = client.get("/queries/attendees-by-delegation", params={"event": event}, headers={"Accept": "text/html"}).text
    column = response.json()["head"]["vars"].index("person")
    assert all(f'href="/id/{row[column].removeprefix(ID)}"' in page for row in expected)


@pytest.mark.parametrize(("path", "params", "status", "fragment"), [
    ("/queries/attendees-by-delegatio", {}, 404, "Did you mean: attendees-by-delegation"),
    ("/queries/attendees-by-delegation", {"event": "not an iri"}, 400, "is not an IRI"),
    ("/queries/attendees-by-delegation", {"colour": "red"}, 400, "has no parameter colour"),
])
def test_saved_query_errors(client: httpx.Client, path: str, params: dict, status: int, fragment: str) -> None:
    as_json = client.get(path, params=params, headers={"Accept": "application/json"})
    assert as_json.status_code == status
    assert fragment in as_json.json()["message"]
    as_html = client.get(path, params=params, headers={"Accept": "text/html"})
    assert as_html.status_code == status
    assert as_html.headers["content-type"].startswith("text/html") and fragment in as_html.text


def test_saved_query_answers_are_remembered_while_the_one_worker_is_busy() -> None:
    """A saved query's small answer is kept: asked again, it comes back at once, byte for byte, even while the only
    worker is held by a slow query; the same query with another parameter waits for the worker."""
    import threading

    with running_server("--timeout", "3", "--workers", "1", "--max-workers", "1", "--queries-per-client", "8") as url, \
            httpx.Client(base_url=url, timeout=30) as http:
        first = http.get("/queries/people-of-organisation", params={"format": "json"})
        assert first.status_code == 200 and first.json()["results"]["bindings"]
        slow = threading.Thread(target=http.post, args=("/sparql",), kwargs={"data": {"query": SLOW}})
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        again = http.get("/queries/people-of-organisation", params={"format": "json"})
        remembered_in = time.monotonic() - started
        other = http.get("/queries/people-of-organisation",
                         params={"format": "json", "organisation": "orgn:government-of-the-united-states"})
        waited = time.monotonic() - started - remembered_in
        slow.join()
        assert again.status_code == 200 and again.content == first.content and remembered_in < 1.0
        assert other.status_code == 200 and other.content != first.content and waited > 1.5


# ---------------------------------------------------------------- entities, VoID, dumps


def test_entity_page_for_browsers(client: httpx.Client, engine: OxigraphEngine) -> None:
    page = client.get("/id/person/marcelo-ebrard", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    events = engine.query(f"SELECT DISTINCT ?e WHERE {{ ?e <https://schema.org/attendee> <{PERSON}> }}").rows
    assert events and all(f'href="/id/{e.value.removeprefix(ID)}"' in page.text for (e,) in events)
    assert "<h1>Marcelo Ebrard</h1>" in page.text and "<mark>" in page.text


@pytest.mark.parametrize(("media", "rdflib_format"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                                      ("application/n-triples", "nt")])
def test_entity_rdf_is_its_bounded_description(client: httpx.Client, engine: OxigraphEngine, media: str,
                                               rdflib_format: str) -> None:
    evidence = ID + "evidence/lm-16-months"
    response = client.get("/id/evidence/lm-16-months", headers={"Accept": media})
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=rdflib_format)
    for node in (evidence, evidence + "#position"):  # the same-document selector is part of it
        stated = engine.query(f"SELECT ?p ?o WHERE {{ <{node}> ?p ?o }}").rows
        assert stated and all((URIRef(node), URIRef(p.value), None) in graph for p, _ in stated)
    assert all(isinstance(s, BNode) or str(s) in (evidence, evidence + "#position") for s in graph.subjects())


def test_every_entity_iri_dereferences(client: httpx.Client, engine: OxigraphEngine) -> None:
    subjects = engine.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}').rows
    documents = sorted({s.value.split("#")[0] for (s,) in subjects})  # iri#part is described by iri's document
    assert len(documents) > 100
    for iri in documents:
        page = client.get("/id/" + iri.removeprefix(ID), headers={"Accept": "text/html"})
        assert page.status_code == 200 and f"<code>{html.escape(iri)}</code>" in page.text, iri


def test_unknown_entities_are_404(client: httpx.Client) -> None:
    for accept in ("text/html", "text/turtle"):
        response = client.get("/id/person/nobody-at-all", headers={"Accept": accept})
        assert response.status_code == 404
        assert "not an entity" in response.text


def asserted_quads(store: ox.Store) -> list[ox.Quad]:
    """The quads of the named graphs but the inferred one (the store's default graph repeats them)."""
    return [q for g in store.named_graphs() if g.value != INFERRED_GRAPH for q in store.quads_for_pattern(None, None, None, g)]


def test_void_describes_endpoint_dumps_and_vocabularies(client: httpx.Client, base: str, engine: OxigraphEngine) -> None:
    graph = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = graph.value(predicate=VOID.sparqlEndpoint, object=URIRef(base + "sparql"), any=False)
    assert dataset is not None and graph.value(dataset, DCTERMS.title) and graph.value(dataset, DCTERMS.license)
    asserted = len(asserted_quads(engine.store))
    assert int(graph.value(dataset, VOID.triples)) == asserted
    vocabularies = {str(v) for v in graph.objects(dataset, VOID.vocabulary)}
    assert {"http://www.w3.org/ns/org#", "https://schema.org/", "http://www.w3.org/ns/prov#"} <= vocabularies
    dumps = sorted(str(d) for d in graph.objects(dataset, VOID.dataDump))
    assert [d.rsplit(".", 1)[1] for d in dumps] == ["jsonld", "nq", "trig", "ttl"]
    assert all(httpx.get(d).status_code == 200 for d in dumps)


@pytest.mark.parametrize(("name", "rdflib_format"), [("dataset.nq", "nquads"), ("dataset.trig", "trig"),
                                                     ("dataset.jsonld", "json-ld"), ("dataset.ttl", "turtle")])
def test_dumps(client: httpx.Client, engine: OxigraphEngine, name: str, rdflib_format: str) -> None:
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    asserted = asserted_quads(engine.store)
    if name == "dataset.ttl":
        graph = Graph().parse(data=response.content, format=rdflib_format)
        assert len(graph) == len({q.triple for q in asserted})
    else:
        dataset = Dataset().parse(data=response.content, format=rdflib_format)
        assert sum(len(graph) for graph in dataset.graphs()) == len(asserted)
    assert client.get("/dumps/dataset.exe").status_code == 404


def test_query_page_ships_its_assets(client: httpx.Client) -> None:
    page = client.get("/query").text
    assert all(saved.title.replace("'", "&#39;") in page for saved in CATALOGUE.values())
    for asset in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css", "/static/query.js"):
        assert asset in page and client.get(asset).status_code == 200
    assert not re.search(r'<(script|link)[^>]*(src|href)="(https?:)?//', page)  # nothing from the network


def test_invalid_data_refuses_to_start(tmp_path: Path, layout: Layout) -> None:
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(layout.root / folder, tmp_path / folder)
    with (tmp_path / "data" / "entities.ttl").open("a") as entities:
        entities.write(f"\n<{ID}person/nameless> a <http://xmlns.com/foaf/0.1/Person> .\n")
    finished = subprocess.run([sys.executable, "-m", "diplokg", "serve", "--port", str(free_port())], capture_output=True,
                              text=True, timeout=300, env={**os.environ, "DIPLOKG_HOME": str(tmp_path)})
    assert finished.returncode == 1
    assert "person:nameless" in finished.stderr and "refusing to start" in finished.stderr


def test_person_page_shows_their_network(client: httpx.Client) -> None:
    page = client.get("/id/person/roberto-velasco", headers={"Accept": "text/html"})
    assert page.status_code == 200
    section = page.text.split('<section id="picture">', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section and "Esteban Moctezuma Barragán" in section
    assert 'href="/id/person/esteban-moctezuma-barragan"' in section


def test_event_page_shows_its_delegations(client: httpx.Client) -> None:
    page = client.get("/id/event/2021-08-11-lunch-meeting", headers={"Accept": "text/html"})
    section = page.text.split('<section id="picture">', 1)[1].split("</section>", 1)[0]
    for name in ("Jake Sullivan", "Marcelo Ebrard", "Uzra Zeya", "Benito Galeana"):
        assert name in section


def test_pictures_and_reference_pages(client: httpx.Client) -> None:
    timeline = client.get("/pictures/timeline")
    assert timeline.status_code == 200 and timeline.headers["content-type"].startswith("image/svg+xml")
    assert "Lunch meeting of the Mexican and US delegations" in timeline.text
    assert client.get("/pictures/portrait").status_code == 404
    assert client.get("/pictures/network", params={"person": "person:nobody-at-all"}).status_code == 400
    docs = client.get("/docs")
    assert docs.status_code == 200 and "Delegation" in docs.text and "head of delegation" in docs.text
