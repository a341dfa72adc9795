"""`diplokg serve`: the graph over HTTP, read-only, as users of Fuseki and Oxigraph expect it.

SPARQL 1.1 Protocol at /sparql (GET, POST form, POST direct; results and graphs by content
negotiation; a service description), saved queries at /queries, an HTML or RDF page for every
entity IRI at /id/..., VoID at /.well-known/void, dumps at /dumps/, and a query page at /.

At start the built store is opened read-only (built first if missing or out of date: loaded, reasoned
and validated once); invalid data refuses to start unless --allow-invalid. Queries run in worker
processes that open the same build read-only (the operating system shares its pages): one
that outlives its deadline is killed and replaced (503), never left running. Updates, SERVICE
and FROM graphs outside the dataset are refused (403), answers are capped (403), request bodies
limited (413), and a malformed query gets 400 with the parser's message.
"""

from __future__ import annotations

import argparse
import itertools
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    import pyoxigraph as ox
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from diplokg.catalogue import SavedQuery
    from diplokg.pages import Pages
    from diplokg.paths import Layout
    from diplokg.results import Result, Term
    from diplokg.store import Built

DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"  # the data's licence, as pyproject.toml states it
DUMP_FORMATS = ("ttl", "nq", "trig", "jsonld")
GRAPH_ANSWER_FORMATS = ("ttl", "nt", "jsonld", "xml")  # by preference
RESULT_ANSWER_FORMATS = ("json", "xml", "csv", "tsv")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
EXTRA_PREFIXES = {"sd": "http://www.w3.org/ns/sparql-service-description#", "formats": "http://www.w3.org/ns/formats/"}
RESULT_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                      "tsv": "SPARQL_Results_TSV"}
GRAPH_FORMAT_IRIS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "xml": "RDF_XML"}
READ_ONLY = ("This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) "
             "is not accepted. Change the data files and restart `diplokg serve` instead.")
NO_SERVICE = ("SERVICE is refused: this server sends no requests to other endpoints. Query each endpoint "
              "separately, or load the other data into this graph.")


