"""`diplokg serve` as an attacker and as a busy public endpoint would use it (a live server, over HTTP).

SERVICE never leaves the server, whatever the spelling (a listening socket must see no connection);
cheap requests are answered while runaway queries hold workers; a client that leaves has its query
killed; SPARQLWrapper works in every combination; headers (security, caching, gzip, Vary); the public
base URL instead of the Host header; slow headers; limits and readable errors.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import os
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from diplokg.engines import OxigraphEngine
from diplokg.paths import Layout, default_layout
from diplokg.prefixes import ID, sparql_prologue
from diplokg.store import open_store
from test_server import PEOPLE, SD, running_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 20.0


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server("--timeout", str(TIMEOUT), "--workers", "2", "--max-workers", "8", "--queries-per-client", "4",
                        "--max-results", "500", "--max-bytes", "20000") as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as http:
        yield http


class Listener:
    """A socket on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopped = False
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while not self.stopped:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stopped = True
        self.thread.join()
        self.server.close()


def service_variants(port: int) -> list[str]:
    """Queries that call SERVICE on 127.0.0.1:port, spelled every way the grammar allows (and some it does not)."""
    url = f"http://127.0.0.1:{port}/sparql"
    call = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    spellings = [call, call.replace("SERVICE", "service"), call.replace("SERVICE", "SeRvIcE"),
                 call.replace("SERVICE", "SERVICE SILENT"), call.replace("SERVICE", "\\u0053ERVICE"),
                 call.replace("SERVICE", "SERV\\u0049CE"), call.replace("SERVICE", "\\U00000053ERVICE"),
                 call.replace("SERVICE <", "SERVICE\t<"), call.replace("SERVICE <", "SERVICE\r\n<")]
    before = ["?x ?y ?z.", '?x ?y ?z ." .', "?x ?y ?z . ", 'BIND("\\u0022" AS ?a) ', "BIND('\\u0027' AS ?a) ",
              'BIND("\\u005C" AS ?a) ', "# c\n", "# c\r", "# c\r\n", "# c\u2028\n", "#\n\n", '"""a"b"""^^<x:t> ?p ?o . ']
    queries = [f"SELECT * WHERE {{ {prefix}{spelling} }} LIMIT 1" for prefix in before[:3] for spelling in spellings]
    queries += [f"SELECT * WHERE {{ {prefix}{call} }}" for prefix in before[3:]]
    queries += [f'SELECT * WHERE {{ {call} BIND("\\u0022" AS ?a) }}', f"SELECT * WHERE {{ {call} BIND('\\u0027' AS ?a) }}"]
    nests = ["OPTIONAL { %s }", "{ ?a ?b ?c } UNION { %s }", "?a ?b ?c MINUS { %s }", "GRAPH ?g { %s }",
             "FILTER EXISTS { %s }", "FILTER NOT EXISTS { %s }", "{ SELECT * WHERE { %s } }",
             "{ { { { { { { { { { %s } } } } } } } } } }", "{ SELECT ?s WHERE { { SELECT * { %s } } } }"]
    queries += [f"SELECT * WHERE {{ {nest % call} }}" for nest in nests]
    queries += [f"PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
                f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
                f"BASE <http://127.0.0.1:{port}/x/> PREFIX : <../> SELECT * WHERE {{ SERVICE :sparql {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
                f"ASK {{ {call} }}", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {call} }}",
                f"DESCRIBE ?s WHERE {{ {call} }}", f"CONSTRUCT WHERE {{ {call} }}",
                f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", f"SELECT * WHERE {{ ?s ?p ?o }} # \r{call}",
                f"SELECT * WHERE {{ ?s ?p ?o # \r{call}\n}}", f"SELECT * WHERE {{ # a comment\r{call} # \n}}",
                f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?s WHERE {{ {call} }} }} }}"]
    return queries


