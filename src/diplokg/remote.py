"""Remote SPARQL servers over the W3C protocols: an Engine on a SPARQL 1.1 Protocol endpoint, and
the HTTP plumbing (credentials, retries, clear errors) that `diplokg push` shares.

Every query names its dataset explicitly (SPARQL 1.1 Protocol `default-graph-uri` and
`named-graph-uri`): the default graph is the union of the server's diplokg graphs (those under
https://w3id.org/diplokg/graph/), the inferred one included or left out, exactly as embedded, so
the answers do not depend on how the server builds its own default graph nor on what else it holds.
Parameters are bound as RDF terms by a VALUES block at the start of the query's outermost WHERE
group, built from serialised terms, never from raw text.

Credentials come from DIPLOKG_USER / DIPLOKG_PASSWORD, else from ~/.netrc (the entry for the
server's host), and are sent only when the server asks (Basic or Digest); HTTPS is always verified.
"""

from __future__ import annotations

import json
import netrc
import os
import sys
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.prefixes import GRAPH, INFERRED_GRAPH
from diplokg.results import Result, Term
from diplokg.sparqltext import inject_values, query_form

if TYPE_CHECKING:
    from rdflib import Dataset

USER_VARIABLE, PASSWORD_VARIABLE = "DIPLOKG_USER", "DIPLOKG_PASSWORD"
TRANSIENT_STATUS = {502, 503, 504}
RESULTS_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
RDF_MEDIA_TYPES = {"text/plain": ox.RdfFormat.N_TRIPLES, "text/ntriples": ox.RdfFormat.N_TRIPLES}
COUNTS_QUERY = """SELECT ?g (COUNT(*) AS ?n) WHERE { %s GRAPH ?g { ?s ?p ?o } %s } GROUP BY ?g"""


class RemoteError(DiplokgError):
    """A request the server refused or never answered; `status` is the HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def credentials(url: str) -> tuple[str, str] | None:
    """User and password from DIPLOKG_USER / DIPLOKG_PASSWORD, else ~/.netrc's entry for the host."""
    user = os.environ.get(USER_VARIABLE)
    if user:
        return user, os.environ.get(PASSWORD_VARIABLE, "")
    try:
        entry = netrc.netrc().authenticators(urlsplit(url).hostname or "")
    except (FileNotFoundError, netrc.NetrcParseError):
        return None
    return (entry[0], entry[2] or "") if entry else None


class ChallengeAuth(httpx.Auth):
    """Answer the server's challenge with Basic or Digest, whichever it asks for; send nothing unasked."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.chosen is not None:
            yield from self.chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        self.chosen = (httpx.DigestAuth if scheme == "digest" else httpx.BasicAuth)(self.user, self.password)
        yield from self.chosen.auth_flow(request)


class Http:
    """An HTTP client that retries transient failures (no answer, 502, 503, 504) with backoff."""

    def __init__(self, timeout: float = 120.0, retries: int = 4, backoff: float = 0.5) -> None:
        self.timeout, self.retries, self.backoff = timeout, max(0, retries), backoff
        self.clients: dict[str, httpx.Client] = {}

    def client(self, url: str) -> httpx.Client:
        """One client per server (scheme, host and port), with that server's credentials."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # e.g. an unclosed IPv6 bracket
            host = None
        if not host or parts.scheme not in ("http", "https"):
            raise DiplokgError(f"{url!r} is not an http:// or https:// URL of a SPARQL service.")
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.clients:
            found = credentials(url)
            self.clients[key] = httpx.Client(timeout=self.timeout, verify=True, follow_redirects=False,
                                             auth=ChallengeAuth(*found) if found else None)
        return self.clients[key]

    def request(self, method: str, url: str, what: str, accept_status: tuple[int, ...] = (), **kwargs: Any
                ) -> httpx.Response:
        """Send a request; return a 2xx (or accepted) response, else raise RemoteError saying why."""
        client = self.client(url)
        started = time.monotonic()
        for attempt in range(self.retries + 1):
            try:
                response = client.request(method, url, **kwargs)
            except httpx.TransportError as error:
                failure, wait = describe_transport_error(error, self.timeout), ""
            else:
                if response.is_success or response.status_code in accept_status:
                    return response
                if response.status_code not in TRANSIENT_STATUS:
                    raise status_error(response, what)
                failure = f"answered HTTP {response.status_code} ({response.reason_phrase})"
                wait = response.headers.get("retry-after", "")
            if attempt < self.retries:
                time.sleep(min(30.0, float(wait) if wait.isdigit() else self.backoff * 2**attempt))
        attempts = f"{self.retries + 1} attempt{'s' if self.retries else ''} over {time.monotonic() - started:.1f} s"
        raise RemoteError(f"{what} failed: {url} {failure} ({attempts}). Check that the server is running "
                          "and the URL is right, or try again later.")

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def describe_transport_error(error: httpx.TransportError, timeout: float) -> str:
    if isinstance(error, httpx.ConnectError):
        return f"could not be reached ({' '.join(str(error).split()) or 'connection failed'})"
    if isinstance(error, httpx.TimeoutException):
        return f"did not answer within {timeout:g} s"
    return f"broke the connection ({type(error).__name__}: {' '.join(str(error).split())})"