class Problem(Exception):
    """An HTTP error with a message for the person or program that sent the request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Settings:
    """What `diplokg serve` was asked for."""

    layout: Layout
    timeout: float = 10.0
    max_results: int = 10_000
    max_request_bytes: int = 1 << 20
    workers: int = 2


# ---------------------------------------------------------------- what a query may do


@dataclass(frozen=True)
class Inspection:
    """What the server needs to know of a query before running it."""

    form: str | None
    graphs: tuple[str, ...]
    dataset_clause: bool


def unescape_codepoints(text: str) -> str:
    """SPARQL's \\u and \\U escapes, which may stand anywhere in a query, resolved (for inspection only)."""

    def replace(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return match.group()

    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", replace, text)


def inspect_query(text: str) -> Inspection:
    """The query's form and the graphs its FROM clauses name; refuse updates and SERVICE (403).

    Works on tokens (strings, IRIs, comments and variables are skipped), so a keyword inside a
    literal or a prefixed name such as ex:service is not mistaken for one. The diplokg prefixes
    are predeclared, as the endpoint predeclares them.
    """
    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.sparqltext import TOKEN

    prefixes = dict(PREFIX_IRIS)
    base, form, expect, pending, dataset_clause = "", None, "", "", False
    graphs: list[str] = []
    for match in TOKEN.finditer(unescape_codepoints(text)):
        kind, value = match.lastgroup, match.group()
        word = value.upper() if kind == "word" else ""
        iri = urljoin(base, value[1:-1]) if value.startswith("<") and value.endswith(">") else None
        if word == "SERVICE":
            raise Problem(403, NO_SERVICE)
        if expect == "prefix" and kind == "word":
            pending, expect = value.rstrip(":"), "prefix-iri"
            continue
        if expect in ("prefix-iri", "base") and iri is not None:
            if expect == "base":
                base = iri
            else:
                prefixes[pending] = iri
            expect = ""
            continue
        if expect == "from" and word != "NAMED":
            name, _, local = value.partition(":")
            graph = iri if iri is not None else (prefixes[name] + local if kind == "word" and name in prefixes else None)
            graphs += [graph] if graph else []
        expect = ""
        if form is None and word in ("PREFIX", "BASE"):
            expect = word.lower()
        elif form is None and word in UPDATE_WORDS:
            raise Problem(403, READ_ONLY)
        elif form is None and word in FORMS:
            form = word
        elif form is not None and word in ("FROM", "NAMED"):
            expect, dataset_clause = "from", True
    return Inspection(form, tuple(graphs), dataset_clause)


def check_graphs(named: Sequence[str], available: Sequence[str]) -> None:
    """Refuse a dataset that names anything but this dataset's graphs: no file or network is ever read."""
    for iri in named:
        if iri not in available:
            raise Problem(403, f"<{iri}> is not a graph of this dataset. This server reads no files and fetches nothing: "
                               "FROM, FROM NAMED, default-graph-uri and named-graph-uri may only name its graphs: "
                               + ", ".join(f"<{g}>" for g in available) + ".")


# ---------------------------------------------------------------- content negotiation


def result_offers() -> dict[str, str]:
    """Media types of SELECT/ASK answers, by preference, to short format names."""
    from diplokg.formats import RESULT_FORMATS

    media = {f.name: f.media_type for f in RESULT_FORMATS}
    return {media[name]: name for name in RESULT_ANSWER_FORMATS} | {"application/json": "json", "application/xml": "xml"}


def graph_offers() -> dict[str, str]:
    """Media types of CONSTRUCT/DESCRIBE answers and entity descriptions, by preference."""
    from diplokg.formats import GRAPH_FORMATS

    media = {f.name: f.media_type for f in GRAPH_FORMATS}
    return {media[name]: name for name in GRAPH_ANSWER_FORMATS} | {"application/json": "jsonld"}


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the Accept header ranks highest (ties go to the earlier offer), None if it takes none."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    best, best_quality = None, 0.0
    for offer in offers:
        ranks = {offer: 3, offer.split("/")[0] + "/*": 2, "*/*": 1}
        matched = [(ranks[media], quality) for media, quality in ranges if media in ranks]
        if matched and (quality := max(matched)[1]) > best_quality:
            best, best_quality = offer, quality
    return best


def format_named(requested: str, offers: dict[str, str]) -> str:
    """The short name of a format given by `format=` (short name, alias or media type)."""
    from diplokg.formats import ALIASES

    key = ALIASES.get(requested.lower(), requested.lower())
    names = list(dict.fromkeys(offers.values()))
    if key in offers:
        return offers[key]
    if key in names:
        return key
    if key == "json" and "jsonld" in names:
        return "jsonld"
    raise Problem(400, f"Unknown format {requested!r} for this answer; use one of {', '.join(names)} "
                       f"or a media type: {', '.join(offers)}.")


def choose_format(request: Request, offers: dict[str, str], requested: str | None = None) -> str:
    """The answer's format: `format=` if given, else the best match for Accept (406 if none)."""
    requested = request.query_params.get("format") or requested
    if requested:
        return format_named(requested, offers)
    chosen = negotiate(request.headers.get("accept"), list(offers))
    if chosen is None:
        raise Problem(406, f"Cannot answer in any of the media types of Accept: {request.headers.get('accept')}. "
                           f"Available here: {', '.join(offers)}.")
    return offers[chosen]


def media_type(name: str, offers: dict[str, str]) -> str:
    """The canonical media type of a short format name (the first offer with that name)."""
    return next(media for media, short in offers.items() if short == name)


# ---------------------------------------------------------------- query workers


@dataclass(frozen=True)
class Job:
    """One query for a worker: the text, its dataset, bound parameters, answer format and size cap.

    `format` is a short name (json, xml, csv, tsv; ttl, nt, jsonld, xml), or None for the Result itself.
    The diplokg prefixes are predeclared (a query's own PREFIX lines take precedence).
    `default_graphs`/`named_graphs` are the protocol's dataset; when both are None the query's own
    FROM clauses apply if it has any (`own_dataset`), else the union of the named graphs.
    """

    text: str
    format: str | None
    limit: int
    bindings: dict[str, Term] = field(default_factory=dict)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    own_dataset: bool = False


@dataclass(frozen=True)
class Outcome:
    """A worker's answer: status 200 with a body (or a Result), or an error status with a message."""

    status: int
    body: bytes = b""
    result: Result | None = None
    message: str = ""


def dataset_options(job: Job) -> dict[str, Any]:
    """The keyword arguments of Store.query that give the job its dataset."""
    import pyoxigraph as ox

    if job.default_graphs is not None or job.named_graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
                "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}
    return {} if job.own_dataset else {"use_default_graph_as_union": True}


def collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int) -> Result:
    """A pyoxigraph answer as a Result, refusing more than `limit` rows or triples."""
    import pyoxigraph as ox

    from diplokg.results import Result

    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    items = list(itertools.islice(answer, limit + 1))
    if len(items) > limit:
        unit = "triples" if isinstance(answer, ox.QueryTriples) else "rows"
        raise Problem(403, f"The answer has more than {limit} {unit}, this server's limit. Add LIMIT {limit} "
                           "(with OFFSET to page through it), narrow the query, or download a dump from /dumps/.")
    if isinstance(answer, ox.QueryTriples):
        return Result("graph", triples=items)
    variables = [v.value for v in answer.variables]
    return Result("select", variables, [tuple(solution[v] for v in variables) for solution in items])