def test_no_query_makes_the_server_connect_anywhere(base: str) -> None:
    listener = Listener()
    try:
        queries = service_variants(listener.port)
        assert len(queries) >= 50
        refused = 0
        with httpx.Client(base_url=base, timeout=60) as http:
            for query, method in zip(queries, itertools.cycle(["get", "form", "direct"]), strict=False):
                if method == "get":
                    response = http.get("/sparql", params={"query": query})
                elif method == "form":
                    response = http.post("/sparql", data={"query": query})
                else:
                    response = http.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
                assert response.status_code in (400, 403), (query, response.status_code, response.text)
                assert response.text.strip(), query
                refused += (response.status_code == 403 and ("SERVICE is refused" in response.text or
                                                             "not a graph of this dataset" in response.text)) or \
                    (response.status_code == 400 and "escape" in response.text)
        time.sleep(0.5)
        assert listener.connections == 0
        assert refused >= 50  # most are recognised (SERVICE, foreign graph, ASCII escape), not merely rejected as syntax
    finally:
        listener.close()


# ---------------------------------------------------------------- fairness


def worker_pids(server: int) -> dict[int, int]:
    """The server's query worker processes: pid -> nice value."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == server and b"diplokg.http.worker" in cmdline:
            found[int(entry.name)] = int(fields[16])
    return found


def server_pid(base: str) -> int:
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmdline and str(port).encode() in cmdline:
                return int(entry.name)
    raise AssertionError("server process not found")


def test_cheap_requests_are_answered_while_runaway_queries_run(base: str) -> None:
    async def scenario() -> tuple[list[int], list[bool], list[int]]:
        heavy = httpx.AsyncClient(base_url=base, timeout=120, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2"))
        light = httpx.AsyncClient(base_url=base, timeout=120)
        async with heavy, light:
            runaway = [asyncio.ensure_future(heavy.post("/sparql", data={"query": RUNAWAY})) for _ in range(4)]
            await asyncio.sleep(2.5)  # all four are running (and demoted)
            assert not any(task.done() for task in runaway)
            statuses, overtaken = [], []
            for path in ["/sparql?query=ASK%7B%7D", "/id/person/marcelo-ebrard", "/static/style.css", "/queries",
                         "/queries/met?format=json", "/sparql?query=ASK%7B%7D"]:
                response = await light.get(path)
                statuses.append(response.status_code)
                overtaken.append(not any(task.done() for task in runaway))
            fifth = await heavy.get("/sparql", params={"query": "ASK {}"})  # the heavy client is at its limit
            for task in runaway:
                task.cancel()
            await asyncio.gather(*runaway, return_exceptions=True)
            return statuses, overtaken, [fifth.status_code]

    statuses, overtaken, fifth = asyncio.run(scenario())
    assert statuses == [200] * len(statuses)
    assert all(overtaken)  # each cheap request was answered while the four runaway queries still ran
    assert fifth == [429]


def test_a_disconnected_clients_query_is_killed(base: str) -> None:
    server = server_pid(base)
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(f"GET /sparql?{httpx.QueryParams({'query': RUNAWAY})} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        deadline = time.monotonic() + 10
        while not (demoted := [pid for pid, nice in worker_pids(server).items() if nice > 0]):
            assert time.monotonic() < deadline, "the runaway query's worker was never demoted"
            time.sleep(0.2)
    deadline = time.monotonic() + 5
    while any(pid in worker_pids(server) for pid in demoted):
        assert time.monotonic() < deadline, "the abandoned query's worker still runs"
        time.sleep(0.1)


def test_slow_headers_are_cut_off(base: str) -> None:
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        started = time.monotonic()
        answer = raw.recv(1000)
        assert answer.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 25


# ---------------------------------------------------------------- SPARQLWrapper


def test_sparqlwrapper_every_combination(base: str, layout: Layout) -> None:
    from SPARQLWrapper import GET, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
    from SPARQLWrapper.Wrapper import _allowedFormats

    engine = OxigraphEngine(open_store(layout))
    queries = {"SELECT": PEOPLE, "ASK": f"ASK {{ <{ID}person/marcelo-ebrard> ?p ?o }}",
               "CONSTRUCT": sparql_prologue() + "CONSTRUCT { ?p skos:prefLabel ?n } WHERE { ?p a foaf:Person ; "
                                                "skos:prefLabel ?n }",
               "DESCRIBE": f"DESCRIBE <{ID}person/marcelo-ebrard>"}
    expected = {form: engine.query(text) for form, text in queries.items()}
    failures, tried = [], 0
    for (form, text), returned, (method, request) in itertools.product(
            queries.items(), _allowedFormats, [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]):
        wrapper = SPARQLWrapper(base + "sparql")
        wrapper.setQuery(text)
        wrapper.setReturnFormat(returned)
        wrapper.setMethod(method)
        wrapper.setRequestMethod(request)
        tried += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SPARQLWrapper warns of the formats that do not fit the query form
                answer = wrapper.query()
                converted = answer.convert()
        except Exception as error:  # every failure is collected and reported together
            failures.append(f"{form} {returned} {method}/{request}: {type(error).__name__}: {error}")
            continue
        if not matches(form, converted, expected[form], answer.response.headers.get("content-type", "")):
            failures.append(f"{form} {returned} {method}/{request}: a different answer")
    assert tried == 108 and not failures, "\n".join(failures)


def matches(form: str, converted: object, expected: object, media: str) -> bool:
    """Does a SPARQLWrapper conversion hold the engine's answer?"""
    import csv
    import io
    from xml.dom.minidom import Document

    if form == "ASK":
        if isinstance(converted, dict):
            return converted["boolean"] is expected.boolean
        if isinstance(converted, Document):
            return converted.getElementsByTagName("boolean")[0].firstChild.data == str(expected.boolean).lower()
        return str(expected.boolean).lower() in (converted.decode() if isinstance(converted, bytes) else str(converted))
    if form == "SELECT":
        if isinstance(converted, dict):
            return len(converted["results"]["bindings"]) == len(expected.rows)
        if isinstance(converted, Document):
            return len(converted.getElementsByTagName("result")) == len(expected.rows)
        text = converted.decode() if isinstance(converted, bytes) else str(converted)
        return len(list(csv.reader(io.StringIO(text), delimiter="\t" if "tab-separated" in media else ","))) == \
            len(expected.rows) + 1
    if isinstance(converted, Graph):
        graph = converted
    else:
        text = converted.decode() if isinstance(converted, bytes) else str(converted)
        graph = Graph().parse(data=text, format="json-ld" if "json" in media else "turtle")
    subjects = {URIRef(t.subject.value) for t in expected.triples if isinstance(t.subject, ox.NamedNode)}
    return len(graph) == len(set(expected.triples)) and subjects <= set(graph.subjects())