def status_error(response: httpx.Response, what: str) -> RemoteError:
    """A one-paragraph error for a non-transient HTTP status, with the server's own words."""
    status, url = response.status_code, str(response.request.url).split("?")[0]
    if status in (401, 403):
        hint = (f"The server wants credentials it accepts: set {USER_VARIABLE} and {PASSWORD_VARIABLE}, "
                "or add the host to ~/.netrc (never on the command line).")
    elif status in (301, 302, 303, 307, 308):
        hint = f"It redirects to {response.headers.get('location', '?')}; give that URL instead."
    else:
        hint = ""
    said = " ".join(response.text.split())[:400] if response.content else ""
    return RemoteError(f"{what} failed: {url} answered HTTP {status} ({response.reason_phrase})"
                       + (f": {said}" if said else "") + (f". {hint}" if hint else "."), status)


def json_term(value: dict[str, str] | None, blanks: dict[str, ox.BlankNode]) -> Term | None:
    """A term of the SPARQL 1.1 JSON results format (Virtuoso's `typed-literal` and bnode labels too)."""
    if value is None:
        return None
    kind, lexical = value["type"], value["value"]
    if kind == "uri":
        return ox.NamedNode(lexical)
    if kind == "bnode":
        return blanks.setdefault(lexical, ox.BlankNode())
    if kind not in ("literal", "typed-literal"):
        raise ValueError(f"unknown term type {kind!r}")
    if value.get("xml:lang"):
        return ox.Literal(lexical, language=value["xml:lang"])
    if value.get("datatype"):
        return ox.Literal(lexical, datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(lexical)


def parse_answer(response: httpx.Response, form: str | None) -> Result:
    """A SPARQL JSON results document or an RDF graph as a Result.

    Virtuoso (7.2) answers ASK with a one-row result set (`__ASK_RETVAL` 1) or an empty one: read as a boolean."""
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media_type.endswith("json") and media_type != "application/ld+json":
            document = json.loads(response.content)
            if "boolean" in document:
                return Result("ask", boolean=bool(document["boolean"]))
            bindings = document["results"]["bindings"]
            if form == "ASK":
                return Result("ask", boolean=any(v.get("value") not in ("0", "false") for b in bindings for v in b.values()))
            variables = list(document["head"].get("vars", []))
            blanks: dict[str, ox.BlankNode] = {}
            return Result("select", variables, [tuple(json_term(row.get(v), blanks) for v in variables) for row in bindings])
        rdf_format = RDF_MEDIA_TYPES.get(media_type) or ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise ValueError(f"unexpected media type {media_type or '(none)'!r}")
        quads = ox.parse(response.content, format=rdf_format)
        return Result("graph", triples=[ox.Triple(q.subject, q.predicate, q.object) for q in quads])
    except (ValueError, KeyError, TypeError, SyntaxError) as error:
        raise RemoteError(f"The server's answer could not be read as SPARQL results or RDF: {error}.") from None


class RemoteEngine:
    """Queries on a SPARQL 1.1 Protocol endpoint holding diplokg's named graphs."""

    def __init__(self, endpoint: str, http: Http | None = None) -> None:
        self.endpoint = endpoint
        self.http = http or Http(retries=2)
        self.known: list[str] | None = None
        self.warned = False

    def post(self, text: str, dataset: dict[str, list[str]] | None = None) -> httpx.Response:
        """POST a query (form-encoded) with an optional dataset description, asking for JSON results or N-Triples."""
        accept = GRAPH_ACCEPT if query_form(text) in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        return self.http.request("POST", self.endpoint, "The SPARQL query", data={"query": text, **(dataset or {})},
                                 headers={"Accept": accept})

    def send(self, text: str, dataset: dict[str, list[str]] | None = None) -> Result:
        """The answer to a query, as a Result."""
        return parse_answer(self.post(text, dataset), query_form(text))

    def counts(self, graphs: list[str] | None = None) -> dict[str, int]:
        """Triples per named graph on the server: the given graphs (absent ones count 0), else every diplokg graph."""
        if graphs is None:
            text = COUNTS_QUERY % ("", f'FILTER(STRSTARTS(STR(?g), "{GRAPH}"))')
        else:
            text = COUNTS_QUERY % (f"VALUES ?g {{ {' '.join(str(ox.NamedNode(g)) for g in graphs)} }}", "")
        found = {row[0].value: int(row[1].value) for row in self.send(text).rows if row[0] is not None and row[1] is not None}
        return {g: found.get(g, 0) for g in graphs} if graphs is not None else dict(sorted(found.items()))

    def graphs(self) -> list[str]:
        """The diplokg named graphs on the server (asked once); none at all is an error."""
        if self.known is None:
            self.known = [g for g, n in self.counts().items() if n]
            if not self.known:
                raise DiplokgError(f"{self.endpoint} holds no diplokg graph (none under {GRAPH}); "
                                   f"upload the dataset first: diplokg push --endpoint {self.endpoint}")
        return self.known

    def query(self, text: str, bindings: dict[str, Term] | None = None, inferred: bool = True,
              prefixes: dict[str, str] | None = None) -> Result:
        graphs = self.graphs()
        if inferred and INFERRED_GRAPH not in graphs and not self.warned:
            self.warned = True
            print(f"diplokg: note: {self.endpoint} holds no inferred graph (push with --inferred); "
                  "answers cover the asserted triples only.", file=sys.stderr)
        dataset = {"default-graph-uri": [g for g in graphs if inferred or g != INFERRED_GRAPH], "named-graph-uri": graphs}
        declared = "".join(f"PREFIX {prefix}: {ox.NamedNode(iri)}\n" for prefix, iri in (prefixes or {}).items())
        return self.send(declared + inject_values(text, bindings or {}), dataset)


def fetch_dataset(endpoint: str) -> Dataset:
    """Every diplokg named graph of the server, downloaded into an rdflib Dataset (checked complete)."""
    from rdflib import URIRef

    from diplokg.formats import graph_format
    from diplokg.loading import new_dataset

    engine = RemoteEngine(endpoint)
    counts = engine.counts()
    if not counts:
        raise DiplokgError(f"{endpoint} holds no diplokg graph (none under {GRAPH}).")
    dataset = new_dataset()
    for name, expected in counts.items():
        response = engine.post(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(name)} {{ ?s ?p ?o }} }}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        rdf_format = "nt" if RDF_MEDIA_TYPES.get(media_type) else graph_format(media_type).rdflib_name
        graph = dataset.graph(URIRef(name))
        graph.parse(data=response.content, format=rdf_format)
        if len(graph) != expected:
            raise RemoteError(f"{endpoint} sent {len(graph)} of the {expected} triples of {name}: it truncates "
                              "large answers (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini).")
    return dataset