def execute(store: ox.Store, job: Job) -> Outcome:
    """Run one job on a store: the answer serialised as asked, or an error status with a message."""

    from diplokg.engines import bound_query, query_error
    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.results import WRITERS, graph_bytes

    try:
        answer = bound_query(store, job.text, job.bindings, prefixes=PREFIX_IRIS, **dataset_options(job))
        result = collect(answer, job.limit)
    except SyntaxError as error:
        return Outcome(400, message=str(query_error(error)))
    except Problem as problem:
        return Outcome(problem.status, message=problem.message)
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        return Outcome(500, message=f"The query failed while running: {' '.join(str(error).split())}")
    if job.format is None:
        return Outcome(200, result=result)
    if result.kind == "graph":
        return Outcome(200, graph_bytes(result, job.format))
    return Outcome(200, WRITERS[job.format](result).encode("utf-8"))


def worker_main(connection: Connection, folder: str) -> None:
    """A query worker process: open the server's build read-only, say so, then answer jobs until the pipe closes."""
    import pyoxigraph as ox

    from diplokg.store import hold

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    if not hold(Path(folder)):
        return
    store = ox.Store.read_only(folder)
    connection.send("ready")
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(execute(store, job))


@dataclass(eq=False)
class Worker:
    """A worker process and our end of its pipe."""

    process: BaseProcess
    connection: Connection


class WorkerPool:
    """Worker processes that run queries with a deadline; one past it is killed and replaced."""

    def __init__(self, folder: Path, size: int) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("spawn")
        self.folder, self.size = folder, size
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: set[Worker] = set()
        self.lock = threading.Lock()
        self.closed = False

    def spawn(self) -> Worker:
        """Start one worker and wait until it has loaded the store."""
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=worker_main, args=(theirs, str(self.folder)), daemon=True,
                                       name="diplokg-query-worker")
        process.start()
        theirs.close()
        worker = Worker(process, ours)
        with self.lock:
            self.workers.add(worker)
        try:
            ready = ours.poll(300) and ours.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.retire(worker)
            raise RuntimeError("a query worker did not start (it could not open the built store)")
        return worker

    def start(self) -> None:
        """Start every worker (in parallel) and wait for them."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.size) as starter:
            for worker in starter.map(lambda _: self.spawn(), range(self.size)):
                self.idle.put(worker)

    def restock(self) -> None:
        """Start a worker in place of a retired one."""
        try:
            self.idle.put(self.spawn())
        except RuntimeError as error:
            print(f"diplokg serve: {error}; {self.idle.qsize()} worker(s) left", file=sys.stderr)

    def retire(self, worker: Worker) -> None:
        """Kill a worker (stuck or dead) and forget it."""
        with self.lock:
            self.workers.discard(worker)
        worker.process.kill()
        worker.process.join(5)
        worker.connection.close()

    def replace(self, worker: Worker) -> None:
        """Kill a worker and start another in the background."""
        self.retire(worker)
        if not self.closed:
            threading.Thread(target=self.restock, daemon=True).start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run a job on an idle worker (blocking; call it from a thread), within `timeout` seconds in all."""
        deadline = time.monotonic() + timeout
        stopped = Outcome(503, message=f"The query ran longer than this server's limit of {timeout:g} s and was "
                                       "stopped. Add LIMIT, narrow the patterns, or run it locally with `diplokg query`.")
        try:
            worker = self.idle.get(timeout=timeout)
        except queue.Empty:
            return Outcome(503, message=f"Every query worker stayed busy for {timeout:g} s; try again shortly.")
        try:
            worker.connection.send(job)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                self.replace(worker)
                return stopped
            outcome = worker.connection.recv()
        except (EOFError, OSError):
            self.replace(worker)
            return Outcome(500, message="The query worker died while running the query (out of memory?); "
                                        "it has been replaced.")
        self.idle.put(worker)
        return outcome

    def close(self) -> None:
        self.closed = True
        for worker in list(self.workers):
            self.retire(worker)