# ---------------------------------------------------------------- headers


def test_security_headers_everywhere(client: httpx.Client) -> None:
    for path in ["/", "/query", "/sparql?query=ASK%7B%7D", "/id/person/marcelo-ebrard", "/static/style.css", "/nothing"]:
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["referrer-policy"] == "same-origin", path


def test_etag_and_cache_control(client: httpx.Client) -> None:
    for path in ["/", "/docs", "/dumps/dataset.ttl", "/id/person/marcelo-ebrard", "/.well-known/void", "/favicon.ico"]:
        first = client.get(path)
        assert first.status_code == 200 and "max-age=" in first.headers["cache-control"], path
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path


def test_gzip_and_vary(client: httpx.Client) -> None:
    raw = client.get("/dumps/dataset.nq", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    plain = client.get("/dumps/dataset.nq", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 1000
    with httpx.stream("GET", str(client.base_url) + "dumps/dataset.nq", headers={"Accept-Encoding": "gzip"}) as stream:
        compressed = b"".join(stream.iter_raw())
    assert len(compressed) < len(plain.content) / 3 and gzip.decompress(compressed) == plain.content
    answer = client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": "text/csv"})
    assert {"Accept", "Accept-Encoding"} <= {v.strip() for v in answer.headers["vary"].split(",")}
    assert "Accept" in client.get("/id/person/marcelo-ebrard").headers["vary"]


def test_favicon_and_page_links(client: httpx.Client) -> None:
    assert client.get("/favicon.ico").headers["content-type"].startswith("image/svg+xml")
    home = client.get("/").text
    for link in ('href="/docs"', 'href="/pictures"', 'href="/query"', 'href="/queries"', 'href="/id/person/'):
        assert link in home
    docs = client.get("/docs").text
    assert 'href="/id/' in docs and f'href="{ID}' not in docs


# ---------------------------------------------------------------- limits and errors


@pytest.mark.parametrize(("query", "status", "fragment"), [
    ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, 400, "nests brackets 5000 deep"),
    ("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", 400, "nests brackets"),
    ("SELECT * WHERE " + "{ OPTIONAL " * 3000 + "{}" + "}" * 3000, 400, "nests brackets"),
    ("SELECT * WHERE { ?s nope:thing ?o }", 400, "The prefix nope: used at line 1"),
    ("", 400, "holds no query"),
    ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }", 400, "as the escape \\u0053"),
    ('SELECT ("\\u0022" AS ?x) WHERE {}', 400, "as the escape \\u0022"),
    ("PREFIX a: <x:> # nothing else", 400, "holds no query"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER( \n}", 400, "line 4"),
    ("SELECT (1 AS ?x) WHERE { ?s ?p ?o }", 422, "more than 500 rows"),
    ("SELECT ?t WHERE { ?s schema:text ?t . ?a schema:text ?b }", 422, "more than 20000 bytes"),
])
def test_limits_and_readable_errors(client: httpx.Client, query: str, status: int, fragment: str) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == status, response.text
    assert fragment in response.text
    assert "expected one of" not in response.text and "['" not in response.text


def test_escapes_of_other_characters_are_accepted(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": 'SELECT ("caf\\u00E9" AS ?x) WHERE {}'}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.text.splitlines()[1] == "café"


def test_pictures_and_saved_queries_reject_bad_parameters(client: httpx.Client) -> None:
    assert client.get("/pictures/network", params={"person": " "}).status_code == 200  # blank: the whole network
    odd = client.get("/pictures/network", params={"person": "<not an iri>"})
    assert odd.status_code == 400 and "The person '<not an iri>' is not an IRI" in odd.text
    both = client.get("/pictures/network", params={"person": "person:marcelo-ebrard", "event": "event:x"})
    assert both.status_code == 400 and "'event' or 'person', not both" in both.text and "--" not in both.text
    timeline = client.get("/pictures/timeline", params={"event": "event:x"})
    assert timeline.status_code == 400 and "/pictures/network" in timeline.text and "--" not in timeline.text
    twice = client.get("/queries/attendees-by-delegation?event=event:a&event=event:b")
    assert twice.status_code == 400 and "more than once" in twice.text


def test_public_base_url_not_the_host_header() -> None:
    public = "https://kg.example.org/diplo/"
    with running_server("--base-url", public, "--workers", "1") as url, httpx.Client(base_url=url, timeout=60) as http:
        description = Graph().parse(data=http.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"}).text,
                                    format="turtle")
        assert {str(e) for e in description.objects(None, SD.endpoint)} == {public + "sparql"}
        void = http.get("/.well-known/void", headers={"Host": "evil.example"}).text
        assert "evil.example" not in void and public + "sparql" in void
        page = http.get("/", headers={"Host": "evil.example"}).text
        assert "evil.example" not in page and public + "sparql" in page


def test_sandbox_refuses_network_in_a_worker() -> None:
    """The seccomp filter on its own: a process that installed it cannot open an IPv4 socket, but can use Unix ones."""
    import subprocess
    import sys

    code = ("import socket; from diplokg.http.sandbox import block_network; block_network(); socket.socketpair()\n"
            "try:\n socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept PermissionError: print('refused')\n")
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                              env={**os.environ})
    assert finished.stdout.strip() == "refused", finished.stderr


def test_a_query_past_the_memory_limit_stops_its_worker_only(tmp_path: Path) -> None:
    """A query that would hold gigabytes (ORDER BY keeps every row of a cross product) is stopped at the worker's
    memory limit: 503 naming it, the worker replaced, the server answering; queries within the limit run."""
    hungry = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?e ?d ?c ?b ?a LIMIT 1"
    log = tmp_path / "serve.log"
    with running_server("--worker-memory", "64", "--workers", "1", "--timeout", "60", log_file=log) as url, \
            httpx.Client(base_url=url, timeout=90) as http:
        started = time.monotonic()
        refused = http.post("/sparql", data={"query": hungry})
        assert refused.status_code == 503 and "limit of 64 MiB per query" in refused.text, refused.text
        assert time.monotonic() - started < 30  # stopped by the memory limit, long before the 60 s deadline
        expected = OxigraphEngine(open_store(default_layout())).query(PEOPLE).rows
        for _ in range(2):  # the replacement worker answers, within the same limit
            answer = http.get("/sparql", params={"query": PEOPLE}, headers={"Accept": "application/sparql-results+json"})
            assert len(answer.json()["results"]["bindings"]) == len(expected) > 0
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")