# ---------------------------------------------------------------- the service


def rdf_triples(subject: ox.NamedNode | ox.BlankNode, properties: dict[str, Any]) -> list[ox.Triple]:
    """Triples of one subject from {curie: object or list of objects}; plain Python values become literals."""
    import pyoxigraph as ox

    def term(value: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
            return value
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=curie("xsd:integer"))
        return ox.Literal(str(value), language="en")

    return [ox.Triple(subject, curie(predicate), term(value)) for predicate, objects in properties.items()
            for value in (objects if isinstance(objects, list) else [objects])]


def vocabularies(pages: Pages) -> list[str]:
    """The namespaces of the dataset's predicates and classes, among the known prefixes (not our own IRIs)."""
    from diplokg.prefixes import GRAPH, ID, PREFIX_IRIS

    spaces = sorted((ns for ns in PREFIX_IRIS.values() if not ns.startswith((ID, GRAPH))), key=len, reverse=True)
    terms = pages.select("SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }").rows
    return sorted({next((ns for ns in spaces if term.value.startswith(ns)), "") for (term,) in terms} - {""})


def curie(value: str) -> ox.NamedNode:
    """The IRI of a prefixed name (diplokg prefixes, sd: and formats:)."""
    import pyoxigraph as ox

    from diplokg.prefixes import PREFIX_IRIS

    prefix, _, local = value.partition(":")
    return ox.NamedNode((PREFIX_IRIS | EXTRA_PREFIXES)[prefix] + local)


class Service:
    """Everything the handlers share: settings, the store, the catalogue, the workers, pages and dumps."""

    def __init__(self, settings: Settings, built: Built) -> None:
        from diplokg.catalogue import load_catalogue
        from diplokg.export import Dumps
        from diplokg.pages import Pages
        from diplokg.store import DUMPS

        self.settings = settings
        self.store = built.store
        self.dumps = Dumps(built.store, built.folder / DUMPS)
        self.catalogue = load_catalogue(settings.layout.queries_dir)
        self.pages: Pages = Pages(built.store)
        self.pool = WorkerPool(built.folder, settings.workers)
        self.graphs = sorted(built.manifest.graphs)
        self.counts = built.manifest.graphs
        self.vocabularies = built.derived("vocabularies", lambda: vocabularies(self.pages))

    async def run(self, job: Job) -> Outcome:
        from starlette.concurrency import run_in_threadpool

        outcome = await run_in_threadpool(self.pool.run, job, self.settings.timeout)
        if outcome.status != 200:
            raise Problem(outcome.status, outcome.message)
        return outcome

    def asserted_triples(self) -> int:
        """Triples in the asserted graphs, per graph (the lines of the N-Quads dump)."""
        from diplokg.prefixes import INFERRED_GRAPH

        return sum(n for g, n in self.counts.items() if g != INFERRED_GRAPH)

    def service_description(self, base: str) -> list[ox.Triple]:
        """The SPARQL 1.1 Service Description of /sparql."""
        import pyoxigraph as ox

        endpoint = ox.NamedNode(base + "sparql")
        service, dataset, default = (ox.NamedNode(base + "sparql#" + n) for n in ("service", "dataset", "default-graph"))
        formats = [curie("formats:" + iri) for iri in [*RESULT_FORMAT_IRIS.values(), *GRAPH_FORMAT_IRIS.values()]]
        out = rdf_triples(service, {"rdf:type": curie("sd:Service"), "sd:endpoint": endpoint,
                                    "sd:supportedLanguage": curie("sd:SPARQL11Query"), "sd:resultFormat": formats,
                                    "sd:feature": curie("sd:UnionDefaultGraph"), "sd:defaultDataset": dataset})
        named = []
        for graph in self.graphs:
            node, description = ox.BlankNode(), ox.BlankNode()
            named.append(node)
            out += rdf_triples(node, {"rdf:type": curie("sd:NamedGraph"), "sd:name": ox.NamedNode(graph),
                                      "sd:graph": description})
            out += rdf_triples(description, {"rdf:type": curie("sd:Graph"), "void:triples": self.counts[graph]})
        out += rdf_triples(dataset, {"rdf:type": curie("sd:Dataset"), "sd:defaultGraph": default, "sd:namedGraph": named})
        return out + rdf_triples(default, {
            "rdf:type": curie("sd:Graph"), "void:triples": sum(self.counts.values()),
            "rdfs:comment": "The union of the named graphs, the inferred graph included (a triple in two graphs counts twice)."})

    def void(self, base: str) -> list[ox.Triple]:
        """VoID and DCAT description of the dataset, its endpoint, dumps, graphs and vocabularies."""
        import pyoxigraph as ox

        import diplokg
        from diplokg.prefixes import ID

        document, dataset, service = (ox.NamedNode(base + ".well-known/void" + n) for n in ("", "#dataset", "#service"))
        endpoint = ox.NamedNode(base + "sparql")
        title, _, description = (diplokg.__doc__ or "").partition(":")
        distributions = []
        out = rdf_triples(document, {"rdf:type": curie("void:DatasetDescription"), "dcterms:title": f"VoID of {title}",
                                     "foaf:primaryTopic": dataset})
        for name in self.dumps.formats:
            node, size = ox.BlankNode(), self.dumps.size(name)
            distributions.append(node)
            out += rdf_triples(node, {
                "rdf:type": curie("dcat:Distribution"), "dcat:downloadURL": ox.NamedNode(base + "dumps/" + name),
                "dcat:mediaType": ox.NamedNode("https://www.iana.org/assignments/media-types/" + self.dumps.media_type(name)),
                **({} if size is None else {"dcat:byteSize": ox.Literal(str(size), datatype=curie("xsd:nonNegativeInteger"))})})
        out += rdf_triples(service, {"rdf:type": curie("dcat:DataService"), "dcat:endpointURL": endpoint,
                                     "dcterms:conformsTo": ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"),
                                     "dcat:servesDataset": dataset})
        for graph in self.graphs:
            out += rdf_triples(ox.NamedNode(graph), {"rdf:type": curie("void:Dataset"), "void:triples": self.counts[graph]})
        return out + rdf_triples(dataset, {
            "rdf:type": [curie("void:Dataset"), curie("dcat:Dataset")],
            "dcterms:title": title.strip(), "dcterms:description": description.strip(),
            "dcterms:license": ox.NamedNode(DATA_LICENSE), "void:triples": self.asserted_triples(),
            "void:uriSpace": ox.Literal(ID), "void:sparqlEndpoint": endpoint,
            "void:dataDump": [ox.NamedNode(base + "dumps/" + name) for name in self.dumps.formats],
            "void:vocabulary": [ox.NamedNode(v) for v in self.vocabularies],
            "void:subset": [ox.NamedNode(g) for g in self.graphs],
            "dcat:distribution": distributions, "dcat:accessService": service})


def service_of(request: Request) -> Service:
    return request.app.state.service


def base_url(request: Request) -> str:
    return str(request.base_url)


def rdf_response(request: Request, triples: list[ox.Triple], requested: str | None = None) -> Response:
    """Triples in the RDF format the client asks for (Turtle by default)."""
    import pyoxigraph as ox
    from starlette.responses import Response

    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.results import OX_GRAPH_FORMATS

    offers = graph_offers()
    name = choose_format(request, offers, requested)
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    used = {p: ns for p, ns in (PREFIX_IRIS | EXTRA_PREFIXES).items() if any(iri.startswith(ns) for iri in iris)}
    data = ox.serialize(triples, format=OX_GRAPH_FORMATS[name], prefixes=used) or b""
    return Response(data, media_type=media_type(name, offers), headers={"Vary": "Accept"})


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as plain text, JSON or HTML, by the request's Accept header."""
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse

    chosen = negotiate(request.headers.get("accept"), ["text/plain", "application/json", "text/html"])
    phrase = HTTPStatus(status).phrase
    if chosen == "application/json":
        return JSONResponse({"status": status, "error": phrase, "message": message}, status, headers)
    if chosen == "text/html":
        return HTMLResponse(service_of(request).pages.render("error.html", status=status, phrase=phrase,
                                                             message=message), status, headers)
    return PlainTextResponse(f"{status} {phrase}: {message}\n", status, headers)


# ---------------------------------------------------------------- handlers


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes (413)."""
    too_large = Problem(413, f"The request body is larger than this server's limit of {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def single(values: list[tuple[str, str]], name: str) -> str | None:
    """The one value of a protocol parameter (400 if given more than once)."""
    found = [value for key, value in values if key == name]
    if len(found) > 1:
        raise Problem(400, f"The parameter {name!r} is given {len(found)} times; give it once.")
    return found[0] if found else None


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (and the service description on a GET without a query)."""
    from starlette.responses import RedirectResponse

    service = service_of(request)
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await read_body(request, service.settings.max_request_bytes)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise Problem(403, READ_ONLY)
        if content_type == "application/x-www-form-urlencoded":
            params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        elif content_type == "application/sparql-query":
            try:
                params.append(("query", body.decode("utf-8")))
            except UnicodeDecodeError:
                raise Problem(400, "The query is not UTF-8 text.") from None
        else:
            raise Problem(415, "POST a query as application/sparql-query, or as the form field 'query' in "
                               f"application/x-www-form-urlencoded (not {content_type or 'no content type'}).")
    if single(params, "update") is not None:
        raise Problem(403, READ_ONLY)
    text = single(params, "query")
    if text is None:
        if request.method == "POST":
            raise Problem(400, "The request has no 'query'.")
        if negotiate(request.headers.get("accept"), ["text/turtle", "text/html"]) == "text/html":
            return RedirectResponse("/", 303)
        return rdf_response(request, service.service_description(base_url(request)), single(params, "format"))
    return await answer(request, text, params)


async def answer(request: Request, text: str, params: list[tuple[str, str]]) -> Response:
    """Check a query, run it on a worker with the protocol's dataset, answer in the negotiated format."""
    from starlette.responses import Response

    service = service_of(request)
    inspection = inspect_query(text)
    default = tuple(value for key, value in params if key == "default-graph-uri")
    named = tuple(value for key, value in params if key == "named-graph-uri")
    check_graphs([*inspection.graphs, *default, *named], service.graphs)
    offers = graph_offers() if inspection.form in ("CONSTRUCT", "DESCRIBE") else result_offers()
    name = choose_format(request, offers, single(params, "format"))
    protocol = bool(default or named)
    job = Job(text, name, service.settings.max_results, default_graphs=default if protocol else None,
              named_graphs=named if protocol else None, own_dataset=inspection.dataset_clause)
    outcome = await service.run(job)
    return Response(outcome.body, media_type=media_type(name, offers), headers={"Vary": "Accept"})


def catalogue_entry(query: SavedQuery) -> dict[str, Any]:
    return {"name": query.name, "title": query.title, "description": query.description, "form": query.form,
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in query.parameters],
            "url": f"/queries/{query.name}", "text": query.text}


def catalogue(request: Request) -> Response:
    """The saved queries, as HTML or JSON."""
    from starlette.responses import HTMLResponse, JSONResponse

    service = service_of(request)
    entries = [catalogue_entry(q) for q in service.catalogue.values()]
    if choose_format(request, {"text/html": "html", "application/json": "json"}) == "json":
        return JSONResponse(entries, headers={"Vary": "Accept"})
    return HTMLResponse(service.pages.render("catalogue.html", queries=entries), headers={"Vary": "Accept"})


async def saved_query(request: Request) -> Response:
    """A saved query run with the request's parameters: results by content negotiation, or an HTML table."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, Response

    from diplokg.catalogue import find_query
    from diplokg.errors import DiplokgError

    service = service_of(request)
    try:
        query = find_query(service.catalogue, request.path_params["name"])
    except DiplokgError as error:
        raise Problem(404, str(error).replace("Run `diplokg queries`", "See /queries")) from None
    values = {key: value for key, value in request.query_params.items() if key != "format"}
    bindings = query.bind(values)
    offers = graph_offers() if query.form in ("CONSTRUCT", "DESCRIBE") else result_offers()
    name = choose_format(request, {"text/html": "html", **offers})
    outcome = await service.run(Job(query.text, None if name == "html" else name, service.settings.max_results, bindings))
    if outcome.result is not None:
        shown = {p.name: values.get(p.name, p.default or "") for p in query.parameters}
        page = await run_in_threadpool(service.pages.results_page, catalogue_entry(query), shown, outcome.result)
        return HTMLResponse(page, headers={"Vary": "Accept"})
    return Response(outcome.body, media_type=media_type(name, offers), headers={"Vary": "Accept"})


def entity(request: Request) -> Response:
    """An entity IRI dereferenced: an HTML page, or its concise bounded description in RDF."""
    from starlette.responses import HTMLResponse

    from diplokg.prefixes import ID

    pages = service_of(request).pages
    iri = ID + request.path_params["path"]
    if not pages.exists(iri):
        raise Problem(404, f"<{iri}> is not an entity of this graph.")
    if choose_format(request, {"text/html": "html", **graph_offers()}) == "html":
        return HTMLResponse(pages.entity_page(iri), headers={"Vary": "Accept"})
    return rdf_response(request, pages.bounded_description(iri))


def pictures(request: Request) -> Response:
    """`diplokg draw` over HTTP: /pictures/network[?event=IRI|?person=IRI], /pictures/timeline (SVG)."""
    from starlette.responses import Response

    kind = request.path_params["kind"]
    if kind not in ("network", "timeline"):
        raise Problem(404, f"No picture {kind!r}; the pictures are: network, timeline.")
    svg = service_of(request).pages.picture(kind, request.query_params.get("event"), request.query_params.get("person"))
    return Response(svg, media_type="image/svg+xml")


def reference(request: Request) -> Response:
    """The HTML reference of the ontology, shapes and vocabularies (as `diplokg docs` writes it)."""
    from starlette.responses import HTMLResponse

    from diplokg.docs import render_docs

    service = service_of(request)
    return HTMLResponse(render_docs(service.settings.layout, service.pages.engine)["index.html"])


def void(request: Request) -> Response:
    return rdf_response(request, service_of(request).void(base_url(request)))


async def dump(request: Request) -> Response:
    """A dump of the asserted graphs, streamed from its file (written from the store on first use)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse

    service = service_of(request)
    name = request.path_params["name"]
    if name not in service.dumps.formats:
        raise Problem(404, f"No dump {name!r}; the dumps are: {', '.join(service.dumps.formats)}.")
    path = await run_in_threadpool(service.dumps.path, name)
    return FileResponse(path, media_type=service.dumps.media_type(name),
                        headers={"Content-Disposition": f'inline; filename="diplokg-{name}"'})


def home(request: Request) -> Response:
    """The query page: YASGUI on /sparql, with the saved queries as examples."""
    from starlette.responses import HTMLResponse

    from diplokg.prefixes import ID, PREFIX_IRIS

    service = service_of(request)
    config = {"endpoint": base_url(request) + "sparql", "idBase": ID, "prefixes": PREFIX_IRIS,
              "queries": [catalogue_entry(q) for q in service.catalogue.values()]}
    return HTMLResponse(service.pages.render("query.html", config=config, queries=config["queries"]))


def create_app(service: Service) -> Starlette:
    """The ASGI application on a service (whose workers the caller starts and stops)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from diplokg.errors import DiplokgError
    from diplokg.pages import STATIC_DIR

    async def on_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, Problem)
        return error_response(request, error.status, error.message)

    async def on_bad_input(request: Request, error: Exception) -> Response:
        return error_response(request, 400, str(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        message = {404: f"Nothing at {request.url.path}; see / for the query page and /queries for the saved queries.",
                   405: f"{request.method} is not accepted at {request.url.path}."}.get(error.status_code, str(error.detail))
        return error_response(request, error.status_code, message, error.headers)

    routes = [
        Route("/", home),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/queries", catalogue),
        Route("/queries/{name}", saved_query),
        Route("/id/{path:path}", entity),
        Route("/.well-known/void", void),
        Route("/pictures/{kind}", pictures),
        Route("/docs", reference),
        Route("/dumps/{name}", dump),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"], allow_headers=["*"],
                      max_age=86400)
    app = Starlette(routes=routes, middleware=[cors],
                    exception_handlers={Problem: on_problem, DiplokgError: on_bad_input, HTTPException: on_http})
    app.state.service = service
    return app


# ---------------------------------------------------------------- command line


def check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, if the address cannot be listened on."""
    from diplokg.errors import DiplokgError

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise DiplokgError(f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                           "Pick another --port, or stop what is listening there.") from None


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from diplokg.cli import progress
    from diplokg.errors import DiplokgError
    from diplokg.paths import default_layout
    from diplokg.store import open_built

    for option, value in (("--timeout", args.timeout), ("--max-results", args.max_results), ("--workers", args.workers)):
        if value <= 0:
            raise DiplokgError(f"{option} must be positive, not {value}.")
    check_port(args.host, args.port)
    layout = default_layout()
    built = open_built(layout, progress=progress)  # reasoned and validated when it was built
    manifest = built.manifest
    if manifest.validation["fails"]["violation"] or not manifest.consistent:
        print(manifest.validation["text"], end="", file=sys.stderr)
        for message in manifest.inconsistencies:
            print(f"  inconsistency: {message}", file=sys.stderr)
        if not args.allow_invalid:
            print("diplokg serve: refusing to start: the data has SHACL violations or OWL RL inconsistencies (above). "
                  "Fix them, or pass --allow-invalid to serve the data as it is.", file=sys.stderr)
            return 1
        print("diplokg serve: serving data that does not conform (--allow-invalid)", file=sys.stderr)
    settings = Settings(layout, args.timeout, args.max_results, workers=args.workers)
    service = Service(settings, built)
    progress("starting the query workers")
    try:
        service.pool.start()
    except RuntimeError as error:
        service.pool.close()
        raise DiplokgError(f"Cannot serve: {error}.") from None
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"diplokg: serving http://{shown}:{args.port}/ (SPARQL endpoint /sparql, entity pages /id/..., "
          f"{settings.workers} query workers, {settings.timeout:g} s timeout); Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning")
    finally:
        service.pool.close()
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    """The `serve` subcommand's arguments."""
    parser.description = (
        "Serve the graph over HTTP, read-only: a SPARQL 1.1 endpoint (/sparql), the saved queries (/queries), "
        "an HTML or RDF page for every entity IRI (/id/...), VoID (/.well-known/void), dumps (/dumps/) and a "
        "query page (/). It serves the built store (built first if the data changed: loaded, reasoned and validated).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--allow-invalid", action="store_true",
                        help="serve even if the data has SHACL violations or OWL RL inconsistencies")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="stop a query after S seconds and answer 503 (default: 10)")
    parser.add_argument("--max-results", type=int, default=10_000, metavar="N",
                        help="refuse answers of more than N rows or triples (default: 10000)")
    parser.add_argument("--workers", type=int, default=max(2, min(4, os.cpu_count() or 1)), metavar="N",
                        help="query worker processes (default: the number of CPUs, 2 to 4)")
    parser.set_defaults(run=run_serve)

